"""Status bytes computed from the printer's state, exactly as devices.md §1.5 lays them out.

:class:`PrinterState` is what the scenario controls (paper, cover, offline, error); the
functions turn it into the bytes a POS reads back:

=================  =========================================================================
``DLE EOT n``      1 byte ``0xx1xx10`` (idle ``12``); n=1 printer (pin 3 ``04``, offline ``08``),
                   n=2 offline cause (cover ``04``, paper end ``20``, error ``40``), n=3 error
                   cause, n=4 roll paper (near end ``0C``, end ``60``)
``GS r n``         1 byte ``0xx0xxxx``: n=1 paper (near end ``03``, end ``0C``), n=2 drawer pin 3
                   (``01``), n=4 ink (``00``); ``ESC v`` = ``GS r 1``, ``ESC u`` = ``GS r 2``
ASB (``GS a n``)   4 bytes: ``1x`` pin 3 ``04``, offline ``08``, cover ``20``; errors; paper
                   ``03``/``0C``; ``00``
``GS I n``         1 byte for 1–3; ``5F`` text ``00`` for 65–69 (``5F 00`` when unknown)
``GS ( H`` fn 48   ``37 22 d1 d2 d3 d4 00`` once the preceding data has been processed
=================  =========================================================================

Examples (Epson layout, as used by emupos): all OK ``12 12 12 12``; paper near end: n4 ``1E``;
paper out: n1 ``1A``, n2 ``32``, n4 ``7E``; cover open: n1 ``1A``, n2 ``16``; drawer pin 3 high:
n1 ``16``. ASB: OK ``10 00 00 00``, drawer ``14 00 00 00``, near end ``10 00 03 00``, paper out
``18 00 0F 00``, cover open ``38 00 00 00``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from devices.escpos.profiles import PrinterProfile

__all__ = [
    "ASB_ITEM_MASKS",
    "ErrorKind",
    "PaperState",
    "PrinterState",
    "asb_bytes",
    "asb_changed",
    "dle_eot",
    "gs_i",
    "gs_r",
    "process_id_reply",
]

PaperState = Literal["ok", "near_end", "out"]
#: Error classes of DLE EOT 3: ``recoverable`` (bit 2), ``autocutter`` (bit 3),
#: ``unrecoverable`` (bit 5), ``auto_recoverable`` (bit 6, e.g. head overheat).
ErrorKind = Literal["recoverable", "autocutter", "unrecoverable", "auto_recoverable"]

_ERROR_BITS: dict[str, tuple[int, int]] = {  # (DLE EOT 3 bit, ASB byte 2 bit)
    "recoverable": (0x04, 0x04),
    "autocutter": (0x08, 0x08),
    "unrecoverable": (0x20, 0x20),
    "auto_recoverable": (0x40, 0x40),
}


@dataclass(frozen=True, slots=True)
class PrinterState:
    """The printer conditions the scenario controls.

    Attributes:
        paper: Roll paper ``ok``, ``near_end`` or ``out``.
        cover_open: The cover is open.
        offline: Forced offline (e.g. the operator took it offline).
        error: An error condition, or ``None``.
    """

    paper: PaperState = "ok"
    cover_open: bool = False
    offline: bool = False
    error: ErrorKind | None = None

    def __post_init__(self) -> None:
        if self.paper not in ("ok", "near_end", "out"):
            raise ValueError(f"paper={self.paper!r}; use 'ok', 'near_end' or 'out'")
        if self.error is not None and self.error not in _ERROR_BITS:
            raise ValueError(f"error={self.error!r}; use None or one of {', '.join(_ERROR_BITS)}")

    @property
    def is_offline(self) -> bool:
        """Whether buffered data waits (paper out, cover open, offline, error); real-time commands never wait."""
        return self.paper == "out" or self.cover_open or self.offline or self.error is not None

    @property
    def reason(self) -> str:
        """Why the printer is offline, for evidence (empty when online)."""
        reasons = [
            *(["paper out"] if self.paper == "out" else []),
            *(["cover open"] if self.cover_open else []),
            *(["offline"] if self.offline else []),
            *([f"{self.error} error"] if self.error else []),
        ]
        return ", ".join(reasons)


def _near_end(state: PrinterState, profile: PrinterProfile) -> bool:
    # Paper out implies the near-end sensor is uncovered too; without the sensor the bits stay 0.
    return profile.near_end_sensor and state.paper in ("near_end", "out")


def dle_eot(n: int, state: PrinterState, profile: PrinterProfile, *, pin3_high: bool) -> bytes | None:
    """Reply to ``DLE EOT n`` (1–4); ``None`` for a function this emulator does not answer."""
    value = 0x12
    if n == 1:
        value |= (0x04 if pin3_high else 0) | (0x08 if state.is_offline else 0)
    elif n == 2:
        value |= 0x04 if state.cover_open else 0
        value |= 0x20 if state.paper == "out" else 0
        value |= 0x40 if state.error is not None else 0
    elif n == 3:
        value |= _ERROR_BITS[state.error][0] if state.error is not None else 0
    elif n == 4:
        value |= (0x0C if _near_end(state, profile) else 0) | (0x60 if state.paper == "out" else 0)
    else:
        return None
    return bytes((value,))


def gs_r(n: int, state: PrinterState, profile: PrinterProfile, *, pin3_high: bool) -> bytes | None:
    """Reply to ``GS r n`` (1/49 paper, 2/50 drawer, 4/52 ink); also ``ESC v`` (n=1) and ``ESC u`` (n=2)."""
    n %= 48
    if n == 1:
        near = 0x03 if _near_end(state, profile) else 0
        return bytes((near | (0x0C if state.paper == "out" else 0),))
    if n == 2:
        return bytes((0x01 if pin3_high else 0,))
    if n == 4:
        return b"\x00"
    return None


#: ``GS a n`` bit → the ASB bits (byte index, mask) that belong to that item.
ASB_ITEM_MASKS: dict[int, tuple[int, int]] = {
    0x01: (0, 0x04),  # drawer kick-out connector pin 3
    0x02: (0, 0x68),  # online/offline: offline, cover open, paper fed by FEED
    0x04: (1, 0x6C),  # errors
    0x08: (2, 0x0F),  # roll paper sensors
}


def asb_bytes(state: PrinterState, profile: PrinterProfile, *, pin3_high: bool) -> bytes:
    """The 4 Automatic Status Back bytes for ``state``."""
    first = 0x10 | (0x04 if pin3_high else 0) | (0x08 if state.is_offline else 0) | (0x20 if state.cover_open else 0)
    second = _ERROR_BITS[state.error][1] if state.error is not None else 0
    third = (0x03 if _near_end(state, profile) else 0) | (0x0C if state.paper == "out" else 0)
    return bytes((first, second, third, 0x00))


def asb_changed(mask: int, before: bytes, after: bytes) -> bool:
    """Whether an item enabled in ``mask`` (the ``GS a n`` value) differs between two ASB replies."""
    return any(mask & bit and (before[i] ^ after[i]) & bits for bit, (i, bits) in ASB_ITEM_MASKS.items())


def gs_i(n: int, profile: PrinterProfile) -> bytes | None:
    """Reply to ``GS I n``: one byte for 1–3 (and 49–51), ``5F`` text ``00`` for 65–69; else ``None``."""
    if n in (1, 2, 3, 49, 50, 51):
        value = profile.printer_ids.get(n % 48, 0)
        if n % 48 == 2:
            value = (value & ~0x02) | (0x02 if profile.autocutter else 0)
        return bytes((value & 0x6F,))  # pattern 0xx0xxxx: bits 4 and 7 clear
    if 65 <= n <= 69:
        text = profile.printer_info.get(n, "")
        return b"\x5f" + text.encode("ascii", "replace") + b"\x00"
    return None


def process_id_reply(data: bytes) -> bytes | None:
    """Reply to ``GS ( H`` fn 48 (data ``30 30 d1 d2 d3 d4``, d in 20–7E): ``37 22 d1..d4 00``."""
    if len(data) == 6 and data[0] == 0x30 and data[1] == 0x30 and all(0x20 <= b <= 0x7E for b in data[2:]):
        return b"\x37\x22" + data[2:] + b"\x00"
    return None
