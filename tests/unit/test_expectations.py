"""Known deviations: the expectations file, and how the plugin turns it into strict xfails."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from harness.expectations import ExpectationsError, load_expectations
from tests.unit.minimal_till import MINIMAL_CONFTEST

CONFTEST = (
    MINIMAL_CONFTEST
    + """

@then("the rule holds")
def holds(): pass


@then("the rule is broken")
def broken(): assert False, "the till printed two copies"
"""
)

FEATURE = """
Feature: expectations
  @ksf_2_6_l4
  Rule: copies
    @id_ksf_2_6_l4_900
    Scenario: a rule the till breaks
      Given a till
      Then the rule is broken

    @id_ksf_2_6_l4_901
    Scenario: a rule the till keeps
      Given a till
      Then the rule holds

    @id_ksf_2_6_l4_902
    Scenario: a verb the till lacks
      Given a till
      When the operator prints a copy
      Then the rule is broken

    @id_ksf_2_6_l4_903 @needs_tips
    Scenario: a function the profile declares absent
      Given a till
      Then the rule is broken
"""


def _deviation(scenario: str, until: str = "") -> str:
    extra = f"until = {until}\n" if until else ""
    return f'[[deviation]]\nscenario = "{scenario}"\nreason = "fixed in 4.2"\nticket = "SUP-1"\n{extra}'


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(CONFTEST)
    pytester.makefile(".feature", expectations=FEATURE)
    pytester.makepyfile(test_expectations="from pytest_bdd import scenarios\nscenarios('expectations.feature')\n")
    return pytester


def _run(suite: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict[str, dict[str, str]]]:
    log = Path(suite.path) / "run.ndjson"
    result = suite.runpytest("--run-log", str(log), "-p", "no:cacheprovider", *args)
    lines = log.read_text(encoding="utf-8").splitlines() if log.is_file() else []
    return result, {r["scenario_id"]: r for r in map(json.loads, lines)}


def test_without_expectations_the_broken_rule_fails(suite: pytest.Pytester) -> None:
    result, records = _run(suite)
    result.assert_outcomes(passed=1, failed=1, skipped=2)
    assert records["id_ksf_2_6_l4_900"]["verdict"] == "failed"
    assert records["id_ksf_2_6_l4_903"]["verdict"] == "not applicable"
    assert records["id_ksf_2_6_l4_901"]["name"] == "a rule the till keeps"


def test_a_deviation_makes_its_failing_scenario_a_known_deviation(suite: pytest.Pytester) -> None:
    (Path(suite.path) / "dev.toml").write_text(_deviation("id_ksf_2_6_l4_900"), encoding="utf-8")
    result, records = _run(suite, "--expectations", "dev.toml")
    result.assert_outcomes(passed=1, xfailed=1, skipped=2)
    assert result.ret == 0
    known = records["id_ksf_2_6_l4_900"]
    assert known["verdict"] == "known deviation"
    assert known["reason"].startswith("known deviation: fixed in 4.2 (SUP-1)")
    assert "the till printed two copies" in known["reason"]
    result.stdout.fnmatch_lines(["kassakontroll expectations: dev.toml (1 known deviations)"])


def test_a_deviation_that_passes_fails_the_run(suite: pytest.Pytester) -> None:
    (Path(suite.path) / "dev.toml").write_text(_deviation("id_ksf_2_6_l4_901"), encoding="utf-8")
    result, records = _run(suite, "--expectations", "dev.toml")
    result.assert_outcomes(failed=2, skipped=2)
    passing = records["id_ksf_2_6_l4_901"]
    assert passing["verdict"] == "failed"
    assert "[XPASS(strict)] id_ksf_2_6_l4_901 passes" in passing["reason"]
    assert "remove its [[deviation]] entry" in passing["reason"]


def test_a_deviation_of_an_unautomated_scenario_stays_not_automated(suite: pytest.Pytester) -> None:
    (Path(suite.path) / "dev.toml").write_text(_deviation("id_ksf_2_6_l4_902"), encoding="utf-8")
    result, records = _run(suite, "--expectations", "dev.toml")
    result.assert_outcomes(passed=1, failed=1, skipped=2)
    assert records["id_ksf_2_6_l4_902"]["verdict"] == "not automated"


def test_an_unknown_scenario_id_is_a_usage_error_naming_it(suite: pytest.Pytester) -> None:
    text = _deviation("id_ksf_2_6_l4_900") + _deviation("id_ksf_9_9_999")
    (Path(suite.path) / "dev.toml").write_text(text, encoding="utf-8")
    result, records = _run(suite, "--expectations", "dev.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*dev.toml: no scenario has the id id_ksf_9_9_999*"])
    assert records == {}


def test_an_expired_deviation_is_not_applied(suite: pytest.Pytester) -> None:
    (Path(suite.path) / "dev.toml").write_text(_deviation("id_ksf_2_6_l4_900", "2020-01-01"), encoding="utf-8")
    result, records = _run(suite, "--expectations", "dev.toml")
    result.assert_outcomes(passed=1, failed=1, skipped=2)
    assert records["id_ksf_2_6_l4_900"]["verdict"] == "failed"
    result.stdout.fnmatch_lines(["*expired, judged as any scenario: id_ksf_2_6_l4_900 (until 2020-01-01)"])


def test_the_targets_own_file_is_found_by_scheme(suite: pytest.Pytester) -> None:
    folder = Path(suite.path) / "expectations"
    folder.mkdir()
    (folder / "reference.toml").write_text(_deviation("id_ksf_2_6_l4_900"), encoding="utf-8")
    result, records = _run(suite)  # --target defaults to reference://
    result.assert_outcomes(passed=1, xfailed=1, skipped=2)
    assert records["id_ksf_2_6_l4_900"]["verdict"] == "known deviation"


def test_a_malformed_file_is_a_usage_error(suite: pytest.Pytester) -> None:
    (Path(suite.path) / "dev.toml").write_text('[[deviation]]\nscenario = "id_ksf_2_6_l4_900"\n', encoding="utf-8")
    result, _records = _run(suite, "--expectations", "dev.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(['*reason = "…" is required*'])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[deviation]]\nscenario = "ksf_2_6"\nreason = "x"\n', r'scenario = "id_<clause>_<nnn>" is required'),
        ('[[deviation]]\nscenario = "id_ksf_2_6_l4_001"\nreason = "x"\nuntil = "soon"\n', "until must be a date"),
        ('[[deviation]]\nscenario = "id_ksf_2_6_l4_001"\nreason = "x"\nowner = "me"\n', "unknown key owner"),
        ('[deviations]\nscenario = "id_ksf_2_6_l4_001"\n', "unknown table deviations"),
        (_deviation("id_ksf_2_6_l4_001") + _deviation("id_ksf_2_6_l4_001"), "listed twice"),
        ("[[deviation]\n", "not valid TOML"),
    ],
)
def test_malformed_entries_say_what_to_write(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "x.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ExpectationsError, match=message):
        load_expectations(path)


def test_the_reference_till_has_no_known_deviations() -> None:
    expectations = load_expectations(Path(__file__).resolve().parents[2] / "expectations" / "reference.toml")
    assert expectations.deviations == {}


def test_until_accepts_a_toml_date_or_a_string(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text(_deviation("id_ksf_2_6_l4_001", "2027-03-01") + _deviation("id_ksf_2_6_l4_002", '"2027-03-01"'))
    expectations = load_expectations(path)
    assert {d.until for d in expectations.deviations.values()} == {date(2027, 3, 1)}
    assert expectations.active(date(2027, 2, 28)).keys() == {"id_ksf_2_6_l4_001", "id_ksf_2_6_l4_002"}
    assert expectations.expired(date(2027, 3, 1)).keys() == {"id_ksf_2_6_l4_001", "id_ksf_2_6_l4_002"}
