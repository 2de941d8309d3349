"""``kassakontroll run``: the suite in a child process, its run log, evidence, progress and exit codes.

Each test runs the command as a user would, in a subprocess (``python -m
harness.run_command`` is the same command as ``kassakontroll run``), on a small
selection of the suite, into ``tmp_path``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path

from harness.evidence import EvidenceLog
from harness.profile import reference_profile_path, template_path
from tests.integration.technician import Technician
from tests.profile_copy import reference_profile_with

RUN = [sys.executable, "-m", "harness.run_command"]
TWO = "id_ksf_2_6_l4_001 or id_ksf_2_6_l4_003"


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``kassakontroll run ARGS`` without the report (tests/report/test_cli_report.py renders it)."""
    command = [*RUN, *args, "--report", "none"]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300, check=False)


def _verdicts(out: Path) -> dict[str, dict[str, str]]:
    lines = (out / "run.ndjson").read_text(encoding="utf-8").splitlines()
    return {r["scenario_id"]: r for r in map(json.loads, lines)}


def test_a_passing_selection_writes_verdicts_evidence_and_progress(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = _run(tmp_path, "--target", "reference://", "--out", str(out), "-k", TWO)
    assert done.returncode == 0, done.stdout + done.stderr
    records = _verdicts(out)
    assert {sid: r["verdict"] for sid, r in records.items()} == {
        "id_ksf_2_6_l4_001": "passed",
        "id_ksf_2_6_l4_003": "passed",
    }
    assert records["id_ksf_2_6_l4_003"]["evidence"] == "evidence/id_ksf_2_6_l4_003.ndjson"
    evidence = EvidenceLog.read_ndjson((out / "evidence" / "id_ksf_2_6_l4_003.ndjson").read_text().splitlines())
    documents = [r for r in evidence if r.kind == "printer.document"]
    assert len(documents) == 2  # the salskvittering and the one copy; the second copy was refused
    assert all(d.raw and d.data["text"] for d in documents)
    assert "KOPI" in str(documents[1].data["text"])
    assert re.search(r"^\[1/2\] PASS   id_ksf_2_6_l4_001  Concluding a cash sale", done.stderr, re.M)
    assert re.search(r"^\[2/2\] PASS   id_ksf_2_6_l4_003  A second kopikvittering", done.stderr, re.M)
    assert "passed                 2" in done.stdout
    assert "Result: PASSED (exit 0)" in done.stdout
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["passed"] == 2 and summary["exit_code"] == 0
    assert "2 passed" in (out / "pytest.txt").read_text(encoding="utf-8")


def test_a_run_into_an_earlier_runs_folder_replaces_that_run(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(tmp_path, "--target", "reference://", "--out", str(out), "-k", TWO).returncode == 0
    (out / "fuzz.json").write_text("{}", encoding="utf-8")  # written just before the run: it stays
    done = _run(tmp_path, "--target", "reference://", "--out", str(out), "-k", "id_ksf_2_6_l4_001")
    assert done.returncode == 0, done.stdout + done.stderr
    assert list(_verdicts(out)) == ["id_ksf_2_6_l4_001"]
    assert sorted(p.name for p in (out / "evidence").iterdir()) == ["id_ksf_2_6_l4_001.ndjson"]
    assert (out / "fuzz.json").is_file()


def test_a_failing_selection_exits_1_and_says_why(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = _run(tmp_path, "--target", "reference://?fault=second_copy", "--out", str(out), "-k", "kopikvittering")
    assert done.returncode == 1, done.stdout + done.stderr
    verdicts = {sid: r["verdict"] for sid, r in _verdicts(out).items()}
    assert verdicts["id_ksf_2_6_l4_003"] == "failed"
    assert "FAIL   id_ksf_2_6_l4_003" in done.stderr
    assert "the till accepted the operation" in done.stderr  # the reason, under the progress line
    assert "Result: FAILED (exit 1)" in done.stdout


def test_a_known_deviation_is_allowed_and_reported(tmp_path: Path) -> None:
    out = tmp_path / "out"
    deviations = tmp_path / "superpos.toml"
    deviations.write_text('[[deviation]]\nscenario = "id_ksf_2_6_l4_003"\nreason = "fixed in 4.2"\n', encoding="utf-8")
    done = _run(tmp_path, "--target", "reference://?fault=second_copy", "--out", str(out), "-k", TWO,
                "--expectations", str(deviations), "--lang", "nb")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert _verdicts(out)["id_ksf_2_6_l4_003"]["verdict"] == "known deviation"
    assert "KNOWN  id_ksf_2_6_l4_003" in done.stderr
    assert "kjent avvik" in done.stdout and "Resultat: BESTÅTT (avslutningskode 0)" in done.stdout


def test_a_profile_the_till_contradicts_fails_the_run_and_says_what_to_write(tmp_path: Path) -> None:
    """Every scenario passes, but the profile hides the drawer and names another version: exit 1."""
    profile = reference_profile_with(
        tmp_path,
        ('version = "0.1.0"', 'version = "7.0"'),
        ("integrated_drawer = true", "integrated_drawer = false"),
        name="superpos.toml",
    )
    out = tmp_path / "out"
    # 001 concludes a cash sale (the drawer is kicked); 101 exports the journal (the header names the version)
    done = _run(tmp_path, "--target", "reference://", "--profile", str(profile), "--out", str(out),
                "-k", "id_ksf_2_6_l4_001 or id_saft_sig_001")  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    verdicts = _verdicts(out)
    assert {r["verdict"] for r in verdicts.values()} == {"passed"}
    kicked = verdicts["id_ksf_2_6_l4_001"]["contradictions"]
    assert {c["subject"] for c in kicked} >= {"integrated_drawer"}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["result"] == "contradicted" and summary["exit_code"] == 1
    subjects = {c["subject"] for c in summary["contradictions"]}
    assert {"integrated_drawer", "identity.version"} <= subjects
    version = next(c for c in summary["contradictions"] if c["subject"] == "identity.version")
    assert version["declared"] == "version '7.0'" and version["scenarios"]
    assert "Result: FAILED: the profile contradicts what the till did (exit 1)" in done.stdout
    assert "set integrated_drawer = true in [capabilities] of superpos.toml" in done.stdout
    evidence = EvidenceLog.read_ndjson((out / "evidence" / "id_ksf_2_6_l4_001.ndjson").read_text().splitlines())
    assert any(r.kind == "profile.contradiction" for r in evidence)


def test_a_missing_profile_for_another_target_is_a_usage_error_naming_the_template(tmp_path: Path) -> None:
    done = _run(tmp_path, "--target", "manual://", "--printer", "tcp://127.0.0.1:0", "--out", str(tmp_path / "o"))
    assert done.returncode == 2
    assert str(template_path()) in done.stderr
    assert "--profile FILE" in done.stderr


def test_an_unknown_target_is_a_usage_error_listing_the_known_ones(tmp_path: Path) -> None:
    done = _run(tmp_path, "--target", "superpos://10.0.0.7", "--out", str(tmp_path / "o"))
    assert done.returncode == 2
    assert "reference://" in done.stderr and "manual://" in done.stderr


def test_a_selection_of_nothing_is_a_usage_error(tmp_path: Path) -> None:
    done = _run(tmp_path, "--target", "reference://", "--out", str(tmp_path / "o"), "-k", "id_ksf_9_9_999")
    assert done.returncode == 2
    assert "no scenario matches -k 'id_ksf_9_9_999'" in done.stdout


def test_a_target_that_cannot_be_opened_exits_3_with_its_message(tmp_path: Path) -> None:
    done = _run(tmp_path, "--target", "manual://?tty=/no/such/tty", "--printer", "tcp://127.0.0.1:0",
                "--profile", str(reference_profile_path()), "--out", str(tmp_path / "o"), "-k", TWO)  # fmt: skip
    assert done.returncode == 3, done.stdout + done.stderr
    assert "cannot open the terminal /no/such/tty" in done.stderr
    assert "THE TARGET COULD NOT BE OPENED (exit 3)" in done.stdout


def test_scenarios_a_till_cannot_do_exit_8(tmp_path: Path) -> None:
    """A technician who skips every step: nothing failed, nothing was automated."""
    person = Technician()
    stop = threading.Event()

    def skip_everything() -> None:
        while not stop.is_set():
            try:
                person.next_prompt(timeout=0.5)
            except TimeoutError:
                continue
            person.type("s")

    worker = threading.Thread(target=skip_everything, daemon=True)
    worker.start()
    out = tmp_path / "out"
    try:
        done = _run(tmp_path, "--target", f"manual://?tty={person.tty}&timeout=60", "--printer", "tcp://127.0.0.1:0",
                    "--profile", str(reference_profile_path()), "--out", str(out), "-k", TWO)  # fmt: skip
    finally:
        stop.set()
        worker.join(timeout=5)
        person.close()
    assert done.returncode == 8, done.stdout + done.stderr
    assert {r["verdict"] for r in _verdicts(out).values()} == {"not automated"}
    assert "NOAUT  id_ksf_2_6_l4_001" in done.stderr


def test_printer_does_not_apply_to_the_reference_till(tmp_path: Path) -> None:
    done = _run(tmp_path, "--target", "reference://", "--printer", "tcp://127.0.0.1:0", "--out", str(tmp_path / "o"))
    assert done.returncode == 2
    assert "--printer applies to http:// and manual:// targets; reference:// plays its devices" in done.stderr
