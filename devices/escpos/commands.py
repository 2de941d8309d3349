"""The ESC/POS command table: prefix bytes, name, length rule, parameter ranges, real-time flag.

ESC/POS has no framing (devices.md §0, §1.1): a parser must know, for every command, how
many bytes belong to it. This module states that knowledge as data, one
:class:`CommandSpec` per command of devices.md §1.2, so the tokenizer in
:mod:`devices.escpos.decoder` stays generic. Length rules:

=====================  ==============================================================
:class:`Fixed`         ``F(k)``: the prefix plus a fixed number of parameter bytes
:class:`NulTerminated` data up to and including a ``00`` byte (``ESC D``), bounded
:class:`LengthPrefixed` ``pL pH`` (total = prefix + 2 + p) or ``p1..p4`` (prefix + 4 + p)
:class:`Computed`      a function of the header: ``GS v 0``, ``ESC *``, ``ESC &``,
                       ``GS *``, ``GS k`` (A/B forms), ``GS V``, ``DLE EOT``, ``DLE DC4``
=====================  ==============================================================

A measure (:data:`Measure`) looks at the bytes available and answers with a
:class:`Measured` length, ``None`` (more bytes needed) or a :class:`Reject` naming the
out-of-range parameter, which the decoder turns into Epson's exception processing (§1.1).

Keys of :data:`COMMANDS` are 1, 2 or 3 bytes long. Two-byte prefixes in :data:`GROUPS`
select the command on a third byte (``GS ( k``, ``GS v 0``, ``ESC c 3``); every
``GS (``/``ESC (``/``FS (`` function is ``pL pH`` framed, so unknown ones are skipped by
length and named, never lost (§1.2 "Other framed command families").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = [
    "COMMANDS",
    "CONTROL_NAMES",
    "GROUPS",
    "PREFIX_BYTES",
    "CommandSpec",
    "Computed",
    "Fixed",
    "LengthPrefixed",
    "Measure",
    "Measured",
    "NulTerminated",
    "Reject",
    "Rule",
    "byte_name",
]

ESC, FS, GS, DLE = 0x1B, 0x1C, 0x1D, 0x10
#: Bytes that start a multi-byte command.
PREFIX_BYTES = frozenset({ESC, FS, GS, DLE})

#: Names of the control bytes used in command names.
CONTROL_NAMES: Mapping[int, str] = {
    0x04: "EOT",
    0x05: "ENQ",
    0x07: "BEL",
    0x09: "HT",
    0x0A: "LF",
    0x0C: "FF",
    0x0D: "CR",
    0x10: "DLE",
    0x14: "DC4",
    0x18: "CAN",
    0x1B: "ESC",
    0x1C: "FS",
    0x1D: "GS",
    0x20: "SP",
}


def byte_name(b: int) -> str:
    """Name of one byte inside a command name: ``ESC``, ``!``, ``0x7f``."""
    if b in CONTROL_NAMES:
        return CONTROL_NAMES[b]
    if 0x21 <= b <= 0x7E:
        return chr(b)
    return f"0x{b:02x}"


@dataclass(frozen=True, slots=True)
class Measured:
    """A complete command's layout.

    Attributes:
        total: Bytes of the whole command, prefix included.
        header: Parameter bytes after the prefix that become ``Token.args``; the bytes after
            them (up to ``total``, minus a terminating NUL) become ``Token.data``.
        terminator: 1 when the last byte is a NUL terminator that belongs to neither.
    """

    total: int
    header: int
    terminator: int = 0


@dataclass(frozen=True, slots=True)
class Reject:
    """A parameter out of its defined range (Epson exception processing, devices.md §1.1).

    Attributes:
        index: Position of the bad parameter after the prefix (0 = first parameter byte).
        note: What was wrong, for the anomaly record.
        whole: Length of the whole command if known (used by the "whole" exception policy).
    """

    index: int
    note: str
    whole: int | None = None


#: ``measure(buffer, start, end)``: layout of the command at ``buffer[start]`` given bytes up to ``end``.
Measure = Callable[[bytes | bytearray, int, int], "Measured | Reject | None"]


@dataclass(frozen=True, slots=True)
class Fixed:
    """``F(k)``: ``count`` parameter bytes follow the prefix."""

    count: int


@dataclass(frozen=True, slots=True)
class NulTerminated:
    """Parameter bytes up to a ``00`` (at most ``max_len`` of them); they become ``args``."""

    max_len: int


@dataclass(frozen=True, slots=True)
class LengthPrefixed:
    """``pL pH`` (``width`` 2) or ``p1..p4`` (``width`` 4) little-endian data length after the prefix."""

    width: int


@dataclass(frozen=True, slots=True)
class Computed:
    """Length computed from the header by ``measure``; ``rule`` describes it for humans."""

    measure: Measure
    rule: str


Rule = Fixed | NulTerminated | LengthPrefixed | Computed


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One ESC/POS command.

    Attributes:
        prefix: The bytes that identify it (``1B 40``).
        name: Human name used in tokens and evidence (``ESC @``).
        rule: How long it is.
        params: Allowed values per fixed parameter byte (``None`` = 0–255); only for :class:`Fixed`.
        realtime: Executed on arrival, even offline (``DLE EOT``, ``DLE ENQ``, ``DLE DC4``).
        summary: What it does, one line.
        ref: Where the facts come from (devices.md section).
    """

    prefix: bytes
    name: str
    rule: Rule
    params: tuple[frozenset[int] | None, ...] = ()
    realtime: bool = False
    summary: str = ""
    ref: str = "devices.md §1.2"

    @property
    def carries_data(self) -> bool:
        """Whether the command has a variable data part (scanned for embedded real-time commands)."""
        return not isinstance(self.rule, Fixed | NulTerminated)


