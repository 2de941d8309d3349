"""Document model built from python-escpos golden streams: sizes, codes, images, cuts, outputs."""

from __future__ import annotations

import base64
import json
import struct
import zlib

import pytest
import qrcode
from escpos.printer import Dummy
from PIL import Image

from devices.escpos import GENERIC_58, Receipt, decode_bytes
from devices.escpos.paper_html import png_bytes

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # python-escpos profile notices


def one(data: bytes, profile: str = "epson-tm-t88") -> Receipt:
    receipts = decode_bytes(data, profile=profile)
    assert len(receipts) == 1, [r.to_text() for r in receipts]
    return receipts[0]


def kopi_receipt() -> bytes:
    p = Dummy()
    p.charcode("CP865")
    p._raw(b"\x1d!\x11")  # GS ! 0x11: double width and height
    p.textln("KOPI")
    p._raw(b"\x1d!\x00")
    p.textln("Å betale                 84,00")
    p.cut()
    return bytes(p.output)


def test_marking_printed_at_least_50_percent_larger_than_the_amount() -> None:
    receipt = one(kopi_receipt())
    assert receipt.height_of("KOPI") == 48
    assert receipt.max_glyph_height("84,00") == 24
    assert receipt.is_larger("KOPI", "84,00")
    assert not receipt.is_larger("84,00", "KOPI")
    (match,) = receipt.find("KOPI")
    assert match.runs[0].width == match.runs[0].height == 2
    with pytest.raises(LookupError, match="not printed"):
        receipt.height_of("ORIGINAL")


def test_sizes_bold_underline_from_python_escpos() -> None:
    p = Dummy()
    p.set(double_height=True)
    p.textln("tall")
    p.set(custom_size=True, width=2, height=2)
    p.textln("big")
    p.set(normal_textsize=True, bold=True, underline=1)
    p.textln("bold")
    p.set(bold=False, underline=2, font="b")
    p.textln("small")
    p.cut()
    receipt = one(p.output)
    runs = {line.text: line.runs[0] for line in receipt.lines if line.runs}
    assert (runs["tall"].width, runs["tall"].height, runs["tall"].glyph_height_dots) == (1, 2, 48)
    assert (runs["big"].width, runs["big"].height, runs["big"].glyph_height_dots) == (2, 2, 48)
    assert runs["bold"].bold and runs["bold"].underline == 1 and runs["bold"].glyph_height_dots == 24
    assert runs["small"].font == "B" and runs["small"].underline == 2 and runs["small"].glyph_height_dots == 17
    assert receipt.to_text().splitlines()[:4] == ["[1x2] tall", "[2x2] big", "bold", "small"]


def test_last_of_esc_bang_and_gs_bang_wins_and_esc_at_resets() -> None:
    stream = b"\x1d!\x22A\x1b!\x10B\n\x1d!\x01C\x1b@D\n\x1dV\x00"
    receipt = one(stream)
    first, second = receipt.lines
    assert [(r.text, r.width, r.height) for r in first.runs] == [("A", 3, 3), ("B", 1, 2)]
    # ESC @ clears unprinted "C" (reported) and resets the size for "D".
    assert [(r.text, r.height) for r in second.runs] == [("D", 1)]
    assert [a.name for a in receipt.anomalies] == ["ESC @"]


def test_alignment_per_line_and_mid_line_change_ignored() -> None:
    receipt = one(b"\x1ba\x01Center\n\x1ba\x02Right\x1ba\x00 still right\n\x1dV\x00")
    assert [(line.align, line.text) for line in receipt.lines] == [("center", "Center"), ("right", "Right still right")]
    assert [a.name for a in receipt.anomalies] == ["ESC a"]


def test_native_qr_and_barcodes() -> None:
    p = Dummy()
    p.qr("https://kvittering.example/1", native=True, size=5, ec=1)
    p.barcode("4006381333931", "EAN13")
    p.barcode("{B12345", "CODE128", function_type="B")
    p.cut()
    receipt = one(p.output)
    (qr,) = receipt.codes_2d
    assert (qr.symbology, qr.text, qr.module_size, qr.model) == ("QR Code", "https://kvittering.example/1", 5, 2)
    ean, code128 = receipt.barcodes
    assert (ean.symbology, ean.content) == ("EAN13", "4006381333931")
    assert (code128.symbology, code128.content, code128.data) == ("CODE128", "12345", b"{B12345")
    assert receipt.anomalies == ()


