"""The device commands: escpos decode, devices serve, capture."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from escpos.printer import Dummy, Network
from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether
from scapy.packet import Raw
from scapy.utils import wrpcap

from harness.cli import main

ROOT = Path(__file__).resolve().parents[3]


def _two_receipts() -> bytes:
    p = Dummy()
    p.charcode("CP865")
    p.set(custom_size=True, width=2, height=2)
    p.textln("KOPI")
    p.set(normal_textsize=True)
    p.textln("Blåbær 1 x 39,90")
    p.cut()
    p.textln("Neste kvittering")
    p.cut()
    return bytes(p.output)


def test_decode_prints_text_json_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stream = tmp_path / "receipt.bin"
    stream.write_bytes(_two_receipts())
    assert main(["escpos", "decode", str(stream)]) == 0
    out = capsys.readouterr().out
    assert "===== document 1 of 2 =====" in out
    assert "[2x2] KOPI" in out and "Blåbær 1 x 39,90" in out and "Neste kvittering" in out

    html = tmp_path / "paper.html"
    assert main(["escpos", "decode", str(stream), "--json", "--html", str(html)]) == 0
    captured = capsys.readouterr()
    documents = json.loads(captured.out)
    assert len(documents) == 2
    pages = sorted(tmp_path.glob("paper-*.html"))
    assert [p.name for p in pages] == ["paper-001.html", "paper-002.html"]
    assert "KOPI" in pages[0].read_text(encoding="utf-8")


def test_decode_reads_standard_input_and_reports_bad_input(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "escpos", "decode", "-"],
        input=_two_receipts(),
        capture_output=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Neste kvittering" in done.stdout.decode("utf-8")
    assert main(["escpos", "decode", str(tmp_path / "missing.bin")]) == 6
    # Arbitrary bytes are not an error: they decode to text and anomalies, never a traceback.
    noise = tmp_path / "noise.bin"
    noise.write_bytes(os.urandom(4096))
    assert main(["escpos", "decode", str(noise), "--json"]) == 0


def _read_lines(stream: object, lines: queue.Queue[str]) -> None:
    for line in iter(stream.readline, ""):  # type: ignore[attr-defined]
        lines.put(line)


def _wait_for(lines: queue.Queue[str], pattern: str, seen: list[str]) -> re.Match[str]:
    while True:
        line = lines.get(timeout=20)
        seen.append(line)
        found = re.search(pattern, line)
        if found:
            return found


def test_devices_serve_shows_and_records_what_a_pos_prints(tmp_path: Path) -> None:
    record = tmp_path / "record"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harness.cli",
            "devices",
            "serve",
            "--printer",
            "tcp://127.0.0.1:0",
            "--record",
            str(record),
            "--duration",
            "60",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True)
    reader.start()
    seen: list[str] = []
    try:
        port = int(_wait_for(lines, r"tcp://127\.0\.0\.1:(\d+)", seen).group(1))
        _wait_for(lines, "Serving", seen)
        pos = Network("127.0.0.1", port=port, timeout=10)
        try:
            pos.charcode("CP865")
            pos.textln("Salgskvittering")
            pos.textln("Totalt 84,00")
            pos.cut()
            pos.cashdraw(2)
        finally:
            pos.close()
        _wait_for(lines, r"document 1", seen)
        _wait_for(lines, r"drawer\.kick", seen)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
        assert process.stdout is not None
        reader.join(timeout=5)
        process.stdout.close()
    assert process.returncode == 0, "".join(seen)
    while not lines.empty():
        seen.append(lines.get())
    assert "Salgskvittering" in "".join(seen)
    assert "Stopped: 1 documents" in "".join(seen)
    assert "Totalt 84,00" in (record / "document-0001.txt").read_text(encoding="utf-8")
    kinds = [json.loads(line)["kind"] for line in (record / "evidence.ndjson").read_text().splitlines()]
    assert "link.rx" in kinds and "printer.document" in kinds and "drawer.kick" in kinds


def test_devices_serve_needs_a_device(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["devices", "serve"]) == 2
    assert "--printer" in capsys.readouterr().err
    assert main(["devices", "serve", "--printer", "bogus://x"]) == 7
    assert "bogus" in capsys.readouterr().err


def _capture_file(path: Path, job: bytes) -> None:
    pos, printer = ("10.0.0.2", 40000), ("10.0.0.9", 9100)
    packets = []
    t = 1_700_000_000.0

    def seg(from_pos: bool, flags: str, seq: int, data: bytes = b"") -> None:
        nonlocal t
        src, dst = (pos, printer) if from_pos else (printer, pos)
        packet = Ether() / IP(src=src[0], dst=dst[0]) / TCP(sport=src[1], dport=dst[1], flags=flags, seq=seq)
        if data:
            packet = packet / Raw(load=data)
        t += 0.001
        packet.time = t
        packets.append(packet)

    seg(True, "S", 1000)
    seg(False, "SA", 5000)
    seg(True, "A", 1001)
    for offset in range(0, len(job), 100):
        seg(True, "PA", 1001 + offset, job[offset : offset + 100])
    seg(True, "FA", 1001 + len(job))
    wrpcap(str(path), packets)


def test_capture_extracts_print_jobs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capture = tmp_path / "till.pcap"
    _capture_file(capture, _two_receipts())
    assert main(["capture", str(capture), "--out", str(tmp_path / "jobs")]) == 0
    out = capsys.readouterr().out
    assert "1 TCP stream(s) to port 9100, 2 print job(s)" in out
    assert "KOPI" in (tmp_path / "jobs" / "job-0001.txt").read_text(encoding="utf-8")
    assert (tmp_path / "jobs" / "stream-001.bin").read_bytes() == _two_receipts()
    not_a_capture = tmp_path / "x.pcap"
    not_a_capture.write_text("hello", encoding="utf-8")
    assert main(["capture", str(not_a_capture), "--out", str(tmp_path / "x")]) == 6
    assert main(["capture", str(tmp_path / "missing.pcap"), "--out", str(tmp_path / "y")]) == 6
