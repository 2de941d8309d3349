from __future__ import annotations

import threading

import pytest

from devices.link import Channel, DeviceProtocol, TransportError
from devices.transports import connect, open_link


class Recorder(DeviceProtocol):
    """Records what arrives; answers DLE EOT 1 with 0x12 from inside data_received."""

    def __init__(self) -> None:
        self.channel: Channel | None = None
        self.received = bytearray()
        self.lost: list[BaseException | None] = []

    def connection_made(self, channel: Channel) -> None:
        self.channel = channel

    def data_received(self, data: bytes) -> None:
        self.received += data
        if b"\x10\x04\x01" in data:
            assert self.channel is not None
            self.channel.write(b"\x12")

    def connection_lost(self, exc: BaseException | None) -> None:
        self.lost.append(exc)


@pytest.fixture
def recorders():
    made: list[Recorder] = []

    def factory() -> Recorder:
        made.append(Recorder())
        return made[-1]

    link = open_link("loop://printer-test")
    link.attach(factory)
    yield link, made
    link.close()


def test_round_trip_and_reply_during_data_received(recorders):
    _link, made = recorders
    with connect("loop://printer-test") as pos:
        pos.write(b"hello ")
        pos.write(b"\x10\x04\x01")
        assert bytes(made[0].received) == b"hello \x10\x04\x01"
        assert pos.read(10, timeout=1.0) == b"\x12"
        assert pos.read(10, timeout=0.0) == b""
    assert made[0].lost == [None]


def test_several_connections_have_their_own_protocol(recorders):
    _link, made = recorders
    with connect("loop://printer-test") as a, connect("loop://printer-test") as b:
        a.write(b"A")
        b.write(b"B\x10\x04\x01")
        assert [bytes(r.received) for r in made] == [b"A", b"B\x10\x04\x01"]
        assert made[0].channel is not None and made[1].channel is not None
        assert made[0].channel.name != made[1].channel.name
        assert b.read(1, timeout=1.0) == b"\x12"
        assert a.read(1, timeout=0.0) == b""


def test_concurrent_writers_do_not_deadlock(recorders):
    _link, _made = recorders
    connections = [connect("loop://printer-test") for _ in range(4)]
    try:

        def hammer(pos) -> None:
            for _ in range(50):
                pos.write(b"\x10\x04\x01")

        threads = [threading.Thread(target=hammer, args=(c,), daemon=True) for c in connections]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=10)
        assert not any(t.is_alive() for t in threads)
        for pos in connections:
            assert pos.read_exactly(50, timeout=2.0) == b"\x12" * 50
    finally:
        for pos in connections:
            pos.close()


def test_close_unregisters_and_ends_connections():
    made: list[Recorder] = []
    link = open_link("loop://")
    assert link.url.startswith("loop://anon-")
    link.attach(lambda: made.append(Recorder()) or made[-1])
    pos = connect(link.url)
    pos.write(b"\x10\x04\x01")
    link.close()
    assert made[0].lost == [None]
    with pytest.raises(TransportError, match="closed"):
        pos.write(b"x")
    assert pos.read(1, timeout=0.0) == b"\x12"  # what was sent before the close can still be read
    with pytest.raises(TransportError):
        pos.read(1, timeout=0.0)
    with pytest.raises(TransportError, match="no loop:// link named"):
        connect(link.url)
    pos.close()


def test_device_hang_up_inside_data_received():
    class HangUp(Recorder):
        def data_received(self, data: bytes) -> None:
            assert self.channel is not None
            self.channel.write(b"bye")
            self.channel.close()
            assert self.lost == []  # connection_lost is not nested inside data_received

    made: list[Recorder] = []
    with open_link("loop://hangup") as link:
        link.attach(lambda: made.append(HangUp()) or made[-1])
        pos = connect("loop://hangup")
        pos.write(b"x")
        assert made[0].lost == [None]
        assert pos.read(10, timeout=1.0) == b"bye"
        with pytest.raises(TransportError):
            pos.write(b"y")
        pos.close()


def test_duplicate_name_and_unattached_link():
    with open_link("loop://twice") as link:
        with pytest.raises(TransportError, match="already open"):
            open_link("loop://twice")
        with pytest.raises(TransportError, match="attach"):
            connect("loop://twice")
        assert "loop://twice" in link.describe()
