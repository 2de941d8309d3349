"""The money side of the emulated terminal: payments, refunds, reversals, their receipts.

:class:`PaymentDesk` runs one card transaction at a time (a real terminal has one card reader):
it takes the next scripted outcome (:mod:`devices.terminal.outcomes`), waits the scripted delay
while the transaction is in progress (an AbortRequest ends the wait with ``Aborted``), decides,
records the transaction in the :class:`~devices.terminal.ledger.Ledger`, issues the card receipt
in two copies (devices.md §4.5) and, on a stand-alone terminal, prints the customer copy itself
with the § 2-8-8 marking (kassasystemforskrifta). The emulator validates requests and handles
sessions; this module decides.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from devices.terminal.cards import card_for
from devices.terminal.ledger import Ledger, Transaction, TransactionKind
from devices.terminal.messages import MessageHeader, build_response, response_block
from devices.terminal.outcomes import Outcome
from devices.terminal.printout import render_escpos
from devices.terminal.receipt import CardReceipt, Merchant, ReceiptFacts, build_receipt, format_nok
from devices.terminal.responses import payment_body, reversal_body
from harness.evidence import EvidenceLog

__all__ = ["PaymentDesk"]

_Key = tuple[str, str]  # (SaleID, ServiceID)
_ABORT_TEXTS = {
    "abort": "the customer cancelled on the terminal",
    "timeout": "the acquirer did not answer in time; the transaction is NOT approved",
}


@dataclass(slots=True)
class _Pending:
    event: threading.Event = field(default_factory=threading.Event)
    aborted: bool = False


def failure(header: MessageHeader, condition: str, message: str) -> dict[str, Any]:
    """A Failure ``SaleToPOIResponse`` answering ``header``."""
    return build_response(header, {"Response": response_block("Failure", condition, message)})


class PaymentDesk:
    """Card transactions of one terminal.

    Args:
        lock: The emulator's lock (re-entrant), held around every change of state.
        ledger: Where transactions are recorded.
        merchant: Receipt header.
        log: Evidence log; ``name`` is the source name.
        name: Source name in the evidence log.
        standalone: Print receipts with the § 2-8-8 marking into :attr:`printed`.
        default_card: Brand used when an outcome names no card.
        clock: Local time.
        remember: Called with (header, envelope or None while in progress) for TransactionStatus.
    """

    def __init__(
        self,
        *,
        lock: threading.RLock,
        ledger: Ledger,
        merchant: Merchant,
        log: EvidenceLog,
        name: str,
        standalone: bool,
        default_card: str,
        clock: Callable[[], datetime],
        remember: Callable[[MessageHeader, dict[str, Any] | None], None],
    ) -> None:
        self._lock = lock
        self.ledger = ledger
        self.merchant = merchant
        self.log = log
        self.name = name
        self.standalone = standalone
        self.default_card = default_card
        self._clock = clock
        self._remember = remember
        self.script: deque[Outcome] = deque()
        self.printed: list[bytes] = []
        self._pending: dict[_Key, _Pending] = {}
        self._closing = threading.Event()

    def close(self) -> None:
        """End every scripted wait now and skip later ones."""
        self._closing.set()
        with self._lock:
            for pending in self._pending.values():
                pending.event.set()

    def abort(self, sale_id: str, service_id: str) -> bool:
        """Abort the payment in progress sent with this ServiceID; whether one was found."""
        with self._lock:
            pending = self._pending.get((sale_id, service_id))
            if pending is None:
                return False
            pending.aborted = True
            pending.event.set()
            return True

    def run(
        self, header: MessageHeader, kind: TransactionKind, sale_tx_id: str, sale_ts: str, requested: int
    ) -> tuple[dict[str, Any], Transaction | None]:
        """Run one Payment or Refund; returns the response envelope and the transaction (None if busy)."""
        key = (header.sale_id, header.service_id)
        with self._lock:
            current = self.ledger.in_progress()
            if current is not None:
                message = f"transaction {current.poi_transaction_id} is in progress; wait or send an AbortRequest"
                return failure(header, "Busy", message), None
            outcome = self.script.popleft() if self.script else Outcome("approve")
            if outcome.kind == "busy":
                return failure(header, "Busy", "the terminal is busy (scripted); try again later"), None
            tx = self.ledger.open_transaction(
                kind=kind,
                sale_id=header.sale_id,
                service_id=header.service_id,
                sale_transaction_id=sale_tx_id,
                requested_ore=requested,
                timestamp=self._clock(),
            )
            pending = _Pending()
            if outcome.kind == "timeout":
                # Decided at once; only the HTTP answer is late (see devices.terminal.outcomes).
                envelope = self._decide(tx, header, outcome, sale_ts, aborted=False)
                self._remember(header, envelope)
            else:
                self._remember(header, None)
                self._pending[key] = pending
        if outcome.kind == "timeout":
            self._closing.wait(outcome.delay)
            return envelope, tx
        if outcome.delay and not self._closing.is_set():
            pending.event.wait(outcome.delay)
        with self._lock:
            self._pending.pop(key, None)
            envelope = self._decide(tx, header, outcome, sale_ts, aborted=pending.aborted)
            self._remember(header, envelope)
        return envelope, tx

    def _decide(
        self, tx: Transaction, header: MessageHeader, outcome: Outcome, sale_ts: str, *, aborted: bool
    ) -> dict[str, Any]:
        kind = "abort" if aborted else outcome.kind
        requested = tx.requested_ore
        additional = ""
        if kind in ("approve", "partial", "decline"):
            tx.card = card_for(outcome.card or self.default_card)
        if kind in ("approve", "partial"):
            tx.authorized_ore = min(outcome.amount_ore, requested) if kind == "partial" else requested
            tx.result = "Partial" if tx.authorized_ore < requested else "Success"
            tx.approval_code = f"{(tx.number * 7919 + 104729) % 1_000_000:06d}"
            if tx.result == "Partial":
                additional = (
                    f"only {format_nok(tx.authorized_ore)} of {format_nok(requested)} approved; "
                    "collect the rest with another means of payment"
                )
        elif kind == "decline":
            tx.result, tx.error_condition = "Failure", outcome.reason
            additional = f"declined by the card issuer ({outcome.reason}); ask for another card"
        else:  # abort (scripted or by an AbortRequest) or timeout
            tx.result, tx.error_condition = "Failure", "Aborted" if kind == "abort" else outcome.reason
            additional = "aborted by an AbortRequest" if aborted else _ABORT_TEXTS[kind]
        receipts: tuple[CardReceipt, ...] = ()
        if tx.card is not None:
            facts = ReceiptFacts(
                kind=tx.kind,
                card=tx.card,
                amount_ore=tx.authorized_ore if tx.approved else requested,
                approved=tx.approved,
                timestamp=tx.timestamp,
                stan=tx.number,
                reference=tx.poi_transaction_id,
                approval_code=tx.approval_code,
                decline_reason=tx.error_condition,
            )
            receipts = self.issue_receipts(facts)
        body = payment_body(tx, self.merchant, sale_timestamp=sale_ts, additional=additional, receipts=receipts)
        tx.response = build_response(header, body)
        return tx.response

    def reverse(self, header: MessageHeader, poi_tx_id: str) -> dict[str, Any]:
        """Reverse an approved transaction of the current period; returns the response envelope."""
        with self._lock:
            tx = self.ledger.find(poi_tx_id)
            if tx is None or tx.card is None:
                message = f"no approved transaction {poi_tx_id!r}; send the POITransactionID of the payment"
                return failure(header, "NotFound", message)
            refusal = (
                "it is still in progress"
                if tx.in_progress
                else "it was not approved"
                if not tx.approved
                else f"it was already reversed by {tx.reversal_id}"
                if tx.reversed
                else "its period was reconciled; refund it instead"
                if tx.period != self.ledger.period
                else ""
            )
            if refusal:
                return failure(header, "NotAllowed", f"transaction {poi_tx_id} cannot be reversed: {refusal}")
            number = self.ledger.next_number()
            reversal_id = self.ledger.poi_transaction_id(number)
            tx.reversed, tx.reversal_id = True, reversal_id
            now = self._clock()
            facts = ReceiptFacts(
                kind="Reversal",
                card=tx.card,
                amount_ore=tx.authorized_ore,
                approved=True,
                timestamp=now,
                stan=number,
                reference=reversal_id,
                approval_code=tx.approval_code,
            )
            receipts = self.issue_receipts(facts)
            return build_response(header, reversal_body(tx, reversal_id, self.ledger.period, now, receipts))

    def issue_receipts(self, facts: ReceiptFacts) -> tuple[CardReceipt, ...]:
        """Both copies of a receipt as evidence; on a stand-alone terminal also printed (customer copy)."""
        receipts = tuple(
            build_receipt(facts, self.merchant, copy, standalone=self.standalone)
            for copy in ("CashierReceipt", "CustomerReceipt")
        )
        result = "GODKJENT" if facts.approved else "AVVIST"
        for receipt in receipts:
            self.log.append(
                self.name,
                "terminal.receipt",
                raw=receipt.text.encode("utf-8"),
                copy=receipt.copy,
                kind=facts.kind,
                reference=facts.reference,
                result=result,
                amount_ore=facts.amount_ore,
                lines=list(receipt.text_lines),
                standalone=self.standalone,
            )
        if self.standalone:
            customer = receipts[1]
            document = render_escpos(customer)
            self.printed.append(document)
            self.log.append(
                self.name,
                "terminal.printout",
                raw=document,
                reference=facts.reference,
                copy=customer.copy,
                result=result,
                marking=customer.lines[0].text,
                amount_text=customer.amount_text,
            )
        return receipts
