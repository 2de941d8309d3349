"""A python-escpos printer that writes ESC/POS bytes into memory (and optionally a link).

:class:`SinkPrinter` is an :class:`escpos.escpos.Escpos` whose ``_raw`` appends to a
byte buffer it owns. The layouts in :mod:`reference_till.receipt_layout` drive it with
the ordinary python-escpos calls (``set``, ``textln``, ``cut`` ...) and take
:attr:`SinkPrinter.output` as the document. A ``write`` callable given to the
constructor receives every chunk as well, so the same printer can feed a device link.

Norwegian text is deterministic. python-escpos' ``MagicEncode`` normally picks a code
page per character and emits ``ESC t n`` whenever it switches. Here the code page is
selected once, after ``ESC @``, as PC865 Nordic (``ESC t 5``, devices.md §1.3), the
encoder is pinned to it (``charcode("CP865")`` → ``MagicEncode.force_encoding``) and
:meth:`SinkPrinter.text` encodes with Python's ``cp865`` codec itself. Typographic
dashes and quotes are mapped to their ASCII look-alikes one for one; every other
character that PC865 lacks (``€`` for example) prints as ``?``. Control characters in
the text, except line feed, also become ``?`` so data can never inject a command.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from escpos.escpos import Escpos

__all__ = ["CODE_PAGE", "ESC_INIT", "SELECT_PC865", "SinkPrinter", "encode_text"]

#: Python codec of the code page the sink selects.
CODE_PAGE = "cp865"
#: ``ESC @``: initialise the printer (resets size, alignment and code page).
ESC_INIT = b"\x1b@"
#: ``ESC t 5``: select character code table 5, PC865 Nordic.
SELECT_PC865 = b"\x1bt\x05"

# One-for-one replacements for characters PC865 cannot print; keeps column counts exact.
_LOOKALIKES = str.maketrans(
    {
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2212": "-",  # minus sign
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00bb": '"',  # PC865 has « (0xAE) but not »
        "\t": " ",
    }
)
# Look-alikes, and ? for control characters other than LF (so data can never inject a command).
_PRINTABLE = {**{code: "?" for code in (*range(0x20), 0x7F) if code != 0x0A}, **_LOOKALIKES}
# Finds a character that _PRINTABLE replaces; most text has none and skips str.translate.
_NEEDS_REPLACING = re.compile("[" + "".join(re.escape(chr(code)) for code in sorted(_PRINTABLE)) + "]")


def encode_text(text: str) -> bytes:
    r"""Encode text for a printer in PC865 (Nordic).

    Args:
        text: Unicode text; ``\n`` is kept as LF.

    Returns:
        One byte per character: cp865, dashes/quotes as ASCII look-alikes, ``?`` for
        anything else PC865 cannot print and for control characters other than LF.
    """
    # One pass over the string (cp865 is a one-byte charmap: "replace" gives one ? per character).
    if _NEEDS_REPLACING.search(text) is not None:
        text = text.translate(_PRINTABLE)
    return text.encode(CODE_PAGE, errors="replace")


class SinkPrinter(Escpos):  # type: ignore[misc]  # escpos ships no type information
    r"""python-escpos printer writing into an in-memory byte sink.

    Args:
        write: Optional callable that receives every chunk as it is produced (a device
            link); the sink keeps its own copy regardless.
        profile: python-escpos printer profile name (escpos-printer-db). The profile
            decides which code pages and cuts python-escpos believes the model supports;
            column counts are the layouts' ``width`` argument, not the profile's.

    Example:
        >>> p = SinkPrinter()
        >>> p.initialize()
        >>> p.textln("Blåbær")
        >>> p.output
        b'\x1b@\x1bt\x05Bl\x86b\x91r\n'
    """

    def __init__(
        self,
        write: Callable[[bytes], None] | None = None,
        *,
        profile: str = "TM-T88III",
    ) -> None:
        # Pin python-escpos' MagicEncode to CP865 so no library call switches code pages.
        super().__init__(profile=profile, magic_encode_args={"encoding": "CP865", "disabled": True})
        self._sink = bytearray()
        self._write = write

    @property
    def output(self) -> bytes:
        """All bytes produced since construction or the last :meth:`clear`."""
        return bytes(self._sink)

    def clear(self) -> None:
        """Empty the sink (bytes already given to ``write`` are not affected)."""
        self._sink.clear()

    def _raw(self, msg: bytes) -> None:
        """Append bytes to the sink and pass them to ``write`` if one was given."""
        data = bytes(msg)
        self._sink += data
        if self._write is not None:
            self._write(data)

    def initialize(self) -> None:
        """Start a document: ``ESC @`` then ``ESC t 5`` (PC865 Nordic).

        ``ESC @`` restores the printer's power-on code page, so the code page is selected
        again after every initialisation.
        """
        self._raw(ESC_INIT)
        # ESC @ reset the printer's table; forget the tracked one so charcode re-emits it.
        self.magic.encoding = None
        self.charcode("CP865")

    def text(self, txt: str) -> None:
        r"""Print text encoded in PC865 (see :func:`encode_text`).

        Args:
            txt: Unicode text; include ``\n`` to end a line.
        """
        self._raw(encode_text(str(txt)))

    def size(self, width: int = 1, height: int = 1) -> None:
        """Select the character size with ``GS ! n`` (multipliers 1-8).

        Args:
            width: Width multiplier.
            height: Height multiplier.

        Raises:
            ValueError: A multiplier is outside 1-8.
        """
        if not (1 <= width <= 8 and 1 <= height <= 8):
            raise ValueError(
                f"character size {width}x{height} is not printable; GS ! takes width and height multipliers from 1 to 8"
            )
        self.set(custom_size=True, width=width, height=height)
