"""The till's ports over real links: an ESC/POS printer, its drawer, a nexo terminal.

The reference till is a POS like any other: it reaches its receipt printer over a link
chosen by URL (``tcp://127.0.0.1:9100``, ``serial:///dev/pts/4``, ``usb://04b8:0202``,
``loop://printer``; see :func:`devices.transports.connect`), opens the cash drawer through
the printer's drawer-kick connector and takes card payments from a nexo terminal over
HTTP. Whether the far end is an emulator or real hardware makes no difference here.

Printing is confirmed, not assumed (kassasystemforskrifta § 2-6 fjerde ledd: no sale
without its printed receipt):

1. Before a document, the printer's status is read with ``DLE EOT 1``, ``DLE EOT 2`` and
   ``DLE EOT 4`` (devices.md §1.5); a printer that is offline, out of paper or open is
   reported as not ready and the till refuses the sale before journaling anything.
2. The document is sent, followed by ``GS ( H`` fn 48 (a process-ID request). A printer
   answers ``37 22 d1..d4 00`` only once everything before it has been processed, so the
   answer proves the receipt was printed; a printer that stops mid-receipt (paper out,
   cover opened) holds the rest and does not answer.
3. While the answer is awaited the port polls ``DLE EOT`` (real-time: answered even by a
   stopped printer) every :attr:`EscposPrinterPort.poll` seconds. As soon as the printer
   reports paper out, cover open or offline, or when no answer came within the timeout,
   the document counts as *not printed* (:class:`~reference_till.ports.PrinterError`);
   the till journals the failure. A fault mid-receipt thus costs a fraction of a second.
4. A printer that stopped mid-receipt prints the rest once the paper is changed, and its
   late answer then arrives. Before the till sends a failed document again it asks
   :meth:`EscposPrinterPort.printed_late`, which looks for that answer: a document the
   printer finished is on paper, and sending it again would make a second original (an
   unmarked copy, § 2-6 fjerde ledd). Only a document whose answer never came is sent again.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from collections.abc import Callable

from devices.link import HostConnection, TransportError
from devices.terminal import NexoClient, PaymentOutcome
from reference_till.model import KeyCountAmount
from reference_till.ports import (
    DrawerPort,
    PaymentTerminalPort,
    PrinterError,
    PrinterPort,
    PrinterStatus,
    TerminalResult,
)

__all__ = ["EscposDrawerPort", "EscposPrinterPort", "NexoTerminalPort"]

_DLE_EOT = b"\x10\x04"
#: DLE EOT 1 (printer), 2 (offline cause) and 4 (roll paper): three one-byte replies.
_STATUS_REQUEST = _DLE_EOT + b"\x01" + _DLE_EOT + b"\x02" + _DLE_EOT + b"\x04"
#: ``ESC p m t1 t2``: pulse ON 25 × 2 ms = 50 ms, OFF 250 × 2 ms (devices.md §1.2, §3.1).
_PULSE_TIMES = bytes([25, 250])


def _is_dle_eot_reply(byte: int) -> bool:
    # devices.md §1.5 "identification of send status": DLE EOT replies are 0xx1xx10.
    return byte & 0x93 == 0x12


def _is_asb_first(byte: int) -> bool:
    # ASB first byte 0xx1xx00, followed by three bytes 0xx0xxxx.
    return byte & 0x93 == 0x10


def _status_of(printer: int, offline: int, paper: int) -> PrinterStatus:
    """The replies to DLE EOT 1, 2 and 4 combined (devices.md §1.5)."""
    # n=1 bit 3 offline; n=2 bit 2 cover open, bit 5 stopped by paper end; n=4 bits 5+6 paper end,
    # bits 2+3 near end.
    return PrinterStatus(
        online=not printer & 0x08,
        paper_out=bool(paper & 0x60) or bool(offline & 0x20),
        paper_near_end=bool(paper & 0x0C),
        cover_open=bool(offline & 0x04),
    )


class _Replies:
    """Sorts the printer's back-channel into status bytes and process-ID answers."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.status: list[int] = []
        self.process_ids: set[bytes] = set()
        self.stale = 0  #: status replies still on their way to a request nobody waits for any more

    def feed(self, data: bytes) -> None:
        self.buffer += data
        buf = self.buffer
        i = 0
        while i < len(buf):
            byte = buf[i]
            if byte == 0x37:  # GS ( H answer: 37 22 d1 d2 d3 d4 00
                if len(buf) - i < 7:
                    break
                if buf[i + 1] == 0x22 and buf[i + 6] == 0:
                    self.process_ids.add(bytes(buf[i + 2 : i + 6]))
                    i += 7
                    continue
                i += 1
            elif _is_dle_eot_reply(byte):
                if self.stale:
                    self.stale -= 1
                else:
                    self.status.append(byte)
                i += 1
            elif _is_asb_first(byte):
                if len(buf) - i < 4:
                    break
                i += 4  # automatic status back: not asked for, skipped
            elif byte == 0x5F:  # GS I block answer: 5F ... 00
                end = buf.find(b"\x00", i)
                if end < 0:
                    break
                i = end + 1
            else:
                i += 1  # XON/XOFF or noise
        del buf[:i]


