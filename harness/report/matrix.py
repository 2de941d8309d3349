"""The clause matrix: one verdict per clause of the registry, grouped by law and paragraph.

A clause's verdict comes from the verdicts of the scenarios tagged with it in the run log
(``run.ndjson``), never from anything a till claims:

=======================  =========================================================================
``FAIL``                 a scenario of the clause failed (a known deviation that passes fails too:
                         the run log already says ``failed`` for it)
``KNOWN DEVIATION``      none failed, but one is a known deviation the lab accepted until a date
``NOT AUTOMATED``        none failed, but a scenario could not be automated on this target
``NOT TESTED``           testable, but no scenario of it ran (a ``-k``/``-m`` selection, an
                         interrupted run, or a skipped scenario)
``PASS``                 every scenario that applies passed
``NOT APPLICABLE``       every scenario was not applicable to the profile (a function the till
                         does not have, e.g. treningsmodus -- kassasystemforskrifta § 2-6 tredje ledd)
``DOCUMENTATION REVIEW`` no black-box test can decide it (``testable = false`` in the registry);
                         the report's checklist says what to review (systembeskriving, produktfråsegn)
=======================  =========================================================================

The groups are the laws (kassasystemlova, kassasystemforskrifta, bokføringsforskrifta, the
SAF-T documents) and, within them, the paragraph the citation names, each with its link to
Lovdata (or to Skatteetaten's SAF-T pages).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from harness.clauses import Clause, Registry

__all__ = [
    "CLAUSE_VERDICTS",
    "LAWS",
    "cited_clauses",
    "clause_verdicts",
    "groups",
    "overall",
    "paragraph_of",
    "source_link",
]

#: Every clause verdict, worst first (the order the report sorts and counts them in).
CLAUSE_VERDICTS = (
    "FAIL",
    "KNOWN DEVIATION",
    "NOT AUTOMATED",
    "NOT TESTED",
    "PASS",
    "NOT APPLICABLE",
    "DOCUMENTATION REVIEW",
)

#: The laws by clause-id prefix: name, official reference and the link to its text.
LAWS: dict[str, dict[str, str]] = {
    "ksl": {
        "name": "kassasystemlova",
        "reference": "LOV-2015-06-19-58",
        "url": "https://lovdata.no/lov/2015-06-19-58",
    },
    "ksf": {
        "name": "kassasystemforskrifta",
        "reference": "FOR-2015-12-18-1616",
        "url": "https://lovdata.no/forskrift/2015-12-18-1616",
    },
    "bff": {
        "name": "bokføringsforskrifta",
        "reference": "FOR-2004-12-01-1558",
        "url": "https://lovdata.no/forskrift/2004-12-01-1558",
    },
    "saft": {
        "name": "SAF-T Cash Register (Skatteetaten)",
        "reference": "Norwegian SAF-T Cash Register data v1.00",
        "url": "https://www.skatteetaten.no/en/business-and-organisation/start-and-run/"
        "best-practices-accounting-and-cash-register-systems/saf-t-cash-register/",
    },
}

_SAFT_PARTS = {
    "fmt": "format and schema",
    "codes": "code lists",
    "sig": "digital signatures",
}
_PARAGRAPH = re.compile(r"§\s*(\d+(?:-\d+)*)")


def paragraph_of(clause: Clause) -> str:
    """The paragraph a clause belongs to (``2-8-2``), the SAF-T part (``sig``), or ``""`` if the citation has none."""
    law = clause.id.split("_", 1)[0]
    if law == "saft":
        return clause.id.split("_")[1]
    # the first § of the citation is the clause's own law (a second one cites a related act)
    found = _PARAGRAPH.search(clause.citation)
    return found.group(1) if found else ""


def source_link(law: str, paragraph: str) -> str:
    """The address of a paragraph's text: Lovdata for the laws (``…/§2-8-2``), Skatteetaten for SAF-T."""
    base = LAWS[law]["url"]
    if law == "saft" or not paragraph:
        return base
    return f"{base}/§{paragraph}"


