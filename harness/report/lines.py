"""Reading the run folder's NDJSON files line by line, keeping what can be read.

A run killed mid-write leaves a cut last line; a hand-edited or damaged file may hold lines
that are JSON but not the record they should be. :func:`read_ndjson` returns the good
records and says, per bad line, what was wrong and what the report does about it, so one
damaged line never costs the rest of the file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["read_ndjson"]


def read_ndjson(
    path: Path, check: Callable[[dict[str, Any]], str | None], consequence: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """The JSON objects of ``path`` that ``check`` accepts, and a problem line for every other line.

    Args:
        path: An NDJSON file (blank lines are skipped).
        check: Says what is wrong with a parsed object (``None`` if it is a good record).
        consequence: What the report does about a bad line (``"the rest of the file is shown"``).

    Returns:
        (records, problems): ``"<file> line <n>: unreadable (<why>); <consequence>"`` per bad line.
    """
    records: list[dict[str, Any]] = []
    problems: list[str] = []
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError as exc:
                problems.append(f"{path.name} line {number}: unreadable ({exc}); {consequence}")
                continue
            wrong = check(record) if isinstance(record, dict) else "not a JSON object"
            if wrong:
                problems.append(f"{path.name} line {number}: unreadable ({wrong}); {consequence}")
                continue
            records.append(record)
    return records, problems