class EscposPrinterPort(PrinterPort):
    """A receipt printer that speaks ESC/POS over a link.

    Args:
        connection: The POS end of the link (:func:`devices.transports.connect`).
        timeout: Seconds to wait for a status byte or a print confirmation.
        poll: Seconds between status polls while a print confirmation is awaited.
    """

    def __init__(self, connection: HostConnection, *, timeout: float = 3.0, poll: float = 0.1) -> None:
        self.connection = connection
        self.timeout = timeout
        self.poll = poll
        self._replies = _Replies()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._unconfirmed: dict[bytes, bytes] = {}  # sha256 of a document -> its process id

    # ------------------------------------------------------------------ status

    def _collect(self, timeout: float) -> None:
        data = self.connection.read(4096, timeout)
        if data:
            self._replies.feed(data)

    def _wait_until(self, done: Callable[[], bool], timeout: float) -> bool:
        """Read the back-channel until ``done()`` or ``timeout`` seconds; what already arrived counts."""
        deadline = time.monotonic() + timeout
        self._collect(0.0)
        while not done():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._collect(min(remaining, 0.2))
        return True

    def _ask(self, request: bytes, replies: int) -> list[int]:
        self._replies.status.clear()
        self.connection.write(request)
        if not self._wait_until(lambda: len(self._replies.status) >= replies, self.timeout):
            raise PrinterError(
                f"the printer at {self.connection.url} did not answer DLE EOT within {self.timeout:g} s; "
                "check that it is switched on and connected"
            )
        return self._replies.status[:replies]

    def _read_status(self, timeout: float, stop: Callable[[], bool] = lambda: False) -> PrinterStatus | None:
        """Ask DLE EOT 1, 2 and 4; ``None`` if the replies did not come within ``timeout`` (or ``stop()``)."""
        self._replies.status.clear()
        self.connection.write(_STATUS_REQUEST)
        replies = self._replies.status
        if not self._wait_until(lambda: len(replies) >= 3 or stop(), timeout):
            return None
        if len(replies) < 3:  # stop() came first: the replies still due must not answer a later request
            self._replies.stale += 3 - len(replies)
            return None
        return _status_of(*replies[:3])

    def status(self) -> PrinterStatus:
        """Read DLE EOT 1 (printer), 2 (offline cause) and 4 (paper) and combine them.

        A printer that does not answer is reported offline.
        """
        with self._lock:
            try:
                status = self._read_status(self.timeout)
            except TransportError:
                status = None
        return status if status is not None else PrinterStatus(online=False)

    def drawer_pin3_high(self) -> bool:
        """Read the drawer connector's pin 3 (DLE EOT 1 bit 2)."""
        with self._lock:
            try:
                (printer,) = self._ask(_DLE_EOT + b"\x01", 1)
            except TransportError as exc:
                raise PrinterError(f"printer link lost: {exc}") from exc
        return bool(printer & 0x04)

    # ------------------------------------------------------------------ printing

    def _confirm(self, process_id: bytes) -> None:
        """Wait for the printer's answer to ``process_id``, polling its status meanwhile (see module doc).

        Raises:
            PrinterError: The printer reported that it stopped, or did not answer within the timeout.
            TransportError: The link failed.
        """
        ids = self._replies.process_ids
        deadline = time.monotonic() + self.timeout
        while not self._wait_until(lambda: process_id in ids, 0.0):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PrinterError(
                    f"the printer at {self.connection.url} did not confirm the document within {self.timeout:g} s; "
                    "check that it is switched on and connected"
                )
            # kassasystemforskrifta § 2-6 fjerde ledd: a printer that stopped mid-receipt (paper out,
            # cover open) holds the rest; give up on it now rather than after the whole timeout
            status = self._read_status(remaining, lambda: process_id in ids)
            if process_id in ids:
                break
            if status is not None and not status.ready:
                raise PrinterError(
                    f"the printer at {self.connection.url} stopped mid-document ({status.describe()}); "
                    "the rest of the document waits in the printer until it is ready again"
                )
            self._wait_until(lambda: process_id in ids, min(self.poll, max(deadline - time.monotonic(), 0.0)))
        ids.discard(process_id)

    def _send_confirmable(self, data: bytes) -> bytes:
        """Send ``data`` followed by a process-ID request; returns the ID the printer will echo."""
        process_id = f"{next(self._ids) % 10000:04d}".encode("ascii")
        # GS ( H fn 48: 1D 28 48 06 00 30 30 d1 d2 d3 d4 (devices.md §1.2).
        self.connection.write(data + b"\x1d(H\x06\x0000" + process_id)
        return process_id

    def print_document(self, data: bytes) -> None:
        """Send a document and wait for the printer to confirm it processed all of it.

        The document is always sent; a caller printing a failed document again asks
        :meth:`printed_late` first (see the module doc).

        Raises:
            PrinterError: The link failed, or the printer stopped or did not confirm in time.
        """
        key = hashlib.sha256(data).digest()
        with self._lock:
            try:
                process_id = self._send_confirmable(data)
            except TransportError as exc:
                raise PrinterError(f"printer link lost while printing: {exc}") from exc
            try:
                self._confirm(process_id)
            except TransportError as exc:
                self._unconfirmed[key] = process_id
                raise PrinterError(f"printer link lost while printing: {exc}") from exc
            except PrinterError:
                self._unconfirmed[key] = process_id  # it may still come out: printed_late() looks
                raise
            self._unconfirmed.pop(key, None)

    def printed_late(self, data: bytes) -> bool:
        """Whether the printer finished ``data`` after :meth:`print_document` gave up on it.

        True when the printer's answer to the failed attempt has arrived since (it resumed
        after the paper change): the document is on paper and must not be sent again.

        Raises:
            PrinterError: The link failed.
        """
        key = hashlib.sha256(data).digest()
        with self._lock:
            earlier = self._unconfirmed.get(key)
            if earlier is None:
                return False
            try:
                self._collect(0.0)
            except TransportError as exc:
                raise PrinterError(f"printer link lost: {exc}") from exc
            if earlier not in self._replies.process_ids:
                return False
            self._replies.process_ids.discard(earlier)
            del self._unconfirmed[key]
            return True

    def kick(self, pin: int) -> None:
        """Pulse the drawer connector: ``ESC p m t1 t2`` (m = 0 for pin 2, 1 for pin 5).

        ``ESC p`` is a buffered command: it follows the document just printed. A process-ID
        request after it tells when the printer has executed it, so the drawer is open (or
        jammed, which its sensor will show) when this returns. A printer that holds the
        kick (paper out, also mid-receipt) opens the drawer later; the sensor is the truth
        either way, so this returns as soon as the printer reports that it stopped.
        """
        with self._lock:
            try:
                process_id = self._send_confirmable(b"\x1bp" + bytes([0 if pin == 2 else 1]) + _PULSE_TIMES)
                self._confirm(process_id)
            except PrinterError:
                pass  # held or unanswered: the drawer's sensor tells whether it opened
            except TransportError as exc:
                raise PrinterError(f"printer link lost: {exc}") from exc

    def close(self) -> None:
        """Close the link."""
        self.connection.close()