# ---------------------------------------------------------------------------- parameter ranges


def _r(*values: int | range) -> frozenset[int]:
    out: set[int] = set()
    for v in values:
        out.update(v if isinstance(v, range) else (v,))
    return frozenset(out)


_BIT0 = None  # "LSB decides": every value is valid
_ALIGN = _r(0, 1, 2, 48, 49, 50)
_ON_OFF = _r(0, 1, 48, 49)
_SIZE = frozenset(h | (w << 4) for h in range(8) for w in range(8))  # GS !: bits 0-2 height-1, 4-6 width-1


# ---------------------------------------------------------------------------- computed measures


def _u16(buf: bytes | bytearray, i: int) -> int:
    return buf[i] | (buf[i + 1] << 8)


def _measure_gs_v0(buf: bytes | bytearray, start: int, end: int) -> Measured | Reject | None:
    """``GS v 0 m xL xH yL yH d…``: 8 + x·y bytes, x bytes per row (§1.2 raster)."""
    if end - start < 8:
        return None
    if buf[start + 3] not in _r(range(4), range(48, 52)):
        return Reject(0, f"GS v 0 mode m={buf[start + 3]} is not 0-3 or 48-51")
    return Measured(8 + _u16(buf, start + 4) * _u16(buf, start + 6), 5)


def _measure_esc_star(buf: bytes | bytearray, start: int, end: int) -> Measured | Reject | None:
    """``ESC * m nL nH d…``: 8-dot modes (m 0/1) k = n, 24-dot modes (m 32/33) k = 3n."""
    if end - start < 5:
        return None
    m = buf[start + 2]
    if m not in (0, 1, 32, 33):
        return Reject(0, f"ESC * mode m={m} is not 0, 1, 32 or 33")
    n = _u16(buf, start + 3)
    return Measured(5 + n * (3 if m >= 32 else 1), 3)


def _measure_esc_amp(buf: bytes | bytearray, start: int, end: int) -> Measured | Reject | None:
    """``ESC & y c1 c2 [x d1…d(y·x)]…``: 5 + Σ(1 + y·xᵢ) for c1..c2 (§1.2)."""
    if end - start < 5:
        return None
    y, c1, c2 = buf[start + 2], buf[start + 3], buf[start + 4]
    if not 1 <= y <= 3:
        return Reject(0, f"ESC & y={y} is not 1-3")
    if not 32 <= c1 <= 126:
        return Reject(1, f"ESC & c1={c1} is not 32-126")
    if not c1 <= c2 <= 126:
        return Reject(2, f"ESC & c2={c2} is not c1-126")
    i = start + 5
    for _ in range(c2 - c1 + 1):
        if i >= end:
            return None
        i += 1 + y * buf[i]
    return Measured(i - start, 3)


