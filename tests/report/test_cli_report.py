"""``kassakontroll report`` and ``kassakontroll run --report`` through the real command line.

The recorded faulty run (``tests/report/runs/faulty``) is copied twice and both copies are
rendered in every format at once, in two child processes (the PDFs take most of the time),
once for the module: the files, their paths on standard output, the integrity manifest
(checked by ``sha256sum -c`` itself), the JUnit XML, and that the two renderings are
byte-identical -- an archived run rendered again gives the same files, PDFs included.
The usage errors, ``--lab``/``--operator`` and two short ``kassakontroll run`` calls on the
reference till follow.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

RUNS = Path(__file__).parent / "runs"
FAULTY = RUNS / "faulty"
CLI = [sys.executable, "-m", "harness.cli"]

#: What ``kassakontroll report`` writes with every format and both languages.
REPORT_FILES = (
    "report.nb.html",
    "report.en.html",
    "report.json",
    "junit.xml",
    "report.nb.pdf",
    "report.en.pdf",
    "manifest.sha256",
)


@dataclass(frozen=True)
class Rendered:
    """A copy of the faulty run rendered by ``kassakontroll report`` and what the command said."""

    run_dir: Path
    returncode: int
    stdout: str
    stderr: str


def _cli(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def _copy(tmp: Path, name: str, source: Path = FAULTY) -> Path:
    run_dir = tmp / name
    shutil.copytree(source, run_dir)
    return run_dir


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    """Two copies of the faulty run, each rendered in every format (side by side: a PDF takes seconds)."""
    folder = tmp_path_factory.mktemp("rendered")
    arguments = {
        "first": [],  # the defaults: every format, both languages
        "second": ["--format", "pdf,junit,json,html", "--lang", "en,nb"],  # the same, asked for in another order
    }
    children: dict[str, subprocess.Popen[bytes]] = {}
    for name, extra in arguments.items():
        run_dir = _copy(folder, name)
        with (folder / f"{name}.out").open("wb") as out, (folder / f"{name}.err").open("wb") as err:
            command = [*CLI, "report", str(run_dir), *extra]
            children[name] = subprocess.Popen(command, cwd=folder, stdout=out, stderr=err)
    try:
        codes = {name: child.wait(timeout=300) for name, child in children.items()}
    finally:
        for child in children.values():
            if child.poll() is None:
                child.kill()
                child.wait()
    return {
        name: Rendered(
            folder / name,
            codes[name],
            (folder / f"{name}.out").read_text(encoding="utf-8"),
            (folder / f"{name}.err").read_text(encoding="utf-8"),
        )
        for name in arguments
    }


def test_report_writes_every_format_and_prints_the_paths(rendered: dict[str, Rendered]) -> None:
    first = rendered["first"]
    assert first.returncode == 0, first.stderr
    report = first.run_dir / "report"
    assert sorted(p.name for p in report.iterdir()) == sorted(REPORT_FILES)
    assert first.stdout.splitlines() == [str(report / name) for name in REPORT_FILES]
    for name in REPORT_FILES:
        assert (report / name).stat().st_size > 0, name
    assert (report / "report.nb.pdf").read_bytes().startswith(b"%PDF-")
    assert (report / "report.en.pdf").read_bytes() != (report / "report.nb.pdf").read_bytes()
    assert '<html lang="nb"' in (report / "report.nb.html").read_text(encoding="utf-8")
    assert json.loads((report / "report.json").read_text(encoding="utf-8"))["verdict"] == "FAIL"


def test_rendering_an_archived_run_twice_gives_identical_files(rendered: dict[str, Rendered], tmp_path: Path) -> None:
    first, second = rendered["first"], rendered["second"]
    assert second.returncode == 0, second.stderr
    digests = _digests(first.run_dir / "report")
    assert set(digests) == set(REPORT_FILES)
    differ = {name for name, digest in _digests(second.run_dir / "report").items() if digests.get(name) != digest}
    assert not differ, f"rendered twice, these differ: {sorted(differ)}"
    # the same copy rendered again (its report folder already there) keeps its files and manifest
    again = _copy(tmp_path, "again", first.run_dir)
    done = _cli("report", str(again), "--format", "html,json,junit", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert _digests(again / "report") == digests


def _manifest(run_dir: Path) -> list[str]:
    lines = (run_dir / "report" / "manifest.sha256").read_text(encoding="utf-8").splitlines()
    assert all(len(line.split("  ", 1)[0]) == 64 for line in lines), lines
    return [line.split("  ", 1)[1] for line in lines]


def test_the_manifest_covers_the_run_and_checks_with_sha256sum(rendered: dict[str, Rendered], tmp_path: Path) -> None:
    run_dir = rendered["first"].run_dir
    listed = _manifest(run_dir)
    assert listed == sorted(listed)
    every = {p.relative_to(run_dir).as_posix() for p in run_dir.rglob("*") if p.is_file()}
    assert set(listed) == every - {"report/manifest.sha256"}
    evidence = {f"evidence/{p.name}" for p in (FAULTY / "evidence").iterdir()}
    assert evidence and evidence <= set(listed)
    assert {"run.ndjson", "summary.json", "profile.json"} <= set(listed)
    assert {f"report/{name}" for name in REPORT_FILES if name != "manifest.sha256"} <= set(listed)
    checked = subprocess.run(
        ["sha256sum", "-c", "report/manifest.sha256"], cwd=run_dir, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": OK") == len(listed)
    # one byte of one evidence file changed: the check fails and names the file
    tampered = _copy(tmp_path, "tampered", run_dir)
    victim = tampered / sorted(evidence)[0]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    checked = subprocess.run(
        ["sha256sum", "-c", "report/manifest.sha256"], cwd=tampered, capture_output=True, text=True, check=False
    )
    assert checked.returncode != 0
    assert f"{sorted(evidence)[0]}: FAILED" in checked.stdout
    assert checked.stdout.count(": FAILED") == 1


def _logged() -> list[dict[str, Any]]:
    lines = (FAULTY / "run.ndjson").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_junit_has_a_testcase_per_scenario(rendered: dict[str, Rendered]) -> None:
    root = ET.parse(rendered["first"].run_dir / "report" / "junit.xml").getroot()
    assert root.tag == "testsuites"
    logged = _logged()
    verdicts = Counter(r["verdict"] for r in logged)
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(logged) == int(root.attrib["tests"])
    assert {c.attrib["name"].split(":", 1)[0] for c in cases} == {r["scenario_id"] for r in logged}
    assert int(root.attrib["failures"]) == verdicts["failed"] == len(root.findall("./testsuite/testcase/failure"))
    by_id = {c.attrib["name"].split(":", 1)[0]: c for c in cases}
    for record in logged:
        case = by_id[record["scenario_id"]]
        verdict = record["verdict"]
        named = case.find("./properties/property[@name='verdict']")
        assert named is not None and named.attrib["value"] == verdict
        assert (case.find("failure") is not None) == (verdict == "failed"), record["scenario_id"]
        assert (case.find("skipped") is not None) == (verdict in ("known deviation", "not applicable")), verdict
    assert verdicts["known deviation"] and verdicts["not applicable"]
    skipped = verdicts["known deviation"] + verdicts["not applicable"]
    assert int(root.attrib["skipped"]) == skipped == len(root.findall("./testsuite/testcase/skipped"))
    for suite in root.findall("testsuite"):
        assert int(suite.attrib["tests"]) == len(suite.findall("testcase"))
        assert int(suite.attrib["failures"]) == len(suite.findall("testcase/failure"))


def test_a_folder_without_a_run_log_is_a_usage_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    done = _cli("report", str(empty), "--format", "json", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "run.ndjson" in done.stderr and "kassakontroll run --out" in done.stderr
    assert done.stdout == "" and not (empty / "report").exists()


def test_an_unknown_format_is_a_usage_error_naming_the_formats(tmp_path: Path) -> None:
    run_dir = _copy(tmp_path, "faulty")
    done = _cli("report", str(run_dir), "--format", "html,docx", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "html,docx" in done.stderr and "html, json, junit, pdf" in done.stderr
    assert not (run_dir / "report").exists()


def test_an_unknown_language_is_a_usage_error(tmp_path: Path) -> None:
    run_dir = _copy(tmp_path, "faulty")
    done = _cli("report", str(run_dir), "--lang", "de", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "--lang" in done.stderr and "nb, en" in done.stderr
    assert not (run_dir / "report").exists()


def test_lab_and_operator_fill_in_what_the_run_did_not_record(tmp_path: Path) -> None:
    run_dir = _copy(tmp_path, "unnamed")
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    summary.update(lab="", operator="")
    (run_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    args = ["--format", "html,json", "--lang", "en", "--lab", "Prøvelab Vest", "--operator", "Ingrid Hansen"]
    done = _cli("report", str(run_dir), *args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = run_dir / "report"
    run = json.loads((report / "report.json").read_text(encoding="utf-8"))["identity"]["run"]
    assert (run["lab"], run["operator"]) == ("Prøvelab Vest", "Ingrid Hansen")
    html = (report / "report.en.html").read_text(encoding="utf-8")
    assert "<td>Prøvelab Vest</td>" in html and "<td>Ingrid Hansen</td>" in html
    assert not (report / "report.nb.html").exists()


def test_run_renders_the_report_and_keeps_the_profile(tmp_path: Path) -> None:
    out = tmp_path / "run"
    done = _cli("run", "--target", "reference://", "-m", "ksf_2_8_5", "--out", str(out), "--report", "html,json",
                cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    profile = json.loads((out / "profile.json").read_text(encoding="utf-8"))
    assert profile["path"] == Path(profile["path"]).name == "reference.toml"
    report = out / "report"
    assert sorted(p.name for p in report.iterdir()) == sorted(
        ["report.nb.html", "report.en.html", "report.json", "manifest.sha256"]
    )
    assert f"Report {report / 'report.en.html'}" in done.stdout
    model = json.loads((report / "report.json").read_text(encoding="utf-8"))
    assert model["profile"]["path"] == "reference.toml"
    assert {s["verdict"] for s in model["scenarios"]} == {"passed"}
    assert model["clauses"]["ksf_2_8_5"]["verdict"] == "PASS"
    assert "profile.json" in _manifest(out)


def test_run_with_report_none_writes_no_report(tmp_path: Path) -> None:
    out = tmp_path / "run"
    done = _cli("run", "--target", "reference://", "-m", "ksf_2_8_5", "--out", str(out), "--report", "none",
                cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "run.ndjson").is_file() and (out / "profile.json").is_file()
    assert not (out / "report").exists()
    assert "Report " not in done.stdout


def test_a_scenario_without_its_duration_still_renders_junit(tmp_path: Path) -> None:
    """The model and the schema allow ``seconds: null`` for a scenario; the JUnit XML must render it too."""
    run_dir = _copy(tmp_path, "faulty")
    records = _logged()
    del records[0]["seconds"]  # e.g. a record written by hand or by an older harness
    (run_dir / "run.ndjson").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    done = _cli("report", str(run_dir), "--format", "json,junit", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    model = json.loads((run_dir / "report" / "report.json").read_text(encoding="utf-8"))
    assert model["scenarios"][0]["seconds"] is None
    root = ET.parse(run_dir / "report" / "junit.xml").getroot()
    assert len(root.findall("./testsuite/testcase")) == len(records)


def test_a_report_that_cannot_be_rendered_never_changes_the_runs_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``kassakontroll run``: "a report that cannot be written never changes the verdict", whatever it raised."""
    import harness.cli_report
    from harness.run_command import main

    def broken(*args: Any, **kwargs: Any) -> list[Path]:
        raise RuntimeError("the template is broken")  # e.g. jinja2's UndefinedError, a KeyError of a missing word

    monkeypatch.setattr(harness.cli_report, "render_run", broken)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "run"
    code = main(["--target", "reference://", "-m", "ksf_2_8_5", "--out", str(out), "--report", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "the report could not be written" in captured.err and "the template is broken" in captured.err
    assert json.loads((out / "summary.json").read_text(encoding="utf-8"))["exit_code"] == 0
