"""The run log's ``steps``: each scenario's Gherkin steps with outcome, duration and evidence range."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import harness.targets.reference  # noqa: F401  (see below)
from harness.evidence import EvidenceLog, EvidenceRecord

# pytester's in-process runs drop the modules a run imported; the reference till's
# ``cryptography`` bindings must not be imported twice, so they are imported here, once.

CONFTEST = """
import pytest
from harness.targets import NotSupportedByTarget
from pytest_bdd import given, parsers, then, when


@given("kassapunkt K1 is open")
def opened(till):
    till.open_register(till.registers[0], "1001")


@when(parsers.parse('the operator sells article "{article}" for cash'))
def sell(till, article):
    register = till.registers[0]
    till.add_item(register, article)
    till.pay_cash(register)
    till.conclude(register)
    till.close_drawer(register)


@when("the operator waits")
def waits():
    pass


@when("the operator does what the till cannot")
def cannot():
    raise NotSupportedByTarget("reference://", "fly")


@then("the till is fine")
def fine():
    pass


@then("the rule is broken")
def broken():
    assert False, "broken on purpose"


@then("the step finds the function missing")
def missing():
    pytest.skip("not applicable: the till has no such function")
"""

FEATURE = """Feature: steps in the run log
  Background:
    Given kassapunkt K1 is open

  @ksf_2_6_l4
  Rule: copies
    @id_ksf_2_6_l4_900
    Scenario: a scenario that passes
      When the operator sells article "1001" for cash
      And the operator waits
      Then the till is fine

    @id_ksf_2_6_l4_901
    Scenario: a scenario that fails
      When the operator sells article "1002" for cash
      Then the rule is broken
      But the till is fine

    @id_ksf_2_6_l4_902 @needs_tips
    Scenario: a scenario the profile rules out
      When the operator waits
      Then the till is fine

    @id_ksf_2_6_l4_903
    Scenario: a scenario the target cannot automate
      When the operator does what the till cannot
      Then the till is fine

    @id_ksf_2_6_l4_904
    Scenario: a scenario with a step nobody wrote
      When the operator dances
      Then the till is fine

    @id_ksf_2_6_l4_905
    Scenario Outline: an outline
      When the operator sells article "<article>" for cash
      Then the till is fine

      Examples:
        | article |
        | 1001    |
        | 1002    |

    @id_ksf_2_6_l4_906
    Scenario: a scenario a step skips
      When the operator sells article "1001" for cash
      Then the step finds the function missing
      And the till is fine
"""


def _step(keyword: str, kind: str, text: str, line: int, outcome: str) -> dict[str, Any]:
    return {"keyword": keyword, "type": kind, "text": text, "line": line, "outcome": outcome}


def _shape(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The steps without the measured fields (seconds, evidence)."""
    return [{k: v for k, v in step.items() if k not in ("seconds", "evidence")} for step in steps]


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST)
    pytester.makefile(".feature", steps=FEATURE)
    pytester.makepyfile(test_steps="from pytest_bdd import scenarios\nscenarios('steps.feature')\n")
    return pytester


Run = tuple[Path, dict[str, dict[str, Any]]]


def _run(suite: pytest.Pytester, selection: str) -> Run:
    """Run the scenarios ``-k selection`` against the reference till; the run log's folder and records by test name."""
    out = Path(suite.path) / "out"
    result = suite.runpytest(
        "--target",
        "reference://",
        "--run-log",
        str(out / "run.ndjson"),
        "--evidence-dir",
        str(out / "evidence"),
        "-p",
        "no:cacheprovider",
        "-k",
        selection,
    )
    assert result.ret in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED), result.stdout.str()
    records: dict[str, dict[str, Any]] = {}
    for line in (out / "run.ndjson").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        records[record["nodeid"].split("::")[-1]] = record
    return out, records


