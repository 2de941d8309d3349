"""Response bodies of the emulated nexo services, built from the terminal's records.

Pure functions: the emulator decides, these functions lay the decision out as nexo JSON
(devices.md §4.3, "Minimal message set"): ``PaymentResponse`` (also for refunds),
``ReversalResponse``, ``LoginResponse``, ``ReconciliationResponse``, ``GetTotalsResponse`` and
``TransactionStatusResponse`` with its ``RepeatedMessageResponse``; plus :func:`summary`, the
decoded form of a response written to the evidence log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from devices.terminal.codec import amount_to_ore, ore_to_amount
from devices.terminal.ledger import Transaction
from devices.terminal.messages import MessageError, Request, Result, response_block
from devices.terminal.receipt import CardReceipt, Merchant
from devices.terminal.totals import Totals

__all__ = [
    "SOFTWARE",
    "login_body",
    "payment_body",
    "request_summary",
    "reversal_body",
    "status_body",
    "summary",
    "totals_body",
]

#: What the emulator reports as its POI software.
SOFTWARE = {"ProviderIdentification": "kassakontroll", "ApplicationName": "nexo-emulator", "SoftwareVersion": "0.1.0"}


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def login_body(now: datetime) -> dict[str, Any]:
    """``LoginResponse`` body."""
    return {
        "Response": response_block("Success"),
        "POISystemData": {
            "DateTime": _stamp(now),
            "POISoftware": dict(SOFTWARE),
            "POIStatus": {"GlobalStatus": "OK", "PrinterStatus": "OK"},
        },
    }


def payment_body(
    tx: Transaction,
    merchant: Merchant,
    *,
    sale_timestamp: str,
    additional: str = "",
    receipts: tuple[CardReceipt, ...] = (),
) -> dict[str, Any]:
    """``PaymentResponse`` body for a decided Payment or Refund.

    ``PaymentResult`` is present when a card was read; ``PaymentAcquirerData`` only when approved.
    """
    result: Result = "Partial" if tx.result == "Partial" else "Success" if tx.result == "Success" else "Failure"
    body: dict[str, Any] = {
        "Response": response_block(result, "" if result == "Success" else tx.error_condition, additional),
        "SaleData": {"SaleTransactionID": {"TransactionID": tx.sale_transaction_id, "TimeStamp": sale_timestamp}},
        "POIData": {
            "POITransactionID": {"TransactionID": tx.poi_transaction_id, "TimeStamp": _stamp(tx.timestamp)},
            "POIReconciliationID": tx.period,
        },
    }
    if tx.card is not None:
        card = tx.card
        payment_result: dict[str, Any] = {
            "PaymentType": "Normal" if tx.kind == "Payment" else "Refund",
            "PaymentInstrumentData": {
                "PaymentInstrumentType": "Card",
                "CardData": {"PaymentBrand": card.brand, "MaskedPAN": card.masked_pan, "EntryMode": [card.entry_mode]},
            },
            "AmountsResp": {"Currency": "NOK", "AuthorizedAmount": ore_to_amount(tx.authorized_ore)},
            "OnlineFlag": True,
        }
        if tx.approved:
            payment_result["PaymentAcquirerData"] = {
                "AcquirerID": card.acquirer_id,
                "MerchantID": merchant.bax,
                "AcquirerPOIID": merchant.terminal_id,
                "AcquirerTransactionID": {"TransactionID": f"{tx.number:06d}", "TimeStamp": _stamp(tx.timestamp)},
                "ApprovalCode": tx.approval_code,
            }
        body["PaymentResult"] = payment_result
    if receipts:
        body["PaymentReceipt"] = [receipt.to_nexo() for receipt in receipts]
    return body


def reversal_body(
    original: Transaction,
    reversal_id: str,
    period: str,
    moment: datetime,
    receipts: tuple[CardReceipt, ...],
) -> dict[str, Any]:
    """``ReversalResponse`` body for a successful reversal of ``original``."""
    return {
        "Response": response_block("Success"),
        "POIData": {
            "POITransactionID": {"TransactionID": reversal_id, "TimeStamp": _stamp(moment)},
            "POIReconciliationID": period,
        },
        "OriginalPOITransaction": {
            "POITransactionID": {"TransactionID": original.poi_transaction_id, "TimeStamp": _stamp(original.timestamp)},
            "ApprovalCode": original.approval_code,
        },
        "ReversedAmount": ore_to_amount(original.authorized_ore),
        "PaymentReceipt": [receipt.to_nexo() for receipt in receipts],
    }


def totals_body(totals: Totals, *, reconciliation_type: str | None = None) -> dict[str, Any]:
    """``ReconciliationResponse`` (with ``reconciliation_type``) or ``GetTotalsResponse`` body."""
    body: dict[str, Any] = {"Response": response_block("Success")}
    if reconciliation_type is not None:
        body["ReconciliationType"] = reconciliation_type
    body["POIReconciliationID"] = totals.poi_reconciliation_id
    body["TransactionTotals"] = totals.to_nexo()
    return body


def status_body(reference: dict[str, Any], repeated: dict[str, Any]) -> dict[str, Any]:
    """``TransactionStatusResponse`` body repeating a stored ``SaleToPOIResponse``."""
    envelope = repeated["SaleToPOIResponse"]
    header = envelope["MessageHeader"]
    inner = {key: value for key, value in envelope.items() if key != "MessageHeader"}
    return {
        "Response": response_block("Success"),
        "MessageReference": reference,
        "RepeatedMessageResponse": {"MessageHeader": header, "RepeatedResponseMessageBody": inner},
    }


def _amount(value: object) -> int | None:
    try:
        return amount_to_ore(value, allow_zero=True)
    except ValueError:
        return None


def summary(response: dict[str, Any]) -> dict[str, Any]:
    """The evidence form of a response: category, service id, result, error condition, amounts, brand."""
    envelope = response.get("SaleToPOIResponse", {})
    header = envelope.get("MessageHeader", {})
    category = header.get("MessageCategory", "")
    body = envelope.get(f"{category}Response", {})
    block = body.get("Response", {})
    data: dict[str, Any] = {
        "category": category,
        "service_id": header.get("ServiceID", ""),
        "sale_id": header.get("SaleID", ""),
        "result": block.get("Result", ""),
        "error_condition": block.get("ErrorCondition", ""),
    }
    if block.get("AdditionalResponse"):
        data["message"] = block["AdditionalResponse"]
    result = body.get("PaymentResult") or {}
    if result:
        data["payment_type"] = result.get("PaymentType", "")
        data["authorized_amount_ore"] = _amount(result.get("AmountsResp", {}).get("AuthorizedAmount"))
        data["brand"] = result.get("PaymentInstrumentData", {}).get("CardData", {}).get("PaymentBrand", "")
    if "ReversedAmount" in body:
        data["reversed_amount_ore"] = _amount(body["ReversedAmount"])
    poi = body.get("POIData", {}).get("POITransactionID", {}).get("TransactionID")
    if poi:
        data["poi_transaction_id"] = poi
    if "TransactionTotals" in body:
        data["poi_reconciliation_id"] = body.get("POIReconciliationID", "")
        data["totals"] = [
            {
                "brand": entry["CardBrand"],
                "acquirer_id": entry["AcquirerID"],
                "type": t["TransactionType"],
                "count": t["TransactionCount"],
                "amount_ore": _amount(t["TransactionAmount"]),
            }
            for entry in body["TransactionTotals"]
            for t in entry["PaymentTotals"]
        ]
    return data


def _dig(obj: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def request_summary(request: Request | None, error: MessageError | None) -> dict[str, Any]:
    """The evidence form of a request: category, service id, sale id, requested amount, payment type, error."""
    data: dict[str, Any] = {"valid": error is None}
    if request is not None:
        header = request.header
        data.update(category=header.category, service_id=header.service_id, sale_id=header.sale_id)
        amount = _dig(request.body, "PaymentTransaction", "AmountsReq", "RequestedAmount")
        if amount is not None:
            ore = _amount(amount)
            if ore is None:
                data["requested_amount"] = str(amount)
            else:
                data["requested_amount_ore"] = ore
        if request.category == "Payment":
            payment_type = _dig(request.body, "PaymentData", "PaymentType")
            data["payment_type"] = payment_type if isinstance(payment_type, str) else "Normal"
    if error is not None:
        head = error.header
        data.update(
            category=head.category if head else str(error.raw_header.get("MessageCategory", "")),
            service_id=head.service_id if head else str(error.raw_header.get("ServiceID", "")),
            error_condition=error.error_condition,
            message=error.message,
        )
    return data
