"""The evidence log: what really happened at the till's peripherals.

Verdicts come from evidence, never from what a till driver claims (ARCHITECTURE.md,
"Evidence"). Every device and every link tap appends frozen :class:`EvidenceRecord`
entries to one :class:`EvidenceLog`: raw bytes received and sent, decoded documents,
drawer kicks and sensor changes, payment-terminal messages, anomalies. The log is
append-only, thread-safe (devices run on transport threads) and can be sliced by a
cursor so a step sees only what happened during that step.

Record kinds are free strings named ``<area>.<what>``; the ones the devices use are
listed in their modules (for example ``link.rx``, ``link.tx``, ``printer.document``,
``drawer.kick``, ``drawer.sensor``, ``terminal.request``). The log can be written to
NDJSON (one JSON object per line) and read back, so a run can be archived and audited.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

__all__ = ["EvidenceLog", "EvidenceRecord"]


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    """One thing that happened, as observed by a device or a link tap.

    Attributes:
        seq: Position in the log, from 1.
        source: Who observed it: a device or link name such as ``printer``, ``drawer``,
            ``terminal``, ``link:tcp://127.0.0.1:9100``.
        kind: What happened, ``<area>.<what>`` (``link.rx``, ``drawer.kick`` ...).
        data: Decoded details (JSON-serialisable values only).
        raw: The bytes involved, if any (received or sent data).
        mono: ``time.monotonic()`` when it was recorded (for ordering and durations).
        wall: UTC wall-clock time, ISO 8601 with microseconds (for the report).
    """

    seq: int
    source: str
    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    raw: bytes = b""
    mono: float = 0.0
    wall: str = ""

    def to_json(self) -> str:
        """One line of NDJSON; ``raw`` is base64 encoded."""
        return json.dumps(
            {
                "seq": self.seq,
                "source": self.source,
                "kind": self.kind,
                "data": self.data,
                "raw": base64.b64encode(self.raw).decode("ascii"),
                "mono": self.mono,
                "wall": self.wall,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, line: str) -> EvidenceRecord:
        """Parse a line written by :meth:`to_json`."""
        obj = json.loads(line)
        return cls(
            seq=int(obj["seq"]),
            source=str(obj["source"]),
            kind=str(obj["kind"]),
            data=dict(obj.get("data") or {}),
            raw=base64.b64decode(obj.get("raw") or ""),
            mono=float(obj.get("mono") or 0.0),
            wall=str(obj.get("wall") or ""),
        )


class EvidenceLog:
    """An append-only, thread-safe list of :class:`EvidenceRecord`.

    Args:
        stream: Optional text stream; every record is also written to it as one NDJSON
            line as soon as it is appended (a recording that survives a crash).

    Example:
        >>> log = EvidenceLog()
        >>> mark = log.cursor()
        >>> _ = log.append("drawer", "drawer.kick", pin=2, on_ms=100)
        >>> [r.kind for r in log.since(mark)]
        ['drawer.kick']
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self._records: list[EvidenceRecord] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._stream = stream
        self._listeners: list[Callable[[EvidenceRecord], None]] = []

    def append(self, source: str, kind: str, /, *, raw: bytes = b"", **data: Any) -> EvidenceRecord:
        """Record something that happened now; returns the record.

        ``source`` and ``kind`` are positional-only, so ``data`` may itself hold keys
        named ``source`` or ``kind`` (a drawer kick records the command as its source).
        """
        listeners: list[Callable[[EvidenceRecord], None]]
        with self._lock:
            record = EvidenceRecord(
                seq=len(self._records) + 1,
                source=source,
                kind=kind,
                data=data,
                raw=bytes(raw),
                mono=time.monotonic(),
                wall=datetime.now(UTC).isoformat(timespec="microseconds"),
            )
            self._records.append(record)
            if self._stream is not None:
                self._stream.write(record.to_json() + "\n")
                self._stream.flush()
            listeners = list(self._listeners)
            self._changed.notify_all()
        for listener in listeners:
            listener(record)
        return record

    def subscribe(self, listener: Callable[[EvidenceRecord], None]) -> None:
        """Call ``listener`` with every record appended from now on (on the appending thread)."""
        with self._lock:
            self._listeners.append(listener)

    def cursor(self) -> int:
        """A mark for :meth:`since`: the number of records so far."""
        with self._lock:
            return len(self._records)

    def since(self, cursor: int = 0, *, kind: str | None = None, source: str | None = None) -> list[EvidenceRecord]:
        """Records appended after ``cursor``, optionally only of one kind (prefix match) or source."""
        with self._lock:
            records = self._records[cursor:]
        return [
            r
            for r in records
            if (kind is None or r.kind == kind or r.kind.startswith(kind + "."))
            and (source is None or r.source == source)
        ]

    def wait_for(
        self,
        predicate: Callable[[EvidenceRecord], bool],
        *,
        after: int = 0,
        timeout: float = 5.0,
    ) -> EvidenceRecord | None:
        """Block until a record after ``after`` satisfies ``predicate``; ``None`` on timeout."""
        deadline = time.monotonic() + timeout
        checked = after
        with self._changed:
            while True:
                for record in self._records[checked:]:
                    if predicate(record):
                        return record
                checked = len(self._records)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._changed.wait(remaining)

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def __iter__(self) -> Iterator[EvidenceRecord]:
        with self._lock:
            return iter(list(self._records))

    def write_ndjson(self, path: str | Path) -> Path:
        """Write every record to ``path`` as NDJSON; returns the path."""
        target = Path(path)
        with target.open("w", encoding="utf-8") as out:
            for record in self:
                out.write(record.to_json() + "\n")
        return target

    @staticmethod
    def read_ndjson(lines: Iterable[str]) -> list[EvidenceRecord]:
        """Parse NDJSON lines (blank lines are skipped)."""
        return [EvidenceRecord.from_json(line) for line in lines if line.strip()]
