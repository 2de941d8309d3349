from __future__ import annotations

import os
import threading

import pytest
import serial

from devices.link import Channel, DeviceProtocol, TransportConfigError
from devices.transports import connect, open_link
from harness.evidence import EvidenceLog


class Recorder(DeviceProtocol):
    def __init__(self) -> None:
        self.channel: Channel | None = None
        self.received = bytearray()
        self.cond = threading.Condition()
        self.lost: list[BaseException | None] = []
        self.replied = 0

    def connection_made(self, channel: Channel) -> None:
        self.channel = channel

    def data_received(self, data: bytes) -> None:
        with self.cond:
            self.received += data
            self.cond.notify_all()
        # the request may arrive split over several chunks: answer each complete one once
        while self.received.count(b"\x10\x04\x01") > self.replied:
            self.replied += 1
            assert self.channel is not None
            self.channel.write(b"\x12")

    def connection_lost(self, exc: BaseException | None) -> None:
        self.lost.append(exc)

    def wait_bytes(self, count: int, timeout: float = 5.0) -> bytes:
        with self.cond:
            self.cond.wait_for(lambda: len(self.received) >= count, timeout=timeout)
            return bytes(self.received)


def test_pyserial_client_round_trip_in_order_and_raw(tmp_path):
    device = Recorder()
    stable = tmp_path / "ttyPRN"
    with open_link(f"pty://?link={stable}") as link:
        link.attach(lambda: device)
        assert os.readlink(stable) == link.slave_path
        assert link.slave_path in link.describe() or str(stable) in link.describe()
        payload = bytes(range(256)) * 8 + b"line one\nline two\n"
        with serial.Serial(str(stable), baudrate=9600, timeout=2) as pos:
            for start in range(0, len(payload), 100):
                pos.write(payload[start : start + 100])
            assert device.wait_bytes(len(payload)) == payload  # in order, no \n -> \r\n
            pos.write(b"\x10\x04\x01")
            assert pos.read(1) == b"\x12"
            assert device.channel is not None
            device.channel.write(b"A\nB")
            assert pos.read(3) == b"A\nB"  # raw: the device's \n is not translated either
    assert device.lost == [None]
    assert not os.path.lexists(stable)  # the symlink is removed on close


def test_baud_rate_is_read_and_a_mismatch_is_recorded():
    log = EvidenceLog()
    device = Recorder()
    with open_link("pty://?baud=9600", log=log) as link:
        link.attach(lambda: device)
        with serial.Serial(link.slave_path, baudrate=19200, stopbits=2, timeout=2) as pos:
            settings = link.pos_settings()
            assert (settings.baud, settings.stopbits) == (19200, 2)
            pos.write(b"x")
            device.wait_bytes(1)
            warning = log.wait_for(lambda r: r.kind == "link.warning", timeout=5.0)
        assert warning is not None
        assert warning.data["expected_baud"] == 9600 and warning.data["pos_baud"] == 19200
        assert warning.source == f"link:{link.url}"


def test_serial_connect_reaches_a_pty_link():
    device = Recorder()
    with open_link("pty://") as link:
        link.attach(lambda: device)
        with connect(f"serial://{link.slave_path}#baud=9600") as pos:
            pos.write(b"ESC/POS \x10\x04\x01")
            assert pos.read_exactly(1, timeout=5.0) == b"\x12"
            assert pos.read(10, timeout=0.0) == b""
        assert device.wait_bytes(11) == b"ESC/POS \x10\x04\x01"


def test_serial_link_over_pyserial_loop_url():
    device = Recorder()
    with open_link("serial://loop://#baud=19200") as link:
        link.attach(lambda: device)
        # pyserial's loop:// echoes: what the device writes comes back to it as POS input
        assert device.channel is not None
        device.channel.write(b"\x10\x04\x01")
        assert device.wait_bytes(4) == b"\x10\x04\x01\x12"
    assert device.lost == [None]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("pty://?speed=9600", "unknown option 'speed'"),
        ("pty://?baud=fast", "not a whole number"),
        ("pty:///dev/pts/9", "takes no path"),
        ("serial://", "no port given"),
        ("serial:///dev/ttyS0#baud=9600&speed=1", "unknown option 'speed'"),
        ("serial:///dev/ttyS0#parity=X", "parity"),
        ("serial:///dev/ttyS0#stopbits=3", "stopbits"),
        ("serial:///dev/ttyS0#bytesize=9", "bytesize"),
        ("serial://nosuch://x", "pyserial rejected"),
    ],
)
def test_serial_and_pty_url_errors_repeat_the_grammar(url, message):
    with pytest.raises(TransportConfigError, match=message) as caught:
        if url.startswith("pty"):
            open_link(url)
        else:
            connect(url)
    assert "URL format:" in str(caught.value)


def test_serial_options_are_separated_from_the_inner_query():
    from devices.transports.transport_serial import parse_url

    port, kwargs = parse_url("serial://spy://loop://?file=x.txt#baud=19200&parity=e&rtscts=1")
    assert port == "spy://loop://?file=x.txt"
    assert (kwargs["baudrate"], kwargs["parity"], kwargs["rtscts"], kwargs["dsrdtr"]) == (19200, "E", True, False)
    assert parse_url("serial://hwgrep://0403:#x#")[0] == "hwgrep://0403:#x"
