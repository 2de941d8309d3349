"""Capture link: replay the TCP streams to a printer port from a pcap file (observe only).

Evidence from a real installation (devices.md §2.4, route B): every TCP stream to
``port`` in the capture is reassembled by hand with scapy reading the file offline — per
4-tuple and direction, segments are ordered by sequence number relative to the SYN's ISN
(mod 2³²), retransmitted and overlapping bytes are dropped, missing bytes are flagged as
gaps (never zero-filled), and a 4-tuple reused after FIN/RST starts a new stream.
:func:`reassemble` returns the streams (the ``kassakontroll capture`` command uses it).

:func:`open_link` replays them into the attached device protocol, one connection per
stream, in capture order: client→printer bytes go to ``data_received``; printer→client
bytes are reported as ``link.tx`` events and gaps as ``link.gap`` (a tap records them);
the device's own writes are discarded (``link.discarded``): a capture cannot be answered.
The replay runs synchronously inside :meth:`PcapLink.attach`.

URL format: ``pcap://FILE[?port=N]``

* ``FILE``: a pcap or pcapng file; ``pcap:///abs/path.pcap`` or ``pcap://relative.pcap``.
* ``port=N``: the printer's TCP port (default 9100).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scapy.layers.inet import IP, TCP
from scapy.layers.inet6 import IPv6
from scapy.utils import PcapReader

from devices.link import Channel, ProtocolFactory, TransportError
from devices.transports._events import EventSource
from devices.transports._session import Session
from devices.transports._urls import UrlGrammar

__all__ = ["URL_FORMAT", "Gap", "PcapLink", "TcpStream", "is_usable", "open_link", "reassemble"]

URL_FORMAT = "pcap://FILE[?port=N]  (a pcap/pcapng file; port: the printer's TCP port, default 9100)"
_GRAMMAR = UrlGrammar("pcap", URL_FORMAT)
_MOD = 1 << 32
_SYN, _FIN, _RST, _ACK = 0x02, 0x01, 0x04, 0x10
# pcap (µs and ns, both byte orders) and pcapng section header
_MAGICS = {bytes.fromhex(m) for m in ("d4c3b2a1", "a1b2c3d4", "4d3cb2a1", "a1b23c4d", "0a0d0d0a")}


def is_usable() -> bool:
    """Scapy is a dependency, so always usable."""
    return True


@dataclass(frozen=True)
class Gap:
    """Bytes missing from a captured stream.

    Attributes:
        direction: ``"client"`` (POS→printer) or ``"server"`` (printer→POS).
        offset: Stream offset (bytes after the SYN) where the missing range starts.
        length: Number of missing bytes.
    """

    direction: str
    offset: int
    length: int


@dataclass(frozen=True)
class TcpStream:
    """One reassembled TCP connection to the printer port.

    Attributes:
        client: ``(address, port)`` of the POS.
        server: ``(address, port)`` of the printer.
        client_bytes: POS→printer bytes in order (gaps are left out, see ``gaps``).
        server_bytes: Printer→POS bytes in order.
        first_ts: Capture time of the first packet (seconds since the epoch).
        last_ts: Capture time of the last packet.
        gaps: Missing ranges, in stream order per direction.
        syn_seen: The connection's start is in the capture (else offsets count from the first byte seen).
        closed: A FIN or RST was seen.
        pieces: ``(time, from_client, bytes, missing_before)`` in replay order (for :class:`PcapLink`).
    """

    client: tuple[str, int]
    server: tuple[str, int]
    client_bytes: bytes
    server_bytes: bytes
    first_ts: float
    last_ts: float
    gaps: tuple[Gap, ...]
    syn_seen: bool
    closed: bool
    pieces: tuple[tuple[float, bool, bytes, int], ...] = field(repr=False)


class _Direction:
    def __init__(self) -> None:
        self.isn: int | None = None
        self.segments: list[tuple[float, int, bytes]] = []

    def assemble(self, name: str) -> tuple[bytes, list[Gap], list[tuple[float, bytes, int]]]:
        if not self.segments:
            return b"", [], []
        isn = self.isn if self.isn is not None else (min(seq for _, seq, _ in self.segments) - 1) % _MOD
        ordered = sorted(
            ((seq - isn - 1) % _MOD, index, ts, data) for index, (ts, seq, data) in enumerate(self.segments)
        )
        out = bytearray()
        gaps: list[Gap] = []
        pieces: list[tuple[float, bytes, int]] = []
        next_offset = 0
        for offset, _, ts, data in ordered:
            end = offset + len(data)
            if end <= next_offset:
                continue  # a retransmission of bytes already placed
            missing = 0
            if offset > next_offset:
                missing = offset - next_offset
                gaps.append(Gap(name, next_offset, missing))
            chunk = data[max(0, next_offset - offset) :]  # drop the overlapping head
            out += chunk
            pieces.append((ts, chunk, missing))
            next_offset = end
        return bytes(out), gaps, pieces


class _Stream:
    def __init__(self, client: tuple[str, int], server: tuple[str, int], ts: float) -> None:
        self.client = client
        self.server = server
        self.first_ts = ts
        self.last_ts = ts
        self.up = _Direction()
        self.down = _Direction()
        self.closed = False

    def finish(self) -> TcpStream:
        client_bytes, client_gaps, up = self.up.assemble("client")
        server_bytes, server_gaps, down = self.down.assemble("server")
        return TcpStream(
            client=self.client,
            server=self.server,
            client_bytes=client_bytes,
            server_bytes=server_bytes,
            first_ts=self.first_ts,
            last_ts=self.last_ts,
            gaps=tuple(client_gaps + server_gaps),
            syn_seen=self.up.isn is not None,
            closed=self.closed,
            pieces=tuple(_merge(up, down)),
        )


def _merge(
    up: list[tuple[float, bytes, int]], down: list[tuple[float, bytes, int]]
) -> list[tuple[float, bool, bytes, int]]:
    """Interleave both directions by time, keeping each direction's sequence order."""

    def clocked(items: list[tuple[float, bytes, int]], from_client: bool) -> list[tuple[float, bool, bytes, int]]:
        latest = float("-inf")
        result = []
        for ts, data, missing in items:
            latest = max(latest, ts)  # out-of-order arrivals must not overtake earlier bytes
            result.append((latest, from_client, data, missing))
        return result

    a, b = clocked(up, True), clocked(down, False)
    merged: list[tuple[float, bool, bytes, int]] = []
    i = j = 0
    while i < len(a) or j < len(b):
        if j >= len(b) or (i < len(a) and a[i][0] <= b[j][0]):
            merged.append(a[i])
            i += 1
        else:
            merged.append(b[j])
            j += 1
    return merged


