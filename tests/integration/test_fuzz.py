"""Stateful conformance (:mod:`harness.fuzz`): the reference till holds every invariant; broken tills do not.

The machine drives ``reference://`` through the TillDriver only and judges printer and
journal evidence. Against a till with a fault switch (:mod:`reference_till.faults`) it must
report a failure with a reproduction: a second copy (``second_copy``), a Z report with an
open sale (``z_with_open_sale``) and unsigned returns (``skip_signature``, caught by the
export's signature chain). ``kassakontroll fuzz`` is run as a subprocess for its exit codes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings

from harness.fuzz import FuzzResult, fuzz_machine, run_fuzz
from harness.profile import load_profile, reference_profile_path, template_path

ROOT = Path(__file__).resolve().parents[2]
PROFILE = load_profile(reference_profile_path())

ReferenceFuzz = fuzz_machine("reference://", PROFILE)
ReferenceFuzz.TestCase.settings = settings(
    max_examples=20,
    stateful_step_count=25,
    deadline=None,
    derandomize=True,
    database=None,
    # a failure is shown as found: shrinking one can take minutes here (kassakontroll fuzz shrinks)
    phases=[Phase.explicit, Phase.generate],
    # each example starts the reference till and exports its journal: slow tests, not slow data generation
    suppress_health_check=[HealthCheck.too_slow],
)
TestReferenceTill = ReferenceFuzz.TestCase


def test_run_fuzz_reports_what_it_did() -> None:
    lines: list[str] = []
    result = run_fuzz("reference://", PROFILE, 4, seed=11, progress=lines.append, steps=15)
    assert result.ok, "\n\n".join(f.text() for f in result.failures)
    assert result.examples >= 4 and len(lines) == result.examples
    assert result.steps == sum(int(line.split(": ")[1].split()[0]) for line in lines)
    assert result.steps > 0 and not result.not_supported
    assert all(count > 0 for count in result.refusals.values())
    assert set(result.reasons) == set(result.refusals)


def _caught(fault: str, *, shrink: bool = False) -> FuzzResult:
    result = run_fuzz(f"reference://?fault={fault}&registers=1", PROFILE, 40, seed=0, steps=20, shrink=shrink)
    assert len(result.failures) == 1, f"the fuzz did not catch {fault} in {result.examples} examples"
    return result


@pytest.mark.parametrize(
    ("fault", "rule", "step"),
    [
        ("second_copy", "§ 2-6 fjerde ledd", "state.copy_receipt(sale=Sale(register='K1'"),
        ("z_with_open_sale", "§ 2-8-3 andre ledd", "state.z_report(register='K1')"),
        ("skip_signature", "SIG-", "state.return_item("),
    ],
)
def test_a_broken_till_fails_with_a_reproduction(fault: str, rule: str, step: str) -> None:
    failure = _caught(fault).failures[0]
    assert failure.kind == "invariant"
    assert rule in failure.message
    steps = failure.reproduction.splitlines()
    assert steps[0] == "state = FuzzMachine()" and steps[-1] == "state.teardown()"
    assert any(line.startswith(step) for line in steps), failure.reproduction
    assert "state.evidence_agrees()" not in steps


def test_a_failure_is_shrunk_to_the_steps_that_matter() -> None:
    failure = _caught("z_with_open_sale", shrink=True).failures[0]
    steps = failure.reproduction.splitlines()
    # something opens a sale, then the Z report the till must refuse
    assert len(steps) == 4, failure.reproduction
    assert steps[1].startswith(("state.add_item(", "state.return_item(")), failure.reproduction
    assert steps[2] == "state.z_report(register='K1')", failure.reproduction


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli_fuzz", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_cli_passes_on_the_reference_till() -> None:
    done = _cli("--target", "reference://", "--examples", "3", "--steps", "12", "--seed", "5")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Result: PASSED (exit 0)" in done.stdout
    assert "seed 5" in done.stderr and "example 1:" in done.stderr


def test_cli_fails_with_the_reproduction() -> None:
    target = "reference://?fault=second_copy&registers=1"
    done = _cli("--target", target, "--examples", "40", "--steps", "20", "--seed", "0", "--no-shrink")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "§ 2-6 fjerde ledd" in done.stdout and "state.copy_receipt(" in done.stdout
    assert f"--target '{target}'" in done.stdout and "--seed 0" in done.stdout


def test_cli_names_the_template_for_a_bad_profile(tmp_path: Path) -> None:
    bad = tmp_path / "till.toml"
    bad.write_text("[identity]\nproducer = 'x'\n", encoding="utf-8")
    done = _cli("--target", "reference://", "--profile", str(bad))
    assert done.returncode == 2, done.stdout + done.stderr
    assert str(template_path()) in done.stderr and str(bad) in done.stderr


def test_cli_exit_codes_for_usage_and_an_unusable_target() -> None:
    assert _cli("--target", "nosuch://till").returncode == 2
    assert _cli("--target", "reference://", "--examples", "0").returncode == 2
    done = _cli("--target", "reference://?registers=9")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "could not be opened" in done.stderr and "registers must be 1 to" in done.stderr
