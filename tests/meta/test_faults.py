"""The suite can fail: each fault switch of the reference till fails exactly its scenarios.

The compliance suite runs once against the clean reference till (everything must pass or
be "not applicable") with the fault probe (``fault_probe.py``), which notes which fault
switches (:mod:`reference_till.faults`) each scenario consults. Then, per switch, the
suite runs against ``reference://?fault=<switch>`` on the scenarios that consult it; the
scenarios that fail must be exactly the ones listed here. A scenario that never consults
a switch runs identically with it on (the till acts on a fault only where it asks about
it), so it is known to pass without running it again.

A scenario that no fault can make fail proves nothing yet; a fault that fails scenarios
of other rules shows a Then step judging more than its rule, or a rule that depends on
another one -- the comments below say which.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from reference_till.faults import FAULTS, Fault

ROOT = Path(__file__).resolve().parents[2]
_OK = ("passed", "not applicable")


def _ids(*names: str) -> set[str]:
    return {f"id_{name}" for name in names}


#: fault -> the scenario ids that must fail with it (and no others)
EXPECTED: dict[Fault, set[str]] = {
    Fault.SECOND_COPY: _ids("ksf_2_6_l4_003"),
    # a copy without «KOPI» reads as a second original: the copy count (§ 2-6 fjerde ledd), the font
    # rule and the journal reconciliation (every printed receipt has one transaction) fail with it
    Fault.NO_COPY_MARK: _ids(
        "ksf_2_8_6_001",
        "ksf_2_8_6_font_001",
        "ksf_2_6_l4_002",
        "ksf_2_6_l4_003",
        "bff_5_3_5_l1_004",
        "ksf_2_7_l1_001",
        "ksf_2_7_l1_002",
        "ksf_2_7_l1_005",
    ),
    Fault.IGNORE_PAPER_OUT: _ids("ksf_2_6_l4_004", "ksf_2_6_l4_005", "ksf_2_6_l4_007"),
    Fault.Z_WITH_OPEN_SALE: _ids("ksf_2_8_3_l2_001", "ksf_2_8_3_l2_002"),
    # a registration with the drawer open: also the drawer-per-kassapunkt scenario that relies on it
    Fault.IGNORE_OPEN_DRAWER: _ids("ksf_2_6_l5_001", "ksf_2_6_l5_003", "ksf_2_2_002"),
    # every scenario that finds the Z report by its name (reports per kassapunkt, grand totals,
    # the end-of-day reconciliation)
    Fault.UNNAMED_Z_REPORT: _ids(
        "ksf_2_8_3_l1_001",
        "ksf_2_8_3_l2_003",
        "ksf_2_8_2_002",
        "ksf_2_8_2_a_002",
        "ksf_2_8_2_x_001",
        "ksf_2_8_2_x_002",
        "ksf_2_8_2_x_003",
        "ksf_2_8_2_y_001",
        "ksf_2_8_2_z_001",
        "ksf_2_8_2_z_002",
        "ksf_2_8_1_001",
        "ksf_2_8_1_002",
        "ksf_2_8_1_004",
        "ksf_2_3_l1_004",
        "ksf_2_7_l1_005",
        "ksf_2_7_l1_006",
        "bff_5_3_14_l1_001",
        "bff_5_3_14_l1_002",
        "bff_5_3_14_l1_003",
        "bff_8_5_001",
        "bff_8_5_002",
    ),
    Fault.SMALL_COPY_MARK: _ids("ksf_2_8_6_font_001"),
    # a receipt without its name is not recognised as the sale's receipt anywhere
    Fault.NO_RECEIPT_NAME: _ids(
        "ksf_2_8_4_001",
        "ksf_2_8_4_002",
        "ksf_2_6_l4_001",
        "ksf_2_8_1_001",
        "ksf_2_8_1_002",
        "ksf_2_7_l1_005",
        "ksf_2_7_l1_006",
    ),
    Fault.RETURN_AS_SALES_RECEIPT: _ids(
        "ksf_2_8_5_001",
        "ksf_2_8_5_004",
        "ksf_2_8_1_001",
        "ksf_2_8_1_002",
        "ksf_2_7_l1_002",
        "ksf_2_7_l1_005",
        "ksf_2_7_l1_006",
    ),
    Fault.NO_TRAINING_MARK: _ids("ksf_2_6_l3_002", "ksf_2_8_6_font_003", "ksf_2_8_6_training_001"),
    Fault.NO_PROVISIONAL_MARK: _ids("ksf_2_8_6_provisional_001", "ksf_2_8_6_font_002"),
    Fault.NO_TERMINAL_ID: _ids("ksf_2_8_4_terminal_001", "ksf_2_8_4_terminal_003", "ksf_2_8_4_terminal_004"),
    # the reconciliation compares every printed receipt line with the journal
    Fault.POSITIVE_RETURNS: _ids(
        "ksf_2_5_negative_001", "ksf_2_5_negative_003", "ksf_2_8_5_002", "ksf_2_7_l1_005", "ksf_2_7_l1_006"
    ),
    Fault.CAMPAIGN_IN_Q: _ids("ksf_2_8_2_q_003"),
    # the complete-report scenarios compare every figure, m included
    Fault.SALE_OPENINGS_IN_M: _ids("ksf_2_8_2_m_001", "ksf_2_8_2_m_002", "ksf_2_8_2_001", "ksf_2_8_2_002"),
    Fault.TRAINING_AS_SALES: _ids("ksf_2_8_2_w_001", "ksf_2_8_2_w_002", "ksf_2_6_l3_003", "ksf_2_6_l3_004"),
    Fault.GRAND_TOTAL_RESET: _ids(
        "ksf_2_8_2_x_001",
        "ksf_2_8_2_x_002",
        "ksf_2_8_2_x_003",
        "ksf_2_8_2_y_001",
        "ksf_2_8_2_z_001",
        "ksf_2_8_2_z_002",
        "ksf_2_8_1_004",
    ),
    # an opening the journal does not know is missing from m, from the session's events and from
    # the drawer-event codes
    Fault.UNJOURNALED_DRAWER: _ids("ksf_2_8_2_m_001", "ksf_2_7_l1_001", "saft_codes_events_003"),
    Fault.UNJOURNALED_LOOKUP: _ids(
        "ksf_2_7_l4_001", "ksf_2_7_l4_002", "ksf_2_7_l3_003", "ksf_2_8_2_t_001", "saft_codes_events_006"
    ),
    Fault.SKIP_SIGNATURE: _ids("saft_sig_001", "saft_sig_data_002", "ksf_2_7_l1_005", "ksf_2_7_l1_006"),
    Fault.SHARED_CHAIN: _ids("saft_sig_chain_001", "saft_sig_start_001", "ksf_2_7_l1_005"),
    Fault.NO_BUYER_CHECK: _ids("bff_5_1_2_001", "bff_5_1_2_003", "bff_5_1_2_005"),
    # receipt and journal agree with each other in UTC, so only the local-time scenarios fail
    Fault.UTC_CLOCK: _ids("ksf_2_5_clock_002", "ksf_2_5_clock_003", "ksf_2_5_clock_004", "ksf_2_5_clock_005"),
    Fault.NO_RECOVERY_VOID: _ids("ksf_2_8_2_r_003", "ksf_2_6_l2_006"),
    # a receipt the printer finished after the paper change (or the cover was shut) is sent again
    Fault.REPRINT_UNCONFIRMED: _ids("ksf_2_6_l4_009", "ksf_2_6_l4_010"),
}


def _run(folder: Path, name: str, fault: str = "", only: set[str] | None = None, probe: bool = False) -> dict[str, str]:
    """Run the suite against ``reference://?fault=…``; return verdicts by scenario id."""
    log = folder / f"run-{name}.ndjson"
    command = [
        sys.executable, "-m", "pytest", "features", "-q", "-p", "no:cacheprovider",
        "--target", f"reference://?fault={fault}", "--run-log", str(log),
    ]  # fmt: skip
    env = dict(os.environ)
    if probe:
        command += ["-p", "fault_probe"]
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).parent), env.get("PYTHONPATH", "")]))
        env["KASSAKONTROLL_FAULT_PROBE"] = str(folder / "probe.json")
    if only is not None:
        command += ["-k", " or ".join(sorted(only))]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False, env=env)
    assert log.is_file(), f"the suite wrote no run log:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return {r["scenario_id"]: r["verdict"] for r in records}


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], dict[str, set[str]]]:
    """The clean run's verdicts, and per fault the scenarios that consult it."""
    folder = tmp_path_factory.mktemp("clean-run")
    verdicts = _run(folder, "clean", probe=True)
    probe = json.loads((folder / "probe.json").read_text(encoding="utf-8"))
    consulted: dict[str, set[str]] = {f.value: set() for f in Fault}
    for scenario, faults in probe.items():
        for fault in faults:
            consulted[fault].add(scenario)
    return verdicts, consulted


