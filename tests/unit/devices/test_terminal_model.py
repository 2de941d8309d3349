"""The terminal's message model, amounts, cards, outcomes, receipts and totals, without HTTP."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.terminal import CARDS, BrandTotal, TerminalEmulator, Totals, approve, check_masked_pan, decline, partial
from devices.terminal.codec import AmountError, amount_to_ore, dumps, loads, ore_to_amount
from devices.terminal.messages import MessageError, MessageHeader, build_request, parse_request, parse_response
from devices.terminal.outcomes import timeout
from devices.terminal.receipt import Merchant, ReceiptFacts, build_receipt, format_nok

FIXED = datetime(2025, 3, 14, 12, 30, 5, tzinfo=ZoneInfo("Europe/Oslo"))


@given(st.integers(min_value=1, max_value=1_000_000_000))
def test_amounts_round_trip_exactly(ore: int) -> None:
    wire = dumps({"RequestedAmount": ore_to_amount(ore)})
    assert amount_to_ore(loads(wire)["RequestedAmount"]) == ore


def test_amount_json_keeps_two_decimals() -> None:
    assert dumps({"a": ore_to_amount(21900), "b": ore_to_amount(5)}) == b'{"a":219.00,"b":0.05}'
    assert amount_to_ore(loads(b"0.1")) + amount_to_ore(loads(b"0.2")) == 30
    assert amount_to_ore(219) == 21900


@pytest.mark.parametrize("value", [Decimal("0.001"), Decimal("-1"), 0, "219.00", True, None, Decimal("1e12")])
def test_bad_amounts_raise_with_advice(value: object) -> None:
    with pytest.raises(AmountError, match="amount"):
        amount_to_ore(value)


def test_request_round_trip_and_response_parse() -> None:
    header = MessageHeader("Payment", "42", "K1", "POI-1")
    raw = dumps(build_request(header, {"X": 1}))
    request = parse_request(raw)
    assert request.header == header and request.body == {"X": 1}
    with pytest.raises(MessageError) as caught:
        parse_response(raw)
    assert "SaleToPOIResponse" in caught.value.message


def test_message_type_must_be_request() -> None:
    raw = json.dumps(
        {
            "SaleToPOIRequest": {
                "MessageHeader": {
                    "MessageClass": "Service",
                    "MessageCategory": "Login",
                    "MessageType": "Response",
                    "ServiceID": "1",
                    "SaleID": "K1",
                    "POIID": "P",
                },
                "LoginRequest": {},
            }
        }
    ).encode()
    with pytest.raises(MessageError) as caught:
        parse_request(raw)
    assert caught.value.error_condition == "MessageFormat" and "Request" in caught.value.message


def test_test_cards_are_masked_and_named_as_the_till_expects() -> None:
    assert [card.brand for card in CARDS] == ["BankAxept", "Visa", "Mastercard"]
    for card in CARDS:
        assert check_masked_pan(card.masked_pan) == card.masked_pan
    assert {card.brand: card.aid for card in CARDS}["Visa"] == "A0000000031010"
    assert {card.brand: card.aid for card in CARDS}["Mastercard"] == "A0000000041010"


@pytest.mark.parametrize("pan", ["5168150000009659", "5168157******9659", "516815******96591", "abc"])
def test_unsafe_pans_are_rejected(pan: str) -> None:
    with pytest.raises(ValueError, match="first 6 and last 4"):
        check_masked_pan(pan)


def test_outcome_constructors_validate() -> None:
    with pytest.raises(ValueError, match="BankAxept, Visa, Mastercard"):
        approve("Amex")
    with pytest.raises(ValueError, match="ErrorCondition"):
        decline("Nope")
    with pytest.raises(ValueError, match="positive"):
        partial(0)
    with pytest.raises(ValueError, match="seconds"):
        timeout(0)
    with pytest.raises(TypeError, match="approve"):
        TerminalEmulator().script("approve")  # type: ignore[arg-type]


def test_receipt_contents() -> None:
    merchant = Merchant(name="Testbutikken AS", orgnr="987654321", bax="7654321", terminal_id="70000001")
    facts = ReceiptFacts(
        kind="Payment",
        card=CARDS[2],
        amount_ore=123456,
        approved=True,
        timestamp=FIXED,
        stan=7,
        reference="70000001.000007",
        approval_code="654321",
    )
    receipt = build_receipt(facts, merchant, "CashierReceipt")
    text = receipt.text
    for expected in (
        "Testbutikken AS",
        "Org.nr: 987654321",
        "BAX: 7654321",
        "Terminal: 70000001",
        "14.03.2025",
        "12:30:05",
        "KJØP",
        "Debit Mastercard",
        "AID: A0000000041010",
        "516815******9659",
        "Chip",
        "PIN",
        "STAN: 000007",
        "Aut.kode: 654321",
        "NOK 1 234,56",
        "GODKJENT",
        "BRUKERSTEDETS KOPI",
    ):
        assert expected in text, expected
    nexo = receipt.to_nexo()
    assert nexo["DocumentQualifier"] == "CashierReceipt"
    assert [line["Text"] for line in nexo["OutputContent"]["OutputText"]] == list(receipt.text_lines)
    assert format_nok(-5) == "NOK -0,05"


def test_totals_round_trip_through_nexo() -> None:
    totals = Totals.build(
        "0003",
        [
            BrandTotal("Visa", "2001", debit_count=2, debit_amount=30000, credit_count=1, credit_amount=500),
            BrandTotal(
                "BankAxept", "1001", debit_count=1, debit_amount=100, reverse_debit_count=1, reverse_debit_amount=100
            ),
        ],
    )
    again = Totals.from_nexo("0003", loads(dumps(totals.to_nexo())))
    assert again == totals
    assert [(s.brand, s.count, s.amount) for s in again.per_brand] == [("BankAxept", 0, 0), ("Visa", 3, 29500)]
    with pytest.raises(ValueError, match="TransactionType"):
        Totals.from_nexo("1", [{"CardBrand": "Visa", "AcquirerID": "1", "PaymentTotals": [{"TransactionType": "X"}]}])


def test_emulator_handles_bytes_directly_and_records_evidence() -> None:
    emulator = TerminalEmulator(clock=lambda: FIXED)
    login = dumps(build_request(MessageHeader("Login", "1", "K1", "P"), {"OperatorID": "op"}))
    answer = emulator.handle(login)
    assert answer is not None
    header, body = parse_response(answer)
    assert header.category == "Login" and body["Response"]["Result"] == "Success"
    assert [r.kind for r in emulator.log] == ["terminal.request", "terminal.response"]
    assert emulator.log.since(0, kind="terminal.response")[0].raw == answer
