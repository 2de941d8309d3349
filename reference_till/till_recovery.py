"""Restart after a crash: the reference till's recovery when a journal is opened.

:meth:`RecoveryMixin._recover` runs from :class:`~reference_till.till.Till`'s constructor,
after each kassapunkt's chain and number series are loaded from the journal:

* Sales that were open or parked when the process died are cancelled as *avbrotne sal*
  (§ 2-8-2 bokstav r): a signed void transaction with the amount registered so far and a
  ``VOIDREC`` event, so the interrupted registrations stay visible in X/Z.
* Print jobs that were queued but never confirmed are listed in a ``RECOVERY`` event.
  They are not printed again automatically: the document may already be in the
  customer's hand, and a second original would be an unmarked copy (§ 2-6 fjerde ledd).
  The operator can print the one copy receipt marked «KOPI».
* The signature chain continues from the last committed transaction of each register.
"""

from __future__ import annotations

from devices.terminal.client import TerminalError
from reference_till.codes import EventType
from reference_till.errors import PaymentError
from reference_till.faults import Fault
from reference_till.model import CashTransaction, Event, Payment
from reference_till.money import parse_quantity
from reference_till.sale import OpenSale
from reference_till.till_base import _TillBase

__all__ = ["RecoveryMixin"]


class RecoveryMixin(_TillBase):
    """Crash recovery of :class:`~reference_till.till.Till` (see module doc)."""

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
        elif event.event_type == EventType.CARD_PAYMENT:
            means, amount, reference = str(data["means"]), int(data["amount"]), str(data["reference"])
            sale.payments.append(Payment(means, amount, event.emp_id, reference, str(data["brand"])))

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
            if sales and Fault.NO_RECOVERY_VOID in self.faults:  # breaks § 2-8-2 bokstav r: the sale vanishes
                sales.clear()
            for sale in sales.values():
                reg.operator = sale.emp_id
                reason = "Avbrutt salg: programmet stoppet før salget var fullført"
                try:
                    # the card money taken before the crash goes back to the customer's card
                    self._reverse_card_payments(reg, sale)
                except (PaymentError, TerminalError, OSError) as exc:
                    reason += f"; kortbetaling ikke tilbakeført ({exc})"
                self._void(reg, sale, reason)
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
