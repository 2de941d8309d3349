"""Skatteetaten's example export gives exactly the findings documented in ``docs/verify-example.md``.

Each expected finding was checked by hand against the file (the document explains each
one): the example's Z report counts article groups and means of payment net of returns
(sales minus returns), while the verifier counts the transactions with a sale line in the
group or paid with the means, returns included for payments. The amounts all agree. The
example's signatures cannot be verified: Skatteetaten has not published its key.
"""

from __future__ import annotations

import base64
import shutil
from pathlib import Path

import pytest
from lxml import etree

from harness.saft_spec import NAMESPACE
from harness.verify import FileResult, KeyRing, Severity, VerifyOptions, verify_file

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "example_999999999_20210330104000.xml"
DOC = Path(__file__).resolve().parents[3] / "docs" / "verify-example.md"
NAME = "SAF-T Cash Register_999999999_20210330104000.xml"
NS = {"s": NAMESPACE}

WARN, INFO = Severity.WARNING, Severity.INFO
#: (rule, severity, English message, line) -- each finding occurs once (count 1)
EXPECTED = [
    ("FILE-NAME", WARN, "example_999999999_20210330104000.xml is not named "
     "'SAF-T Cash Register_<orgnr>_<yyyymmddhhmmss>.xml'", 0),
    ("Z-COUNT", WARN, "Z report 1: artGroup 100 count is 1; counted from the export: 2", 415),
    ("Z-COUNT", WARN, "Z report 1: paymentType DEBCARD count is 1; counted from the export: 3", 415),
    ("Z-COUNT", WARN, "Z report 1: empID / paymentType 1000 / DEBCARD count is 0; counted from the export: 2", 415),
    ("SIG-NOT-CHECKED", INFO, "no key was given, so signatures were not verified (use --public-key or --hmac-key)", 0),
]  # fmt: skip


def _run(path: Path, keys: KeyRing | None = None) -> FileResult:
    return verify_file(path, VerifyOptions(keys=keys or KeyRing(), workers=0))


def _observed(result: FileResult) -> list[tuple[str, Severity, str, int]]:
    return sorted((f.rule.id, f.severity, f.message("en"), f.location.line) for f in result.findings)


def test_example_gives_exactly_the_documented_findings() -> None:
    result = _run(EXAMPLE)
    assert result.usable
    assert result.transactions == 4
    assert _observed(result) == sorted(EXPECTED)
    assert all(f.count == 1 for f in result.findings)
    # the Z-COUNT warnings stay apart (one per figure) and all point at the Z report event
    z_counts = [f for f in result.findings if f.rule.id == "Z-COUNT"]
    assert {(f.location.register, f.location.event_id) for f in z_counts} == {("11.222-33.44.567", "2016")}


def test_example_under_a_proper_name_loses_only_the_file_name_warning(tmp_path: Path) -> None:
    copy = tmp_path / NAME
    shutil.copyfile(EXAMPLE, copy)
    assert _observed(_run(copy)) == sorted(e for e in EXPECTED if e[0] != "FILE-NAME")


def test_example_severities_and_clauses() -> None:
    result = _run(EXAMPLE)
    assert result.count(Severity.FATAL) == 0
    assert result.count(Severity.ERROR) == 0
    assert result.count(Severity.WARNING) == 4
    assert result.count(Severity.INFO) == 1
    assert {f.rule.clause for f in result.findings if f.rule.id == "Z-COUNT"} == {"ksf_2_8_2"}


# --- the hand check behind each Z-COUNT warning -----------------------------------------


@pytest.fixture(scope="module")
def doc() -> etree._ElementTree:
    return etree.parse(str(EXAMPLE))


def _text(el: etree._Element, path: str) -> str:
    return str(el.findtext(path, namespaces=NS)).strip()


