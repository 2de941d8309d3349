"""The report's model: everything a finished run folder says, as one JSON-ready dict.

:func:`build` reads what ``kassakontroll run --out RUN_DIR`` wrote --

* ``run.ndjson``: one verdict per scenario with its clauses and steps (:mod:`harness.pytest_plugin`);
* ``evidence/<scenario id>.ndjson``: what the devices saw (:mod:`harness.evidence`);
* ``summary.json``: target, selection, times, the lab and operator, counts, result;
* ``profile.json``: the capability profile the run used (:meth:`harness.profile.Profile.to_json`);
* ``fuzz.json`` (optional): a ``kassakontroll fuzz --out RUN_DIR`` run with its reproductions
  (an invariant the till broke there fails the run and is a finding) --

and the clause registry, and returns the model every format renders: the JSON report is
the model itself (without the rendered receipts and hexdumps, which the HTML adds), its
schema is ``reports/schema/report.schema.json``. Nothing in the model depends on when or
where it is rendered, so an archived run renders to identical files.

A damaged run folder (a run killed mid-scenario: a cut last line, a missing evidence file)
still renders; what could not be read is listed under ``problems``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from harness import version
from harness.clauses import Registry, load_clauses
from harness.pytest_plugin import VERDICTS
from harness.report.declaration import draft
from harness.report.evidence_view import read_evidence, scenario_evidence
from harness.report.findings import collect
from harness.report.lines import read_ndjson
from harness.report.matrix import (
    CLAUSE_VERDICTS,
    LAWS,
    cited_clauses,
    clause_verdicts,
    groups,
    overall,
    paragraph_of,
    source_link,
)

__all__ = ["SCHEMA_ID", "ReportError", "build", "catalogue_version", "read_run_log"]

#: The JSON report's schema id (``reports/schema/report.schema.json``); bumped when the model changes shape.
SCHEMA_ID = "kassakontroll-report/1"

#: The regulation versions the clause registry was written against.
_REGULATIONS = {
    "ksl": "LOV-2015-06-19-58",
    "ksf": "FOR-2015-12-18-1616, endret ved FOR-2016-07-06-901",
    "bff": "FOR-2004-12-01-1558 (kapittel 5 og 8)",
    "saft": "Norwegian SAF-T Cash Register data 1.00; code lists; signature guidelines",
}


class ReportError(ValueError):
    """The folder is not a run folder; the message says what to give instead."""


def read_run_log(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The records of ``run.ndjson`` and the lines that could not be read (a run killed mid-write)."""
    return read_ndjson(path, _scenario_record, "that scenario is not in the report")


def _scenario_record(record: dict[str, Any]) -> str | None:
    if record.get("verdict") not in VERDICTS:
        return f"not a scenario verdict (one of {', '.join(VERDICTS)})"
    if not isinstance(record.get("clauses", []), list) or not isinstance(record.get("steps", []), list):
        return "its clauses or steps are not lists"
    return None


def _json_file(path: Path, problems: list[str]) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        problems.append(f"{path.name}: unreadable ({exc})")
        return None
    if not isinstance(value, dict):
        problems.append(f"{path.name}: not a JSON object")
        return None
    return value


def catalogue_version(path: Path | None = None) -> str:
    """The clause registry's identity: ``sha256:<first 12 hex digits>`` of ``features/clauses.toml``."""
    source = path or Path(str(resources.files("features") / "clauses.toml"))
    return "sha256:" + hashlib.sha256(source.read_bytes()).hexdigest()[:12]


def _steps(record: Mapping[str, Any], evidence: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[int]]:
    """The steps with the seq numbers of the receipts and events each produced; and the seqs outside every step."""
    steps: list[dict[str, Any]] = []
    inside: set[int] = set()
    for step in record.get("steps") or ():
        entry = {k: step.get(k) for k in ("keyword", "type", "text", "line", "outcome", "seconds", "evidence")}
        span = step.get("evidence")
        seqs: list[int] = []
        if isinstance(span, list) and len(span) == 2:
            first, last = int(span[0]), int(span[1])
            seqs = [e["seq"] for e in evidence["timeline"] if first <= e["seq"] <= last]
        entry["events"] = seqs
        inside.update(seqs)
        steps.append(entry)
    outside = [e["seq"] for e in evidence["timeline"] if e["seq"] not in inside]
    return steps, outside


