"""The nexo Retailer Sale-to-POI message model: envelopes, headers, validation.

A request is ``{"SaleToPOIRequest": {"MessageHeader": {...}, "<Category>Request": {...}}}`` and
its answer ``{"SaleToPOIResponse": {"MessageHeader": {...}, "<Category>Response": {...}}}``,
the response header echoing the request's with ``MessageType`` ``Response`` (devices.md §4.3,
Adyen Terminal API = nexo 3.0 JSON). Every response body carries
``Response{Result, ErrorCondition, AdditionalResponse}``.

:func:`parse_request` turns bytes into a :class:`Request` or raises :class:`MessageError`
with the nexo ``ErrorCondition`` to answer (``MessageFormat`` for anything malformed) and as
much of the header as could be read, so the emulator can always send a well-formed Failure
response (:func:`failure_response`) instead of a traceback. ``AdditionalResponse`` holds a
plain-language explanation (Adyen URL-encodes ``key=value`` pairs there; a sentence is more
useful to the person reading a test report).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Literal

from devices.terminal.codec import loads

__all__ = [
    "EMULATED_CATEGORIES",
    "ERROR_CONDITIONS",
    "NEXO_CATEGORIES",
    "PROTOCOL_VERSION",
    "MessageError",
    "MessageHeader",
    "Request",
    "Result",
    "build_request",
    "build_response",
    "failure_response",
    "get_dict",
    "get_str",
    "parse_request",
    "parse_response",
    "response_block",
]

#: nexo protocol version the emulator speaks (Adyen Terminal API uses 3.0).
PROTOCOL_VERSION = "3.0"

#: Message categories the emulator implements (all MessageClass ``Service``).
EMULATED_CATEGORIES = frozenset(
    {"Login", "Logout", "Payment", "Reversal", "Abort", "TransactionStatus", "Reconciliation", "GetTotals"}
)
#: Every nexo category the emulator knows by name (devices.md §4.3); the others answer UnavailableService.
NEXO_CATEGORIES = EMULATED_CATEGORIES | frozenset(
    {
        "Admin",
        "BalanceInquiry",
        "Batch",
        "CardAcquisition",
        "CardReaderAPDU",
        "CardReaderInit",
        "CardReaderPowerOff",
        "Diagnosis",
        "Display",
        "EnableService",
        "Event",
        "Input",
        "InputUpdate",
        "Loyalty",
        "PIN",
        "Print",
        "SecurityTrailer",
        "SoundRequest",
        "StoredValue",
        "TransmitRequest",
    }
)

Result = Literal["Success", "Failure", "Partial"]

#: nexo ErrorCondition values (devices.md §4.3).
ERROR_CONDITIONS = frozenset(
    {
        "Aborted",
        "Busy",
        "Cancel",
        "DeviceOut",
        "InProgress",
        "InsertedCard",
        "InvalidCard",
        "LoggedOut",
        "MessageFormat",
        "NotAllowed",
        "NotFound",
        "PaymentRestriction",
        "Refusal",
        "UnavailableDevice",
        "UnavailableService",
        "UnreachableHost",
        "WrongPIN",
    }
)

_MESSAGE_CLASSES = frozenset({"Service", "Device", "Event"})
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]{0,39}")
_MAX_SERVICE_ID = 10  # nexo: ServiceID is at most 10 characters
_MAX_POI_ID = 32


class MessageError(Exception):
    """A request that cannot be served; carries the nexo ErrorCondition and what was read of the header.

    Args:
        message: What is wrong and how to fix it (sent as ``AdditionalResponse``).
        error_condition: The nexo ErrorCondition to answer with.
        header: The request header, when it could be read.
        raw_header: Whatever header fields were present, echoed when ``header`` is None.
    """

    def __init__(
        self,
        message: str,
        *,
        error_condition: str = "MessageFormat",
        header: MessageHeader | None = None,
        raw_header: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_condition = error_condition
        self.header = header
        self.raw_header = raw_header or {}


@dataclass(frozen=True, slots=True)
class MessageHeader:
    """A nexo ``MessageHeader``.

    Attributes:
        category: ``MessageCategory`` (Login, Payment ...).
        service_id: ``ServiceID``, at most 10 characters, unique within a login session.
        sale_id: ``SaleID``, the POS system's identifier.
        poi_id: ``POIID``, the terminal's identifier (at most 32 characters).
        message_class: ``MessageClass``: Service, Device or Event.
        message_type: ``MessageType``: Request, Response or Notification.
        protocol_version: ``ProtocolVersion`` (required on Login; always sent here).
    """

    category: str
    service_id: str
    sale_id: str
    poi_id: str
    message_class: str = "Service"
    message_type: str = "Request"
    protocol_version: str = PROTOCOL_VERSION

    def to_json(self) -> dict[str, Any]:
        """The header as nexo JSON."""
        return {
            "ProtocolVersion": self.protocol_version,
            "MessageClass": self.message_class,
            "MessageCategory": self.category,
            "MessageType": self.message_type,
            "ServiceID": self.service_id,
            "SaleID": self.sale_id,
            "POIID": self.poi_id,
        }

    def response(self) -> MessageHeader:
        """The header of the answer: the same fields with MessageType Response."""
        return replace(self, message_type="Response")

    @classmethod
    def from_json(cls, obj: object, *, expect_type: str = "Request") -> MessageHeader:
        """Read and validate a header.

        Raises:
            MessageError: A field is missing, not a string, too long or has an unknown value.
        """
        if not isinstance(obj, dict):
            raise MessageError("MessageHeader is missing or not an object; send the nexo MessageHeader fields")
        fields = {
            "MessageClass": None,
            "MessageCategory": 40,
            "MessageType": None,
            "ServiceID": _MAX_SERVICE_ID,
            "SaleID": 64,
            "POIID": _MAX_POI_ID,
        }
        values = {
            name: get_str(obj, name, "MessageHeader", max_len=limit, raw_header=obj) for name, limit in fields.items()
        }
        version = obj.get("ProtocolVersion", PROTOCOL_VERSION)
        if not isinstance(version, str) or not version.startswith("3."):
            raise MessageError(
                f"MessageHeader.ProtocolVersion {version!r} is not supported; send {PROTOCOL_VERSION!r}",
                raw_header=obj,
            )
        if values["MessageClass"] not in _MESSAGE_CLASSES:
            raise MessageError(
                f"MessageHeader.MessageClass {values['MessageClass']!r} is unknown; "
                f"use one of {sorted(_MESSAGE_CLASSES)}",
                raw_header=obj,
            )
        if values["MessageType"] != expect_type:
            raise MessageError(
                f"MessageHeader.MessageType is {values['MessageType']!r}; a message sent here must be {expect_type!r}",
                raw_header=obj,
            )
        return cls(
            category=values["MessageCategory"],
            service_id=values["ServiceID"],
            sale_id=values["SaleID"],
            poi_id=values["POIID"],
            message_class=values["MessageClass"],
            message_type=values["MessageType"],
            protocol_version=version,
        )


@dataclass(frozen=True, slots=True)
class Request:
    """A parsed, well-formed request: its header, its body (``<Category>Request``) and the raw bytes."""

    header: MessageHeader
    body: dict[str, Any]
    raw: bytes

    @property
    def category(self) -> str:
        """The message category."""
        return self.header.category


def get_str(
    obj: dict[str, Any],
    key: str,
    path: str,
    *,
    max_len: int | None = None,
    required: bool = True,
    raw_header: dict[str, Any] | None = None,
) -> str:
    """A string field of a JSON object, validated.

    Raises:
        MessageError: (MessageFormat) the field is missing (when required), not a non-empty string or too long.
    """
    value = obj.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value:
        raise MessageError(f"{path}.{key} is missing or not a non-empty string", raw_header=raw_header)
    if max_len is not None and len(value) > max_len:
        raise MessageError(f"{path}.{key} {value!r} is longer than {max_len} characters", raw_header=raw_header)
    return value


def get_dict(obj: dict[str, Any], key: str, path: str, *, required: bool = True) -> dict[str, Any]:
    """A nested JSON object, validated (an empty dict when optional and absent).

    Raises:
        MessageError: (MessageFormat) the field is missing (when required) or not an object.
    """
    value = obj.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise MessageError(f"{path}.{key} is missing or not a JSON object")
    return value


def parse_request(raw: bytes) -> Request:
    """Parse one ``SaleToPOIRequest``.

    Raises:
        MessageError: The bytes are not JSON, the envelope or header is malformed, the category
            is unknown (MessageFormat) or known to nexo but not emulated (UnavailableService).
    """
    try:
        obj = loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MessageError(f"the request is not UTF-8 JSON ({exc}); send a SaleToPOIRequest object") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("SaleToPOIRequest"), dict):
        raise MessageError('the JSON has no "SaleToPOIRequest" object; wrap the message in {"SaleToPOIRequest": {...}}')
    envelope: dict[str, Any] = obj["SaleToPOIRequest"]
    raw_header = envelope.get("MessageHeader")
    header = MessageHeader.from_json(raw_header)
    category = header.category
    if category not in NEXO_CATEGORIES:
        raise MessageError(
            f"MessageCategory {category!r} is not a nexo category; the emulator serves {sorted(EMULATED_CATEGORIES)}",
            header=header if _IDENTIFIER.fullmatch(category) else None,
            raw_header=raw_header if isinstance(raw_header, dict) else None,
        )
    if category not in EMULATED_CATEGORIES:
        raise MessageError(
            f"MessageCategory {category!r} is not emulated; the emulator serves {sorted(EMULATED_CATEGORIES)}",
            error_condition="UnavailableService",
            header=header,
        )
    if header.message_class != "Service":
        raise MessageError(
            f"{category} must be sent with MessageClass 'Service', not {header.message_class!r}",
            header=header,
        )
    body_name = f"{category}Request"
    body = envelope.get(body_name)
    if not isinstance(body, dict):
        raise MessageError(f"SaleToPOIRequest has no {body_name!r} object next to the MessageHeader", header=header)
    extra = sorted(set(envelope) - {"MessageHeader", body_name, "SecurityTrailer"})
    if extra:
        raise MessageError(f"SaleToPOIRequest has unexpected members {extra}; send only {body_name}", header=header)
    return Request(header=header, body=body, raw=raw)


def response_block(result: Result, error_condition: str = "", additional: str = "") -> dict[str, Any]:
    """The ``Response`` object every response body carries."""
    block: dict[str, Any] = {"Result": result}
    if error_condition:
        block["ErrorCondition"] = error_condition
    if additional:
        block["AdditionalResponse"] = additional
    return block


def build_request(header: MessageHeader, body: dict[str, Any]) -> dict[str, Any]:
    """A ``SaleToPOIRequest`` envelope around ``body``."""
    return {"SaleToPOIRequest": {"MessageHeader": header.to_json(), f"{header.category}Request": body}}


def build_response(request_header: MessageHeader, body: dict[str, Any]) -> dict[str, Any]:
    """A ``SaleToPOIResponse`` envelope answering a request with this header."""
    header = request_header.response()
    return {"SaleToPOIResponse": {"MessageHeader": header.to_json(), f"{header.category}Response": body}}


def failure_response(error: MessageError) -> dict[str, Any]:
    """A well-formed Failure response for a request that could not be served.

    The header echoes the request's when it was readable; otherwise every readable string
    field is echoed and an unreadable category becomes ``Unknown`` (so the body is
    ``UnknownResponse``: nexo has no category for "I could not read your category").
    """
    body = {"Response": response_block("Failure", error.error_condition, error.message)}
    if error.header is not None:
        return build_response(error.header, body)
    raw = error.raw_header
    category = raw.get("MessageCategory")
    if not isinstance(category, str) or not _IDENTIFIER.fullmatch(category):
        category = "Unknown"

    def echo(key: str, default: str) -> str:
        value = raw.get(key)
        return value if isinstance(value, str) and len(value) <= 64 else default

    header = MessageHeader(
        category=category,
        service_id=echo("ServiceID", ""),
        sale_id=echo("SaleID", ""),
        poi_id=echo("POIID", ""),
        message_class=echo("MessageClass", "Service"),
    )
    return build_response(header, body)


def parse_response(raw: bytes) -> tuple[MessageHeader, dict[str, Any]]:
    """Parse a ``SaleToPOIResponse`` (the client side): the header and the ``<Category>Response`` body.

    Raises:
        MessageError: The bytes are not a well-formed nexo response.
    """
    try:
        obj = loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MessageError(f"the terminal's answer is not UTF-8 JSON ({exc})") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("SaleToPOIResponse"), dict):
        raise MessageError('the terminal\'s answer has no "SaleToPOIResponse" object')
    envelope: dict[str, Any] = obj["SaleToPOIResponse"]
    header = MessageHeader.from_json(envelope.get("MessageHeader"), expect_type="Response")
    body = get_dict(envelope, f"{header.category}Response", "SaleToPOIResponse")
    if not isinstance(body.get("Response"), dict) or body["Response"].get("Result") not in (
        "Success",
        "Failure",
        "Partial",
    ):
        raise MessageError(f"{header.category}Response has no Response.Result of Success, Failure or Partial")
    return header, body
