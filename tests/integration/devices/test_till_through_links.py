"""The reference till as a POS: it prints, kicks its drawer and takes cards through real links.

Each test puts the device emulators on a transport (loop, TCP on 127.0.0.1, a pty, an
emulated USB printer) and runs the till against them through the same URL-configured
ports a shop would use. Verdicts come from the evidence: what the printer emulator
decoded, the drawer's kicks and sensor, the terminal's messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from devices.drawer import DrawerEmulator
from devices.escpos import PrinterEmulator, decode_bytes
from devices.station import DeviceStation
from devices.terminal import TerminalEmulator, TerminalServer, decline, timeout
from devices.transports import transport_usb
from devices.transports.usb_backend import EmulatedUsbPrinterBackend
from harness.evidence import EvidenceLog
from reference_till.config import load_config
from reference_till.demo import run_demo
from reference_till.device_setup import DeviceConfigError, open_devices
from reference_till.errors import DrawerOpen, PaymentError, PrinterUnavailable, ReceiptNotPrinted
from reference_till.model import TransactionKind
from reference_till.till import Till

DAY = date(2026, 11, 20)


@pytest.mark.parametrize("link", ["tcp://127.0.0.1:0", "pty://", "usb://"])
def test_demo_day_through_a_real_transport(link: str, tmp_path: Path) -> None:
    result = run_demo(tmp_path / "out", day=DAY, printer_link=link)
    out = result.out_dir
    assert result.documents == 22
    evidence = EvidenceLog.read_ndjson((out / "evidence.ndjson").read_text(encoding="utf-8").splitlines())
    documents = [r for r in evidence if r.kind == "printer.document"]
    assert len(documents) == result.documents
    received: dict[str, bytes] = {}
    for r in evidence:
        if r.kind == "link.rx":
            received[r.source] = received.get(r.source, b"") + r.raw
    assert len(received) == 2  # one printer link per kassapunkt
    # Every document's bytes crossed a link, byte for byte.
    for record in documents:
        assert any(record.raw in stream for stream in received.values())
        (receipt,) = decode_bytes(record.raw)
        assert not receipt.anomalies, receipt.anomalies
    copies = [d for d in documents if "KOPI" in str(d.data["text"])]
    assert copies
    for record in copies:
        (receipt,) = decode_bytes(record.raw)
        assert receipt.is_larger("KOPI", "Totalt inkl. mva")
    # Drawer: every kick opened it and the cashier closed it again (§ 2-6 femte ledd).
    kicks = [r for r in evidence if r.kind == "drawer.kick"]
    assert kicks and all(k.data["opened"] for k in kicks)
    sensor = [r.data["open"] for r in evidence if r.kind == "drawer.sensor"]
    assert sensor == [True, False] * len(kicks)
    # Card payments went through the terminal over HTTP.
    approved = [r for r in evidence if r.kind == "terminal.response" and r.data.get("result") == "Success"]
    assert len([r for r in approved if r.data.get("category") == "Payment"]) >= 4


def _short_day(till: Till, register: str) -> None:
    till.start(register)
    till.login(register, "1001")
    till.add_item(register, "1001", 2)
    till.pay_cash(register)
    till.conclude(register)


@pytest.fixture
def usb_printer() -> Iterator[tuple[PrinterEmulator, DrawerEmulator, EvidenceLog]]:
    log = EvidenceLog()
    drawer = DrawerEmulator(log)
    printer = PrinterEmulator(log=log, drawer=drawer)
    backend = EmulatedUsbPrinterBackend(0x04B8, 0x0202)
    backend.attach(printer.session)
    transport_usb.set_backend(backend)
    try:
        yield printer, drawer, log
    finally:
        transport_usb.set_backend(None)
        backend.close()


def test_till_prints_and_kicks_through_an_emulated_usb_printer(
    usb_printer: tuple[PrinterEmulator, DrawerEmulator, EvidenceLog], tmp_path: Path
) -> None:
    printer, drawer, log = usb_printer
    config = load_config()
    register = config.registers[0]
    devices = open_devices(register, printer="usb://04b8:0202", drawer="printer")
    till = Till(tmp_path / "journal.sqlite", config, devices={register.id: devices})
    try:
        _short_day(till, register.id)
        assert drawer.is_open
        with pytest.raises(DrawerOpen):  # the till reads the sensor through the printer
            till.add_item(register.id, "1002")
        drawer.close()
        till.print_copy(register.id, till.journal.last_transaction(register.id).trans_id)  # type: ignore[union-attr]
        till.x_report(register.id)
    finally:
        till.close()
        devices.printer.close()  # type: ignore[attr-defined]
    texts = [d.to_text() for d in printer.documents]
    assert len(texts) == 3
    assert "Salgskvittering" in texts[0] and "KOPI" in texts[1] and "X-rapport" in texts[2]
    assert printer.documents[1].is_larger("KOPI", "Totalt inkl. mva")
    assert [k.data["source"] for k in log.since(0, kind="drawer.kick")] == ["ESC p"]


@pytest.fixture
def station() -> Iterator[DeviceStation]:
    with DeviceStation("K1", printer_link="loop://", terminal=True) as emulated:
        yield emulated


@pytest.fixture
def till(station: DeviceStation, tmp_path: Path) -> Iterator[Till]:
    config = load_config()
    register = config.registers[0]
    devices = open_devices(
        register,
        printer=station.pos_printer_url,
        drawer="printer",
        terminal=station.pos_terminal_url,
        timeout=0.5,
    )
    subject = Till(tmp_path / "journal.sqlite", config, devices={register.id: devices})
    subject.start("K1")
    subject.login("K1", "1001")
    try:
        yield subject
    finally:
        subject.close()
        devices.printer.close()  # type: ignore[attr-defined]


def test_paper_out_before_the_sale_refuses_it_and_journals_nothing(till: Till, station: DeviceStation) -> None:
    till.add_item("K1", "1001")
    till.pay_cash("K1")
    station.printer.set_state(paper="out")
    before = till.journal.last_seq
    with pytest.raises(PrinterUnavailable, match="paper out"):
        till.conclude("K1")
    assert till.journal.last_seq == before
    station.printer.set_state(paper="ok")
    till.conclude("K1")
    assert len(station.printer.documents) == 1


def test_paper_out_mid_receipt_is_journaled_and_never_printed_twice(till: Till, station: DeviceStation) -> None:
    till.add_item("K1", "1001")
    till.pay_cash("K1")

    def paper_runs_out(record: object) -> None:
        # The paper ends while the receipt's bytes arrive: the printer holds the rest.
        if getattr(record, "kind", "") == "link.rx" and len(getattr(record, "raw", b"")) > 200:
            station.printer.set_state(paper="out")

    station.log.subscribe(paper_runs_out)
    with pytest.raises(ReceiptNotPrinted):
        till.conclude("K1")
    tx = till.journal.last_transaction("K1")
    assert tx is not None and tx.kind is TransactionKind.SALE  # the sale is journaled
    assert station.printer.documents == []
    station.printer.set_state(paper="ok")  # new roll: the held receipt comes out
    station.printer.wait_for_documents(1, timeout=5.0)
    assert till.retry_printing("K1") == 0  # the late confirmation counts; nothing resent
    assert len(station.printer.documents) == 1
    assert tx.trans_id.split("-")[1] in station.printer.documents[0].to_text()


def test_terminal_decline_and_timeout_leave_the_sale_open(till: Till, station: DeviceStation) -> None:
    till.add_item("K1", "2001")
    station.terminal.script(decline())
    with pytest.raises(PaymentError, match="did not approve"):
        till.pay_card("K1")
    station.terminal.script(timeout(2.0))
    client = till.devices("K1").terminal.client  # type: ignore[attr-defined]
    client.timeout = 0.3
    with pytest.raises(PaymentError, match="Tidsavbrudd"):
        till.pay_card("K1")
    client.timeout = 5.0
    reference = till.pay_card("K1")
    till.conclude("K1")
    assert reference
    (document,) = station.printer.documents
    assert reference in document.to_text()  # § 2-8-4: the terminal's transaction id on the receipt


def test_device_urls_are_checked(tmp_path: Path) -> None:
    register = load_config().registers[0]
    with pytest.raises(DeviceConfigError, match="kick connector"):
        open_devices(register, drawer="printer")
    with pytest.raises(DeviceConfigError, match="pin2 or pin5"):
        open_devices(register, printer="loop://nowhere-registered", drawer="printer://pin9")
    with pytest.raises(DeviceConfigError, match="terminal URL"):
        open_devices(register, terminal="ftp://example")


def test_terminal_server_standalone_module_import() -> None:
    # The terminal emulator and its server are usable on their own (devices serve).
    with TerminalServer(TerminalEmulator(), "127.0.0.1", 0) as server:
        assert server.url.startswith("http://127.0.0.1:")
