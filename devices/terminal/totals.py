"""Reconciliation totals per card brand and acquirer, and their nexo ``TransactionTotals`` form.

A terminal totals what it approved since the last reconciliation (the "period"), per payment
brand and acquirer (devices.md §4.3, Reconciliation / GetTotals). nexo reports each group as
``{PaymentInstrumentType, AcquirerID, CardBrand, PaymentTotals[{TransactionType,
TransactionCount, TransactionAmount}]}`` with TransactionType ``Debit`` (payments), ``Credit``
(refunds), ``ReverseDebit`` (reversed payments) and ``ReverseCredit`` (reversed refunds).

:class:`BrandTotal` keeps those four figures and derives the net figures the till compares with
its own card totals (daily settlement): ``amount`` = payments − refunds − reversed payments +
reversed refunds, ``count`` = approved payments and refunds that were not reversed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from devices.terminal.codec import amount_to_ore, ore_to_amount

__all__ = ["TRANSACTION_TYPES", "BrandSum", "BrandTotal", "Totals"]

#: nexo TransactionType → the BrandTotal field prefix.
TRANSACTION_TYPES = {
    "Debit": "debit",
    "Credit": "credit",
    "ReverseDebit": "reverse_debit",
    "ReverseCredit": "reverse_credit",
}


@dataclass(frozen=True, slots=True)
class BrandTotal:
    """Totals of one brand at one acquirer; amounts in øre.

    Attributes:
        brand: ``BankAxept``, ``Visa`` or ``Mastercard``.
        acquirer_id: The acquirer the transactions are settled with.
        debit_count: Approved payments (including later reversed ones).
        debit_amount: Their authorised amount.
        credit_count: Approved refunds.
        credit_amount: Their amount.
        reverse_debit_count: Payments reversed.
        reverse_debit_amount: Their amount.
        reverse_credit_count: Refunds reversed.
        reverse_credit_amount: Their amount.
    """

    brand: str
    acquirer_id: str
    debit_count: int = 0
    debit_amount: int = 0
    credit_count: int = 0
    credit_amount: int = 0
    reverse_debit_count: int = 0
    reverse_debit_amount: int = 0
    reverse_credit_count: int = 0
    reverse_credit_amount: int = 0

    @property
    def count(self) -> int:
        """Approved payments and refunds that stand (not reversed)."""
        return self.debit_count + self.credit_count - self.reverse_debit_count - self.reverse_credit_count

    @property
    def amount(self) -> int:
        """Net øre: payments − refunds − reversed payments + reversed refunds."""
        return self.debit_amount - self.credit_amount - self.reverse_debit_amount + self.reverse_credit_amount

    def to_nexo(self) -> dict[str, Any]:
        """This group as one nexo ``TransactionTotals`` entry (types with no transactions are left out)."""
        payment_totals = [
            {
                "TransactionType": nexo_type,
                "TransactionCount": getattr(self, f"{prefix}_count"),
                "TransactionAmount": ore_to_amount(getattr(self, f"{prefix}_amount")),
            }
            for nexo_type, prefix in TRANSACTION_TYPES.items()
            if getattr(self, f"{prefix}_count")
        ]
        return {
            "PaymentInstrumentType": "Card",
            "AcquirerID": self.acquirer_id,
            "CardBrand": self.brand,
            "PaymentTotals": payment_totals,
        }

    @classmethod
    def from_nexo(cls, obj: object) -> BrandTotal:
        """Read one ``TransactionTotals`` entry.

        Raises:
            ValueError: The entry is not shaped as the emulator writes it.
        """
        if not isinstance(obj, dict):
            raise ValueError("a TransactionTotals entry is not a JSON object")
        brand, acquirer = obj.get("CardBrand"), obj.get("AcquirerID")
        if not isinstance(brand, str) or not isinstance(acquirer, str):
            raise ValueError("a TransactionTotals entry lacks CardBrand or AcquirerID")
        figures: dict[str, int] = {}
        entries = obj.get("PaymentTotals") or []
        if not isinstance(entries, list):
            raise ValueError("TransactionTotals.PaymentTotals is not a list")
        for entry in entries:
            if not isinstance(entry, dict) or entry.get("TransactionType") not in TRANSACTION_TYPES:
                raise ValueError(f"PaymentTotals entry {entry!r} has no TransactionType of {sorted(TRANSACTION_TYPES)}")
            prefix = TRANSACTION_TYPES[entry["TransactionType"]]
            count = entry.get("TransactionCount")
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValueError(f"PaymentTotals entry {entry!r} has no TransactionCount")
            figures[f"{prefix}_count"] = count
            figures[f"{prefix}_amount"] = amount_to_ore(
                entry.get("TransactionAmount"), field="TransactionAmount", allow_zero=True
            )
        return cls(brand=brand, acquirer_id=acquirer, **figures)


@dataclass(frozen=True, slots=True)
class BrandSum:
    """Net figures of one brand over all its acquirers: what the till compares with its card totals."""

    brand: str
    count: int
    amount: int


@dataclass(frozen=True, slots=True)
class Totals:
    """The terminal's totals for one period.

    Attributes:
        poi_reconciliation_id: nexo ``POIReconciliationID`` of the period.
        groups: One :class:`BrandTotal` per brand and acquirer, sorted by brand.
    """

    poi_reconciliation_id: str
    groups: tuple[BrandTotal, ...] = ()

    def count(self, brand: str) -> int:
        """Standing approved transactions of ``brand`` (0 if none)."""
        return sum(group.count for group in self.groups if group.brand == brand)

    def amount(self, brand: str) -> int:
        """Net øre of ``brand`` (0 if none)."""
        return sum(group.amount for group in self.groups if group.brand == brand)

    @property
    def brands(self) -> tuple[str, ...]:
        """The brands with transactions in the period."""
        return tuple(dict.fromkeys(group.brand for group in self.groups))

    @property
    def total_amount(self) -> int:
        """Net øre over all brands."""
        return sum(group.amount for group in self.groups)

    @property
    def per_brand(self) -> tuple[BrandSum, ...]:
        """Net count and amount per brand (acquirers merged), the shape of the till's card totals."""
        return tuple(BrandSum(brand, self.count(brand), self.amount(brand)) for brand in self.brands)

    def to_nexo(self) -> list[dict[str, Any]]:
        """The nexo ``TransactionTotals`` list."""
        return [group.to_nexo() for group in self.groups]

    @classmethod
    def from_nexo(cls, poi_reconciliation_id: str, entries: object) -> Totals:
        """Read a nexo ``TransactionTotals`` list.

        Raises:
            ValueError: The list is malformed.
        """
        if entries is None:
            entries = []
        if not isinstance(entries, list):
            raise ValueError("TransactionTotals is not a list")
        return cls(poi_reconciliation_id, tuple(BrandTotal.from_nexo(entry) for entry in entries))

    @classmethod
    def build(cls, poi_reconciliation_id: str, groups: Iterable[BrandTotal]) -> Totals:
        """Totals with groups sorted by brand then acquirer."""
        return cls(poi_reconciliation_id, tuple(sorted(groups, key=lambda g: (g.brand, g.acquirer_id))))
