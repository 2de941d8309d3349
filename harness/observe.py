"""What the till did, read from the evidence log: the only ground the Then steps judge on.

Small, typed views over :class:`~harness.evidence.EvidenceLog` records: the documents a
kassapunkt's printer received (decoded text and per-line glyph sizes), the drawer kicks
and sensor changes. Every view takes a ``since`` cursor, so a step sees what happened
during its own scenario (or step) only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.evidence import EvidenceLog

__all__ = ["Printed", "drawer_kicks", "drawer_openings", "printed"]


@dataclass(frozen=True, slots=True)
class Printed:
    """One document a printer cut off (a receipt, a report, a copy).

    Attributes:
        text: The decoded text, one line per printed line (enlarged lines marked ``[WxH]``).
        lines: Each printed line's text and its glyph size (width × height multiples).
        raw: The bytes the till sent for the document.
        seq: Position in the evidence log.
    """

    text: str
    lines: tuple[tuple[str, int, int], ...]
    raw: bytes
    seq: int

    def contains(self, words: str) -> bool:
        """True if a printed line contains ``words`` (case-sensitive, as printed)."""
        return any(words in line for line, _w, _h in self.lines)

    def first_text_line(self) -> str:
        """The first line with printed text (the document's heading)."""
        return next((line.strip() for line, _w, _h in self.lines if line.strip()), "")

    def size_of(self, words: str) -> tuple[int, int] | None:
        """Glyph size (width, height multiples) of the first line containing ``words``."""
        return next(((w, h) for line, w, h in self.lines if words in line), None)


def _lines(summary: Any) -> tuple[tuple[str, int, int], ...]:
    found = []
    for item in summary.get("items", []) if isinstance(summary, dict) else []:
        runs = item.get("runs") if isinstance(item, dict) else None
        if not runs:
            continue
        text = "".join(str(run.get("text", "")) for run in runs)
        width = max((int(run.get("width", 1)) for run in runs if str(run.get("text", "")).strip()), default=1)
        height = max((int(run.get("height", 1)) for run in runs if str(run.get("text", "")).strip()), default=1)
        found.append((text, width, height))
    return tuple(found)


def printed(evidence: EvidenceLog, register: str, since: int = 0) -> list[Printed]:
    """The documents the printer of kassapunkt ``register`` received after cursor ``since``."""
    return [
        Printed(
            text=str(record.data.get("text", "")),
            lines=_lines(record.data.get("summary")),
            raw=record.raw,
            seq=record.seq,
        )
        for record in evidence.since(since, kind="printer.document", source=f"{register}/printer")
    ]


def drawer_kicks(evidence: EvidenceLog, register: str, since: int = 0) -> int:
    """How many times the drawer of ``register`` was kicked after ``since``."""
    return len(evidence.since(since, kind="drawer.kick", source=f"{register}/drawer"))


def drawer_openings(evidence: EvidenceLog, register: str, since: int = 0) -> int:
    """How many times the drawer's sensor reported it opening after ``since``."""
    records = evidence.since(since, kind="drawer.sensor", source=f"{register}/drawer")
    return sum(1 for r in records if r.data.get("open") is True)
