from __future__ import annotations

import socket
import threading

import pytest
from escpos.printer import Dummy, Network

from devices.link import Channel, DeviceProtocol, TransportError
from devices.transports import connect, open_link
from harness.evidence import EvidenceLog


class Recorder(DeviceProtocol):
    """Records received bytes; answers DLE EOT 1 (10 04 01) with 0x12 on its own channel."""

    def __init__(self) -> None:
        self.channel: Channel | None = None
        self.received = bytearray()
        self.lost = threading.Event()
        self.got = threading.Condition()

    def connection_made(self, channel: Channel) -> None:
        self.channel = channel

    def data_received(self, data: bytes) -> None:
        with self.got:
            self.received += data
            self.got.notify_all()
        if b"\x10\x04\x01" in data:
            assert self.channel is not None
            self.channel.write(b"\x12")

    def connection_lost(self, exc: BaseException | None) -> None:
        self.lost.set()

    def wait_bytes(self, count: int, timeout: float = 5.0) -> bytes:
        with self.got:
            self.got.wait_for(lambda: len(self.received) >= count, timeout=timeout)
            return bytes(self.received)


class Factory:
    def __init__(self) -> None:
        self.made: list[Recorder] = []
        self.cond = threading.Condition()

    def __call__(self) -> Recorder:
        with self.cond:
            self.made.append(Recorder())
            self.cond.notify_all()
            return self.made[-1]

    def nth(self, index: int, timeout: float = 5.0) -> Recorder:
        """The protocol of the index-th connection (made on the connection's own thread)."""
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.made) > index, timeout=timeout)
            return self.made[index]


@pytest.fixture
def tcp_link():
    factory = Factory()
    link = open_link("tcp://127.0.0.1:0")
    link.attach(factory)
    yield link, factory
    link.close()


def test_python_escpos_network_printer_bytes_arrive_intact(tcp_link):
    link, factory = tcp_link
    assert link.port > 0 and link.url == f"tcp://127.0.0.1:{link.port}"
    reference = Dummy()
    reference.text("Kvittering nr 1\nSum 21,90 kr\n")
    reference.cut()
    printer = Network("127.0.0.1", port=link.port, timeout=5)
    printer.open()
    try:
        printer.text("Kvittering nr 1\nSum 21,90 kr\n")
        printer.cut()
    finally:
        printer.close()
    expected = reference.output
    assert len(expected) > 20
    assert factory.nth(0).wait_bytes(len(expected)) == expected
    assert factory.nth(0).lost.wait(5.0)


def test_two_connections_each_get_their_own_protocol_and_replies(tcp_link):
    link, factory = tcp_link
    with (
        socket.create_connection(("127.0.0.1", link.port), timeout=5) as a,
        socket.create_connection(("127.0.0.1", link.port), timeout=5) as b,
    ):
        a.sendall(b"first \x10\x04\x01")
        assert a.recv(16) == b"\x12"
        b.sendall(b"second")
        b.sendall(b"\x10\x04\x01")
        assert b.recv(16) == b"\x12"
        assert len(factory.made) == 2
        assert {r.wait_bytes(9) for r in factory.made} == {b"first \x10\x04\x01", b"second\x10\x04\x01"}
        names = {r.channel.name for r in factory.made if r.channel is not None}
        assert len(names) == 2


def test_max_sessions_resets_excess_connections():
    factory = Factory()
    log = EvidenceLog()
    with open_link("tcp://127.0.0.1:0?max_sessions=1", log=log) as link:
        link.attach(factory)
        with socket.create_connection(("127.0.0.1", link.port), timeout=5) as first:
            first.sendall(b"\x10\x04\x01")
            assert first.recv(1) == b"\x12"  # the first session is being served
            with (
                pytest.raises((ConnectionResetError, BrokenPipeError)),  # at connect, send or receive
                socket.create_connection(("127.0.0.1", link.port), timeout=5) as second,
            ):
                second.sendall(b"x")
                assert second.recv(1) == b""  # reaching this means no reset: fail
        assert log.wait_for(lambda r: r.kind == "link.refused", timeout=5.0) is not None
        assert len(factory.made) == 1


def test_connect_client_round_trip_and_tap_records(tcp_link):
    factory = Factory()
    log = EvidenceLog()
    with open_link("tcp://127.0.0.1:0", log=log) as link:
        link.attach(factory)
        with connect(link.url, timeout=5) as pos:
            pos.write(b"abc")
            pos.write(b"\x10\x04\x01")
            assert pos.read_exactly(1, timeout=5.0) == b"\x12"
        assert factory.nth(0).lost.wait(5.0)
        assert log.wait_for(lambda r: r.kind == "link.close", timeout=5.0) is not None
    records = log.since(0, source=f"link:{link.url}")
    kinds = [r.kind for r in records]
    assert kinds[0] == "link.open" and kinds[-1] == "link.close"
    assert b"".join(r.raw for r in records if r.kind == "link.rx") == b"abc\x10\x04\x01"
    assert [r.raw for r in records if r.kind == "link.tx"] == [b"\x12"]
    channel = factory.made[0].channel
    assert channel is not None
    assert {r.data["channel"] for r in records} == {channel.name}
    assert {r.data["link"] for r in records} == {link.url}


def test_connect_to_closed_port_says_what_to_check():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransportError, match="listening"):
        connect(f"tcp://127.0.0.1:{port}", timeout=2)


def test_device_hang_up_closes_the_socket():
    class HangUp(Recorder):
        def data_received(self, data: bytes) -> None:
            assert self.channel is not None
            self.channel.write(b"bye")
            self.channel.close()

    with open_link("tcp://127.0.0.1:0") as link:
        link.attach(HangUp)
        with connect(link.url, timeout=5) as pos:
            pos.write(b"x")
            assert pos.read_exactly(3, timeout=5.0) == b"bye"
            with pytest.raises(TransportError, match="closed the connection"):
                pos.read(1, timeout=5.0)