def _scenario(run_dir: Path, record: Mapping[str, Any], problems: list[str]) -> dict[str, Any]:
    sid = str(record.get("scenario_id") or record.get("nodeid", ""))
    evidence: dict[str, Any] = {
        "file": None, "sha256": None, "receipts": [], "timeline": [], "journal": [], "counted": {},
    }  # fmt: skip
    relative = record.get("evidence")
    if relative:
        path = run_dir / str(relative)
        records, trouble = read_evidence(path)
        problems.extend(trouble)
        evidence.update(scenario_evidence(records))
        evidence["file"] = str(relative)
        evidence["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    steps, outside = _steps(record, evidence)
    return {
        "id": sid,
        "nodeid": str(record.get("nodeid", "")),
        "name": str(record.get("name", "")),
        "feature": str(record.get("feature") or str(record.get("nodeid", "")).split("::", 1)[0]),
        "clauses": list(record.get("clauses") or []),
        "verdict": str(record["verdict"]),
        "reason": str(record.get("reason", "")),
        "seconds": record.get("seconds"),
        "steps": steps,
        "outside_steps": outside,
        "contradictions": list(record.get("contradictions") or []),
        "evidence": evidence,
    }


def _clauses(registry: Registry, verdicts: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for clause_id, clause in registry.items():
        law = clause_id.split("_", 1)[0]
        result[clause_id] = {
            "citation": clause.citation,
            "title": dict(clause.title),
            "paraphrase": dict(clause.paraphrase),
            "status": clause.status,
            "observe": list(clause.observe),
            "testable": clause.testable,
            "review": dict(clause.review) if clause.review else None,
            "url": source_link(law, paragraph_of(clause)),
            **verdicts[clause_id],
        }
    return result


def _fuzz_broke(fuzz: Mapping[str, Any] | None) -> bool:
    """The random operation sequences made the till break an invariant (the run then fails)."""
    failures = (fuzz or {}).get("failures") or []
    return any(isinstance(f, Mapping) and f.get("kind") == "invariant" for f in failures)


def build(run_dir: Path, *, registry: Registry | None = None, lab: str = "", operator: str = "") -> dict[str, Any]:
    """The report model of the run in ``run_dir`` (see the module docstring).

    Args:
        run_dir: The folder ``kassakontroll run --out`` wrote.
        registry: The clause registry (default: the installed ``features/clauses.toml``).
        lab: The lab's name, if not recorded by the run (``--lab``).
        operator: Who ran it, if not recorded by the run (``--operator``).

    Raises:
        ReportError: ``run_dir`` holds no ``run.ndjson``.
    """
    log = run_dir / "run.ndjson"
    if not log.is_file():
        raise ReportError(
            f"{run_dir} has no run.ndjson: give the folder that `kassakontroll run --out DIR` wrote "
            "(it holds run.ndjson, evidence/ and summary.json)"
        )
    registry = registry if registry is not None else load_clauses()
    records, problems = read_run_log(log)
    summary = _json_file(run_dir / "summary.json", problems) or {}
    profile = _json_file(run_dir / "profile.json", problems)
    fuzz = _json_file(run_dir / "fuzz.json", problems)
    if not summary:
        problems.append("summary.json is missing: the run did not finish; the report covers the scenarios logged")
    scenarios = [_scenario(run_dir, record, problems) for record in records]
    verdicts = clause_verdicts(registry, records)
    contradictions = [
        {**c, "scenarios": list(dict.fromkeys(c.get("scenarios") or []))}  # seen twice in one scenario: once
        for c in summary.get("contradictions") or []
        if isinstance(c, dict)
    ]
    complete = bool(summary) and summary.get("result") not in ("interrupted", "broken", "target")
    scenario_counts: dict[str, int] = {}
    for scenario in scenarios:
        scenario_counts[scenario["verdict"]] = scenario_counts.get(scenario["verdict"], 0) + 1
    clause_counts = {v: sum(1 for c in verdicts.values() if c["verdict"] == v) for v in CLAUSE_VERDICTS}
    identity = (profile or {}).get("identity") or {}
    return {
        "schema": SCHEMA_ID,
        "identity": {
            "harness": {"name": "kassakontroll", "version": version()},
            "catalogue": {
                "version": catalogue_version(),
                "clauses": len(registry),
                "testable": len(registry.testable()),
            },
            "regulations": [
                {"law": law, "name": LAWS[law]["name"], "version": version, "url": LAWS[law]["url"]}
                for law, version in _REGULATIONS.items()
            ],
            "run": {
                "target": str(summary.get("target", "")),
                "started": str(summary.get("started", "")),
                "finished": str(summary.get("finished", "")),
                "seconds": summary.get("seconds"),
                "keyword": summary.get("keyword"),
                "markexpr": summary.get("markexpr"),
                "result": str(summary.get("result", "")),
                "exit_code": summary.get("exit_code"),
                "lab": str(summary.get("lab") or lab),
                "operator": str(summary.get("operator") or operator),
            },
            "target": {k: str(identity.get(k, "")) for k in ("producer", "system", "version", "system_id")},
        },
        "verdict": overall(verdicts, bool(contradictions), complete, broken=_fuzz_broke(fuzz)),
        "counts": {"scenarios": dict(sorted(scenario_counts.items())), "clauses": clause_counts},
        "matrix": groups(registry, verdicts),
        "clauses": _clauses(registry, verdicts),
        "scenarios": scenarios,
        "findings": collect(scenarios, fuzz, lambda text: cited_clauses(text, registry)),
        "contradictions": contradictions,
        "declaration": draft(profile, verdicts, registry, contradictions),
        "review": [clause.id for clause in registry.review_only()],
        "profile": profile,
        "fuzz": fuzz,
        "problems": problems,
    }
