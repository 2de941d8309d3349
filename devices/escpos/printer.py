"""The emulated ESC/POS receipt printer: documents, status replies, offline holding, drawer kicks.

:class:`PrinterEmulator` is a device in the sense of ARCHITECTURE.md: it is reached only
through a :class:`~devices.link.Link` (``link.attach(printer.session)``) and reports only
through the evidence log. Each connection gets its own decoder and ASB subscription; paper,
cover, drawer and the print buffer are shared across connections, as on a network printer
with a second monitoring connection (devices.md §2.3, emupos).

Behaviour (devices.md §1.1, §1.5, §3.1):

* Real-time commands (``DLE EOT``, ``DLE ENQ``, ``DLE DC4``) are executed on arrival, even while
  offline, and in *faithful* mode even when hidden in image data (flagged as anomalies).
* Buffered commands (text, ``ESC p``, ``GS r``, ``GS I``, ``GS a``, ``GS ( H`` ...) wait while the
  printer is offline (paper out, cover open, offline, error) and are processed in order when it
  is ready again: ``printer.held`` / ``printer.released`` evidence.
* A fault can also strike mid-document (:meth:`PrinterEmulator.fail_after_lines`): after the
  N-th printed line (``LF``, ``ESC d``, ``ESC J``) the paper runs out or the cover opens, as
  :meth:`~PrinterEmulator.set_state` would do it; the rest of the document is held like any
  buffered data, real-time commands keep answering, and once the printer is ready again the
  rest is printed and the document completes as one ``printer.document``.
* ``ESC p`` and ``DLE DC4 1`` pulse the drawer through :meth:`DrawerEmulator.pulse`; a
  ``DLE DC4 1`` while a pulse on that pin is still running is ignored (§1.2).
* A cut completes a document: a :class:`~devices.escpos.receipt.Receipt` is appended to
  :attr:`PrinterEmulator.documents` and recorded as ``printer.document``.

Evidence kinds (source = the printer's name):

=========================  ==================================================================
``printer.document``       data ``text`` (``Receipt.to_text()``), ``summary`` (``to_json()``),
                           ``channel``, ``number``; ``interrupted_after_lines`` when a
                           mid-document fault stopped it (it came out in two pieces);
                           raw = the document's bytes
``printer.status_reply``   data ``request`` (``DLE EOT``, ``GS r``, ``ASB`` ...), ``args``,
                           ``reply`` (hex), ``channel``, ``embedded``; raw = the reply bytes
``printer.anomaly``        data ``name``, ``note``, ``offset``, ``channel``; raw = the bytes
``printer.held``           buffered data started waiting: ``reason``
``printer.released``       the held data was processed: ``tokens``, ``bytes``
``printer.state``          the state changed: ``paper``, ``cover_open`` ..., ``online``; a fault
                           armed with ``fail_after_lines`` adds ``mid_document`` (true) and
                           ``after_lines`` (lines of the document printed before it struck)
``printer.armed``          ``fail_after_lines`` armed a fault (``after_lines``, and ``paper`` or
                           ``cover_open`` as it will set them) or disarmed one (``after_lines`` 0)
``printer.pulse``          a kick with no drawer attached: ``pin``, ``on_ms``, ``off_ms``
=========================  ==================================================================

Locks: the printer lock may be held while calling the drawer; the drawer's change listener
only takes the small ASB lock, which never calls out, so the two cannot deadlock.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from dataclasses import replace
from typing import Any

from devices.drawer import DrawerEmulator
from devices.escpos.builder import ReceiptBuilder, pulse_of
from devices.escpos.decoder import EscposDecoder, Token
from devices.escpos.profiles import PrinterProfile, get_profile
from devices.escpos.receipt import Anomaly, DrawerPulse, Receipt
from devices.escpos.status import (
    ErrorKind,
    PaperState,
    PrinterState,
    asb_bytes,
    asb_changed,
    dle_eot,
    gs_i,
    gs_r,
    process_id_reply,
)
from devices.link import Channel, DeviceProtocol
from harness.evidence import EvidenceLog

__all__ = ["PrinterEmulator"]

_KEEP: Any = object()
#: Tokens that print the line buffer and feed: the lines :meth:`PrinterEmulator.fail_after_lines` counts.
_LINE_ENDS = frozenset({"LF", "ESC d", "ESC J"})


class _Session(DeviceProtocol):
    """One connection: its own decoder, reply channel and ASB subscription."""

    def __init__(self, printer: PrinterEmulator, number: int) -> None:
        profile = printer.profile
        self.printer = printer
        self.number = number
        self.decoder = EscposDecoder(realtime_in_data=profile.realtime_in_data, exceptions=profile.exceptions)
        self.channel: Channel | None = None
        self.asb_mask = 0
        self.asb_last = b"\x00\x00\x00\x00"

    @property
    def name(self) -> str:
        return self.channel.name if self.channel is not None and self.channel.name else f"session {self.number}"

    def connection_made(self, channel: Channel) -> None:
        self.channel = channel
        self.printer._register(self)

    def data_received(self, data: bytes) -> None:
        self.printer._handle(self, self.decoder.feed(data))

    def connection_lost(self, exc: BaseException | None) -> None:
        self.printer._handle(self, self.decoder.close())
        self.printer._unregister(self)

    def reply(self, data: bytes) -> None:
        if self.channel is not None:
            self.channel.write(data)


class PrinterEmulator:
    """An ESC/POS receipt printer behind any link.

    Args:
        profile: A profile name (``epson-tm-t88``, ``generic-58``) or a :class:`PrinterProfile`.
        log: Evidence log (a private one if omitted).
        drawer: The cash drawer on the printer's DK port, if any.
        name: Source name in the evidence log.

    Example:
        >>> printer = PrinterEmulator()
        >>> # link.attach(printer.session); the POS prints ...; then:
        >>> printer.documents
        []
    """

    def __init__(
        self,
        profile: str | PrinterProfile = "epson-tm-t88",
        log: EvidenceLog | None = None,
        drawer: DrawerEmulator | None = None,
        name: str = "printer",
    ) -> None:
        self.profile = get_profile(profile)
        self.log = log if log is not None else EvidenceLog()
        self.drawer = drawer
        self.name = name
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._state = PrinterState()
        self._builder = ReceiptBuilder(self.profile)
        self._builder.on_anomaly = self._builder_anomaly
        self._current: _Session | None = None
        self._documents: list[Receipt] = []
        self._held: deque[tuple[_Session, Token]] = deque()
        self._held_bytes = 0
        self._pulse_until: dict[int, float] = {}
        self._fault_after = 0  # armed mid-document fault: lines still to print (0: none armed)
        self._fault_state: dict[str, Any] = {}  # what the fault sets (``paper``/``cover_open``)
        self._lines_printed = 0  # lines printed since the fault was armed
        self._document_lines = 0  # lines of the pending document printed so far
        self._interrupted = 0  # lines of the pending document printed before a mid-document fault
        self._asb_lock = threading.Lock()
        self._sessions: list[_Session] = []
        self._numbers = itertools.count(1)
        if drawer is not None:
            drawer.on_change(self._drawer_changed)

    # ------------------------------------------------------------------ public API

    def session(self) -> DeviceProtocol:
        """Protocol factory for :meth:`Link.attach`: one protocol per connection."""
        return _Session(self, next(self._numbers))

    @property
    def state(self) -> PrinterState:
        """The current printer state."""
        return self._state

    @property
    def documents(self) -> list[Receipt]:
        """Completed documents (cut) so far, oldest first."""
        with self._lock:
            return list(self._documents)

    @property
    def held(self) -> int:
        """Buffered bytes waiting for the printer to be ready."""
        with self._lock:
            return self._held_bytes

    def wait_for_documents(self, n: int, timeout: float = 5.0) -> list[Receipt]:
        """Block until at least ``n`` documents exist (or ``timeout`` seconds passed); returns them all."""
        with self._changed:
            self._changed.wait_for(lambda: len(self._documents) >= n, timeout)
            return list(self._documents)

    def set_state(
        self,
        *,
        paper: PaperState | None = None,
        cover_open: bool | None = None,
        offline: bool | None = None,
        error: ErrorKind | None = _KEEP,
    ) -> PrinterState:
        """Change what the status replies report; ready again → held data is processed.

        Args:
            paper: ``ok``, ``near_end`` or ``out``.
            cover_open: Cover open.
            offline: Forced offline.
            error: An :data:`~devices.escpos.status.ErrorKind`, or ``None`` to clear it.

        Returns:
            The new state.
        """
        with self._lock:
            changes: dict[str, Any] = {}
            if paper is not None:
                changes["paper"] = paper
            if cover_open is not None:
                changes["cover_open"] = cover_open
            if offline is not None:
                changes["offline"] = offline
            if error is not _KEEP:
                changes["error"] = error
            new = replace(self._state, **changes)
            self._state = new
            self.log.append(self.name, "printer.state", **changes, online=not new.is_offline)
            if not new.is_offline:
                self._release()
        self._broadcast_asb(self._pin3())
        return new

    def fail_after_lines(self, lines: int, *, paper_out: bool = False, cover_open: bool = False) -> None:
        """Make the paper run out (or the cover open) after ``lines`` more printed lines.

        Called between documents, the fault strikes in the next one: when the ``lines``-th line
        feed (``LF``, ``ESC d``, ``ESC J``) after this call has been processed (a shorter document
        passes it on to the one after), the state changes as :meth:`set_state` would change it
        (``printer.state`` evidence with ``mid_document`` and ``after_lines``, the lines of the
        document printed) and the rest of the document is held. Real-time commands keep
        answering. :meth:`set_state` making the printer ready again prints the rest, and the
        document completes as one ``printer.document`` with ``interrupted_after_lines``. The
        fault strikes once; :meth:`set_state` does not disarm it.

        Args:
            lines: Printed lines before the fault (at least 1); 0 disarms a fault that has not struck.
            paper_out: The paper runs out.
            cover_open: The cover is opened.

        Raises:
            ValueError: ``lines`` is negative, or not exactly one of ``paper_out`` and
                ``cover_open`` is set for ``lines`` ≥ 1 (none for 0).
        """
        if lines < 0:
            raise ValueError(f"lines={lines}: give the number of lines printed before the fault (0 disarms it)")
        if lines == 0 and (paper_out or cover_open):
            raise ValueError("lines=0 disarms the fault; to stop the printer now use set_state(paper='out' ...)")
        if lines and paper_out == cover_open:
            raise ValueError("say which fault strikes mid-document: paper_out=True or cover_open=True (one of them)")
        fault: dict[str, Any] = {"paper": "out"} if paper_out else {"cover_open": True} if cover_open else {}
        with self._lock:
            was_armed = bool(self._fault_after)
            self._fault_after, self._fault_state, self._lines_printed = lines, fault, 0
            if lines or was_armed:  # disarming a printer with nothing armed leaves no evidence
                self.log.append(self.name, "printer.armed", after_lines=lines, **fault)

    def close(self) -> list[Receipt]:
        """End of the run: the pending document (printed but not cut), if any, becomes a document."""
        with self._lock:
            receipts = self._builder.close()
            for receipt in receipts:
                self._document(receipt)
            return receipts

    # ------------------------------------------------------------------ sessions

    def _register(self, session: _Session) -> None:
        with self._asb_lock:
            self._sessions.append(session)

    def _unregister(self, session: _Session) -> None:
        with self._asb_lock:
            if session in self._sessions:
                self._sessions.remove(session)

    def _pin3(self) -> bool:
        return self.drawer.pin3_high() if self.drawer is not None else False

    # ------------------------------------------------------------------ token handling

    def _handle(self, session: _Session, tokens: list[Token]) -> None:
        if not tokens:
            return
        with self._lock:
            before = self._state
            for token in tokens:
                if token.kind == "realtime" or token.embedded:
                    self._realtime(session, token)
                elif self._state.is_offline or self._held:
                    if not self._held:
                        self.log.append(self.name, "printer.held", reason=self._state.reason, channel=session.name)
                    self._held.append((session, token))
                    self._held_bytes += len(token.raw)
                else:
                    self._process(session, token)
            changed = self._state is not before
        if changed:  # a fault struck mid-document, or DLE ENQ recovered from an error
            self._broadcast_asb(self._pin3())

    def _release(self) -> None:
        if not self._held:
            return
        count, size = len(self._held), self._held_bytes
        while self._held and not self._state.is_offline:
            session, token = self._held.popleft()
            self._held_bytes -= len(token.raw)
            self._process(session, token)
        self.log.append(self.name, "printer.released", tokens=count - len(self._held), bytes=size - self._held_bytes)

    def _apply(self, session: _Session, token: Token) -> None:
        self._current = session
        receipt = self._builder.apply(token)
        if receipt is not None:
            self._document(receipt)

    def _process(self, session: _Session, token: Token) -> None:
        """A buffered token whose turn has come."""
        if token.kind == "anomaly":
            self._apply(session, token)  # the builder reports it through on_anomaly
            return
        name, args = token.name, token.args
        if name == "ESC p":
            self._kick(token)
        elif name in ("GS r", "ESC v", "ESC u"):
            n = args[0] if name == "GS r" else 1 if name == "ESC v" else 2
            self._reply(session, token, gs_r(n, self._state, self.profile, pin3_high=self._pin3()))
        elif name == "GS I":
            self._reply(session, token, gs_i(args[0], self.profile))
        elif name == "GS ( H":
            self._reply(session, token, process_id_reply(token.data))
        elif name == "GS a":
            self._enable_asb(session, token)
        self._apply(session, token)
        if name in _LINE_ENDS and token.kind == "command":
            self._document_lines += 1
            if self._fault_after:
                self._count_line()

    def _count_line(self) -> None:
        """One more line printed; the armed fault strikes at its line (the rest of the document is held)."""
        self._lines_printed += 1
        if self._lines_printed < self._fault_after:
            return
        lines, fault = self._document_lines, self._fault_state
        self._fault_after, self._fault_state = 0, {}
        self._state = replace(self._state, **fault)
        self._interrupted = lines
        self.log.append(self.name, "printer.state", **fault, online=False, mid_document=True, after_lines=lines)

    def _realtime(self, session: _Session, token: Token) -> None:
        """A real-time command (or an anomaly about one): executed now, held data or not."""
        if token.kind == "anomaly":
            self._apply(session, token)
            return
        name, args = token.name, token.args
        if name == "DLE EOT":
            self._reply(session, token, dle_eot(args[0], self._state, self.profile, pin3_high=self._pin3()))
        elif name == "DLE DC4" and args[0] == 1:
            self._kick(token)
        elif name == "DLE DC4" and args[0] == 8:
            self._held.clear()  # clear buffers (§1.2): held data is discarded
            self._held_bytes = 0
        elif name == "DLE ENQ" and self._state.error == "recoverable":
            if args[0] == 2:
                self._held.clear()
                self._held_bytes = 0
            self._state = replace(self._state, error=None)
            self._release()
        self._apply(session, token)

    def _reply(self, session: _Session, token: Token, reply: bytes | None) -> None:
        if reply is None:
            note = f"{token.name} {' '.join(map(str, token.args))} is not answered by this emulator"
            self._record_anomaly(session, Anomaly(token.offset, token.name, note, token.raw))
            return
        session.reply(reply)
        self.log.append(
            self.name,
            "printer.status_reply",
            raw=reply,
            request=token.name,
            args=list(token.args),
            reply=reply.hex(" "),
            channel=session.name,
            embedded=token.embedded,
        )

    def _kick(self, token: Token) -> None:
        pulse = pulse_of(token)
        if pulse is None:
            return
        now = time.monotonic()
        if pulse.source == "DLE DC4" and now < self._pulse_until.get(pulse.pin, 0.0):
            # §1.2: DLE DC4 1 is ignored while a pulse is running on that pin.
            note = f"DLE DC4 1 ignored: a pulse on pin {pulse.pin} is still running"
            self._record_anomaly(self._current, Anomaly(token.offset, token.name, note, token.raw))
            return
        self._pulse_until[pulse.pin] = now + (pulse.on_ms + pulse.off_ms) / 1000
        self._pulse(pulse)

    def _pulse(self, pulse: DrawerPulse) -> None:
        if self.drawer is not None:
            self.drawer.pulse(
                pin=pulse.pin, on_ms=pulse.on_ms, off_ms=pulse.off_ms, source=pulse.source, embedded=pulse.embedded
            )
        else:
            self.log.append(self.name, "printer.pulse", pin=pulse.pin, on_ms=pulse.on_ms, off_ms=pulse.off_ms)

    # ------------------------------------------------------------------ documents and anomalies

    def _document(self, receipt: Receipt) -> None:
        self._documents.append(receipt)
        channel = self._current.name if self._current is not None else ""
        interrupted = {"interrupted_after_lines": self._interrupted} if self._interrupted else {}
        self._interrupted = self._document_lines = 0
        self.log.append(
            self.name,
            "printer.document",
            raw=receipt.raw,
            text=receipt.to_text(),
            summary=receipt.to_json(),
            channel=channel,
            number=len(self._documents),
            **interrupted,
        )
        self._changed.notify_all()

    def _builder_anomaly(self, anomaly: Anomaly) -> None:
        self._record_anomaly(self._current, anomaly, builder=True)

    def _record_anomaly(self, session: _Session | None, anomaly: Anomaly, *, builder: bool = False) -> None:
        channel = session.name if session is not None else ""
        self.log.append(
            self.name,
            "printer.anomaly",
            raw=anomaly.raw,
            name=anomaly.name,
            note=anomaly.note,
            offset=anomaly.offset,
            channel=channel,
        )

    # ------------------------------------------------------------------ Automatic Status Back

    def _enable_asb(self, session: _Session, token: Token) -> None:
        if not self.profile.asb:
            return
        reply = asb_bytes(self._state, self.profile, pin3_high=self._pin3())
        mask = token.args[0] & 0x0F
        with self._asb_lock:
            session.asb_mask = mask
            if mask:  # 4 bytes at once when enabled (§1.5)
                session.asb_last = reply
                session.reply(reply)
        if mask:
            self._log_asb(session, reply, "GS a")

    def _broadcast_asb(self, pin3_high: bool) -> None:
        """Send ASB to every session whose enabled items changed (compare-and-send under the ASB lock)."""
        reply = asb_bytes(self._state, self.profile, pin3_high=pin3_high)
        sent = []
        with self._asb_lock:
            for session in self._sessions:
                if session.asb_mask and asb_changed(session.asb_mask, session.asb_last, reply):
                    session.asb_last = reply
                    session.reply(reply)
                    sent.append(session)
        for session in sent:
            self._log_asb(session, reply, "change")

    def _log_asb(self, session: _Session, reply: bytes, why: str) -> None:
        self.log.append(
            self.name,
            "printer.status_reply",
            raw=reply,
            request="ASB",
            args=[session.asb_mask],
            reply=reply.hex(" "),
            channel=session.name,
            embedded=False,
            trigger=why,
        )

    def _drawer_changed(self, is_open: bool) -> None:
        # Called by the drawer under its own lock: only the ASB lock may be taken here.
        assert self.drawer is not None
        self._broadcast_asb(self.drawer.pin3_high())
