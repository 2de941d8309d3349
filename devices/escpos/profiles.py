"""Printer profiles as data: paper, fonts, code tables, cutter, status behaviour, vendor quirks.

ESC/POS printers differ in what they accept and how they answer (devices.md §1.1 "Vendors
differ", §1.3 "Clone printers renumber freely", §1.4, §6.3 "never hard-code one printer").
A :class:`PrinterProfile` holds those facts; the decoder, the receipt builder and the
printer emulator read them instead of hard-coding one model.

Built-in profiles (:data:`PROFILES`; :func:`get_profile` also accepts the aliases in
:data:`ALIASES`, case-insensitively, e.g. ``TM-T88``):

``epson-tm-t88``
    Epson TM-T88V-class, 80 mm paper, 576 dots at 203 dpi, Font A 12×24 (48 columns),
    Font B 9×17 (64 columns), autocutter with full and partial cut, ASB, near-end sensor,
    power-on code table PC437 and international set USA (memory-switch defaults).
``generic-58``
    A generic 58 mm clone (ZJ-58 class): 384 dots, Font A 12×24 (32 columns), Font B 9×17
    (42 columns), partial cut only (``GS V 0`` is cut partially), no near-end sensor, fewer
    code tables, out-of-range ``GS !`` clamped to ×2 (HPRT behaviour, §1.4), out-of-range
    parameters discard the whole command (Citizen CT-S behaviour, §1.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "ALIASES",
    "EPSON_TM_T88",
    "GENERIC_58",
    "PROFILES",
    "FontSpec",
    "PrinterProfile",
    "get_profile",
]


@dataclass(frozen=True, slots=True)
class FontSpec:
    """One character font: cell size in dots and columns per line on this paper."""

    name: str
    width: int
    height: int
    columns: int


@dataclass(frozen=True, slots=True)
class PrinterProfile:
    """Everything model-specific the emulator needs.

    Attributes:
        name: Profile key (``epson-tm-t88``).
        model: Model name.
        paper_mm: Paper width in millimetres.
        dots: Printable width in dots.
        fonts: Font number (``ESC M n`` / ``ESC !`` bit 0; 0 = A, 1 = B) → font.
        code_tables: ``ESC t`` numbers the model accepts; others are ignored (with an anomaly).
        power_on_code_table: Table after power-on and ``ESC @`` (memory switch).
        power_on_international: ``ESC R`` set after power-on and ``ESC @``.
        full_cut: The cutter can cut fully; if not, a full cut request cuts partially.
        autocutter: A cutter is fitted (``GS I 2`` bit 1).
        asb: Automatic Status Back (``GS a``) is supported.
        near_end_sensor: A roll-paper near-end sensor is fitted (DLE EOT 4 bits 2/3, GS r 1 bits 0/1).
        cr_is_lf: ``CR`` prints like ``LF`` (auto line feed); TM thermal models ignore ``CR``.
        size_out_of_range: ``GS !`` outside its range: ``ignore`` (Epson) or ``clamp`` to ×2 (HPRT).
        exceptions: Out-of-range parameter policy (see :data:`devices.escpos.decoder.ExceptionPolicy`).
        realtime_in_data: Real-time commands inside data blocks: ``faithful`` or ``semantic``.
        printer_ids: ``GS I n`` one-byte answers for n = 1, 2, 3 (pattern ``0xx0xxxx``).
        printer_info: ``GS I n`` text answers for n = 65–69; missing keys answer ``5F 00``.
        tab_width: Default tab stops every this many columns.
    """

    name: str
    model: str
    paper_mm: int
    dots: int
    fonts: Mapping[int, FontSpec]
    code_tables: frozenset[int]
    power_on_code_table: int = 0
    power_on_international: int = 0
    full_cut: bool = True
    autocutter: bool = True
    asb: bool = True
    near_end_sensor: bool = True
    cr_is_lf: bool = False
    size_out_of_range: Literal["ignore", "clamp"] = "ignore"
    exceptions: Literal["epson", "whole"] = "epson"
    realtime_in_data: Literal["faithful", "semantic"] = "faithful"
    printer_ids: Mapping[int, int] = field(default_factory=dict)
    printer_info: Mapping[int, str] = field(default_factory=dict)
    tab_width: int = 8

    def font(self, number: int) -> FontSpec:
        """The font for ``ESC M n`` (n and n−48); unknown numbers fall back to Font A."""
        return self.fonts.get(number % 48, self.fonts[0])

    @property
    def columns(self) -> int:
        """Columns of normal-size Font A text."""
        return self.fonts[0].columns


_EPSON_TABLES = frozenset({0, 1, 2, 3, 4, 5, 11, 12, 13, 14, 15, 16, 17, 18, 19, 21, *range(32, 54), 255})

#: Epson TM-T88V-class 80 mm receipt printer (devices.md §1.3, §1.4, §1.5).
EPSON_TM_T88 = PrinterProfile(
    name="epson-tm-t88",
    model="TM-T88V",
    paper_mm=80,
    dots=576,
    fonts={0: FontSpec("A", 12, 24, 48), 1: FontSpec("B", 9, 17, 64)},
    code_tables=_EPSON_TABLES,
    printer_ids={1: 0x20, 2: 0x02, 3: 0x00},
    printer_info={65: "30.01 ESC/POS", 66: "EPSON", 67: "TM-T88V", 68: "KK0000001"},
)

#: Generic 58 mm ESC/POS clone (ZJ-58 class): partial cut only, clamps sizes (§1.2, §1.4).
GENERIC_58 = PrinterProfile(
    name="generic-58",
    model="POS-58",
    paper_mm=58,
    dots=384,
    fonts={0: FontSpec("A", 12, 24, 32), 1: FontSpec("B", 9, 17, 42)},
    code_tables=frozenset({0, 2, 3, 4, 5, 16, 17, 18, 19}),
    full_cut=False,
    near_end_sensor=False,
    size_out_of_range="clamp",
    exceptions="whole",
    printer_ids={1: 0x01, 2: 0x02, 3: 0x01},
    printer_info={66: "GENERIC", 67: "POS-58"},
)

#: Built-in profiles by name.
PROFILES: Mapping[str, PrinterProfile] = {p.name: p for p in (EPSON_TM_T88, GENERIC_58)}

#: Other accepted spellings (lower case) → profile name.
ALIASES: Mapping[str, str] = {
    "tm-t88": "epson-tm-t88",
    "tm-t88v": "epson-tm-t88",
    "epson": "epson-tm-t88",
    "80mm": "epson-tm-t88",
    "generic-58mm": "generic-58",
    "58mm": "generic-58",
    "zj-58": "generic-58",
}


def get_profile(profile: str | PrinterProfile) -> PrinterProfile:
    """A profile by name or alias, case-insensitive (or the profile itself).

    Raises:
        KeyError: Unknown name; the message lists the known ones.
    """
    if isinstance(profile, PrinterProfile):
        return profile
    key = profile.strip().lower()
    found = PROFILES.get(ALIASES.get(key, key))
    if found is None:
        known = ", ".join([*sorted(PROFILES), *sorted(ALIASES)])
        raise KeyError(f"unknown printer profile {profile!r}; use one of: {known}")
    return found
