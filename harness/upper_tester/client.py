"""The harness's HTTP client of the upper-tester API.

:class:`ApiClient` sends one request per verb over a kept-alive connection
(:mod:`http.client`, the standard library under :mod:`urllib`; nothing to install) and
turns the API's answers into the driver contract's outcomes: 409 ->
:class:`~harness.targets.base.Refused` with the till's reason and rule, 501 ->
:class:`~harness.targets.base.NotSupportedByTarget`, anything else that is not a 200 or
a connection problem -> :class:`~harness.targets.base.TargetError` with a message that
says what to check.

A request that fails on a reused connection because the server had closed it (a
vendor's server restarted between two verbs) is sent once more on a new connection;
nothing else is retried, since a verb must never be performed twice.
"""

from __future__ import annotations

import http.client
import json
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from harness.targets.base import NotSupportedByTarget, Refused, TargetError
from harness.upper_tester.api import Route

__all__ = ["Answer", "ApiClient"]

_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ConnectionAbortedError)
_SPEC = "docs/upper-tester.openapi.yaml"


@dataclass(frozen=True, slots=True)
class Answer:
    """A 200 answer: its body and the headers that matter.

    Attributes:
        data: The body's bytes.
        content_type: The ``Content-Type`` (without parameters).
        filename: The ``filename`` of a ``Content-Disposition`` header, if any.
    """

    data: bytes
    content_type: str
    filename: str = ""

    def json(self) -> dict[str, Any]:
        """The body as a JSON object ({} when empty).

        Raises:
            TargetError: The body is not a JSON object.
        """
        if not self.data.strip():
            return {}
        try:
            body = json.loads(self.data)
        except ValueError as exc:
            raise TargetError(f"the server's answer is not JSON ({exc}): {self.data[:200]!r}") from None
        if not isinstance(body, dict):
            raise TargetError(f"the server's answer must be a JSON object, not {self.data[:200]!r}")
        return body


def _filename(disposition: str) -> str:
    for part in disposition.split(";"):
        key, _, value = part.strip().partition("=")
        if key.lower() == "filename":
            return value.strip().strip('"')
    return ""


class ApiClient:
    """Calls one upper-tester server.

    Args:
        base_url: ``http://HOST:PORT`` (with an optional path prefix).
        target: The target URL, for messages.
        timeout: Seconds to wait for an answer (a card payment may take the terminal's time-out).
    """

    def __init__(self, base_url: str, *, target: str, timeout: float = 60.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise TargetError(f"{base_url!r} is not an http://HOST:PORT address")
        self.base_url = base_url.rstrip("/")
        self.target = target
        self.timeout = timeout
        self._host, self._port = parts.hostname, parts.port or 80
        self._prefix = parts.path.rstrip("/")
        self._connection: http.client.HTTPConnection | None = None
        self._used = False
        self._lock = threading.Lock()

    # --- transport
    def _send(self, method: str, path: str, payload: bytes | None) -> tuple[int, http.client.HTTPResponse, bytes]:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)
            self._used = False
        connection = self._connection
        headers = {"Accept": "application/json"}
        if payload is not None:
            headers["Content-Type"] = "application/json"
        connection.request(method, self._prefix + path, body=payload, headers=headers)
        response = connection.getresponse()
        data = response.read()
        self._used = True
        if response.will_close:
            self.close()
        return response.status, response, data

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Answer]:
        """Send one request; returns the status and the answer.

        Raises:
            TargetError: The server cannot be reached or did not answer in time (the message says what to check).
        """
        payload = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        where = f"{method} {path}"
        with self._lock:
            for attempt in (1, 2):
                reused = self._connection is not None and self._used
                try:
                    status, response, data = self._send(method, path, payload)
                    break
                except _STALE as exc:
                    self.close()
                    if reused and attempt == 1:
                        continue  # the server closed a kept-alive connection; the request never reached it
                    raise TargetError(
                        f"the upper-tester server at {self.base_url} closed the connection during {where} ({exc!r}); "
                        "check that it is still running (its log may say why it stopped)"
                    ) from None
                except ConnectionRefusedError:
                    self.close()
                    raise TargetError(
                        f"no upper-tester server answers at {self.base_url} (connection refused): start the POS's "
                        "upper-tester server there, or add spawn=1 to the target URL to let the harness start the "
                        "reference till's (kassakontroll till serve)"
                    ) from None
                except TimeoutError:
                    self.close()
                    raise TargetError(
                        f"the upper-tester server at {self.base_url} did not answer {where} within {self.timeout:g} s; "
                        "check that the till is not stuck (a dialog waiting for input?), or raise timeout= in the "
                        "target URL"
                    ) from None
                except (OSError, http.client.HTTPException) as exc:
                    self.close()
                    raise TargetError(
                        f"talking to the upper-tester server at {self.base_url} failed during {where} ({exc!r}); "
                        "check the address in the target URL and that the server is reachable from here"
                    ) from None
        content_type = response.headers.get("Content-Type", "").split(";", 1)[0].strip()
        filename = _filename(response.headers.get("Content-Disposition", ""))
        return status, Answer(data, content_type, filename)

    # --- the API's outcomes
    def call(self, route: Route, register: str = "", body: dict[str, Any] | None = None) -> Answer:
        """Perform ``route``; returns the 200 answer.

        Raises:
            Refused: 409, the till refused (its reason and rule).
            NotSupportedByTarget: 501, the till has no such function.
            TargetError: Any other answer, or the server cannot be reached.
        """
        path = route.url_path(register)
        status, answer = self.request(route.method, path, body if route.method == "POST" else None)
        if status == 200:
            return answer
        where = f"{route.method} {path}"
        message = _error_text(answer)
        if status == 409:
            details = _object(answer)
            raise Refused(route.action, str(details.get("reason", "") or message), str(details.get("rule", "") or ""))
        if status == 501:
            detail = str(_object(answer).get("detail", "") or "")
            raise NotSupportedByTarget(self.target, route.action, detail)
        if status in (404, 405):
            raise TargetError(
                f"the upper-tester server at {self.base_url} has no endpoint {where} (HTTP {status}: {message}); "
                f"check the path prefix in the target URL; a verb the till does not have is answered with 501 and "
                f"left out of GET /capabilities ({_SPEC})"
            )
        if status == 400:
            raise TargetError(f"the upper-tester server rejected {where} as malformed: {message} ({_SPEC})")
        if status == 503:
            raise TargetError(f"the till behind {self.base_url} cannot serve {where}: {message}")
        raise TargetError(f"the upper-tester server at {self.base_url} answered HTTP {status} to {where}: {message}")

    def close(self) -> None:
        """Close the kept-alive connection (a new one is opened by the next request)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()


def _object(answer: Answer) -> dict[str, Any]:
    try:
        body = json.loads(answer.data) if answer.data.strip() else {}
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _error_text(answer: Answer) -> str:
    body = _object(answer)
    text = body.get("error") or body.get("reason") or body.get("detail")
    return str(text) if text else answer.data[:300].decode("utf-8", "replace") or "(no body)"
