from __future__ import annotations

import os
import socket
import threading
import time

import pytest
from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether
from scapy.packet import Raw
from scapy.sendrecv import AsyncSniffer
from scapy.utils import wrpcap

from devices.link import Channel, DeviceProtocol, TransportConfigError, TransportError
from devices.transports import open_link
from devices.transports.transport_pcap import Gap, reassemble
from harness.evidence import EvidenceLog

POS, PRINTER = ("10.0.0.2", 40000), ("10.0.0.9", 9100)


class Recorder(DeviceProtocol):
    def __init__(self) -> None:
        self.channel: Channel | None = None
        self.received = bytearray()
        self.lost = False

    def connection_made(self, channel: Channel) -> None:
        self.channel = channel

    def data_received(self, data: bytes) -> None:
        self.received += data
        if self.received.endswith(b"\x10\x04\x01"):
            assert self.channel is not None
            self.channel.write(b"\x12")  # a replayed capture cannot be answered: discarded

    def connection_lost(self, exc: BaseException | None) -> None:
        self.lost = True


class Crafter:
    """Builds TCP segments of one connection with explicit sequence numbers and times."""

    def __init__(self, client_isn: int, server_isn: int, start: float) -> None:
        self.c_isn, self.s_isn, self.t = client_isn, server_isn, start
        self.packets: list = []

    def seg(self, from_client: bool, flags: str, offset: int = 0, data: bytes = b"") -> None:
        src, dst = (POS, PRINTER) if from_client else (PRINTER, POS)
        isn = self.c_isn if from_client else self.s_isn
        seq = (isn + (0 if "S" in flags else 1 + offset)) % (1 << 32)
        packet = Ether() / IP(src=src[0], dst=dst[0]) / TCP(sport=src[1], dport=dst[1], flags=flags, seq=seq)
        if data:
            packet = packet / Raw(load=data)
        self.t += 0.001
        packet.time = self.t
        self.packets.append(packet)

    def handshake(self) -> None:
        self.seg(True, "S")
        self.seg(False, "SA")
        self.seg(True, "A")


def synthesised_capture(path) -> tuple[bytes, bytes]:
    job = b"\x1b@" + b"".join(b"Linje %03d: Melk 21,90\n" % n for n in range(14)) + b"\x10\x04\x01"
    first = Crafter(client_isn=0xFFFFFF80, server_isn=5000, start=1_700_000_000.0)  # seq wraps past 2**32
    first.handshake()
    cuts = [0, 60, 120, 180, 240, len(job)]
    chunks = {i: (cuts[i], job[cuts[i] : cuts[i + 1]]) for i in range(5)}
    for i in (0, 2, 1, 1, 3):  # out of order and a retransmission
        first.seg(True, "PA", *chunks[i])
    first.seg(True, "PA", 100, job[100:150])  # overlapping retransmission
    first.seg(True, "PA", *chunks[4])
    first.seg(False, "PA", 0, b"\x12")
    first.seg(True, "FA", len(job))
    first.seg(False, "FA", 1)
    second = Crafter(client_isn=77, server_isn=9000, start=first.t + 1)  # same 4-tuple reused
    second.handshake()
    second.seg(True, "PA", 0, job[:50])
    second.seg(True, "PA", 80, job[80:120])  # bytes 50..79 were never captured
    second.seg(True, "FA", 120)
    other = Ether() / IP(src="10.0.0.2", dst="10.0.0.9") / TCP(sport=40001, dport=80, flags="PA") / Raw(b"GET /")
    other.time = second.t + 0.5
    wrpcap(str(path), [*first.packets, other, *second.packets])
    return job, job[:50] + job[80:120]


def test_reassembly_of_a_synthesised_capture(tmp_path):
    job, partial = synthesised_capture(tmp_path / "crafted.pcap")
    streams = reassemble(tmp_path / "crafted.pcap", port=9100)
    assert len(streams) == 2
    first, second = streams
    assert first.client_bytes == job
    assert first.server_bytes == b"\x12"
    assert (first.client, first.server) == (POS, PRINTER)
    assert first.gaps == () and first.syn_seen and first.closed
    assert first.first_ts < first.last_ts < second.first_ts
    assert second.client_bytes == partial
    assert second.gaps == (Gap("client", 50, 30),)