def _segment(packet: Any) -> tuple[str, str, Any, bytes] | None:
    if TCP not in packet:
        return None
    tcp = packet[TCP]
    if IP in packet:
        ip = packet[IP]
        length = int(ip.len) - int(ip.ihl) * 4 - int(tcp.dataofs) * 4  # excludes Ethernet padding
    elif IPv6 in packet:
        ip = packet[IPv6]
        length = int(ip.plen) - int(tcp.dataofs) * 4
    else:
        return None
    return str(ip.src), str(ip.dst), tcp, bytes(tcp.payload)[: max(0, length)]


def reassemble(path: str | os.PathLike[str], port: int = 9100) -> list[TcpStream]:
    """Reassemble every TCP stream to ``port`` in the capture ``path``, in order of first packet.

    Raises:
        OSError: The file cannot be read.
        ValueError: It is not a pcap/pcapng file.
    """
    with open(path, "rb") as probe:  # scapy leaks the file when the magic is wrong, so check it here
        magic = probe.read(4)
    if magic not in _MAGICS:
        raise ValueError(f"{os.fspath(path)!r} is not a pcap or pcapng file (magic {magic.hex() or 'empty'})")
    current: dict[tuple[tuple[str, int], tuple[str, int]], _Stream] = {}
    done: list[_Stream] = []
    with PcapReader(str(path)) as reader:
        for packet in reader:
            parts = _segment(packet)
            if parts is None:
                continue
            src, dst, tcp, payload = parts
            sport, dport = int(tcp.sport), int(tcp.dport)
            if dport == port:
                client, server, from_client = (src, sport), (dst, dport), True
            elif sport == port:
                client, server, from_client = (dst, dport), (src, sport), False
            else:
                continue
            ts = float(packet.time)
            flags = int(tcp.flags)
            seq = int(tcp.seq)
            key = (client, server)
            stream = current.get(key)
            new_syn = from_client and flags & _SYN and not flags & _ACK
            if new_syn and stream is not None and (stream.closed or stream.up.isn not in (None, seq)):
                done.append(stream)  # the 4-tuple is reused by a new connection
                stream = None
            if stream is None:
                stream = current[key] = _Stream(client, server, ts)
            stream.last_ts = ts
            direction = stream.up if from_client else stream.down
            if flags & _SYN:
                direction.isn = seq
            if flags & (_FIN | _RST):
                stream.closed = True
            if payload:
                direction.segments.append((ts, seq, payload))
    done.extend(current.values())
    done.sort(key=lambda s: s.first_ts)
    return [stream.finish() for stream in done]


