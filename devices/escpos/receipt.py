"""The printed document model: a :class:`Receipt` is what came out of the printer between two cuts.

A receipt is an ordered sequence of items as they appear on the paper:

* :class:`ReceiptLine` -- one printed line of :class:`Run` s (text with one style each) and its
  alignment; every run knows its **glyph height in dots** (font cell height × height
  multiplier, devices.md §1.4), which is what "printed at least 50 % larger" checks
  (kassasystemforskrifta § 2-8-8 for «KOPI», § 2-8-6/§ 2-8-7 markings) compare;
* :class:`Barcode` (``GS k``), :class:`Code2D` (``GS ( k`` QR Code/PDF417 content),
  :class:`RasterImage` (``GS v 0``, ``ESC *``, ``GS ( L``/``GS 8 L``, ``GS *``), kept as bits;
* :class:`DrawerPulse` (``ESC p``, ``DLE DC4 1``) and :class:`Marker` (NV logos and other
  things printed from printer memory, content unknown);

plus the :class:`Cut` that ended it (``None`` if the stream ended first), the
:class:`Anomaly` list and the document's bytes and stream offsets.

``to_text()`` format (golden files): one line per printed line, alignment not applied;
a line containing any enlarged text starts with ``[WxH] `` (the largest width and height
multipliers on the line, e.g. ``[2x2] KOPI``, ``[1x2] Salgskvittering``); other items are
one bracketed line each (``[barcode EAN13 4006381333931]``, ``[QR Code hello]``,
``[image 144x144 GS v 0]``, ``[drawer pin 2 100/100 ms ESC p]``, ``[NV image 1]``); the last
line is ``[cut full]`` or ``[cut partial]`` (nothing if no cut). Trailing blank lines (the
feed before a cut) are left out.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from devices.escpos.profiles import EPSON_TM_T88, PrinterProfile

__all__ = [
    "Align",
    "Anomaly",
    "Barcode",
    "Code2D",
    "Cut",
    "DrawerPulse",
    "Item",
    "Marker",
    "RasterImage",
    "Receipt",
    "ReceiptLine",
    "Run",
    "TextMatch",
]

Align = Literal["left", "center", "right"]


class Run(NamedTuple):
    """Text printed in one style (an immutable record; a named tuple because receipts hold many).

    Attributes:
        text: Unicode text.
        bold: Emphasized (``ESC E``, ``ESC !`` bit 3) or double-strike (``ESC G``).
        underline: 0 none, 1 one dot, 2 two dots.
        font: ``A``, ``B`` ...
        width: Width multiplier (1–8).
        height: Height multiplier (1–8).
        reverse: White on black (``GS B``).
        upside_down: ``ESC {``.
        rotated: 90° rotation (``ESC V``): glyph height is then the cell width × width multiplier.
        glyph_height_dots: Printed height of one glyph in dots.
        glyph_width_dots: Printed width of one glyph in dots.
        offset: Stream offset of the text's first byte.
    """

    text: str
    bold: bool = False
    underline: int = 0
    font: str = "A"
    width: int = 1
    height: int = 1
    reverse: bool = False
    upside_down: bool = False
    rotated: bool = False
    glyph_height_dots: int = 24
    glyph_width_dots: int = 12
    offset: int = -1

    def to_json(self) -> dict[str, Any]:
        """The run as a JSON-ready dict."""
        return {
            "text": self.text,
            "bold": self.bold,
            "underline": self.underline,
            "font": self.font,
            "width": self.width,
            "height": self.height,
            "reverse": self.reverse,
            "upside_down": self.upside_down,
            "rotated": self.rotated,
            "glyph_height_dots": self.glyph_height_dots,
            "glyph_width_dots": self.glyph_width_dots,
            "offset": self.offset,
        }


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """One printed line."""

    runs: tuple[Run, ...]
    align: Align = "left"
    offset: int = -1

    @property
    def text(self) -> str:
        """The line's text."""
        return "".join(run.text for run in self.runs)

    @property
    def size(self) -> tuple[int, int]:
        """Largest (width, height) multipliers on the line; (1, 1) for a blank line."""
        return max((r.width for r in self.runs), default=1), max((r.height for r in self.runs), default=1)

    def to_text(self) -> str:
        """The line for :meth:`Receipt.to_text`, with the ``[WxH] `` marker if enlarged."""
        width, height = self.size
        text = self.text.rstrip()
        return f"[{width}x{height}] {text}" if (width, height) != (1, 1) else text


@dataclass(frozen=True, slots=True)
class Barcode:
    """A 1-D bar code (``GS k``): symbology, data bytes and the settings in effect."""

    symbology: str
    data: bytes
    offset: int = -1
    hri: int = 0
    height: int = 162
    module_width: int = 3

    @property
    def content(self) -> str:
        """The encoded text: CODE128 code-set selectors (``{A {B {C``) removed, ``{C`` pairs as digits."""
        text = self.data.decode("latin-1")
        if "CODE128" not in self.symbology and "GS1-128" not in self.symbology:
            return text
        out, i, code_c = [], 0, False
        while i < len(self.data):
            b = self.data[i]
            if b == 0x7B and i + 1 < len(self.data):
                sel = chr(self.data[i + 1])
                if sel == "{":
                    out.append("{")
                elif sel in "ABC":
                    code_c = sel == "C"
                i += 2
                continue
            out.append(f"{b:02d}" if code_c else chr(b))
            i += 1
        return "".join(out)


@dataclass(frozen=True, slots=True)
class Code2D:
    """A 2-D code printed from ``GS ( k`` (function 81 after 80): its stored data and settings."""

    symbology: str
    data: bytes
    offset: int = -1
    model: int = 2
    module_size: int = 3
    error_correction: str = "L"

    @property
    def text(self) -> str:
        """The data as UTF-8 text (undecodable bytes replaced)."""
        return self.data.decode("utf-8", "replace")


@dataclass(frozen=True, slots=True)
class RasterImage:
    """A bit image, kept row-major: ``(width + 7) // 8`` bytes per row, MSB = leftmost dot, 1 = black.

    Attributes:
        width: Width in dots (before scaling).
        height: Height in dots (rows).
        bits: The packed rows.
        source: The command (``GS v 0``, ``ESC *``, ``GS ( L``, ``GS 8 L``, ``GS *``).
        scale_x: Horizontal magnification on paper.
        scale_y: Vertical magnification on paper.
        offset: Stream offset of the (first) command.
        align: Justification in effect.
    """

    width: int
    height: int
    bits: bytes
    source: str
    scale_x: int = 1
    scale_y: int = 1
    offset: int = -1
    align: Align = "left"

    @property
    def row_bytes(self) -> int:
        """Bytes per row."""
        return (self.width + 7) // 8

    def pixel(self, x: int, y: int) -> bool:
        """Whether dot (x, y) is black."""
        return bool(self.bits[y * self.row_bytes + x // 8] & (0x80 >> (x % 8)))

    def rows(self, black: str = "#", white: str = ".") -> list[str]:
        """The image as text rows, e.g. for assertions and golden files."""
        table = str.maketrans("01", white + black)
        rb = self.row_bytes
        return [
            "".join(f"{b:08b}" for b in self.bits[y * rb : (y + 1) * rb])[: self.width].translate(table)
            for y in range(self.height)
        ]

    def to_json(self) -> dict[str, Any]:
        """The image as a JSON-ready dict (bits base64)."""
        return {
            "type": "image",
            "source": self.source,
            "width": self.width,
            "height": self.height,
            "scale_x": self.scale_x,
            "scale_y": self.scale_y,
            "align": self.align,
            "offset": self.offset,
            "bits": base64.b64encode(self.bits).decode("ascii"),
        }


@dataclass(frozen=True, slots=True)
class DrawerPulse:
    """A drawer kick (devices.md §1.2 "Drawer kick", §3.1)."""

    pin: int
    on_ms: int
    off_ms: int
    source: str
    embedded: bool = False
    offset: int = -1


@dataclass(frozen=True, slots=True)
class Marker:
    """Something printed whose content the stream does not carry (NV logo by key code ...)."""

    what: str
    offset: int = -1


@dataclass(frozen=True, slots=True)
class Cut:
    """The cut that ended a document: ``kind`` done by this printer, ``requested`` by the command."""

    kind: Literal["full", "partial"]
    requested: Literal["full", "partial"]
    command: str
    offset: int = -1


@dataclass(frozen=True, slots=True)
class Anomaly:
    """Something the printer discarded, could not print faithfully, or a host should not send."""

    offset: int
    name: str
    note: str
    raw: bytes = b""

    def to_json(self) -> dict[str, Any]:
        """The anomaly as a JSON-ready dict (raw as hex)."""
        return {"offset": self.offset, "name": self.name, "note": self.note, "raw": self.raw.hex(" ")}


Item = ReceiptLine | Barcode | Code2D | RasterImage | DrawerPulse | Marker


@dataclass(frozen=True, slots=True)
class TextMatch:
    """One occurrence of a text on a line, with the runs that print it."""

    line: int
    start: int
    end: int
    runs: tuple[Run, ...]

    @property
    def min_height(self) -> int:
        """Smallest glyph height in dots among the matched characters."""
        return min(r.glyph_height_dots for r in self.runs)

    @property
    def max_height(self) -> int:
        """Largest glyph height in dots among the matched characters."""
        return max(r.glyph_height_dots for r in self.runs)


@dataclass(frozen=True, slots=True)
class Receipt:
    """One document, from the previous cut (or stream start) to its cut.

    Attributes:
        items: Lines, codes, images, pulses and markers in paper order.
        cut: The cut that ended it, or ``None`` if the stream ended without one.
        anomalies: Problems found while printing it.
        start_offset: Stream offset of its first byte.
        end_offset: Stream offset just after its last byte.
        raw: Its bytes (buffered commands, text and real-time requests as processed).
        profile: The printer profile it was printed on.
    """

    items: tuple[Item, ...]
    cut: Cut | None = None
    anomalies: tuple[Anomaly, ...] = ()
    start_offset: int = 0
    end_offset: int = 0
    raw: bytes = b""
    profile: PrinterProfile = field(default=EPSON_TM_T88, repr=False)

    # ------------------------------------------------------------------ views

    @property
    def lines(self) -> list[ReceiptLine]:
        """The text lines, blank ones included."""
        return [item for item in self.items if isinstance(item, ReceiptLine)]

    @property
    def text_lines(self) -> list[str]:
        """The text of every line."""
        return [line.text for line in self.lines]

    @property
    def barcodes(self) -> list[Barcode]:
        """The 1-D bar codes."""
        return [item for item in self.items if isinstance(item, Barcode)]

    @property
    def codes_2d(self) -> list[Code2D]:
        """The 2-D codes (QR Code, PDF417 ...)."""
        return [item for item in self.items if isinstance(item, Code2D)]

    @property
    def images(self) -> list[RasterImage]:
        """The bit images."""
        return [item for item in self.items if isinstance(item, RasterImage)]

    @property
    def pulses(self) -> list[DrawerPulse]:
        """The drawer kicks."""
        return [item for item in self.items if isinstance(item, DrawerPulse)]

    # ------------------------------------------------------------------ size checks (§1.4)

    def find(self, text: str) -> list[TextMatch]:
        """Every occurrence of ``text`` within one line, with the runs printing it."""
        if not text:
            raise ValueError("find() needs a non-empty text")
        matches = []
        for index, line in enumerate(self.lines):
            full = line.text
            at = full.find(text)
            while at >= 0:
                end, pos, runs = at + len(text), 0, []
                for run in line.runs:
                    if pos < end and pos + len(run.text) > at:
                        runs.append(run)
                    pos += len(run.text)
                matches.append(TextMatch(index, at, end, tuple(runs)))
                at = full.find(text, at + 1)
        return matches

    def _matches(self, text: str) -> list[TextMatch]:
        found = self.find(text)
        if not found:
            raise LookupError(f"{text!r} is not printed on this receipt; its lines are: {self.text_lines!r}")
        return found

    def height_of(self, text: str) -> int:
        """Smallest glyph height (dots) of ``text`` over all its occurrences.

        Raises:
            LookupError: ``text`` is not printed on this receipt (the message lists the lines).
        """
        return min(m.min_height for m in self._matches(text))

    def max_glyph_height(self, text: str) -> int:
        """Largest glyph height (dots) of ``text`` over all its occurrences.

        Raises:
            LookupError: ``text`` is not printed on this receipt.
        """
        return max(m.max_height for m in self._matches(text))

    def is_larger(self, marking: str, than: str, factor: float = 1.5) -> bool:
        """Whether every ``marking`` glyph is at least ``factor`` × the largest ``than`` glyph.

        ``receipt.is_larger("KOPI", "84,00")`` is the § 2-8-8 check ("minst 50 % større").
        """
        return self.height_of(marking) >= factor * self.max_glyph_height(than)

    # ------------------------------------------------------------------ outputs

    def _item_lines(self) -> Iterator[str]:
        for item in self.items:
            if isinstance(item, ReceiptLine):
                yield item.to_text()
            elif isinstance(item, Barcode):
                yield f"[barcode {item.symbology} {item.content}]"
            elif isinstance(item, Code2D):
                yield f"[{item.symbology} {item.text}]"
            elif isinstance(item, RasterImage):
                yield f"[image {item.width}x{item.height} {item.source}]"
            elif isinstance(item, DrawerPulse):
                hidden = " embedded" if item.embedded else ""
                yield f"[drawer pin {item.pin} {item.on_ms}/{item.off_ms} ms {item.source}{hidden}]"
            else:
                yield f"[{item.what}]"

    def to_text(self) -> str:
        """Plain text for golden files (format in the module docstring)."""
        lines = list(self._item_lines())
        while lines and not lines[-1].strip():
            lines.pop()
        if self.cut is not None:
            lines.append(f"[cut {self.cut.kind}]")
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict: ``profile``, offsets, ``cut``, ``items`` (each with ``type``), ``anomalies``.

        Item types: ``line`` (``align``, ``text``, ``runs``), ``barcode`` (``symbology``, ``data``),
        ``2d`` (``symbology``, ``data``, ``model``, ``module_size``, ``error_correction``),
        ``image`` (see :meth:`RasterImage.to_json`), ``drawer`` (``pin``, ``on_ms``, ``off_ms``,
        ``source``, ``embedded``), ``marker`` (``what``). Every item has ``offset``.
        """
        items: list[dict[str, Any]] = []
        for item in self.items:
            if isinstance(item, ReceiptLine):
                runs = [run.to_json() for run in item.runs]
                items.append({"type": "line", "align": item.align, "text": item.text, "runs": runs})
            elif isinstance(item, Barcode):
                items.append({"type": "barcode", "symbology": item.symbology, "data": item.content, "hri": item.hri})
            elif isinstance(item, Code2D):
                settings = {"model": item.model, "module_size": item.module_size, "ec": item.error_correction}
                items.append({"type": "2d", "symbology": item.symbology, "data": item.text, **settings})
            elif isinstance(item, RasterImage):
                items.append(item.to_json())
            elif isinstance(item, DrawerPulse):
                pulse = {"pin": item.pin, "on_ms": item.on_ms, "off_ms": item.off_ms, "source": item.source}
                items.append({"type": "drawer", **pulse, "embedded": item.embedded})
            else:
                items.append({"type": "marker", "what": item.what})
            items[-1]["offset"] = item.offset
        cut: dict[str, Any] | None = None
        if self.cut is not None:
            cut = {"kind": self.cut.kind, "requested": self.cut.requested, "command": self.cut.command}
            cut["offset"] = self.cut.offset
        return {
            "profile": self.profile.name,
            "start_offset": self.start_offset,
            "end_offset": self.end_offset,
            "cut": cut,
            "items": items,
            "anomalies": [a.to_json() for a in self.anomalies],
        }

    def to_html(self) -> str:
        """Self-contained HTML that looks like the paper (see :mod:`devices.escpos.paper_html`)."""
        from devices.escpos.paper_html import receipt_html

        return receipt_html(self)