def _measure_gs_star(buf: bytes | bytearray, start: int, end: int) -> Measured | Reject | None:
    """``GS * x y d…``: 4 + x·y·8 bytes (x, y in 8-dot units)."""
    if end - start < 4:
        return None
    x, y = buf[start + 2], buf[start + 3]
    if x == 0 or y == 0:
        return Reject(0 if x == 0 else 1, f"GS * x={x} y={y}: both must be at least 1")
    return Measured(4 + x * y * 8, 2)


_GS_K_A = 255  # longest NUL-terminated barcode data we wait for


def _measure_gs_k(buf: bytes | bytearray, start: int, end: int) -> Measured | Reject | None:
    """``GS k m d… 00`` (A, m 0–6) or ``GS k m n d1…dn`` (B, m 65–79)."""
    if end - start < 3:
        return None
    m = buf[start + 2]
    if m <= 6:
        stop = buf.find(b"\x00", start + 3, min(end, start + 3 + _GS_K_A + 1))
        if stop >= 0:
            return Measured(stop - start + 1, 1, terminator=1)
        if end - start >= 3 + _GS_K_A + 1:
            return Reject(0, f"GS k m={m} data has no NUL within {_GS_K_A} bytes")
        return None
    if 65 <= m <= 79:
        if end - start < 4:
            return None
        return Measured(4 + buf[start + 3], 2)
    return Reject(0, f"GS k symbology m={m} is not 0-6 or 65-79")


def _measure_gs_cut(buf: bytes | bytearray, start: int, end: int) -> Measured | Reject | None:
    """``GS V m`` (m 0/1/48/49, F(3)) or ``GS V m n`` (m 65/66/97/98/103/104, F(4))."""
    if end - start < 3:
        return None
    m = buf[start + 2]
    if m in (0, 1, 48, 49):
        return Measured(3, 1)
    if m in (65, 66, 97, 98, 103, 104):
        return Measured(4, 2) if end - start >= 4 else None
    return Reject(0, f"GS V m={m} is not a cut function (0, 1, 48, 49, 65, 66, 97, 98, 103, 104)")


def _measure_dle_eot(buf: bytes | bytearray, start: int, end: int) -> Measured | Reject | None:
    """``DLE EOT n``: n 1–6 F(3); n 7, 8, 18 take one more byte F(4) (§1.2 real-time)."""
    if end - start < 3:
        return None
    n = buf[start + 2]
    if 1 <= n <= 6:
        return Measured(3, 1)
    if n in (7, 8, 18):
        return Measured(4, 2) if end - start >= 4 else None
    return Reject(0, f"DLE EOT n={n} is not 1-8 or 18")


_DC4_LAYOUT = {1: 5, 2: 5, 7: 4, 8: 10}


def _measure_dle_dc4(buf: bytes | bytearray, start: int, end: int) -> Measured | Reject | None:
    """``DLE DC4 fn …``: fn1 ``m t`` (m 0/1, t 1–8), fn2 ``01 08``, fn7 ``m``, fn8 ``01 03 14 01 06 02 08``."""
    if end - start < 3:
        return None
    fn = buf[start + 2]
    total = _DC4_LAYOUT.get(fn)
    if total is None:
        return Reject(0, f"DLE DC4 fn={fn} is not 1, 2, 7 or 8")
    if end - start < total:
        return None
    if fn == 1:
        if buf[start + 3] not in (0, 1):
            return Reject(1, f"DLE DC4 1 pin m={buf[start + 3]} is not 0 or 1", total)
        if not 1 <= buf[start + 4] <= 8:
            return Reject(2, f"DLE DC4 1 pulse time t={buf[start + 4]} is not 1-8", total)
    elif fn == 2 and bytes(buf[start + 3 : start + 5]) != b"\x01\x08":
        return Reject(1, "DLE DC4 2 must be followed by 01 08", total)
    elif fn == 8 and bytes(buf[start + 3 : start + 10]) != b"\x01\x03\x14\x01\x06\x02\x08":
        return Reject(1, "DLE DC4 8 must be followed by 01 03 14 01 06 02 08", total)
    return Measured(total, total - 2)


