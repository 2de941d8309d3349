"""A stateful property test of the reference till against a deliberately naive model.

Hypothesis drives random sequences of sales, returns, voids, nullinnslag, price look-ups,
copies and X/Z reports. After every step the journal must hold a verifying signature
chain, a gapless sales series, at most one copy per receipt, and X figures equal to a
model that only adds up what the operator did since the last Z report.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from reference_till.codes import EventType
from reference_till.errors import CopyLimitReached
from reference_till.model import CashTransaction, Event, ReportFigures, Series, TransactionKind
from reference_till.ports import MemoryDrawer
from reference_till.reports import compute_figures
from reference_till.signing import signature_data, verify_rsa
from reference_till.till import Till

OSLO = ZoneInfo("Europe/Oslo")
PUBLIC_KEY = (resources.files("reference_till") / "data" / "demo_signing_key.pub.pem").read_bytes()

# article -> (price in øre, article group), written out by hand from the default configuration
ARTICLES = {
    "1001": (2190, "100"),
    "1002": (3990, "100"),
    "1003": (2780, "100"),
    "1101": (2490, "110"),
    "1201": (3900, "120"),
    "2001": (11600, "200"),
    "4002": (14000, "400"),
    "5001": (4500, "500"),
}

LINES = st.lists(
    st.tuples(st.sampled_from(sorted(ARTICLES)), st.integers(min_value=1, max_value=3)), min_size=1, max_size=4
)
PAY = st.sampled_from(["cash", "card"])


def cash_rounded(ore: int) -> int:
    """Whole kroner, 50 øre away from zero (own arithmetic, not reference_till.money)."""
    sign = -1 if ore < 0 else 1
    return sign * ((abs(ore) + 50) // 100 * 100)


class Clock:
    def __init__(self) -> None:
        self.current = datetime(2026, 5, 4, 8, 0, tzinfo=OSLO)

    def __call__(self) -> datetime:
        self.current += timedelta(seconds=1)
        return self.current


@dataclass
class Period:
    """What happened since the last Z report, added up naively."""

    e: int = 0  # total cash sales
    l: int = 0  # noqa: E741 - the letter of § 2-8-2
    m: int = 0
    n: tuple[int, int] = (0, 0)
    p: tuple[int, int] = (0, 0)
    r: tuple[int, int] = (0, 0)
    t: Counter[str] = field(default_factory=Counter)
    t_amount: Counter[str] = field(default_factory=Counter)
    cash: tuple[int, int] = (0, 0)
    card: tuple[int, int] = (0, 0)


def plus(pair: tuple[int, int], amount: int) -> tuple[int, int]:
    return pair[0] + 1, pair[1] + amount


class TillMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._dir = tempfile.TemporaryDirectory(prefix="till-stateful-")
        self.clock = Clock()
        self.till = Till(Path(self._dir.name) / "journal.sqlite", clock=self.clock)
        self.till.start("K1")
        self.till.login("K1", "1001")
        self.period = Period()
        self.grand_sales = 0
        self.grand_returns = 0
        self.receipts: list[str] = []
        self.copied: set[str] = set()
        self.z_numbers: list[int] = []

    def teardown(self) -> None:
        self.till.close()
        self._dir.cleanup()

    # ------------------------------------------------------------------ helpers

    @property
    def drawer(self) -> MemoryDrawer:
        return cast(MemoryDrawer, self.till.devices("K1").drawer)

    def _pay_and_conclude(self, pay: str, total: int) -> CashTransaction:
        if pay == "cash":
            self.till.pay_cash("K1")
        else:
            self.till.pay_card("K1")
        kicks = self.drawer.kicks
        tx = self.till.conclude("K1")
        assert tx.amount_in == total
        if pay == "cash":
            assert self.drawer.kicks == kicks + 1 and self.drawer.is_open()
            self.drawer.close()
            self.period.cash = plus(self.period.cash, cash_rounded(total))
        else:
            assert self.drawer.kicks == kicks
            self.period.card = plus(self.period.card, total)
        self.receipts.append(tx.trans_id)
        return tx

    # ------------------------------------------------------------------ rules

    @rule(lines=LINES, pay=PAY)
    def sell(self, lines: list[tuple[str, int]], pay: str) -> None:
        total = 0
        for art, qty in lines:
            self.till.add_item("K1", art, qty)
            total += ARTICLES[art][0] * qty
        tx = self._pay_and_conclude(pay, total)
        assert tx.kind is TransactionKind.SALE
        self.period.e += total
        self.period.l += 1
        self.grand_sales += total

    @rule(art=st.sampled_from(sorted(ARTICLES)), qty=st.integers(min_value=1, max_value=2), pay=PAY)
    def return_goods(self, art: str, qty: int, pay: str) -> None:
        self.till.return_item("K1", art, qty)
        amount = ARTICLES[art][0] * qty
        tx = self._pay_and_conclude(pay, -amount)
        assert tx.kind is TransactionKind.RETURN
        self.period.e -= amount
        self.period.p = plus(self.period.p, amount)
        self.grand_returns += amount

    @rule(lines=LINES)
    def void_open_sale(self, lines: list[tuple[str, int]]) -> None:
        total = 0
        for art, qty in lines:
            self.till.add_item("K1", art, qty)
            total += ARTICLES[art][0] * qty
        tx = self.till.void("K1")
        assert tx.kind is TransactionKind.VOID and tx.amount_in == total
        self.period.r = plus(self.period.r, total)

    @rule()
    def nullinnslag(self) -> None:
        self.till.open_drawer("K1", "Veksling")
        assert self.drawer.is_open()
        self.drawer.close()
        self.period.m += 1

    @rule(art=st.sampled_from(sorted(ARTICLES)))
    def price_lookup(self, art: str) -> None:
        price, group = ARTICLES[art]
        assert self.till.price_lookup("K1", art) == price
        self.period.t[group] += 1
        self.period.t_amount[group] += price

    @precondition(lambda self: self.receipts)
    @rule(data=st.data())
    def copy(self, data: st.DataObject) -> None:
        trans_id = data.draw(st.sampled_from(self.receipts), label="receipt")
        printed = len(self.till.devices("K1").printer.documents)  # type: ignore[attr-defined]
        if trans_id in self.copied:
            with pytest.raises(CopyLimitReached, match="§ 2-6 fjerde ledd"):
                self.till.print_copy("K1", trans_id)
            assert len(self.till.devices("K1").printer.documents) == printed  # type: ignore[attr-defined]
            return
        self.till.print_copy("K1", trans_id)
        self.copied.add(trans_id)
        tx = self.till.journal.transaction(trans_id)
        assert tx is not None
        self.period.n = plus(self.period.n, tx.amount_in)
        assert b"KOPI" in self.till.devices("K1").printer.documents[-1]  # type: ignore[attr-defined]

    @rule()
    def x_report(self) -> None:
        self.check_figures(self.till.x_report("K1"))

    @rule()
    def z_report(self) -> None:
        z = self.till.z_report("K1")
        self.check_figures(z)
        assert z.number == len(self.z_numbers) + 1
        self.z_numbers.append(z.number)
        self.period = Period()
        self.clock.current += timedelta(hours=12)

    # ------------------------------------------------------------------ checks

    def expected(self) -> dict[str, Any]:
        p = self.period
        payments = {}
        if p.cash[0]:
            payments["CASH"] = p.cash
        return {
            "e": p.e,
            "l": p.l,
            "m": p.m,
            "n": p.n,
            "p": p.p,
            "r": p.r,
            "t": {g: (p.t[g], p.t_amount[g]) for g in p.t},
            "cash": payments,
            "card": p.card,
            "x": self.grand_sales,
            "y": self.grand_returns,
            "z": self.grand_sales - self.grand_returns,
        }

    @staticmethod
    def observed(fig: ReportFigures) -> dict[str, Any]:
        cards = [pay for pay in fig.payments if pay.key != "CASH"]
        return {
            "e": fig.total_cash_sales,
            "l": fig.receipts,
            "m": fig.drawer_openings,
            "n": (fig.copies.count, fig.copies.amount),
            "p": (fig.returns.count, fig.returns.amount),
            "r": (fig.voids.count, fig.voids.amount),
            "t": {k.key: (k.count, k.amount) for k in fig.price_lookups},
            "cash": {k.key: (k.count, k.amount) for k in fig.payments if k.key == "CASH"},
            "card": (sum(k.count for k in cards), sum(k.amount for k in cards)),
            "x": fig.grand_total_sales,
            "y": fig.grand_total_returns,
            "z": fig.grand_total_net,
        }

    def check_figures(self, fig: ReportFigures) -> None:
        assert self.observed(fig) == self.expected()

    # ------------------------------------------------------------------ invariants

    def _transactions(self) -> list[CashTransaction]:
        return [
            e.record
            for e in self.till.journal.entries(register_id="K1", kind="transaction")
            if isinstance(e.record, CashTransaction)
        ]

    @invariant()
    def chain_verifies(self) -> None:
        txs = sorted(self._transactions(), key=lambda tx: tx.nr)
        assert [tx.nr for tx in txs] == list(range(1, len(txs) + 1))
        previous = "0"
        for tx in txs:
            data = signature_data(previous, tx.at, tx.nr, tx.amount_in, tx.amount_ex)
            assert verify_rsa(PUBLIC_KEY, data, tx.signature), tx.trans_id
            previous = tx.signature

    @invariant()
    def sales_series_gapless(self) -> None:
        sales = [tx.number for tx in self._transactions() if tx.series is Series.SALES]
        assert sales == list(range(1, len(sales) + 1))
        assert len(sales) == len(self.receipts)

    @invariant()
    def at_most_one_copy_per_receipt(self) -> None:
        copies = Counter(
            e.record.trans_id
            for e in self.till.journal.entries(register_id="K1", kind="event")
            if isinstance(e.record, Event) and e.record.event_type == EventType.COPY_RECEIPT
        )
        assert all(count == 1 for count in copies.values())
        assert set(copies) == self.copied

    @invariant()
    def journal_figures_match_model(self) -> None:
        last = self.till.journal.last_event(EventType.Z_REPORT, "K1")
        after = 0 if last is None else last.seq
        previous = None if last is None else cast(Event, last.record).report
        fig = compute_figures(
            self.till.journal.entries(register_id="K1", after_seq=after),
            self.till.config,
            report_type="X",
            report_id="K1-CHECK",
            number=0,
            register_id="K1",
            at=self.clock.current,
            previous_z=previous,
        )
        self.check_figures(fig)

    @invariant()
    def z_numbers_rise_by_one(self) -> None:
        zs = [
            cast(Event, e.record).report
            for e in self.till.journal.entries(register_id="K1", kind="event")
            if cast(Event, e.record).event_type == EventType.Z_REPORT
        ]
        assert [z.number for z in zs if z is not None] == list(range(1, len(zs) + 1)) == self.z_numbers

    @invariant()
    def drawer_closed_and_no_open_sale(self) -> None:
        assert not self.drawer.is_open()
        assert self.till.parked("K1") == []


TillMachine.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_till_state_machine = TillMachine.TestCase
