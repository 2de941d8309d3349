"""Law traceability: every scenario names a registered clause, every testable clause has scenarios.

The compliance suite's tags are its link to the law (ARCHITECTURE.md, "Clause
identifiers"): a clause tag on the feature, rule or scenario, and one stable scenario id
``@id_<clause>_<nnn>`` per scenario. These tests read every ``features/*.feature`` with
pytest-bdd's own parser, so they see the tags exactly as the suite does.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from pytest_bdd.feature import get_features

from harness.clauses import load_clauses
from harness.profile import CAPABILITIES

FEATURES = Path(__file__).resolve().parents[2] / "features"
SCENARIO_ID = re.compile(r"^id_(?P<clause>[a-z0-9_]+)_(?P<number>\d{3})$")


def _scenarios() -> list[tuple[str, str, set[str]]]:
    """(feature file, scenario name, every tag that applies to it)."""
    found = []
    for feature in get_features([str(FEATURES)]):
        for scenario in feature.scenarios.values():
            rule_tags = scenario.rule.tags if scenario.rule is not None else set()
            found.append((Path(feature.filename).name, scenario.name, set(scenario.tags) | feature.tags | rule_tags))
    return found


def test_the_suite_has_scenarios() -> None:
    assert _scenarios(), f"no scenarios found under {FEATURES}"


def _known(tag: str, clauses: set[str]) -> bool:
    if tag.startswith("needs_"):
        return tag.removeprefix("needs_") in CAPABILITIES
    return tag.startswith("id_") or tag in clauses


def test_every_tag_is_a_clause_a_scenario_id_or_a_capability() -> None:
    clauses = set(load_clauses())
    wrong = [f"{file}: {name}: @{tag}" for file, name, tags in _scenarios() for tag in tags if not _known(tag, clauses)]
    assert not wrong, (
        "tags that name no clause of features/clauses.toml and no capability of harness.profile:\n" + "\n".join(wrong)
    )


def test_every_scenario_has_one_stable_id_of_its_clause() -> None:
    problems = []
    for file, name, tags in _scenarios():
        ids = [t for t in tags if t.startswith("id_")]
        if len(ids) != 1:
            problems.append(f"{file}: {name}: {len(ids)} scenario ids (write exactly one @id_<clause>_<nnn>)")
            continue
        match = SCENARIO_ID.match(ids[0])
        if match is None or match["clause"] not in tags:
            problems.append(f"{file}: {name}: @{ids[0]} must be @id_<clause>_<nnn> for a clause tag it carries")
    assert not problems, "\n".join(problems)


def test_scenario_ids_are_unique() -> None:
    counts = Counter(t for _file, _name, tags in _scenarios() for t in tags if t.startswith("id_"))
    assert not [t for t, n in counts.items() if n > 1]


def _uncovered() -> list[str]:
    tagged = {t for _file, _name, tags in _scenarios() for t in tags}
    return [c.id for c in load_clauses().testable() if c.id not in tagged]


def test_every_testable_clause_has_a_scenario() -> None:
    uncovered = _uncovered()
    assert not uncovered, f"{len(uncovered)} testable clauses without a scenario: {', '.join(uncovered)}"