def _record(records: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    found = [r for key, r in records.items() if key.startswith("test_" + name)]
    assert len(found) == 1, sorted(records)
    return found[0]


def _evidence(folder: Path, record: dict[str, Any]) -> list[EvidenceRecord]:
    return EvidenceLog.read_ndjson((folder / record["evidence"]).read_text(encoding="utf-8").splitlines())


def _check_ranges(folder: Path, record: dict[str, Any]) -> dict[int, list[EvidenceRecord]]:
    """Each step's evidence records (by step index); the ranges are ordered, disjoint and in the file."""
    evidence = _evidence(folder, record)
    seqs = [r.seq for r in evidence]
    assert seqs == sorted(set(seqs)) and (not seqs or seqs[-1] - seqs[0] == len(seqs) - 1), "a gap in the file"
    by_step: dict[int, list[EvidenceRecord]] = {}
    last = 0
    for index, step in enumerate(record["steps"]):
        if step["evidence"] is None:
            continue
        first, final = step["evidence"]
        assert last < first <= final, record["steps"]
        last = final
        by_step[index] = [r for r in evidence if first <= r.seq <= final]
        assert [r.seq for r in by_step[index]] == list(range(first, final + 1)), "the file lacks records of the step"
    return by_step


def test_a_passing_scenario_lists_its_steps_with_their_evidence(
    suite: pytest.Pytester,
) -> None:
    folder, records = _run(suite, "passes")
    record = _record(records, "a_scenario_that_passes")
    assert record["verdict"] == "passed"
    assert record["feature"] == "steps.feature"
    assert _shape(record["steps"]) == [
        _step("Given", "given", "kassapunkt K1 is open", 3, "passed"),
        _step("When", "when", 'the operator sells article "1001" for cash', 9, "passed"),
        _step("And", "when", "the operator waits", 10, "passed"),
        _step("Then", "then", "the till is fine", 11, "passed"),
    ]
    assert all(isinstance(s["seconds"], float) and s["seconds"] >= 0 for s in record["steps"])
    by_step = _check_ranges(folder, record)
    assert 1 in by_step, "the sale left no evidence"
    assert any(r.kind == "printer.document" for r in by_step[1]), [r.kind for r in by_step[1]]
    assert record["steps"][2]["evidence"] is None  # waiting appends nothing
    assert record["steps"][3]["evidence"] is None
    printed = [r.seq for r in _evidence(folder, record) if r.kind == "printer.document"]
    first, final = record["steps"][1]["evidence"]
    assert all(first <= seq <= final for seq in printed)


def test_the_steps_after_a_failing_step_are_not_run(suite: pytest.Pytester) -> None:
    folder, records = _run(suite, "fails")
    record = _record(records, "a_scenario_that_fails")
    assert record["verdict"] == "failed"
    assert _shape(record["steps"]) == [
        _step("Given", "given", "kassapunkt K1 is open", 3, "passed"),
        _step("When", "when", 'the operator sells article "1002" for cash', 15, "passed"),
        _step("Then", "then", "the rule is broken", 16, "failed"),
        _step("But", "then", "the till is fine", 17, "not run"),
    ]
    assert record["steps"][1]["evidence"] is not None
    assert record["steps"][2]["evidence"] is None
    assert record["steps"][3] == {**record["steps"][3], "seconds": 0.0, "evidence": None}
    _check_ranges(folder, record)


def test_a_scenario_skipped_before_its_steps_lists_them_not_run(
    suite: pytest.Pytester,
) -> None:
    _folder, records = _run(suite, "rules_out")
    record = _record(records, "a_scenario_the_profile_rules_out")
    assert record["verdict"] == "not applicable"
    assert record["feature"] == "steps.feature"
    assert _shape(record["steps"]) == [
        _step("Given", "given", "kassapunkt K1 is open", 3, "not run"),
        _step("When", "when", "the operator waits", 21, "not run"),
        _step("Then", "then", "the till is fine", 22, "not run"),
    ]
    assert all(s["evidence"] is None and s["seconds"] == 0.0 for s in record["steps"])


def test_a_verb_the_target_lacks_makes_its_step_not_automated(
    suite: pytest.Pytester,
) -> None:
    _folder, records = _run(suite, "cannot_automate")
    record = _record(records, "a_scenario_the_target_cannot_automate")
    assert record["verdict"] == "not automated"
    assert [s["outcome"] for s in record["steps"]] == ["passed", "not automated", "not run"]


def test_a_step_without_definition_fails_and_the_rest_are_not_run(
    suite: pytest.Pytester,
) -> None:
    _folder, records = _run(suite, "nobody_wrote")
    record = _record(records, "a_scenario_with_a_step_nobody_wrote")
    assert record["verdict"] == "failed"
    assert [(s["text"], s["outcome"]) for s in record["steps"]] == [
        ("kassapunkt K1 is open", "passed"),
        ("the operator dances", "failed"),
        ("the till is fine", "not run"),
    ]
    assert record["steps"][1]["evidence"] is None


def test_an_outline_lists_the_steps_of_its_example(suite: pytest.Pytester) -> None:
    folder, records = _run(suite, "outline")
    outlines = sorted((r for key, r in records.items() if key.startswith("test_an_outline")), key=lambda r: r["nodeid"])
    assert [r["steps"][1]["text"] for r in outlines] == [
        'the operator sells article "1001" for cash',
        'the operator sells article "1002" for cash',
    ]
    assert {r["steps"][1]["line"] for r in outlines} == {36}
    for record in outlines:
        assert record["verdict"] == "passed"
        _check_ranges(folder, record)


def test_a_step_that_skips_the_scenario_is_skipped_and_the_rest_not_run(suite: pytest.Pytester) -> None:
    folder, records = _run(suite, "step_skips")
    record = _record(records, "a_scenario_a_step_skips")
    assert record["verdict"] == "not applicable"
    assert [(s["line"], s["outcome"]) for s in record["steps"]] == [
        (3, "passed"),
        (46, "passed"),
        (47, "skipped"),
        (48, "not run"),
    ]
    assert record["steps"][1]["evidence"] is not None
    assert record["steps"][2]["evidence"] is None
    _check_ranges(folder, record)
