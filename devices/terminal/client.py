"""The POS side of nexo over HTTP: what a till calls to take card payments.

:class:`NexoClient` sends one ``SaleToPOIRequest`` per HTTP POST to a terminal (the emulator
or a real nexo terminal in test mode, devices.md §4.3) and turns answers into plain values:
:class:`PaymentOutcome` for Payment, Refund, Reversal and TransactionStatus, :class:`Totals` for
Reconciliation and GetTotals. Amounts are integer øre on this side and decimal kroner on the wire.

A timeout never raises: a Payment, Refund or Reversal whose answer does not arrive within
``timeout`` returns ``PaymentOutcome(timed_out=True, approved=False)``. The till must then not
conclude the sale as paid; it may ask :meth:`NexoClient.transaction_status` with the outcome's
``service_id`` what became of it. A terminal that is not listening raises
:class:`TerminalUnavailable`; a terminal that refuses a Login, Logout or Reconciliation raises
:class:`TerminalError`.

Service IDs are ``1``, ``2``, ... per client object (nexo requires them unique within a login
session), so use one client per SaleID and log in once per session.
"""

from __future__ import annotations

import http.client
import itertools
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from devices.terminal.codec import AmountError, amount_to_ore, dumps, ore_to_amount
from devices.terminal.messages import MessageError, MessageHeader, build_request, parse_response
from devices.terminal.totals import Totals

__all__ = ["NexoClient", "PaymentOutcome", "TerminalError", "TerminalUnavailable"]

_START_HINT = "start the emulator with `kassakontroll devices serve --terminal http://127.0.0.1:8443`"
_MAX_ANSWER = 4_000_000  # bytes read of an answer at most


class TerminalError(Exception):
    """The terminal refused a request or answered something that is not nexo.

    Attributes:
        error_condition: The nexo ErrorCondition, when the terminal sent one.
    """

    def __init__(self, message: str, *, error_condition: str = "") -> None:
        super().__init__(message)
        self.error_condition = error_condition