def test_hand_check_article_group_100(doc: etree._ElementTree) -> None:
    """Report: artGroup 100 count 1; two sales (1000, 1002) have group-100 sale lines, one return (1003) has one."""
    transactions = doc.findall(".//s:cashtransaction", NS)
    sales_with_100 = [
        _text(t, "s:nr")
        for t in transactions
        if any(
            _text(line, "s:artGroupID") == "100" and float(_text(line, "s:lineAmntIn")) > 0
            for line in t.findall("s:ctLine", NS)
        )
    ]
    returns_with_100 = [
        _text(t, "s:nr")
        for t in transactions
        if any(
            _text(line, "s:artGroupID") == "100" and float(_text(line, "s:lineAmntIn")) < 0
            for line in t.findall("s:ctLine", NS)
        )
    ]
    assert sales_with_100 == ["1000", "1002"]
    assert returns_with_100 == ["1003"]
    row = doc.find(".//s:reportArtGroups/s:reportArtGroup[s:artGroupID='100']", NS)
    assert row is not None
    assert _text(row, "s:artGroupNum") == "1"  # = 2 sales - 1 return: the example counts net
    assert _text(row, "s:artGroupAmnt") == "102.80"  # 86.40 + 32.80 - 16.40: the amount agrees


def test_hand_check_debit_card_payments(doc: etree._ElementTree) -> None:
    """Report: DEBCARD count 1 (emp 1000: 0); transactions 1000, 1002 and 1003 are paid by debit card."""
    paid = [
        (_text(t, "s:nr"), _text(p, "s:empID"), _text(p, "s:paidAmnt"))
        for t in doc.findall(".//s:cashtransaction", NS)
        for p in t.findall("s:payment", NS)
        if _text(p, "s:paymentType") == "DEBCARD"
    ]
    assert paid == [("1000", "1001", "86.40"), ("1002", "1000", "148.80"), ("1003", "1000", "-16.40")]
    row = doc.find(".//s:reportPayments/s:reportPayment[s:paymentType='DEBCARD']", NS)
    assert row is not None
    assert (_text(row, "s:paymentNum"), _text(row, "s:paymentAmnt")) == ("1", "218.80")
    emp = doc.find(".//s:reportEmpPayments/s:reportEmpPayment[s:empID='1000'][s:paymentType='DEBCARD']", NS)
    assert emp is not None
    assert (_text(emp, "s:paymentNum"), _text(emp, "s:paymentAmnt")) == ("0", "132.40")


def test_example_signatures_are_not_verifiable() -> None:
    """The key is not published; the fourth signature is even the third's base64 text with its pieces rearranged."""
    signatures = [_text(t, "s:signature") for t in etree.parse(str(EXAMPLE)).findall(".//s:cashtransaction", NS)]
    assert len(signatures) == 4
    assert all(len(base64.b64decode(s, validate=True)) == 128 for s in signatures)  # RSA-1024 in form
    assert signatures[3] != signatures[2] and sorted(signatures[3]) == sorted(signatures[2])


def test_example_with_some_key_reports_the_chain_broken(tmp_path: Path) -> None:
    """Any key fails: nr 1000 as SIG-START (not a register's first nr), 1001-1003 as SIG-VERIFY."""
    from bench.saft_synth import write_keys

    public, _other = write_keys(tmp_path)
    ring = KeyRing()
    ring.add_public_key(str(public))
    result = _run(EXAMPLE, ring)
    by_rule = {f.rule.id: f for f in result.findings}
    assert "SIG-NOT-CHECKED" not in by_rule
    assert by_rule["SIG-START"].count == 1 and by_rule["SIG-START"].location.nr == "1000"
    assert by_rule["SIG-VERIFY"].count == 3
    assert [s.nr for s in by_rule["SIG-VERIFY"].samples] == ["1001", "1002", "1003"]


def test_documentation_lists_every_expected_finding() -> None:
    text = " ".join(DOC.read_text(encoding="utf-8").split())
    for rule, severity, message, _line in EXPECTED:
        assert f"`{rule}`" in text
        assert message in text
        assert severity.value in text
    for figure in ("artGroup 100", "DEBCARD", "1000 / DEBCARD"):
        assert figure in text
    assert "not published" in text
