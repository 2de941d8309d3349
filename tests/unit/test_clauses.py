"""The clause registry (``features/clauses.toml``) and its loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.clauses import CLAUSE_ID, ClauseRegistryError, load_clauses
from harness.verify.rules import RULES
from reference_till.markings import MARKINGS

REVIEW = 'review = { nb = "Les systembeskrivingen.", en = "Read the system description." }\n'
TITLE = 'title = { nb = "Kopikvittering", en = "Copy receipt" }'
GOOD = """
[ksf_2_6_l4]
citation = "kassasystemforskrifta § 2-6 fjerde ledd"
title = { nb = "Kopikvittering", en = "Copy receipt" }
paraphrase = { nb = "Høyst én kopi.", en = "At most one copy." }
status = "V"
observe = ["R", "J"]
testable = true
catalogue = ["KSF-2-6-4"]

[ksl_3_l2]
citation = "kassasystemlova § 3 andre ledd"
title = { nb = "Systembeskriving", en = "System description" }
paraphrase = { nb = "Det skal finnes en systembeskriving.", en = "A system description must exist." }
status = "V"
observe = ["DOC"]
testable = false
review = { nb = "Les systembeskrivingen.", en = "Read the system description." }
catalogue = ["KSL-3-2"]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "clauses.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_registry_loads_and_covers_both_kinds() -> None:
    registry = load_clauses()
    assert len(registry) >= 100
    assert registry.testable() and registry.review_only()
    for clause in registry.review_only():
        assert clause.text("review", "nb") and clause.text("review", "en"), clause.id
    copy = registry["ksf_2_6_l4"]
    assert copy.citation.startswith("kassasystemforskrifta § 2-6")
    assert copy.testable and copy.text("title", "nb")


@pytest.mark.parametrize(
    ("clause_id", "valid"),
    [
        ("ksf_2_8_2_m", True),
        ("ksf_2_6_l4", True),
        ("ksf_2_8_2_l2", True),
        ("bff_5_3_14", True),
        ("ksl_3", True),
        ("saft_sig", True),
        ("ksf_2_5_clock", True),
        ("saft_sig_data", True),
        ("KSF_2_6", False),
        ("ksf-2-6", False),
        ("xyz_2_6", False),
        ("ksf_2_6_", False),
        ("bff_shared_pos", True),
    ],
)
def test_clause_id_grammar(clause_id: str, valid: bool) -> None:
    assert bool(CLAUSE_ID.match(clause_id)) is valid


def test_every_clause_the_verifier_cites_is_registered() -> None:
    registry = load_clauses()
    missing = sorted({rule.clause for rule in RULES.values()} - set(registry))
    assert not missing


def test_every_clause_a_receipt_marking_cites_is_registered() -> None:
    registry = load_clauses()
    assert not sorted({m.clause for m in MARKINGS} - set(registry))


def test_a_small_registry_loads(tmp_path: Path) -> None:
    registry = load_clauses(_write(tmp_path, GOOD))
    assert list(registry) == ["ksf_2_6_l4", "ksl_3_l2"]
    assert registry["ksl_3_l2"].text("review", "en") == "Read the system description."
    assert registry["ksf_2_6_l4"].observe == ("R", "J")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace("[ksl_3_l2]", "[KSL-3-2]"), "is not a clause id"),
        (lambda t: t.replace('status = "V"\nobserve = ["R"', 'status = "X"\nobserve = ["R"'), "one of V, S, P, I"),
        (lambda t: t.replace('observe = ["DOC"]', 'observe = ["PAPER"]'), "observe must list codes"),
        (lambda t: t.replace(REVIEW, ""), "review"),
        (lambda t: t.replace('catalogue = ["KSL-3-2"]', "catalogue = []"), "catalogue must list"),
        (lambda t: t.replace(TITLE, 'title = "Copy"'), "title must be"),
        (lambda t: t.replace("testable = true", 'testable = "yes"'), "testable must be true or false"),
        (lambda t: t + "\n[broken\n", "not valid TOML"),
    ],
    ids=["bad-id", "bad-status", "bad-observe", "untestable-without-review", "no-catalogue", "title-not-pair",
         "testable-not-bool", "not-toml"],
)  # fmt: skip
def test_malformed_entries_say_what_to_fix(tmp_path: Path, change: object, message: str) -> None:
    text = change(GOOD)  # type: ignore[operator]
    assert text != GOOD
    with pytest.raises(ClauseRegistryError, match=message):
        load_clauses(_write(tmp_path, text))


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ClauseRegistryError, match="cannot read the clause registry"):
        load_clauses(tmp_path / "nope.toml")