def cited_clauses(text: str, registry: Registry) -> list[str]:
    """The clauses ``text`` cites by their citation (``kassasystemforskrifta § 2-6 fjerde ledd`` -> ``ksf_2_6_l4``).

    Only the most specific: a clause whose citation is part of another cited one's is left out
    (``§ 2-6`` when ``§ 2-6 fjerde ledd`` is cited).
    """
    found = [c for c in registry.values() if c.citation in text]
    return [c.id for c in found if not any(o is not c and c.citation in o.citation for o in found)]


def _verdict(clause: Clause, scenario_verdicts: list[str]) -> str:
    if not clause.testable:
        return "DOCUMENTATION REVIEW"
    ran = [v for v in scenario_verdicts if v != "skipped"]
    if not ran:
        return "NOT TESTED"
    if "failed" in ran:
        return "FAIL"
    if "known deviation" in ran:
        return "KNOWN DEVIATION"
    if "not automated" in ran:
        return "NOT AUTOMATED"
    if all(v == "not applicable" for v in ran):
        return "NOT APPLICABLE"
    return "PASS"


def clause_verdicts(registry: Registry, records: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each clause's verdict with the scenarios behind it, in the order of the registry.

    Args:
        registry: The clause registry.
        records: The run log's records (``clauses``, ``scenario_id``, ``verdict``).

    Returns:
        clause id -> ``{"verdict": …, "scenarios": [ids], "counts": {scenario verdict: n}}``.
    """
    seen: dict[str, list[tuple[str, str]]] = {clause_id: [] for clause_id in registry}
    for record in records:
        for clause_id in record.get("clauses") or ():
            if clause_id in seen:
                seen[clause_id].append((str(record.get("scenario_id") or record.get("nodeid")), str(record["verdict"])))
    result: dict[str, dict[str, Any]] = {}
    for clause_id, clause in registry.items():
        pairs = seen[clause_id]
        counts: dict[str, int] = {}
        for _sid, verdict in pairs:
            counts[verdict] = counts.get(verdict, 0) + 1
        result[clause_id] = {
            "verdict": _verdict(clause, [v for _sid, v in pairs]),
            "scenarios": sorted({sid for sid, _v in pairs}),
            "counts": dict(sorted(counts.items())),
        }
    return result


def overall(verdicts: Mapping[str, Mapping[str, Any]], contradicted: bool, complete: bool, broken: bool = False) -> str:
    """The summary verdict of the run.

    ``FAIL`` if a clause failed, the profile contradicts what the till did, or ``broken``: the
    random operation sequences made the till break an invariant; ``INCOMPLETE``
    if none failed but some testable clause was not automated, not tested or a known
    deviation, or the run did not finish; ``PASS`` otherwise (documentation review is still
    needed for the clauses the checklist lists -- the report says so beside the verdict).
    """
    found = {v["verdict"] for v in verdicts.values()}
    if "FAIL" in found or contradicted or broken:
        return "FAIL"
    if found & {"KNOWN DEVIATION", "NOT AUTOMATED", "NOT TESTED"} or not complete:
        return "INCOMPLETE"
    return "PASS"


def groups(registry: Registry, verdicts: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The matrix rows grouped by law, then paragraph, in the registry's (the law's) order.

    Returns:
        ``[{"law", "name", "reference", "url", "paragraphs": [{"paragraph", "url", "clauses": [ids]}]}]``.
    """
    laws: dict[str, dict[str, Any]] = {}
    for clause_id, clause in registry.items():
        law = clause_id.split("_", 1)[0]
        entry = laws.setdefault(law, {"law": law, **LAWS[law], "paragraphs": []})
        paragraph = paragraph_of(clause)
        paragraphs: list[dict[str, Any]] = entry["paragraphs"]
        row = next((p for p in paragraphs if p["paragraph"] == paragraph), None)
        if row is None:
            label = _SAFT_PARTS.get(paragraph, paragraph) if law == "saft" else paragraph
            row = {"paragraph": paragraph, "label": label, "url": source_link(law, paragraph), "clauses": []}
            paragraphs.append(row)
        row["clauses"].append(clause_id)
    for entry in laws.values():
        for paragraph in entry["paragraphs"]:
            worst = [verdicts[c]["verdict"] for c in paragraph["clauses"]]
            paragraph["verdict"] = min(worst, key=CLAUSE_VERDICTS.index)
    return list(laws.values())
