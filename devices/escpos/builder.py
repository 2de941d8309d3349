"""Print-state machine: :class:`~devices.escpos.decoder.Token` s in, :class:`Receipt` s out.

:class:`ReceiptBuilder` keeps what an ESC/POS printer keeps between commands -- character
style (``ESC !``, ``GS !``, ``ESC E``, ``ESC -``, ``ESC M``, ``GS B`` ...; ``ESC !`` and ``GS !``
both set the size and the last one wins, devices.md §1.4), code table and international set
(§1.3), justification, tab stops, bar code and 2-D code settings, stored graphics -- and
assembles the line buffer into :class:`~devices.escpos.receipt.ReceiptLine` s at ``LF``.

Documents are delimited by cuts (``GS V``, ``ESC i``, ``ESC m``; §1.1 "Job boundaries"): a cut
closes the current document into a :class:`Receipt`; text after the last cut stays pending
until a cut or :meth:`ReceiptBuilder.close`. A cut with nothing printed since the previous
one makes no document. ``ESC @`` returns every mode to the profile's power-on defaults
(code table and international set included) and clears unprinted text, which is reported.

Status requests, ASB and process-ID commands are the printer's business
(:mod:`devices.escpos.printer`); the builder ignores them. Page mode is not laid out: text
printed in page mode is kept in the order received, with one anomaly per document.
"""

from __future__ import annotations

from codecs import charmap_decode
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import NamedTuple

from devices.escpos.codepages import decode_text, decoding_table
from devices.escpos.decoder import Token
from devices.escpos.profiles import PrinterProfile
from devices.escpos.receipt import (
    Align,
    Anomaly,
    Barcode,
    Code2D,
    Cut,
    DrawerPulse,
    Item,
    Marker,
    RasterImage,
    Receipt,
    ReceiptLine,
    Run,
)

__all__ = ["SYMBOLOGIES", "ReceiptBuilder", "pulse_of"]

#: ``GS k`` symbology names by m (A forms 0–6, B forms 65–79; §1.2 "Barcodes").
SYMBOLOGIES: dict[int, str] = {
    0: "UPC-A", 1: "UPC-E", 2: "EAN13", 3: "EAN8", 4: "CODE39", 5: "ITF", 6: "CODABAR",
    65: "UPC-A", 66: "UPC-E", 67: "EAN13", 68: "EAN8", 69: "CODE39", 70: "ITF", 71: "CODABAR",
    72: "CODE93", 73: "CODE128", 74: "GS1-128", 75: "GS1 DataBar Omnidirectional",
    76: "GS1 DataBar Truncated", 77: "GS1 DataBar Limited", 78: "GS1 DataBar Expanded", 79: "CODE128 auto",
}  # fmt: skip
_2D_NAMES = {48: "PDF417", 49: "QR Code", 50: "MaxiCode", 51: "GS1 DataBar 2-D", 52: "Composite", 53: "Aztec"}
_2D_NAMES[54] = "DataMatrix"
_EC_LEVELS = {48: "L", 49: "M", 50: "Q", 51: "H"}
_ALIGNS: dict[int, Align] = {0: "left", 1: "center", 2: "right"}
_CUTS = {"ESC i": "partial", "ESC m": "partial"}
_FULL_CUTS = frozenset({0, 48, 65, 97, 103})
#: Every Run field but text and offset.
_RunAttributes = tuple[bool, int, str, int, int, bool, bool, bool, int, int]
_new_run = tuple.__new__  # Run is a named tuple: build it without the Python-level __new__


