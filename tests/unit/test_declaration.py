"""The draft product declaration (RF-1348): fields from the profile, statements from the verdicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.clauses import Registry, load_clauses
from harness.profile import SUPPLIER_ROLES, load_profile, reference_profile_path
from harness.report.declaration import ROLES, draft
from tests.profile_copy import reference_profile_with

SECRET = "U2thdHRldGF0ZW5TaWdu"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_clauses()


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    return load_profile(reference_profile_path()).to_json()


def run_verdicts(registry: Registry, **changed: str) -> dict[str, dict[str, Any]]:
    """What a clean run gives: PASS for testable clauses, DOCUMENTATION REVIEW for the rest."""
    verdicts: dict[str, dict[str, Any]] = {}
    for clause in registry.values():
        verdict = "PASS" if clause.testable else "DOCUMENTATION REVIEW"
        scenarios = [f"id_{clause.id}_002", f"id_{clause.id}_001"] if clause.testable else []
        verdicts[clause.id] = {"verdict": changed.get(clause.id, verdict), "scenarios": scenarios}
    return verdicts


def field(result: dict[str, Any], field_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [f for f in result["fields"] if f["id"] == field_id]
    assert len(found) == 1, field_id
    return found[0]


def statement(result: dict[str, Any], statement_id: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [s for s in result["statements"] if s["id"] == statement_id]
    assert len(found) == 1, statement_id
    return found[0]


def test_every_clause_the_draft_names_is_in_the_registry(registry: Registry, reference: dict[str, Any]) -> None:
    for profile in (reference, None):
        result = draft(profile, {}, registry)
        used = {c for item in result["fields"] + result["statements"] for c in item["clauses"]}
        assert used and used <= set(registry), sorted(used - set(registry))
    assert 12 <= len(result["statements"]) <= 18
    assert len({s["id"] for s in result["statements"]}) == len(result["statements"])
    assert tuple(ROLES) == SUPPLIER_ROLES


def test_a_clean_run_with_the_reference_profile_is_ready(registry: Registry, reference: dict[str, Any]) -> None:
    result = draft(reference, run_verdicts(registry), registry)
    assert result["form"] == "RF-1348"
    assert result["title"]["nb"] == "Systemleverandørens produktfråsegn for kassasystem"
    assert result["ready"] is True
    assert all(f["value"] for f in result["fields"])
    assert field(result, "system.integrated_drawer")["value"] == "yes"
    assert field(result, "system.integrated_drawer")["source"] == "evidence"
    assert field(result, "declaration.compliant")["value"] == "yes"
    assert field(result, "supplier.role")["value"] == "manufacturer"
    assert field(result, "system.id")["value"] == "KK-REF-0001"
    assert field(result, "signature.key.1")["value"].startswith("-----BEGIN PUBLIC KEY-----")
    assert {s["verdict"] for s in result["statements"]} <= {"PASS", "DOCUMENTATION REVIEW"}
    sales = statement(result, "sales_receipt")
    assert sales["basis"] == "evidence" and sales["verdict"] == "PASS"
    assert sales["scenarios"] == sorted({f"id_{c}_00{n}" for c in sales["clauses"] for n in (1, 2)})
    assert statement(result, "documentation")["basis"] == "documentation"
    assert statement(result, "documentation")["verdict"] == "DOCUMENTATION REVIEW"
    assert "documentation" in field(result, "declaration.compliant")["note"]["en"]


def test_a_failed_clause_fails_its_statement_and_the_declaration(registry: Registry, reference: dict[str, Any]) -> None:
    result = draft(reference, run_verdicts(registry, ksf_2_8_6="FAIL"), registry)
    assert statement(result, "copy_receipt")["verdict"] == "FAIL"
    assert statement(result, "sales_receipt")["verdict"] == "PASS"
    assert result["ready"] is False
    compliant = field(result, "declaration.compliant")
    assert compliant["value"] == "" and compliant["source"] == "supplier"
    assert "copy_receipt (FAIL)" in compliant["note"]["nb"] and "copy_receipt (FAIL)" in compliant["note"]["en"]


@pytest.mark.parametrize(
    ("verdicts", "worst"),
    [
        (("PASS", "NOT APPLICABLE"), "PASS"),
        (("DOCUMENTATION REVIEW", "PASS"), "DOCUMENTATION REVIEW"),
        (("NOT TESTED", "DOCUMENTATION REVIEW"), "NOT TESTED"),
        (("NOT AUTOMATED", "NOT TESTED"), "NOT AUTOMATED"),
        (("KNOWN DEVIATION", "NOT AUTOMATED"), "KNOWN DEVIATION"),
        (("FAIL", "KNOWN DEVIATION"), "FAIL"),
    ],
)
def test_a_statement_takes_the_worst_verdict_of_its_clauses(
    registry: Registry, reference: dict[str, Any], verdicts: tuple[str, str], worst: str
) -> None:
    clauses = ("ksf_2_5_clock", "ksf_2_8_2_c")
    result = draft(reference, run_verdicts(registry, **dict(zip(clauses, verdicts, strict=True))), registry)
    assert statement(result, "clock")["clauses"] == list(clauses)
    assert statement(result, "clock")["verdict"] == worst
    assert result["ready"] is (worst in ("PASS", "DOCUMENTATION REVIEW"))


def test_a_statement_whose_clauses_are_all_not_applicable_is_not_applicable(
    registry: Registry, reference: dict[str, Any]
) -> None:
    training = ("ksf_2_6_l3", "ksf_2_6_l3_separate", "ksf_2_8_6_training")
    result = draft(reference, run_verdicts(registry, **dict.fromkeys(training, "NOT APPLICABLE")), registry)
    assert statement(result, "training_mode")["verdict"] == "NOT APPLICABLE"
    assert result["ready"] is True


def test_without_a_profile_every_field_is_left_to_the_supplier(registry: Registry) -> None:
    result = draft(None, run_verdicts(registry), registry)
    assert result["ready"] is False
    assert result["fields"]
    for item in result["fields"]:
        assert (item["value"], item["source"]) == ("", "supplier"), item["id"]
        assert item["note"] is not None
    assert field(result, "supplier.name")["note"]["en"] == "To be filled in by the supplier."


def test_a_missing_supplier_is_left_blank_and_the_draft_not_ready(
    registry: Registry, reference: dict[str, Any]
) -> None:
    profile = {**reference, "supplier": {"name": "", "orgnr": "", "role": "", "first_offered": ""}}
    result = draft(profile, run_verdicts(registry), registry)
    assert field(result, "supplier.orgnr")["source"] == "supplier"
    assert field(result, "declaration.compliant")["value"] == "yes"
    assert result["ready"] is False


def test_a_declaration_the_tests_do_not_bear_out_stays_a_declaration(
    registry: Registry, reference: dict[str, Any]
) -> None:
    result = draft(reference, run_verdicts(registry, ksl_3_l1="FAIL", ksf_2_2="NOT TESTED"), registry)
    version = field(result, "system.version")
    assert (version["value"], version["source"]) == ("0.1.0", "profile")
    assert "ksl_3_l1: FAIL" in version["note"]["en"]
    drawer = field(result, "system.integrated_drawer")
    assert (drawer["value"], drawer["source"]) == ("yes", "profile")
    assert "ksf_2_2: NOT TESTED" in drawer["note"]["nb"]


def test_no_integrated_drawer_rests_on_the_exception(registry: Registry, reference: dict[str, Any]) -> None:
    profile = {**reference, "capabilities": {**reference["capabilities"], "integrated_drawer": False}}
    result = draft(profile, run_verdicts(registry, ksf_2_2="NOT APPLICABLE"), registry)
    drawer = field(result, "system.integrated_drawer")
    assert (drawer["value"], drawer["source"]) == ("no", "evidence")
    assert "§ 2-2 andre punktum" in drawer["note"]["nb"]


def test_an_hmac_secret_is_never_in_the_draft(tmp_path: Path, registry: Registry) -> None:
    (tmp_path / "hmac-1.b64").write_text(SECRET, encoding="ascii")
    path = reference_profile_with(
        tmp_path,
        ('method = "RSA-SHA1-1024"', 'method = "HMAC-SHA1-128"'),
        ('"1" = "../../reference_till/data/demo_signing_key.pub.pem"', '"1" = "hmac-1.b64"'),
    )
    result = draft(load_profile(path).to_json(), run_verdicts(registry), registry)
    assert SECRET not in json.dumps(result, ensure_ascii=False)
    key = field(result, "signature.key.1")
    assert (key["value"], key["source"]) == ("", "supplier")
    assert "RF-1348" in key["note"]["en"] and "not reproduced" in key["note"]["en"]
    assert result["ready"] is True  # the secret is entered in the form itself, by design


def test_the_draft_is_json_and_the_same_for_the_same_input(registry: Registry, reference: dict[str, Any]) -> None:
    verdicts = run_verdicts(registry, ksf_2_8_2_q="FAIL", ksf_2_7_l4="NOT AUTOMATED")
    shuffled = {
        clause_id: {"verdict": entry["verdict"], "scenarios": list(reversed(entry["scenarios"]))}
        for clause_id, entry in reversed(list(verdicts.items()))
    }
    first = json.dumps(draft(reference, verdicts, registry), ensure_ascii=False)
    assert first == json.dumps(draft(reference, verdicts, registry), ensure_ascii=False)
    assert first == json.dumps(draft(json.loads(json.dumps(reference)), shuffled, registry), ensure_ascii=False)
    assert json.loads(first)["ready"] is False


def test_a_clause_the_run_did_not_judge_is_not_tested_and_an_unknown_verdict_is_refused(
    registry: Registry, reference: dict[str, Any]
) -> None:
    verdicts = run_verdicts(registry)
    del verdicts["saft_sig_chain"]
    assert statement(draft(reference, verdicts, registry), "signature")["verdict"] == "NOT TESTED"
    with pytest.raises(ValueError, match="'GREEN' is not one of"):
        draft(reference, run_verdicts(registry, saft_sig_chain="GREEN"), registry)


def test_a_contradicted_field_says_so_and_the_draft_cannot_be_declared(
    registry: Registry, reference: dict[str, Any]
) -> None:
    contradiction = {
        "subject": "identity.version",
        "declared": "version '7.0'",
        "observed": "the journal names softwareVersion '0.1.0'",
        "where": "export.xml, header",
        "fix": "write the version under test in [identity]",
    }
    clean = draft(reference, run_verdicts(registry), registry)
    result = draft(reference, run_verdicts(registry), registry, [contradiction])
    version = field(result, "system.version")
    assert version["source"] == "contradicted" and field(clean, "system.version")["source"] != "contradicted"
    assert "softwareVersion '0.1.0'" in version["note"]["en"] and "motsier" in version["note"]["nb"]
    assert field(result, "declaration.compliant")["value"] == "" and result["ready"] is False
    # a contradiction about a function, not a field, still keeps the draft from being declared
    other = draft(reference, run_verdicts(registry), registry, [{**contradiction, "subject": "training_mode"}])
    assert other["ready"] is False and all(f["source"] != "contradicted" for f in other["fields"])
