"""The payment terminal emulator: a nexo Retailer Sale-to-POI POI (devices.md §4.3).

:class:`TerminalEmulator` serves one request at a time per caller and many callers at once
(the HTTP server runs each request on its own thread): :meth:`TerminalEmulator.handle` takes
the bytes of a ``SaleToPOIRequest`` and returns the bytes of the ``SaleToPOIResponse`` (or
``None`` for an AbortRequest, which nexo answers only through the aborted request).

Services: Login, Logout, Payment (PaymentType Normal), Refund (PaymentType Refund), Reversal,
Abort, TransactionStatus (RepeatedMessageResponse of the last or referenced Payment/Reversal),
Reconciliation (SaleReconciliation / AcquirerReconciliation close the period;
PreviousReconciliation repeats a closed period's totals) and GetTotals (totals without closing;
filters in the request are ignored). Outcomes of Payments and Refunds are scripted
(:mod:`devices.terminal.outcomes`); a second payment while one is in progress answers Busy.

Every exchange is evidence (ARCHITECTURE.md, "Evidence"):

======================  ====================================================================
``terminal.request``    a request arrived: ``category``, ``service_id``, ``sale_id``,
                        ``requested_amount_ore``, ``payment_type``; ``raw`` = the JSON bytes
``terminal.response``   the answer: ``category``, ``service_id``, ``result``,
                        ``error_condition``, ``authorized_amount_ore``, ``brand`` ...; ``raw``
``terminal.abort``      an AbortRequest: ``service_id``, ``matched`` (a pending payment was found)
``terminal.receipt``    one copy of a card receipt: ``copy``, ``lines``, ``result``; ``raw`` = text
``terminal.printout``   stand-alone mode: the receipt printed by the terminal; ``raw`` = ESC/POS
======================  ====================================================================
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from devices.terminal.cards import card_for
from devices.terminal.codec import AmountError, amount_to_ore, dumps
from devices.terminal.ledger import Ledger, Transaction, TransactionKind
from devices.terminal.messages import (
    MessageError,
    MessageHeader,
    Request,
    build_response,
    failure_response,
    get_dict,
    get_str,
    parse_request,
    response_block,
)
from devices.terminal.outcomes import Outcome
from devices.terminal.payments import PaymentDesk, failure
from devices.terminal.receipt import Merchant
from devices.terminal.responses import login_body, request_summary, status_body, summary, totals_body
from devices.terminal.totals import Totals
from harness.evidence import EvidenceLog

__all__ = ["KEYED_SALE_ID", "TerminalEmulator"]

_OSLO = ZoneInfo("Europe/Oslo")
_REVERSAL_REASONS = frozenset({"CustCancel", "MerchantCancel", "Malfunction", "Unable2Compl"})
#: SaleID of transactions keyed in on a stand-alone terminal (no POS involved).
KEYED_SALE_ID = "STANDALONE"
_Key = tuple[str, str]  # (SaleID, ServiceID)


@dataclass(slots=True)
class _Session:
    operator_id: str
    service_ids: set[str] = field(default_factory=set)


class TerminalEmulator:
    """An emulated payment terminal.

    Args:
        log: Evidence log (a private one if omitted).
        name: Source name in the evidence log.
        merchant_name: Merchant name on receipts.
        orgnr: Organisation number on receipts.
        bax: BankAxept merchant number on receipts (also the nexo MerchantID).
        terminal_id: Terminal id on receipts and prefix of POI transaction ids.
        standalone: The terminal is not integrated with the till: it prints its own receipts,
            marked «IKKJE KVITTERING FOR KJØP» (kassasystemforskrifta § 2-8-8), into :attr:`printed`.
        default_card: Brand used when no scripted outcome names a card.
        clock: Returns the local time (Europe/Oslo by default); for deterministic receipts.

    Example:
        >>> from devices.terminal.outcomes import decline
        >>> terminal = TerminalEmulator()
        >>> terminal.script(decline())
        >>> terminal.scripted
        1
    """

    def __init__(
        self,
        log: EvidenceLog | None = None,
        *,
        name: str = "terminal",
        merchant_name: str = "Kassakontroll Testbutikk AS",
        orgnr: str = "999999999",
        bax: str = "1234567",
        terminal_id: str = "70000001",
        standalone: bool = False,
        default_card: str = "BankAxept",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        card_for(default_card)  # raises with the list of brands
        self.log = log if log is not None else EvidenceLog()
        self.name = name
        self.merchant = Merchant(name=merchant_name, orgnr=orgnr, bax=bax, terminal_id=terminal_id)
        self.standalone = standalone
        self._clock = clock or (lambda: datetime.now(_OSLO))
        self._lock = threading.RLock()
        self._sessions: dict[str, _Session] = {}
        self._ledger = Ledger(terminal_id)
        self._answers: dict[_Key, dict[str, Any] | None] = {}  # None while in progress
        self._last: dict[str, _Key] = {}
        self._keyed = 0
        self._desk = PaymentDesk(
            lock=self._lock,
            ledger=self._ledger,
            merchant=self.merchant,
            log=self.log,
            name=name,
            standalone=standalone,
            default_card=default_card,
            clock=self._clock,
            remember=self._remember,
        )

    # ------------------------------------------------------------------ scenario control

    def script(self, *outcomes: Outcome) -> None:
        """Queue outcomes for the next Payment/Refund requests, in order."""
        for outcome in outcomes:
            if not isinstance(outcome, Outcome):
                raise TypeError(f"{outcome!r} is not an outcome; build one with approve(), decline(), timeout() ...")
        with self._lock:
            self._desk.script.extend(outcomes)

    @property
    def scripted(self) -> int:
        """Outcomes still queued."""
        with self._lock:
            return len(self._desk.script)

    @property
    def printed(self) -> list[bytes]:
        """Stand-alone mode: the ESC/POS documents the terminal printed itself (customer copies)."""
        return self._desk.printed

    @property
    def transactions(self) -> tuple[Transaction, ...]:
        """Every Payment and Refund so far (treat as read-only)."""
        with self._lock:
            return tuple(self._ledger.transactions)

    def totals(self) -> Totals:
        """Totals of the current period, as GetTotals reports them."""
        with self._lock:
            return self._ledger.totals()

    def close(self) -> None:
        """Release every held answer now (scripted delays end) and skip later delays; for shutdown."""
        self._desk.close()

    # ------------------------------------------------------------------ entry points

    def handle(self, raw: bytes) -> bytes | None:
        """Serve one ``SaleToPOIRequest``; returns the response bytes (``None`` for an AbortRequest).

        Never raises for bad input: malformed requests get a Failure response.
        """
        try:
            request = parse_request(raw)
        except MessageError as err:
            self.log.append(self.name, "terminal.request", raw=raw, **request_summary(None, err))
            return self._send(failure_response(err))
        self.log.append(self.name, "terminal.request", raw=raw, **request_summary(request, None))
        envelope = self._serve(request)
        return None if envelope is None else self._send(envelope)

    def keyed_payment(self, amount_ore: int, *, refund: bool = False) -> Transaction | None:
        """The cashier keys an amount into the terminal itself (stand-alone use, no POS).

        Consumes the next scripted outcome like a Payment request; returns the transaction
        (``None`` when the terminal answered Busy).
        """
        if isinstance(amount_ore, bool) or not isinstance(amount_ore, int) or amount_ore <= 0:
            raise ValueError(f"amount_ore must be a positive whole number of øre, got {amount_ore!r}")
        with self._lock:
            self._keyed += 1
            service_id = f"KEY{self._keyed}"
        header = MessageHeader("Payment", service_id, KEYED_SALE_ID, self.merchant.terminal_id)
        kind: TransactionKind = "Refund" if refund else "Payment"
        self.log.append(self.name, "terminal.keyed", amount_ore=amount_ore, payment_type=kind, service_id=service_id)
        now = self._clock().isoformat(timespec="seconds")
        envelope, tx = self._desk.run(header, kind, service_id, now, amount_ore)
        self._send(envelope)
        return tx

    # ------------------------------------------------------------------ dispatch

    def _serve(self, request: Request) -> dict[str, Any] | None:
        header = request.header
        try:
            if request.category == "Login":
                return self._login(request)
            with self._lock:
                session = self._sessions.get(header.sale_id)
                if session is None:
                    raise MessageError(
                        f"SaleID {header.sale_id!r} is not logged in; send a LoginRequest before {request.category}",
                        error_condition="LoggedOut",
                        header=header,
                    )
                if header.service_id in session.service_ids:
                    raise MessageError(
                        f"ServiceID {header.service_id!r} was already used in this login session; "
                        "use a new ServiceID for every request",
                        header=header,
                    )
                session.service_ids.add(header.service_id)
        except MessageError as err:
            return failure_response(err)
        handlers: dict[str, Callable[[Request], dict[str, Any] | None]] = {
            "Logout": self._logout,
            "Payment": self._payment,
            "Reversal": self._reversal,
            "Abort": self._abort,
            "TransactionStatus": self._status,
            "Reconciliation": self._reconciliation,
            "GetTotals": self._get_totals,
        }
        try:
            envelope = handlers[request.category](request)
        except MessageError as err:
            err.header = err.header or header
            envelope = failure_response(err)
        if envelope is not None and request.category in ("Payment", "Reversal"):
            self._remember(header, envelope)
        return envelope

    def _remember(self, header: MessageHeader, envelope: dict[str, Any] | None) -> None:
        key = (header.sale_id, header.service_id)
        with self._lock:
            self._answers[key] = envelope
            self._last[header.sale_id] = key

    # ------------------------------------------------------------------ services

    def _login(self, request: Request) -> dict[str, Any]:
        operator = request.body.get("OperatorID", "")
        with self._lock:
            self._sessions[request.header.sale_id] = _Session(
                operator if isinstance(operator, str) else "", {request.header.service_id}
            )
        return build_response(request.header, login_body(self._clock()))

    def _logout(self, request: Request) -> dict[str, Any]:
        with self._lock:
            self._sessions.pop(request.header.sale_id, None)
        return build_response(request.header, {"Response": response_block("Success")})

    def _payment(self, request: Request) -> dict[str, Any]:
        body, path = request.body, "PaymentRequest"
        sale_tx = get_dict(get_dict(body, "SaleData", path), "SaleTransactionID", f"{path}.SaleData")
        sale_tx_id = get_str(sale_tx, "TransactionID", f"{path}.SaleData.SaleTransactionID", max_len=64)
        sale_ts = get_str(sale_tx, "TimeStamp", f"{path}.SaleData.SaleTransactionID", required=False)
        amounts = get_dict(get_dict(body, "PaymentTransaction", path), "AmountsReq", f"{path}.PaymentTransaction")
        currency = get_str(amounts, "Currency", f"{path}.PaymentTransaction.AmountsReq")
        if currency != "NOK":
            raise MessageError(
                f"Currency {currency!r} is not accepted; this terminal takes NOK", error_condition="NotAllowed"
            )
        try:
            requested = amount_to_ore(amounts.get("RequestedAmount"), field="AmountsReq.RequestedAmount")
        except AmountError as exc:
            raise MessageError(str(exc)) from None
        payment_type = get_dict(body, "PaymentData", path, required=False).get("PaymentType", "Normal")
        if payment_type not in ("Normal", "Refund"):
            raise MessageError(
                f"PaymentType {payment_type!r} is not emulated; use 'Normal' (payment) or 'Refund'",
                error_condition="UnavailableService",
            )
        kind: TransactionKind = "Payment" if payment_type == "Normal" else "Refund"
        envelope, _ = self._desk.run(request.header, kind, sale_tx_id, sale_ts, requested)
        return envelope

    def _reversal(self, request: Request) -> dict[str, Any]:
        body, path = request.body, "ReversalRequest"
        original = get_dict(
            get_dict(body, "OriginalPOITransaction", path), "POITransactionID", f"{path}.OriginalPOITransaction"
        )
        poi_tx_id = get_str(original, "TransactionID", f"{path}.OriginalPOITransaction.POITransactionID")
        reason = get_str(body, "ReversalReason", path)
        if reason not in _REVERSAL_REASONS:
            raise MessageError(f"ReversalReason {reason!r} is unknown; use one of {sorted(_REVERSAL_REASONS)}")
        return self._desk.reverse(request.header, poi_tx_id)

    def _abort(self, request: Request) -> None:
        path = "AbortRequest.MessageReference"
        reference = get_dict(request.body, "MessageReference", "AbortRequest")
        service_id = get_str(reference, "ServiceID", path, max_len=10)
        sale_id = get_str(reference, "SaleID", path, required=False) or request.header.sale_id
        matched = self._desk.abort(sale_id, service_id)
        reason = request.body.get("AbortReason", "")
        self.log.append(
            self.name, "terminal.abort", service_id=service_id, sale_id=sale_id, matched=matched, reason=str(reason)
        )

    def _status(self, request: Request) -> dict[str, Any]:
        header = request.header
        reference = get_dict(request.body, "MessageReference", "TransactionStatusRequest", required=False)
        with self._lock:
            if reference:
                path = "TransactionStatusRequest.MessageReference"
                service_id = get_str(reference, "ServiceID", path, max_len=10)
                key: _Key | None = (get_str(reference, "SaleID", path, required=False) or header.sale_id, service_id)
            else:
                key = self._last.get(header.sale_id)
            if key is None or key not in self._answers:
                return failure(header, "NotFound", "no Payment or Reversal with that reference; check the ServiceID")
            stored = self._answers[key]
        if stored is None:
            return failure(header, "InProgress", "the transaction is still in progress; ask again shortly")
        category = stored["SaleToPOIResponse"]["MessageHeader"]["MessageCategory"]
        echo = {"MessageCategory": category, "ServiceID": key[1], "SaleID": key[0], "POIID": header.poi_id}
        return build_response(header, status_body(echo, stored))

    def _reconciliation(self, request: Request) -> dict[str, Any]:
        header = request.header
        kind = get_str(request.body, "ReconciliationType", "ReconciliationRequest")
        with self._lock:
            if kind in ("SaleReconciliation", "AcquirerReconciliation"):
                current = self._ledger.in_progress()
                if current is not None:
                    return failure(header, "Busy", f"transaction {current.poi_transaction_id} is in progress")
                totals = self._ledger.close_period()
            elif kind == "PreviousReconciliation":
                wanted = get_str(request.body, "POIReconciliationID", "ReconciliationRequest")
                if wanted == self._ledger.period:
                    return failure(header, "NotFound", f"period {wanted} is still open; use GetTotals for it")
                try:
                    totals = self._ledger.totals(wanted)
                except KeyError:
                    return failure(header, "NotFound", f"no reconciled period {wanted!r}")
            else:
                raise MessageError(
                    f"ReconciliationType {kind!r} is unknown; use SaleReconciliation, AcquirerReconciliation "
                    "or PreviousReconciliation"
                )
        return build_response(header, totals_body(totals, reconciliation_type=kind))

    def _get_totals(self, request: Request) -> dict[str, Any]:
        with self._lock:
            totals = self._ledger.totals()
        return build_response(request.header, totals_body(totals))

    # ------------------------------------------------------------------ evidence

    def _send(self, envelope: dict[str, Any]) -> bytes:
        raw = dumps(envelope)
        self.log.append(self.name, "terminal.response", raw=raw, **summary(envelope))
        return raw
