"""Malformed nexo requests and HTTP misuse get well-formed, explanatory answers (never a traceback)."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from devices.terminal import NexoClient, TerminalEmulator, TerminalError, TerminalServer, TerminalUnavailable
from devices.terminal.server import MAX_BODY
from harness.evidence import EvidenceLog

pytestmark = pytest.mark.timeout(20)


@pytest.fixture
def log() -> EvidenceLog:
    return EvidenceLog()


@pytest.fixture
def server(log: EvidenceLog) -> Iterator[TerminalServer]:
    with TerminalServer(TerminalEmulator(log)) as running:
        yield running


def _post(url: str, body: bytes, *, method: str = "POST", path: str | None = None) -> tuple[int, bytes]:
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5.0)
    try:
        connection.request(method, path or parts.path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _header(category: str, service_id: str = "1", **overrides: Any) -> dict[str, Any]:
    header = {
        "ProtocolVersion": "3.0",
        "MessageClass": "Service",
        "MessageCategory": category,
        "MessageType": "Request",
        "ServiceID": service_id,
        "SaleID": "K1",
        "POIID": "POI-1",
    }
    header.update(overrides)
    return header


def _message(category: str, body: dict[str, Any], service_id: str = "1", **overrides: Any) -> bytes:
    envelope = {"MessageHeader": _header(category, service_id, **overrides), f"{category}Request": body}
    return json.dumps({"SaleToPOIRequest": envelope}).encode()


def _answer(raw: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    envelope = json.loads(raw)["SaleToPOIResponse"]
    header = envelope["MessageHeader"]
    body = envelope[f"{header['MessageCategory']}Response"]
    return header, body["Response"]


_PAYMENT = {
    "SaleData": {"SaleTransactionID": {"TransactionID": "s1", "TimeStamp": "2025-03-14T12:00:00+01:00"}},
    "PaymentTransaction": {"AmountsReq": {"Currency": "NOK", "RequestedAmount": 219.00}},
}


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        (b"{not json", "not UTF-8 JSON"),
        (b"\xff\xfe", "not UTF-8 JSON"),
        (b'{"SaleToPOIRequest": {"MessageHeader": {"MessageCategory": "Login"}}}', "MessageClass"),
        (b'{"Something": {}}', "SaleToPOIRequest"),
        (b'{"SaleToPOIRequest": {"MessageHeader": {}, "LoginRequest": {}}}', "MessageHeader"),
        (b'{"SaleToPOIRequest": {"MessageHeader": [], "LoginRequest": {}}}', "MessageHeader"),
        (b"[1, 2]", "SaleToPOIRequest"),
        (b'{"a": NaN}', "not UTF-8 JSON"),
    ],
)
def test_malformed_requests_get_message_format(server: TerminalServer, payload: bytes, fragment: str) -> None:
    status, raw = _post(server.url, payload)
    assert status == 200
    header, response = _answer(raw)
    assert header["MessageType"] == "Response"
    assert (response["Result"], response["ErrorCondition"]) == ("Failure", "MessageFormat")
    assert fragment in response["AdditionalResponse"]


def test_missing_header_field_is_named(server: TerminalServer, log: EvidenceLog) -> None:
    header = _header("Login")
    del header["ServiceID"]
    payload = json.dumps({"SaleToPOIRequest": {"MessageHeader": header, "LoginRequest": {}}}).encode()
    _, raw = _post(server.url, payload)
    echoed, response = _answer(raw)
    assert response["ErrorCondition"] == "MessageFormat" and "ServiceID" in response["AdditionalResponse"]
    assert echoed["MessageCategory"] == "Login" and echoed["SaleID"] == "K1"
    request = log.since(0, kind="terminal.request")[-1]
    assert request.data["valid"] is False and request.data["error_condition"] == "MessageFormat"


def test_unknown_and_unemulated_categories(server: TerminalServer) -> None:
    _, raw = _post(server.url, _message("Teleport", {}))
    header, response = _answer(raw)
    assert header["MessageCategory"] == "Teleport" and response["ErrorCondition"] == "MessageFormat"
    _, raw = _post(server.url, _message("Diagnosis", {}))
    assert _answer(raw)[1]["ErrorCondition"] == "UnavailableService"


def test_missing_body_and_long_service_id(server: TerminalServer) -> None:
    payload = json.dumps({"SaleToPOIRequest": {"MessageHeader": _header("Login")}}).encode()
    assert "LoginRequest" in _answer(_post(server.url, payload)[1])[1]["AdditionalResponse"]
    response = _answer(_post(server.url, _message("Login", {}, service_id="12345678901"))[1])[1]
    assert response["ErrorCondition"] == "MessageFormat" and "10 characters" in response["AdditionalResponse"]


def test_requests_before_login_are_logged_out(server: TerminalServer) -> None:
    for category, body in (("Payment", _PAYMENT), ("GetTotals", {}), ("Logout", {})):
        header, response = _answer(_post(server.url, _message(category, body))[1])
        assert header["MessageCategory"] == category
        assert (response["Result"], response["ErrorCondition"]) == ("Failure", "LoggedOut")


def test_duplicate_service_id_in_session(server: TerminalServer) -> None:
    assert _answer(_post(server.url, _message("Login", {}, service_id="1"))[1])[1]["Result"] == "Success"
    assert _answer(_post(server.url, _message("Payment", _PAYMENT, service_id="2"))[1])[1]["Result"] == "Success"
    response = _answer(_post(server.url, _message("Payment", _PAYMENT, service_id="2"))[1])[1]
    assert response["ErrorCondition"] == "MessageFormat" and "already used" in response["AdditionalResponse"]
    # A new login starts a new session: ServiceIDs may be used again.
    assert _answer(_post(server.url, _message("Login", {}, service_id="2"))[1])[1]["Result"] == "Success"


@pytest.mark.parametrize(
    ("amount", "condition"),
    [("219.00", "MessageFormat"), (219.001, "MessageFormat"), (-5, "MessageFormat"), (0, "MessageFormat")],
)
def test_bad_amounts_are_refused(server: TerminalServer, amount: object, condition: str) -> None:
    _post(server.url, _message("Login", {}, service_id="1"))
    body = json.loads(json.dumps(_PAYMENT))
    body["PaymentTransaction"]["AmountsReq"]["RequestedAmount"] = amount
    response = _answer(_post(server.url, _message("Payment", body, service_id="2"))[1])[1]
    assert (response["Result"], response["ErrorCondition"]) == ("Failure", condition)
    assert "RequestedAmount" in response["AdditionalResponse"]


def test_amount_is_exact_without_float_error(server: TerminalServer, log: EvidenceLog) -> None:
    _post(server.url, _message("Login", {}, service_id="1"))
    body = json.loads(json.dumps(_PAYMENT))
    payload = _message("Payment", body, service_id="2").replace(b"219.0", b"0.29")
    _, raw = _post(server.url, payload)
    assert b'"AuthorizedAmount":0.29' in raw
    assert log.since(0, kind="terminal.request")[-1].data["requested_amount_ore"] == 29


def test_wrong_currency_is_not_allowed(server: TerminalServer) -> None:
    _post(server.url, _message("Login", {}, service_id="1"))
    body = json.loads(json.dumps(_PAYMENT))
    body["PaymentTransaction"]["AmountsReq"]["Currency"] = "SEK"
    response = _answer(_post(server.url, _message("Payment", body, service_id="2"))[1])[1]
    assert response["ErrorCondition"] == "NotAllowed" and "NOK" in response["AdditionalResponse"]


def test_abort_without_pending_payment_answers_nothing(server: TerminalServer, log: EvidenceLog) -> None:
    _post(server.url, _message("Login", {}, service_id="1"))
    abort_body = {"MessageReference": {"MessageCategory": "Payment", "ServiceID": "77"}, "AbortReason": "MerchantAbort"}
    status, raw = _post(server.url, _message("Abort", abort_body, service_id="2"))
    assert (status, raw) == (200, b"")
    assert log.since(0, kind="terminal.abort")[-1].data["matched"] is False


def test_oversize_body_is_413(server: TerminalServer) -> None:
    status, raw = _post(server.url, b" " * (MAX_BODY + 1))
    assert status == 413
    assert json.loads(raw)["status"] == 413


@pytest.mark.parametrize(("method", "path", "status"), [("GET", None, 405), ("PUT", None, 405), ("POST", "/x", 404)])
def test_wrong_method_or_path(server: TerminalServer, method: str, path: str | None, status: int) -> None:
    got, raw = _post(server.url, b"{}", method=method, path=path)
    assert got == status
    assert "/nexo" in json.loads(raw)["error"]


def test_missing_content_length_is_411(server: TerminalServer) -> None:
    parts = urlsplit(server.url)
    assert parts.port is not None
    with socket.create_connection(("127.0.0.1", parts.port), timeout=5.0) as sock:
        sock.sendall(b"POST /nexo HTTP/1.0\r\nHost: x\r\n\r\n")
        reply = b""
        while chunk := sock.recv(4096):
            reply += chunk
    assert reply.startswith(b"HTTP/1.0 411")
    assert b"Content-Length" in reply


def test_emulator_bug_is_500_with_evidence(log: EvidenceLog, monkeypatch: pytest.MonkeyPatch) -> None:
    emulator = TerminalEmulator(log)

    def broken(raw: bytes) -> bytes:
        raise RuntimeError("boom")

    monkeypatch.setattr(emulator, "handle", broken)
    with TerminalServer(emulator) as server:
        status, raw = _post(server.url, b"{}")
        with pytest.raises(TerminalError, match="HTTP 500"):
            NexoClient(server.url, timeout=2.0).login("op1")
    assert status == 500 and "boom" in json.loads(raw)["error"]
    assert log.since(0, kind="terminal.internal_error")[0].data["error"] == "RuntimeError('boom')"


def test_non_loopback_bind_is_refused() -> None:
    with pytest.raises(ValueError, match="allow_remote"):
        TerminalServer(TerminalEmulator(), host="0.0.0.0")


def test_url_before_start_explains() -> None:
    with pytest.raises(RuntimeError, match="start"):
        _ = TerminalServer(TerminalEmulator()).url


def test_connection_refused_names_url_and_how_to_start() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago and is closed now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/nexo"
    with pytest.raises(TerminalUnavailable) as caught:
        NexoClient(url, timeout=2.0).login("op1")
    message = str(caught.value)
    assert url in message and "kassakontroll devices serve --terminal" in message
