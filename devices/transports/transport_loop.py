"""In-process link: a device and a POS in the same process, joined by name.

The in-memory twin every test defaults to (style-anchors §3.4 point 5) and the link the
``reference://`` target uses. ``open_link("loop://printer")`` registers an endpoint
named ``printer`` in a process-wide registry; ``connect("loop://printer")`` returns a
:class:`~devices.link.HostConnection` whose writes are delivered synchronously to the
attached device's ``data_received`` (so evidence exists when ``write`` returns) and
whose ``read`` returns what the device wrote to its channel. Several connections may be
open at once, each with its own protocol. Closing the link unregisters the name; host
writes then raise :class:`~devices.link.TransportError`.

URL format: ``loop://[NAME]``

* ``NAME``: letters, digits, ``.``, ``_``, ``-``; omitted → a unique name like
  ``anon-1`` is chosen and shown in ``link.url``. No options.
"""

from __future__ import annotations

import itertools
import re
import threading

from devices.link import Channel, HostConnection, ProtocolFactory, TransportError
from devices.transports._buffer import ByteQueue
from devices.transports._events import EventSource
from devices.transports._session import Session
from devices.transports._urls import UrlGrammar

__all__ = ["URL_FORMAT", "LoopConnection", "LoopLink", "connect", "is_usable", "open_link"]

URL_FORMAT = "loop://[NAME]  (NAME: letters, digits, '.', '_', '-'; no options)"
_GRAMMAR = UrlGrammar("loop", URL_FORMAT)
_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
_registry: dict[str, LoopLink] = {}
_registry_lock = threading.Lock()
_anon = itertools.count(1)


def is_usable() -> bool:
    """Always usable (pure Python)."""
    return True


def _parse(url: str, *, need_name: bool) -> str:
    name, _ = _GRAMMAR.split(url, query=False)
    if not name:
        if need_name:
            raise _GRAMMAR.error(url, "connect needs the NAME of an open loop link")
        return ""
    if not _NAME.match(name):
        raise _GRAMMAR.error(url, f"bad NAME {name!r}")
    return name


class LoopLink(EventSource):
    """A named in-process endpoint; see the module docstring."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.url = f"loop://{name}"
        self._lock = threading.Lock()
        self._factory: ProtocolFactory | None = None
        self._connections: set[LoopConnection] = set()
        self._numbers = itertools.count(1)
        self._closed = False

    def attach(self, factory: ProtocolFactory) -> None:
        """Serve every later connection with ``factory()``."""
        with self._lock:
            if self._closed:
                raise TransportError(f"{self.url} is closed; open a new link")
            self._factory = factory

    def describe(self) -> str:
        """How to reach the device."""
        return f"{self.url} (in-process; connect with connect({self.url!r}))"

    def _new_connection(self) -> LoopConnection:
        with self._lock:
            if self._closed:
                raise TransportError(f"{self.url} was closed")
            if self._factory is None:
                raise TransportError(f"no device is attached to {self.url} yet; call link.attach(factory) first")
            factory = self._factory
            connection = LoopConnection(self, f"{self.url}#{next(self._numbers)}")
            self._connections.add(connection)
        session = Session(
            factory(),
            connection.channel,
            on_error=lambda exc: self.emit("link.error", connection.channel.name, error=repr(exc)),
            on_end=connection._device_gone,
        )
        connection._session = session
        session.start()
        return connection

    def _forget(self, connection: LoopConnection) -> None:
        with self._lock:
            self._connections.discard(connection)

    def close(self) -> None:
        """Unregister the name and end every connection; idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            connections = list(self._connections)
        with _registry_lock:
            if _registry.get(self.name) is self:
                del _registry[self.name]
        for connection in connections:
            connection._end(None)


class _LoopChannel(Channel):
    def __init__(self, connection: LoopConnection, name: str) -> None:
        self.name = name
        self._connection = connection

    def write(self, data: bytes) -> None:
        if not self._connection._to_host.put(bytes(data)):
            raise TransportError(f"{self.name} is closed; the POS end hung up")

    def close(self) -> None:
        self._connection._end(None)


class LoopConnection(HostConnection):
    """The POS end of one ``loop://`` connection."""

    def __init__(self, link: LoopLink, name: str) -> None:
        self.url = link.url
        self._link = link
        self._to_host = ByteQueue()
        self._write_lock = threading.Lock()
        self._session: Session | None = None
        self.channel = _LoopChannel(self, name)

    def write(self, data: bytes) -> None:
        """Deliver ``data`` to the device; returns after its ``data_received`` returned."""
        with self._write_lock:  # one delivery at a time per connection keeps the order
            session = self._session
            if session is None or session.ended or self._to_host.closed:
                raise TransportError(f"{self.channel.name} is closed (link closed, device or POS hung up)")
            session.feed(bytes(data))

    def read(self, size: int, timeout: float) -> bytes:
        """Up to ``size`` bytes the device wrote; ``b""`` on timeout.

        Raises:
            TransportError: Nothing buffered and the connection is closed.
        """
        chunk = self._to_host.get(size, timeout)
        if chunk is None:
            raise TransportError(f"{self.channel.name} is closed and every reply was read")
        return chunk

    def close(self) -> None:
        """Hang up (the device gets ``connection_lost(None)``); idempotent."""
        self._end(None)

    def _end(self, exc: BaseException | None) -> None:
        self._to_host.close()
        if self._session is not None:
            self._session.end(exc)
        self._link._forget(self)

    def _device_gone(self) -> None:
        self._to_host.close()
        self._link._forget(self)


def open_link(url: str) -> LoopLink:
    """Register a named in-process endpoint (see the module docstring for the URL format)."""
    name = _parse(url, need_name=False)
    with _registry_lock:
        if not name:
            name = f"anon-{next(_anon)}"
            while name in _registry:
                name = f"anon-{next(_anon)}"
        if name in _registry:
            raise TransportError(f"loop://{name} is already open in this process; close it first or use another NAME")
        link = LoopLink(name)
        _registry[name] = link
    return link


def connect(url: str, timeout: float = 5.0) -> LoopConnection:
    """Connect to the open ``loop://NAME`` link (``timeout`` is unused: connecting never waits)."""
    name = _parse(url, need_name=True)
    with _registry_lock:
        link = _registry.get(name)
        open_names = ", ".join(sorted(_registry)) or "none"
    if link is None:
        raise TransportError(
            f"no loop:// link named {name!r} is open in this process (open: {open_names}); "
            f"call open_link('loop://{name}') first"
        )
    return link._new_connection()
