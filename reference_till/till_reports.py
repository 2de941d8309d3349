"""Reports, settlement and export of the reference till.

:class:`ReportsMixin` gives :class:`~reference_till.till.Till` the X and Z reports
(§ 2-8-2, § 2-8-3; a Z report is refused while a sale is open or parked), the payment
terminal's totals, the daily settlement (bokføringsforskrifta § 5-3-14) with its
bookkeeping posting, the SAF-T Cash Register export (§ 2-7 første ledd) and read access
to the journal. The figures themselves are computed by :mod:`~reference_till.reports`,
:mod:`~reference_till.settlement`, :mod:`~reference_till.posting` and
:mod:`~reference_till.saft_export`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from reference_till import receipt_layout
from reference_till.codes import EventType
from reference_till.errors import OperationError, ZReportBlocked
from reference_till.faults import Fault
from reference_till.model import (
    CashTransaction,
    Event,
    JournalEntry,
    KeyCountAmount,
    ReportFigures,
    Series,
    Settlement,
    TransactionKind,
)
from reference_till.posting import PostingLine, day_posting, write_posting_csv
from reference_till.reports import compute_figures
from reference_till.saft_export import ExportSummary, export_saft
from reference_till.settlement import compute_settlement
from reference_till.till_base import _RegisterState, _TillBase

__all__ = ["ReportsMixin"]


class ReportsMixin(_TillBase):
    """The report, settlement and export verbs of :class:`~reference_till.till.Till`."""

    # ================================================================ reports

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
            faults=self.faults,
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
                [
                    (
                        0,
                        f"X report {figures.report_id}",
                        lambda: self._render_report(figures),
                    )
                ],
            )
            return figures

    def z_report(self, register_id: str) -> ReportFigures:
        """Produce, journal and print the next Z report (§ 2-8-3; event 13009).

        Raises:
            ZReportBlocked: A sale is open or parked on the kassapunkt (§ 2-8-3 andre ledd).
        """
        with self._lock:
            reg = self._reg(register_id)
            if (reg.sale is not None or reg.parked) and Fault.Z_WITH_OPEN_SALE not in self.faults:
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
                [
                    (
                        0,
                        f"Z report {figures.report_id}",
                        lambda: self._render_report(figures),
                    )
                ],
            )
            return figures

    def last_z_report(self, register_id: str) -> ReportFigures | None:
        """The latest Z report of a kassapunkt."""
        return self._last_z(self._reg(register_id))[1]

    # ================================================================ settlement and export

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

    def export_saft(self, out_dir: str | Path, start: date | None = None, end: date | None = None) -> ExportSummary:
        """Export the journal for a period as SAF-T Cash Register XML (§ 2-7 første ledd).

        Args:
            out_dir: Folder for the file.
            start: First day; default the journal's first business day (today for an empty journal).
            end: Last day; default today.
        """
        with self._lock:
            self._flush_observations()  # a drawer closed just before the export is in it
            now = self.now()
            start, end = start or self.journal.first_day() or now.date(), end or now.date()
            return export_saft(self.journal, self.config, Path(out_dir), start=start, end=end, created=now)

    def entries(self, **filters: Any) -> Iterable[JournalEntry]:
        """Journal records (see :meth:`Journal.entries`)."""
        return self.journal.entries(**filters)
