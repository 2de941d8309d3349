"""The terminal's own record of transactions and reconciliation periods.

Every Payment and Refund becomes a :class:`Transaction`, whatever its outcome, so a
TransactionStatus request can repeat its answer (devices.md §4.3, Recovery). Approved ones
count in the totals of the current period until a SaleReconciliation closes it; the next
period starts from zero. A reversal marks the original transaction reversed in the period it
happened in; the totals then show it as ReverseDebit / ReverseCredit.

Not thread-safe by itself: the emulator holds its lock around every call.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

from devices.terminal.cards import TestCard
from devices.terminal.totals import BrandTotal, Totals

__all__ = ["Ledger", "Transaction", "TransactionKind"]

TransactionKind = Literal["Payment", "Refund"]


@dataclass(slots=True)
class Transaction:
    """One Payment or Refund as the terminal remembers it.

    Attributes:
        number: Running number (also the STAN printed on the receipt).
        poi_transaction_id: nexo ``POITransactionID.TransactionID``.
        kind: ``Payment`` or ``Refund``.
        sale_id: The POS that asked for it.
        service_id: The request's ServiceID.
        sale_transaction_id: The POS's ``SaleTransactionID.TransactionID``.
        requested_ore: Amount asked for.
        timestamp: When the terminal received it.
        period: ``POIReconciliationID`` of the period it belongs to.
        card: The card presented (None when no card was read: busy, timeout, abort).
        authorized_ore: Amount authorised (0 unless approved).
        result: nexo Result once decided (``""`` while in progress).
        error_condition: nexo ErrorCondition of a failure.
        approval_code: Authorisation code of an approval.
        reversed: Whether a reversal cancelled it.
        reversal_id: POITransactionID of that reversal.
        response: The full SaleToPOIResponse sent (or to be sent), for TransactionStatus.
    """

    number: int
    poi_transaction_id: str
    kind: TransactionKind
    sale_id: str
    service_id: str
    sale_transaction_id: str
    requested_ore: int
    timestamp: datetime
    period: str
    card: TestCard | None = None
    authorized_ore: int = 0
    result: str = ""
    error_condition: str = ""
    approval_code: str = ""
    reversed: bool = False
    reversal_id: str = ""
    response: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def in_progress(self) -> bool:
        """The outcome is not decided yet (the customer is still at the terminal)."""
        return not self.result

    @property
    def approved(self) -> bool:
        """Fully or partly approved."""
        return self.result in ("Success", "Partial")


class Ledger:
    """Transactions and reconciliation periods.

    Args:
        terminal_id: Prefix of POI transaction ids.
    """

    def __init__(self, terminal_id: str) -> None:
        self._terminal_id = terminal_id
        self._numbers = 0
        self._period_number = 1
        self.transactions: list[Transaction] = []
        self._closed: dict[str, Totals] = {}

    @property
    def period(self) -> str:
        """The current ``POIReconciliationID``."""
        return f"{self._period_number:04d}"

    def next_number(self) -> int:
        """A new running number (transactions and reversals share the sequence)."""
        self._numbers += 1
        return self._numbers

    def poi_transaction_id(self, number: int) -> str:
        """The nexo POITransactionID for a running number."""
        return f"{self._terminal_id}.{number:06d}"

    def open_transaction(
        self,
        *,
        kind: TransactionKind,
        sale_id: str,
        service_id: str,
        sale_transaction_id: str,
        requested_ore: int,
        timestamp: datetime,
    ) -> Transaction:
        """Record a new transaction, in progress."""
        number = self.next_number()
        tx = Transaction(
            number=number,
            poi_transaction_id=self.poi_transaction_id(number),
            kind=kind,
            sale_id=sale_id,
            service_id=service_id,
            sale_transaction_id=sale_transaction_id,
            requested_ore=requested_ore,
            timestamp=timestamp,
            period=self.period,
        )
        self.transactions.append(tx)
        return tx

    def find(self, poi_transaction_id: str) -> Transaction | None:
        """The transaction with this POITransactionID, if any."""
        return next((tx for tx in self.transactions if tx.poi_transaction_id == poi_transaction_id), None)

    def in_progress(self) -> Transaction | None:
        """The transaction the customer is busy with, if any."""
        return next((tx for tx in self.transactions if tx.in_progress), None)

    def totals(self, period: str | None = None) -> Totals:
        """Totals of a period (the current one by default); a closed period's totals as they were closed.

        Raises:
            KeyError: No such period.
        """
        period = period or self.period
        if period in self._closed:
            return self._closed[period]
        if period != self.period:
            raise KeyError(period)
        groups: dict[tuple[str, str], dict[str, int]] = {}
        for tx in self.transactions:
            if tx.period != period or not tx.approved or tx.card is None:
                continue
            figures = groups.setdefault((tx.card.brand, tx.card.acquirer_id), {})
            prefix = "debit" if tx.kind == "Payment" else "credit"
            self._add(figures, prefix, tx.authorized_ore)
            if tx.reversed:
                self._add(figures, f"reverse_{prefix}", tx.authorized_ore)
        return Totals.build(
            period, (BrandTotal(brand, acquirer, **figures) for (brand, acquirer), figures in groups.items())
        )

    @staticmethod
    def _add(figures: dict[str, int], prefix: str, amount: int) -> None:
        figures[f"{prefix}_count"] = figures.get(f"{prefix}_count", 0) + 1
        figures[f"{prefix}_amount"] = figures.get(f"{prefix}_amount", 0) + amount

    def close_period(self) -> Totals:
        """Close the current period; return its totals. The next period starts from zero."""
        totals = self.totals()
        self._closed[totals.poi_reconciliation_id] = totals
        self._period_number += 1
        return replace(totals)
