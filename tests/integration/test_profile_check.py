"""The profile cross-checked against what a real till did (harness.profile_check).

A reference till in process is operated through its driver -- training, a price look-up,
a parked sale, a gift card, a credit sale, a pay-out, a cash sale that kicks the drawer --
and its real evidence and real SAF-T export are compared with the reference profile and
with copies of it that hide functions or name another version, shop or signature method.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.evidence import EvidenceLog
from harness.journal_export import export_and_read
from harness.profile import CAPABILITIES, Profile, load_profile, reference_profile_path
from harness.profile_check import KIND, Contradiction, check_evidence, check_journal
from harness.targets import TillDriver, open_target

REGISTER, OPERATOR = "K1", "1001"


@pytest.fixture(scope="module")
def reference() -> Profile:
    return load_profile(reference_profile_path())


@pytest.fixture(scope="module")
def busy_day(tmp_path_factory: pytest.TempPathFactory, reference: Profile) -> Iterator[tuple[TillDriver, int, Path]]:
    """A till that used most of its functions; yields it, the evidence start and a journal export."""
    till = open_target("reference://")
    start = till.evidence.cursor()
    till.open_register(REGISTER, OPERATOR)
    till.training(REGISTER, True)
    till.add_item(REGISTER, "1001")
    till.pay_cash(REGISTER)
    till.conclude(REGISTER)
    till.close_drawer(REGISTER)
    till.training(REGISTER, False)
    till.price_lookup(REGISTER, "1002")
    till.add_item(REGISTER, "1002")
    ref = till.park(REGISTER)
    till.resume(REGISTER, ref)
    till.pay_other(REGISTER, "giftcard")
    till.conclude(REGISTER)
    till.add_item(REGISTER, "4001")
    till.provisional_receipt(REGISTER)
    till.conclude_credit(REGISTER, "K-1001")
    till.cash_out(REGISTER, 5000)
    till.close_drawer(REGISTER)
    export = till.export_journal(tmp_path_factory.mktemp("export"))
    yield till, start, export
    till.close()


def _without(profile: Profile, *capabilities: str, **fields: object) -> Profile:
    declared = {name: profile.capabilities[name] and name not in capabilities for name in CAPABILITIES}
    return dataclasses.replace(profile, capabilities=declared, **fields)  # type: ignore[arg-type]


def test_the_reference_profile_is_not_contradicted_by_the_reference_till(
    busy_day: tuple[TillDriver, int, Path], reference: Profile, tmp_path: Path
) -> None:
    till, start, _ = busy_day
    assert check_evidence(reference, till.evidence.since(start)) == []
    export = export_and_read(till, tmp_path, reference)
    assert check_journal(reference, export) == []
    assert not [r for r in till.evidence.since(start) if r.kind == KIND]


def test_functions_declared_absent_but_used_are_found_in_the_devices_evidence(
    busy_day: tuple[TillDriver, int, Path], reference: Profile
) -> None:
    till, start, _ = busy_day
    hidden = _without(reference, "integrated_drawer", "integrated_terminal", "training_mode",
                      "provisional_receipts", "credit_sales")  # fmt: skip
    found = check_evidence(hidden, till.evidence.since(start))
    observed = {(c.subject, c.observed) for c in found}
    assert ("integrated_drawer", "the till kicked the cash drawer") in observed
    assert ("training_mode", "the printer printed a document marked «Treningskvittering»") in observed
    assert ("provisional_receipts", "the printer printed a document marked «Foreløpig kvittering»") in observed
    assert ("credit_sales", "the printer printed a document marked «Utleveringskvittering»") in observed
    # the day took no card payment: the terminal was never asked, so declaring none is true
    assert not any(c.subject == "integrated_terminal" for c in found)
    assert all("set " in c.fix and "= true" in c.fix and c.where for c in found)


def test_a_card_payment_contradicts_a_profile_without_an_integrated_terminal(reference: Profile) -> None:
    till = open_target("reference://")
    try:
        start = till.evidence.cursor()
        till.open_register(REGISTER, OPERATOR)
        till.add_item(REGISTER, "1001")
        till.pay_card(REGISTER)
        till.conclude(REGISTER)
        found = check_evidence(_without(reference, "integrated_terminal"), till.evidence.since(start))
    finally:
        till.close()
    assert [c.subject for c in found] == ["integrated_terminal"]
    assert found[0].where.startswith("terminal.request #")


def test_functions_declared_absent_but_used_are_found_in_the_journal_by_their_official_codes(
    busy_day: tuple[TillDriver, int, Path], reference: Profile, tmp_path: Path
) -> None:
    till, _, _ = busy_day
    export = export_and_read(till, tmp_path, reference)
    hidden = _without(reference, "training_mode", "price_lookup", "parked_sales", "provisional_receipts",
                      "credit_sales", "cash_in_out", "integrated_drawer", "other_means")  # fmt: skip
    found = check_journal(hidden, export)
    by_subject: dict[str, set[str]] = {}
    for c in found:
        by_subject.setdefault(c.subject, set()).add(c.observed)
    assert "the journal records event 13017" in by_subject["training_mode"]  # training receipt
    assert "the journal records a training transaction" in by_subject["training_mode"]
    assert by_subject["price_lookup"] == {"the journal records event 13022"}
    assert {"the journal records event 13010", "the journal records event 13011"} <= by_subject["parked_sales"]
    assert by_subject["provisional_receipts"] == {"the journal records event 13015"}
    assert "the journal records transaction type 11002" in by_subject["credit_sales"]
    assert "the journal records event 13019" in by_subject["cash_in_out"]
    assert "the journal records event 13005" in by_subject["integrated_drawer"]
    assert by_subject["other_means"] == {"the journal records means of payment 12005"}  # the gift card
    # one contradiction per kind, however often the export shows it
    assert len(found) == len({c.key for c in found})
    assert all(export.path.name in c.where and "line " in c.where for c in found)


def test_another_version_shop_or_signature_method_is_a_contradiction(
    busy_day: tuple[TillDriver, int, Path], reference: Profile, tmp_path: Path
) -> None:
    till, _, _ = busy_day
    export = export_and_read(till, tmp_path, reference)
    wrong = dataclasses.replace(
        reference,
        version="9.9.9",
        producer="Andre AS",
        shop_orgnr="123456785",
        shop_name=" kassakontroll  DEMOBUTIKK as",  # the same name: compared without case and spacing
        signature_method="HMAC-SHA1-128",
    )
    found = {c.subject: c for c in check_journal(wrong, export)}
    assert set(found) == {"identity.version", "identity.producer", "shop.orgnr", "signature.method"}
    assert found["identity.version"].observed == f"the journal names softwareVersion {reference.version!r}"
    assert found["shop.orgnr"].observed == "the journal's company has companyIdent '999999999'"
    assert found["signature.method"].observed == "the journal's signatures are 128 bytes long (RSA-SHA1-1024)"
    # names compare without case and spacing; a version is compared exactly (apart from spacing)


def test_export_and_read_records_the_contradictions_as_evidence(
    busy_day: tuple[TillDriver, int, Path], reference: Profile, tmp_path: Path
) -> None:
    till, _, _ = busy_day
    mark = till.evidence.cursor()
    export_and_read(till, tmp_path, dataclasses.replace(reference, version="2.0"))
    records = [r for r in till.evidence.since(mark) if r.kind == KIND]
    assert [Contradiction.from_json(r.data).subject for r in records] == ["identity.version"]
    assert records[0].source == "profile"


def test_a_contradiction_round_trips_through_json_and_evidence() -> None:
    c = Contradiction("tips", "no tips", "the journal records tips", "x.xml, line 3", "set tips = true")
    log = EvidenceLog()
    record = c.record(log)
    assert Contradiction.from_json(EvidenceLog.read_ndjson([record.to_json()])[0].data) == c
    assert c.describe() == (
        "tips: the profile declares no tips, but the journal records tips (x.xml, line 3); set tips = true"
    )
