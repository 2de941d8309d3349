"""ESC/POS decoding speed: our decoder + receipt builder against python-escpos generating the same bytes.

What is measured
----------------
A corpus of realistic receipts is produced with python-escpos' ``Dummy`` printer: a header
in double size, Norwegian article names in PC865 (æøå), 25–40 article lines, a VAT table, a
«KOPI» marking at ``GS ! 0x11`` on every fourth receipt, a native QR code (``GS ( k``), an
EAN-13 bar code, a drawer kick and a cut; every tenth receipt also carries its QR code as a
raster image (python-escpos' default ``qr(native=False)``), as many real POS do.

(a) **Generation**: the time python-escpos needs to produce the corpus bytes
    (``Dummy`` calls only, the Python receipt content is prepared beforehand).
(b) **Decoding**: the time :class:`devices.escpos.EscposDecoder` +
    :class:`devices.escpos.ReceiptBuilder` need to turn the same bytes into
    :class:`~devices.escpos.Receipt` objects (lines, runs with glyph heights, codes, images),
    fed in 4 KiB chunks as a socket would deliver them.

Printed: decode throughput in MB/s on a stream of several MB (the corpus repeated), the
ratio generation time / decoding time on the same bytes (goal ≥ 1: the emulator keeps up
with the fastest POS-side producer in Python), the multiple of a 115 200-baud serial line
(11 520 bytes/s; goal ≥ 100×) and peak memory (tracemalloc peak of one decode of the large
stream, and the process's maxrss).

Why the baseline is fair
------------------------
Both sides do the work of one end of the same wire: python-escpos turns receipt content into
exactly these bytes (style changes, code page selection, QR and bar code framing, image
rasterising), we turn the bytes back into a document model with the same information. Both
are pure Python on the same interpreter, measured in this process on identical content,
interleaved in each run; results are medians over ``--runs`` runs.

Run ``python bench/escpos_decode.py [--receipts N] [--repeat K] [--runs R]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import platform
import resource
import statistics
import sys
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from escpos.printer import Dummy

from devices.escpos import EPSON_TM_T88, EscposDecoder, Receipt, ReceiptBuilder

SERIAL_115200 = 11_520  # bytes/s at 115 200 baud, 8N1
ARTICLES = [
    ("Blåbærsyltetøy 400 g", 4990),
    ("TineMelk Lett 1 l", 2190),
    ("Sportsbrød 750 g", 3990),
    ("Gulost Norvegia 1 kg", 11990),
    ("Røkt laks 200 g", 8990),
    ("Æbler Røde 1 kg", 3490),
    ("Kaffe Friele 250 g", 5490),
    ("Smør Tine 500 g", 4290),
]

Content = list[tuple[str, ...]]


def kroner(ore: int) -> str:
    return f"{ore // 100},{ore % 100:02d}"


def receipt_content(number: int) -> Content:
    """The content of one receipt as plain Python data (prepared outside the timed part)."""
    lines: Content = [("title", "Salgskvittering"), ("plain", "Kassakontroll Demobutikk AS")]
    lines.append(("plain", "Org.nr 999 999 999 MVA"))
    if number % 4 == 0:
        lines.append(("marking", "KOPI"))
    lines.append(("plain", f"Kvitteringsnr.: S{number:06d}"))
    total = 0
    for i in range(25 + number % 16):
        name, price = ARTICLES[(number + i) % len(ARTICLES)]
        qty = 1 + (i % 3)
        total += qty * price
        lines.append(("plain", name))
        lines.append(("plain", f"  {qty} x {kroner(price):>8}{kroner(qty * price):>30}"))
    lines.append(("rule", "-" * 48))
    lines.append(("bold", f"Totalt inkl. mva{kroner(total):>32}"))
    lines.append(("plain", f"herav mva 25 %{kroner(total // 5):>34}"))
    lines.append(("qr", f"https://kvittering.example/S{number:06d}"))
    lines.append(("qr_image" if number % 10 == 0 else "none", f"S{number:06d}"))
    lines.append(("barcode", f"{7040000000000 + number:013d}"[:12]))
    return lines


def generate(contents: list[Content]) -> bytes:
    """python-escpos producing the receipts (the timed generation side)."""
    with contextlib.redirect_stdout(io.StringIO()):  # python-escpos prints "Using hardware barcode renderer"
        return _generate(contents)


def _generate(contents: list[Content]) -> bytes:
    p = Dummy()
    for content in contents:
        p.hw("INIT")
        p.charcode("CP865")
        for kind, *values in content:
            text = values[0]
            if kind == "title":
                p.set(align="center", bold=True, double_height=True)
                p.textln(text)
                p.set(align="left", bold=False, normal_textsize=True)
            elif kind == "marking":
                p.set(align="center", custom_size=True, width=2, height=2)
                p.textln(text)
                p.set(align="left", normal_textsize=True)
            elif kind == "bold":
                p.set(bold=True)
                p.textln(text)
                p.set(bold=False)
            elif kind in ("plain", "rule"):
                p.textln(text)
            elif kind == "qr":
                p.qr(text, native=True, size=4)
            elif kind == "qr_image":
                p.qr(text, native=False, size=3)
            elif kind == "barcode":
                p.barcode(text, "EAN13")
        p.cashdraw(2)
        p.cut()
    return bytes(p.output)


def decode(data: bytes, chunk: int = 4096) -> list[Receipt]:
    """Our decoder and receipt builder on the bytes, fed like a socket delivers them."""
    decoder = EscposDecoder()
    builder = ReceiptBuilder(EPSON_TM_T88)
    receipts: list[Receipt] = []
    for start in range(0, len(data), chunk):
        receipts += builder.feed(decoder.feed(data[start : start + chunk]))
    receipts += builder.feed(decoder.close())
    return receipts + builder.close()


def timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--receipts", type=int, default=150, help="distinct receipts in the corpus (default 150)")
    parser.add_argument("--repeat", type=int, default=12, help="corpus copies in the large stream (default 12)")
    parser.add_argument("--runs", type=int, default=5, help="runs; medians are printed (default 5)")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    warnings.simplefilter("ignore")

    contents = [receipt_content(n) for n in range(1, args.receipts + 1)]
    corpus = generate(contents)
    receipts = decode(corpus)
    if len(receipts) != args.receipts or any(r.anomalies for r in receipts):
        print("decoder self-check failed: wrong document count or anomalies", file=sys.stderr)
        return 1
    stream = corpus * args.repeat
    print(f"python {platform.python_version()} on {platform.machine()}, {args.runs} runs")
    print(f"corpus: {args.receipts} receipts, {len(corpus) / 1e3:.0f} kB; stream: {len(stream) / 1e6:.2f} MB")

    gen_times, dec_times, stream_times = [], [], []
    for run in range(args.runs):
        steps = [
            lambda: gen_times.append(timed(lambda: generate(contents))),
            lambda: dec_times.append(timed(lambda: decode(corpus))),
        ]
        for step in steps if run % 2 == 0 else reversed(steps):
            step()
        stream_times.append(timed(lambda: decode(stream)))

    gen, dec, big = statistics.median(gen_times), statistics.median(dec_times), statistics.median(stream_times)
    rate = len(stream) / big
    print(f"(a) python-escpos generation of the corpus: {gen * 1e3:8.1f} ms  ({len(corpus) / gen / 1e6:.2f} MB/s)")
    print(f"(b) decode + receipts of the same bytes:    {dec * 1e3:8.1f} ms  ({len(corpus) / dec / 1e6:.2f} MB/s)")
    print(f"decode throughput on the {len(stream) / 1e6:.1f} MB stream: {rate / 1e6:.2f} MB/s")
    print(f"ratio generation / decoding: {gen / dec:.2f}  (goal >= 1)")
    print(f"multiple of a 115200-baud serial line: {rate / SERIAL_115200:.0f}x  (goal >= 100x)")

    tracemalloc.start()
    decode(stream)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: tracemalloc {peak / 2**20:.1f} MiB for one decode of the stream, maxrss {maxrss:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
