"""Link-level events a transport reports for the tap to record (it records nothing itself).

Some things only the transport can see: a POS using another baud rate than configured
(pty), a connection refused beyond the session limit (tcp), the printer's replies a
proxy forwards, gaps in a capture (pcap). A transport reports them through
:meth:`EventSource.emit`; :mod:`devices.transports.tap` subscribes and writes them to the
evidence log, so no transport does its own recording (style-anchors §3.4 point 6).
Without a subscriber the events go to the ``devices.transports`` logger.

Kinds used by the built-in transports:

* ``link.warning``: a configuration mismatch (pty ``baud`` vs the POS's speed);
* ``link.refused``: a connection was reset beyond ``max_sessions`` (tcp, proxy);
* ``link.idle``: a connection was closed after ``idle_timeout`` without data (tcp, proxy);
* ``link.tx``: bytes towards the POS that no device wrote (proxy, pcap);
* ``link.discarded``: an observer device wrote bytes that were dropped (proxy, pcap);
* ``link.gap``: bytes missing from a captured stream (pcap);
* ``link.upstream_closed``: the real printer hung up, so the POS connection was closed (proxy);
* ``link.error``: the device protocol raised, or the upstream failed; the connection was closed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from devices.link import Link

__all__ = ["EventSink", "EventSource", "LinkEvent"]

_logger = logging.getLogger("devices.transports")


@dataclass(frozen=True)
class LinkEvent:
    """One transport-level observation.

    Attributes:
        kind: ``link.<what>`` (see the module docstring).
        channel: Name of the channel it concerns (empty for the link as a whole).
        raw: Bytes involved, if any.
        data: JSON-serialisable details.
    """

    kind: str
    channel: str = ""
    raw: bytes = b""
    data: dict[str, Any] = field(default_factory=dict)


#: Receives every :class:`LinkEvent` of a link (called on the transport's thread).
EventSink = Callable[[LinkEvent], None]


class EventSource(Link):
    """Base class for links that report :class:`LinkEvent` (all built-in links)."""

    def __init__(self) -> None:
        self._sinks: list[EventSink] = []
        self._sinks_lock = threading.Lock()

    def add_event_sink(self, sink: EventSink) -> None:
        """Deliver every later event to ``sink`` (the tap does this)."""
        with self._sinks_lock:
            self._sinks.append(sink)

    def emit(self, kind: str, channel: str = "", raw: bytes = b"", **data: Any) -> None:
        """Report an event to the sinks (or to the logger when nobody listens)."""
        event = LinkEvent(kind, channel, bytes(raw), data)
        with self._sinks_lock:
            sinks = list(self._sinks)
        if not sinks:
            level = logging.WARNING if kind in ("link.warning", "link.error") else logging.DEBUG
            _logger.log(level, "%s %s %s %s (%d bytes)", self.url, kind, channel, data, len(raw))
        for sink in sinks:
            sink(event)
