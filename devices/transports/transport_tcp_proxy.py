"""TCP proxy link: sit between a POS and a real printer, forward and record both ways.

For a lab with real hardware (devices.md §2.3, "Proxy/tap mode"): the POS prints to this
listener instead of the printer; every accepted connection opens its own upstream
connection with :func:`devices.transports.connect` (``tcp://``, ``serial://``, ``usb://``
…) and bytes are forwarded in both directions unchanged. The attached device protocol
(typically the ESC/POS printer emulator) is an **observer**: it receives the POS→printer
bytes so the decoder can judge them, but what it writes to its channel is discarded
(reported as ``link.discarded``); the real printer's replies reach the POS instead and
are reported as ``link.tx``. With a tap (``open_link(url, log=...)``) the evidence log
holds ``link.rx`` (from the POS) and ``link.tx`` (from the printer) for every connection.

URL format: ``tcp-proxy://HOST:PORT?[max_sessions=N&idle_timeout=S&connect_timeout=S&]upstream=URL``

* ``HOST:PORT``: where the POS connects (PORT 0 = any free port).
* ``upstream=URL`` (required, **last**): the real printer, any ``connect()`` URL; everything
  after ``upstream=`` is taken verbatim (so it may carry its own ``?``/``#`` options), or
  percent-encoded. Example: ``tcp-proxy://0.0.0.0:9100?upstream=tcp://10.0.0.5:9100``.
* ``max_sessions``, ``idle_timeout``: as for ``tcp://``.
* ``connect_timeout=S``: seconds to reach the upstream printer per connection (default 5).
"""

from __future__ import annotations

import threading
from urllib.parse import unquote

from devices.link import Channel, HostConnection, ProtocolFactory, TransportError
from devices.transports import connect as connect_upstream
from devices.transports import resolve
from devices.transports._events import EventSource
from devices.transports._session import Session
from devices.transports._tcpserver import ConnectionHandler, TcpChannel, TcpServer
from devices.transports._threads import start_daemon
from devices.transports._urls import UrlGrammar

__all__ = ["URL_FORMAT", "TcpProxyLink", "is_usable", "open_link"]

URL_FORMAT = (
    "tcp-proxy://HOST:PORT?[max_sessions=N&idle_timeout=S&connect_timeout=S&]upstream=URL  "
    "(upstream last, verbatim or percent-encoded; e.g. tcp-proxy://0.0.0.0:9100?upstream=tcp://10.0.0.5:9100)"
)
_GRAMMAR = UrlGrammar("tcp-proxy", URL_FORMAT)
_PUMP_POLL = 0.05  # seconds per upstream read; bounds how long a hang-up takes


def is_usable() -> bool:
    """Sockets are always available (the upstream transport is checked when the link opens)."""
    return True


class _ObserverChannel(Channel):
    """The observer's channel: its writes never reach the POS (the real printer answers)."""

    observe_only = True  # tells the tap not to record these writes as link.tx

    def __init__(self, link: TcpProxyLink, name: str) -> None:
        self.name = name
        self._link = link

    def write(self, data: bytes) -> None:
        self._link.emit("link.discarded", self.name, bytes(data), reason="observer on a proxy; the printer answers")

    def close(self) -> None:
        """An observer cannot hang up the POS; ignored."""


class _ProxyHandler:
    """One POS connection: its upstream connection, pump thread and observer session."""

    def __init__(self, link: TcpProxyLink, factory: ProtocolFactory, pos: TcpChannel) -> None:
        self._link = link
        self._factory = factory
        self._pos = pos
        self._upstream: HostConnection | None = None
        self._session: Session | None = None
        self._stop = threading.Event()
        self._pump: threading.Thread | None = None

    def opened(self) -> bool:
        try:
            self._upstream = connect_upstream(self._link.upstream, timeout=self._link.connect_timeout)
        except TransportError as error:
            self._link.emit("link.error", self._pos.name, error=f"upstream {self._link.upstream}: {error}")
            return False
        self._session = Session(
            self._factory(),
            _ObserverChannel(self._link, self._pos.name),
            on_error=lambda exc: self._link.emit("link.error", self._pos.name, error=repr(exc)),
        )
        self._session.start()
        self._pump = start_daemon(f"proxy-pump {self._pos.name}", self._pump_loop)
        return True

    def _pump_loop(self) -> None:
        assert self._upstream is not None
        try:
            while not self._stop.is_set():
                data = self._upstream.read(65536, _PUMP_POLL)
                if data:
                    self._pos.write(data)
                    self._link.emit("link.tx", self._pos.name, data, direction="printer->pos")
        except TransportError as error:
            if not self._stop.is_set():
                self._link.emit("link.upstream_closed", self._pos.name, error=str(error))
                self._pos.close()  # the printer hung up: hang up the POS too

    def received(self, data: bytes) -> bool:
        assert self._upstream is not None and self._session is not None
        self._session.feed(data)  # observer first, so link.rx precedes the reply's link.tx
        try:
            self._upstream.write(data)
        except TransportError as error:
            self._link.emit("link.error", self._pos.name, error=f"upstream {self._link.upstream}: {error}")
            return False
        return True

    def closed(self, exc: BaseException | None) -> None:
        self._stop.set()
        if self._pump is not None and self._pump is not threading.current_thread():
            self._pump.join(timeout=5.0)
        if self._upstream is not None:
            self._upstream.close()
        if self._session is not None:
            self._session.end(exc)


