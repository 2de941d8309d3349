"""Text bytes to Unicode per (code table ``ESC t n``, international set ``ESC R n``).

Norwegian text needs two pieces of state per byte (devices.md §1.3): the code table
selected by ``ESC t n`` (Epson numbering: 0 PC437, 2 PC850, 5 PC865 Nordic, 16 WPC1252,
19 PC858 ...) decides bytes ``80–FF``; the international character set selected by
``ESC R n`` (9 = Norway) replaces twelve ASCII positions (``23 24 40 5B 5C 5D 5E 60 7B 7C
7D 7E``) whatever the code table. A decoder that ignores ``ESC R 9`` reads ``7C`` as ``|``
where the printer prints ``ø``.

Each (table, set) pair becomes one 256-character decoding string used with
:func:`codecs.charmap_decode` (C speed; no per-byte Python loop). A byte the table does not
define decodes to U+FFFD and is reported by :func:`decode_text`.

Byte ``7F`` prints as a glyph on Epson printers (PC437's ``⌂``); it is decoded as U+2302.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from functools import lru_cache

__all__ = [
    "CODE_TABLES",
    "INTERNATIONAL_SETS",
    "UNMAPPED",
    "decode_text",
    "decoding_table",
    "table_name",
]

#: What an undefined byte decodes to.
UNMAPPED = "\ufffd"

#: ``ESC t n`` table numbers (Epson numbering, devices.md §1.3) → (name, Python codec or None).
#: ``None``: no Python codec; high bytes decode to U+FFFD with an anomaly ("not modelled").
CODE_TABLES: Mapping[int, tuple[str, str | None]] = {
    0: ("PC437", "cp437"),
    1: ("Katakana", "katakana"),
    2: ("PC850", "cp850"),
    3: ("PC860", "cp860"),
    4: ("PC863", "cp863"),
    5: ("PC865", "cp865"),
    11: ("PC851", None),
    12: ("PC853", None),
    13: ("PC857", "cp857"),
    14: ("PC737", "cp737"),
    15: ("ISO8859-7", "iso8859_7"),
    16: ("WPC1252", "cp1252"),
    17: ("PC866", "cp866"),
    18: ("PC852", "cp852"),
    19: ("PC858", "cp858"),
    21: ("Thai (CP874)", "cp874"),
    32: ("PC720", "cp720"),
    33: ("PC775", "cp775"),
    34: ("PC855", "cp855"),
    35: ("PC861", "cp861"),
    36: ("PC862", "cp862"),
    37: ("PC864", "cp864"),
    38: ("PC869", "cp869"),
    39: ("ISO8859-2", "iso8859_2"),
    40: ("ISO8859-15", "iso8859_15"),
    41: ("PC1098", None),
    44: ("PC1125", "cp1125"),
    45: ("WPC1250", "cp1250"),
    46: ("WPC1251", "cp1251"),
    47: ("WPC1253", "cp1253"),
    48: ("WPC1254", "cp1254"),
    49: ("WPC1255", "cp1255"),
    50: ("WPC1256", "cp1256"),
    51: ("WPC1257", "cp1257"),
    52: ("WPC1258", "cp1258"),
    53: ("KZ-1048", "kz1048"),
    255: ("user-defined", None),
}

_POSITIONS = (0x23, 0x24, 0x40, 0x5B, 0x5C, 0x5D, 0x5E, 0x60, 0x7B, 0x7C, 0x7D, 0x7E)

#: ``ESC R n`` → (name, the 12 characters at 23 24 40 5B 5C 5D 5E 60 7B 7C 7D 7E), devices.md §1.3.
#: Sets not listed (France, Germany ...) are accepted by the printer but decoded as USA,
#: with an anomaly from :func:`decode_text` ("international set n not modelled").
INTERNATIONAL_SETS: Mapping[int, tuple[str, str]] = {
    0: ("USA", "#$@[\\]^`{|}~"),
    4: ("Denmark I", "#$@ÆØÅ^`æøå~"),
    5: ("Sweden", "#¤ÉÄÖÅÜéäöåü"),
    9: ("Norway", "#¤ÉÆØÅÜéæøåü"),
    10: ("Denmark II", "#$ÉÆØÅÜéæøåü"),
}


def table_name(table: int) -> str:
    """Human name of code table ``table`` (``PC865``), or ``table n`` when unknown."""
    entry = CODE_TABLES.get(table)
    return entry[0] if entry else f"table {table}"


def _base_table(table: int) -> tuple[list[str], bool]:
    """256 characters of the code table (U+FFFD where undefined) and whether it is modelled."""
    chars = [chr(b) for b in range(0x80)] + [UNMAPPED] * 0x80
    chars[0x7F] = "\u2302"
    codec = CODE_TABLES.get(table, ("", None))[1]
    if codec == "katakana":  # JIS X 0201: A1-DF half-width katakana
        for b in range(0xA1, 0xE0):
            chars[b] = chr(0xFF61 + b - 0xA1)
        return chars, True
    if codec is None:
        return chars, False
    for b in range(0x80, 0x100):
        try:
            chars[b] = bytes((b,)).decode(codec)
        except UnicodeDecodeError:
            chars[b] = UNMAPPED
    return chars, True


@lru_cache(maxsize=64)
def decoding_table(table: int, international: int) -> tuple[str, bool]:
    """The 256-character decoding string for (``ESC t`` table, ``ESC R`` set) and whether both are modelled."""
    chars, modelled = _base_table(table)
    entry = INTERNATIONAL_SETS.get(international)
    if entry is None:
        modelled = False
    else:
        for pos, char in zip(_POSITIONS, entry[1], strict=True):
            chars[pos] = char
    # Control bytes never reach text decoding; keep them defined so charmap_decode never fails on them.
    return "".join(chars), modelled


def decode_text(data: bytes, table: int, international: int) -> tuple[str, list[str]]:
    r"""Decode printable bytes; returns the text and notes on bytes without a mapping.

    Args:
        data: Bytes ``20–FF`` from a text token.
        table: Active ``ESC t`` table number.
        international: Active ``ESC R`` set number.

    Returns:
        The Unicode text (one character per byte, U+FFFD where undefined) and a list of
        problems (empty when every byte has a mapping).

    Example:
        >>> decode_text(b"Bl\x9b", 5, 0)
        ('Blø', [])
        >>> decode_text(b"Bl|", 0, 9)
        ('Blø', [])
    """
    mapping, modelled = decoding_table(table, international)
    text = codecs.charmap_decode(data, "replace", mapping)[0]
    notes: list[str] = []
    if UNMAPPED in text:
        bad = sorted({data[i] for i, ch in enumerate(text) if ch == UNMAPPED})
        shown = " ".join(f"{b:02X}" for b in bad[:8])
        why = "is not modelled" if not modelled else "has no character for"
        notes.append(f"code table {table} ({table_name(table)}) {why} byte(s) {shown}: printed as U+FFFD (§1.3)")
    if international not in INTERNATIONAL_SETS and any(b in _POSITIONS for b in data):
        notes.append(f"international set {international} is not modelled; its 12 positions were decoded as USA")
    return text, notes
