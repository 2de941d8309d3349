"""``kassakontroll verify`` on the command line: exit codes, JSON, languages, the rule list.

Exit codes (docs/verify.md): 0 clean, 1 findings (error or warning), 2 usage, 6 unusable input.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from harness.cli import main
from harness.verify import RULES
from harness.verify.rules import rules_markdown

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "tests" / "data" / "example_999999999_20210330104000.xml"
RULES_DOC = ROOT / "docs" / "verify-rules.md"
NAME = "SAF-T Cash Register_999999999_20210330104000.xml"
FINDING_KEYS = {"rule", "severity", "clause", "title", "message", "explanation", "count", "location", "samples"}


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A clean signed export (4 registers x 50 transactions, key versions 1 and 2) and its public keys."""
    from bench.saft_synth import SynthSpec, generate, write_keys

    folder = tmp_path_factory.mktemp("synth")
    key1, key2 = write_keys(folder)
    export = folder / "SAF-T Cash Register_999999999_20250101235959.xml"
    generate(export, SynthSpec(transactions=200), folder / "key1.pem", folder / "key2.pem", workers=2)
    return {"export": export, "key1": key1, "key2": key2}


def _keys(synth: dict[str, Path]) -> list[str]:
    return ["--public-key", f"1={synth['key1']}", "--public-key", f"2={synth['key2']}"]


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, list[dict[str, object]]]:
    document: dict[str, list[dict[str, object]]] = json.loads(capsys.readouterr().out)
    return document


@pytest.fixture
def not_saft(tmp_path: Path) -> Path:
    path = tmp_path / "invoice" / NAME
    path.parent.mkdir()
    path.write_bytes(b'<?xml version="1.0" encoding="UTF-8"?>\n<invoice><id>1</id></invoice>\n')
    return path


@pytest.fixture
def truncated(tmp_path: Path) -> Path:
    data = EXAMPLE.read_bytes()
    path = tmp_path / "truncated" / NAME
    path.parent.mkdir()
    path.write_bytes(data[: data.index(b"<transAmntIn>", 25_000) + 15])
    return path


# --- exit codes ------------------------------------------------------------------------


def test_clean_file_exits_0(synth: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(synth["export"]), *_keys(synth), "--workers", "0"]) == 0
    out = capsys.readouterr().out
    assert "200 transactions" in out
    assert "no findings" in out


def test_example_exits_1_with_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(EXAMPLE), "--workers", "0"]) == 1
    out = capsys.readouterr().out
    assert out.count("WARNING Z-COUNT") == 3
    assert "WARNING FILE-NAME" in out
    assert "INFO SIG-NOT-CHECKED" in out
    assert "ERROR" not in out and "FATAL" not in out


def test_info_alone_is_still_clean(synth: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """Without keys the clean export gets only SIG-NOT-CHECKED (info): exit 0."""
    assert main(["verify", str(synth["export"]), "--workers", "0"]) == 0
    assert "INFO SIG-NOT-CHECKED" in capsys.readouterr().out


def test_not_saft_exits_6(not_saft: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(not_saft), "--workers", "0"]) == 6
    out = capsys.readouterr().out
    assert "FATAL XML-NOT-SAFT" in out and "invoice" in out


def test_truncated_exits_6(truncated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(truncated), "--workers", "0"]) == 6
    assert "FATAL XML-TRUNCATED" in capsys.readouterr().out


def test_missing_file_exits_6(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(tmp_path / NAME), "--workers", "0"]) == 6
    assert "FATAL FILE-READ" in capsys.readouterr().out


def test_one_unusable_file_among_good_ones_exits_6(
    synth: dict[str, Path], truncated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files_given = [str(synth["export"]), str(truncated), str(EXAMPLE)]
    code = main(["verify", *files_given, *_keys(synth), "--json", "--workers", "0"])
    assert code == 6
    files = _json(capsys)["files"]
    assert [f["path"] for f in files] == files_given
    assert [f["usable"] for f in files] == [True, False, True]
    assert files[0]["findings"] == []


def test_no_files_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify"]) == 2
    assert "give at least one FILE" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--public-key", "missing.pem", "cannot read"),
        ("--public-key", "big.pem", "1024"),
        ("--public-key", "not-a-key.pem", "not a PEM"),
        ("--hmac-key", "MDEyMzQ1Njc4OQ==", "10 bytes"),
        ("--hmac-key", "1=%%%", "not base64"),
    ],
)
def test_bad_key_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    big = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    (tmp_path / "big.pem").write_bytes(
        big.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    (tmp_path / "not-a-key.pem").write_text("hello\n", encoding="utf-8")
    if option == "--public-key":
        value = str(tmp_path / value)
    assert main(["verify", str(EXAMPLE), option, value, "--workers", "0"]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""  # nothing was verified


def test_negative_workers_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(EXAMPLE), "--workers", "-1"]) == 2
    assert "--workers" in capsys.readouterr().err


def test_unknown_language_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["verify", str(EXAMPLE), "--lang", "sv"])
    assert exc.value.code == 2
    assert "--lang" in capsys.readouterr().err


# --- JSON ------------------------------------------------------------------------------


