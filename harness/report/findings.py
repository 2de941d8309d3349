"""The run's findings, de-duplicated: what is wrong, how often, where, and which clause says so.

Four sources, each merged by what it says rather than where it was seen, so a till that
prints the same wrong receipt in forty scenarios gets one finding counted forty times:

* ``scenario`` -- a failed scenario's reason (the first line of its assertion message);
* ``journal`` -- the SAF-T verifier's findings in the journal exports the steps took
  (``journal.export`` evidence records), merged by rule: the message of the first is the
  example (the others differ in the values they quote);
* ``printer`` -- anomalies of the ESC/POS byte stream (an unknown command, a truncated one);
* ``fuzz`` -- a failure of the random operation sequences (``fuzz.json``): an invariant the
  till broke (an error) or a run the fuzz could not finish (a warning), with the clauses its
  message cites.

Each finding keeps its clauses so the report can say what the law requires beside it. The
profile's contradictions with the till are not findings here: the run merged them already
(``summary.json``) and the report lists them beside the findings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["SEVERITIES", "collect"]

#: Severities, worst first.
SEVERITIES = ("fatal", "error", "warning", "info")


def _first_line(text: str) -> str:
    """The message's first line (what follows is the evidence it quotes, e.g. the receipt's text)."""
    for line in text.splitlines():
        if line.strip():
            return line.strip().rstrip(":")
    return ""


def _add(
    found: dict[tuple[str, ...], dict[str, Any]], key: tuple[str, ...], scenario: str, count: int, **fields: Any
) -> None:
    entry = found.get(key)
    if entry is None:
        entry = found[key] = {"where": "", **fields, "count": 0, "scenarios": []}
    entry["count"] += count
    if not entry.get("where") and fields.get("where"):
        entry["where"] = fields["where"]
    if scenario and scenario not in entry["scenarios"]:
        entry["scenarios"].append(scenario)


def collect(
    scenarios: Iterable[Mapping[str, Any]],
    fuzz: Mapping[str, Any] | None = None,
    cite: Callable[[str], list[str]] = lambda text: [],
) -> list[dict[str, Any]]:
    """The de-duplicated findings of the report's scenarios (and fuzz run), worst and most frequent first.

    Args:
        scenarios: The report's scenario entries (``id``, ``verdict``, ``reason``, ``clauses``,
            ``contradictions`` and ``evidence`` with ``journal`` and ``receipts``).
        fuzz: ``fuzz.json`` of the run folder, if there is one.
        cite: The clause ids a message cites (:func:`harness.report.matrix.cited_clauses`).

    Returns:
        ``[{"where", "source", "rule", "severity", "clauses", "message": {"nb", "en"}, "count", "scenarios"}]``;
        ``where`` is the first place it was seen (register, nr, element, line), if its source says.
    """
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    for scenario in scenarios:
        sid = str(scenario.get("id", ""))
        if scenario.get("verdict") == "failed":
            line = _first_line(str(scenario.get("reason", ""))) or "failed"
            clauses = list(scenario.get("clauses") or [])
            _add(
                found, ("scenario", line, *clauses), sid, 1,
                source="scenario", rule="", severity="error", clauses=clauses, message={"nb": line, "en": line},
            )  # fmt: skip
        evidence = scenario.get("evidence") or {}
        places: set[tuple[str, str, str]] = set()  # a scenario that exports twice shows the same finding twice
        for export in evidence.get("journal") or ():
            for finding in export.get("findings") or ():
                place = (str(finding.get("rule", "")), str(finding.get("where") or ""), str(finding.get("count")))
                if place in places:
                    continue
                places.add(place)
                severity = str(finding.get("severity", "error")).lower()
                if severity == "info":
                    continue  # a remark, not something wrong: the step's journal excerpt shows it
                message = finding.get("message") or {}
                if not isinstance(message, Mapping):
                    message = {"nb": str(message), "en": str(message)}
                clause = str(finding.get("clause") or "")
                _add(
                    found, ("journal", str(finding.get("rule", ""))), sid,
                    int(finding.get("count") or 1), source="journal", rule=str(finding.get("rule", "")),
                    severity=severity if severity in SEVERITIES else "error", clauses=[clause] if clause else [],
                    message={"nb": str(message.get("nb") or message.get("en", "")), "en": str(message.get("en", ""))},
                    where=str(finding.get("where") or ""),
                )  # fmt: skip
        for receipt in evidence.get("receipts") or ():
            for anomaly in receipt.get("anomalies") or ():
                name = str(anomaly.get("name", ""))
                note = str(anomaly.get("note", ""))
                _add(
                    found, ("printer", name, note), sid, 1, source="printer", rule=name, severity="warning",
                    clauses=[], message={"nb": f"{name}: {note}", "en": f"{name}: {note}"},
                )  # fmt: skip
    for failure in (fuzz or {}).get("failures") or ():
        message = str(failure.get("message", ""))
        broke = failure.get("kind") == "invariant"
        _add(
            found, ("fuzz", message), "", 1, source="fuzz", rule=str(failure.get("kind", "")),
            severity="error" if broke else "warning", clauses=cite(message), message={"nb": message, "en": message},
        )  # fmt: skip
    ordered = sorted(
        found.values(), key=lambda f: (SEVERITIES.index(f["severity"]), -f["count"], f["source"], f["message"]["en"])
    )
    for entry in ordered:
        entry["scenarios"].sort()
    return ordered