class EscposDrawerPort(DrawerPort):
    """A cash drawer on the printer's drawer-kick connector (devices.md §3.1).

    Args:
        printer: The printer the drawer is plugged into.
        pin: Kick-out pin, 2 (drawer 1) or 5 (drawer 2).
        open_level: The pin-3 level that means open for this drawer's switch (§3.2).
    """

    def __init__(self, printer: EscposPrinterPort, *, pin: int = 2, open_level: str = "high") -> None:
        if pin not in (2, 5):
            raise ValueError("the drawer kick connector drives pin 2 (drawer 1) or pin 5 (drawer 2)")
        if open_level not in ("high", "low"):
            raise ValueError("open_level is the pin-3 level meaning open: 'high' or 'low'")
        self.printer = printer
        self.pin = pin
        self.open_level = open_level

    def kick(self) -> None:
        """Send the kick command after whatever the printer was given before."""
        self.printer.kick(self.pin)

    def is_open(self) -> bool:
        """The drawer sensor through the printer (kassasystemforskrifta § 2-6 femte ledd)."""
        return self.printer.drawer_pin3_high() == (self.open_level == "high")


class NexoTerminalPort(PaymentTerminalPort):
    """An integrated payment terminal reached with nexo over HTTP.

    Args:
        client: The nexo client, already pointed at the terminal's URL.
    """

    def __init__(self, client: NexoClient) -> None:
        self.client = client
        self._logged_in = False

    def _login(self) -> None:
        if not self._logged_in:
            self.client.login("kassakontroll")
            self._logged_in = True

    @staticmethod
    def _result(outcome: PaymentOutcome) -> TerminalResult:
        if outcome.timed_out:
            return TerminalResult(False, 0, message="Tidsavbrudd: terminalen svarte ikke")
        if not outcome.approved:
            return TerminalResult(False, 0, message=f"Ikke godkjent ({outcome.error_condition or outcome.result})")
        return TerminalResult(
            True,
            outcome.authorized_amount,
            reference=outcome.poi_transaction_id,
            brand=outcome.brand,
            masked_pan=outcome.masked_pan,
            message="Godkjent",
        )

    def payment(self, amount: int, *, sale_reference: str) -> TerminalResult:
        """Ask the terminal for a payment of ``amount`` øre."""
        self._login()
        return self._result(self.client.payment(amount, sale_reference))

    def refund(self, amount: int, *, sale_reference: str) -> TerminalResult:
        """Ask the terminal to refund ``amount`` øre."""
        self._login()
        return self._result(self.client.refund(amount, sale_reference))

    def totals(self) -> tuple[KeyCountAmount, ...]:
        """The terminal's totals per brand for the current period (GetTotals)."""
        self._login()
        totals = self.client.get_totals()
        return tuple(KeyCountAmount(t.brand, t.count, t.amount) for t in totals.per_brand)
