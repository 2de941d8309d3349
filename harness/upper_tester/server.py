"""The reference implementation of the upper-tester API: the reference till over HTTP.

:class:`UpperTesterServer` serves ``docs/upper-tester.openapi.yaml`` with the standard
library's :class:`~http.server.ThreadingHTTPServer` (one thread per connection, HTTP/1.1
keep-alive, every answer with a ``Content-Length``; no web framework is needed for a
JSON API of thirty-odd POST endpoints). Requests are routed and validated with the table
in :mod:`harness.upper_tester.api`; the till itself runs in a child process kept by
:class:`~harness.upper_tester.supervisor.Supervisor`, so ``POST /kill-and-restart`` kills
a real process.

Answers (the OpenAPI file has the schemas):

======  =====================================================================
200     accepted: ``{"verb", ...results, "note"?}``; the export is the XML file
400     the request is malformed: ``{"error"}`` says what to send
404     no such path; 405 the path exists for another method
409     the till refused: ``{"verb", "reason", "rule"}``
501     the till has no such function: ``{"verb", "detail"}``
503     the till cannot serve (it could not be opened, or its process died): ``{"error"}``
500     a bug: ``{"error"}``
======  =====================================================================

Run it with ``kassakontroll till serve`` (:mod:`harness.cli_till_serve`).
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import traceback
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from harness.upper_tester.api import ROUTES, Route, RouteError, match
from harness.upper_tester.supervisor import ExportFile, Supervisor, TillUnavailable, WorkerAnswer

__all__ = ["MAX_BODY", "SERVER_NAME", "UpperTesterServer"]

#: Largest request body accepted, in bytes.
MAX_BODY = 1_000_000
#: What ``GET /capabilities`` calls this server.
SERVER_NAME = "kassakontroll reference till"
#: Verbs the server itself performs (the till's process performs the rest).
_SERVER_VERBS = ("export_journal", "kill_and_restart")
_ROUTE_ORDER = {r.verb: n for n, r in enumerate(ROUTES)}


class _HttpError(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body)
        self.status, self.body = status, body


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # an idle keep-alive connection must not hold the server open at exit
    supervisor: Supervisor


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "kassakontroll-upper-tester/1"

    def setup(self) -> None:
        """Send every write at once: headers and body are two writes, and Nagle would hold the second."""
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """No access log: the harness's evidence log has what matters."""

    def _send(self, status: int, body: bytes, content_type: str = "application/json", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, body: dict[str, Any]) -> None:
        self._send(status, json.dumps(body, ensure_ascii=False).encode("utf-8"))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors of the HTTP layer itself (bad request line, headers too long) as JSON."""
        self.close_connection = True
        self._json(code, {"error": message or explain or "malformed HTTP request"})

    def do_GET(self) -> None:
        """``GET /capabilities`` (and a 405 for the POST endpoints)."""
        self._serve("GET")

    def do_POST(self) -> None:
        """Every operation."""
        self._serve("POST")

    def _serve(self, method: str) -> None:
        try:
            route, register = match(method, self.path)
            body = route.check(self._body()) if method == "POST" else {}
            self._answer(route, register, body)
        except RouteError as exc:
            self._json(exc.status, {"error": str(exc)})
        except _HttpError as exc:
            self._json(exc.status, exc.body)
        except TillUnavailable as exc:
            self._json(503, {"error": str(exc)})
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            self._json(500, {"error": f"the upper-tester server failed ({exc!r}); this is a kassakontroll bug"})

    def _body(self) -> dict[str, Any]:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            raise _HttpError(411, {"error": "chunked bodies are not accepted; send a Content-Length header"})
        try:
            length = int(self.headers.get("Content-Length", "0") or "0")
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            raise _HttpError(400, {"error": f"Content-Length must be 0 to {MAX_BODY} bytes"})
        raw = self.rfile.read(length) if length else b""
        if not raw.strip():
            return {}
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise RouteError(f"{self.command} {self.path}: the body is not JSON ({exc}); send a JSON object") from None
        if not isinstance(body, dict):
            raise RouteError(f"{self.command} {self.path}: the body must be a JSON object, not {type(body).__name__}")
        return body

    def _answer(self, route: Route, register: str, body: dict[str, Any]) -> None:
        supervisor = self.server.supervisor
        if route.verb == "capabilities":
            self._json(200, self._capabilities())
        elif route.verb == "session":
            day = date.fromisoformat(body["day"]) if body.get("day") else None
            self._json(200, {"verb": "session", **supervisor.start_session(day)})
        elif route.verb == "kill_and_restart":
            killed = supervisor.pid
            pid = supervisor.kill_and_restart()
            note = f"the till's process {killed} was killed (SIGKILL); process {pid} recovered the journal"
            self._json(200, {"verb": route.verb, "note": note})
        elif route.verb == "export_journal":
            start, end = (date.fromisoformat(body[k]) if body.get(k) else None for k in ("from", "to"))
            exported = supervisor.export(start, end)
            if isinstance(exported, ExportFile):
                disposition = f'attachment; filename="{exported.name}"'
                self._send(200, exported.data, "application/xml", Content_Disposition=disposition)
            else:
                self._failure(route, exported)
        else:
            answer = supervisor.call(route.verb, register, body)
            if answer.ok is not None:
                self._json(200, {"verb": route.verb, **answer.ok})
            else:
                self._failure(route, answer)

    def _failure(self, route: Route, answer: WorkerAnswer) -> None:
        if answer.refused is not None:
            reason, rule = answer.refused.get("reason", ""), answer.refused.get("rule", "")
            self._json(409, {"verb": route.verb, "reason": reason, "rule": rule})
        elif answer.unsupported is not None:
            self._json(501, {"verb": route.verb, "detail": answer.unsupported})
        elif answer.bad is not None:
            self._json(400, {"error": f"{route.method} {self.path}: {answer.bad}"})
        else:
            self._json(500, {"error": f"the reference till failed: {answer.error}; this is a kassakontroll bug"})

    def _capabilities(self) -> dict[str, Any]:
        supervisor = self.server.supervisor
        if not supervisor.verbs:
            supervisor.start_session()
        verbs = sorted({*supervisor.verbs, *_SERVER_VERBS}, key=lambda v: _ROUTE_ORDER.get(v, len(ROUTES)))
        return {"server": SERVER_NAME, "api": 1, "verbs": verbs, "registers": supervisor.registers}


class UpperTesterServer:
    """The upper-tester API on ``host:port`` for a supervised reference till.

    Args:
        supervisor: Keeps the till's process.
        host: Address to listen on.
        port: TCP port; 0 picks a free one (see :attr:`url`).

    Raises:
        OSError: The address cannot be bound (the message names it).
    """

    def __init__(self, supervisor: Supervisor, host: str = "127.0.0.1", port: int = 8700) -> None:
        try:
            self._server = (_Server6 if ":" in host else _Server)((host, port), _Handler)
        except OSError as exc:
            raise OSError(
                exc.errno, f"cannot listen on {host}:{port} ({exc.strerror}); choose another --listen"
            ) from exc
        self._server.supervisor = supervisor
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:8700``."""
        host, port = self._server.server_address[:2]
        host = str(host)
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def start(self) -> UpperTesterServer:
        """Serve in a daemon thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="upper-tester", daemon=True
            )
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving and close the listening socket (the supervisor is closed by its owner)."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5.0)
            self._thread = None
        self._server.server_close()
