"""Targets: opening by URL, the reference target's refusals, and how the plugin reports unsupported verbs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.targets import NotSupportedByTarget, Refused, TargetError, open_target, schemes
from harness.targets.reference import ReferenceTarget
from reference_till.faults import Fault, parse_faults
from tests.unit.minimal_till import MINIMAL_CONFTEST


def test_an_unknown_scheme_names_the_known_ones() -> None:
    assert "reference" in schemes()
    with pytest.raises(TargetError, match=r"reference://"):
        open_target("superpos://10.0.0.7")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("reference://?registers=9", "registers must be 1 to"),
        ("reference://?day=yesterday", "write reference://"),
        ("reference://?fault=print_nothing", "known: second_copy"),
    ],
)
def test_bad_reference_urls_say_what_to_write(url: str, message: str) -> None:
    with pytest.raises(TargetError, match=message):
        ReferenceTarget(url)


def test_fault_names_parse() -> None:
    assert parse_faults("second_copy, no_copy_mark") == {Fault.SECOND_COPY, Fault.NO_COPY_MARK}
    assert parse_faults("") == frozenset()


def test_the_reference_till_refuses_a_second_copy_and_names_the_clause() -> None:
    till = open_target("reference://?registers=1")
    try:
        register = till.registers[0]
        till.open_register(register, "1001")
        till.add_item(register, "1001")
        till.pay_cash(register)
        sale = till.conclude(register)
        till.close_drawer(register)
        till.copy_receipt(register, sale.trans_id)
        with pytest.raises(Refused) as refused:
            till.copy_receipt(register, sale.trans_id)
        assert refused.value.rule == "ksf_2_6_l4"
        assert "copy" in refused.value.reason
    finally:
        till.close()


def test_a_verb_the_target_lacks_is_not_supported() -> None:
    till = ReferenceTarget("reference://?registers=1")
    try:
        with pytest.raises(NotSupportedByTarget, match="cannot"):
            super(ReferenceTarget, till).void("K1")
    finally:
        till.close()


SUITE_CONFTEST = (
    MINIMAL_CONFTEST
    + """

@when("the operator sells")
def sell(till):
    till.add_item("K1", "1")


@then("nothing is wrong")
def fine(): pass
"""
)

SUITE_FEATURE = """
Feature: plugin behaviour
  @ksf_2_6_l4
  Rule: copies
    @id_ksf_2_6_l4_900
    Scenario: a verb the target lacks
      Given a till
      When the operator prints a copy
      Then nothing is wrong

    @id_ksf_2_6_l4_901
    Scenario: a verb the target has
      Given a till
      When the operator sells
      Then nothing is wrong
"""


def test_plugin_reports_unsupported_verbs_as_not_automated(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(SUITE_CONFTEST)
    pytester.makefile(".feature", plugin=SUITE_FEATURE)
    pytester.makepyfile(test_plugin="from pytest_bdd import scenarios\nscenarios('plugin.feature')\n")
    log = Path(pytester.path) / "run.ndjson"
    result = pytester.runpytest("--run-log", str(log), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=1)
    records = {r["scenario_id"]: r for r in map(json.loads, log.read_text(encoding="utf-8").splitlines())}
    lacking = records["id_ksf_2_6_l4_900"]
    assert lacking["verdict"] == "not automated"
    assert "cannot print a copy receipt" in lacking["reason"]
    assert lacking["clauses"] == ["ksf_2_6_l4"]
    assert records["id_ksf_2_6_l4_901"]["verdict"] == "passed"
