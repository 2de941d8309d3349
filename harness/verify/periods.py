"""Recomputing X and Z report figures from the export (kassasystemforskrifta § 2-8-2, § 2-8-3).

A register's events come before its transactions in the file, so the checker first
collects every report event with the event-derived figures of its period (m, n, o, t),
then streams the transactions, adding each to the running :class:`Figures` of the open
period. When a transaction lies after a report's time, the report is complete and is
compared field by field; a Z report then starts a new period. The period of a report is
everything on the register after the previous Z report up to the report's own time.

How each figure is counted (documented in docs/verify.md; the reference till counts the
same way). "Cash sales" are transactions whose ``transType`` maps to 11001, 11006,
11012, 11013 or 11016, that are neither void nor training:

* e: Σ ``transAmntIn`` of cash sales.
* f: per ``artGroupID``, Σ ``lineAmntIn`` of cash-sale lines; counted: cash sales with a
  sale line (amount > 0) in the group.
* g / h: per ``paymentType`` (and operator: the payment's ``empID``, else the
  transaction's), Σ ``paidAmnt`` of cash sales; counted: cash sales paid with it.
* j: per ``vatCode``, Σ ``vatBasAmnt`` and Σ ``vatAmnt`` of cash-sale lines.
* k: Σ ``transAmntIn`` of transactions mapping to 11007 (cash declaration).
* l: cash sales with a sale line (or a positive amount if they have no lines).
* m: drawer openings (13005) without ``transID`` (nullinnslag).
* n: copy-receipt events (13014); amount Σ ``transAmntIn`` of the receipts copied
  (compared only when all of them are in the export).
* o: provisional-receipt events (13015); the count only.
* p: cash sales with a return line (amount < 0); amount −Σ those lines.
* r / w: void / training transactions, Σ |``transAmntIn``|.
* t: price look-up events (13022) against Σ ``priceInquiryNum``.
* v: transactions with ``receiptDeliveryNum`` > 0 or mapping to 11002, Σ ``transAmntIn``.
* second paragraph: credit sales (11002, 11017), pay-ins (11011) and pay-outs (11010).
* x / y: between two Z reports, grand total sales grows by Σ sale lines and grand total
  returns by −Σ return lines of the cash sales; z = x − y.

Letters q (manual discounts), s (line corrections) and u (other corrections) are not
derivable from SAF-T: the format does not say whether a discount was manual, and line
corrections before conclusion leave no line behind.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from harness.verify.records import Event, Report, Transaction

__all__ = ["CASH_SALE_CODES", "EventFigures", "Figures", "ReportPeriod"]

CASH_SALE_CODES = frozenset({"11001", "11006", "11012", "11013", "11016"})


def _pair() -> list[int]:
    return [0, 0]


@dataclass
class EventFigures:
    """Event-derived figures of a period (m, n, o, t)."""

    nullinnslag: int = 0
    copies: int = 0
    copy_refs: list[str] = field(default_factory=list)
    provisional: int = 0
    lookups: int = 0

    def copy(self) -> EventFigures:
        """A snapshot (for an X report in the middle of a period)."""
        return EventFigures(self.nullinnslag, self.copies, list(self.copy_refs), self.provisional, self.lookups)

    def add(self, event: Event, code: str) -> None:
        """Count ``event`` (its predefined code is ``code``)."""
        if code == "13005" and not event.trans_id:
            self.nullinnslag += 1
        elif code == "13014":
            self.copies += 1
            if event.trans_id:
                self.copy_refs.append(event.trans_id)
        elif code == "13015":
            self.provisional += 1
        elif code == "13022":
            self.lookups += 1


@dataclass
class Figures:
    """Transaction-derived figures of a period."""

    total: int = 0
    total_training: int = 0
    groups: dict[str, list[int]] = field(default_factory=lambda: defaultdict(_pair))
    payments: dict[str, list[int]] = field(default_factory=lambda: defaultdict(_pair))
    emp_payments: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(_pair))
    vat: dict[str, list[int]] = field(default_factory=lambda: defaultdict(_pair))
    opening_float: int = 0
    receipts: int = 0
    returns: list[int] = field(default_factory=_pair)
    voids: list[int] = field(default_factory=_pair)
    training: list[int] = field(default_factory=_pair)
    delivery: list[int] = field(default_factory=_pair)
    credit: list[int] = field(default_factory=_pair)
    pay_ins: list[int] = field(default_factory=_pair)
    pay_outs: list[int] = field(default_factory=_pair)
    sales: int = 0
    returned: int = 0
    transactions: int = 0

    def add(self, tx: Transaction, code: str) -> None:
        """Add one transaction whose ``transType`` maps to ``code``."""
        self.transactions += 1
        amount = tx.amount_in or 0
        if tx.void:
            self.voids[0] += 1
            self.voids[1] += abs(amount)
            return
        if tx.training:
            self.training[0] += 1
            self.training[1] += abs(amount)
            if code in CASH_SALE_CODES:
                self.total_training += amount
            return
        if tx.delivery_num or code == "11002":
            self.delivery[0] += 1
            self.delivery[1] += amount
        if code in ("11002", "11017"):
            self.credit[0] += 1
            self.credit[1] += amount
        elif code == "11007":
            self.opening_float += amount
        elif code == "11011":
            self.pay_ins[0] += 1
            self.pay_ins[1] += abs(amount)
        elif code == "11010":
            self.pay_outs[0] += 1
            self.pay_outs[1] += abs(amount)
        if code in CASH_SALE_CODES:
            self._cash_sale(tx, amount)

    def _cash_sale(self, tx: Transaction, amount: int) -> None:
        self.total += amount
        sold = returned = 0
        groups_sold: set[str] = set()
        line_vat = False
        for line in tx.lines:
            value = line.amount_in or 0
            if value > 0:
                sold += value
                groups_sold.add(line.group)
            elif value < 0:
                returned -= value
            self.groups[line.group][1] += value
            if line.vat is not None:
                line_vat = True
                bucket = self.vat[line.vat.code]
                bucket[0] += line.vat.base or 0
                bucket[1] += line.vat.amount or 0
        if not tx.lines:
            if amount > 0:
                sold = amount
            else:
                returned = -amount
        if not line_vat:
            for vat in tx.vats:
                bucket = self.vat[vat.code]
                bucket[0] += vat.base or 0
                bucket[1] += vat.amount or 0
        for group in groups_sold:
            self.groups[group][0] += 1
        if sold:
            self.receipts += 1
        if returned:
            self.returns[0] += 1
            self.returns[1] += returned
        self.sales += sold
        self.returned += returned
        seen: set[str] = set()
        seen_emp: set[tuple[str, str]] = set()
        for payment in tx.payments:
            paid = payment.amount or 0
            bucket = self.payments[payment.payment_type]
            bucket[1] += paid
            if payment.payment_type not in seen:
                seen.add(payment.payment_type)
                bucket[0] += 1
            key = (payment.emp_id or tx.emp_id, payment.payment_type)
            emp_bucket = self.emp_payments[key]
            emp_bucket[1] += paid
            if key not in seen_emp:
                seen_emp.add(key)
                emp_bucket[0] += 1


@dataclass
class ReportPeriod:
    """A report event with the event figures of its period, waiting for its transactions."""

    event: Event
    report: Report
    kind: str  #: "Z" or "X"
    at: str  #: "YYYY-MM-DD HH:MM:SS"
    events: EventFigures
