"""``harness.fuzz.reproduction_program``: the shrunk steps of a fuzz failure as a Python program that replays it.

The program is built from steps exactly as Hypothesis prints them, written to a file and
run with this interpreter from the project root: against the reference till with the
``second_copy`` fault it must fail the way the fuzz did (``InvariantBroken``), against the
plain reference till it must finish. ``kassakontroll fuzz --out DIR`` must put the same
program into ``DIR/fuzz.json``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.fuzz import FuzzFailure, reproduction_program
from harness.profile import reference_profile_path

ROOT = Path(__file__).resolve().parents[2]
FAULTY = "reference://?fault=second_copy"

#: The shrunk example as Hypothesis prints it: a sale, its copy, and a second copy the till must refuse.
STEPS = """\
state = FuzzMachine()
state.add_item(art_id='1001', quantity=1, register='K1')
state.pay_card(register='K1')
state.conclude(register='K1')
state.copy_receipt(sale=Sale(register='K1', trans_id='K1-S000001', total=2190))
state.copy_receipt(sale=Sale(register='K1', trans_id='K1-S000001', total=2190))
state.teardown()"""

MESSAGE = (
    "InvariantBroken: kassasystemforskrifta § 2-6 fjerde ledd: the till accepted a second copy of K1-S000001; "
    "it must refuse it"
)
FAILURE = FuzzFailure("invariant", MESSAGE, STEPS)


def _run(program: str, folder: Path) -> subprocess.CompletedProcess[str]:
    path = folder / "repro.py"
    path.write_text(program, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_program_compiles_and_ends_with_the_steps() -> None:
    program = reproduction_program(FAULTY, None, FAILURE)
    compile(program, "repro.py", "exec")
    assert program.endswith("\n" + STEPS + "\n")
    assert f"TARGET = {FAULTY!r}\n" in program and "PROFILE = None\n" in program
    assert MESSAGE in program


def test_the_program_fails_as_the_fuzz_did_against_the_faulty_till(tmp_path: Path) -> None:
    done = _run(reproduction_program(FAULTY, None, FAILURE), tmp_path)
    assert done.returncode != 0, done.stdout + done.stderr
    assert "InvariantBroken" in done.stderr, done.stderr
    assert "kassasystemforskrifta § 2-6 fjerde ledd" in done.stderr
    assert "second copy of K1-S000001" in done.stderr


def test_the_same_program_passes_against_the_reference_till(tmp_path: Path) -> None:
    done = _run(reproduction_program("reference://", None, FAILURE), tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_the_program_uses_the_profile_it_is_given(tmp_path: Path) -> None:
    profile = str(reference_profile_path())
    program = reproduction_program("reference://", profile, FAILURE)
    assert f"PROFILE = {profile!r}\n" in program
    done = _run(program, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_only_the_step_lines_of_hypothesis_output_are_kept() -> None:
    noisy = "Falsifying example:\n" + "\n".join(f"    {line}" for line in STEPS.splitlines()) + "\n\nExplanation:\n"
    failure = FuzzFailure("invariant", MESSAGE, noisy)
    assert reproduction_program(FAULTY, None, failure) == reproduction_program(FAULTY, None, FAILURE)


@pytest.mark.parametrize(
    "message",
    [
        r"error: bad escape \N at position 0",  # re.error's own wording, for a failure of kind "error"
        r"TargetError: cannot open C:\Users\kasse\till.db",
        'InvariantBroken: the receipt printed """KOPI"""',
    ],
    ids=["backslash-N", "windows-path", "triple-quotes"],
)
def test_a_message_with_backslashes_or_quotes_still_gives_a_program(message: str) -> None:
    """The message goes into the program's docstring; whatever it says, the program must compile."""
    program = reproduction_program(FAULTY, None, FuzzFailure("error", message, STEPS))
    compile(program, "repro.py", "exec")
    assert program.endswith("\n" + STEPS + "\n")


def test_fuzz_out_writes_the_program_into_fuzz_json(tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["fuzz", "--target", FAULTY, "--examples", "5", "--seed", "1", "--no-shrink", "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", *args], cwd=tmp_path, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    data = json.loads((out / "fuzz.json").read_text(encoding="utf-8"))
    assert data["target"] == FAULTY and data["seed"] == 1
    (failure,) = data["failures"]
    assert failure["kind"] == "invariant" and "§ 2-6 fjerde ledd" in failure["message"]
    assert failure["steps"].splitlines()[0] == "state = FuzzMachine()"
    expected = reproduction_program(FAULTY, None, FuzzFailure(failure["kind"], failure["message"], failure["steps"]))
    assert failure["program"] == expected
    replay = _run(failure["program"], tmp_path)
    assert replay.returncode != 0 and "InvariantBroken" in replay.stderr, replay.stderr
