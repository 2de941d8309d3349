"""nexo over real HTTP on 127.0.0.1: every service and every scripted outcome, client ↔ emulator."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from devices.terminal import (
    BRANDS,
    NexoClient,
    PaymentOutcome,
    TerminalEmulator,
    TerminalError,
    TerminalServer,
    abort,
    approve,
    busy,
    check_masked_pan,
    decline,
    partial,
    timeout,
)
from harness.evidence import EvidenceLog

pytestmark = pytest.mark.timeout(20)

FIXED = datetime(2025, 3, 14, 12, 30, 5, tzinfo=ZoneInfo("Europe/Oslo"))


@pytest.fixture
def log() -> EvidenceLog:
    return EvidenceLog()


@pytest.fixture
def emulator(log: EvidenceLog) -> TerminalEmulator:
    return TerminalEmulator(log, merchant_name="Testbutikken AS", orgnr="987654321", bax="7654321", clock=lambda: FIXED)


@pytest.fixture
def server(emulator: TerminalEmulator) -> Iterator[TerminalServer]:
    with TerminalServer(emulator) as running:
        yield running


@pytest.fixture
def client(server: TerminalServer) -> NexoClient:
    pos = NexoClient(server.url, sale_id="K1", poi_id="POI-1", timeout=5.0)
    pos.login("op1")
    return pos


def _digit_runs(text: str) -> list[str]:
    return re.findall(r"[0-9]+", text)


def _assert_pan_masked(outcome: PaymentOutcome) -> None:
    check_masked_pan(outcome.masked_pan)
    head, _, tail = outcome.masked_pan.partition("*")
    assert len(head) <= 6 and len(tail.lstrip("*")) <= 4
    for line in outcome.receipt_lines + outcome.merchant_receipt_lines:
        if line.startswith("Kort:"):
            check_masked_pan(line.removeprefix("Kort:").strip())


@pytest.mark.parametrize("brand", BRANDS)
def test_approve_per_brand_returns_masked_card_and_receipt(
    emulator: TerminalEmulator, client: NexoClient, log: EvidenceLog, brand: str
) -> None:
    emulator.script(approve(brand))
    outcome = client.payment(21900, "sale-1")
    assert outcome.approved and outcome.result == "Success" and not outcome.timed_out
    assert outcome.authorized_amount == 21900
    assert outcome.brand == brand
    assert outcome.approval_code and outcome.poi_transaction_id
    _assert_pan_masked(outcome)
    text = "\n".join(outcome.receipt_lines)
    for expected in ("Testbutikken AS", "987654321", "7654321", "14.03.2025", "NOK 219,00", "GODKJENT"):
        assert expected in text
    assert "KORTHOLDERS KOPI" in text
    assert "BRUKERSTEDETS KOPI" in "\n".join(outcome.merchant_receipt_lines)
    assert "IKKJE KVITTERING FOR KJØP" not in text  # integrated terminal: no stand-alone marking
    kinds = [r.kind for r in log.since(0, source="terminal")]
    assert {"terminal.request", "terminal.response", "terminal.receipt"} <= set(kinds)
    response = log.since(0, kind="terminal.response")[-1]
    assert response.data["category"] == "Payment" and response.data["result"] == "Success"
    assert response.data["authorized_amount_ore"] == 21900 and response.data["brand"] == brand
    assert b'"AuthorizedAmount":219.00' in response.raw
    request = log.since(0, kind="terminal.request")[-1]
    assert request.data["requested_amount_ore"] == 21900 and b"219.00" in request.raw


def test_default_outcome_is_approval_with_default_card(client: NexoClient) -> None:
    outcome = client.payment(100, "sale-2")
    assert outcome.approved and outcome.brand == "BankAxept"


def test_decline_gives_refusal_and_avvist_receipt(emulator: TerminalEmulator, client: NexoClient) -> None:
    emulator.script(decline())
    outcome = client.payment(5000, "sale-3")
    assert not outcome.approved
    assert (outcome.result, outcome.error_condition) == ("Failure", "Refusal")
    assert outcome.authorized_amount == 0
    assert any("AVVIST" in line for line in outcome.receipt_lines)
    assert client.get_totals().groups == ()


def test_timeout_returns_timed_out_and_status_reports_failure(
    emulator: TerminalEmulator, server: TerminalServer
) -> None:
    impatient = NexoClient(server.url, timeout=0.3)
    impatient.login("op1")
    emulator.script(timeout(1.0))
    outcome = impatient.payment(21900, "sale-4")
    assert outcome.timed_out and not outcome.approved
    assert outcome.service_id
    status = impatient.transaction_status(outcome.service_id)
    assert not status.approved and status.result == "Failure"
    assert status.error_condition == "UnreachableHost"
    assert impatient.get_totals().total_amount == 0


def test_scripted_abort_busy_and_partial(emulator: TerminalEmulator, client: NexoClient) -> None:
    emulator.script(abort(), busy(), partial(10000, card="Visa"))
    aborted = client.payment(21900, "sale-5")
    assert (aborted.approved, aborted.result, aborted.error_condition) == (False, "Failure", "Aborted")
    busy_outcome = client.payment(21900, "sale-5")
    assert (busy_outcome.approved, busy_outcome.error_condition) == (False, "Busy")
    part = client.payment(21900, "sale-5")
    assert part.approved and part.result == "Partial"
    assert part.authorized_amount == 10000 and part.brand == "Visa"
    assert "NOK 100,00" in "\n".join(part.receipt_lines)
    assert client.get_totals().per_brand[0].amount == 10000
    assert emulator.scripted == 0


def test_abort_request_aborts_a_pending_payment(
    emulator: TerminalEmulator, client: NexoClient, log: EvidenceLog
) -> None:
    emulator.script(approve("Visa", delay=10.0))
    results: list[PaymentOutcome] = []
    worker = threading.Thread(target=lambda: results.append(client.payment(21900, "sale-6")))
    mark = log.cursor()
    worker.start()
    request = log.wait_for(lambda r: r.kind == "terminal.request" and r.data.get("category") == "Payment", after=mark)
    assert request is not None
    # While the customer is at the terminal: status says in progress, a second payment is refused.
    assert client.transaction_status(request.data["service_id"]).error_condition == "InProgress"
    assert client.payment(100, "sale-7").error_condition == "Busy"
    client.abort(request.data["service_id"])
    worker.join(timeout=5.0)
    assert not worker.is_alive()
    assert results[0].error_condition == "Aborted" and not results[0].approved
    abort_record = log.since(mark, kind="terminal.abort")[-1]
    assert abort_record.data["matched"] is True
    assert client.get_totals().total_amount == 0


def test_totals_per_brand_after_payments_refund_and_reversal(emulator: TerminalEmulator, client: NexoClient) -> None:
    emulator.script(approve("Visa"), approve("Visa"), approve("Mastercard"), approve("BankAxept"), approve("Visa"))
    client.payment(21900, "s1")
    client.payment(10050, "s2")
    mastercard = client.payment(5000, "s3")
    client.payment(30000, "s4")
    refund = client.refund(1950, "s5")
    assert refund.approved and refund.brand == "Visa"
    assert any(line.startswith("RETUR") for line in refund.receipt_lines)
    reversal = client.reversal(mastercard.poi_transaction_id)
    assert reversal.approved and reversal.authorized_amount == 5000
    assert any("ANNULLERING" in line for line in reversal.receipt_lines)
    totals = client.get_totals()
    assert totals.amount("Visa") == 21900 + 10050 - 1950
    assert totals.count("Visa") == 3
    assert totals.amount("Mastercard") == 0 and totals.count("Mastercard") == 0
    assert totals.amount("BankAxept") == 30000
    visa = next(group for group in totals.groups if group.brand == "Visa")
    assert (visa.debit_count, visa.credit_count, visa.credit_amount) == (2, 1, 1950)
    assert totals == emulator.totals()
    # A second reversal of the same payment is refused.
    again = client.reversal(mastercard.poi_transaction_id)
    assert (again.approved, again.error_condition) == (False, "NotAllowed")
    unknown = client.reversal("nope")
    assert unknown.error_condition == "NotFound"


def test_reconciliation_closes_the_period(emulator: TerminalEmulator, client: NexoClient) -> None:
    emulator.script(approve("Visa"), approve("BankAxept"))
    client.payment(21900, "s1")
    client.payment(4000, "s2")
    closed = client.reconciliation()
    assert closed.per_brand and {s.brand: (s.count, s.amount) for s in closed.per_brand} == {
        "BankAxept": (1, 4000),
        "Visa": (1, 21900),
    }
    after = client.get_totals()
    assert after.groups == () and after.total_amount == 0
    assert after.poi_reconciliation_id != closed.poi_reconciliation_id
    client.payment(700, "s3")
    assert client.get_totals().total_amount == 700


def test_transaction_status_repeats_last_payment(emulator: TerminalEmulator, client: NexoClient) -> None:
    emulator.script(approve("Mastercard"))
    paid = client.payment(12345, "s1")
    status = client.transaction_status()
    assert status.approved and status.poi_transaction_id == paid.poi_transaction_id
    assert status.authorized_amount == 12345 and status.brand == "Mastercard"
    assert status.service_id == paid.service_id
    assert client.transaction_status("999").error_condition == "NotFound"


def test_logout_ends_the_session(client: NexoClient) -> None:
    client.logout()
    outcome = client.payment(100, "s1")
    assert (outcome.result, outcome.error_condition) == ("Failure", "LoggedOut")
    with pytest.raises(TerminalError, match="LoggedOut"):
        client.get_totals()


def test_refused_login_style_errors_name_the_condition(server: TerminalServer) -> None:
    pos = NexoClient(server.url)
    with pytest.raises(TerminalError) as caught:
        pos.reconciliation()
    assert caught.value.error_condition == "LoggedOut"
    assert "LoginRequest" in str(caught.value)


def test_standalone_terminal_prints_marked_receipts(log: EvidenceLog) -> None:
    emulator = TerminalEmulator(log, standalone=True, clock=lambda: FIXED)
    with TerminalServer(emulator) as server:
        pos = NexoClient(server.url, timeout=5.0)
        pos.login("op1")
        emulator.script(approve("Visa"), decline())
        paid = pos.payment(21900, "s1")
        pos.payment(21900, "s2")
    assert paid.receipt_lines[0] == "IKKJE KVITTERING FOR KJØP"
    assert len(emulator.printed) == 2
    printouts = log.since(0, kind="terminal.printout")
    assert [r.raw for r in printouts] == emulator.printed
    assert [r.data["result"] for r in printouts] == ["GODKJENT", "AVVIST"]
    assert b"\x1d!\x11" in emulator.printed[0]
