"""Shared state and plumbing of the reference till, the base of every till mixin.

:class:`_TillBase` declares the state that :class:`~reference_till.till.Till` sets up in
its constructor and holds the plumbing all verbs share: the clock, the per-kassapunkt
state, event construction, signing, document numbers, the rule checks (operator logged
in, drawer closed, printer ready) and the one commit path, ``_commit``, which journals,
then prints, then kicks the drawer in the order described in :mod:`reference_till.till`
(kassasystemforskrifta § 2-6 fjerde ledd, § 2-7). Failed documents wait: the till prints
them by itself at the kassapunkt's next commit once its printer reports ready, or when
:meth:`_TillBase.retry_printing` is called, and a document the printer finished after the
paper change (its late confirmation) counts as printed and is not sent again.

It also holds the few helpers that more than one mixin needs: ``_current_sale`` (the
sale verbs and the provisional receipt), ``_void`` (a void and the crash recovery),
``_copy_receipt`` (a sale concluded with an electronic receipt, and ``print_copy``),
``_last_z`` (reports, settlement and recovery) and ``_card_means`` (card payments and
the terminal totals).

Everything here is internal to the till; the public names are :data:`OSLO` and
:class:`RegisterDevices`, re-exported by :mod:`reference_till.till`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from reference_till import receipt_layout
from reference_till.codes import EventType
from reference_till.config import PaymentMeans, TillConfig
from reference_till.errors import DrawerOpen, OperationError, PaymentError, PrinterUnavailable, ReceiptNotPrinted
from reference_till.faults import Fault
from reference_till.journal import Journal
from reference_till.model import CashTransaction, Event, Payment, ReportFigures, Series, TransactionKind, trans_id
from reference_till.ports import (
    DrawerPort,
    MemoryDrawer,
    MemoryPrinter,
    MemoryTerminal,
    PaymentTerminalPort,
    PrinterError,
    PrinterPort,
)
from reference_till.sale import OpenSale
from reference_till.signing import FIRST_PREVIOUS, Signer, signature_data

__all__ = ["OSLO", "RegisterDevices"]

#: Norwegian standard time with daylight saving time (kassasystemforskrifta § 2-5).
OSLO = ZoneInfo("Europe/Oslo")

_CARD_BRAND_MEANS = {"BankAxept": "12002"}  # other brands are credit cards, 12003


def _oslo_now() -> datetime:
    return datetime.now(OSLO)


@dataclass
class RegisterDevices:
    """The peripherals of one kassapunkt."""

    printer: PrinterPort = field(default_factory=MemoryPrinter)
    drawer: DrawerPort = field(default_factory=MemoryDrawer)
    terminal: PaymentTerminalPort = field(default_factory=MemoryTerminal)


@dataclass
class _RegisterState:
    id: str
    devices: RegisterDevices
    operator: str = ""
    training: bool = False
    sale: OpenSale | None = None
    parked: dict[str, OpenSale] = field(default_factory=dict)
    nr: int = 0
    previous_signature: str = FIRST_PREVIOUS
    numbers: dict[Series, int] = field(default_factory=dict)
    sale_counter: int = 0
    drawer_logged_open: bool = False


@dataclass
class _PendingPrint:
    job: int
    register_id: str
    render: Callable[[], bytes]
    trans_id: str = ""  #: the transaction the document belongs to (a receipt's sale, a copy's original)


class _TillBase:
    """State and plumbing shared by the mixins of :class:`~reference_till.till.Till`.

    The attributes are set by ``Till.__init__``; they are declared here so that every
    mixin type-checks against them.
    """

    config: TillConfig
    journal: Journal
    faults: frozenset[Fault]
    outbox: list[tuple[str, bytes]]
    _signer: Signer
    _clock: Callable[[], datetime]
    _lock: threading.RLock
    _prices: dict[str, int]
    _printed: list[tuple[int, str]]
    _failed: list[_PendingPrint]
    _pending_events: list[Event]
    _send_electronic: Callable[[str, bytes], None]
    _registers: dict[str, _RegisterState]
    #: Last signature made on any register (used only under the ``shared_chain`` fault).
    _shared_previous: str = ""

    # ================================================================ plumbing

    def now(self) -> datetime:
        """Current time, whole seconds (the SAF-T signature has seconds precision)."""
        now = self._clock()
        if Fault.UTC_CLOCK in self.faults:
            return now.astimezone(UTC).replace(microsecond=0)  # breaks § 2-5: Norwegian local time
        if now.tzinfo is not OSLO:  # the default clock already reads Oslo time
            now = now.astimezone(OSLO)
        return now.replace(microsecond=0)

    def devices(self, register_id: str) -> RegisterDevices:
        """The peripherals of a kassapunkt."""
        return self._reg(register_id).devices

    def _reg(self, register_id: str) -> _RegisterState:
        self.config.register(register_id)  # raises ConfigError naming the known ids
        state = self._registers[register_id]
        # § 2-7 første ledd: a drawer pushed shut since the last operation is journaled before
        # anything this operation records, so the journal keeps the order things happened in
        self._observe_drawer(state)
        return state

    def _flush_observations(self) -> None:
        """Journal what was observed but not yet written: drawers closed, documents printed."""
        for reg in self._registers.values():
            self._observe_drawer(reg)
        if self._pending_events or self._printed:
            self.journal.append(self._pending_events, print_states=self._printed)
            self._pending_events, self._printed = [], []

    def _load_register(self, state: _RegisterState) -> None:
        last = self.journal.last_transaction(state.id)
        if last is not None:
            state.nr = last.nr
            state.previous_signature = last.signature
        for series in Series:
            state.numbers[series] = self.journal.max_number(state.id, series.value)
        # a drawer journaled open and not closed before a restart: its closing is still to be journaled
        opened = max(
            (e.seq for t in (EventType.DRAWER_OPEN, EventType.DRAWER_OPEN_NO_SALE)
             if (e := self.journal.last_event(t, state.id)) is not None),
            default=0,
        )  # fmt: skip
        closed = self.journal.last_event(EventType.DRAWER_CLOSE, state.id)
        state.drawer_logged_open = opened > (closed.seq if closed is not None else 0)
        state.sale_counter = self.journal.count_events(EventType.SALE_STARTED, register_id=state.id)

    def _event(
        self,
        reg: _RegisterState,
        event_type: str,
        *,
        at: datetime | None = None,
        trans: str = "",
        text: str = "",
        report: ReportFigures | None = None,
        **data: Any,
    ) -> Event:
        return Event(
            reg.id,
            event_type,
            at or self.now(),
            emp_id=reg.operator,
            trans_id=trans,
            text=text,
            report=report,
            data=data,
        )

    def _sign(self, reg: _RegisterState, tx: CashTransaction) -> CashTransaction:
        """Give a transaction the next ``nr`` of its register and sign it (SAF-T signature spec)."""
        nr = reg.nr + 1
        previous = reg.previous_signature
        if self._shared_previous not in ("", previous) and Fault.SHARED_CHAIN in self.faults:
            previous = self._shared_previous  # breaks the per-register chain
        data = signature_data(previous, tx.at, nr, tx.amount_in, tx.amount_ex)
        signature = self._signer.sign(data)
        if tx.kind is TransactionKind.RETURN and Fault.SKIP_SIGNATURE in self.faults:
            signature = reg.previous_signature  # breaks the signature rule: nothing of this one is signed
        self._shared_previous = signature
        return replace(tx, nr=nr, signature=signature, key_version=self._signer.key_version)

    def _cash_transaction(
        self,
        reg: _RegisterState,
        kind: TransactionKind,
        amount: int,
        emp_id: str,
        at: datetime,
        description: str,
        payments: tuple[Payment, ...] = (),
    ) -> CashTransaction:
        """A signed money movement without goods (float, pay-in/out, counted cash, difference)."""
        number = self._next_number(reg, Series.CASH)
        unsigned = CashTransaction(
            register_id=reg.id,
            nr=0,
            trans_id=trans_id(reg.id, Series.CASH, number),
            kind=kind,
            series=Series.CASH,
            number=number,
            amount_in=amount,
            amount_ex=amount,  # no VAT on money movements
            emp_id=emp_id,
            at=at,
            signature="",
            key_version="",
            description=description,
            payments=payments,
        )
        return self._sign(reg, unsigned)

    def _next_number(self, reg: _RegisterState, series: Series) -> int:
        return reg.numbers.get(series, 0) + 1

    def _observe_drawer(self, reg: _RegisterState) -> None:
        """Notice that the drawer was closed since it was opened, and note it for the journal."""
        if reg.drawer_logged_open and not reg.devices.drawer.is_open():
            reg.drawer_logged_open = False
            self._pending_events.append(self._event(reg, EventType.DRAWER_CLOSE))

    def _require_drawer_closed(self, reg: _RegisterState) -> None:
        # kassasystemforskrifta § 2-6 femte ledd: no registrations while the integrated drawer is open
        self._observe_drawer(reg)
        if reg.devices.drawer.is_open() and Fault.IGNORE_OPEN_DRAWER not in self.faults:
            raise DrawerOpen(
                f"kassapunkt {reg.id}: the cash drawer is open; kassasystemforskrifta § 2-6 femte "
                "ledd forbids registrations while the integrated drawer is open. Close it first."
            )

    def _require_operator(self, reg: _RegisterState) -> str:
        if not reg.operator:
            raise OperationError(f"kassapunkt {reg.id}: no operator is logged in; call login() first")
        return reg.operator

    def _require_printer(self, reg: _RegisterState) -> None:
        # kassasystemforskrifta § 2-6 fjerde ledd: no sale concluded without a printed receipt
        status = reg.devices.printer.status()
        if not status.ready and Fault.IGNORE_PAPER_OUT not in self.faults:
            raise PrinterUnavailable(
                f"kassapunkt {reg.id}: the receipt printer reports {status.describe()}; kassasystemforskrifta "
                "§ 2-6 fjerde ledd: a sale cannot be concluded without printing its receipt. Fix the printer "
                "and try again; nothing was registered."
            )

    def _commit(
        self,
        reg: _RegisterState,
        records: Sequence[CashTransaction | Event],
        documents: Sequence[tuple[int, str, Callable[[], bytes]]] = (),
        kick_drawer: bool = False,
    ) -> list[int]:
        """Journal records in one durable commit, then print, then kick the drawer (see :mod:`reference_till.till`).

        Documents of the kassapunkt that failed earlier are printed first, if the printer is ready.
        """
        if self._failed:
            self._print_waiting(reg)
        pending, self._pending_events = self._pending_events, []
        all_records = [*pending, *records]
        offset = len(pending)
        confirmed, self._printed = self._printed, []
        seqs, jobs = self.journal.append(
            all_records,
            print_documents=[(offset + index, name) for index, name, _ in documents],
            print_states=confirmed,
        )
        for tx in (r for r in records if isinstance(r, CashTransaction)):
            reg.nr = tx.nr
            reg.previous_signature = tx.signature
            reg.numbers[tx.series] = max(reg.numbers.get(tx.series, 0), tx.number)
        failure: ReceiptNotPrinted | None = None
        for job, (index, name, render) in zip(jobs, documents, strict=True):
            pending_print = _PendingPrint(job, reg.id, render, records[index].trans_id)
            failure = self._print(reg, pending_print, name) or failure
        if kick_drawer:
            reg.devices.drawer.kick()
            reg.drawer_logged_open = True
        if failure is not None:
            raise failure
        return seqs[offset:]

    def _print(self, reg: _RegisterState, job: _PendingPrint, name: str) -> ReceiptNotPrinted | None:
        try:
            reg.devices.printer.print_document(job.render())
        except PrinterError as exc:
            self._failed.append(job)
            # kassasystemforskrifta § 2-6 fjerde ledd: the sale stands journaled; so does the failure
            self.journal.append(
                [self._event(reg, EventType.PRINT_FAILED, trans=job.trans_id, text=f"{name}: {exc}", document=name)],
                print_states=[(job.job, "failed")],
            )
            return ReceiptNotPrinted(
                f"kassapunkt {reg.id}: {name} is journaled but the printer failed ({exc}); the till prints it "
                "at the next operation once the printer is ready (or call retry_printing())"
            )
        self._printed.append((job.job, "printed"))
        return None

    def _print_waiting(self, reg: _RegisterState) -> None:
        """Print the kassapunkt's documents that failed earlier, in order, if its printer is ready.

        Confirmations join ``self._printed`` (journaled with the next commit). A document that
        fails again stays waiting, and so do the ones after it.
        """
        waiting = [job for job in self._failed if job.register_id == reg.id]
        printer = reg.devices.printer
        if not waiting or not printer.status().ready:
            return  # never send to a stopped printer: it would hold a second original behind the first
        for job in waiting:
            data = job.render()
            try:
                # kassasystemforskrifta § 2-6 fjerde ledd: a document the printer finished after the paper
                # change is the one original; sending it again would print a second
                if Fault.REPRINT_UNCONFIRMED in self.faults or not printer.printed_late(data):
                    printer.print_document(data)
            except PrinterError:
                return
            self._failed.remove(job)
            self._printed.append((job.job, "printed"))

    def retry_printing(self, register_id: str) -> int:
        """Print documents whose printing failed earlier; returns how many are still waiting.

        The till does this by itself at the kassapunkt's next commit; documents wait while the
        printer is not ready, and one the printer finished late is not sent again.
        """
        with self._lock:
            reg = self._reg(register_id)
            self._print_waiting(reg)
            self.journal.mark_printed(self._printed)
            self._printed = []
            return sum(1 for j in self._failed if j.register_id == register_id)

    # ================================================================ helpers shared by the mixins

    def _current_sale(self, reg: _RegisterState) -> OpenSale:
        if reg.sale is None:
            raise OperationError(f"kassapunkt {reg.id} has no open sale; register an item first")
        return reg.sale

    def _reverse_card_payments(self, reg: _RegisterState, sale: OpenSale) -> None:
        """Refund the card payments of a sale that is being cancelled, through the terminal.

        Raises:
            PaymentError: The terminal did not approve a reversal; the payments not yet
                reversed stay on the sale.
        """
        for payment in [p for p in sale.payments if self.config.means(p.means_id).kind == "card"]:
            result = (
                reg.devices.terminal.refund(payment.amount, sale_reference=sale.ref)
                if payment.amount > 0
                else reg.devices.terminal.payment(-payment.amount, sale_reference=sale.ref)
            )
            if not result.approved:
                raise PaymentError(
                    f"the card payment {payment.reference} could not be reversed: {result.message}; the sale stays open"
                )
            sale.payments.remove(payment)

    def _void(self, reg: _RegisterState, sale: OpenSale, reason: str) -> CashTransaction:
        # kassasystemforskrifta § 2-8-2 bokstav r: the cancelled sale is documented with its amount
        number = self._next_number(reg, Series.VOID)
        totals = sale.totals(self.config)
        tx = self._sign(
            reg,
            CashTransaction(
                register_id=reg.id,
                nr=0,
                trans_id=trans_id(reg.id, Series.VOID, number),
                kind=TransactionKind.VOID,
                series=Series.VOID,
                number=number,
                amount_in=totals.amount_in,
                amount_ex=totals.amount_ex,
                emp_id=sale.emp_id,
                at=self.now(),
                signature="",
                key_version="",
                description=reason,
                lines=totals.lines,
                vat_totals=totals.vat_totals,
                voided_trans_id=sale.ref,
                sale_ref=sale.ref,
                provisional_receipts=sale.provisional_receipts,
            ),
        )
        event = Event(
            reg.id,
            EventType.VOID_RECEIPT,
            tx.at,
            emp_id=sale.emp_id,
            trans_id=tx.trans_id,
            text=f"sale {sale.ref} voided; {reason}",
            data={"sale": sale.ref},
        )
        self._commit(reg, [tx, event])
        return tx

    def _copy_receipt(
        self, reg: _RegisterState, tx: CashTransaction, doc: receipt_layout.ReceiptDocument, note: str = ""
    ) -> tuple[Event, tuple[int, str, Callable[[], bytes]]]:
        """The COPYREC event (next K number) and the «KOPI» document of a receipt (§ 2-8-6)."""
        number = self._next_number(reg, Series.COPY)
        reg.numbers[Series.COPY] = number
        event = self._event(
            reg,
            EventType.COPY_RECEIPT,
            trans=tx.trans_id,
            text=f"receipt {doc.number}; copy K{number:06d}{note}",
            number=number,
            amount=tx.amount_in,
        )
        return event, (0, f"copy of {tx.trans_id}", lambda: self._render(doc, copy=True))

    def _render(self, doc: receipt_layout.ReceiptDocument, *, copy: bool = False) -> bytes:
        """A receipt's ESC/POS bytes (with the till's fault switches, if any)."""
        return receipt_layout.render_receipt(doc, self.config, copy=copy, faults=self.faults)

    def _render_report(self, figures: ReportFigures) -> bytes:
        """An X or Z report's ESC/POS bytes (with the till's fault switches, if any)."""
        return receipt_layout.render_report(figures, self.config, faults=self.faults)

    def _last_z(self, reg: _RegisterState) -> tuple[int, ReportFigures | None]:
        last = self.journal.last_event(EventType.Z_REPORT, reg.id)
        if last is None:
            return 0, None
        assert isinstance(last.record, Event)
        return last.seq, last.record.report

    def _card_means(self, brand: str) -> PaymentMeans:
        """The configured card means for a brand the terminal reported (BankAxept: debit, others: credit)."""
        predefined = _CARD_BRAND_MEANS.get(brand, "12003")
        return next(
            (m for m in self.config.payment_means if m.kind == "card" and m.predefined == predefined),
            self.config.means_of_kind("card"),
        )
