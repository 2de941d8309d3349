"""Every journal export a step takes is evidence: a ``journal.export`` record with digest, findings and excerpt."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from harness.evidence import EvidenceRecord
from harness.journal_export import EXCERPT_CHARS, KIND, JournalExport, evidence_data, export_and_read
from harness.profile import Profile, profile_for
from harness.targets import TillDriver, open_target
from harness.verify import VerifyOptions, verify_file
from harness.verify.records import NS


@pytest.fixture
def till() -> Iterator[TillDriver]:
    driver = open_target("reference://")
    try:
        yield driver
    finally:
        driver.close()


@pytest.fixture
def profile() -> Profile:
    return profile_for("reference://", None)


def _sell(till: TillDriver, *articles: str) -> str:
    register = till.registers[0]
    for article in articles:
        till.add_item(register, article)
    till.pay_cash(register)
    sale = till.conclude(register)
    till.close_drawer(register)
    return sale.trans_id


def _export(till: TillDriver, out: Path, profile: Profile) -> tuple[JournalExport, EvidenceRecord]:
    """Export, verify and read; the one ``journal.export`` record it appended."""
    mark = till.evidence.cursor()
    out.mkdir(parents=True, exist_ok=True)
    export = export_and_read(till, out, profile)
    records = [r for r in till.evidence.since(mark) if r.kind == KIND]
    assert len(records) == 1, [r.kind for r in till.evidence.since(mark)]
    return export, records[0]


def _fragments(excerpt: str) -> list[Any]:
    """The excerpt's elements (it is a sequence of XML fragments)."""
    return list(etree.fromstring(f"<excerpt>{excerpt}</excerpt>"))


def test_an_export_of_a_clean_till_is_recorded_with_digest_and_excerpt(
    till: TillDriver, profile: Profile, tmp_path: Path
) -> None:
    register = till.registers[0]
    till.open_register(register, profile.operators[0])
    trans_id = _sell(till, "1001", "1002")
    till.z_report(register)
    export, record = _export(till, tmp_path / "export", profile)

    assert record.source == "journal"
    assert record.raw == b""
    data = record.data
    content = export.path.read_bytes()
    assert data["file"] == export.path.name
    assert data["bytes"] == len(content)
    assert data["sha256"] == hashlib.sha256(content).hexdigest()
    assert data["transactions"] == len(export.transactions) >= 1
    assert data["events"] == len(export.events) >= 1
    assert data["registers"] == export.registers
    assert register in data["registers"]
    assert data["findings"] == [] and data["findings_total"] == 0

    excerpt = data["excerpt"]
    assert isinstance(excerpt, str) and len(excerpt) <= EXCERPT_CHARS
    transaction, event = _fragments(excerpt)
    assert transaction.tag == NS + "cashtransaction"
    assert transaction.findtext(NS + "transID") == trans_id == export.transactions[-1].trans_id
    assert transaction.findtext(NS + "signature") == export.transaction(trans_id).signature  # text as in the file
    assert [line.findtext(NS + "artID") for line in transaction.iter(NS + "ctLine")] == ["1001", "1002"]
    assert event.tag == NS + "event"
    assert event.findtext(NS + "eventID") == export.events[-1].event_id
    assert "\n  <transID>" in excerpt  # pretty-printed


def test_the_verifiers_findings_are_recorded_in_both_languages(
    till: TillDriver, profile: Profile, tmp_path: Path
) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    pem = tmp_path / "other.pub.pem"
    pem.write_bytes(other.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    wrong_key = dataclasses.replace(profile, keys=dict.fromkeys(profile.keys, pem))
    till.open_register(till.registers[0], profile.operators[0])
    _sell(till, "1001")
    export, record = _export(till, tmp_path / "export", wrong_key)

    findings = record.data["findings"]
    assert findings and record.data["findings_total"] == len(export.result.findings)
    assert [f["rule"] for f in findings] == [f.rule.id for f in export.result.findings]
    broken = next(f for f in findings if f["rule"].startswith("SIG"))
    original = next(f for f in export.result.findings if f.rule.id == broken["rule"])
    assert broken == {
        "rule": original.rule.id,
        "severity": "error",
        "clause": original.rule.clause,
        "count": original.count,
        "message": {"nb": original.message("nb"), "en": original.message("en")},
        "where": original.location.describe(),
    }
    assert broken["message"]["nb"] != broken["message"]["en"]
    assert broken["where"]


def test_an_excerpt_too_long_is_cut_between_elements(till: TillDriver, profile: Profile, tmp_path: Path) -> None:
    register = till.registers[0]
    till.open_register(register, profile.operators[0])
    trans_id = _sell(till, *["1001", "1002"] * 20)
    till.z_report(register)
    export, record = _export(till, tmp_path / "export", profile)
    excerpt = record.data["excerpt"]
    assert len(excerpt) <= EXCERPT_CHARS
    assert "<!-- … -->" in excerpt
    transaction, event = _fragments(excerpt)  # still well-formed
    assert transaction.findtext(NS + "transID") == trans_id
    lines = list(transaction.iter(NS + "ctLine"))
    assert 0 < len(lines) < 40
    assert [line.findtext(NS + "artID") for line in lines[:2]] == ["1001", "1002"]
    assert event.findtext(NS + "eventID") == export.events[-1].event_id
    assert export.code("13", event.findtext(NS + "eventType") or "") == "13009"  # the Z report, the last event


def test_a_truncated_export_is_hashed_whole_and_excerpted_as_far_as_it_reads(
    till: TillDriver, profile: Profile, tmp_path: Path
) -> None:
    till.open_register(till.registers[0], profile.operators[0])
    trans_id = _sell(till, "1001")
    export, _record = _export(till, tmp_path / "export", profile)
    content = export.path.read_bytes()
    cut = content.index(b"</cashtransaction>") + len(b"</cashtransaction>") + 10
    truncated = tmp_path / export.path.name
    truncated.write_bytes(content[:cut])
    result = verify_file(truncated, VerifyOptions(workers=0))

    data = evidence_data(JournalExport(truncated, result))
    assert data["sha256"] == hashlib.sha256(content[:cut]).hexdigest()
    assert data["bytes"] == cut
    assert any(f["severity"] == "fatal" for f in data["findings"])
    [transaction] = [e for e in _fragments(data["excerpt"]) if e.tag == NS + "cashtransaction"]
    assert transaction.findtext(NS + "transID") == trans_id
