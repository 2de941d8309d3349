from __future__ import annotations

import socket
import threading

import pytest

from devices.link import Channel, DeviceProtocol, TransportConfigError
from devices.transports import open_link
from harness.evidence import EvidenceLog


class Printer(DeviceProtocol):
    """The 'real' printer upstream: records, answers 10 04 01 with 12."""

    def __init__(self) -> None:
        self.channel: Channel | None = None
        self.received = bytearray()
        self.cond = threading.Condition()

    def connection_made(self, channel: Channel) -> None:
        self.channel = channel

    def data_received(self, data: bytes) -> None:
        with self.cond:
            self.received += data
            self.cond.notify_all()
        if b"\x10\x04\x01" in data:
            assert self.channel is not None
            self.channel.write(b"\x12")


class Observer(Printer):
    """The emulator on the proxy: it also answers, but its reply must be discarded."""


def test_proxy_forwards_both_ways_records_both_and_feeds_the_observer():
    printers: list[Printer] = []
    observers: list[Observer] = []
    log = EvidenceLog()
    with open_link("tcp://127.0.0.1:0") as upstream:
        upstream.attach(lambda: printers.append(Printer()) or printers[-1])
        with open_link(f"tcp-proxy://127.0.0.1:0?upstream={upstream.url}", log=log) as proxy:
            proxy.attach(lambda: observers.append(Observer()) or observers[-1])
            assert proxy.port > 0
            with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as pos:
                pos.sendall(b"\x1b@Hei\n")
                pos.sendall(b"\x10\x04\x01")
                assert pos.recv(16) == b"\x12"  # the printer's reply, exactly once
                pos.settimeout(0.3)
                with pytest.raises(TimeoutError):
                    pos.recv(16)  # the observer's own reply was not forwarded
            assert log.wait_for(lambda r: r.kind == "link.close", timeout=5.0) is not None
    sent = b"\x1b@Hei\n\x10\x04\x01"
    with printers[0].cond:
        assert printers[0].cond.wait_for(lambda: bytes(printers[0].received) == sent, timeout=5.0)
    assert bytes(observers[0].received) == sent
    records = log.since(0, source=f"link:{proxy.url}")
    assert b"".join(r.raw for r in records if r.kind == "link.rx") == sent
    assert [r.raw for r in records if r.kind == "link.tx"] == [b"\x12"]
    assert [r.raw for r in records if r.kind == "link.discarded"] == [b"\x12"]
    channel_names = {r.data["channel"] for r in records if r.kind in ("link.rx", "link.tx")}
    assert len(channel_names) == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("tcp-proxy://127.0.0.1:0", "upstream=URL"),
        ("tcp-proxy://127.0.0.1:0?upstream=nowhere", "not a URL"),
        ("tcp-proxy://127.0.0.1:0?upstream=gopher://x:1", "unknown link scheme"),
        ("tcp-proxy://127.0.0.1:0?speed=1&upstream=tcp://127.0.0.1:9", "unknown option 'speed'"),
        ("tcp-proxy://127.0.0.1:99999?upstream=tcp://127.0.0.1:9", "bad port"),
    ],
)
def test_proxy_url_errors(url, message):
    with pytest.raises(TransportConfigError, match=message):
        open_link(url)
