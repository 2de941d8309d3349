"""Evidence tap: wraps any link and records every byte and connection in the evidence log.

Verdicts come from evidence (ARCHITECTURE.md "Evidence"); the tap is how raw traffic
gets there, for every transport alike (style-anchors §3.4 point 6, the idea of
pyserial's ``spy://``). Records, all with source ``link:<url>`` and data
``{"link": url, "channel": channel name}``:

==============  ==========================================================
``link.open``   a connection started (a POS connected, a port was opened)
``link.rx``     bytes from the POS to the device, in ``raw``
``link.tx``     bytes from the device (or the real printer) to the POS, in ``raw``
``link.close``  the connection ended; ``error`` is the error text or ``None``
``link.*``      transport events (:mod:`devices.transports._events`)
==============  ==========================================================

Usage: ``open_link(url, log=log)`` wraps the link for you; ``TappedLink(link, log)``
wraps one you made yourself.
"""

from __future__ import annotations

from typing import Any

from devices.link import Channel, DeviceProtocol, Link, ProtocolFactory
from devices.transports._events import EventSource, LinkEvent
from harness.evidence import EvidenceLog

__all__ = ["TappedLink"]


class TappedLink(Link):
    """A link whose traffic is recorded; everything else is delegated to the wrapped link.

    Transport-specific attributes (``slave_path``, ``port``, ``pos_settings()`` ...) are
    reachable through the tapped link as well.

    Args:
        link: The link to wrap.
        log: Where the records go.
    """

    def __init__(self, link: Link, log: EvidenceLog) -> None:
        self.inner = link
        self.log = log
        self.url = link.url
        if isinstance(link, EventSource):
            link.add_event_sink(self._on_event)

    @property
    def source(self) -> str:
        """The evidence source name: ``link:<url>``."""
        return f"link:{self.inner.url}"

    def record(self, kind: str, channel: str, raw: bytes = b"", **data: Any) -> None:
        """Append one record for ``channel`` to the log."""
        self.log.append(self.source, kind, raw=raw, link=self.inner.url, channel=channel, **data)

    def attach(self, factory: ProtocolFactory) -> None:
        """Attach ``factory`` to the wrapped link, recording every connection it serves."""
        self.inner.attach(lambda: _TapProtocol(self, factory()))

    def close(self) -> None:
        """Close the wrapped link."""
        self.inner.close()

    def describe(self) -> str:
        """The wrapped link's description."""
        return self.inner.describe()

    def __getattr__(self, name: str) -> Any:
        # Only called for attributes TappedLink itself lacks.
        if name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    def _on_event(self, event: LinkEvent) -> None:
        self.record(event.kind, event.channel, event.raw, **event.data)


class _TapChannel(Channel):
    """The channel the device sees: records what it writes, then passes it on."""

    def __init__(self, tap: TappedLink, inner: Channel) -> None:
        self._tap = tap
        self._inner = inner
        self.name = inner.name

    def write(self, data: bytes) -> None:
        self._inner.write(data)
        if getattr(self._inner, "observe_only", False):
            return  # the transport discarded it and reported link.discarded itself
        self._tap.record("link.tx", self._inner.name, bytes(data))

    def close(self) -> None:
        self._inner.close()


class _TapProtocol(DeviceProtocol):
    """Wraps the device's protocol: records connection events and received bytes."""

    def __init__(self, tap: TappedLink, inner: DeviceProtocol) -> None:
        self._tap = tap
        self._inner = inner
        self._channel = ""

    def connection_made(self, channel: Channel) -> None:
        self._channel = channel.name
        self._tap.record("link.open", channel.name)
        self._inner.connection_made(_TapChannel(self._tap, channel))

    def data_received(self, data: bytes) -> None:
        self._tap.record("link.rx", self._channel, bytes(data))
        self._inner.data_received(data)

    def connection_lost(self, exc: BaseException | None) -> None:
        self._tap.record("link.close", self._channel, error=None if exc is None else repr(exc))
        self._inner.connection_lost(exc)
