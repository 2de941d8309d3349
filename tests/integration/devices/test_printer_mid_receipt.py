"""The reference till and a printer that stops in the middle of a receipt, over TCP.

kassasystemforskrifta § 2-6 fjerde ledd: the sale is journaled before its receipt is
printed; when the paper runs out (or the cover is opened) half-way, the till notices at
once by polling the printer's status, journals the failure, and prints the receipt by
itself once the printer is ready -- unless the printer finished it after the paper change,
which would make a second original.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.station import DeviceStation
from devices.transports import connect
from reference_till.codes import EventType
from reference_till.config import load_config
from reference_till.device_setup import open_devices
from reference_till.errors import ReceiptNotPrinted
from reference_till.faults import Fault
from reference_till.model import Event
from reference_till.till import Till

#: DLE DC4 fn 8: clear the printer's buffers (devices.md §1.2); the held rest is lost.
CLEAR_BUFFERS = bytes.fromhex("10 14 08 01 03 14 01 06 02 08")


@pytest.fixture
def station() -> Iterator[DeviceStation]:
    with DeviceStation("K1", printer_link="tcp://127.0.0.1:0", terminal=True) as emulated:
        yield emulated


def open_till(station: DeviceStation, path: Path, faults: frozenset[Fault] = frozenset()) -> Till:
    config = load_config()
    register = config.registers[0]
    devices = open_devices(
        register, printer=station.pos_printer_url, drawer="printer", terminal=station.pos_terminal_url, timeout=5.0
    )
    till = Till(path, config, devices={register.id: devices}, faults=faults)
    till.start("K1")
    till.login("K1", "1001")
    return till


@pytest.fixture
def till(station: DeviceStation, tmp_path: Path) -> Iterator[Till]:
    subject = open_till(station, tmp_path / "journal.sqlite")
    try:
        yield subject
    finally:
        subject.close()
        subject.devices("K1").printer.close()  # type: ignore[attr-defined]


def conclude_with_paper_running_out(till: Till, station: DeviceStation, lines: int = 3) -> str:
    """A cash sale whose receipt stops after ``lines`` lines; returns its transID."""
    till.add_item("K1", "1001")
    till.pay_cash("K1")
    station.printer.fail_after_lines(lines, paper_out=True)
    started = time.monotonic()
    with pytest.raises(ReceiptNotPrinted, match="stopped mid-document"):
        till.conclude("K1")
    assert time.monotonic() - started < 1.0  # status polling, not the 5 s timeout
    tx = till.journal.last_transaction("K1")
    assert tx is not None
    return tx.trans_id


def print_failures(till: Till) -> list[Event]:
    return [
        e.record
        for e in till.entries(register_id="K1")
        if isinstance(e.record, Event) and e.record.event_type == EventType.PRINT_FAILED
    ]


def test_a_receipt_finished_after_the_paper_change_counts_as_printed(till: Till, station: DeviceStation) -> None:
    trans_id = conclude_with_paper_running_out(till, station)
    (failure,) = print_failures(till)
    assert failure.trans_id == trans_id and "paper out" in failure.text
    assert station.printer.documents == []
    station.printer.set_state(paper="ok")  # a new roll: the printer prints the rest by itself
    (receipt,) = station.printer.wait_for_documents(1)
    assert trans_id.split("-")[1] in receipt.to_text() and "Totalt inkl. mva" in receipt.to_text()
    station.drawer.close(cause="manual")  # the held kick opened the drawer with the rest
    till.add_item("K1", "1002")  # the next operation notices the late confirmation
    assert till.journal.unfinished_print_jobs() == []
    till.pay_cash("K1")
    till.conclude("K1")
    texts = [d.to_text() for d in station.printer.wait_for_documents(2)]
    assert len(texts) == 2 and trans_id.split("-")[1] in texts[0] and trans_id.split("-")[1] not in texts[1]


def test_nothing_is_sent_while_the_printer_stays_down(till: Till, station: DeviceStation) -> None:
    conclude_with_paper_running_out(till, station)
    held = station.printer.held
    till.add_item("K1", "1002")  # the printer reports paper out: the receipt keeps waiting
    assert station.printer.held == held  # no second copy queued behind the first
    assert len(till.journal.unfinished_print_jobs()) == 1
    assert till.retry_printing("K1") == 1
    station.printer.set_state(paper="ok")
    assert till.retry_printing("K1") == 0
    assert len(station.printer.documents) == 1


def test_a_receipt_the_printer_lost_is_printed_again_once(till: Till, station: DeviceStation) -> None:
    trans_id = conclude_with_paper_running_out(till, station)
    other = connect(station.pos_printer_url, timeout=1.0)
    try:
        other.write(CLEAR_BUFFERS)  # the held rest is discarded: the receipt never comes out
        deadline = time.monotonic() + 2.0
        while station.printer.held and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        other.close()
    station.printer.set_state(paper="ok")
    assert till.retry_printing("K1") == 0  # no late confirmation: sent again
    documents = station.printer.wait_for_documents(1)
    assert len(documents) == 1 and trans_id.split("-")[1] in documents[0].to_text()


def test_with_the_fault_switch_the_receipt_is_sent_again_as_a_second_original(
    station: DeviceStation, tmp_path: Path
) -> None:
    till = open_till(station, tmp_path / "journal.sqlite", frozenset({Fault.REPRINT_UNCONFIRMED}))
    try:
        trans_id = conclude_with_paper_running_out(till, station)
        station.printer.set_state(paper="ok")
        station.printer.wait_for_documents(1)
        assert till.retry_printing("K1") == 0
        documents = station.printer.wait_for_documents(2)
        assert [trans_id.split("-")[1] in d.to_text() for d in documents] == [True, True]
    finally:
        till.close()
        till.devices("K1").printer.close()  # type: ignore[attr-defined]
