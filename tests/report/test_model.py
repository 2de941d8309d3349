"""The report's model piece by piece: clause verdicts, groups, findings, evidence views, and ``build``.

Hand-made records and registry subsets check :mod:`harness.report.matrix` and
:mod:`harness.report.findings` verdict by verdict; the recorded faulty run
(``tests/report/runs/faulty``, copied first -- it is never written to) checks
:mod:`harness.report.evidence_view` and :func:`harness.report.model.build`, intact and
damaged (a run log cut mid-line, an evidence file gone).
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from harness.clauses import Registry, load_clauses
from harness.report.evidence_view import hexdump, read_evidence, scenario_evidence
from harness.report.findings import collect
from harness.report.matrix import CLAUSE_VERDICTS, LAWS, clause_verdicts, groups, overall
from harness.report.model import ReportError, build

RUNS = Path(__file__).parent / "runs"
FAULTY = RUNS / "faulty"

Model = dict[str, Any]
Record = dict[str, Any]


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_clauses()


def _subset(registry: Registry, *ids: str) -> Registry:
    return Registry({clause_id: registry[clause_id] for clause_id in ids})


def _record(scenario: str, verdict: str, *clauses: str) -> Record:
    return {"scenario_id": scenario, "nodeid": f"x.feature::{scenario}", "verdict": verdict, "clauses": list(clauses)}


# --------------------------------------------------------------------------- matrix.clause_verdicts

#: clause id -> what the hand-made run log below makes of it.
EXPECTED = {
    "ksf_2_6_l4": "FAIL",  # one failed among passed
    "ksf_2_8_5": "KNOWN DEVIATION",
    "ksf_2_8_4": "NOT AUTOMATED",
    "ksf_2_2": "NOT TESTED",  # no scenario at all
    "ksf_2_6_l5": "NOT TESTED",  # only skipped
    "ksf_2_8_6": "PASS",  # passed and not applicable
    "ksf_2_2_exception": "NOT APPLICABLE",
    "ksl_1": "DOCUMENTATION REVIEW",  # testable = false, although scenarios name it
}

RECORDS = [
    _record("id_a_001", "passed", "ksf_2_6_l4"),
    _record("id_a_002", "failed", "ksf_2_6_l4", "ksl_1"),
    _record("id_a_003", "passed", "ksf_2_6_l4", "ksf_2_8_6"),
    _record("id_b_001", "known deviation", "ksf_2_8_5"),
    _record("id_b_002", "passed", "ksf_2_8_5"),
    _record("id_c_001", "not automated", "ksf_2_8_4"),
    _record("id_c_002", "passed", "ksf_2_8_4"),
    _record("id_d_001", "skipped", "ksf_2_6_l5"),
    _record("id_d_002", "skipped", "ksf_2_6_l5"),
    _record("id_e_001", "not applicable", "ksf_2_8_6", "ksf_2_2_exception"),
    _record("id_e_002", "not applicable", "ksf_2_2_exception"),
    _record("id_f_001", "passed", "ksl_1", "ksf_9_9_nosuch"),  # a clause the registry lacks is ignored
    {"nodeid": "y.feature::test_without_id", "verdict": "passed", "clauses": ["ksf_2_8_6"]},
]


def test_each_clause_verdict_from_hand_made_records(registry: Registry) -> None:
    subset = _subset(registry, *EXPECTED)
    assert not registry["ksl_1"].testable and all(registry[c].testable for c in EXPECTED if c != "ksl_1")
    verdicts = clause_verdicts(subset, RECORDS)
    assert list(verdicts) == list(EXPECTED)  # the registry's order, nothing else
    assert {c: v["verdict"] for c, v in verdicts.items()} == EXPECTED
    assert set(EXPECTED.values()) == set(CLAUSE_VERDICTS)


def test_clause_verdicts_list_the_scenarios_and_count_their_verdicts(registry: Registry) -> None:
    verdicts = clause_verdicts(_subset(registry, *EXPECTED), RECORDS)
    assert verdicts["ksf_2_6_l4"]["scenarios"] == ["id_a_001", "id_a_002", "id_a_003"]
    assert verdicts["ksf_2_6_l4"]["counts"] == {"failed": 1, "passed": 2}
    assert verdicts["ksf_2_8_5"]["counts"] == {"known deviation": 1, "passed": 1}
    assert verdicts["ksf_2_6_l5"] == {"verdict": "NOT TESTED", "scenarios": ["id_d_001", "id_d_002"],
                                      "counts": {"skipped": 2}}  # fmt: skip
    assert verdicts["ksf_2_2"] == {"verdict": "NOT TESTED", "scenarios": [], "counts": {}}
    # a record without scenario_id is named by its nodeid
    assert verdicts["ksf_2_8_6"]["scenarios"] == ["id_a_003", "id_e_001", "y.feature::test_without_id"]
    assert verdicts["ksf_2_8_6"]["counts"] == {"not applicable": 1, "passed": 2}
    # the review-only clause keeps what named it, but its verdict is not theirs
    assert verdicts["ksl_1"]["scenarios"] == ["id_a_002", "id_f_001"]
    assert verdicts["ksl_1"]["counts"] == {"failed": 1, "passed": 1}


def test_a_failed_scenario_outweighs_every_other_verdict(registry: Registry) -> None:
    others = ["passed", "known deviation", "not automated", "not applicable", "skipped"]
    records = [_record(f"id_{n}", v, "ksf_2_6_l4") for n, v in enumerate(others)]
    subset = _subset(registry, "ksf_2_6_l4")
    assert clause_verdicts(subset, records)["ksf_2_6_l4"]["verdict"] == "KNOWN DEVIATION"
    records.append(_record("id_last", "failed", "ksf_2_6_l4"))
    assert clause_verdicts(subset, records)["ksf_2_6_l4"]["verdict"] == "FAIL"


# --------------------------------------------------------------------------- matrix.overall


def _verdicts(*names: str) -> dict[str, dict[str, Any]]:
    return {f"c{n}": {"verdict": name} for n, name in enumerate(names)}


@pytest.mark.parametrize(
    ("clauses", "contradicted", "complete", "expected"),
    [
        (("PASS", "DOCUMENTATION REVIEW", "NOT APPLICABLE"), False, True, "PASS"),
        (("PASS", "FAIL", "NOT TESTED"), False, True, "FAIL"),
        (("PASS", "NOT APPLICABLE"), True, True, "FAIL"),  # the profile contradicts the till
        (("PASS", "FAIL"), True, False, "FAIL"),
        (("PASS", "NOT TESTED"), False, True, "INCOMPLETE"),
        (("PASS", "NOT AUTOMATED"), False, True, "INCOMPLETE"),
        (("PASS", "KNOWN DEVIATION"), False, True, "INCOMPLETE"),
        (("PASS", "DOCUMENTATION REVIEW"), False, False, "INCOMPLETE"),  # the run did not finish
    ],
)
def test_overall_verdict(clauses: tuple[str, ...], contradicted: bool, complete: bool, expected: str) -> None:
    assert overall(_verdicts(*clauses), contradicted, complete) == expected


# --------------------------------------------------------------------------- matrix.groups


def test_groups_are_the_laws_in_order_with_lovdata_links(registry: Registry) -> None:
    matrix = groups(registry, clause_verdicts(registry, []))
    assert [law["law"] for law in matrix] == ["ksl", "ksf", "bff", "saft"]
    assert all(law["url"] == LAWS[law["law"]]["url"] for law in matrix)
    by_law = {law["law"]: law for law in matrix}
    paragraph = next(p for p in by_law["ksf"]["paragraphs"] if "ksf_2_8_2_m" in p["clauses"])
    assert paragraph["paragraph"] == "2-8-2"
    assert paragraph["url"] == "https://lovdata.no/forskrift/2015-12-18-1616/§2-8-2"
    assert paragraph["clauses"][0] == "ksf_2_8_2" and "ksf_2_8_2_z" in paragraph["clauses"]
    paragraph = next(p for p in by_law["ksl"]["paragraphs"] if "ksl_3_l1" in p["clauses"])
    assert paragraph["paragraph"] == "3"
    assert paragraph["url"] == "https://lovdata.no/lov/2015-06-19-58/§3"
    sig = next(p for p in by_law["saft"]["paragraphs"] if "saft_sig_data" in p["clauses"])
    assert sig["paragraph"] == "sig" and sig["url"] == LAWS["saft"]["url"]


def test_groups_hold_every_clause_exactly_once(registry: Registry) -> None:
    matrix = groups(registry, clause_verdicts(registry, []))
    placed = [c for law in matrix for p in law["paragraphs"] for c in p["clauses"]]
    assert Counter(placed) == Counter(list(registry))  # none twice, none missing
    assert placed == list(registry)  # the law's order
    for law in matrix:
        assert all(c.startswith(law["law"] + "_") for p in law["paragraphs"] for c in p["clauses"])
        names = [p["paragraph"] for p in law["paragraphs"]]
        assert len(names) == len(set(names)), names


def test_a_paragraphs_verdict_is_its_worst_clauses(registry: Registry) -> None:
    records = [_record("id_1", "passed", "ksf_2_8_2", "ksf_2_8_2_a"), _record("id_2", "failed", "ksf_2_8_2_m")]
    two_six = [c for c in registry if c.startswith("ksf_2_6_")]
    records.append(_record("id_3", "passed", *two_six))
    records.append(_record("id_4", "known deviation", "ksf_2_8_5"))
    records.append(_record("id_5", "not applicable", "ksf_2_2", "ksf_2_2_exception"))
    verdicts = clause_verdicts(registry, records)
    matrix = groups(registry, verdicts)
    paragraphs = {(law["law"], p["paragraph"]): p for law in matrix for p in law["paragraphs"]}
    assert paragraphs[("ksf", "2-8-2")]["verdict"] == "FAIL"  # one failed letter among passed and untested ones
    assert verdicts["ksf_2_6_l1"]["verdict"] == "DOCUMENTATION REVIEW"
    assert paragraphs[("ksf", "2-6")]["verdict"] == "PASS"  # passed and documentation review
    assert paragraphs[("ksf", "2-8-5")]["verdict"] == "KNOWN DEVIATION"
    assert paragraphs[("ksf", "2-2")]["verdict"] == "NOT APPLICABLE"
    assert paragraphs[("ksl", "1")]["verdict"] == "DOCUMENTATION REVIEW"
    assert paragraphs[("ksf", "2-8-3")]["verdict"] == "NOT TESTED"
    for paragraph in paragraphs.values():
        worst = min((verdicts[c]["verdict"] for c in paragraph["clauses"]), key=CLAUSE_VERDICTS.index)
        assert paragraph["verdict"] == worst


# --------------------------------------------------------------------------- findings.collect


def _failed(sid: str, reason: str, *clauses: str) -> dict[str, Any]:
    return {"id": sid, "verdict": "failed", "reason": reason, "clauses": list(clauses), "evidence": {}}


def _finding(rule: str, where: str, severity: str = "error", count: int = 1, clause: str = "saft_sig") -> Record:
    return {"rule": rule, "severity": severity, "clause": clause, "count": count, "where": where,
            "message": {"nb": f"{rule} nb {where}", "en": f"{rule} en {where}"}}  # fmt: skip


def _with_journal(sid: str, *exports: list[Record], verdict: str = "passed") -> dict[str, Any]:
    journal = [{"seq": n, "file": f"export{n}.xml", "findings": findings} for n, findings in enumerate(exports)]
    return {"id": sid, "verdict": verdict, "reason": "", "clauses": [], "evidence": {"journal": journal}}


def test_failed_scenarios_with_the_same_first_line_are_one_finding() -> None:
    reason = "AssertionError: the marking «KOPI» is 1× the base glyph height:\n[1x2] Salgskvittering\nKOPI\n"
    other = "AssertionError: the marking «KOPI» is 1× the base glyph height:\n[1x1] Returkvittering\n"
    findings = collect([
        _failed("id_ksf_2_8_6_font_002", reason, "ksf_2_8_6_font"),
        {"id": "id_passed", "verdict": "passed", "reason": "", "clauses": ["ksf_2_8_6_font"], "evidence": {}},
        _failed("id_ksf_2_8_6_font_001", other, "ksf_2_8_6_font"),
    ])  # fmt: skip
    assert len(findings) == 1, findings
    (finding,) = findings
    assert finding["source"] == "scenario" and finding["severity"] == "error"
    assert finding["count"] == 2
    assert finding["scenarios"] == ["id_ksf_2_8_6_font_001", "id_ksf_2_8_6_font_002"]
    assert finding["clauses"] == ["ksf_2_8_6_font"]
    line = "AssertionError: the marking «KOPI» is 1× the base glyph height"
    assert finding["message"] == {"nb": line, "en": line}


def test_a_journal_finding_in_two_exports_of_one_scenario_counts_once() -> None:
    finding = _finding("SIG-VERIFY", "register K1, nr 2, line 665")
    findings = collect([_with_journal("id_saft_sig_data_002", [finding], [dict(finding)])])
    assert [(f["rule"], f["count"], f["scenarios"]) for f in findings] == [("SIG-VERIFY", 1, ["id_saft_sig_data_002"])]
    assert findings[0]["where"] == "register K1, nr 2, line 665" and findings[0]["clauses"] == ["saft_sig"]
    assert findings[0]["message"]["en"] == "SIG-VERIFY en register K1, nr 2, line 665"


def test_a_journal_rule_seen_in_two_scenarios_or_two_places_adds_up() -> None:
    first, second = _finding("SIG-VERIFY", "register K1, nr 2"), _finding("SIG-VERIFY", "register K1, nr 3")
    findings = collect([_with_journal("id_b", [first, second]), _with_journal("id_a", [dict(first)])])
    assert len(findings) == 1
    assert findings[0]["count"] == 3 and findings[0]["scenarios"] == ["id_a", "id_b"]
    assert findings[0]["where"] == "register K1, nr 2"  # the first place seen


def test_info_journal_findings_are_left_out() -> None:
    findings = collect([
        _with_journal("id_x", [_finding("Z-OPEN", "register K1", severity="info", clause="ksf_2_8_3_l1"),
                               _finding("Z-OPEN", "register K2", severity="INFO", clause="ksf_2_8_3_l1")]),
    ])  # fmt: skip
    assert findings == []


def test_findings_are_ordered_errors_before_warnings_then_by_count() -> None:
    receipt = {"anomalies": [{"name": "ESC ?", "note": "unknown command"}]}
    scenarios = [
        _with_journal("id_1", [_finding("NUM-GAP", "register K1", severity="warning", count=5)]),
        _with_journal("id_2", [_finding("SIG-CHAIN", "register K1", count=1)]),
        _with_journal("id_3", [_finding("Z-SUM", "register K2", count=4)]),
        {"id": "id_4", "verdict": "passed", "evidence": {"receipts": [receipt, receipt]}},
        _failed("id_5", "AssertionError: no receipt", "ksf_2_6_l4"),
        _failed("id_6", "AssertionError: no receipt", "ksf_2_6_l4"),
    ]
    findings = collect(scenarios)
    assert [(f["severity"], f["rule"] or f["source"], f["count"]) for f in findings] == [
        ("error", "Z-SUM", 4),
        ("error", "scenario", 2),
        ("error", "SIG-CHAIN", 1),
        ("warning", "NUM-GAP", 5),
        ("warning", "ESC ?", 2),
    ]
    assert findings[-1]["source"] == "printer" and findings[-1]["scenarios"] == ["id_4"]


# --------------------------------------------------------------------------- evidence_view


def test_hexdump_layout() -> None:
    data = b"Salgskvittering\n\x1b!\x10KOPI\x00"
    lines = hexdump(data).splitlines()
    assert lines == [
        "00000000  53 61 6c 67 73 6b 76 69 74 74 65 72 69 6e 67 0a  Salgskvittering.",
        "00000010  1b 21 10 4b 4f 50 49 00                          .!.KOPI.",
    ]
    assert hexdump(b"") == ""


def test_hexdump_stops_at_its_limit_with_a_line_saying_how_much_is_left() -> None:
    data = bytes(range(256)) * 2  # 512 bytes
    lines = hexdump(data, limit=64).splitlines()
    assert len(lines) == 5
    assert [line[:8] for line in lines[:4]] == ["00000000", "00000010", "00000020", "00000030"]
    assert lines[-1] == "… 448 more bytes in the evidence file"
    assert "more bytes" not in hexdump(data, limit=512)
    assert len(hexdump(data, limit=512).splitlines()) == 32


def test_hexdump_shows_no_more_bytes_than_its_limit() -> None:
    """A limit that is no multiple of 16 still shows at most ``limit`` bytes (HEXDUMP_LIMIT: "at most")."""
    data = bytes(range(48))
    lines = hexdump(data, limit=20).splitlines()
    shown = sum(len(line[10:57].split()) for line in lines[:-1])
    # the dump and its last line must agree with the data: shown + "more" == len(data)
    assert lines[-1] == "… 28 more bytes in the evidence file"
    assert shown == 20, lines


def test_read_evidence_reads_past_a_cut_last_line(tmp_path: Path) -> None:
    source = FAULTY / "evidence" / "id_ksf_2_8_6_font_001.ndjson"
    text = source.read_text(encoding="utf-8")
    lines = text.splitlines()
    cut = "\n".join(lines[:-1]) + "\n" + lines[-1][: len(lines[-1]) // 2]
    path = tmp_path / source.name
    path.write_text(cut, encoding="utf-8")
    records, problems = read_evidence(path)
    assert len(records) == len(lines) - 1
    assert [r["seq"] for r in records] == [json.loads(line)["seq"] for line in lines[:-1]]
    assert len(problems) == 1 and f"{source.name} line {len(lines)}" in problems[0], problems
    records, problems = read_evidence(tmp_path / "gone.ndjson")
    assert records == [] and problems == ["gone.ndjson: the evidence file is missing"]


def _evidence_records(name: str) -> list[Record]:
    path = FAULTY / "evidence" / f"{name}.ndjson"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_scenario_evidence_of_the_recorded_faulty_run() -> None:
    records = _evidence_records("id_ksf_2_8_6_font_001")
    kinds = Counter(r["kind"] for r in records)
    view = scenario_evidence(records)
    chatter = ("link.rx", "link.tx", "printer.status_reply")
    assert view["counted"] == {k: kinds[k] for k in chatter} and all(kinds[k] for k in chatter)
    assert not [e for e in view["timeline"] if e["kind"] in chatter]
    assert len(view["timeline"]) == len(records) - sum(kinds[k] for k in chatter)
    assert len(view["receipts"]) == kinds["printer.document"] == 2
    assert all("Salgskvittering" in receipt["html"] for receipt in view["receipts"]), "receipts not re-decoded"
    assert any("KOPI" in receipt["html"] for receipt in view["receipts"])
    assert all(receipt["hexdump"].startswith("00000000  ") for receipt in view["receipts"])
    times = [e["t"] for e in view["timeline"]]
    assert times == sorted(times) and 0.0 <= times[0] < 1.0  # seconds since the scenario's first record
    kick = next(e for e in view["timeline"] if e["kind"] == "drawer.kick")
    assert kick["detail"].startswith("pin ")


# --------------------------------------------------------------------------- model.build


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Model:
    copy = tmp_path_factory.mktemp("model") / "faulty"
    shutil.copytree(FAULTY, copy)
    return build(copy)


def test_build_of_the_faulty_run(faulty: Model) -> None:
    assert faulty["verdict"] == "FAIL"
    assert faulty["identity"]["run"]["lab"] == "Testlab AS"
    assert faulty["identity"]["target"]["version"] == "7.0"
    assert faulty["problems"] == []
    lines = (FAULTY / "run.ndjson").read_text(encoding="utf-8").splitlines()
    logged = [json.loads(line)["scenario_id"] for line in lines]
    assert [s["id"] for s in faulty["scenarios"]] == logged
    assert faulty["counts"]["scenarios"] == {"failed": 1, "known deviation": 1, "not applicable": 1, "passed": 5}
    assert faulty["clauses"]["ksf_2_8_6_font"]["verdict"] == "FAIL"


def test_build_step_events_are_the_timelines(faulty: Model) -> None:
    assert any(step["events"] for s in faulty["scenarios"] for step in s["steps"])
    for scenario in faulty["scenarios"]:
        timeline = [e["seq"] for e in scenario["evidence"]["timeline"]]
        inside: list[int] = []
        for step in scenario["steps"]:
            assert set(step["events"]) <= set(timeline), (scenario["id"], step["text"])
            if step["events"]:
                first, last = step["evidence"]
                assert all(first <= seq <= last for seq in step["events"])
            inside += step["events"]
        assert len(inside) == len(set(inside)), scenario["id"]  # no event in two steps
        assert not set(inside) & set(scenario["outside_steps"])
        assert sorted([*inside, *scenario["outside_steps"]]) == sorted(timeline), scenario["id"]


def test_build_lists_each_contradictions_scenarios_once(faulty: Model) -> None:
    summary = json.loads((FAULTY / "summary.json").read_text(encoding="utf-8"))
    # the recorded summary names a scenario twice where it showed the contradiction twice
    assert any(len(set(c["scenarios"])) < len(c["scenarios"]) for c in summary["contradictions"])
    assert len(faulty["contradictions"]) == len(summary["contradictions"])
    for listed, recorded in zip(faulty["contradictions"], summary["contradictions"], strict=True):
        assert listed["scenarios"] == list(dict.fromkeys(recorded["scenarios"]))
        assert listed["subject"] == recorded["subject"]


def _damage(run_dir: Path, missing: str) -> None:
    log = run_dir / "run.ndjson"
    data = log.read_bytes().rstrip(b"\n")
    start = data.rfind(b"\n") + 1
    log.write_bytes(data[: start + (len(data) - start) // 2])  # killed while writing the last record
    (run_dir / "evidence" / f"{missing}.ndjson").unlink()


def test_build_of_a_damaged_run_lists_what_it_could_not_read(tmp_path: Path) -> None:
    run_dir = tmp_path / "faulty"
    shutil.copytree(FAULTY, run_dir)
    records = len((FAULTY / "run.ndjson").read_text(encoding="utf-8").splitlines())
    _damage(run_dir, "id_ksf_2_8_6_font_002")
    model = build(run_dir)
    assert len(model["scenarios"]) == records - 1
    assert len(model["problems"]) == 2, model["problems"]
    evidence_problem, log_problem = sorted(model["problems"])
    assert evidence_problem.startswith("id_ksf_2_8_6_font_002.ndjson") and "missing" in evidence_problem
    assert log_problem.startswith(f"run.ndjson line {records}: unreadable")
    scenario = next(s for s in model["scenarios"] if s["id"] == "id_ksf_2_8_6_font_002")
    assert scenario["evidence"]["sha256"] is None and scenario["evidence"]["timeline"] == []
    assert model["verdict"] == "FAIL"


def test_build_of_a_folder_that_is_no_run_folder(tmp_path: Path) -> None:
    with pytest.raises(ReportError) as raised:
        build(tmp_path)
    assert "run.ndjson" in str(raised.value)
    assert "kassakontroll run --out" in str(raised.value)


def test_build_fills_in_lab_and_operator_only_where_the_run_did_not(tmp_path: Path) -> None:
    run_dir = tmp_path / "faulty"
    shutil.copytree(FAULTY, run_dir)
    assert build(run_dir, lab="Other lab", operator="Per")["identity"]["run"]["lab"] == "Testlab AS"
    summary: dict[str, Any] = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    summary.update(lab="", operator="")
    (run_dir / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    run: Mapping[str, Any] = build(run_dir, lab="Other lab", operator="Per")["identity"]["run"]
    assert (run["lab"], run["operator"]) == ("Other lab", "Per")


def test_a_technicians_prompts_and_answers_read_in_the_timeline() -> None:
    records = [
        {"seq": 1, "source": "manual", "kind": "manual.prompt", "mono": 1.0, "wall": "",
         "data": {"register": "K1", "verb": "sell", "step": 1, "text": "sell 2 × article 1001 (21,90 kr)"}},
        {"seq": 2, "source": "manual", "kind": "manual.answer", "mono": 4.5, "wall": "",
         "data": {"register": "K1", "verb": "conclude", "step": 2, "answer": "refused", "typed": "r",
                  "reason": "the drawer is open"}},
    ]  # fmt: skip
    timeline = scenario_evidence(records)["timeline"]
    assert [e["detail"] for e in timeline] == [
        "K1 sell: sell 2 × article 1001 (21,90 kr)",
        "K1 conclude: refused 'r' (the drawer is open)",
    ]
    assert [e["t"] for e in timeline] == [0.0, 3.5]


def test_a_message_cites_its_most_specific_clauses(registry: Registry) -> None:
    from harness.report.matrix import cited_clauses

    assert cited_clauses("kassasystemforskrifta § 2-6 fjerde ledd: the till accepted a second copy", registry) == [
        "ksf_2_6_l4"
    ]
    cited = cited_clauses("kassasystemforskrifta § 2-8-2 første ledd bokstav m: 2 nullinnslag", registry)
    assert cited == ["ksf_2_8_2_m"]  # not ksf_2_8_2 (the paragraph as a whole), which it also contains
    assert cited_clauses("AssertionError: the printer said nothing", registry) == []