def _measure_fs_q(buf: bytes | bytearray, start: int, end: int) -> Measured | Reject | None:
    """``FS q n [xL xH yL yH d1…dk]1…n``, k = x·y·8: define NV bit images (obsolete)."""
    if end - start < 3:
        return None
    count = buf[start + 2]
    if count == 0:
        return Reject(0, "FS q n=0: at least one image must be defined")
    i = start + 3
    for _ in range(count):
        if end - i < 4:
            return None
        i += 4 + _u16(buf, i) * _u16(buf, i + 2) * 8
    return Measured(i - start, 1)


# ---------------------------------------------------------------------------- the table


def _cmd(
    prefix: bytes,
    rule: Rule,
    summary: str,
    *params: frozenset[int] | None,
    realtime: bool = False,
    name: str | None = None,
) -> CommandSpec:
    if isinstance(rule, Fixed) and params and len(params) != rule.count:
        raise ValueError(f"{prefix!r}: {len(params)} ranges for {rule.count} parameters")
    return CommandSpec(
        prefix=prefix,
        name=name or " ".join(byte_name(b) for b in prefix),
        rule=rule,
        params=tuple(params),
        realtime=realtime,
        summary=summary,
    )


F0, F1, F2, F3, F4, F8 = Fixed(0), Fixed(1), Fixed(2), Fixed(3), Fixed(4), Fixed(8)
PLPH, P4 = LengthPrefixed(2), LengthPrefixed(4)

