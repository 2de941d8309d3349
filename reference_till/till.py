"""The reference till: a complete, compliant Norwegian cash register (the harness's oracle).

:class:`Till` operates one or more kassapunkter over one electronic journal. Every
operation is checked first (nothing is written when it is refused), then journaled with
its PredefinedBasicID-13 event, then acted on (printed, drawer kicked).

**Order of journal write and printing** (kassasystemforskrifta § 2-6 fjerde ledd, § 2-7):

1. The printer's status is read before anything that prints. If it cannot print
   (paper out, cover open, offline) the operation is refused with
   :class:`~reference_till.errors.PrinterUnavailable`; the sale stays open and the
   journal is untouched. A sale is never concluded when its receipt cannot be printed.
2. The transaction, its receipt event, its drawer event and a print job are written in
   **one durable commit** (WAL, ``synchronous=FULL``). A concluded sale therefore never
   exists without its receipt record, and vice versa.
3. Only then is the document rendered and sent to the printer, and only after that is
   the drawer kicked. So nothing is printed and no drawer opens without a journal record.
4. The printer's acceptance is recorded in ``print_log`` with the next commit. If the
   printer fails mid-document, a ``PRINTFAIL`` event is journaled and the document is
   kept; :meth:`Till.retry_printing` prints it once the printer is back, and
   :class:`~reference_till.errors.ReceiptNotPrinted` tells the caller.

**Restart after a crash** (:meth:`Till._recover`, run when a journal is opened):

* Sales that were open or parked when the process died are cancelled as *avbrotne sal*
  (§ 2-8-2 bokstav r): a signed void transaction with the amount registered so far and a
  ``VOIDREC`` event, so the interrupted registrations stay visible in X/Z.
* Print jobs that were queued but never confirmed are listed in a ``RECOVERY`` event.
  They are not printed again automatically: the document may already be in the
  customer's hand, and a second original would be an unmarked copy (§ 2-6 fjerde ledd).
  The operator can print the one copy receipt marked «KOPI».
* The signature chain continues from the last committed transaction of each register.

This module is longer than the project's 600-line budget because every verb of the till
shares one lock, one commit path and one set of rule checks; the pure parts already live
elsewhere (:mod:`~reference_till.sale`, :mod:`~reference_till.reports`,
:mod:`~reference_till.settlement`, :mod:`~reference_till.saft_export`). Splitting the
verbs into mixins (sales, documents, reports, recovery) is planned.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from reference_till import receipt_layout
from reference_till.codes import EventType
from reference_till.config import PaymentMeans, TillConfig, load_config
from reference_till.errors import (
    BuyerNameRequired,
    CopyLimitReached,
    DrawerOpen,
    OperationError,
    PaymentError,
    PrinterUnavailable,
    ReceiptNotPrinted,
    ZReportBlocked,
)
from reference_till.journal import Journal
from reference_till.model import (
    CashTransaction,
    Event,
    JournalEntry,
    KeyCountAmount,
    Payment,
    ReportFigures,
    Series,
    Settlement,
    TransactionKind,
    trans_id,
)
from reference_till.money import format_amount, format_nok, parse_quantity, vat_of_gross
from reference_till.ports import (
    DrawerPort,
    MemoryDrawer,
    MemoryPrinter,
    MemoryTerminal,
    PaymentTerminalPort,
    PrinterError,
    PrinterPort,
)
from reference_till.posting import PostingLine, day_posting, write_posting_csv
from reference_till.reports import compute_figures
from reference_till.saft_export import ExportSummary, export_saft
from reference_till.sale import OpenSale
from reference_till.settlement import compute_settlement
from reference_till.signing import FIRST_PREVIOUS, Signer, signature_data, signer_from_config

__all__ = ["OSLO", "RegisterDevices", "Till"]

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


class Till:
    """A Norwegian cash register with an append-only, signed electronic journal.

    Args:
        journal_path: The SQLite journal file (created if missing).
        config: The shop; the embedded default when omitted.
        devices: Peripherals per kassapunkt id; in-memory devices where not given.
        clock: Returns the current time (aware, Europe/Oslo); injectable for tests and demos.
        electronic_receipts: Callable receiving ``(address, document_bytes)`` for e-receipts.
    """

    def __init__(
        self,
        journal_path: str | Path,
        config: TillConfig | None = None,
        *,
        devices: Mapping[str, RegisterDevices] | None = None,
        clock: Callable[[], datetime] = _oslo_now,
        electronic_receipts: Callable[[str, bytes], None] | None = None,
    ) -> None:
        self.config = config or load_config()
        # the key is checked before the journal file is created or opened (no leaked connection)
        self._signer: Signer = signer_from_config(self.config.signing)
        self.journal = Journal(journal_path)
        self._clock = clock
        self._lock = threading.RLock()
        self._prices = {a.id: a.price for a in self.config.articles}
        self._printed: list[tuple[int, str]] = []
        self._failed: list[_PendingPrint] = []
        self._pending_events: list[Event] = []
        self.outbox: list[tuple[str, bytes]] = []
        self._send_electronic = electronic_receipts or (lambda address, data: self.outbox.append((address, data)))
        given = dict(devices or {})
        self._registers = {
            r.id: _RegisterState(r.id, given.get(r.id) or RegisterDevices()) for r in self.config.registers
        }
        try:
            for state in self._registers.values():
                self._load_register(state)
            self._recover()
        except BaseException:
            self.journal.close()
            raise

    # ================================================================ plumbing

    def now(self) -> datetime:
        """Current time, whole seconds (the SAF-T signature has seconds precision)."""
        now = self._clock()
        if now.tzinfo is not OSLO:  # the default clock already reads Oslo time
            now = now.astimezone(OSLO)
        return now.replace(microsecond=0)

    def devices(self, register_id: str) -> RegisterDevices:
        """The peripherals of a kassapunkt."""
        return self._reg(register_id).devices

    def _reg(self, register_id: str) -> _RegisterState:
        self.config.register(register_id)  # raises ConfigError naming the known ids
        return self._registers[register_id]

    def _load_register(self, state: _RegisterState) -> None:
        last = self.journal.last_transaction(state.id)
        if last is not None:
            state.nr = last.nr
            state.previous_signature = last.signature
        for series in Series:
            state.numbers[series] = self.journal.max_number(state.id, series.value)
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
        data = signature_data(reg.previous_signature, tx.at, nr, tx.amount_in, tx.amount_ex)
        return replace(tx, nr=nr, signature=self._signer.sign(data), key_version=self._signer.key_version)

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
        if reg.devices.drawer.is_open():
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
        if not status.ready:
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
        """Journal records in one durable commit, then print, then kick the drawer (see module doc)."""
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
        for job, (_, name, render) in zip(jobs, documents, strict=True):
            failure = self._print(reg, _PendingPrint(job, reg.id, render), name) or failure
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
            self.journal.append(
                [self._event(reg, EventType.PRINT_FAILED, text=f"{name}: {exc}", document=name)],
                print_states=[(job.job, "failed")],
            )
            return ReceiptNotPrinted(
                f"kassapunkt {reg.id}: {name} is journaled but the printer failed ({exc}); "
                "call retry_printing() when the printer is ready"
            )
        self._printed.append((job.job, "printed"))
        return None

    def retry_printing(self, register_id: str) -> int:
        """Print documents whose printing failed earlier; returns how many are still waiting."""
        with self._lock:
            reg = self._reg(register_id)
            waiting, self._failed = (
                [j for j in self._failed if j.register_id == register_id],
                [j for j in self._failed if j.register_id != register_id],
            )
            for job in waiting:
                try:
                    reg.devices.printer.print_document(job.render())
                except PrinterError:
                    self._failed.append(job)
                else:
                    self._printed.append((job.job, "printed"))
            self.journal.mark_printed(self._printed)
            self._printed = []
            return sum(1 for j in self._failed if j.register_id == register_id)

    # ================================================================ session

    def start(self, register_id: str) -> None:
        """Start the POS application on a kassapunkt (event 13001)."""
        with self._lock:
            reg = self._reg(register_id)
            self._commit(reg, [self._event(reg, EventType.POS_START)])

    def stop(self, register_id: str) -> None:
        """Shut the POS application down (event 13002); refused with an open sale."""
        with self._lock:
            reg = self._reg(register_id)
            if reg.sale is not None:
                raise OperationError(f"kassapunkt {reg.id}: conclude or void the open sale before shutting down")
            self._commit(reg, [self._event(reg, EventType.POS_STOP)])

    def login(self, register_id: str, emp_id: str) -> None:
        """Log an operator in (event 13003)."""
        with self._lock:
            reg = self._reg(register_id)
            self.config.employee(emp_id)
            if reg.sale is not None:
                raise OperationError(f"kassapunkt {reg.id}: park or conclude the open sale before changing operator")
            records = []
            if reg.operator:
                records.append(self._event(reg, EventType.LOGOUT))
            reg.operator = emp_id
            records.append(self._event(reg, EventType.LOGIN))
            self._commit(reg, records)

    def logout(self, register_id: str) -> None:
        """Log the operator out (event 13004)."""
        with self._lock:
            reg = self._reg(register_id)
            self._require_operator(reg)
            if reg.sale is not None:
                raise OperationError(f"kassapunkt {reg.id}: park or conclude the open sale before logging out")
            self._commit(reg, [self._event(reg, EventType.LOGOUT)])
            reg.operator = ""

    def register_float(self, register_id: str, amount: int, *, emp_id: str | None = None) -> CashTransaction:
        """Register the opening float (inngåande vekselkasse, § 2-5, § 2-8-2 bokstav k).

        With ``emp_id`` the float is the operator's own (operators with their own drawer).
        """
        return self._money_movement(register_id, TransactionKind.FLOAT, amount, "Inngående vekselkasse", emp_id=emp_id)

    def cash_in(self, register_id: str, amount: int, reason: str = "Innbetaling") -> CashTransaction:
        """Register cash put into the drawer (§ 2-8-2 andre ledd)."""
        return self._money_movement(register_id, TransactionKind.PAY_IN, amount, reason)

    def cash_out(self, register_id: str, amount: int, reason: str = "Uttak til bank") -> CashTransaction:
        """Register cash taken out of the drawer (§ 2-8-2 andre ledd, event 13019)."""
        return self._money_movement(register_id, TransactionKind.PAY_OUT, amount, reason)

    def _money_movement(
        self, register_id: str, kind: TransactionKind, amount: int, reason: str, emp_id: str | None = None
    ) -> CashTransaction:
        with self._lock:
            reg = self._reg(register_id)
            operator = self._require_operator(reg)
            self._require_drawer_closed(reg)
            if reg.sale is not None:
                raise OperationError(f"kassapunkt {reg.id}: conclude the open sale first")
            if amount <= 0:
                raise OperationError("the amount must be positive (øre)")
            if emp_id is not None:
                self.config.employee(emp_id)
            signed = amount if kind is not TransactionKind.PAY_OUT else -amount
            cash = self.config.means_of_kind("cash")
            emp = emp_id or operator
            tx = self._cash_transaction(reg, kind, signed, emp, self.now(), reason, (Payment(cash.id, signed, emp),))
            records: list[CashTransaction | Event] = [tx]
            if kind is TransactionKind.PAY_OUT:
                records.append(
                    self._event(
                        reg, EventType.CASH_WITHDRAWAL, trans=tx.trans_id, text=f"{reason}; {format_amount(amount)}"
                    )
                )
            records.append(self._event(reg, EventType.DRAWER_OPEN, trans=tx.trans_id))
            self._commit(reg, records, kick_drawer=True)
            return tx

    # ================================================================ sales

    def _open_sale(self, reg: _RegisterState) -> OpenSale:
        if reg.sale is None:
            operator = self._require_operator(reg)
            reg.sale_counter += 1
            ref = f"{reg.id}-O{reg.sale_counter:06d}"
            reg.sale = OpenSale(ref, reg.id, operator, self.now(), training=reg.training)
            self._pending_events.append(
                self._event(reg, EventType.SALE_STARTED, text=f"sale {ref}", sale=ref, training=reg.training)
            )
        return reg.sale

    def _current_sale(self, reg: _RegisterState) -> OpenSale:
        if reg.sale is None:
            raise OperationError(f"kassapunkt {reg.id} has no open sale; register an item first")
        return reg.sale

    def add_item(
        self, register_id: str, art_id: str, quantity: int | str | Decimal = 1, *, campaign_discount: int = 0
    ) -> int:
        """Register an article on the open sale (starting one if needed); returns the line id.

        Args:
            register_id: The kassapunkt.
            art_id: Article id from the configuration.
            quantity: Units or weight; negative registers a return line.
            campaign_discount: Automatic campaign discount in øre (not counted in bokstav q).
        """
        with self._lock:
            reg = self._reg(register_id)
            self._require_operator(reg)
            self._require_drawer_closed(reg)
            article = self.config.article(art_id)
            qty = parse_quantity(quantity)
            opened = reg.sale is None
            sale = self._open_sale(reg)
            price = self._prices[art_id]
            try:
                line = sale.add_line(article, qty, price, self.now(), reg.operator, campaign_discount)
            except BaseException:
                if opened:  # a refused first item (quantity 0, discount too big) opens no sale
                    reg.sale = None
                    reg.sale_counter -= 1
                    self._pending_events.pop()  # its SALE_STARTED, appended last by _open_sale
                raise
            try:
                self._commit(
                    reg,
                    [
                        self._event(
                            reg,
                            EventType.LINE_ADDED,
                            text=f"sale {sale.ref}; {line.text()}",
                            sale=sale.ref,
                            line=line.line_id,
                            amount=line.amount,
                            training=sale.training,
                            art=article.id,
                            quantity=str(qty),
                            price=price,
                            campaign=campaign_discount,
                        )
                    ],
                )
            except BaseException:
                sale.lines.remove(line)
                raise
            return line.line_id

    def return_item(
        self, register_id: str, art_id: str, quantity: int | str | Decimal = 1, *, original_trans_id: str = ""
    ) -> int:
        """Register a returned article (a negative line) on the open sale; returns the line id.

        A sale with only return lines concludes as a return receipt (§ 2-8-5); with sale lines
        too it is one receipt counting sale and return separately (bokstav l and p).
        """
        qty = parse_quantity(quantity)
        line_id = self.add_item(register_id, art_id, -abs(qty))
        if original_trans_id:
            self._current_sale(self._reg(register_id)).returns_trans_id = original_trans_id
        return line_id

    def correct_line(self, register_id: str, line_id: int, quantity: int | str | Decimal) -> None:
        """Reduce a line's quantity before conclusion (0 deletes it); counted in § 2-8-2 bokstav s."""
        with self._lock:
            reg = self._reg(register_id)
            self._require_drawer_closed(reg)
            sale = self._current_sale(reg)
            snapshot = [(ln, ln.quantity, list(ln.discounts)) for ln in sale.lines]
            line, removed, kind = sale.reduce(line_id, parse_quantity(quantity))
            try:
                self._commit(
                    reg,
                    [
                        self._event(
                            reg,
                            EventType.LINE_CORRECTION,
                            text=(
                                f"sale {sale.ref}; {kind}; artID {line.article.id}; "
                                f"lineAmntIn -{format_amount(removed)}"
                            ),
                            sale=sale.ref,
                            line=line_id,
                            type=kind,
                            quantity=str(parse_quantity(quantity)),
                            amount=removed,
                            training=sale.training,
                        )
                    ],
                )
            except BaseException:
                sale.lines[:] = [ln for ln, _, _ in snapshot]
                for ln, qty, discounts in snapshot:
                    ln.quantity, ln.discounts = qty, discounts
                raise

    def remove_line(self, register_id: str, line_id: int) -> None:
        """Delete a line before conclusion (a line correction, § 2-8-2 bokstav s)."""
        self.correct_line(register_id, line_id, 0)

    def discount(self, register_id: str, line_id: int, amount: int, reason: str = "Rabatt") -> None:
        """Give a manual discount on a line at the kassapunkt (§ 2-8-2 bokstav q)."""
        with self._lock:
            reg = self._reg(register_id)
            self._require_drawer_closed(reg)
            sale = self._current_sale(reg)
            line = sale.discount(line_id, amount, reason)
            try:
                self._commit(
                    reg,
                    [
                        self._event(
                            reg,
                            EventType.MANUAL_DISCOUNT,
                            text=f"sale {sale.ref}; artID {line.article.id}; dscAmnt {format_amount(amount)}",
                            sale=sale.ref,
                            line=line_id,
                            amount=amount,
                            training=sale.training,
                        )
                    ],
                )
            except BaseException:
                line.discounts.pop()
                raise

    def set_buyer(self, register_id: str, name: str) -> None:
        """Record the buyer's name (required from 40 000 NOK, bokføringsforskrifta § 5-1-2)."""
        with self._lock:
            if not name.strip():
                raise OperationError("the buyer's name must not be empty")
            self._current_sale(self._reg(register_id)).buyer_name = name.strip()

    def sale_total(self, register_id: str) -> int:
        """Amount of the open sale incl. VAT, in øre."""
        with self._lock:
            return self._current_sale(self._reg(register_id)).total

    def park(self, register_id: str) -> str:
        """Park (suspend) the open sale (event 13010); returns its reference."""
        with self._lock:
            reg = self._reg(register_id)
            sale = self._current_sale(reg)
            if sale.payments:
                raise OperationError("a sale with payments cannot be parked; conclude or void it")
            self._commit(reg, [self._event(reg, EventType.SUSPEND, text=f"sale {sale.ref}", sale=sale.ref)])
            reg.parked[sale.ref] = sale
            reg.sale = None
            return sale.ref

    def resume(self, register_id: str, ref: str) -> None:
        """Resume a parked sale (event 13011)."""
        with self._lock:
            reg = self._reg(register_id)
            self._require_operator(reg)
            self._require_drawer_closed(reg)
            if reg.sale is not None:
                raise OperationError(f"kassapunkt {reg.id}: park or conclude the open sale {reg.sale.ref} first")
            if ref not in reg.parked:
                raise OperationError(f"no parked sale {ref!r} on {reg.id}; parked: {sorted(reg.parked)}")
            self._commit(reg, [self._event(reg, EventType.RESUME, text=f"sale {ref}", sale=ref)])
            reg.sale = reg.parked.pop(ref)

    def parked(self, register_id: str) -> list[str]:
        """References of the parked sales of a kassapunkt."""
        return sorted(self._reg(register_id).parked)

    def provisional_receipt(self, register_id: str) -> None:
        """Print a provisional receipt (foreløpig kvittering) of the open sale (event 13015, bokstav o)."""
        with self._lock:
            reg = self._reg(register_id)
            self._require_drawer_closed(reg)
            sale = self._current_sale(reg)
            self._require_printer(reg)
            number = self._next_number(reg, Series.PROVISIONAL)
            totals = sale.totals(self.config)
            doc = receipt_layout.ReceiptDocument(
                kind=receipt_layout.DocumentKind.PROVISIONAL,
                register_id=reg.id,
                number=f"{Series.PROVISIONAL.value}{number:06d}",
                at=self.now(),
                operator=self._operator_name(reg),
                lines=totals.lines,
                vat_totals=totals.vat_totals,
                total=totals.amount_in,
            )
            event = self._event(
                reg,
                EventType.PROVISIONAL_RECEIPT,
                text=f"sale {sale.ref}; receipt {doc.number}; amount {format_amount(totals.amount_in)}",
                sale=sale.ref,
                number=number,
                amount=totals.amount_in,
            )
            reg.numbers[Series.PROVISIONAL] = number
            sale.provisional_receipts += 1
            self._commit(
                reg,
                [event],
                [(0, f"provisional {doc.number}", lambda: receipt_layout.render_receipt(doc, self.config))],
            )

    def _operator_name(self, reg: _RegisterState) -> str:
        emp = self.config.employee(reg.operator)
        return f"{emp.display_name} ({emp.id})"

    # ---------------------------------------------------------------- payment

    def _tender(
        self,
        reg: _RegisterState,
        sale: OpenSale,
        means: PaymentMeans,
        amount: int,
        reference: str = "",
        brand: str = "",
    ) -> None:
        sale.payments.append(Payment(means.id, amount, reg.operator, reference, brand))

    def pay_cash(self, register_id: str, tendered: int | None = None) -> int:
        """Take cash for the rest of the sale, rounded to whole kroner; returns the change in øre.

        Args:
            register_id: The kassapunkt.
            tendered: Cash handed over (øre); ``None`` means exactly the rounded amount due.
        """
        with self._lock:
            reg = self._reg(register_id)
            self._require_drawer_closed(reg)
            sale = self._current_sale(reg)
            due, _ = sale.cash_due()
            given = due if tendered is None else tendered
            if (due >= 0 and given < 0) or (due < 0 and given > 0):
                raise OperationError("tendered cash has the wrong sign for this sale")
            taken = min(given, due) if due >= 0 else max(given, due)
            self._tender(reg, sale, self.config.means_of_kind("cash"), taken)
            return given - taken

    def pay_card(self, register_id: str, amount: int | None = None) -> str:
        """Take a card payment (or refund) through the integrated terminal; returns its reference.

        Raises:
            PaymentError: The terminal declined, timed out, was busy or the customer aborted.
        """
        with self._lock:
            reg = self._reg(register_id)
            self._require_drawer_closed(reg)
            sale = self._current_sale(reg)
            rest = sale.total - sale.paid
            value = rest if amount is None else amount
            if value == 0:
                raise OperationError("nothing left to pay")
            terminal = reg.devices.terminal
            result = (
                terminal.payment(value, sale_reference=sale.ref)
                if value > 0
                else terminal.refund(-value, sale_reference=sale.ref)
            )
            if not result.approved:
                raise PaymentError(
                    f"kassapunkt {reg.id}: the payment terminal did not approve "
                    f"{format_nok(value)} NOK: {result.message}. Nothing was paid; "
                    "try again or choose another means of payment."
                )
            approved = result.amount if value > 0 else -result.amount
            means = self._card_means(result.brand)
            self._tender(reg, sale, means, approved, result.reference, result.brand)
            return result.reference

    def pay_other(self, register_id: str, means_id: str, amount: int | None = None, reference: str = "") -> None:
        """Take a gift card or mobile payment (Vipps ...) for ``amount`` (default: the rest)."""
        with self._lock:
            reg = self._reg(register_id)
            self._require_drawer_closed(reg)
            sale = self._current_sale(reg)
            means = self.config.means(means_id)
            if means.kind in {"cash", "card", "credit"}:
                raise OperationError(f"use pay_cash, pay_card or conclude_credit for {means.id} ({means.kind})")
            value = sale.total - sale.paid if amount is None else amount
            self._tender(reg, sale, means, value, reference or f"{means.id}-{sale.ref}")

    # ---------------------------------------------------------------- conclusion

    def conclude(self, register_id: str, *, electronic_receipt: str = "") -> CashTransaction:
        """Conclude the paid sale: journal it, print the receipt, open the drawer for cash.

        Args:
            register_id: The kassapunkt.
            electronic_receipt: Address to send the receipt to as well; the paper receipt is
                then marked «KOPI» and counted as the sale's one copy (§ 2-6 fjerde ledd, § 2-8-6).

        Raises:
            PrinterUnavailable: The printer cannot print; the sale stays open.
            BuyerNameRequired: 40 000 NOK or more and no buyer name.
            OperationError: Not fully paid.
        """
        with self._lock:
            reg = self._reg(register_id)
            self._require_drawer_closed(reg)
            sale = self._current_sale(reg)
            if not sale.lines:
                raise OperationError("the sale has no lines; void it instead")
            rest = sale.total - sale.paid
            cash_payments = [p for p in sale.payments if self.config.means(p.means_id).kind == "cash"]
            rounding = 0
            if rest != 0:
                due, rounding = sale.cash_due()
                if abs(rest) == 50 and (rest < 0) == (sale.total > 0):
                    # pay_cash rounded a 50-øre rest away from zero (round_cash), so 50 øre
                    # overpaid is the cash rounding, not money left to pay
                    due, rounding = 0, -rest
                if due != 0 or not cash_payments:
                    raise OperationError(f"the sale is not paid: {format_nok(rest)} NOK left")
            if abs(sale.total) >= self.config.buyer_name_from and not sale.buyer_name:
                raise BuyerNameRequired(
                    f"the sale is {format_nok(sale.total)} NOK; bokføringsforskrifta § 5-1-2 requires the buyer's "
                    f"name from {format_nok(self.config.buyer_name_from)} NOK. Call set_buyer() first."
                )
            self._require_printer(reg)
            kind = sale.kind
            series = Series.TRAINING if sale.training else Series.SALES
            return self._conclude(reg, sale, kind, series, rounding, electronic_receipt=electronic_receipt)

    def conclude_credit(self, register_id: str, customer_id: str) -> CashTransaction:
        """Conclude the sale as a credit sale invoiced later, printing a delivery receipt (§ 2-8-7)."""
        with self._lock:
            reg = self._reg(register_id)
            self._require_drawer_closed(reg)
            sale = self._current_sale(reg)
            if sale.payments or sale.training or sale.total <= 0:
                raise OperationError("a credit sale has positive lines, no other payments and no training mode")
            if not customer_id.strip():
                raise OperationError("a credit sale needs the customer's account id")
            self._require_printer(reg)
            self._tender(reg, sale, self.config.means_of_kind("credit"), sale.total, customer_id)
            return self._conclude(reg, sale, TransactionKind.CREDIT_SALE, Series.DELIVERY, 0, customer_id=customer_id)

    def _conclude(
        self,
        reg: _RegisterState,
        sale: OpenSale,
        kind: TransactionKind,
        series: Series,
        rounding: int,
        *,
        electronic_receipt: str = "",
        customer_id: str = "",
    ) -> CashTransaction:
        totals = sale.totals(self.config)
        number = self._next_number(reg, series)
        tx = self._sign(
            reg,
            CashTransaction(
                register_id=reg.id,
                nr=0,
                trans_id=trans_id(reg.id, series, number),
                kind=kind,
                series=series,
                number=number,
                amount_in=totals.amount_in,
                amount_ex=totals.amount_ex,
                emp_id=sale.emp_id,
                at=self.now(),
                signature="",
                key_version="",
                lines=totals.lines,
                vat_totals=totals.vat_totals,
                rounding=rounding,
                payments=tuple(sale.payments),
                buyer_name=sale.buyer_name,
                customer_id=customer_id,
                returns_trans_id=sale.returns_trans_id,
                provisional_receipts=sale.provisional_receipts,
                sale_ref=sale.ref,
            ),
        )
        receipt_event = {
            TransactionKind.SALE: EventType.SALES_RECEIPT,
            TransactionKind.SALE_RETURN: EventType.SALES_RECEIPT,
            TransactionKind.RETURN: EventType.RETURN_RECEIPT,
            TransactionKind.CREDIT_SALE: EventType.DELIVERY_RECEIPT,
            TransactionKind.TRAINING: EventType.TRAINING_RECEIPT,
        }[kind]
        records: list[CashTransaction | Event] = [tx, self._event(reg, receipt_event, trans=tx.trans_id)]
        doc = receipt_layout.document_for(tx, self.config)
        documents: list[tuple[int, str, Callable[[], bytes]]] = []
        if electronic_receipt:
            # § 2-6 fjerde ledd / § 2-8-6: paper and electronic receipt -> the paper one is the copy
            event, document = self._copy_receipt(reg, tx, doc, "; paper copy of e-receipt")
            records.append(event)
            documents.append(document)
        else:
            documents.append((0, f"receipt {tx.trans_id}", lambda: receipt_layout.render_receipt(doc, self.config)))
        # Cash moves only for real sales paid or refunded in cash (training moves no cash).
        moves_cash = kind is not TransactionKind.TRAINING and any(
            self.config.means(p.means_id).kind == "cash" for p in tx.payments
        )
        if moves_cash:
            records.append(self._event(reg, EventType.DRAWER_OPEN, trans=tx.trans_id))
        reg.sale = None
        try:
            self._commit(reg, records, documents, kick_drawer=moves_cash)
        except ReceiptNotPrinted:
            raise
        except BaseException:
            reg.sale = sale
            raise
        finally:
            if electronic_receipt and reg.sale is None:
                self._send_electronic(electronic_receipt, receipt_layout.render_receipt(doc, self.config))
        return tx

    def void(self, register_id: str, reason: str = "Annullert av operatør") -> CashTransaction:
        """Cancel the open sale (§ 2-8-2 bokstav r); card payments on it are refunded first."""
        with self._lock:
            reg = self._reg(register_id)
            sale = self._current_sale(reg)
            for payment in [p for p in sale.payments if self.config.means(p.means_id).kind == "card"]:
                result = (
                    reg.devices.terminal.refund(payment.amount, sale_reference=sale.ref)
                    if payment.amount > 0
                    else reg.devices.terminal.payment(-payment.amount, sale_reference=sale.ref)
                )
                if not result.approved:
                    raise PaymentError(
                        f"the card payment {payment.reference} could not be reversed: "
                        f"{result.message}; the sale stays open"
                    )
                sale.payments.remove(payment)
            tx = self._void(reg, sale, reason)
            reg.sale = None
            return tx

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

    # ================================================================ documents and functions

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
        return event, (0, f"copy of {tx.trans_id}", lambda: receipt_layout.render_receipt(doc, self.config, copy=True))

    def print_copy(self, register_id: str, trans_id_: str) -> None:
        """Print the one allowed copy receipt, marked «KOPI» (§ 2-6 fjerde ledd, § 2-8-6, event 13014).

        Raises:
            CopyLimitReached: A copy of this receipt was already printed (on paper or as the
                paper twin of an electronic receipt).
        """
        with self._lock:
            reg = self._reg(register_id)
            self._require_operator(reg)
            tx = self.journal.transaction(trans_id_)
            if tx is None or not (tx.is_sale_document or tx.kind is TransactionKind.CREDIT_SALE):
                raise OperationError(f"no receipt {trans_id_!r} in the journal")
            if self.journal.count_events(EventType.COPY_RECEIPT, trans_id=trans_id_) >= 1:
                raise CopyLimitReached(
                    f"receipt {trans_id_} already has its copy; kassasystemforskrifta § 2-6 "
                    "fjerde ledd allows one copy receipt"
                )
            self._require_printer(reg)
            event, document = self._copy_receipt(reg, tx, receipt_layout.document_for(tx, self.config))
            self._commit(reg, [event], [document])

    def set_training(self, register_id: str, on: bool) -> None:
        """Switch training mode on or off (events 13023/13024; FOR-2016-07-06-901)."""
        with self._lock:
            reg = self._reg(register_id)
            self._require_operator(reg)
            if reg.sale is not None:
                raise OperationError("conclude or void the open sale before switching training mode")
            if reg.training == on:
                return
            self._commit(reg, [self._event(reg, EventType.TRAINING_ON if on else EventType.TRAINING_OFF)])
            reg.training = on

    def price_lookup(self, register_id: str, art_id: str) -> int:
        """Show an article's price without registering it (§ 2-7 fjerde ledd, event 13022, bokstav t)."""
        with self._lock:
            reg = self._reg(register_id)
            self._require_operator(reg)
            self._require_drawer_closed(reg)
            article = self.config.article(art_id)
            price = self._prices[art_id]
            vat = vat_of_gross(price, self.config.vat(article.vat_code).rate_bp)
            self._commit(
                reg,
                [
                    self._event(
                        reg,
                        EventType.PRICE_LOOKUP,
                        text=(
                            f"artID {art_id}; artGroupID {article.group_id}; lineAmntIn {format_amount(price)}; "
                            f"lineAmntEx {format_amount(price - vat)}"
                        ),
                        art=art_id,
                        group=article.group_id,
                        amount=price,
                    )
                ],
            )
            return price

    def open_drawer(self, register_id: str, reason: str = "") -> None:
        """Open the drawer without a sale (nullinnslag, § 1-2 bokstav c; counted in bokstav m)."""
        with self._lock:
            reg = self._reg(register_id)
            self._require_operator(reg)
            self._require_drawer_closed(reg)
            if reg.sale is not None:
                raise OperationError("the drawer opens with the sale's conclusion; no nullinnslag during a sale")
            self._commit(
                reg, [self._event(reg, EventType.DRAWER_OPEN_NO_SALE, text=reason or "Nullinnslag")], kick_drawer=True
            )

    def change_price(self, art_id: str, price: int, *, register_id: str | None = None) -> None:
        """Change an article's price; the journal records when (§ 2-7 tredje ledd, event 13021)."""
        with self._lock:
            self.config.article(art_id)
            if price < 0:
                raise OperationError("a price cannot be negative")
            reg = self._reg(register_id or self.config.registers[0].id)
            old = self._prices[art_id]
            self._commit(
                reg,
                [
                    self._event(
                        reg,
                        EventType.PRICE_CHANGE,
                        text=f"artID {art_id}; {format_amount(old)} -> {format_amount(price)}",
                        art=art_id,
                        old=old,
                        new=price,
                    )
                ],
            )
            self._prices[art_id] = price

    def price(self, art_id: str) -> int:
        """The current price of an article (øre)."""
        self.config.article(art_id)
        return self._prices[art_id]

    # ================================================================ reports

    def _last_z(self, reg: _RegisterState) -> tuple[int, ReportFigures | None]:
        last = self.journal.last_event(EventType.Z_REPORT, reg.id)
        if last is None:
            return 0, None
        assert isinstance(last.record, Event)
        return last.seq, last.record.report

    def _report(self, reg: _RegisterState, report_type: str) -> ReportFigures:
        after, previous = self._last_z(reg)
        at = self.now()
        if report_type == "Z":
            number = (previous.number if previous else 0) + 1
        else:
            number = self.journal.count_events(EventType.X_REPORT) + 1
        return compute_figures(
            self.journal.entries(register_id=reg.id, after_seq=after),
            self.config,
            report_type="Z" if report_type == "Z" else "X",
            report_id=f"{reg.id}-{report_type}{number:04d}",
            number=number,
            register_id=reg.id,
            at=at,
            previous_z=previous,
        )

    def x_report(self, register_id: str) -> ReportFigures:
        """Produce, journal in full and print an X report (§ 2-8-2, § 2-7 første ledd; event 13008)."""
        with self._lock:
            reg = self._reg(register_id)
            self._require_printer(reg)
            figures = self._report(reg, "X")
            self._commit(
                reg,
                [self._event(reg, EventType.X_REPORT, at=figures.at, text="X-rapport", report=figures)],
                [(0, f"X report {figures.report_id}", lambda: receipt_layout.render_report(figures, self.config))],
            )
            return figures

    def z_report(self, register_id: str) -> ReportFigures:
        """Produce, journal and print the next Z report (§ 2-8-3; event 13009).

        Raises:
            ZReportBlocked: A sale is open or parked on the kassapunkt (§ 2-8-3 andre ledd).
        """
        with self._lock:
            reg = self._reg(register_id)
            if reg.sale is not None or reg.parked:
                open_refs = ([reg.sale.ref] if reg.sale else []) + sorted(reg.parked)
                raise ZReportBlocked(
                    f"kassapunkt {reg.id} has open or parked sales ({', '.join(open_refs)}); "
                    "kassasystemforskrifta § 2-8-3 andre ledd: conclude or void them before the "
                    "Z report"
                )
            self._require_printer(reg)
            figures = self._report(reg, "Z")
            self._commit(
                reg,
                [self._event(reg, EventType.Z_REPORT, at=figures.at, text="Z-rapport", report=figures)],
                [(0, f"Z report {figures.report_id}", lambda: receipt_layout.render_report(figures, self.config))],
            )
            return figures

    def last_z_report(self, register_id: str) -> ReportFigures | None:
        """The latest Z report of a kassapunkt."""
        return self._last_z(self._reg(register_id))[1]

    # ================================================================ settlement and export

    def _card_means(self, brand: str) -> PaymentMeans:
        """The configured card means for a brand the terminal reported (BankAxept: debit, others: credit)."""
        predefined = _CARD_BRAND_MEANS.get(brand, "12003")
        return next(
            (m for m in self.config.payment_means if m.kind == "card" and m.predefined == predefined),
            self.config.means_of_kind("card"),
        )

    def terminal_totals(self, register_id: str) -> tuple[KeyCountAmount, ...]:
        """The payment terminal's totals, keyed by this till's card means (BAX / CREDCARD)."""
        totals: dict[str, list[int]] = {}
        for row in self._reg(register_id).devices.terminal.totals():
            means = self._card_means(row.key)
            acc = totals.setdefault(means.id, [0, 0])
            acc[0] += row.count
            acc[1] += row.amount
        return tuple(KeyCountAmount(k, c, a) for k, (c, a) in sorted(totals.items()))

    def settle(
        self, register_id: str, *, counted_by: str, counts: Mapping[int, int], explanation: str = ""
    ) -> Settlement:
        """Daily settlement against the last Z report (bokføringsforskrifta § 5-3-14).

        Journals the counted cash (11007) and any difference (11008) as signed
        transactions and the settlement in full (event 13018), and prints it.
        """
        with self._lock:
            reg = self._reg(register_id)
            _, z = self._last_z(reg)
            if z is None:
                raise OperationError(f"kassapunkt {reg.id} has no Z report to settle; run z_report() first")
            self._require_printer(reg)
            number = self.journal.count_events(EventType.OTHER_REPORT) + 1
            settlement = compute_settlement(
                z,
                self.config,
                number=number,
                at=self.now(),
                counted_by=counted_by,
                counts=counts,
                explanation=explanation,
                terminal_totals=self.terminal_totals(reg.id),
            )
            records: list[CashTransaction | Event] = []
            for kind, amount, text in (
                (TransactionKind.CASH_COUNT, settlement.counted_total, "Opptalt kontantbeholdning"),
                (TransactionKind.CASH_DIFF, settlement.difference, f"Kassedifferanse: {settlement.explanation}"),
            ):
                if kind is TransactionKind.CASH_DIFF and amount == 0:
                    continue
                tx = self._cash_transaction(reg, kind, amount, counted_by, settlement.at, text)
                reg.nr, reg.previous_signature, reg.numbers[Series.CASH] = tx.nr, tx.signature, tx.number
                records.append(tx)
            records.append(
                self._event(
                    reg,
                    EventType.OTHER_REPORT,
                    at=settlement.at,
                    text=f"Dagsoppgjør {number}; {z.report_id}",
                    settlement=settlement,
                )
            )
            self._commit(
                reg,
                records,
                [
                    (
                        len(records) - 1,
                        f"settlement {number}",
                        lambda: receipt_layout.render_settlement(settlement, self.config),
                    )
                ],
            )
            return settlement

    def posting(self, register_id: str) -> tuple[PostingLine, ...]:
        """The bookkeeping posting of the last settled day of a kassapunkt."""
        reg = self._reg(register_id)
        last = self.journal.last_event(EventType.OTHER_REPORT, reg.id)
        _, z = self._last_z(reg)
        if last is None or z is None or not isinstance(last.record, Event):
            raise OperationError(f"kassapunkt {reg.id} has no settlement yet; run settle() first")
        settlement = last.record.data["settlement"]
        return day_posting(z, settlement, self.config)

    def write_posting(self, register_id: str, out: TextIO) -> None:
        """Write the posting of the last settled day as CSV."""
        lines = self.posting(register_id)
        last = self.journal.last_event(EventType.OTHER_REPORT, register_id)
        assert last is not None and isinstance(last.record, Event)
        settlement: Settlement = last.record.data["settlement"]
        write_posting_csv(lines, out, date=settlement.at.date(), voucher=f"{register_id}-DO{settlement.number:04d}")

    def export_saft(self, out_dir: str | Path, start: date, end: date) -> ExportSummary:
        """Export the journal for a period as SAF-T Cash Register XML (§ 2-7 første ledd)."""
        with self._lock:
            return export_saft(self.journal, self.config, Path(out_dir), start=start, end=end, created=self.now())

    def entries(self, **filters: Any) -> Iterable[JournalEntry]:
        """Journal records (see :meth:`Journal.entries`)."""
        return self.journal.entries(**filters)

    # ================================================================ recovery

    def _replay(self, sales: dict[str, OpenSale], event: Event) -> None:
        """Rebuild open sales from their journaled line events (for crash recovery)."""
        data = event.data
        ref = str(data.get("sale", ""))
        if event.event_type == EventType.SALE_STARTED:
            sales[ref] = OpenSale(ref, event.register_id, event.emp_id, event.at, training=bool(data.get("training")))
            return
        sale = sales.get(ref)
        if sale is None:
            return
        if event.event_type == EventType.LINE_ADDED:
            sale.add_line(
                self.config.article(str(data["art"])),
                parse_quantity(str(data["quantity"])),
                int(data["price"]),
                event.at,
                event.emp_id,
                int(data.get("campaign", 0)),
            )
        elif event.event_type == EventType.LINE_CORRECTION:
            sale.reduce(int(data["line"]), parse_quantity(str(data["quantity"])))
        elif event.event_type == EventType.MANUAL_DISCOUNT:
            sale.discount(int(data["line"]), int(data["amount"]), event.text)

    def _recover(self) -> None:
        """Cancel sales interrupted by a crash and list unconfirmed print jobs (see module doc)."""
        for reg in self._registers.values():
            # A Z report is refused while a sale is open or parked (§ 2-8-3 andre ledd), so every
            # sale started before the register's last Z was concluded: scan only after it.
            after, _ = self._last_z(reg)
            sales: dict[str, OpenSale] = {}
            for entry in self.journal.entries(register_id=reg.id, after_seq=after):
                record = entry.record
                if isinstance(record, CashTransaction):
                    sales.pop(record.sale_ref, None)
                    continue
                self._replay(sales, record)
            for sale in sales.values():
                reg.operator = sale.emp_id
                self._void(reg, sale, "Avbrutt salg: programmet stoppet før salget var fullført")
                reg.operator = ""
        # Only jobs without any outcome: a job already listed by an earlier RECOVERY (or journaled
        # with PRINTFAIL) has state "failed" and is not listed again at every later start.
        unfinished = [job for job in self.journal.unfinished_print_jobs() if job.state == "queued"]
        if unfinished:
            first = self._registers[self.config.registers[0].id]
            by_register: dict[str, list[str]] = {}
            for job in unfinished:
                by_register.setdefault(job.register_id, []).append(f"{job.document} (job {job.job})")
            for register_id, docs in by_register.items():
                reg = self._registers.get(register_id, first)
                self.journal.append(
                    [
                        self._event(
                            reg,
                            EventType.RECOVERY,
                            text="Utskrift ikke bekreftet før omstart: " + ", ".join(docs),
                            jobs=[j.job for j in unfinished if j.register_id == register_id],
                        )
                    ],
                    print_states=[(j.job, "failed") for j in unfinished if j.register_id == register_id],
                )

    def close(self) -> None:
        """Journal a drawer closed since the last operation, flush print confirmations, close the journal."""
        with self._lock:
            for reg in self._registers.values():
                self._observe_drawer(reg)
            if self._pending_events or self._printed:
                self.journal.append(self._pending_events, print_states=self._printed)
                self._pending_events, self._printed = [], []
            self.journal.close()

    def __enter__(self) -> Till:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