@pytest.fixture(scope="module")
def fault_runs(
    clean: tuple[dict[str, str], dict[str, set[str]]], tmp_path_factory: pytest.TempPathFactory
) -> dict[Fault, dict[str, str]]:
    """Each fault's verdicts on the scenarios that consult it, two runs at a time (two cores)."""
    folder = tmp_path_factory.mktemp("fault-runs")
    _verdicts, consulted = clean

    def one(fault: Fault) -> dict[str, str]:
        scenarios = consulted[fault.value]
        return _run(folder, fault.value, fault.value, only=scenarios) if scenarios else {}

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(Fault, pool.map(one, Fault), strict=True))


def test_every_fault_has_its_expected_failures() -> None:
    assert set(EXPECTED) == set(Fault)
    for fault, scenarios in EXPECTED.items():
        clause = FAULTS[fault].clause
        assert any(s.startswith(f"id_{clause}_") for s in scenarios), f"{fault}: no scenario of {clause} fails"


def test_the_clean_reference_till_passes_every_scenario(clean: tuple[dict[str, str], dict[str, set[str]]]) -> None:
    verdicts, _consulted = clean
    assert len(verdicts) > 100
    assert {s: v for s, v in verdicts.items() if v not in _OK} == {}


def test_every_fault_is_consulted_by_the_scenarios_it_must_fail(
    clean: tuple[dict[str, str], dict[str, set[str]]],
) -> None:
    _verdicts, consulted = clean
    missing = {f.value: sorted(EXPECTED[f] - consulted[f.value]) for f in Fault if EXPECTED[f] - consulted[f.value]}
    assert missing == {}, "these scenarios never ask about the fault, so it cannot make them fail"


@pytest.mark.parametrize("fault", list(Fault), ids=[f.value for f in Fault])
def test_a_fault_fails_exactly_its_scenarios(fault: Fault, fault_runs: dict[Fault, dict[str, str]]) -> None:
    verdicts = fault_runs[fault]
    failed = {s for s, v in verdicts.items() if v == "failed"}
    assert failed == EXPECTED[fault]
    assert not [s for s, v in verdicts.items() if v not in (*_OK, "failed")]
