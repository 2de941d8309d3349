r"""The contract between transports and emulated devices.

A :class:`Link` is one port a device is reachable on: a TCP listener, a pseudo-terminal,
a serial line, an in-process loop. A link can carry one connection (serial, pty, loop)
or several at once (a TCP listener, like a network printer with a second monitoring
connection). Each connection is a :class:`Channel`; for every channel the link asks the
device's factory for a :class:`DeviceProtocol` and then delivers what the POS sends to
its :meth:`~DeviceProtocol.data_received` (the shape of pyserial's
``serial.threaded.Protocol`` and asyncio's protocols). The device answers through
:meth:`Channel.write` on the same channel: status replies travel back on the socket or
line the request came in on (devices.md §2.3).

No device knows which transport it runs on; no transport knows which device it carries.
Taps (:mod:`devices.transports.tap`) wrap links to record every byte in the evidence log.

The other direction is :class:`HostConnection`: the POS end, used by the reference till
(which is a POS) and by proxies to reach a device, emulated or real, from a URL
(:func:`devices.transports.connect`): a TCP client, a serial port or pty slave through
pyserial, a USB printer through pyusb, or the far end of an in-process ``loop://`` link.

Example (an in-process device on ``loop://``)::

    link = open_link("loop://printer")
    link.attach(printer.session)          # factory: one protocol per connection
    pos = connect("loop://printer")       # the POS end of the loop
    pos.write(b"\x10\x04\x01")            # DLE EOT 1
    pos.read(1, timeout=1.0)              # -> b"\x12"
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable

__all__ = [
    "Channel",
    "DeviceProtocol",
    "HostConnection",
    "Link",
    "ProtocolFactory",
    "TransportConfigError",
    "TransportError",
]


class TransportError(Exception):
    """A link could not be opened or failed while running; the message says how to fix it."""


class TransportConfigError(TransportError, ValueError):
    """A link URL is malformed or has an unknown option; the message repeats the URL grammar."""


class Channel(ABC):
    """One connection of a link: the device writes its replies here.

    Attributes:
        name: A human-readable name for evidence, e.g. ``tcp://127.0.0.1:9100#2 from 127.0.0.1:51234``.
    """

    name: str = ""

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Send bytes from the device to the POS on this connection."""

    @abstractmethod
    def close(self) -> None:
        """Close this connection (the device hangs up)."""


class DeviceProtocol:
    """What a device implements to receive bytes from one connection.

    Subclasses override the methods they need; the defaults do nothing. Methods are
    called on the transport's thread, one at a time per connection.
    """

    def connection_made(self, channel: Channel) -> None:
        """A POS connected (or the port was opened); ``channel`` is where replies go."""

    def data_received(self, data: bytes) -> None:
        """Bytes arrived from the POS, in order, in arbitrary chunks."""

    def connection_lost(self, exc: BaseException | None) -> None:
        """The connection ended: ``None`` for an orderly close, else the error."""


#: Creates the protocol for one new connection (a device's ``session`` method).
ProtocolFactory = Callable[[], DeviceProtocol]


class Link(ABC):
    """A port a device is reachable on, opened from a URL by :func:`devices.transports.open_link`.

    Attributes:
        url: The URL the link was opened from, normalised (e.g. the real port of ``tcp://127.0.0.1:0``).
    """

    url: str = ""

    @abstractmethod
    def attach(self, factory: ProtocolFactory) -> None:
        """Start serving: every new connection gets ``factory()`` as its protocol."""

    @abstractmethod
    def close(self) -> None:
        """Stop serving and close every connection; idempotent."""

    def describe(self) -> str:
        """What a lab technician needs to connect a POS (address, device path ...)."""
        return self.url

    def __enter__(self) -> Link:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class HostConnection(ABC):
    """The POS end of a connection to a device (emulated or real).

    Attributes:
        url: The URL it was opened from.
    """

    url: str = ""

    @abstractmethod
    def write(self, data: bytes) -> None:
        """Send bytes to the device (blocking until handed to the transport).

        Raises:
            TransportError: The connection is closed or broken.
        """

    @abstractmethod
    def read(self, size: int, timeout: float) -> bytes:
        """Read up to ``size`` bytes the device sent, waiting at most ``timeout`` seconds.

        Returns:
            The bytes available (possibly fewer than ``size``); ``b""`` on timeout.

        Raises:
            TransportError: The connection is closed or broken.
        """

    def read_exactly(self, size: int, timeout: float) -> bytes:
        """Read ``size`` bytes within ``timeout`` seconds in total; fewer only on timeout."""
        deadline = time.monotonic() + timeout
        out = bytearray()
        while len(out) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            out += self.read(size - len(out), remaining)
        return bytes(out)

    def drain(self) -> bytes:
        """Discard and return whatever the device sent that was not read yet (no waiting)."""
        out = bytearray()
        while chunk := self.read(4096, 0.0):
            out += chunk
        return bytes(out)

    @abstractmethod
    def close(self) -> None:
        """Close the connection; idempotent."""

    def __enter__(self) -> HostConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