def test_replay_feeds_the_device_and_the_tap_records_both_directions(tmp_path):
    job, partial = synthesised_capture(tmp_path / "crafted.pcap")
    log = EvidenceLog()
    devices: list[Recorder] = []
    link = open_link(f"pcap://{tmp_path / 'crafted.pcap'}?port=9100", log=log)
    link.attach(lambda: devices.append(Recorder()) or devices[-1])
    link.close()
    assert [bytes(d.received) for d in devices] == [job, partial]
    assert all(d.lost for d in devices)
    records = log.since(0, source=f"link:{link.url}")
    assert [r.raw for r in records if r.kind == "link.tx"] == [b"\x12"]
    assert [r.raw for r in records if r.kind == "link.discarded"] == [b"\x12"]
    assert [r.data["missing"] for r in records if r.kind == "link.gap"] == [30]
    first_channel = next(r for r in records if r.kind == "link.rx").data["channel"]
    kinds = [r.kind for r in records if r.data["channel"] == first_channel]
    assert kinds.index("link.tx") > max(i for i, k in enumerate(kinds) if k == "link.rx")  # reply after request


@pytest.mark.parametrize(
    ("url", "error", "message"),
    [
        ("pcap://", TransportConfigError, "no capture FILE"),
        ("pcap://x.pcap?port=0", TransportConfigError, "at least 1"),
        ("pcap://x.pcap?proto=tcp", TransportConfigError, "unknown option 'proto'"),
        ("pcap:///nonexistent/x.pcap", TransportError, "not found"),
    ],
)
def test_pcap_url_errors(url, error, message):
    with pytest.raises(error, match=message):
        open_link(url)


def test_not_a_capture_file(tmp_path):
    bogus = tmp_path / "bogus.pcap"
    bogus.write_bytes(b"this is not a capture file at all")
    with pytest.raises(TransportError, match="not a readable pcap"):
        open_link(f"pcap://{bogus}")


def test_live_loopback_capture_reassembles_byte_exact(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("capturing on lo needs root or CAP_NET_RAW (devices.md §2.4)")
    devices: list[Recorder] = []
    with open_link("tcp://127.0.0.1:0") as link:
        link.attach(lambda: devices.append(Recorder()) or devices[-1])
        port = link.port
        fins: set[int] = set()

        def both_fins(packet) -> bool:
            if TCP in packet and int(packet[TCP].flags) & 0x01:
                fins.add(int(packet[TCP].sport))
            return len(fins) >= 2

        started = threading.Event()
        sniffer = AsyncSniffer(
            iface="lo",
            lfilter=lambda p: TCP in p and port in (p[TCP].sport, p[TCP].dport),
            stop_filter=both_fins,
            started_callback=started.set,
            store=True,
        )
        try:
            sniffer.start()
        except (PermissionError, OSError) as error:
            pytest.skip(f"cannot capture on lo here: {error}")
        assert started.wait(10.0)
        job = bytes((n * 7 + 3) % 256 for n in range(5000)) + b"\x10\x04\x01"
        with socket.create_connection(("127.0.0.1", port), timeout=5) as pos:
            for start in range(0, len(job), 1000):  # paced: live sniffing drops bursts (devices.md §2.4)
                pos.sendall(job[start : start + 1000])
                time.sleep(0.005)
            assert pos.recv(1) == b"\x12"
        sniffer.join(timeout=10.0)
        if sniffer.running:
            sniffer.stop()
        packets = sniffer.results
    capture = tmp_path / "live.pcap"
    wrpcap(str(capture), packets)
    streams = reassemble(capture, port=port)
    assert len(streams) == 1
    assert streams[0].client_bytes == job == bytes(devices[0].received)
    assert streams[0].server_bytes == b"\x12"
    assert streams[0].gaps == ()
