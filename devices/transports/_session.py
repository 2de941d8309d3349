"""Drives one :class:`~devices.link.DeviceProtocol` for one channel, safely.

Every transport feeds its device through a :class:`Session`: calls to the protocol are
serialised (the Link contract: one at a time per connection), ``connection_lost`` is
called exactly once, and a protocol that raises ends its connection instead of killing
the transport thread. A device that closes its channel from inside ``data_received``
gets ``connection_lost`` after ``data_received`` returns, never nested inside it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from devices.link import Channel, DeviceProtocol, ProtocolFactory, TransportError

__all__ = ["Session", "line_session"]


class Session:
    """One protocol bound to one channel.

    Args:
        protocol: The device's protocol for this connection.
        channel: Where the device's replies go.
        on_error: Called with the exception when the protocol raised (before the session ends).
        on_end: Called once after ``connection_lost`` (the transport releases the connection).
    """

    def __init__(
        self,
        protocol: DeviceProtocol,
        channel: Channel,
        *,
        on_error: Callable[[BaseException], None] | None = None,
        on_end: Callable[[], None] | None = None,
    ) -> None:
        self.protocol = protocol
        self.channel = channel
        self._on_error = on_error
        self._on_end = on_end
        self._lock = threading.RLock()
        self._depth = 0
        self._started = False
        self._ended = False
        self._pending: tuple[BaseException | None] | None = None

    @property
    def ended(self) -> bool:
        """Whether ``connection_lost`` was called (or is pending)."""
        return self._ended or self._pending is not None

    def start(self) -> bool:
        """Call ``connection_made``; returns False when the protocol raised (the session is then over)."""
        with self._lock:
            if self._started or self.ended:
                return not self.ended
            self._started = True
            return self._call(lambda: self.protocol.connection_made(self.channel))

    def feed(self, data: bytes) -> bool:
        """Deliver ``data``; returns False when the session is over (ended before or the protocol raised)."""
        with self._lock:
            if not self._started or self.ended:
                return False
            return self._call(lambda: self.protocol.data_received(data))

    def end(self, exc: BaseException | None = None) -> None:
        """Call ``connection_lost(exc)`` once; deferred until a running protocol call returns."""
        with self._lock:
            if self.ended:
                return
            if self._depth:
                self._pending = (exc,)
                return
            self._finish(exc)

    def _call(self, call: Callable[[], None]) -> bool:
        self._depth += 1
        failed: BaseException | None = None
        try:
            call()
        except Exception as error:  # a device bug must not kill the transport thread
            failed = error
        finally:
            self._depth -= 1
        if failed is not None:
            if self._on_error is not None:
                self._on_error(failed)
            if not self._ended:
                self._pending = None
                self._finish(failed)
            return False
        if self._depth == 0 and self._pending is not None:
            (pending_exc,) = self._pending
            self._pending = None
            self._finish(pending_exc)
            return False
        return True

    def _finish(self, exc: BaseException | None) -> None:
        self._ended = True
        try:
            if self._started:
                self.protocol.connection_lost(exc)
        finally:
            if self._on_end is not None:
                self._on_end()


def line_session(
    url: str,
    *,
    closed: bool,
    current: Session | None,
    factory: ProtocolFactory,
    channel: Channel,
    on_error: Callable[[BaseException], None] | None = None,
) -> Session:
    """The one session of a single-channel link (a serial line, a pty), created on ``attach``.

    Raises:
        TransportError: The link is closed, or a device is already attached to it.
    """
    if closed:
        raise TransportError(f"{url} is closed; open a new link")
    if current is not None:
        raise TransportError(f"a device is already attached to {url}; a serial line carries one")
    return Session(factory(), channel, on_error=on_error)
