"""Device commands of the ``kassakontroll`` command line.

Commands::

    kassakontroll escpos decode FILE|- [--json] [--html OUT] [--profile NAME]
    kassakontroll devices serve [--printer URL]... [--terminal URL] [--record DIR] [--duration S]
    kassakontroll capture FILE.pcap --out DIR [--port 9100]

``escpos decode`` prints what a printer would have printed from a byte stream (a file
saved from a POS, or ``-`` for standard input). ``devices serve`` is for a lab
technician: it runs an emulated printer (with its cash drawer) on each ``--printer`` link
and a nexo payment terminal, prints receipts, drawer kicks and payments as they happen
and, with ``--record``, keeps every byte and document. ``capture`` extracts the print
jobs of a network capture (TCP port 9100) into decoded receipts.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = ["add_device_commands", "run_device_command"]

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_INPUT = 6  #: the input file cannot be read or is not what the command expects
EXIT_DEVICE = 7  #: a link or server could not be opened


def add_device_commands(commands: Any) -> None:
    """Register ``escpos``, ``devices`` and ``capture`` on the top-level subparsers."""
    escpos = commands.add_parser("escpos", help="ESC/POS tools")
    escpos_commands = escpos.add_subparsers(dest="escpos_command", required=True, metavar="ESCPOS_COMMAND")
    decode = escpos_commands.add_parser("decode", help="print what a printer would print from an ESC/POS stream")
    decode.add_argument("file", help="file with the raw bytes, or - for standard input")
    decode.add_argument("--json", action="store_true", help="print the documents as JSON")
    decode.add_argument(
        "--html",
        type=Path,
        metavar="OUT",
        help="also write HTML looking like the paper to OUT (OUT-NNN.html for several)",
    )
    decode.add_argument("--profile", default="TM-T88", help="printer profile (default TM-T88; also generic-58)")

    devices = commands.add_parser("devices", help="emulated devices for a lab or CI")
    devices_commands = devices.add_subparsers(dest="devices_command", required=True, metavar="DEVICES_COMMAND")
    serve = devices_commands.add_parser(
        "serve", help="run printer, drawer and terminal emulators on real ports and show what the POS does"
    )
    serve.add_argument(
        "--printer",
        action="append",
        default=[],
        metavar="URL",
        help="serve a printer (with its drawer) on this link: tcp://127.0.0.1:9100, pty://, serial:///dev/ttyUSB0 "
        "(repeatable)",
    )
    serve.add_argument(
        "--terminal", metavar="URL", help="serve a nexo payment terminal, e.g. http://127.0.0.1:8443 (loopback only)"
    )
    serve.add_argument("--record", type=Path, metavar="DIR", help="write evidence and receipts to DIR")
    serve.add_argument("--duration", type=float, metavar="S", help="stop after S seconds (default: until Ctrl-C)")

    capture = commands.add_parser("capture", help="extract and decode the print jobs of a pcap capture")
    capture.add_argument("pcap", type=Path, help="capture file (pcap or pcapng)")
    capture.add_argument("--out", required=True, type=Path, help="output folder (created)")
    capture.add_argument("--port", type=int, default=9100, help="printer TCP port (default 9100)")


def run_device_command(args: argparse.Namespace) -> int | None:
    """Run a device command; ``None`` if ``args`` is not one of them."""
    if args.command == "escpos":
        return _decode(args)
    if args.command == "devices":
        return _serve(args)
    if args.command == "capture":
        return _capture(args)
    return None


def _fail(message: str, code: int) -> int:
    print(f"kassakontroll: {message}", file=sys.stderr)
    return code


def _decode(args: argparse.Namespace) -> int:
    from devices.escpos import decode_bytes

    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror or exc}", EXIT_INPUT)
    try:
        receipts = decode_bytes(data, profile=args.profile)
    except KeyError as exc:
        return _fail(f"unknown printer profile {exc}", EXIT_USAGE)
    if args.json:
        print(json.dumps([r.to_json() for r in receipts], ensure_ascii=False, indent=2))
    else:
        for n, receipt in enumerate(receipts, start=1):
            if len(receipts) > 1:
                print(f"===== document {n} of {len(receipts)} =====")
            print(receipt.to_text())
    if args.html:
        # One self-contained page per document: OUT, or OUT-001.html, OUT-002.html ... for several.
        out: Path = args.html
        paths = (
            [out]
            if len(receipts) == 1
            else [out.with_name(f"{out.stem}-{n:03d}{out.suffix or '.html'}") for n in range(1, len(receipts) + 1)]
        )
        for path, receipt in zip(paths, receipts, strict=True):
            path.write_text(receipt.to_html(), encoding="utf-8")
        print(f"HTML written to {', '.join(str(p) for p in paths) or '(no documents)'}", file=sys.stderr)
    return EXIT_OK


def _terminal_address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"--terminal {url!r}: write http://127.0.0.1:PORT")
    return parts.hostname, parts.port or 80


def _serve(args: argparse.Namespace) -> int:
    from devices.link import TransportError
    from devices.station import DeviceStation
    from harness.evidence import EvidenceLog, EvidenceRecord

    if not args.printer and not args.terminal:
        return _fail("devices serve: give at least one --printer URL or a --terminal URL", EXIT_USAGE)
    stream = None
    if args.record:
        args.record.mkdir(parents=True, exist_ok=True)
        stream = (args.record / "evidence.ndjson").open("w", encoding="utf-8")
    log = EvidenceLog(stream)
    stations: list[DeviceStation] = []
    documents = 0
    lock = threading.Lock()

    def show(record: EvidenceRecord) -> None:
        nonlocal documents
        kind = record.kind
        if kind == "printer.document":
            with lock:
                documents += 1
                n = documents
            print(f"--- {record.source}: document {n} ({len(record.raw)} bytes) ---")
            print(str(record.data.get("text", "")))
            if args.record:
                (args.record / f"document-{n:04d}.bin").write_bytes(record.raw)
                (args.record / f"document-{n:04d}.txt").write_text(str(record.data.get("text", "")), encoding="utf-8")
        elif kind in ("drawer.kick", "drawer.sensor") or kind.startswith("terminal.response"):
            details = ", ".join(f"{k}={v}" for k, v in record.data.items() if k not in ("text",))
            print(f"{record.wall[11:23]} {record.source} {kind}: {details}")
        elif kind.endswith("anomaly"):
            print(f"{record.wall[11:23]} {record.source} anomaly: {record.data.get('note', record.data)}")
        sys.stdout.flush()

    log.subscribe(show)
    try:
        for n, url in enumerate(args.printer, start=1):
            stations.append(DeviceStation(f"P{n}", printer_link=url, terminal=False, log=log))
        if args.terminal:
            host, port = _terminal_address(args.terminal)
            if host not in ("127.0.0.1", "localhost", "::1"):
                return _fail("--terminal must listen on loopback (127.0.0.1)", EXIT_USAGE)
            stations.append(DeviceStation("T", printer_link=None, terminal=True, log=log, terminal_port=port))
    except (TransportError, OSError, ValueError) as exc:
        for station in stations:
            station.close()
        return _fail(f"cannot open the devices: {exc}", EXIT_DEVICE)
    for station in stations:
        print(station.describe())
    print("Serving; press Ctrl-C to stop.", flush=True)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        deadline = None if args.duration is None else time.monotonic() + args.duration
        while not stop.is_set():
            if deadline is not None and time.monotonic() >= deadline:
                break
            stop.wait(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        for station in stations:
            station.close()
        if stream is not None:
            stream.close()
    print(
        f"Stopped: {documents} documents, {len(log)} evidence records" + (f" in {args.record}" if args.record else "")
    )
    return EXIT_OK


def _capture(args: argparse.Namespace) -> int:
    from devices.escpos import decode_bytes
    from devices.transports.transport_pcap import reassemble

    if not args.pcap.is_file():
        return _fail(f"capture file {args.pcap} does not exist", EXIT_INPUT)
    try:
        streams = reassemble(args.pcap, port=args.port)
    except Exception as exc:  # scapy raises many types for a file that is not a capture
        return _fail(f"{args.pcap} is not a readable pcap/pcapng capture: {exc}", EXIT_INPUT)
    args.out.mkdir(parents=True, exist_ok=True)
    jobs = 0
    for s, stream in enumerate(streams, start=1):
        (args.out / f"stream-{s:03d}.bin").write_bytes(stream.client_bytes)
        for receipt in decode_bytes(stream.client_bytes):
            jobs += 1
            (args.out / f"job-{jobs:04d}.txt").write_text(receipt.to_text(), encoding="utf-8")
        gaps = f", {len(stream.gaps)} gap(s)" if stream.gaps else ""
        print(f"stream {s}: {len(stream.client_bytes)} bytes to the printer{gaps}")
    print(f"{len(streams)} TCP stream(s) to port {args.port}, {jobs} print job(s) written to {args.out}")
    return EXIT_OK