def test_image_qr_keeps_dimensions_and_pixels() -> None:
    p = Dummy()
    p.qr("image qr", native=False)  # sent as a GS v 0 raster image
    p.cut()
    receipt = one(p.output)
    (image,) = receipt.images
    reference = qrcode.QRCode(version=None, box_size=3, border=1, error_correction=qrcode.constants.ERROR_CORRECT_L)
    reference.add_data("image qr")
    reference.make(fit=True)
    matrix = reference.get_matrix()
    side = len(matrix) * 3
    assert image.source == "GS v 0"
    assert image.height == side and image.width == (side + 7) // 8 * 8
    for y in range(side):
        for x in range(side):
            assert image.pixel(x, y) == matrix[y // 3][x // 3], (x, y)


def test_column_bit_image_stripes_are_merged() -> None:
    picture = Image.new("1", (20, 50), 1)
    for i in range(20):
        picture.putpixel((i, i), 0)
    p = Dummy()
    p.image(picture, impl="bitImageColumn")
    p.cut()
    receipt = one(p.output)
    (image,) = receipt.images
    assert image.source == "ESC *" and image.width == 20 and image.height >= 50
    assert all(image.pixel(i, i) for i in range(20))
    assert not image.pixel(5, 0)


def test_graphics_impl_is_printed_from_the_buffer() -> None:
    picture = Image.new("1", (16, 4), 1)
    picture.putpixel((0, 0), 0)
    p = Dummy()
    p.image(picture, impl="graphics")
    p.cut()
    (image,) = one(p.output).images
    assert (image.source, image.width, image.height) == ("GS ( L", 16, 4)
    assert image.pixel(0, 0) and not image.pixel(1, 0)


def test_cashdraw_becomes_a_pulse_and_the_cut_ends_the_document() -> None:
    p = Dummy()
    p.textln("first")
    p.cashdraw(2)
    p.cut()
    p.textln("second")
    p.cut(mode="PART")
    p.textln("pending")
    first, second, pending = decode_bytes(p.output)
    (pulse,) = first.pulses
    assert (pulse.pin, pulse.on_ms, pulse.off_ms, pulse.source) == (2, 100, 100, "ESC p")
    assert first.cut is not None and first.cut.kind == "full"
    assert second.cut is not None and second.cut.kind == "partial"
    assert pending.cut is None and pending.text_lines == ["pending"]
    assert first.raw + second.raw + pending.raw == bytes(p.output)


def test_two_cuts_in_a_row_make_one_document() -> None:
    assert len(decode_bytes(b"x\n\x1dV\x00\x1bd\x03\x1dV\x00")) == 1


def test_generic_58_cuts_partially_and_clamps_sizes() -> None:
    receipt = one(b"\x1d!\xffHUGE\n\x1dV\x00", profile="generic-58")
    assert receipt.cut is not None and (receipt.cut.kind, receipt.cut.requested) == ("partial", "full")
    (line,) = receipt.lines
    assert (line.runs[0].width, line.runs[0].height) == (2, 2)
    assert receipt.profile is GENERIC_58


def test_to_text_json_html() -> None:
    p = Dummy()
    p.set(align="center")
    p._raw(b"\x1d!\x11")
    p.textln("KOPI")
    p._raw(b"\x1d!\x00")
    p.qr("q", native=True)
    p.qr("img")
    p.cut()
    receipt = one(p.output)
    text = receipt.to_text()
    assert text.startswith("[2x2] KOPI\n") and "[QR Code q]" in text and text.endswith("[cut full]\n")
    summary = receipt.to_json()
    json.dumps(summary)  # JSON-ready
    assert summary["cut"]["kind"] == "full"
    assert [item["type"] for item in summary["items"] if item["type"] != "line"] == ["2d", "image"]
    assert summary["items"][0]["runs"][0]["glyph_height_dots"] == 48
    html = receipt.to_html()
    assert html.startswith("<!DOCTYPE html>") and "scale(2,2)" in html and "data:image/png;base64," in html
    assert "http" not in html  # self-contained


def test_png_is_a_valid_one_bit_image() -> None:
    p = Dummy()
    p.qr("png", native=False)
    (image,) = one(p.output).images
    png = png_bytes(image)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth = struct.unpack(">IIB", png[16:25])
    assert (width, height, depth) == (image.width, image.height, 1)
    idat_len = struct.unpack(">I", png[33:37])[0]
    raw = zlib.decompress(png[41 : 41 + idat_len])
    assert len(raw) == image.height * (1 + image.row_bytes)
    assert base64.b64encode(png)  # embeddable


def test_decode_bytes_accepts_aliases_and_rejects_unknown_profiles() -> None:
    assert decode_bytes(b"a\n", profile="TM-T88")[0].profile.name == "epson-tm-t88"
    with pytest.raises(KeyError, match="generic-58"):
        decode_bytes(b"", profile="nope")
