"""The evidence log: append-only records, cursors, waiting, NDJSON round trip."""

from __future__ import annotations

import io
import threading

from harness.evidence import EvidenceLog, EvidenceRecord


def test_records_are_numbered_and_sliced_by_cursor() -> None:
    log = EvidenceLog()
    log.append("printer", "link.rx", raw=b"\x1b@")
    mark = log.cursor()
    second = log.append("drawer", "drawer.kick", pin=2, source="ESC p")
    log.append("drawer", "drawer.sensor", open=True)
    assert second.seq == 2
    assert second.data == {"pin": 2, "source": "ESC p"}  # "source" in data does not clash
    assert [r.kind for r in log.since(mark)] == ["drawer.kick", "drawer.sensor"]
    assert [r.kind for r in log.since(0, kind="drawer")] == ["drawer.kick", "drawer.sensor"]
    assert [r.kind for r in log.since(0, kind="drawer.kick")] == ["drawer.kick"]
    assert log.since(0, kind="draw") == []  # prefix matches whole dotted parts only
    assert [r.seq for r in log.since(0, source="printer")] == [1]


def test_ndjson_stream_and_round_trip(tmp_path: object) -> None:
    stream = io.StringIO()
    log = EvidenceLog(stream)
    log.append("printer", "printer.document", raw=bytes(range(256)), text="Blåbær «KOPI»")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    (back,) = EvidenceLog.read_ndjson(lines)
    original = next(iter(log))
    assert back == original
    assert back.raw == bytes(range(256))
    assert isinstance(EvidenceRecord.from_json(lines[0]), EvidenceRecord)


def test_wait_for_sees_records_from_another_thread() -> None:
    log = EvidenceLog()
    mark = log.cursor()
    timer = threading.Timer(0.05, lambda: log.append("terminal", "terminal.response", result="Success"))
    timer.start()
    try:
        found = log.wait_for(lambda r: r.kind == "terminal.response", after=mark, timeout=5.0)
    finally:
        timer.join()
    assert found is not None and found.data["result"] == "Success"
    assert log.wait_for(lambda r: r.kind == "never", after=mark, timeout=0.01) is None


def test_subscribers_get_every_new_record() -> None:
    log = EvidenceLog()
    seen: list[str] = []
    log.subscribe(lambda r: seen.append(r.kind))
    log.append("a", "x.one")
    log.append("a", "x.two")
    assert seen == ["x.one", "x.two"]
