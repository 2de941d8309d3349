"""Render a :class:`~devices.escpos.receipt.Receipt` as self-contained HTML that looks like the paper.

Monospace text on a paper-width column (``columns`` × ``1ch``; one Font A dot is
``1/cell-width ch``); each run keeps its size through a CSS ``scale(width, height)`` inside a box
reserving the scaled space, so a double-height «KOPI» is visibly twice as tall as an amount;
bold, underline and reverse map to CSS. Images are inline PNG ``data:`` URLs written with the
standard library only (``zlib`` + ``struct``); bar codes and 2-D codes show their content.
"""

from __future__ import annotations

import base64
import html
import struct
import zlib

from devices.escpos.receipt import Barcode, Code2D, DrawerPulse, RasterImage, Receipt, ReceiptLine, Run

__all__ = ["PAPER_CSS", "png_bytes", "png_data_url", "receipt_fragment", "receipt_html"]

_INVERT = bytes(255 - b for b in range(256))

#: The style of :func:`receipt_fragment` (the page of :func:`receipt_html` adds its body).
PAPER_CSS = """
.paper{background:#fff;font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:16px;
 padding:1ch;box-shadow:0 0 4px #999;line-height:1.2}
.line{white-space:pre;min-height:1.2em}
.run{display:inline-flex;align-items:flex-end;vertical-align:bottom;overflow:visible}
.run>span{display:inline-block;transform-origin:0 100%}
.b{font-weight:bold}.u1{text-decoration:underline}.u2{text-decoration:underline double}
.rev{background:#000;color:#fff}.code{border:1px dashed #888;padding:2px;margin:2px 0;white-space:pre-wrap}
.cut{border-top:2px dashed #888;margin-top:1em;color:#888;font-size:12px}
.anomaly{color:#b00;font-size:12px;white-space:pre-wrap}
"""


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bytes(image: RasterImage) -> bytes:
    """The image as a 1-bit grayscale PNG (black dots black)."""
    rb = image.row_bytes
    inverted = image.bits.translate(_INVERT)  # PNG grayscale: 0 = black
    raw = b"".join(b"\x00" + inverted[y * rb : (y + 1) * rb] for y in range(image.height))
    header = struct.pack(">IIBBBBB", max(image.width, 1), max(image.height, 1), 1, 0, 0, 0, 0)
    if not raw:
        raw = b"\x00\xff"
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b"")


def png_data_url(image: RasterImage) -> str:
    """The image as a ``data:image/png;base64,…`` URL."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode("ascii")


def _run_html(run: Run, cell_w: int, cell_h: int) -> str:
    sx = run.glyph_width_dots / cell_w
    sy = run.glyph_height_dots / cell_h
    classes = ["run"]
    if run.bold:
        classes.append("b")
    if run.underline:
        classes.append(f"u{min(run.underline, 2)}")
    if run.reverse:
        classes.append("rev")
    flip = " rotate(180deg)" if run.upside_down else ""
    box = f"width:{len(run.text) * sx:g}ch;height:{1.2 * sy:g}em"
    inner = f"transform:scale({sx:g},{sy:g}){flip}"
    return (
        f'<span class="{" ".join(classes)}" style="{box}"><span style="{inner}">{html.escape(run.text)}</span></span>'
    )


def receipt_fragment(receipt: Receipt) -> str:
    """The ``<div class="paper">`` showing ``receipt`` as printed (and its anomalies), styled by :data:`PAPER_CSS`."""
    profile = receipt.profile
    font_a = profile.fonts[0]
    cell_w, cell_h = font_a.width, font_a.height
    parts = [f'<div class="paper" style="width:{profile.columns}ch" data-profile="{html.escape(profile.name)}">']
    for item in receipt.items:
        if isinstance(item, ReceiptLine):
            runs = "".join(_run_html(run, cell_w, cell_h) for run in item.runs)
            parts.append(f'<div class="line" style="text-align:{item.align}">{runs}</div>')
        elif isinstance(item, RasterImage):
            width = item.width * item.scale_x / cell_w
            height = item.height * item.scale_y / cell_w
            style = f"width:{width:g}ch;height:{height:g}ch;image-rendering:pixelated"
            img = f'<img alt="{html.escape(item.source)} image" src="{png_data_url(item)}" style="{style}">'
            parts.append(f'<div class="line" style="text-align:{item.align}">{img}</div>')
        elif isinstance(item, Barcode):
            parts.append(f'<div class="code">▮▯▮ {html.escape(item.symbology)}: {html.escape(item.content)}</div>')
        elif isinstance(item, Code2D):
            parts.append(f'<div class="code">▦ {html.escape(item.symbology)}: {html.escape(item.text)}</div>')
        elif isinstance(item, DrawerPulse):
            what = f"drawer kick pin {item.pin}, {item.on_ms}/{item.off_ms} ms ({item.source})"
            parts.append(f'<div class="anomaly">⟂ {html.escape(what)}</div>')
        else:
            parts.append(f'<div class="code">{html.escape(item.what)}</div>')
    if receipt.cut is not None:
        parts.append(f'<div class="cut">✂ {receipt.cut.kind} cut</div>')
    parts.append("</div>")
    for anomaly in receipt.anomalies:
        parts.append(
            f'<div class="anomaly">@{anomaly.offset} {html.escape(anomaly.name)}: {html.escape(anomaly.note)}</div>'
        )
    return "\n".join(parts)


def receipt_html(receipt: Receipt, *, title: str = "Receipt") -> str:
    """A complete HTML page showing ``receipt`` as printed."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            f'<html lang="nb"><head><meta charset="utf-8"><title>{html.escape(title)}</title>',
            f"<style>body{{background:#ddd;margin:1em}}\n{PAPER_CSS}</style></head><body>",
            receipt_fragment(receipt),
            "</body></html>",
        ]
    )