def test_json_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(EXAMPLE), "--json", "--workers", "0"]) == 1
    [entry] = _json(capsys)["files"]
    assert entry["path"] == str(EXAMPLE)
    assert entry["usable"] is True
    assert entry["transactions"] == 4
    findings = entry["findings"]
    assert isinstance(findings, list) and len(findings) == 5
    for finding in findings:
        assert set(finding) == FINDING_KEYS
        assert finding["rule"] in RULES
        assert finding["severity"] == RULES[finding["rule"]].severity.value
        assert finding["clause"] == RULES[finding["rule"]].clause
        assert isinstance(finding["count"], int) and finding["count"] >= 1
        assert isinstance(finding["location"], dict)
        assert isinstance(finding["samples"], list) and 1 <= len(finding["samples"]) <= 5
        assert finding["samples"][0] == finding["location"]
    z = [f for f in findings if f["rule"] == "Z-COUNT"]
    assert [f["location"] for f in z] == [
        {"register": "11.222-33.44.567", "event_id": "2016", "path": "event/eventReport", "line": 415}
    ] * 3
    assert [f["message"] for f in z] == [
        "Z report 1: artGroup 100 count is 1; counted from the export: 2",
        "Z report 1: paymentType DEBCARD count is 1; counted from the export: 3",
        "Z report 1: empID / paymentType 1000 / DEBCARD count is 0; counted from the export: 2",
    ]


def test_json_of_an_unusable_file(not_saft: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(not_saft), "--json", "--workers", "0"]) == 6
    [entry] = _json(capsys)["files"]
    assert entry["usable"] is False
    assert [(f["rule"], f["severity"]) for f in entry["findings"]] == [("XML-NOT-SAFT", "fatal")]


def test_json_in_norwegian(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(EXAMPLE), "--json", "--lang", "nb", "--workers", "0"]) == 1
    [entry] = _json(capsys)["files"]
    by_rule = {f["rule"]: f for f in entry["findings"]}
    assert by_rule["SIG-NOT-CHECKED"]["message"].startswith("ingen nøkkel er oppgitt")
    assert by_rule["Z-COUNT"]["title"] == RULES["Z-COUNT"].title("nb") != RULES["Z-COUNT"].title("en")
    assert by_rule["FILE-NAME"]["explanation"] == RULES["FILE-NAME"].explanation("nb")


# --- languages -------------------------------------------------------------------------


def test_norwegian_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(EXAMPLE), "--lang", "nb", "--workers", "0"]) == 1
    out = capsys.readouterr().out
    assert out.count("ADVARSEL Z-COUNT") == 3
    assert "antall for artGroup 100 er 1; talt fra eksporten: 2" in out
    assert "ingen nøkkel er oppgitt" in out
    assert "WARNING" not in out and "counted from the export" not in out


def test_norwegian_text_names_the_report_in_norwegian(capsys: pytest.CaptureFixture[str]) -> None:
    main(["verify", str(EXAMPLE), "--lang", "nb", "--workers", "0"])
    out = capsys.readouterr().out
    assert "Z report" not in out
    assert "Z-rapport 1" in out


def test_norwegian_clean_and_fatal(synth: dict[str, Path], not_saft: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(synth["export"]), *_keys(synth), "--lang", "nb", "--workers", "0"]) == 0
    assert "ingen funn" in capsys.readouterr().out
    assert main(["verify", str(not_saft), "--lang", "nb", "--workers", "0"]) == 6
    assert "KRITISK XML-NOT-SAFT" in capsys.readouterr().out


# --- the rule list ---------------------------------------------------------------------


def test_list_rules_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--list-rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(RULES)
    for line, rule in zip(lines, RULES.values(), strict=True):
        assert rule.severity.value in line.split()[1]
        assert rule.clause == line.split()[2]
        assert line.rstrip().endswith(rule.title("en"))


def test_list_rules_in_norwegian(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--list-rules", "--lang", "nb"]) == 0
    out = capsys.readouterr().out
    assert RULES["SIG-VERIFY"].title("nb") in out
    assert RULES["SIG-VERIFY"].title("en") not in out


def test_rules_markdown_is_in_sync_with_docs(capsys: pytest.CaptureFixture[str]) -> None:
    """docs/verify-rules.md is generated: ``kassakontroll verify --list-rules --markdown > docs/verify-rules.md``."""
    assert main(["verify", "--list-rules", "--markdown"]) == 0
    out = capsys.readouterr().out
    assert out == rules_markdown()
    assert out == RULES_DOC.read_text(encoding="utf-8"), "regenerate docs/verify-rules.md"
    for rule_id in RULES:
        assert f"| `{rule_id}` |" in out


# --- a real process --------------------------------------------------------------------


def test_command_runs_as_a_process_with_worker_pool(synth: dict[str, Path]) -> None:
    """The default --workers (one per core) forks workers for the schema and the signatures."""
    clean = subprocess.run(
        [sys.executable, "-m", "harness.cli", "verify", str(synth["export"]), *_keys(synth), "--json"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert clean.returncode == 0, clean.stderr
    [entry] = json.loads(clean.stdout)["files"]
    assert entry["findings"] == [] and entry["transactions"] == 200
    assert entry["schema_engine"] in ("libxml2", "lxml")
    swapped = subprocess.run(
        [
            sys.executable, "-m", "harness.cli", "verify", str(synth["export"]),
            "--public-key", f"1={synth['key2']}", "--public-key", f"2={synth['key1']}", "--workers", "2",
        ],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert swapped.returncode == 1
    assert swapped.stdout.count("ERROR SIG-VERIFY ×50") == 4  # one per register, 50 each
    assert "Traceback" not in swapped.stderr