def pulse_of(token: Token) -> DrawerPulse | None:
    """The drawer pulse an ``ESC p`` or ``DLE DC4 1`` token commands (devices.md §1.2, §3.1), else ``None``."""
    if token.name == "ESC p" and len(token.args) == 3:
        m, t1, t2 = token.args
        on_ms = t1 * 2
        off_ms = on_ms if t2 < t1 else t2 * 2  # "if t2 < t1, OFF = ON"
        return DrawerPulse(2 if m in (0, 48) else 5, on_ms, off_ms, "ESC p", token.embedded, token.offset)
    if token.name == "DLE DC4" and len(token.args) == 3 and token.args[0] == 1:
        _, m, t = token.args
        return DrawerPulse(2 if m == 0 else 5, t * 100, t * 100, "DLE DC4", token.embedded, token.offset)
    return None


class _Style(NamedTuple):
    """Character style state (a named tuple: hashed and compared in C on the hot path)."""

    font: int = 0
    emphasized: bool = False
    double_strike: bool = False
    underline: int = 0
    width: int = 1
    height: int = 1
    reverse: bool = False
    upside_down: bool = False
    rotated: bool = False


def _column_bits(data: bytes, columns: int, column_bytes: int) -> tuple[int, bytes]:
    """Column-major bit image (MSB top) → (height, row-major packed bits)."""
    height = column_bytes * 8
    rb = (columns + 7) // 8
    rows = bytearray(rb * height)
    for c in range(min(columns, len(data) // max(column_bytes, 1))):
        mask = 0x80 >> (c % 8)
        for k in range(column_bytes):
            byte = data[c * column_bytes + k]
            if byte:
                for bit in range(8):
                    if byte & (0x80 >> bit):
                        rows[(k * 8 + bit) * rb + c // 8] |= mask
    return height, bytes(rows)


class ReceiptBuilder:
    r"""Turns tokens into receipts for one printer profile.

    Args:
        profile: The printer profile (fonts, code tables, cutter, quirks).

    Example:
        >>> from devices.escpos.decoder import tokenize
        >>> from devices.escpos.profiles import EPSON_TM_T88
        >>> b = ReceiptBuilder(EPSON_TM_T88)
        >>> [r.text_lines for r in b.feed(tokenize(b"\x1d!\x11KOPI\n\x1dV\x00"))]
        [['KOPI']]
    """

    def __init__(self, profile: PrinterProfile) -> None:
        self.profile = profile
        #: Called with every anomaly as it is found (the printer records it as evidence).
        self.on_anomaly: Callable[[Anomaly], None] | None = None
        self._handlers: dict[str, Callable[[Token], None]] = self._dispatch()
        self._style_cache: dict[_Style, _RunAttributes] = {}
        self._charmap, self._charmap_modelled = decoding_table(0, 0)
        self._items: list[Item] = []
        self._anomalies: list[Anomaly] = []
        self._raw = bytearray()
        self._start: int | None = None
        self._end = 0
        self._runs: list[tuple[_RunAttributes, str, int]] = []
        self._reset_document()
        self._reset_modes()
        self._graphics: RasterImage | None = None
        self._downloaded: RasterImage | None = None

    # ------------------------------------------------------------------ public

    def feed(self, tokens: Iterable[Token]) -> list[Receipt]:
        """Apply tokens in order; returns the documents they completed."""
        done: list[Receipt] = []
        apply = self.apply
        text, flush = self._text, self._flush_line
        for token in tokens:
            if self._start is not None:  # fast paths for the most frequent tokens: text and LF
                if token.kind == "text":
                    self._raw += token.raw
                    self._end = token.offset + len(token.raw)
                    text(token)
                    continue
                if token.name == "LF" and token.kind == "command":
                    self._raw += b"\n"
                    self._end = token.offset + 1
                    flush(blank=True)
                    continue
            receipt = apply(token)
            if receipt is not None:
                done.append(receipt)
        return done

    def apply(self, token: Token) -> Receipt | None:
        """Apply one token; returns the document it completed (at a cut), if any."""
        raw = token.raw
        if self._start is None:
            self._start = token.offset
        if not token.embedded:
            self._raw += raw
            self._end = token.offset + len(raw)
        kind = token.kind
        if kind == "text":
            self._text(token)
            return None
        if kind == "anomaly":
            self._anomaly(token)
            return None
        name = token.name
        if name == "LF":  # the most frequent command
            self._flush_line(blank=True)
            return None
        if name in _CUTS or name == "GS V":
            return self._cut(token)
        handler = self._handlers.get(name)
        if handler is not None:
            handler(token)
        return None

    def close(self) -> list[Receipt]:
        """End of stream: the pending document (if anything was printed) without a cut."""
        self._flush_line(blank=False)
        receipt = self._finish(None)
        return [receipt] if receipt is not None else []

    @property
    def has_pending(self) -> bool:
        """Whether something was printed since the last cut."""
        return bool(self._runs) or self._has_content()

    # ------------------------------------------------------------------ state

    def _reset_document(self) -> None:
        self._items = []
        self._anomalies = []
        self._raw = bytearray()
        self._start = None
        self._end = 0
        self._page_noted = False
        self._runs = []
        self._line_offset = -1
        self._line_image = False

    def _reset_modes(self) -> None:
        profile = self.profile
        self._style = _Style()
        self._attrs = self._run_attributes(self._style)
        self._selected = True
        self._page_mode = False
        self._two_byte = False
        self._set_tables(profile.power_on_code_table, profile.power_on_international)
        self._align: Align = "left"
        self._line_align: Align = "left"
        self._tabs = [profile.tab_width * i for i in range(1, 33)]
        self._barcode = {"hri": 0, "height": 162, "width": 3}
        self._qr_model, self._qr_size, self._qr_ec = 2, 3, "L"
        self._stored: dict[int, bytes] = {}

    def _note(self, token: Token, note: str, name: str | None = None) -> None:
        self._record(Anomaly(token.offset, name or token.name, note, token.raw))

    def _record(self, anomaly: Anomaly) -> None:
        self._anomalies.append(anomaly)
        if self.on_anomaly is not None:
            self.on_anomaly(anomaly)

    def _has_content(self) -> bool:
        for item in self._items:
            if not isinstance(item, ReceiptLine) or item.runs:
                return True
        return bool(self._anomalies)

    # ------------------------------------------------------------------ text

    def _text(self, token: Token) -> None:
        text = charmap_decode(token.raw, "replace", self._charmap)[0]
        if self._slow_text or "\ufffd" in text:
            if not self._selected:
                return  # ESC = deselected the printer: the bytes are for a customer display (§1.1)
            for problem in decode_text(token.raw, self._table, self._intl)[1]:
                self._note(token, problem, "text")
            if self._two_byte:
                self._note(token, "2-byte character mode (FS &) is not modelled; bytes decoded as 1-byte text", "FS &")
            if self._page_mode and not self._page_noted:
                self._page_noted = True
                self._note(token, "page mode is not laid out: its text is kept in the order received", "ESC L")
        runs = self._runs
        if not runs:
            self._line_offset = token.offset
            self._line_align = self._align
            runs.append((self._attrs, text, token.offset))
        elif runs[-1][0] is self._attrs:
            attrs, prev, offset = runs[-1]
            runs[-1] = (attrs, prev + text, offset)
        else:
            runs.append((self._attrs, text, token.offset))

    def _set_flag(self, name: str, value: bool) -> None:
        setattr(self, name, value)
        self._update_slow_text()

    def _update_slow_text(self) -> None:
        """Text needs the slow path: display selected, 2-byte or page mode, unmodelled tables."""
        self._slow_text = not self._selected or self._two_byte or self._page_mode or not self._charmap_modelled

    def _column(self) -> int:
        return sum(len(text) * attrs[3] for attrs, text, _ in self._runs)

    def _run_attributes(self, style: _Style) -> _RunAttributes:
        """Every :class:`Run` field but text and offset for a style (cached: few styles per document)."""
        cached = self._style_cache.get(style)
        if cached is None:
            font = self.profile.font(style.font)
            height = font.height * style.height
            width = font.width * style.width
            if style.rotated:  # §1.4: rotation swaps the axes
                height, width = font.width * style.width, font.height * style.height
            cached = (
                style.emphasized or style.double_strike,
                style.underline,
                font.name,
                style.width,
                style.height,
                style.reverse,
                style.upside_down,
                style.rotated,
                height,
                width,
            )
            self._style_cache[style] = cached
        return cached

    def _flush_line(self, *, blank: bool) -> None:
        """Print the line buffer; an empty buffer prints a blank line only if ``blank``."""
        if self._runs:
            runs = tuple([_new_run(Run, (text, *attrs, offset)) for attrs, text, offset in self._runs])
            self._items.append(ReceiptLine(runs, self._line_align, self._line_offset))
            self._runs = []
        elif blank and not self._line_image:
            self._items.append(ReceiptLine((), self._align))
        self._line_image = False

    # ------------------------------------------------------------------ anomalies and cuts

    def _anomaly(self, token: Token) -> None:
        self._record(Anomaly(token.offset, token.name, token.note, token.raw))
        if token.name == "GS !" and self.profile.size_out_of_range == "clamp" and len(token.raw) == 3:
            n = token.raw[2]  # HPRT: out-of-range sizes are clamped to ×2 (§1.4)
            width, height = min(((n >> 4) & 7) + 1, 2), min((n & 7) + 1, 2)
            self._set_style(width=width, height=height)

    def _cut(self, token: Token) -> Receipt | None:
        self._flush_line(blank=False)
        if token.name == "GS V":
            requested = "full" if token.args[0] in _FULL_CUTS else "partial"
        else:
            requested = _CUTS[token.name]
        kind = requested if self.profile.full_cut else "partial"
        return self._finish(Cut(kind, requested, token.name, token.offset))  # type: ignore[arg-type]

    def _finish(self, cut: Cut | None) -> Receipt | None:
        receipt = None
        if self._has_content():
            receipt = Receipt(
                items=tuple(self._items),
                cut=cut,
                anomalies=tuple(self._anomalies),
                start_offset=self._start or 0,
                end_offset=self._end,
                raw=bytes(self._raw),
                profile=self.profile,
            )
        self._reset_document()
        return receipt

    # ------------------------------------------------------------------ command handlers

    def _dispatch(self) -> dict[str, Callable[[Token], None]]:
        style = self._set_style
        return {
            "LF": lambda t: self._flush_line(blank=True),
            "CR": lambda t: self._flush_line(blank=True) if self.profile.cr_is_lf else None,
            "HT": self._tab,
            "FF": self._form_feed,
            "CAN": self._cancel,
            "ESC @": self._initialize,
            "ESC !": self._print_mode,
            "GS !": lambda t: style(width=(t.args[0] >> 4) + 1, height=(t.args[0] & 7) + 1),
            "ESC E": lambda t: style(emphasized=bool(t.args[0] & 1)),
            "ESC G": lambda t: style(double_strike=bool(t.args[0] & 1)),
            "ESC -": lambda t: style(underline=t.args[0] % 48),
            "ESC M": lambda t: style(font=t.args[0] % 48 if t.args[0] < 97 else 0),
            "GS B": lambda t: style(reverse=bool(t.args[0] & 1)),
            "ESC {": lambda t: style(upside_down=bool(t.args[0] & 1)),
            "ESC V": lambda t: style(rotated=t.args[0] % 48 in (1, 2)),
            "ESC a": self._justify,
            "ESC t": self._code_table,
            "ESC R": lambda t: self._set_tables(self._table, t.args[0]),
            "ESC =": lambda t: self._set_flag("_selected", bool(t.args[0] & 1)),
            "ESC D": self._tab_stops,
            "ESC d": self._feed_lines,
            "ESC J": lambda t: self._flush_line(blank=True),
            "ESC e": lambda t: self._flush_line(blank=False),
            "ESC K": lambda t: self._flush_line(blank=False),
            "ESC L": lambda t: self._set_flag("_page_mode", True),
            "ESC S": lambda t: self._set_flag("_page_mode", False),
            "FS &": lambda t: self._set_flag("_two_byte", True),
            "FS .": lambda t: self._set_flag("_two_byte", False),
            "ESC p": self._pulse,
            "DLE DC4": self._pulse,
            "GS H": lambda t: self._barcode.__setitem__("hri", t.args[0] % 48),
            "GS h": lambda t: self._barcode.__setitem__("height", t.args[0]),
            "GS w": lambda t: self._barcode.__setitem__("width", t.args[0]),
            "GS k": self._print_barcode,
            "GS ( k": self._code_2d,
            "GS v 0": self._raster,
            "ESC *": self._bit_image,
            "GS ( L": self._graphics_cmd,
            "GS 8 L": self._graphics_cmd,
            "GS *": self._define_downloaded,
            "GS /": self._print_downloaded,
            "FS p": lambda t: self._add(Marker(f"NV image {t.args[0]}", t.offset)),
        }

    def _set_style(self, **changes: int | bool) -> None:
        style = self._style._replace(**changes)  # type: ignore[arg-type]
        if style != self._style:  # keep the identical objects: runs merge by identity
            self._style = style
            self._attrs = self._run_attributes(style)

    def _initialize(self, token: Token) -> None:
        if self._runs:
            self._note(token, "ESC @ cleared unprinted text from the print buffer: it was never printed (§1.1)")
            self._runs = []
        self._reset_modes()

    def _print_mode(self, token: Token) -> None:
        n = token.args[0]
        self._set_style(
            font=n & 1,
            emphasized=bool(n & 0x08),
            height=2 if n & 0x10 else 1,
            width=2 if n & 0x20 else 1,
            underline=1 if n & 0x80 else 0,
        )

    def _justify(self, token: Token) -> None:
        align = _ALIGNS[token.args[0] % 48]
        if self._runs and align != self._line_align and not self._page_mode:
            self._note(token, f"ESC a ({align}) in the middle of a line is ignored (only at the start of a line)")
            return
        self._align = align

    def _code_table(self, token: Token) -> None:
        n = token.args[0]
        if n not in self.profile.code_tables:
            self._note(token, f"code table {n} is not available on {self.profile.name}: ESC t ignored (§1.3)")
            return
        self._set_tables(n, self._intl)

    def _set_tables(self, table: int, international: int) -> None:
        self._table, self._intl = table, international
        self._charmap, self._charmap_modelled = decoding_table(table, international)
        self._update_slow_text()

    def _tab(self, token: Token) -> None:
        col = self._column()
        stop = next((t for t in self._tabs if t > col), None)
        if stop is not None:
            self._text(Token("text", token.offset, b" " * (stop - col)))

    def _tab_stops(self, token: Token) -> None:
        stops: list[int] = []
        for n in token.args:
            if stops and n <= stops[-1]:
                break  # positions must ascend; the rest is ignored
            stops.append(n)
        self._tabs = stops

    def _feed_lines(self, token: Token) -> None:
        lines = token.args[0]
        if self._runs and lines:
            self._flush_line(blank=False)
            lines -= 1
        for _ in range(lines):
            self._flush_line(blank=True)

    def _form_feed(self, token: Token) -> None:
        if self._page_mode:
            self._flush_line(blank=False)
            self._set_flag("_page_mode", False)

    def _cancel(self, token: Token) -> None:
        if self._page_mode:
            self._runs = []

    def _add(self, item: Item) -> None:
        self._flush_line(blank=False)
        self._items.append(item)

    def _pulse(self, token: Token) -> None:
        pulse = pulse_of(token)
        if pulse is not None:
            self._add(pulse)

    # ------------------------------------------------------------------ codes

    def _print_barcode(self, token: Token) -> None:
        m = token.args[0]
        symbology = SYMBOLOGIES.get(m, f"m={m}")
        settings = self._barcode
        self._add(Barcode(symbology, token.data, token.offset, settings["hri"], settings["height"], settings["width"]))

    def _code_2d(self, token: Token) -> None:
        data = token.data
        if len(data) < 3:
            self._note(token, "GS ( k function too short to carry cn and fn")
            return
        cn, fn, param = data[0], data[1], data[2]
        if cn == 49 and fn == 65 and len(data) >= 4:
            self._qr_model = {49: 1, 50: 2, 51: 3}.get(param, 2)
        elif cn == 49 and fn == 67:
            self._qr_size = param
        elif cn == 49 and fn == 69:
            self._qr_ec = _EC_LEVELS.get(param, "L")
        elif fn == 80:
            self._stored[cn] = data[3:]
        elif fn == 81:
            name = _2D_NAMES.get(cn, f"2-D code cn={cn}")
            if cn not in self._stored:
                self._note(token, f"{name} print (fn 81) without stored data (fn 80): nothing printed")
                return
            code = Code2D(name, self._stored[cn], token.offset, self._qr_model, self._qr_size, self._qr_ec)
            self._add(code)

    # ------------------------------------------------------------------ images

    def _raster(self, token: Token) -> None:
        m, xl, xh, yl, yh = token.args
        mode = m % 48
        width = (xl | xh << 8) * 8
        image = RasterImage(width, yl | yh << 8, token.data, "GS v 0", 1 + (mode & 1), 1 + (mode >> 1), token.offset)
        self._add(replace(image, align=self._align))

    def _bit_image(self, token: Token) -> None:
        m, nl, nh = token.args
        columns = nl | nh << 8
        column_bytes = 3 if m >= 32 else 1
        height, bits = _column_bits(token.data, columns, column_bytes)
        scale_x, scale_y = (2 if m in (0, 32) else 1), (3 if m < 32 else 1)
        last = self._items[-1] if self._items else None
        if (
            not self._runs
            and not self._line_image
            and isinstance(last, RasterImage)
            and last.source == "ESC *"
            and (last.width, last.scale_x, last.scale_y) == (columns, scale_x, scale_y)
        ):
            # Consecutive stripes separated only by line feeds form one picture.
            self._items[-1] = replace(last, height=last.height + height, bits=last.bits + bits)
        else:
            self._add(RasterImage(columns, height, bits, "ESC *", scale_x, scale_y, token.offset, self._align))
        self._line_image = True

    def _graphics_cmd(self, token: Token) -> None:
        data = token.data
        if len(data) < 2:
            return
        fn = data[1]
        if fn == 112 and len(data) >= 10:  # store raster graphics: m fn a bx by c xL xH yL yH d…
            bx, by = data[3], data[4]
            width, height = data[6] | data[7] << 8, data[8] | data[9] << 8
            bits = bytes(data[10 : 10 + ((width + 7) // 8) * height])
            self._graphics = RasterImage(width, height, bits, token.name, bx, by, token.offset)
        elif fn == 50:  # print the graphics buffer
            if self._graphics is None:
                self._note(token, f"{token.name} print (fn 50) with an empty graphics buffer")
                return
            self._add(replace(self._graphics, align=self._align))
            self._graphics = None
        elif fn == 69:
            self._add(Marker(f"NV graphics {data[2:4].decode('latin-1')}", token.offset))

    def _define_downloaded(self, token: Token) -> None:
        x, y = token.args
        height, bits = _column_bits(token.data, x * 8, y)
        self._downloaded = RasterImage(x * 8, height, bits, "GS *", 1, 1, token.offset)

    def _print_downloaded(self, token: Token) -> None:
        if self._downloaded is None:
            self._note(token, "GS / without a downloaded bit image (GS *)")
            return
        mode = token.args[0] % 48
        image = replace(self._downloaded, scale_x=1 + (mode & 1), scale_y=1 + (mode >> 1), offset=token.offset)
        self._add(replace(image, align=self._align))
