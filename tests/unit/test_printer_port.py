"""The reference till's ESC/POS printer port against a scripted printer: confirmation and status polling.

A :class:`ScriptedPrinter` is the POS end of a link whose far side answers from a script:
what it sends back after each request, one read at a time, so the order in which the
process-ID answer and the status replies arrive is chosen by the test.
"""

from __future__ import annotations

import time
from collections import deque

import pytest

from devices.link import HostConnection
from reference_till.device_ports import EscposPrinterPort
from reference_till.ports import PrinterError

GS_PAREN_H = b"\x1d(H\x06\x0000"
DLE_EOT = b"\x10\x04"
DOCUMENT = b"\x1b@Salgskvittering\nKvitteringsnr.: S000001\n\x1dV\x00"


class ScriptedPrinter(HostConnection):
    """A printer's back-channel: each request's answer is queued as one read's worth of bytes."""

    url = "scripted://printer"

    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.chunks: deque[bytes] = deque()
        self.paper_out = False  # stopped: DLE EOT says so, process IDs are not answered
        self.answer_ids = True
        self.drawer_open = False

    def write(self, data: bytes) -> None:
        self.written.append(data)
        if data.startswith(DLE_EOT):
            self.chunks.append(bytes(self._status(data[i + 2]) for i in range(0, len(data), 3)))
        elif GS_PAREN_H in data and self.answer_ids and not self.paper_out:
            self.chunks.append(self.answer(data))

    @staticmethod
    def answer(request: bytes) -> bytes:
        """The process-ID answer to the GS ( H at the end of ``request``."""
        return b"\x37\x22" + request[-4:] + b"\x00"

    def _status(self, n: int) -> int:
        value = 0x12
        if n == 1:
            value |= (0x04 if self.drawer_open else 0) | (0x08 if self.paper_out else 0)
        elif n == 2:
            value |= 0x20 if self.paper_out else 0
        elif n == 4:
            value |= 0x60 if self.paper_out else 0
        return value

    def read(self, size: int, timeout: float) -> bytes:
        if self.chunks:
            return self.chunks.popleft()
        time.sleep(min(timeout, 0.01))
        return b""

    def close(self) -> None:
        pass


def test_a_printer_that_stops_mid_receipt_is_given_up_on_at_once() -> None:
    printer = ScriptedPrinter()
    printer.paper_out = True  # it took the first lines and stopped: no process-ID answer
    port = EscposPrinterPort(printer, timeout=5.0, poll=0.05)
    started = time.monotonic()
    with pytest.raises(PrinterError, match=r"stopped mid-document \(offline, paper out\)"):
        port.print_document(DOCUMENT)
    assert time.monotonic() - started < 0.5
    assert not port.printed_late(DOCUMENT)
    printer.chunks.append(printer.answer(printer.written[0]))  # the new roll: it finished
    assert port.printed_late(DOCUMENT)
    assert not port.printed_late(DOCUMENT)  # counted once


def test_status_replies_overtaken_by_the_confirmation_do_not_answer_a_later_request() -> None:
    printer = ScriptedPrinter()
    port = EscposPrinterPort(printer, timeout=5.0, poll=0.05)
    printer.answer_ids = False
    original_write = printer.write

    def write(data: bytes) -> None:
        original_write(data)
        if data.startswith(DLE_EOT) and len(data) == 9:
            # the confirmation comes first, the replies to the status poll in a later read
            replies = printer.chunks.pop()
            printer.chunks.append(printer.answer(printer.written[0]))
            printer.chunks.append(replies)

    printer.write = write  # type: ignore[method-assign]
    port.print_document(DOCUMENT)  # confirmed while the status poll's replies are still on their way
    printer.drawer_open = True
    assert port.drawer_pin3_high()  # the reply to this request, not a stale one from the poll