class TcpProxyLink(EventSource):
    """A listener that forwards each POS connection to the upstream printer; see the module docstring.

    Attributes:
        upstream: The printer's URL.
        port: The port listened on (the real one when 0 was asked for).
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        upstream: str,
        max_sessions: int | None,
        idle_timeout: float | None,
        connect_timeout: float,
    ) -> None:
        super().__init__()
        self.upstream = upstream
        self.connect_timeout = connect_timeout
        self._server = TcpServer(
            host, port, scheme="tcp-proxy", max_sessions=max_sessions, idle_timeout=idle_timeout, emit=self.emit
        )
        self.host = host
        self.port = self._server.port
        self.url = f"{self._server.url_base}?upstream={upstream}"

    def describe(self) -> str:
        """Where the POS should print to instead of the printer."""
        return f"network printer proxy at {self.host}:{self.port} forwarding to {self.upstream}"

    def attach(self, factory: ProtocolFactory) -> None:
        """Start accepting; each POS connection gets ``factory()`` as its observer."""

        def make_handler(channel: TcpChannel) -> ConnectionHandler:
            return _ProxyHandler(self, factory, channel)

        self._server.start(make_handler)

    def close(self) -> None:
        """Stop listening and hang up every connection (and its upstream); idempotent."""
        self._server.close()


def open_link(url: str) -> TcpProxyLink:
    """Listen for a POS and proxy to the upstream printer (see the module docstring for the URL format)."""
    prefix = "tcp-proxy://"
    if not url.lower().startswith(prefix):
        raise _GRAMMAR.error(url, f"the URL must start with {prefix!r}")
    body, _, query = url[len(prefix) :].partition("?")
    marker = query.find("upstream=")
    if marker < 0 or (marker > 0 and query[marker - 1] != "&"):
        raise _GRAMMAR.error(url, "the option upstream=URL (the real printer) is missing")
    upstream = query[marker + len("upstream=") :]
    if "://" not in upstream and "%3a" in upstream.lower():
        upstream = unquote(upstream)
    if "://" not in upstream:
        raise _GRAMMAR.error(url, f"upstream={upstream!r} is not a URL such as tcp://10.0.0.5:9100")
    if upstream.lower().startswith(prefix):
        raise _GRAMMAR.error(url, "upstream must be a printer, not another tcp-proxy")
    resolve(upstream)  # unknown scheme or unusable transport: fail now, not at the first connection
    options = _GRAMMAR.parse_query(url, query[:marker])
    _GRAMMAR.check_known(url, options, ("max_sessions", "idle_timeout", "connect_timeout"))
    host, port = _GRAMMAR.host_port(url, body, allow_zero=True)
    max_sessions = None
    if "max_sessions" in options:
        max_sessions = _GRAMMAR.integer(url, "max_sessions", options["max_sessions"], minimum=1)
    idle = _GRAMMAR.number(url, "idle_timeout", options["idle_timeout"]) if "idle_timeout" in options else None
    connect_timeout = 5.0
    if "connect_timeout" in options:
        connect_timeout = _GRAMMAR.number(url, "connect_timeout", options["connect_timeout"], minimum=0.001)
    return TcpProxyLink(
        host,
        port,
        upstream=upstream,
        max_sessions=max_sessions,
        idle_timeout=idle or None,
        connect_timeout=connect_timeout,
    )
