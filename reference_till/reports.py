"""X and Z report figures, computed from the electronic journal.

kassasystemforskrifta § 2-8-2 første ledd lists the content of the X report (letters
a–z), § 2-8-2 andre ledd adds credit sales and cash pay-ins/pay-outs, and § 2-8-3 says
the Z report has the same content, is sequentially numbered and resets the counters.
The figures here are computed only from journal records since the register's last Z
report; grand totals (x, y, z) carry on from that Z report.

Counting rules (where the regulation leaves room, the choice is documented here):

* e, f, g, h, j, l, x, y, z count cash sales (kontantsal: cash, card and every other means
  settled on delivery; kassasystemlova § 2). Credit sales invoiced later, voided sales
  and training sales are not cash sales; they are counted in v / second ledd, r and w.
* e is Σ transAmntIn of cash sales (before øreavrunding), equal to x − y for the period.
* f counts, per article group, the sales transactions with at least one sale line in the
  group; the amount is the group's net line amount (sale lines − return lines).
* g and h count, per means of payment, the transactions paid (partly) with it; the
  amount is what was paid (after øreavrunding, refunds negative).
* l counts sales receipts: sales and sale-and-return receipts, not pure return receipts
  (Skatteetaten's example: 3 sales and 1 return give 3).
* m counts only nullinnslag (§ 1-2 bokstav c); openings by a sale or return are journaled
  but not counted.
* p counts receipts carrying returns (return receipts and sales receipts with return
  lines); the amount is the positive sum of the returned lines.
* q counts manual discounts given at the kassapunkt, one per discounted line; campaign
  discounts are not counted (Skatteetaten FAQ).
* s counts corrected lines before conclusion, by type ("Delete line", "Reduce quantity");
  the amount is the positive reduction. Raising a quantity is a registration, not a
  correction (requirements catalogue, open question 7).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from reference_till.codes import EventType
from reference_till.config import TillConfig
from reference_till.faults import Fault
from reference_till.model import (
    CashTransaction,
    CountAmount,
    EmpAmount,
    EmpCountAmount,
    Event,
    JournalEntry,
    KeyCountAmount,
    ReportFigures,
    TransactionKind,
    VatFigure,
)

__all__ = ["compute_figures"]

_SALES = {TransactionKind.SALE, TransactionKind.RETURN, TransactionKind.SALE_RETURN}


@dataclass
class _Counter:
    count: int = 0
    amount: int = 0

    def add(self, amount: int, count: int = 1) -> None:
        self.count += count
        self.amount += amount

    def frozen(self) -> CountAmount:
        return CountAmount(self.count, self.amount)


@dataclass
class _Accumulator:
    config: TillConfig
    faults: frozenset[Fault] = frozenset()
    total_cash_sales: int = 0
    groups: dict[str, _Counter] = field(default_factory=lambda: defaultdict(_Counter))
    emp_groups: dict[tuple[str, str], _Counter] = field(default_factory=lambda: defaultdict(_Counter))
    payments: dict[str, _Counter] = field(default_factory=lambda: defaultdict(_Counter))
    emp_payments: dict[tuple[str, str], _Counter] = field(default_factory=lambda: defaultdict(_Counter))
    vat: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    opening_float: int = 0
    emp_floats: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    receipts: int = 0
    drawer_openings: int = 0
    copies: _Counter = field(default_factory=_Counter)
    provisional: _Counter = field(default_factory=_Counter)
    returns: _Counter = field(default_factory=_Counter)
    discounts: _Counter = field(default_factory=_Counter)
    voids: _Counter = field(default_factory=_Counter)
    corrections: dict[str, _Counter] = field(default_factory=lambda: defaultdict(_Counter))
    lookups: dict[str, _Counter] = field(default_factory=lambda: defaultdict(_Counter))
    deliveries: _Counter = field(default_factory=_Counter)
    training: _Counter = field(default_factory=_Counter)
    sales: int = 0
    returned: int = 0
    credit_sales: _Counter = field(default_factory=_Counter)
    pay_ins: dict[str, _Counter] = field(default_factory=lambda: defaultdict(_Counter))
    pay_outs: dict[str, _Counter] = field(default_factory=lambda: defaultdict(_Counter))
    first_seq: int = 0
    last_seq: int = 0

    def transaction(self, tx: CashTransaction) -> None:
        kind = tx.kind
        if kind in _SALES:
            self._cash_sale(tx)
        elif kind is TransactionKind.CREDIT_SALE:
            # § 2-8-2 bokstav v and andre ledd: delivery receipts and credit sales
            self.deliveries.add(tx.amount_in)
            self.credit_sales.add(tx.amount_in)
        elif kind is TransactionKind.VOID:
            self.voids.add(abs(tx.amount_in))  # bokstav r: a voided return counts its size too (Σ|transAmntIn|)
        elif kind is TransactionKind.TRAINING:
            self.training.add(abs(tx.amount_in))  # bokstav w: a training return counts its size, as r does
            if Fault.TRAINING_AS_SALES in self.faults:  # breaks bokstav w: training moves e and l
                self.total_cash_sales += tx.amount_in
                self.receipts += 1
        elif kind is TransactionKind.FLOAT:
            self.opening_float += tx.amount_in  # bokstav k
            self.emp_floats[tx.emp_id] += tx.amount_in
        elif kind is TransactionKind.PAY_IN:
            self.pay_ins[tx.description or "Innbetaling"].add(tx.amount_in)
        elif kind is TransactionKind.PAY_OUT:
            self.pay_outs[tx.description or "Utbetaling"].add(-tx.amount_in)

    def _cash_sale(self, tx: CashTransaction) -> None:
        self.total_cash_sales += tx.amount_in  # bokstav e
        if tx.kind is not TransactionKind.RETURN:
            self.receipts += 1  # bokstav l
        groups_with_sales: set[str] = set()
        returned = 0
        for line in tx.lines:
            self.groups[line.art_group_id].amount += line.amount_in  # bokstav f
            self.emp_groups[(tx.emp_id, line.art_group_id)].amount += line.amount_in
            if line.line_type == "SAL":
                groups_with_sales.add(line.art_group_id)
                self.sales += line.amount_in  # bokstav x
            else:
                returned += -line.amount_in
            for discount in line.discounts:
                if discount.kind == "manual" or Fault.CAMPAIGN_IN_Q in self.faults:
                    self.discounts.add(discount.amount)  # bokstav q: manual discounts only
        for group in groups_with_sales:
            self.groups[group].count += 1
            self.emp_groups[(tx.emp_id, group)].count += 1
        if returned:
            self.returns.add(returned)  # bokstav p
            self.returned += returned  # bokstav y
        for means in {p.means_id for p in tx.payments}:
            amount = sum(p.amount for p in tx.payments if p.means_id == means)
            self.payments[means].add(amount)  # bokstav g
            self.emp_payments[(tx.emp_id, means)].add(amount)  # bokstav h
        for vt in tx.vat_totals:
            acc = self.vat[vt.vat_code]  # bokstav j
            acc[0] += vt.base
            acc[1] += vt.vat

    def event(self, event: Event) -> None:
        kind = event.event_type
        data = event.data
        if kind == EventType.DRAWER_OPEN_NO_SALE:
            self.drawer_openings += 1  # bokstav m: nullinnslag only
        elif kind == EventType.DRAWER_OPEN and Fault.SALE_OPENINGS_IN_M in self.faults:
            self.drawer_openings += 1  # breaks bokstav m
        elif kind == EventType.COPY_RECEIPT:
            self.copies.add(int(data.get("amount", 0)))  # bokstav n
        elif kind == EventType.PROVISIONAL_RECEIPT:
            self.provisional.add(int(data.get("amount", 0)))  # bokstav o
        elif kind == EventType.LINE_CORRECTION and not data.get("training"):
            self.corrections[str(data.get("type", "Line correction"))].add(int(data.get("amount", 0)))  # s
        elif kind == EventType.PRICE_LOOKUP:
            self.lookups[str(data.get("group", ""))].add(int(data.get("amount", 0)))  # bokstav t


def _keyed(counters: dict[str, _Counter]) -> tuple[KeyCountAmount, ...]:
    return tuple(KeyCountAmount(k, c.count, c.amount) for k, c in sorted(counters.items()))


def _emp_keyed(counters: dict[tuple[str, str], _Counter]) -> tuple[EmpCountAmount, ...]:
    return tuple(EmpCountAmount(e, k, c.count, c.amount) for (e, k), c in sorted(counters.items()))


def compute_figures(
    entries: Iterable[JournalEntry],
    config: TillConfig,
    *,
    report_type: Literal["X", "Z"],
    report_id: str,
    number: int,
    register_id: str,
    at: datetime,
    previous_z: ReportFigures | None,
    faults: frozenset[Fault] = frozenset(),
) -> ReportFigures:
    """Compute every figure of an X or Z report.

    Args:
        entries: The register's journal records since its last Z report, in order.
        config: The till configuration (company, system id, groups ...).
        report_type: ``"X"`` or ``"Z"``.
        report_id: Unique id of the report in the journal.
        number: The report's sequence number (§ 2-8-3: Z reports are numbered).
        register_id: The kassapunkt.
        at: Time of the report.
        previous_z: The register's last Z report; its grand totals are carried on.
        faults: Rules to break on purpose (:mod:`reference_till.faults`); empty in production.

    Returns:
        The report figures.
    """
    acc = _Accumulator(config, faults)
    if previous_z is not None and Fault.GRAND_TOTAL_RESET in faults:
        previous_z = None  # breaks bokstav x-z: the grand totals restart
    for entry in entries:
        if not acc.first_seq:
            acc.first_seq = entry.seq
        acc.last_seq = entry.seq
        if isinstance(entry.record, CashTransaction):
            acc.transaction(entry.record)
        else:
            acc.event(entry.record)
    grand_sales = (previous_z.grand_total_sales if previous_z else 0) + acc.sales
    grand_returns = (previous_z.grand_total_returns if previous_z else 0) + acc.returned
    rates = {v.code: v.rate_bp for v in config.vat_codes}
    return ReportFigures(
        report_type=report_type,
        report_id=report_id,
        number=number,
        company_name=config.company.name,
        company_ident=config.company.orgnr,
        at=at,
        register_id=register_id,
        system_id=config.system.system_id,
        total_cash_sales=acc.total_cash_sales,
        art_groups=_keyed(acc.groups),
        emp_art_groups=_emp_keyed(acc.emp_groups),
        payments=_keyed(acc.payments),
        emp_payments=_emp_keyed(acc.emp_payments),
        vat=tuple(VatFigure(code, rates.get(code, 0), base, vat) for code, (base, vat) in sorted(acc.vat.items())),
        opening_float=acc.opening_float,
        emp_opening_floats=tuple(EmpAmount(e, a) for e, a in sorted(acc.emp_floats.items())),
        receipts=acc.receipts,
        drawer_openings=acc.drawer_openings,
        copies=acc.copies.frozen(),
        provisional=acc.provisional.frozen(),
        returns=acc.returns.frozen(),
        discounts=acc.discounts.frozen(),
        voids=acc.voids.frozen(),
        line_corrections=_keyed(acc.corrections),
        price_lookups=_keyed(acc.lookups),
        other_corrections=(),
        deliveries=acc.deliveries.frozen(),
        training=acc.training.frozen(),
        grand_total_sales=grand_sales,
        grand_total_returns=grand_returns,
        grand_total_net=grand_sales - grand_returns,
        credit_sales=acc.credit_sales.frozen(),
        credit_memos=CountAmount(),
        pay_ins=_keyed(acc.pay_ins),
        pay_outs=_keyed(acc.pay_outs),
        tips=None,
        first_seq=acc.first_seq,
        last_seq=acc.last_seq,
    )
