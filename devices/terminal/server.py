"""HTTP binding of the terminal emulator: nexo JSON on ``POST /nexo`` (Adyen-shaped, devices.md §4.3).

Adyen terminals take the Terminal API on ``https://<terminal>:8443/nexo`` (⚠ devices.md §4.3);
the emulator serves the same path over plain HTTP on loopback, with the nexo security trailer
off (test mode). A standard-library :class:`~http.server.ThreadingHTTPServer` runs in a daemon
thread; every request gets its own handler thread, so an AbortRequest can reach the emulator
while a payment is still waiting for the customer.

The server refuses to listen on anything but a loopback address unless ``allow_remote=True``
(a lab exposing the emulator to a physical POS on the LAN). Bodies are bounded
(:data:`MAX_BODY`, 1 MB → 413); a wrong path (404) or method (405) gets a JSON error that says
what to send. The default request logging to stderr is silenced; connection errors become
``terminal.http_error`` evidence records.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from devices.terminal.codec import dumps
from devices.terminal.emulator import TerminalEmulator

__all__ = ["MAX_BODY", "NEXO_PATH", "TerminalServer"]

#: Largest accepted request body in bytes.
MAX_BODY = 1_000_000
#: The endpoint path (as on Adyen terminals).
NEXO_PATH = "/nexo"
_DRAIN_LIMIT = 8 * MAX_BODY  # read and discard an oversize body up to this size so the client sees the 413
_READ_TIMEOUT = 10.0  # seconds a client may take to send its request


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # handler threads are joined on close (block_on_close) ...
    block_on_close = True  # ... so no socket outlives the server
    emulator: TerminalEmulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Record a handler failure (typically the POS hung up before a late answer) instead of printing it."""
        exc = sys.exc_info()[1]
        self.emulator.log.append(self.emulator.name, "terminal.http_error", client=str(client_address), error=repr(exc))


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: no idle keep-alive threads
    timeout = _READ_TIMEOUT
    server_version = "kassakontroll-nexo/0.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default access log on stderr (the evidence log has every exchange)."""

    def _reply(self, status: int, body: bytes, *, content_type: str = "application/json", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _error(self, status: int, message: str, **headers: str) -> None:
        self._reply(status, dumps({"error": message, "status": status}), **headers)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors found by the base class (malformed request line, headers too long) as JSON."""
        self.close_connection = True
        self._error(code, message or explain or "bad request; POST a nexo JSON message to /nexo")

    def do_POST(self) -> None:
        """Serve one nexo message."""
        if self.path.split("?", 1)[0] != NEXO_PATH:
            self._error(404, f"unknown path {self.path!r}; POST nexo JSON messages to {NEXO_PATH}")
            return
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self._error(411, "chunked bodies are not accepted; send a Content-Length header")
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
            if length < 0:
                raise ValueError(length)
        except ValueError:
            self._error(411, "a Content-Length header with the body size in bytes is required")
            return
        if length > MAX_BODY:
            self.close_connection = True
            if length <= _DRAIN_LIMIT:
                self._drain(length)
            self._error(413, f"the body has {length} bytes; a nexo message here may have at most {MAX_BODY}")
            return
        body = self.rfile.read(length)
        if len(body) != length:
            self._error(400, f"the body ended after {len(body)} of {length} bytes (Content-Length)")
            return
        emulator = self.server.emulator
        try:
            answer = emulator.handle(body)
        except Exception as exc:  # a bug in the emulator must not look like a network failure to the POS
            emulator.log.append(emulator.name, "terminal.internal_error", raw=body, error=repr(exc))
            self._error(500, f"the terminal emulator failed ({exc!r}); this is a kassakontroll bug, please report it")
            return
        self._reply(200, answer if answer is not None else b"")

    def _drain(self, length: int) -> None:
        remaining = length
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 65536))
            if not chunk:
                break
            remaining -= len(chunk)

    def _method_not_allowed(self) -> None:
        self._error(405, f"{self.command} is not supported; POST nexo JSON messages to {NEXO_PATH}", Allow="POST")

    do_GET = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _method_not_allowed


class TerminalServer:
    """Serve a :class:`TerminalEmulator` on ``POST /nexo``.

    Args:
        emulator: The terminal to serve.
        host: Address to listen on; loopback unless ``allow_remote``.
        port: TCP port; 0 picks a free one (see :attr:`url`).
        allow_remote: Permit a non-loopback address (a lab with a physical POS on the LAN).

    Raises:
        ValueError: ``host`` is not a loopback address and ``allow_remote`` is false.

    Example::

        with TerminalServer(TerminalEmulator()) as server:
            client = NexoClient(server.url)
    """

    def __init__(
        self,
        emulator: TerminalEmulator,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        allow_remote: bool = False,
    ) -> None:
        if not allow_remote and not _is_loopback(host):
            raise ValueError(
                f"refusing to listen on {host!r}: the terminal emulator listens on loopback (127.0.0.1) only; "
                "pass allow_remote=True to expose it to a POS on the network"
            )
        self.emulator = emulator
        self._host = host
        self._port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> TerminalServer:
        """Bind and serve in a daemon thread; returns self.

        Raises:
            OSError: The address is in use or cannot be bound (the message names it).
        """
        if self._server is not None:
            return self
        server_class = _Server6 if ":" in self._host else _Server
        try:
            server = server_class((self._host, self._port), _Handler)
        except OSError as exc:
            raise OSError(
                exc.errno, f"cannot listen on {self._host}:{self._port} ({exc.strerror}); choose another port"
            ) from exc
        server.emulator = self.emulator
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"nexo-{self.port}", daemon=True
        )
        self._thread.start()
        self.emulator.log.append(self.emulator.name, "terminal.listening", url=self.url)
        return self

    @property
    def port(self) -> int:
        """The TCP port listened on."""
        if self._server is None:
            raise RuntimeError("the terminal server is not started; call start() or use it as a context manager")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The endpoint, e.g. ``http://127.0.0.1:40123/nexo``."""
        if self._server is None:
            raise RuntimeError("the terminal server is not started; call start() or use it as a context manager")
        host = str(self._server.server_address[0])
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}{NEXO_PATH}"

    def close(self) -> None:
        """Stop serving, release answers the emulator still holds back, close every socket."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        self.emulator.close()
        server.server_close()  # joins the handler threads
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None

    def __enter__(self) -> TerminalServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