_TABLE: list[CommandSpec] = [
    # Control codes (§1.1, §1.2)
    _cmd(b"\x09", F0, "horizontal tab"),
    _cmd(b"\x0a", F0, "print and line feed"),
    _cmd(b"\x0c", F0, "print and return to standard mode (page mode) / eject"),
    _cmd(b"\x0d", F0, "carriage return (ignored unless auto line feed)"),
    _cmd(b"\x18", F0, "cancel print data in page mode"),
    # Real-time (§1.2 "Real-time and status commands")
    _cmd(b"\x10\x04", Computed(_measure_dle_eot, "F(3), F(4) for n 7/8/18"), "real-time status", realtime=True),
    _cmd(b"\x10\x05", F1, "real-time request to printer", _r(0, 1, 2), realtime=True),
    _cmd(b"\x10\x14", Computed(_measure_dle_dc4, "fn1/fn2 F(5), fn7 F(4), fn8 F(10)"), "real-time", realtime=True),
    # ESC family
    _cmd(b"\x1b\x0c", F0, "print data in page mode"),
    _cmd(b"\x1b\x20", F1, "right-side character spacing"),
    _cmd(b"\x1b!", F1, "print mode (font B, emphasis, double height/width, underline)"),
    _cmd(b"\x1b$", F2, "absolute print position"),
    _cmd(b"\x1b%", F1, "select/cancel user-defined characters"),
    _cmd(b"\x1b&", Computed(_measure_esc_amp, "5 + Σ(1 + y·xᵢ)"), "define user-defined characters"),
    _cmd(b"\x1b*", Computed(_measure_esc_star, "5 + n·(1|3)"), "bit image (column format)"),
    _cmd(b"\x1b-", F1, "underline mode", _r(0, 1, 2, 48, 49, 50)),
    _cmd(b"\x1b2", F0, "default line spacing"),
    _cmd(b"\x1b3", F1, "line spacing"),
    _cmd(b"\x1b<", F0, "return home"),
    _cmd(b"\x1b=", F1, "select peripheral device"),
    _cmd(b"\x1b?", F1, "cancel user-defined character"),
    _cmd(b"\x1b@", F0, "initialize printer"),
    _cmd(b"\x1bD", NulTerminated(32), "horizontal tab positions"),
    _cmd(b"\x1bE", F1, "emphasized mode", _BIT0),
    _cmd(b"\x1bG", F1, "double-strike mode", _BIT0),
    _cmd(b"\x1bJ", F1, "print and feed n motion units"),
    _cmd(b"\x1bK", F1, "print and reverse feed n motion units"),
    _cmd(b"\x1bL", F0, "select page mode"),
    _cmd(b"\x1bM", F1, "character font", _r(range(5), range(48, 53), 97, 98)),
    _cmd(b"\x1bR", F1, "international character set", _r(range(18), range(66, 83))),
    _cmd(b"\x1bS", F0, "select standard mode"),
    _cmd(b"\x1bT", F1, "print direction in page mode", _r(range(4), range(48, 52))),
    _cmd(b"\x1bU", F1, "unidirectional printing", _BIT0),
    _cmd(b"\x1bV", F1, "90° clockwise rotation", _r(0, 1, 2, 48, 49, 50)),
    _cmd(b"\x1bW", Fixed(8), "print area in page mode"),
    _cmd(b"\x1b\\", F2, "relative print position"),
    _cmd(b"\x1ba", F1, "justification", _ALIGN),
    _cmd(b"\x1bc0", F1, "select paper type for printing", name="ESC c 0"),
    _cmd(b"\x1bc1", F1, "select paper type for command settings", name="ESC c 1"),
    _cmd(b"\x1bc3", F1, "paper sensors for paper-end signals", name="ESC c 3"),
    _cmd(b"\x1bc4", F1, "paper sensors to stop printing", name="ESC c 4"),
    _cmd(b"\x1bc5", F1, "enable/disable panel buttons", name="ESC c 5"),
    _cmd(b"\x1bd", F1, "print and feed n lines"),
    _cmd(b"\x1be", F1, "print and reverse feed n lines"),
    _cmd(b"\x1bi", F0, "partial cut, one point left (obsolete)"),
    _cmd(b"\x1bm", F0, "partial cut, three points left (obsolete)"),
    _cmd(b"\x1bp", F3, "generate pulse (drawer kick)", _ON_OFF, None, None),
    _cmd(b"\x1br", F1, "print colour", _ON_OFF),
    _cmd(b"\x1bt", F1, "character code table"),
    _cmd(b"\x1bu", F1, "transmit peripheral device status (obsolete)", _r(0, 48)),
    _cmd(b"\x1bv", F0, "transmit paper sensor status (obsolete)"),
    _cmd(b"\x1b{", F1, "upside-down printing", _BIT0),
    # FS family
    _cmd(b"\x1c!", F1, "print mode for 2-byte characters"),
    _cmd(b"\x1c&", F0, "select 2-byte character mode"),
    _cmd(b"\x1c-", F1, "underline for 2-byte characters", _r(0, 1, 2, 48, 49, 50)),
    _cmd(b"\x1c.", F0, "cancel 2-byte character mode"),
    _cmd(b"\x1cC", F1, "2-byte character code system"),
    _cmd(b"\x1cS", F2, "2-byte character spacing"),
    _cmd(b"\x1cW", F1, "quadruple-size 2-byte characters", _BIT0),
    _cmd(b"\x1cp", F2, "print NV bit image (obsolete)", _r(range(1, 256)), _r(range(4), range(48, 52))),
    _cmd(b"\x1cq", Computed(_measure_fs_q, "3 + Σ(4 + x·y·8)"), "define NV bit images (obsolete)"),
    # GS family
    _cmd(b"\x1d!", F1, "character size", _SIZE),
    _cmd(b"\x1d$", F2, "absolute vertical position in page mode"),
    _cmd(b"\x1d*", Computed(_measure_gs_star, "4 + x·y·8"), "define downloaded bit image"),
    _cmd(b"\x1d/", F1, "print downloaded bit image", _r(range(4), range(48, 52))),
    _cmd(b"\x1d:", F0, "start/end macro definition"),
    _cmd(b"\x1dB", F1, "white/black reverse", _BIT0),
    _cmd(b"\x1dH", F1, "HRI print position", _r(range(4), range(48, 52))),
    _cmd(b"\x1dI", F1, "transmit printer ID", _r(1, 2, 3, 49, 50, 51, 33, 35, 36, 96, range(65, 70), 111, 112)),
    _cmd(b"\x1dL", F2, "left margin"),
    _cmd(b"\x1dP", F2, "horizontal and vertical motion units"),
    _cmd(b"\x1dT", F1, "print position to the beginning of the line", _ON_OFF),
    _cmd(b"\x1dV", Computed(_measure_gs_cut, "F(3) or F(4) by m"), "select cut mode and cut paper"),
    _cmd(b"\x1dW", F2, "print area width"),
    _cmd(b"\x1d\\", F2, "relative vertical position in page mode"),
    _cmd(b"\x1d^", F3, "execute macro"),
    _cmd(b"\x1da", F1, "enable/disable Automatic Status Back"),
    _cmd(b"\x1db", F1, "smoothing", _BIT0),
    _cmd(b"\x1df", F1, "HRI font", _r(range(5), range(48, 53), 97, 98)),
    _cmd(b"\x1dg0", F3, "initialize maintenance counter", name="GS g 0"),
    _cmd(b"\x1dg2", F3, "transmit maintenance counter", name="GS g 2"),
    _cmd(b"\x1dh", F1, "bar code height", _r(range(1, 256))),
    _cmd(b"\x1dk", Computed(_measure_gs_k, "A: NUL-terminated; B: 4 + n"), "print bar code"),
    _cmd(b"\x1dr", F1, "transmit status", _r(1, 2, 4, 49, 50, 52)),
    _cmd(b"\x1dv0", Computed(_measure_gs_v0, "8 + x·y"), "print raster bit image", name="GS v 0"),
    _cmd(b"\x1dw", F1, "bar code module width", _r(range(1, 7), range(68, 77))),
    _cmd(b"\x1dz0", F2, "online recovery wait time", name="GS z 0"),
    _cmd(b"\x1d8L", P4, "graphics data (large)", name="GS 8 L"),
]