class _PcapChannel(Channel):
    observe_only = True  # tells the tap not to record these writes as link.tx

    def __init__(self, link: PcapLink, name: str) -> None:
        self.name = name
        self._link = link

    def write(self, data: bytes) -> None:
        self._link.emit("link.discarded", self.name, bytes(data), reason="replaying a capture; it cannot be answered")

    def close(self) -> None:
        """Nothing to hang up in a recording."""


class PcapLink(EventSource):
    """Replays the streams of a capture into a device; see the module docstring.

    Attributes:
        path: The capture file.
        port: The printer port whose streams are replayed.
        streams: The reassembled streams.
    """

    def __init__(self, url: str, path: Path, port: int) -> None:
        super().__init__()
        self.url = url
        self.path = path
        self.port = port
        self._lock = threading.Lock()
        self._attached = False
        try:
            self.streams = reassemble(path, port)
        except OSError as error:
            raise TransportError(f"cannot read the capture {str(path)!r}: {error}") from None
        except Exception as error:  # scapy raises various types for a file that is not a capture
            raise TransportError(f"{str(path)!r} is not a readable pcap/pcapng capture: {error}") from None

    def describe(self) -> str:
        """What is replayed."""
        return f"capture {self.path} ({len(self.streams)} TCP stream(s) to port {self.port}; observe only)"

    def attach(self, factory: ProtocolFactory) -> None:
        """Replay every stream into its own ``factory()`` protocol, now, on this thread."""
        with self._lock:
            if self._attached:
                raise TransportError(f"{self.url} was already replayed; open the link again to replay it again")
            self._attached = True
        for number, stream in enumerate(self.streams, start=1):
            name = f"{self.url}#{number} {stream.client[0]}:{stream.client[1]}->{stream.server[0]}:{stream.server[1]}"
            channel = _PcapChannel(self, name)
            session = Session(factory(), channel, on_error=self._error_reporter(name))
            session.start()
            for ts, from_client, data, missing in stream.pieces:
                if missing:
                    self.emit("link.gap", name, direction="client" if from_client else "server", missing=missing)
                if from_client:
                    session.feed(data)
                else:
                    self.emit("link.tx", name, data, captured_at=ts)
            session.end(None)

    def _error_reporter(self, name: str) -> Callable[[BaseException], None]:
        return lambda exc: self.emit("link.error", name, error=repr(exc))

    def close(self) -> None:
        """Nothing stays open (the file is read when the link opens)."""


def open_link(url: str) -> PcapLink:
    """Open a capture for replay (see the module docstring for the URL format)."""
    body, options = _GRAMMAR.split(url)
    _GRAMMAR.check_known(url, options, ("port",))
    if not body:
        raise _GRAMMAR.error(url, "no capture FILE given")
    port = _GRAMMAR.integer(url, "port", options["port"], minimum=1, maximum=65535) if "port" in options else 9100
    path = Path(body)
    if not path.is_file():
        raise TransportError(f"capture file {body!r} not found (from {url}); check the path")
    return PcapLink(url, path, port)
