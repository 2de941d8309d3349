"""TCP link: listen like a network printer (raw port 9100), or connect to one.

Device side (:func:`open_link`): a listener serving several simultaneous connections,
each with its own channel and its own device protocol; status replies travel back on
the socket the request came in on (devices.md §2.3: ``DLE EOT``, ``GS a`` ASB, ``GS I``).
Connections beyond ``max_sessions`` are reset (Star NICs: one session by default, excess
connections get TCP RST). Port 0 picks an ephemeral port: the real one is in
:attr:`TcpLink.port` and :attr:`TcpLink.url`.

POS side (:func:`connect`): a TCP client, as python-escpos' ``Network`` printer or a POS
driver would open it.

URL format: ``tcp://HOST:PORT[?max_sessions=N&idle_timeout=S]``

* ``HOST``: address to listen on or connect to (``127.0.0.1``, ``0.0.0.0``, ``[::1]``, a name).
* ``PORT``: 1-65535; 0 (listen only) = any free port.
* ``max_sessions=N`` (listen only): at most N connections at once, more are reset; default unlimited.
* ``idle_timeout=S`` (listen only): close a connection after S seconds without data from the POS
  (0 = never, the default).
"""

from __future__ import annotations

import select
import socket

from devices.link import HostConnection, ProtocolFactory, TransportError
from devices.transports._events import EventSource
from devices.transports._session import Session
from devices.transports._tcpserver import ConnectionHandler, TcpChannel, TcpServer
from devices.transports._urls import UrlGrammar

__all__ = ["URL_FORMAT", "TcpClientConnection", "TcpLink", "connect", "is_usable", "open_link"]

URL_FORMAT = (
    "tcp://HOST:PORT[?max_sessions=N&idle_timeout=S]  (PORT 0 = any free port when listening; "
    "max_sessions and idle_timeout only when listening; IPv6 as [::1])"
)
_GRAMMAR = UrlGrammar("tcp", URL_FORMAT)


def is_usable() -> bool:
    """Sockets are always available."""
    return True


class _DeviceHandler:
    """Feeds one accepted connection to its own device protocol."""

    def __init__(self, link: TcpLink, factory: ProtocolFactory, channel: TcpChannel) -> None:
        self._session = Session(
            factory(),
            channel,
            on_error=lambda exc: link.emit("link.error", channel.name, error=repr(exc)),
        )

    def opened(self) -> bool:
        return self._session.start()

    def received(self, data: bytes) -> bool:
        return self._session.feed(data)

    def closed(self, exc: BaseException | None) -> None:
        self._session.end(exc)


class TcpLink(EventSource):
    """A TCP listener serving a device; see the module docstring.

    Attributes:
        host: The address listened on.
        port: The port listened on (the real one when 0 was asked for).
    """

    def __init__(self, host: str, port: int, *, max_sessions: int | None, idle_timeout: float | None) -> None:
        super().__init__()
        self._server = TcpServer(
            host, port, scheme="tcp", max_sessions=max_sessions, idle_timeout=idle_timeout, emit=self.emit
        )
        self.host = host
        self.port = self._server.port
        self.url = self._server.url_base

    def describe(self) -> str:
        """Where the POS should print to."""
        return f"network printer at {self.host}:{self.port} (raw TCP, like port 9100)"

    def attach(self, factory: ProtocolFactory) -> None:
        """Start accepting connections; each gets ``factory()``."""

        def make_handler(channel: TcpChannel) -> ConnectionHandler:
            return _DeviceHandler(self, factory, channel)

        self._server.start(make_handler)

    def close(self) -> None:
        """Stop listening and hang up every connection; idempotent."""
        self._server.close()


class TcpClientConnection(HostConnection):
    """The POS end of a TCP connection to a (network) printer."""

    def __init__(self, url: str, host: str, port: int, timeout: float) -> None:
        self.url = url
        try:
            self.sock = socket.create_connection((host, port), timeout=timeout)
            # a document and the request after it are two small writes: send each at once, as a POS
            # talking to a network printer does (Nagle would hold the second for the delayed ACK)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError as error:
            raise TransportError(
                f"cannot connect to {url}: {error}; check the device is listening on {host}:{port}"
            ) from None
        self.sock.settimeout(None)
        self._closed = False
        self._eof = False

    def write(self, data: bytes) -> None:
        """Send all of ``data``."""
        if self._closed:
            raise TransportError(f"{self.url} is closed")
        try:
            self.sock.sendall(bytes(data))
        except OSError as error:
            raise TransportError(f"sending to {self.url} failed: {error}") from None

    def read(self, size: int, timeout: float) -> bytes:
        """Up to ``size`` bytes; ``b""`` on timeout.

        Raises:
            TransportError: The device closed the connection (nothing more will come) or it broke.
        """
        if self._closed:
            raise TransportError(f"{self.url} is closed")
        if self._eof:
            raise TransportError(f"the device at {self.url} closed the connection")
        try:
            ready, _, _ = select.select([self.sock], [], [], max(0.0, timeout))
            if not ready:
                return b""
            data = self.sock.recv(size)
        except OSError as error:
            raise TransportError(f"reading from {self.url} failed: {error}") from None
        if not data:
            self._eof = True
            raise TransportError(f"the device at {self.url} closed the connection")
        return data

    def shutdown_write(self) -> None:
        """Half-close: tell the device the job is complete while still reading its replies."""
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError as error:
            raise TransportError(f"half-closing {self.url} failed: {error}") from None

    def close(self) -> None:
        """Close the socket; idempotent."""
        if not self._closed:
            self._closed = True
            self.sock.close()


def open_link(url: str) -> TcpLink:
    """Listen for POS connections (see the module docstring for the URL format)."""
    body, options = _GRAMMAR.split(url)
    _GRAMMAR.check_known(url, options, ("max_sessions", "idle_timeout"))
    host, port = _GRAMMAR.host_port(url, body, allow_zero=True)
    max_sessions = None
    if "max_sessions" in options:
        max_sessions = _GRAMMAR.integer(url, "max_sessions", options["max_sessions"], minimum=1)
    idle = _GRAMMAR.number(url, "idle_timeout", options["idle_timeout"]) if "idle_timeout" in options else None
    if idle == 0:
        idle = None
    return TcpLink(host, port, max_sessions=max_sessions, idle_timeout=idle)


def connect(url: str, timeout: float = 5.0) -> TcpClientConnection:
    """Connect to a device listening on ``HOST:PORT``."""
    body, options = _GRAMMAR.split(url)
    _GRAMMAR.check_known(url, options, ())
    host, port = _GRAMMAR.host_port(url, body, allow_zero=False)
    return TcpClientConnection(url, host, port, timeout)
