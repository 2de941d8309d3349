"""Behaviour of the reference till, one test per rule of kassasystemforskrifta / bokføringsforskrifta.

Every refusal must raise the typed error whose message names the rule, and must leave
the electronic journal untouched.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from harness import saft_spec
from reference_till.codes import EventType
from reference_till.errors import (
    BuyerNameRequired,
    CopyLimitReached,
    DrawerOpen,
    OperationError,
    PaymentError,
    PrinterUnavailable,
    ReceiptNotPrinted,
    TillError,
    ZReportBlocked,
)
from reference_till.model import (
    CashTransaction,
    CountAmount,
    EmpAmount,
    Event,
    KeyCountAmount,
    ReportFigures,
    Series,
    TransactionKind,
)
from reference_till.ports import MemoryDrawer, MemoryPrinter, MemoryTerminal, TerminalOutcome
from reference_till.signing import signature_data, verify_rsa
from reference_till.till import Till

OSLO = ZoneInfo("Europe/Oslo")
DAY = datetime(2026, 3, 2, 9, 0, tzinfo=OSLO)
PUBLIC_KEY = (resources.files("reference_till") / "data" / "demo_signing_key.pub.pem").read_bytes()
RECEIPT_NUMBER = re.compile(r"Kvitteringsnr\.:\s*([A-Z]\d{6})")

# article prices in øre (default configuration)
MILK, SNUS, CINEMA, PAPER, ESPRESSO = "1001", "2001", "4002", "5001", "4010"
PRICE = {MILK: 2190, SNUS: 11600, CINEMA: 14000, PAPER: 4500, ESPRESSO: 4199000}


class Clock:
    """An aware Europe/Oslo clock advancing one second per reading."""

    def __init__(self, start: datetime = DAY) -> None:
        self.current = start

    def __call__(self) -> datetime:
        self.current += timedelta(seconds=1)
        return self.current

    def next_day(self) -> None:
        self.current = (self.current + timedelta(days=1)).replace(hour=9, minute=0, second=0)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def journal_path(tmp_path: Path) -> Path:
    return tmp_path / "journal.sqlite"


@pytest.fixture
def till(journal_path: Path, clock: Clock) -> Iterator[Till]:
    till = Till(journal_path, clock=clock)
    till.start("K1")
    till.login("K1", "1001")
    yield till
    till.close()


# --------------------------------------------------------------------------- helpers


def drawer(till: Till, register_id: str = "K1") -> MemoryDrawer:
    return cast(MemoryDrawer, till.devices(register_id).drawer)


def printer(till: Till, register_id: str = "K1") -> MemoryPrinter:
    return cast(MemoryPrinter, till.devices(register_id).printer)


def terminal(till: Till, register_id: str = "K1") -> MemoryTerminal:
    return cast(MemoryTerminal, till.devices(register_id).terminal)


def text_of(document: bytes) -> str:
    return document.decode("cp865")


def register_items(till: Till, items: tuple[str | tuple[str, int], ...], register_id: str = "K1") -> None:
    for item in items:
        art, qty = (item, 1) if isinstance(item, str) else item
        if qty < 0:
            till.return_item(register_id, art, -qty)
        else:
            till.add_item(register_id, art, qty)


def cash_sale(till: Till, *items: str | tuple[str, int], register_id: str = "K1") -> CashTransaction:
    """Register items (negative quantity: returned), pay cash, conclude and close the drawer."""
    register_items(till, items, register_id)
    till.pay_cash(register_id)
    tx = till.conclude(register_id)
    drawer(till, register_id).close()
    return tx


def card_sale(till: Till, *items: str | tuple[str, int], register_id: str = "K1") -> CashTransaction:
    register_items(till, items, register_id)
    till.pay_card(register_id)
    return till.conclude(register_id)


def size(till: Till) -> int:
    """Number of records in the journal file (read back, not the in-memory counter)."""
    return sum(1 for _ in till.journal.entries())


@contextmanager
def refused(till: Till, error: type[Exception], rule: str) -> Iterator[pytest.ExceptionInfo[Exception]]:
    """Expect ``error`` naming ``rule`` and an untouched journal."""
    before = (till.journal.last_seq, size(till))
    with pytest.raises(error, match=re.escape(rule)) as info:
        yield info
    assert (till.journal.last_seq, size(till)) == before, "a refused operation must not write to the journal"


def events(till: Till, event_type: str, register_id: str | None = "K1") -> list[Event]:
    return [
        e.record
        for e in till.journal.entries(register_id=register_id, kind="event")
        if isinstance(e.record, Event) and e.record.event_type == event_type
    ]


def transactions(till: Till, register_id: str | None = "K1") -> list[CashTransaction]:
    return [
        e.record
        for e in till.journal.entries(register_id=register_id, kind="transaction")
        if isinstance(e.record, CashTransaction)
    ]


def numbers(till: Till, series: Series, register_id: str = "K1") -> list[int]:
    return [tx.number for tx in transactions(till, register_id) if tx.series is series]


def verify_chain(till: Till, register_id: str) -> list[CashTransaction]:
    txs = sorted(transactions(till, register_id), key=lambda tx: tx.nr)
    assert [tx.nr for tx in txs] == list(range(1, len(txs) + 1))
    previous = "0"
    for tx in txs:
        data = signature_data(previous, tx.at, tx.nr, tx.amount_in, tx.amount_ex)
        assert verify_rsa(PUBLIC_KEY, data, tx.signature), f"{tx.trans_id} does not verify"
        previous = tx.signature
    return txs


# --------------------------------------------------------------------------- § 2-6 fjerde ledd: receipts and copies


def test_second_copy_receipt_is_refused(till: Till) -> None:
    tx = card_sale(till, MILK, SNUS)
    assert b"KOPI" not in printer(till).documents[-1]
    till.print_copy("K1", tx.trans_id)
    copy = printer(till).documents[-1]
    assert b"KOPI" in copy
    assert tx.trans_id.removeprefix("K1-") in text_of(copy)
    printed = len(printer(till).documents)
    with refused(till, CopyLimitReached, "§ 2-6 fjerde ledd") as info:
        till.print_copy("K1", tx.trans_id)
    assert tx.trans_id in str(info.value)
    assert len(printer(till).documents) == printed
    assert len([e for e in events(till, EventType.COPY_RECEIPT) if e.trans_id == tx.trans_id]) == 1
    assert till.x_report("K1").copies == CountAmount(1, tx.amount_in)


def test_electronic_receipt_makes_the_paper_receipt_the_copy(till: Till) -> None:
    till.add_item("K1", CINEMA, 2)
    till.pay_card("K1")
    tx = till.conclude("K1", electronic_receipt="kari@example.no")
    (paper,) = printer(till).documents
    assert b"KOPI" in paper
    assert [address for address, _ in till.outbox] == ["kari@example.no"]
    assert b"KOPI" not in till.outbox[0][1]
    assert "S000001" in text_of(till.outbox[0][1])
    with refused(till, CopyLimitReached, "§ 2-6 fjerde ledd"):
        till.print_copy("K1", tx.trans_id)
    assert len(printer(till).documents) == 1
    assert till.x_report("K1").copies == CountAmount(1, 28000)


# --------------------------------------------------------------------------- § 2-8-3 andre ledd: Z with open sales


def test_z_report_blocked_by_parked_sale_then_void_counts_r(till: Till) -> None:
    till.add_item("K1", SNUS)
    ref = till.park("K1")
    with refused(till, ZReportBlocked, "§ 2-8-3 andre ledd") as info:
        till.z_report("K1")
    assert ref in str(info.value)
    till.resume("K1", ref)
    with refused(till, ZReportBlocked, "§ 2-8-3 andre ledd"):
        till.z_report("K1")  # an open (resumed) sale blocks too
    void = till.void("K1")
    assert void.kind is TransactionKind.VOID and void.amount_in == PRICE[SNUS]
    z = till.z_report("K1")
    assert z.number == 1
    assert z.voids == CountAmount(1, PRICE[SNUS])
    assert z.receipts == 0 and z.total_cash_sales == 0


# --------------------------------------------------------------------------- § 2-6 femte ledd: drawer open


def test_no_registration_while_drawer_is_open(till: Till) -> None:
    cash_sale(till, MILK)
    till.add_item("K1", PAPER)
    till.pay_cash("K1")
    till.conclude("K1")
    assert drawer(till).is_open()
    for operation in (
        lambda: till.add_item("K1", MILK),
        lambda: till.price_lookup("K1", MILK),
        lambda: till.open_drawer("K1"),
        lambda: till.cash_in("K1", 10000),
        lambda: till.register_float("K1", 10000),
    ):
        with refused(till, DrawerOpen, "§ 2-6 femte ledd"):
            operation()
    drawer(till).close()
    closes_before = len(events(till, EventType.DRAWER_CLOSE))
    till.add_item("K1", MILK)
    close_events = events(till, EventType.DRAWER_CLOSE)
    assert len(close_events) == closes_before + 1
    last_open = events(till, EventType.DRAWER_OPEN)[-1]
    assert close_events[-1].at > last_open.at
    # the emergency key opens the drawer mid-sale: payment and conclusion are refused too
    drawer(till).force_open()
    with refused(till, DrawerOpen, "§ 2-6 femte ledd"):
        till.pay_cash("K1")
    with refused(till, DrawerOpen, "§ 2-6 femte ledd"):
        till.conclude("K1")
    drawer(till).close()
    till.pay_cash("K1")
    assert till.conclude("K1").amount_in == PRICE[MILK]


# --------------------------------------------------------------------------- bokføringsforskrifta § 5-1-2: buyer's name


def test_buyer_name_required_from_40000_nok(till: Till) -> None:
    till.add_item("K1", ESPRESSO)
    till.pay_cash("K1")
    with refused(till, BuyerNameRequired, "§ 5-1-2"):
        till.conclude("K1")
    assert till.sale_total("K1") == PRICE[ESPRESSO]  # the sale is still open
    till.set_buyer("K1", "  Åse Ødegård  ")
    tx = till.conclude("K1")
    assert tx.buyer_name == "Åse Ødegård"
    assert till.journal.transaction(tx.trans_id) == tx
    receipt = text_of(printer(till).documents[-1])
    assert "Kjøpers navn" in receipt and "Åse Ødegård" in receipt


def test_a_card_payment_of_40000_nok_needs_no_buyer_name(till: Till) -> None:
    """bokføringsforskrifta § 5-1-2 is about cash payments: a card payment of the same amount needs no name."""
    till.add_item("K1", ESPRESSO)
    till.pay_card("K1")
    assert till.conclude("K1").amount_in == PRICE[ESPRESSO]


# 39 999,49 kr is paid with 39 999 kr in cash (øreavrunding); 40 000,00 kr with 40 000 kr
@pytest.mark.parametrize(("price", "needs_name"), [(3999949, False), (4000000, True)])
def test_buyer_name_limit_is_40000_inclusive(till: Till, price: int, needs_name: bool) -> None:
    till.change_price(ESPRESSO, price)
    till.add_item("K1", ESPRESSO)
    till.pay_cash("K1")
    if needs_name:
        with refused(till, BuyerNameRequired, "§ 5-1-2"):
            till.conclude("K1")
    else:
        assert till.conclude("K1").amount_in == price


def test_buyer_name_required_for_large_cash_return(till: Till) -> None:
    till.return_item("K1", ESPRESSO)
    till.pay_cash("K1")
    with refused(till, BuyerNameRequired, "§ 5-1-2"):
        till.conclude("K1")


# ---------------------------------------------------------------- § 2-6 fjerde ledd: no sale without a receipt


@pytest.mark.parametrize("fault", [{"paper_out": True}, {"cover_open": True}, {"online": False}])
def test_printer_unavailable_keeps_the_sale_open(till: Till, fault: dict[str, bool]) -> None:
    till.add_item("K1", MILK)
    till.pay_cash("K1")
    printer(till).set_state(**fault)
    with refused(till, PrinterUnavailable, "§ 2-6 fjerde ledd"):
        till.conclude("K1")
    assert printer(till).documents == []
    assert drawer(till).kicks == 0
    assert till.sale_total("K1") == PRICE[MILK]
    assert transactions(till) == []
    printer(till).set_state(paper_out=False, cover_open=False, online=True)
    tx = till.conclude("K1")
    assert tx.trans_id == "K1-S000001"
    assert len(printer(till).documents) == 1
    assert drawer(till).kicks == 1


def test_printer_failure_mid_print_is_journaled_and_retried(till: Till) -> None:
    till.add_item("K1", CINEMA)
    till.pay_card("K1")
    printer(till).fail_next = 1
    with pytest.raises(ReceiptNotPrinted, match="retry_printing"):
        till.conclude("K1")
    tx = till.journal.transaction("K1-S000001")
    assert tx is not None and tx.amount_in == PRICE[CINEMA]
    assert [e.trans_id for e in events(till, EventType.SALES_RECEIPT)] == [tx.trans_id]
    (failed,) = events(till, EventType.PRINT_FAILED)
    assert tx.trans_id in failed.text
    assert printer(till).documents == []
    with pytest.raises(OperationError):
        till.sale_total("K1")  # concluded: no open sale any more
    assert len(till.journal.unfinished_print_jobs()) == 1
    assert till.retry_printing("K1") == 0
    (receipt,) = printer(till).documents
    assert "S000001" in text_of(receipt)
    assert till.journal.unfinished_print_jobs() == []


@pytest.mark.parametrize("outcome", ["decline", "timeout", "abort", "busy"])
def test_terminal_refusal_pays_nothing(till: Till, outcome: TerminalOutcome) -> None:
    till.add_item("K1", CINEMA)
    terminal(till).script(outcome)
    with refused(till, PaymentError, "Nothing was paid"):
        till.pay_card("K1")
    with pytest.raises(OperationError, match="not paid"):
        till.conclude("K1")
    till.pay_cash("K1")
    tx = till.conclude("K1")
    assert [(p.means_id, p.amount) for p in tx.payments] == [("CASH", PRICE[CINEMA])]
    assert terminal(till).totals() == ()
    assert till.x_report("K1").payments == (KeyCountAmount("CASH", 1, PRICE[CINEMA]),)


# ----------------------------------------------------------------- § 2-6 andre ledd / § 2-7: append-only journal


def test_journal_rejects_update_and_delete(till: Till, journal_path: Path) -> None:
    tx = card_sale(till, SNUS)
    before = size(till)
    db = sqlite3.connect(str(journal_path))
    try:
        for sql in (
            "UPDATE journal SET payload = '{}' WHERE trans_id = ?",
            "DELETE FROM journal WHERE trans_id = ?",
            "UPDATE print_log SET state = 'queued' WHERE ? IS NOT NULL",
            "DELETE FROM print_log WHERE ? IS NOT NULL",
            "DELETE FROM meta WHERE ? IS NOT NULL",
        ):
            with pytest.raises(sqlite3.DatabaseError, match="append-only") as info:
                db.execute(sql, (tx.trans_id,))
            assert isinstance(info.value, sqlite3.IntegrityError)
        db.rollback()
    finally:
        db.close()
    assert size(till) == before
    assert till.journal.transaction(tx.trans_id) == tx
    assert till.journal.integrity_check() == "ok"


# --------------------------------------------------------------------------- training mode


def test_training_sale_is_kept_apart(till: Till) -> None:
    real = cash_sale(till, MILK)
    kicks = drawer(till).kicks
    till.set_training("K1", True)
    till.add_item("K1", CINEMA)
    till.pay_cash("K1")
    training = till.conclude("K1")
    till.set_training("K1", False)
    assert training.kind is TransactionKind.TRAINING
    assert training.series is Series.TRAINING and training.trans_id == "K1-T000001"
    assert drawer(till).kicks == kicks and not drawer(till).is_open()
    assert "TRENINGSKVITTERING" in text_of(printer(till).documents[-1])
    assert [e.trans_id for e in events(till, EventType.TRAINING_RECEIPT)] == [training.trans_id]
    assert cash_sale(till, MILK).trans_id == "K1-S000002"  # training does not use the S series
    x = till.x_report("K1")
    assert x.training == CountAmount(1, PRICE[CINEMA])
    assert x.total_cash_sales == 2 * real.amount_in
    assert x.receipts == 2
    assert x.returns == CountAmount()
    assert x.grand_total_sales == 2 * real.amount_in
    assert x.art_groups == (KeyCountAmount("100", 2, 2 * PRICE[MILK]),)


# --------------------------------------------------------------------------- § 2-8-2 bokstav q, s, l, p


def test_campaign_discount_not_counted_manual_discount_counted(till: Till) -> None:
    till.add_item("K1", MILK, campaign_discount=500)
    line = till.add_item("K1", SNUS)
    till.discount("K1", line, 1000, "Skadet eske")
    assert till.sale_total("K1") == PRICE[MILK] - 500 + PRICE[SNUS] - 1000
    tx = card_sale(till)
    assert [[d.kind for d in ln.discounts] for ln in tx.lines] == [["campaign"], ["manual"]]
    assert len(events(till, EventType.MANUAL_DISCOUNT)) == 1
    x = till.x_report("K1")
    assert x.discounts == CountAmount(1, 1000)
    assert x.total_cash_sales == tx.amount_in == 12290


def test_line_correction_counts_lines_with_the_reduced_amount(till: Till) -> None:
    till.change_price(MILK, 3000)
    line = till.add_item("K1", MILK, 5)
    till.correct_line("K1", line, 1)  # Skatteetaten FAQ: 5 -> 1 is one correction of -4 x 30 = -120
    deleted = till.add_item("K1", SNUS)
    till.remove_line("K1", deleted)
    with refused(till, OperationError, "reduces it"):
        till.correct_line("K1", line, 2)  # raising a quantity is not a correction
    assert till.sale_total("K1") == 3000
    tx = card_sale(till)
    assert [(ln.art_id, ln.quantity) for ln in tx.lines] == [(MILK, 1)]
    x = till.x_report("K1")
    assert x.line_corrections == (
        KeyCountAmount("Delete line", 1, PRICE[SNUS]),
        KeyCountAmount("Reduce quantity", 1, 12000),
    )
    assert x.total_cash_sales == 3000


def test_sale_and_return_on_one_receipt(till: Till) -> None:
    tx = cash_sale(till, SNUS, (MILK, -1))
    assert tx.kind is TransactionKind.SALE_RETURN
    assert tx.amount_in == PRICE[SNUS] - PRICE[MILK]
    assert [ln.line_type for ln in tx.lines] == ["SAL", "RET"]
    assert "Salgskvittering/Returkvittering" in text_of(printer(till).documents[-1])
    x = till.x_report("K1")
    assert x.receipts == 1
    assert x.returns == CountAmount(1, PRICE[MILK])
    assert x.total_cash_sales == PRICE[SNUS] - PRICE[MILK]
    assert (x.grand_total_sales, x.grand_total_returns) == (PRICE[SNUS], PRICE[MILK])
    # a pure return receipt counts in p but not in l
    pure = cash_sale(till, (PAPER, -1))
    assert pure.kind is TransactionKind.RETURN and pure.trans_id == "K1-S000002"
    x = till.x_report("K1")
    assert x.receipts == 1
    assert x.returns == CountAmount(2, PRICE[MILK] + PRICE[PAPER])


# --------------------------------------------------------------------------- § 2-8-7 credit sales


def test_credit_sale_has_own_series_and_delivery_receipt(till: Till) -> None:
    till.add_item("K1", MILK, 3)
    first = till.conclude_credit("K1", "KUNDE-7")
    sale = cash_sale(till, PAPER)
    till.add_item("K1", CINEMA)
    second = till.conclude_credit("K1", "KUNDE-7")
    assert (first.trans_id, second.trans_id, sale.trans_id) == ("K1-U000001", "K1-U000002", "K1-S000001")
    assert first.kind is TransactionKind.CREDIT_SALE and first.customer_id == "KUNDE-7"
    delivery = text_of(printer(till).documents[-1])
    assert "Utleveringskvittering" in delivery and "U000002" in delivery and "KUNDE-7" in delivery
    assert len(events(till, EventType.DELIVERY_RECEIPT)) == 2
    assert drawer(till).kicks == 1  # only the cash sale opened the drawer
    x = till.x_report("K1")
    credit = 3 * PRICE[MILK] + PRICE[CINEMA]
    assert x.deliveries == CountAmount(2, credit)
    assert x.credit_sales == CountAmount(2, credit)
    assert x.total_cash_sales == PRICE[PAPER]
    assert x.receipts == 1
    assert [p.key for p in x.payments] == ["CASH"]


# --------------------------------------------------------------------------- § 2-8-2 bokstav m, t; § 2-7 tredje ledd


def test_nullinnslag_counts_m_sale_opening_does_not(till: Till) -> None:
    till.open_drawer("K1", "Veksling")
    assert drawer(till).is_open() and drawer(till).kicks == 1
    drawer(till).close()
    cash_sale(till, MILK)
    assert drawer(till).kicks == 2
    assert len(events(till, EventType.DRAWER_OPEN_NO_SALE)) == 1
    assert len(events(till, EventType.DRAWER_OPEN)) == 1
    assert till.x_report("K1").drawer_openings == 1
    till.open_drawer("K1")
    drawer(till).close()
    assert till.x_report("K1").drawer_openings == 2


def test_price_lookup_counts_t_per_group(till: Till) -> None:
    assert till.price_lookup("K1", MILK) == PRICE[MILK]
    assert till.price_lookup("K1", MILK) == PRICE[MILK]
    assert till.price_lookup("K1", SNUS) == PRICE[SNUS]
    with pytest.raises(OperationError):
        till.sale_total("K1")  # a look-up registers nothing
    assert transactions(till) == []
    lookups = events(till, EventType.PRICE_LOOKUP)
    assert len(lookups) == 3 and "artGroupID 100" in lookups[0].text
    x = till.x_report("K1")
    assert x.price_lookups == (KeyCountAmount("100", 2, 2 * PRICE[MILK]), KeyCountAmount("200", 1, PRICE[SNUS]))
    assert x.receipts == 0 and x.total_cash_sales == 0


def test_price_change_is_journaled_and_used(till: Till) -> None:
    before = cash_sale(till, MILK)
    till.change_price(MILK, 2490)
    (change,) = events(till, EventType.PRICE_CHANGE)
    assert (change.data["old"], change.data["new"]) == (PRICE[MILK], 2490)
    assert change.at > before.at
    assert till.price(MILK) == 2490
    after = card_sale(till, MILK)
    assert after.lines[0].unit_price == 2490 and after.amount_in == 2490
    with refused(till, OperationError, "negative"):
        till.change_price(MILK, -1)


# --------------------------------------------------------------------------- § 2-8-2 andre ledd, bokstav k


def test_pay_ins_and_pay_outs_in_report(till: Till) -> None:
    till.cash_in("K1", 50000, "Veksel fra banken")
    drawer(till).close()
    out = till.cash_out("K1", 20000, "Uttak til bank")
    drawer(till).close()
    till.cash_out("K1", 5000, "Uttak til bank")
    drawer(till).close()
    assert out.kind is TransactionKind.PAY_OUT and out.amount_in == -20000
    assert len(events(till, EventType.CASH_WITHDRAWAL)) == 2
    with refused(till, OperationError, "positive"):
        till.cash_in("K1", 0)
    x = till.x_report("K1")
    assert x.pay_ins == (KeyCountAmount("Veksel fra banken", 1, 50000),)
    assert x.pay_outs == (KeyCountAmount("Uttak til bank", 2, 25000),)
    assert x.total_cash_sales == 0 and x.receipts == 0


def test_opening_float_per_operator(till: Till) -> None:
    till.register_float("K1", 100000, emp_id="1001")
    drawer(till).close()
    till.login("K1", "1002")
    till.register_float("K1", 50000, emp_id="1002")
    drawer(till).close()
    x = till.x_report("K1")
    assert x.opening_float == 150000
    assert x.emp_opening_floats == (EmpAmount("1001", 100000), EmpAmount("1002", 50000))


# --------------------------------------------------------------------------- § 2-8-3: Z reports and grand totals

_PERIOD_ZERO = {
    "total_cash_sales": 0,
    "art_groups": (),
    "emp_art_groups": (),
    "payments": (),
    "emp_payments": (),
    "vat": (),
    "opening_float": 0,
    "emp_opening_floats": (),
    "receipts": 0,
    "drawer_openings": 0,
    "copies": CountAmount(),
    "provisional": CountAmount(),
    "returns": CountAmount(),
    "discounts": CountAmount(),
    "voids": CountAmount(),
    "line_corrections": (),
    "price_lookups": (),
    "deliveries": CountAmount(),
    "training": CountAmount(),
    "credit_sales": CountAmount(),
    "pay_ins": (),
    "pay_outs": (),
}


def busy_day(till: Till) -> None:
    till.register_float("K1", 100000)
    drawer(till).close()
    tx = cash_sale(till, MILK, (SNUS, 2))
    till.print_copy("K1", tx.trans_id)
    line = till.add_item("K1", CINEMA, 2)
    till.discount("K1", line, 2000)
    till.correct_line("K1", line, 1)
    till.pay_card("K1")
    till.conclude("K1")
    cash_sale(till, (MILK, -1))
    till.open_drawer("K1")
    drawer(till).close()
    till.price_lookup("K1", PAPER)
    till.add_item("K1", PAPER)
    till.void("K1")
    till.add_item("K1", PAPER)
    till.conclude_credit("K1", "KUNDE-1")
    till.cash_out("K1", 10000)
    drawer(till).close()
    till.cash_in("K1", 5000)
    drawer(till).close()
    till.add_item("K1", MILK)
    till.provisional_receipt("K1")
    card_sale(till)
    till.set_training("K1", True)
    cash_sale(till, SNUS)
    till.set_training("K1", False)


def test_after_z_the_next_x_has_zero_period_figures(till: Till) -> None:
    busy_day(till)
    z = till.z_report("K1")
    untouched = [name for name, zero in _PERIOD_ZERO.items() if getattr(z, name) == zero]
    assert untouched == [], "the day must touch every period figure"
    x = till.x_report("K1")
    for name, zero in _PERIOD_ZERO.items():
        assert getattr(x, name) == zero, name
    assert (x.grand_total_sales, x.grand_total_returns, x.grand_total_net) == (
        z.grand_total_sales,
        z.grand_total_returns,
        z.grand_total_net,
    )
    assert z.grand_total_sales > 0


def test_grand_totals_monotonic_over_three_z_reports(till: Till, clock: Clock) -> None:
    zs: list[ReportFigures] = []
    sold = returned = 0
    for day in range(3):
        cash_sale(till, (SNUS, day + 1), MILK)
        card_sale(till, (CINEMA, -1))
        sold += (day + 1) * PRICE[SNUS] + PRICE[MILK]
        returned += PRICE[CINEMA]
        zs.append(till.z_report("K1"))
        assert zs[-1].total_cash_sales == (day + 1) * PRICE[SNUS] + PRICE[MILK] - PRICE[CINEMA]
        assert (zs[-1].grand_total_sales, zs[-1].grand_total_returns) == (sold, returned)
        clock.next_day()
    assert [z.number for z in zs] == [1, 2, 3]
    assert [z.report_id for z in zs] == ["K1-Z0001", "K1-Z0002", "K1-Z0003"]
    assert [z.report_type for z in zs] == ["Z", "Z", "Z"]
    for before, after in itertools.pairwise(zs):
        assert after.grand_total_sales > before.grand_total_sales
        assert after.grand_total_returns >= before.grand_total_returns
    for z in zs:
        assert z.grand_total_sales - z.grand_total_returns == z.grand_total_net
    assert "Z-rapport" in text_of(printer(till).documents[-1])
    assert till.last_z_report("K1") == zs[-1]


def test_x_report_is_stored_in_full(till: Till) -> None:
    cash_sale(till, MILK, SNUS)
    figures = till.x_report("K1")
    entry = till.journal.last_event(EventType.X_REPORT, "K1")
    assert entry is not None and isinstance(entry.record, Event)
    assert entry.record.report == figures
    assert figures.total_cash_sales == PRICE[MILK] + PRICE[SNUS]
    assert "X-rapport" in text_of(printer(till).documents[-1])
    second = till.x_report("K1")
    assert second.number == figures.number + 1
    assert second.report_id != figures.report_id


# --------------------------------------------------------------------------- receipt numbers


def test_sales_series_is_gapless_with_voids_between(till: Till) -> None:
    for _ in range(3):
        cash_sale(till, MILK)
        till.add_item("K1", SNUS)
        till.void("K1")
    assert numbers(till, Series.SALES) == [1, 2, 3]
    assert numbers(till, Series.VOID) == [1, 2, 3]
    assert [tx.trans_id for tx in transactions(till) if tx.series is Series.SALES] == [
        "K1-S000001",
        "K1-S000002",
        "K1-S000003",
    ]
    verify_chain(till, "K1")


def test_every_printed_receipt_number_is_in_the_journal(till: Till) -> None:
    busy_day(till)
    till.add_item("K1", MILK)
    till.provisional_receipt("K1")
    till.pay_cash("K1")
    till.conclude("K1", electronic_receipt="ola@example.no")
    drawer(till).close()
    till.set_training("K1", True)
    cash_sale(till, PAPER)
    till.set_training("K1", False)
    printed = [n for doc in printer(till).documents for n in RECEIPT_NUMBER.findall(text_of(doc))]
    assert len(printed) >= 8
    journal_ids = {tx.trans_id for tx in transactions(till)}
    event_texts = [e.record.text for e in till.journal.entries(kind="event") if isinstance(e.record, Event)]
    for number in printed:
        assert f"K1-{number}" in journal_ids or any(number in text for text in event_texts), number
    # and the other way round: every receipt in the journal was printed
    for tx in transactions(till):
        if tx.kind in {
            TransactionKind.SALE,
            TransactionKind.RETURN,
            TransactionKind.SALE_RETURN,
            TransactionKind.CREDIT_SALE,
            TransactionKind.TRAINING,
        }:
            assert tx.trans_id.removeprefix("K1-") in printed, tx.trans_id
    assert any(n.startswith("F") for n in printed)  # the provisional receipt


# --------------------------------------------------------------------------- § 2-7 første ledd: SAF-T export


def test_saft_export_of_a_day_validates(till: Till, tmp_path: Path) -> None:
    busy_day(till)
    till.login("K2", "1002")
    cash_sale(till, SNUS, register_id="K2")
    till.z_report("K1")
    summary = till.export_saft(tmp_path / "export", DAY.date(), DAY.date())
    assert summary.path is not None
    assert re.fullmatch(r"SAF-T Cash Register_999999999_\d{14}\.xml", summary.path.name)
    schema = etree.XMLSchema(file=str(saft_spec.schema_path()))
    doc = etree.parse(str(summary.path))
    assert schema.validate(doc), schema.error_log
    assert summary.transactions == len(transactions(till, None))
    ns = {"s": saft_spec.NAMESPACE}
    assert len(doc.findall(".//s:cashtransaction", ns)) == summary.transactions
    assert {e.text for e in doc.findall(".//s:cashregister/s:registerID", ns)} == {"K1", "K2"}


# --------------------------------------------------------------------------- crash recovery


def test_restart_voids_interrupted_sales_and_continues_the_chain(journal_path: Path, clock: Clock) -> None:
    first = Till(journal_path, clock=clock)
    first.login("K1", "1001")
    concluded = cash_sale(first, MILK)
    first.add_item("K1", PAPER)
    parked = first.park("K1")
    first.add_item("K1", SNUS)
    first.add_item("K1", MILK, 2)
    open_ref = events(first, EventType.SALE_STARTED)[-1].data["sale"]
    assert open_ref != parked
    first.journal.close()  # the process dies: nothing concluded, nothing cleaned up

    till = Till(journal_path, clock=clock)
    try:
        voids = [tx for tx in transactions(till) if tx.kind is TransactionKind.VOID]
        assert sorted((tx.voided_trans_id, tx.amount_in) for tx in voids) == [
            (parked, PRICE[PAPER]),
            (open_ref, PRICE[SNUS] + 2 * PRICE[MILK]),
        ]
        assert len(events(till, EventType.VOID_RECEIPT)) == 2
        assert sorted(tx.nr for tx in voids) == [concluded.nr + 1, concluded.nr + 2]
        assert till.parked("K1") == []
        till.login("K1", "1001")
        x = till.x_report("K1")
        assert x.voids == CountAmount(2, PRICE[PAPER] + PRICE[SNUS] + 2 * PRICE[MILK])
        assert x.receipts == 1
        after = cash_sale(till, MILK)
        assert after.nr == concluded.nr + 3
        assert after.trans_id == "K1-S000002"
        chain = verify_chain(till, "K1")
        assert chain[-1] == after
        assert verify_rsa(
            PUBLIC_KEY,
            signature_data(chain[-2].signature, after.at, after.nr, after.amount_in, after.amount_ex),
            after.signature,
        )
        till.z_report("K1")  # nothing left open or parked
    finally:
        till.close()


def test_restart_voids_only_the_unfinished_sale(journal_path: Path, clock: Clock) -> None:
    first = Till(journal_path, clock=clock)
    first.login("K1", "1001")
    cash_sale(first, MILK)
    card_sale(first, SNUS)
    first.journal.close()
    till = Till(journal_path, clock=clock)
    try:
        assert [tx.kind for tx in transactions(till)] == [TransactionKind.SALE, TransactionKind.SALE]
        assert events(till, EventType.VOID_RECEIPT) == []
    finally:
        till.close()


def test_restart_void_amount_follows_the_sign_of_corrected_lines(journal_path: Path, clock: Clock) -> None:
    first = Till(journal_path, clock=clock)
    first.login("K1", "1001")
    first.add_item("K1", SNUS, 2)
    returned = first.return_item("K1", MILK, 2)
    first.correct_line("K1", returned, 1)  # removes a return: the sale total rises
    first.discount("K1", returned, 190)  # a discount on a return line also raises the total
    paper = first.return_item("K1", PAPER)
    first.remove_line("K1", paper)
    expected = first.sale_total("K1")
    assert expected == 2 * PRICE[SNUS] - (PRICE[MILK] - 190)
    first.journal.close()
    till = Till(journal_path, clock=clock)
    try:
        (void,) = transactions(till)
        assert void.kind is TransactionKind.VOID
        assert void.amount_in == expected
    finally:
        till.close()


# --------------------------------------------------------------------------- two kassapunkter


def test_two_registers_have_independent_chains_and_series(till: Till) -> None:
    till.start("K2")
    till.login("K2", "1002")
    a1 = cash_sale(till, MILK)
    b1 = cash_sale(till, SNUS, register_id="K2")
    a2 = card_sale(till, PAPER)
    till.add_item("K2", PAPER)
    b_void = till.void("K2")
    b2 = card_sale(till, CINEMA, register_id="K2")
    assert [tx.trans_id for tx in (a1, a2)] == ["K1-S000001", "K1-S000002"]
    assert [tx.trans_id for tx in (b1, b_void, b2)] == ["K2-S000001", "K2-A000001", "K2-S000002"]
    assert [tx.nr for tx in verify_chain(till, "K1")] == [1, 2]
    assert [tx.nr for tx in verify_chain(till, "K2")] == [1, 2, 3]
    assert len(printer(till, "K2").documents) == 2 and len(printer(till, "K1").documents) == 2
    z1 = till.z_report("K1")
    assert z1.total_cash_sales == PRICE[MILK] + PRICE[PAPER]
    x2 = till.x_report("K2")
    assert x2.total_cash_sales == PRICE[SNUS] + PRICE[CINEMA]
    assert x2.voids == CountAmount(1, PRICE[PAPER])
    assert till.z_report("K2").number == 1


def test_refusals_are_till_errors(till: Till) -> None:
    # every refusal the tests above provoke is a TillError a caller can catch in one place
    for error in (
        CopyLimitReached,
        ZReportBlocked,
        DrawerOpen,
        BuyerNameRequired,
        PrinterUnavailable,
        ReceiptNotPrinted,
        PaymentError,
        OperationError,
    ):
        assert issubclass(error, TillError)
    till.logout("K1")
    with refused(till, OperationError, "login"):
        till.add_item("K1", MILK)


def test_copy_of_unknown_receipt_is_refused(till: Till) -> None:
    with refused(till, OperationError, "no receipt"):
        till.print_copy("K1", "K1-S000099")
    till.add_item("K1", MILK)
    void = till.void("K1")
    with refused(till, OperationError, "no receipt"):
        till.print_copy("K1", void.trans_id)


@pytest.mark.parametrize(("quantity", "campaign_discount", "rule"), [(0, 0, "quantity 0"), (1, 99999, "exceeds")])
def test_refused_first_item_opens_no_sale(till: Till, quantity: int, campaign_discount: int, rule: str) -> None:
    with refused(till, OperationError, rule):
        till.add_item("K1", MILK, quantity, campaign_discount=campaign_discount)
    with pytest.raises(OperationError, match="no open sale"):
        till.sale_total("K1")
    assert till.z_report("K1").voids == CountAmount()  # no phantom sale blocks the Z report
    till.add_item("K1", MILK)
    (started,) = events(till, EventType.SALE_STARTED)
    assert started.data["sale"] == "K1-O000001"


def test_refused_conclusion_keeps_payments_and_lines(till: Till) -> None:
    till.add_item("K1", ESPRESSO)
    till.pay_card("K1")
    printer(till).set_state(paper_out=True)
    till.set_buyer("K1", "Kjøper AS")
    with refused(till, PrinterUnavailable, "§ 2-6 fjerde ledd"):
        till.conclude("K1")
    printer(till).set_state(paper_out=False)
    tx = till.conclude("K1")
    assert [p.amount for p in tx.payments] == [PRICE[ESPRESSO]]
    assert len(terminal(till).totals()) == 1


def test_drawer_closed_before_shutdown_is_journaled(tmp_path) -> None:
    from reference_till.codes import EventType
    from reference_till.journal import Journal
    from reference_till.till import Till

    path = tmp_path / "journal.sqlite"
    till = Till(path)
    till.login("K1", "1001")
    till.open_drawer("K1")
    till.devices("K1").drawer.close()  # closed by hand, no further operation notices it
    till.close()
    with Journal(path) as journal:
        assert journal.count_events(EventType.DRAWER_CLOSE, register_id="K1") == 1
