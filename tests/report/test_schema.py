"""The JSON report (``report/report.json``) against its schema, ``reports/schema/report.schema.json``.

Two real runs of ``kassakontroll run`` (in child processes, side by side, once for the
module) and a hand-made run folder that never finished are rendered and validated with
``jsonschema``'s Draft 2020-12 validator; models broken on purpose must not validate.

* the clean run: the reference till on a ``-m`` selection, every scenario passes;
* the faulty run: the reference till with two faults (a small «KOPI» marking, unsigned
  transactions), a profile that contradicts it (another version, no integrated drawer: the
  drawer's scenarios are not applicable) and an expectations file excusing one failure
  (a known deviation) -- failures, journal findings, contradictions in one report;
* the minimal folder: ``run.ndjson`` with one record, no ``summary.json``, no profile, no evidence.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from harness.report.model import SCHEMA_ID, build
from harness.report.render import json_model
from tests.report.record_runs import faulty_inputs

RUN = [sys.executable, "-m", "harness.cli", "run"]
CLEAN = "ksf_2_8_5 or ksf_2_6_l4"
FAULTY = "ksf_2_8_6_font or saft_sig or ksf_2_2 or ksf_2_2_exception"
EXCUSED = "id_saft_sig_001"  # fails without signatures; the expectations file excuses it

Model = dict[str, Any]


def _schema() -> dict[str, Any]:
    path = resources.files("reports") / "schema" / "report.schema.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = _schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The folders of the clean and the faulty run, both run at once (each takes a few seconds)."""
    folder = tmp_path_factory.mktemp("runs")
    profile, expectations = faulty_inputs(folder, EXCUSED)  # the same inputs as the recorded faulty run
    commands = {
        "clean": [
            "--target", "reference://", "-m", CLEAN, "--lab", "Testlab AS", "--operator", "Kari",
        ],
        "faulty": [
            "--target", "reference://?fault=small_copy_mark,skip_signature", "--profile", str(profile),
            "--expectations", str(expectations), "-m", FAULTY,
        ],
    }  # fmt: skip
    logs = {name: folder / f"{name}.log" for name in commands}
    children = {}
    for name, args in commands.items():
        with logs[name].open("w", encoding="utf-8") as log:  # a file, not a pipe: neither run waits on a reader
            children[name] = subprocess.Popen(
                [*RUN, *args, "--out", str(folder / name), "--report", "json"],
                cwd=folder,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
    try:
        codes = {name: child.wait(timeout=120) for name, child in children.items()}
    finally:
        for child in children.values():
            if child.poll() is None:
                child.kill()
                child.wait()
    for name, code in codes.items():
        assert code == {"clean": 0, "faulty": 1}[name], logs[name].read_text(encoding="utf-8")
    return {name: folder / name for name in commands}


def _report(run_dir: Path) -> Model:
    model: Model = json.loads((run_dir / "report" / "report.json").read_text(encoding="utf-8"))
    return model


def _errors(validator: Draft202012Validator, model: Model) -> list[tuple[str, str, str]]:
    """(where, the keyword that failed, the message) of each error; where is a path like ``scenarios/0/id``."""
    return [("/".join(map(str, e.absolute_path)), str(e.validator), e.message) for e in validator.iter_errors(model)]


@pytest.fixture(scope="module")
def minimal(tmp_path_factory: pytest.TempPathFactory) -> Model:
    """The JSON report of a run that never finished: one scenario logged, nothing else."""
    run_dir = tmp_path_factory.mktemp("minimal")
    record = {
        "nodeid": "ksf_2_6.feature::test_concluding_a_cash_sale",
        "scenario_id": "id_ksf_2_6_l4_001",
        "name": "Concluding a cash sale prints one salskvittering",
        "feature": "ksf_2_6.feature",
        "clauses": ["ksf_2_6_l4"],
        "verdict": "passed",
        "seconds": 0.25,
        "reason": "",
        "steps": [
            {
                "keyword": "Given",
                "type": "given",
                "text": 'kassapunkt "K1" is open with operator "1001"',
                "line": 9,
                "outcome": "passed",
                "seconds": 0.2,
                "evidence": [1, 4],
            }
        ],
    }
    (run_dir / "run.ndjson").write_text(json.dumps(record) + "\n", encoding="utf-8")
    model: Model = json.loads(json_model(build(run_dir)))
    return model


def test_the_schema_is_a_draft_2020_12_schema_with_the_models_id() -> None:
    schema = _schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID
    assert schema["properties"]["schema"]["const"] == SCHEMA_ID


def test_a_clean_runs_report_is_valid(validator: Draft202012Validator, runs: dict[str, Path]) -> None:
    model = _report(runs["clean"])
    assert _errors(validator, model) == []
    assert set(model["counts"]["scenarios"]) == {"passed"}
    assert model["verdict"] == "INCOMPLETE"  # a -m selection leaves most clauses NOT TESTED
    assert model["identity"]["run"]["lab"] == "Testlab AS"
    assert all(s["evidence"]["file"] and s["evidence"]["sha256"] for s in model["scenarios"])
    assert any(r["text"] for s in model["scenarios"] for r in s["evidence"]["receipts"])


def test_a_faulty_runs_report_is_valid(validator: Draft202012Validator, runs: dict[str, Path]) -> None:
    model = _report(runs["faulty"])
    assert _errors(validator, model) == []
    # what the schema was checked on: every kind of verdict and finding this run can give
    assert model["verdict"] == "FAIL"
    assert {"passed", "failed", "not applicable", "known deviation"} <= set(model["counts"]["scenarios"])
    assert {"FAIL", "KNOWN DEVIATION", "PASS", "NOT APPLICABLE"} <= {
        verdict for verdict, n in model["counts"]["clauses"].items() if n
    }
    assert {f["source"] for f in model["findings"]} == {"scenario", "journal"}  # contradictions are listed apart
    assert model["contradictions"] and any(s["contradictions"] for s in model["scenarios"])
    assert any(s["evidence"]["journal"] for s in model["scenarios"])
    assert any(step["outcome"] == "not run" for s in model["scenarios"] for step in s["steps"])


def test_a_minimal_unfinished_run_folders_model_is_valid(validator: Draft202012Validator, minimal: Model) -> None:
    assert _errors(validator, minimal) == []
    assert minimal["verdict"] == "INCOMPLETE"
    assert minimal["profile"] is None and minimal["fuzz"] is None
    assert minimal["identity"]["run"]["exit_code"] is None
    assert any("summary.json" in p for p in minimal["problems"])
    (scenario,) = minimal["scenarios"]
    assert scenario["evidence"]["file"] is None and scenario["evidence"]["sha256"] is None
    assert scenario["steps"][0]["evidence"] == [1, 4] and scenario["steps"][0]["events"] == []


def test_the_documented_example_is_valid(validator: Draft202012Validator) -> None:
    """docs/report-json.md shows an abridged report; it must still be one."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "report-json.md").read_text(encoding="utf-8")
    example = doc.split("```json\n", 1)[1].split("```", 1)[0]
    assert _errors(validator, json.loads(example)) == []


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Model], None]:
    def change(model: Model) -> None:
        *parents, last = path
        target = model
        for key in parents:
            target = target[key]
        target[last] = value

    return change


def _drop(path: tuple[Any, ...]) -> Callable[[Model], None]:
    def change(model: Model) -> None:
        *parents, last = path
        target = model
        for key in parents:
            target = target[key]
        del target[last]

    return change


def _with_evidence(change: Callable[[Model], None]) -> Callable[[Model], None]:
    """``change`` applied to the first scenario's evidence, given an evidence file first."""

    def changed(model: Model) -> None:
        evidence = model["scenarios"][0]["evidence"]
        evidence["file"] = "evidence/id_ksf_2_6_l4_001.ndjson"
        evidence["sha256"] = "0" * 64
        change(evidence)

    return changed


#: A receipt as the HTML report has it (the JSON report leaves ``html`` and ``hexdump`` out).
RECEIPT = {"seq": 2, "t": 0.0, "source": "K1/printer", "number": 1, "text": "", "bytes": 0,
           "interrupted_after_lines": None, "anomalies": [], "html": "<div/>"}  # fmt: skip


def _rename_clause(model: Model) -> None:
    model["clauses"]["ksf_2-6_l4"] = model["clauses"].pop("ksf_2_6_l4")


#: A contradiction of the run (summary.json), as the faulty run has them.
CONTRADICTION = {"subject": "s", "declared": "d", "observed": "o", "where": "w", "fix": "f", "scenarios": []}

#: What breaks the model -> where the validator must find it and the keyword that catches it.
BROKEN: dict[str, tuple[Callable[[Model], None], str, str]] = {
    "an unknown run verdict": (_set(("verdict",), "PASSED"), "verdict", "enum"),
    "an unknown scenario verdict": (_set(("scenarios", 0, "verdict"), "flaky"), "scenarios/0/verdict", "enum"),
    "an unknown clause verdict": (
        _set(("clauses", "ksf_2_6_l4", "verdict"), "OK"),
        "clauses/ksf_2_6_l4/verdict",
        "enum",
    ),
    "an unknown step outcome": (
        _set(("scenarios", 0, "steps", 0, "outcome"), "xfail"),
        "scenarios/0/steps/0/outcome",
        "enum",
    ),
    "a scenario without its id": (_drop(("scenarios", 0, "id")), "scenarios/0", "required"),
    "a clause id outside the grammar": (_rename_clause, "clauses", "pattern"),
    "a text without its English": (_drop(("declaration", "title", "en")), "declaration/title", "required"),
    "a key the format does not have": (_set(("verdicts",), []), "", "additionalProperties"),
    "a receipt with its rendered HTML": (
        _with_evidence(_set(("receipts",), [RECEIPT])),
        "scenarios/0/evidence/receipts/0",
        "additionalProperties",
    ),
    "a digest that is not SHA-256 hex": (
        _with_evidence(_set(("sha256",), "ABC")),
        "scenarios/0/evidence/sha256",
        "anyOf",
    ),
    "an untestable clause that passed": (
        _set(("clauses", "ksl_1", "verdict"), "PASS"),
        "clauses/ksl_1/verdict",
        "const",
    ),
    "a contradiction the verdict ignores": (_set(("contradictions",), [CONTRADICTION]), "verdict", "const"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_model_is_invalid(validator: Draft202012Validator, minimal: Model, case: str) -> None:
    change, where, keyword = BROKEN[case]
    model = copy.deepcopy(minimal)
    change(model)
    errors = _errors(validator, model)
    assert errors, f"{case} validated"
    assert (where, keyword) in {(path, failed) for path, failed, _message in errors}, errors


def test_a_run_whose_fuzz_broke_an_invariant_fails_and_is_valid(
    validator: Draft202012Validator, tmp_path: Path
) -> None:
    run_dir = tmp_path / "clean"
    shutil.copytree(Path(__file__).parent / "runs" / "clean", run_dir)
    message = (
        "InvariantBroken: kassasystemforskrifta § 2-6 fjerde ledd: the till accepted a second copy of K1-S000001; "
        "it must refuse it"
    )
    failure = {"kind": "invariant", "message": message, "steps": "", "program": "state = FuzzMachine()\n"}
    fuzz = {"target": "reference://", "seed": 1, "examples": 3, "steps": 12, "seconds": 1.0, "repeat": "",
            "failures": [failure]}  # fmt: skip
    (run_dir / "fuzz.json").write_text(json.dumps(fuzz), encoding="utf-8")
    model = json.loads(json_model(build(run_dir)))
    assert _errors(validator, model) == []
    assert model["verdict"] == "FAIL" and model["counts"]["clauses"]["FAIL"] == 0  # every scenario passed
    found = [f for f in model["findings"] if f["source"] == "fuzz"]
    assert [(f["rule"], f["severity"], f["clauses"], f["count"]) for f in found] == [
        ("invariant", "error", ["ksf_2_6_l4"], 1)  # the most specific clause the message cites
    ]