class TerminalUnavailable(TerminalError):
    """Nothing answers at the terminal's URL (connection refused or dropped)."""


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    """What the terminal answered to a Payment, Refund, Reversal or TransactionStatus.

    Attributes:
        approved: The amount in ``authorized_amount`` was approved (Result Success or Partial).
        result: nexo Result: ``Success``, ``Failure`` or ``Partial`` (``""`` when timed out).
        error_condition: nexo ErrorCondition of a failure (``Refusal``, ``Aborted``, ``Busy`` ...).
        authorized_amount: Approved (or reversed) amount in øre.
        brand: Card brand: ``BankAxept``, ``Visa``, ``Mastercard`` (``""`` when no card was read).
        masked_pan: Card number as the terminal shows it.
        poi_transaction_id: The terminal's transaction id (needed for a reversal).
        approval_code: Authorisation code.
        receipt_lines: The customer's card receipt (KORTHOLDERS KOPI), for the till to print.
        timed_out: No answer within the client's timeout; the payment must not be concluded.
        service_id: ServiceID of the request (for :meth:`NexoClient.transaction_status` and abort).
        message: The terminal's explanation (``AdditionalResponse``).
        merchant_receipt_lines: The merchant copy (BRUKERSTEDETS KOPI).
    """

    approved: bool
    result: str
    error_condition: str = ""
    authorized_amount: int = 0
    brand: str = ""
    masked_pan: str = ""
    poi_transaction_id: str = ""
    approval_code: str = ""
    receipt_lines: tuple[str, ...] = ()
    timed_out: bool = False
    service_id: str = ""
    message: str = ""
    merchant_receipt_lines: tuple[str, ...] = ()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _get(obj: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _receipt(body: dict[str, Any], qualifier: str) -> tuple[str, ...]:
    for receipt in body.get("PaymentReceipt") or []:
        if _get(receipt, "DocumentQualifier") == qualifier:
            lines = _get(receipt, "OutputContent", "OutputText") or []
            return tuple(_text(_get(line, "Text")) for line in lines)
    return ()


def _outcome(body: dict[str, Any], service_id: str) -> PaymentOutcome:
    """A PaymentResponse or ReversalResponse body as a :class:`PaymentOutcome`."""
    result = _text(_get(body, "Response", "Result"))
    amount = _get(body, "PaymentResult", "AmountsResp", "AuthorizedAmount")
    if amount is None:
        amount = body.get("ReversedAmount")
    try:
        authorized = amount_to_ore(amount, allow_zero=True) if amount is not None else 0
    except AmountError as exc:
        raise TerminalError(f"the terminal sent an unreadable amount: {exc}") from None
    card = _get(body, "PaymentResult", "PaymentInstrumentData", "CardData") or {}
    return PaymentOutcome(
        approved=result in ("Success", "Partial"),
        result=result,
        error_condition=_text(_get(body, "Response", "ErrorCondition")),
        authorized_amount=authorized,
        brand=_text(_get(card, "PaymentBrand")),
        masked_pan=_text(_get(card, "MaskedPAN")),
        poi_transaction_id=_text(_get(body, "POIData", "POITransactionID", "TransactionID")),
        approval_code=_text(_get(body, "PaymentResult", "PaymentAcquirerData", "ApprovalCode")),
        receipt_lines=_receipt(body, "CustomerReceipt"),
        service_id=service_id,
        message=_text(_get(body, "Response", "AdditionalResponse")),
        merchant_receipt_lines=_receipt(body, "CashierReceipt"),
    )


class NexoClient:
    """A POS's connection to a nexo terminal over HTTP.

    Args:
        url: The terminal's endpoint, e.g. ``http://127.0.0.1:8443/nexo``.
        sale_id: The POS's SaleID.
        poi_id: The terminal's POIID.
        timeout: Seconds to wait for each answer (customers take time: keep it generous in production).

    Raises:
        ValueError: The URL is not ``http://host:port/path``.
    """

    def __init__(self, url: str, *, sale_id: str = "K1", poi_id: str = "POI-1", timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"{url!r} is not an http:// terminal URL; use e.g. http://127.0.0.1:8443/nexo")
        if timeout <= 0:
            raise ValueError("timeout must be a positive number of seconds")
        self.url = url
        self.sale_id = sale_id
        self.poi_id = poi_id
        self.timeout = timeout
        self._host = parts.hostname
        self._port = parts.port or 80
        self._path = parts.path or "/"
        self._ids = itertools.count(1)
        self._ids_lock = threading.Lock()

    # ------------------------------------------------------------------ transport

    def _next_service_id(self) -> str:
        with self._ids_lock:
            return str(next(self._ids))

    def _post(self, category: str, body: dict[str, Any]) -> tuple[str, bytes | None]:
        """Send one request; returns its ServiceID and the answer bytes (``None`` on timeout)."""
        service_id = self._next_service_id()
        header = MessageHeader(category, service_id, self.sale_id, self.poi_id)
        payload = dumps(build_request(header, body))
        connection = http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)
        try:
            connection.request("POST", self._path, body=payload, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            answer = response.read(_MAX_ANSWER)
            status = response.status
        except TimeoutError:
            return service_id, None
        except ConnectionRefusedError:
            raise TerminalUnavailable(
                f"no payment terminal answers at {self.url} (connection refused); {_START_HINT}"
            ) from None
        except (OSError, http.client.HTTPException) as exc:
            raise TerminalUnavailable(
                f"the connection to the payment terminal at {self.url} failed ({exc}); {_START_HINT}"
            ) from None
        finally:
            connection.close()
        if status != 200:
            raise TerminalError(
                f"the terminal at {self.url} answered HTTP {status}: {answer[:300]!r}; check the URL path"
            )
        return service_id, answer

    def _exchange(self, category: str, body: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
        service_id, answer = self._post(category, body)
        if answer is None:
            return service_id, None
        try:
            header, response = parse_response(answer)
        except MessageError as exc:
            raise TerminalError(f"the terminal at {self.url} sent a malformed answer: {exc.message}") from None
        if header.service_id != service_id or header.category != category:
            raise TerminalError(
                f"the terminal answered {header.category} ServiceID {header.service_id!r} to {category} "
                f"ServiceID {service_id!r}; is another POS using SaleID {self.sale_id!r}?"
            )
        return service_id, response

    def _require_success(self, category: str, body: dict[str, Any] | None) -> dict[str, Any]:
        if body is None:
            raise TerminalError(f"{category}: the terminal at {self.url} did not answer within {self.timeout} s")
        if _get(body, "Response", "Result") != "Success":
            condition = _text(_get(body, "Response", "ErrorCondition"))
            detail = _text(_get(body, "Response", "AdditionalResponse"))
            raise TerminalError(f"{category} refused by the terminal: {condition}: {detail}", error_condition=condition)
        return body

    # ------------------------------------------------------------------ session

    def login(self, operator_id: str = "") -> None:
        """Open a login session (nexo Login); required before any other request."""
        body: dict[str, Any] = {
            "SaleSoftware": {
                "ProviderIdentification": "kassakontroll",
                "ApplicationName": "reference-till",
                "SoftwareVersion": "0.1.0",
            },
            "SaleTerminalData": {
                "TerminalEnvironment": "Attended",
                "SaleCapabilities": ["CashierDisplay", "CashierInput", "CashierStatus", "PrinterReceipt"],
            },
            "OperatorLanguage": "no",
        }
        if operator_id:
            body["OperatorID"] = operator_id
        self._require_success("Login", self._exchange("Login", body)[1])

    def logout(self) -> None:
        """Close the login session."""
        self._require_success("Logout", self._exchange("Logout", {"MaintenanceAllowed": False})[1])

    # ------------------------------------------------------------------ payments

    def _pay(self, payment_type: str, amount_ore: int, transaction_id: str) -> PaymentOutcome:
        if isinstance(amount_ore, bool) or not isinstance(amount_ore, int) or amount_ore <= 0:
            raise ValueError(f"amount_ore must be a positive whole number of øre, got {amount_ore!r}")
        if not transaction_id:
            raise ValueError("transaction_id (the sale's reference) must not be empty")
        body = {
            "SaleData": {"SaleTransactionID": {"TransactionID": transaction_id, "TimeStamp": _now()}},
            "PaymentTransaction": {"AmountsReq": {"Currency": "NOK", "RequestedAmount": ore_to_amount(amount_ore)}},
            "PaymentData": {"PaymentType": payment_type},
        }
        service_id, response = self._exchange("Payment", body)
        if response is None:
            return PaymentOutcome(approved=False, result="", timed_out=True, service_id=service_id)
        return _outcome(response, service_id)

    def payment(self, amount_ore: int, transaction_id: str) -> PaymentOutcome:
        """Ask the customer to pay ``amount_ore`` øre for the sale ``transaction_id``."""
        return self._pay("Normal", amount_ore, transaction_id)

    def refund(self, amount_ore: int, transaction_id: str) -> PaymentOutcome:
        """Refund ``amount_ore`` øre to the customer's card (unreferenced refund)."""
        return self._pay("Refund", amount_ore, transaction_id)

    def reversal(self, poi_transaction_id: str, *, reason: str = "MerchantCancel") -> PaymentOutcome:
        """Reverse (void) an approved payment or refund of the current period."""
        body = {
            "OriginalPOITransaction": {"POITransactionID": {"TransactionID": poi_transaction_id, "TimeStamp": _now()}},
            "ReversalReason": reason,
        }
        service_id, response = self._exchange("Reversal", body)
        if response is None:
            return PaymentOutcome(approved=False, result="", timed_out=True, service_id=service_id)
        return _outcome(response, service_id)

    def abort(self, service_id: str, *, reason: str = "MerchantAbort") -> None:
        """Abort the payment sent with ``service_id``; that payment then answers Failure / Aborted."""
        body = {
            "MessageReference": {"MessageCategory": "Payment", "ServiceID": service_id, "SaleID": self.sale_id},
            "AbortReason": reason,
        }
        _, answer = self._post("Abort", body)
        if answer:  # nexo sends no answer to an abort; a body means the terminal refused the request
            try:
                _, response = parse_response(answer)
            except MessageError as exc:
                raise TerminalError(f"the terminal sent a malformed answer to Abort: {exc.message}") from None
            self._require_success("Abort", response)

    def transaction_status(self, service_id: str | None = None) -> PaymentOutcome:
        """What became of the last Payment/Reversal, or of the one sent with ``service_id``.

        A status the terminal cannot give (``InProgress``, ``NotFound``) comes back as a
        not-approved outcome with that error condition.
        """
        body: dict[str, Any] = {}
        if service_id is not None:
            body["MessageReference"] = {"MessageCategory": "Payment", "ServiceID": service_id, "SaleID": self.sale_id}
        own_id, response = self._exchange("TransactionStatus", body)
        if response is None:
            return PaymentOutcome(approved=False, result="", timed_out=True, service_id=own_id)
        if _get(response, "Response", "Result") != "Success":
            return _outcome(response, service_id or "")
        repeated = _get(response, "RepeatedMessageResponse", "RepeatedResponseMessageBody") or {}
        original = _text(_get(response, "RepeatedMessageResponse", "MessageHeader", "ServiceID"))
        for name, inner in repeated.items():
            if name.endswith("Response") and isinstance(inner, dict):
                return _outcome(inner, original)
        raise TerminalError("TransactionStatusResponse has no RepeatedResponseMessageBody with a response")

    # ------------------------------------------------------------------ totals

    def _totals(self, category: str, body: dict[str, Any]) -> Totals:
        response = self._require_success(category, self._exchange(category, body)[1])
        try:
            return Totals.from_nexo(_text(response.get("POIReconciliationID")), response.get("TransactionTotals"))
        except ValueError as exc:
            raise TerminalError(f"{category}: unreadable TransactionTotals: {exc}") from None

    def reconciliation(self) -> Totals:
        """Close the terminal's period (SaleReconciliation); returns the closed period's totals."""
        return self._totals("Reconciliation", {"ReconciliationType": "SaleReconciliation"})

    def get_totals(self) -> Totals:
        """The current period's totals without closing it."""
        return self._totals("GetTotals", {})
