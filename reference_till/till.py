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
   kept, and :class:`~reference_till.errors.ReceiptNotPrinted` tells the caller. The
   kassapunkt's next commit prints it once the printer reports ready (or
   :meth:`Till.retry_printing`); a document the printer finished by itself after the
   paper change counts as printed and is never sent a second time.

``_commit`` in :mod:`~reference_till.till_base` is the one path that does this.

:class:`Till` is a façade over one lock, one commit path and one set of rule checks.
This module holds its constructor, the session verbs (start, stop, login, logout, the
float and cash in/out) and ``close``; the other verbs come from mixins, one module per
concern:

* :mod:`~reference_till.till_base`: shared state and plumbing (clock, signing, numbers,
  rule checks, the commit path, printing and :meth:`Till.retry_printing`).
* :mod:`~reference_till.till_sales`: lines, returns, corrections, discounts, parking,
  tenders, conclusion and void.
* :mod:`~reference_till.till_documents`: provisional and copy receipts, training mode,
  price look-up and price changes, nullinnslag.
* :mod:`~reference_till.till_reports`: X/Z reports, settlement, posting, SAF-T export.
* :mod:`~reference_till.till_recovery`: restart after a crash (interrupted sales voided,
  unconfirmed print jobs listed, not reprinted); its module doc has the rules.

The pure parts live elsewhere (:mod:`~reference_till.sale`, :mod:`~reference_till.reports`,
:mod:`~reference_till.settlement`, :mod:`~reference_till.saft_export`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from reference_till.codes import EventType
from reference_till.config import TillConfig, load_config
from reference_till.errors import OperationError
from reference_till.faults import Fault
from reference_till.journal import Journal
from reference_till.model import CashTransaction, Event, Payment, TransactionKind
from reference_till.money import format_amount
from reference_till.signing import Signer, signer_from_config
from reference_till.till_base import OSLO, RegisterDevices, _oslo_now, _PendingPrint, _RegisterState
from reference_till.till_documents import DocumentsMixin
from reference_till.till_recovery import RecoveryMixin
from reference_till.till_reports import ReportsMixin
from reference_till.till_sales import SalesMixin

__all__ = ["OSLO", "RegisterDevices", "Till"]


class Till(SalesMixin, DocumentsMixin, ReportsMixin, RecoveryMixin):
    """A Norwegian cash register with an append-only, signed electronic journal.

    Args:
        journal_path: The SQLite journal file (created if missing).
        config: The shop; the embedded default when omitted.
        devices: Peripherals per kassapunkt id; in-memory devices where not given.
        clock: Returns the current time (aware, Europe/Oslo); injectable for tests and demos.
        electronic_receipts: Callable receiving ``(address, document_bytes)`` for e-receipts.
        faults: Rules to break on purpose (:mod:`reference_till.faults`; only the harness's
            own meta-tests switch them on).
    """

    def __init__(
        self,
        journal_path: str | Path,
        config: TillConfig | None = None,
        *,
        devices: Mapping[str, RegisterDevices] | None = None,
        clock: Callable[[], datetime] = _oslo_now,
        electronic_receipts: Callable[[str, bytes], None] | None = None,
        faults: frozenset[Fault] = frozenset(),
    ) -> None:
        self.config = config or load_config()
        self.faults = faults
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
            self._flush_observations()  # a drawer left open by the previous run and now shut
        except BaseException:
            self.journal.close()
            raise

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

    def close(self) -> None:
        """Journal a drawer closed since the last operation, flush print confirmations, close the journal."""
        with self._lock:
            self._flush_observations()
            self.journal.close()

    def __enter__(self) -> Till:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
