"""A scenario's evidence as the report shows it: receipts on paper, a timeline, journal excerpts.

The evidence file (``evidence/<scenario id>.ndjson``, :class:`harness.evidence.EvidenceRecord`
lines) holds everything the emulated devices saw. For the report:

* every ``printer.document`` is decoded again from its raw bytes (the same decoder the
  Then steps judged with), shown as it looks on paper -- sizes preserved, so a double-height
  «KOPI» is visibly larger (kassasystemforskrifta § 2-8-5) -- with a hexdump of the bytes;
* drawer, payment-terminal, printer-state, technician and journal events form a timeline
  with times relative to the scenario's first record (kassasystemforskrifta § 2-2: a drawer
  opening must follow a registered sale or be logged);
* ``journal.export`` records give the SAF-T excerpts and the verifier's findings.

The transport chatter (``link.rx``/``link.tx``) and the printer's status replies are counted,
not listed: they are in the evidence file for whoever audits the bytes.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from devices.escpos import decode_bytes
from devices.escpos.paper_html import receipt_fragment
from devices.escpos.profiles import PROFILES
from harness.report.lines import read_ndjson

__all__ = ["HEXDUMP_LIMIT", "hexdump", "read_evidence", "scenario_evidence"]

#: At most this many bytes of a document are shown in its hexdump (the evidence file has all).
HEXDUMP_LIMIT = 16384

_COUNTED = ("link.rx", "link.tx", "printer.status_reply")


def hexdump(data: bytes, limit: int = HEXDUMP_LIMIT) -> str:
    """``data`` as offset, 16 hex bytes and their printable ASCII per line (``xxd``'s layout)."""
    lines = []
    for offset in range(0, min(len(data), limit), 16):
        chunk = data[offset : min(offset + 16, limit)]
        hexes = " ".join(f"{b:02x}" for b in chunk)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{offset:08x}  {hexes:<47}  {text}")
    if len(data) > limit:
        lines.append(f"… {len(data) - limit} more bytes in the evidence file")
    return "\n".join(lines)


def read_evidence(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The records of an evidence file and the problems met reading it (a line cut by a crash).

    Args:
        path: An ``evidence/<scenario id>.ndjson`` file.

    Returns:
        (records as dicts, problems in words); a missing file is one problem, not an error.
    """
    if not path.is_file():
        return [], [f"{path.name}: the evidence file is missing"]
    return read_ndjson(path, _evidence_record, "the rest of the file is shown")


def _evidence_record(record: dict[str, Any]) -> str | None:
    if not isinstance(record.get("kind"), str):
        return "not an evidence record"
    if not isinstance(record.get("seq"), int) or not isinstance(record.get("data", {}), dict):
        return "its seq is not a number or its data not an object"
    return None


def _raw(record: Mapping[str, Any]) -> bytes:
    try:
        return base64.b64decode(str(record.get("raw") or ""), validate=True)
    except (binascii.Error, ValueError):
        return b""


def _receipt(record: Mapping[str, Any], t: float) -> dict[str, Any]:
    data = record.get("data") or {}
    raw = _raw(record)
    found = data.get("summary")
    summary: dict[str, Any] = found if isinstance(found, dict) else {}
    profile = str(summary.get("profile") or "epson-tm-t88")
    view: dict[str, Any] = {
        "seq": record.get("seq"),
        "t": t,
        "source": record.get("source", ""),
        "number": data.get("number"),
        "text": str(data.get("text") or ""),
        "bytes": len(raw),
        "interrupted_after_lines": data.get("interrupted_after_lines"),
        "hexdump": hexdump(raw),
        "html": "",
        "anomalies": [],
    }
    if raw and profile in PROFILES:
        documents = decode_bytes(raw, profile)
        if documents:
            view["html"] = "\n".join(receipt_fragment(d) for d in documents)
            view["anomalies"] = [a.to_json() for d in documents for a in d.anomalies]
    return view


def _detail(kind: str, data: Mapping[str, Any]) -> str:
    """One line saying what an event was, from its decoded data (language-neutral facts)."""
    if kind == "drawer.kick":
        opened = "opened" if data.get("opened") else ("already open" if data.get("was_open") else "did not open")
        return f"pin {data.get('pin')} {data.get('on_ms')}/{data.get('off_ms')} ms ({data.get('source')}): {opened}"
    if kind == "drawer.sensor":
        return f"{'open' if data.get('open') else 'closed'} ({data.get('cause', '')})"
    if kind.startswith("terminal."):
        parts = [
            str(data.get(k)) for k in ("category", "kind", "result", "error_condition", "reference") if data.get(k)
        ]
        if data.get("amount_ore") is not None:
            parts.append(f"{int(data['amount_ore']) / 100:.2f} NOK")
        return " ".join(parts)
    if kind == "printer.document":
        return f"document {data.get('number')}"
    if kind == "journal.export":
        return f"{data.get('file', '')}: {data.get('transactions', 0)} transactions, {data.get('events', 0)} events"
    if kind == "manual.prompt":  # what the technician was asked to do at the till
        return f"{data.get('register') or ''} {data.get('verb', '')}: {data.get('text', '')}".strip()
    if kind == "manual.answer":  # and what they answered
        said = f" {data['typed']!r}" if data.get("typed") else ""
        why = f" ({data['reason']})" if data.get("reason") else ""
        return f"{data.get('register') or ''} {data.get('verb', '')}: {data.get('answer', '')}{said}{why}".strip()
    if kind == "profile.contradiction":
        return f"{data.get('subject', '')}: declared {data.get('declared', '')}; observed {data.get('observed', '')}"
    skip = {"summary", "text", "channel", "lines", "excerpt", "findings"}
    return ", ".join(f"{k} {v}" for k, v in data.items() if k not in skip and not isinstance(v, (dict, list)))


def scenario_evidence(records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Receipts, timeline, journal exports and byte counts of one scenario's evidence records.

    Every entry keeps its ``seq`` so a step (which names the range of evidence it produced)
    can show its own part. Times ``t`` are seconds since the scenario's first record.
    """
    records = list(records)
    start = min((float(r.get("mono") or 0.0) for r in records), default=0.0)
    receipts: list[dict[str, Any]] = []
    timeline: list[dict[str, Any]] = []
    journal: list[dict[str, Any]] = []
    counted: dict[str, int] = {}
    for record in records:
        kind = str(record.get("kind", ""))
        data = record.get("data") or {}
        t = round(float(record.get("mono") or 0.0) - start, 3)
        if kind in _COUNTED:
            counted[kind] = counted.get(kind, 0) + 1
            continue
        if kind == "printer.document":
            receipts.append(_receipt(record, t))
        if kind == "journal.export":
            journal.append({"seq": record.get("seq"), "t": t, **{k: v for k, v in data.items()}})
        timeline.append(
            {
                "seq": record.get("seq"),
                "t": t,
                "wall": record.get("wall", ""),
                "source": record.get("source", ""),
                "kind": kind,
                "detail": _detail(kind, data),
            }
        )
    return {"receipts": receipts, "timeline": timeline, "journal": journal, "counted": dict(sorted(counted.items()))}
