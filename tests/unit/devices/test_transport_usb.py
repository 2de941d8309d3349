from __future__ import annotations

import pytest
from escpos.printer import Dummy, Usb

from devices.link import Channel, DeviceProtocol, TransportConfigError, TransportError
from devices.transports import connect
from devices.transports.tap import TappedLink
from devices.transports.transport_usb import parse_device_id, set_backend
from devices.transports.usb_backend import EmulatedUsbPrinterBackend
from harness.evidence import EvidenceLog


class Recorder(DeviceProtocol):
    def __init__(self) -> None:
        self.channel: Channel | None = None
        self.received = bytearray()

    def connection_made(self, channel: Channel) -> None:
        self.channel = channel

    def data_received(self, data: bytes) -> None:
        self.received += data
        if self.received.endswith(b"\x10\x04\x01"):
            assert self.channel is not None
            self.channel.write(b"\x12")


@pytest.fixture
def backend():
    emulated = EmulatedUsbPrinterBackend(kernel_driver_active=True)
    set_backend(emulated)
    yield emulated
    set_backend(None)
    emulated.close()


def test_python_escpos_usb_printer_against_the_emulated_backend():
    device = Recorder()
    emulated = EmulatedUsbPrinterBackend()  # python-escpos only detaches drivers on libusb1 backends
    emulated.attach(lambda: device)
    reference = Dummy()
    reference.text("Takk for handelen\n")
    reference.cut()
    printer = Usb(0x04B8, 0x0202, usb_args={"backend": emulated}, timeout=1000)
    printer.open()
    try:
        printer.text("Takk for handelen\n")
        printer.cut()
        printer._raw(b"\x10\x04\x01")
        assert bytes(printer._read()) == b"\x12"
    finally:
        printer.close()
        emulated.close()
    assert bytes(device.received) == reference.output + b"\x10\x04\x01"
    assert emulated.resets == 1  # python-escpos resets the device on open


def test_connect_write_read_device_id_and_port_status(backend):
    device = Recorder()
    backend.attach(lambda: device)
    with connect("usb://04b8:0202", timeout=1.0) as pos:
        assert backend.kernel_driver_active is False  # connect detached usblp
        assert (pos.out_ep, pos.in_ep) == (0x01, 0x82)
        pos.write(b"\x1b@Hei\n")
        pos.write(b"\x10\x04\x01")
        assert pos.read(1, timeout=1.0) == b"\x12"
        assert pos.read(1, timeout=0.01) == b""  # timeout: nothing more
        assert parse_device_id(pos.device_id()) == {
            "MFG": "EPSON",
            "CMD": "ESC/POS",
            "MDL": "TM-T88V",
            "CLS": "PRINTER",
        }
        status = pos.port_status()
        assert (status.raw, status.not_error, status.selected, status.paper_empty) == (0x18, True, True, False)
        backend.port_status = 0x28
        status = pos.port_status()
        assert (status.selected, status.paper_empty) == (False, True)
    assert bytes(device.received) == b"\x1b@Hei\n\x10\x04\x01"
    assert backend.kernel_driver_active is True  # re-attached on close


def test_serial_number_selects_the_device_and_tap_records_usb_traffic(backend):
    log = EvidenceLog()
    device = Recorder()
    link = TappedLink(backend.as_link(), log)
    link.attach(lambda: device)
    with pytest.raises(TransportError, match="no USB device 04b8:0202 with serial 'OTHER'"):
        connect("usb://04b8:0202?serial=OTHER")
    with connect("usb://04b8:0202?serial=KK0001&out_ep=0x01&in_ep=130") as pos:
        pos.write(b"\x10\x04\x01")
        assert pos.read(8, timeout=1.0) == b"\x12"
    assert [(r.kind, r.raw) for r in log if r.kind in ("link.rx", "link.tx")] == [
        ("link.rx", b"\x10\x04\x01"),
        ("link.tx", b"\x12"),
    ]


def test_unplugged_device_and_missing_endpoint(backend):
    with pytest.raises(TransportError, match="out_ep=0x03 does not exist"):
        connect("usb://04b8:0202?out_ep=3")
    pos = connect("usb://04b8:0202")
    backend.close()
    with pytest.raises(TransportError, match="reading"):
        pos.read(1, timeout=0.1)
    pos.close()
    with pytest.raises(TransportError, match="closed"):
        pos.write(b"x")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("usb://04b8", "bad VID:PID"),
        ("usb://epson:0202", "bad VID:PID"),
        ("usb://04b8:02020", "bad VID:PID"),
        ("usb://04b8:0202?speed=1", "unknown option 'speed'"),
        ("usb://04b8:0202?out_ep=zero", "not an endpoint address"),
        ("usb://04b8:0202?interface=-1", "at least 0"),
    ],
)
def test_usb_url_errors_repeat_the_grammar(url, message):
    with pytest.raises(TransportConfigError, match=message) as caught:
        connect(url)
    assert "URL format: usb://VID:PID" in str(caught.value)