#: Function summaries of the ``pL pH`` framed families (§1.2 "Other framed command families").
_FRAMED_SUMMARIES: dict[bytes, str] = {
    b"\x1d(A": "execute test print",
    b"\x1d(C": "edit NV user memory",
    b"\x1d(D": "enable/disable real-time commands",
    b"\x1d(E": "user setup commands (memory switches, may change the power-on code table)",
    b"\x1d(H": "request transmission of response or status (process ID)",
    b"\x1d(K": "print control",
    b"\x1d(L": "graphics data",
    b"\x1d(M": "customize printer control value",
    b"\x1d(N": "character effects",
    b"\x1d(k": "2-D code (PDF417, QR Code, ...)",
    b"\x1b(A": "buzzer",
}

#: Two-byte prefixes that select the command on a third byte.
GROUPS: frozenset[bytes] = frozenset({b"\x1b(", b"\x1c(", b"\x1d(", b"\x1bc", b"\x1dg", b"\x1dv", b"\x1dz", b"\x1d8"})


def _build() -> dict[bytes, CommandSpec]:
    table: dict[bytes, CommandSpec] = {}
    for spec in _TABLE:
        if spec.prefix in table:
            raise ValueError(f"duplicate command {spec.name}")
        table[spec.prefix] = spec
    # Every "( x" function of the ESC/FS/GS families is pL pH framed: skip unknown ones by length.
    for family in (b"\x1b(", b"\x1c(", b"\x1d("):
        for fn in range(256):
            prefix = family + bytes([fn])
            summary = _FRAMED_SUMMARIES.get(prefix, "framed function (not simulated)")
            table[prefix] = _cmd(prefix, PLPH, summary)
    return table


#: Every command, keyed by its prefix (1–3 bytes).
COMMANDS: Mapping[bytes, CommandSpec] = _build()
