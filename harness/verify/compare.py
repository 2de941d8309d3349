"""Comparing one X or Z report with the figures recomputed from the export.

Each letter of kassasystemforskrifta § 2-8-2 første ledd that SAF-T lets us derive has
its own rule (``Z-E`` … ``Z-W``); a difference in an amount is an error, a difference
only in a count under a convention the regulation leaves open (f, g, h) is the warning
``Z-COUNT``. Amounts must agree to the øre: every figure is a sum of amounts the file
itself states, so no rounding tolerance applies.
"""

from __future__ import annotations

from typing import Any

from harness.verify.findings import FindingLog, Location
from harness.verify.periods import EventFigures, Figures, ReportPeriod
from harness.verify.records import format_ore

__all__ = ["check_grand_totals", "compare_report"]


class _Compare:
    def __init__(self, period: ReportPeriod, log: FindingLog, register: str) -> None:
        self.period = period
        self.log = log
        self.report = period.report
        self.label = f"{period.kind} report {self.report.report_id or period.event.event_id}"
        self.names: dict[str, Any] = {"kind": period.kind, "report": self.report.report_id or period.event.event_id}
        self.where = Location(
            register=register, event_id=period.event.event_id, path="event/eventReport", line=period.event.line
        )

    def fig(self, name: str) -> int | None:
        return self.report.figures.get(name)

    def amount(self, letter: str, figure: str, reported: int | None, computed: int) -> None:
        if reported is not None and reported != computed:
            self.log.add(
                f"Z-{letter}",
                self.where,
                group=self.label,
                **self.names,
                figure=figure,
                reported=format_ore(reported),
                computed=format_ore(computed),
            )

    def count(self, letter: str, figure: str, reported: int | None, computed: int) -> None:
        if reported is not None and reported != computed:
            self.log.add(
                f"Z-{letter}", self.where, group=self.label, **self.names, figure=figure,
                reported=reported, computed=computed,
            )  # fmt: skip

    def keyed(self, letter: str, list_name: str, computed: dict[str, list[int]], what: str) -> None:
        """Compare a keyed list (amount error, count warning); a missing row counts as zero."""
        reported_rows = self.report.lists.get(list_name)
        if reported_rows is None:
            return
        reported = {" / ".join(k): v for k, v in reported_rows.items()}
        keys = set(reported) | set(computed)
        for key in sorted(keys):
            got = reported.get(key, [0, 0])
            want = computed.get(key, [0, 0])
            if key == "None" and not any(got):
                continue
            if (got[-1] or 0) != want[1]:
                self.amount(letter, f"{what} {key} amount", got[-1] or 0, want[1])
                return
            if len(got) > 1 and (got[0] or 0) != want[0]:
                self.log.add(
                    "Z-COUNT", self.where, group=self.label + letter, **self.names,
                    figure=f"{what} {key}", reported=got[0] or 0, computed=want[0],
                )  # fmt: skip


def compare_report(
    period: ReportPeriod,
    figures: Figures,
    events: EventFigures,
    copy_amount: int | None,
    log: FindingLog,
    register: str,
) -> None:
    """Report every figure of ``period``'s report that the export contradicts."""
    c = _Compare(period, log, register)
    total = c.fig("totalCashSaleAmnt")
    if total is not None and total != figures.total:
        if figures.total_training and total == figures.total + figures.total_training:
            log.add(
                "Z-TRAINING", c.where, group=c.label, **c.names, reported=format_ore(total),
                training=format_ore(figures.total_training), computed=format_ore(figures.total),
            )  # fmt: skip
        else:
            c.amount("E", "totalCashSaleAmnt", total, figures.total)
    c.keyed("F", "reportArtGroups", {k: v for k, v in figures.groups.items()}, "artGroup")
    c.keyed("G", "reportPayments", {k: v for k, v in figures.payments.items()}, "paymentType")
    c.keyed(
        "H", "reportEmpPayments", {" / ".join(k): v for k, v in figures.emp_payments.items()}, "empID / paymentType"
    )
    vat_rows = c.report.lists.get("reportCashSalesVat")
    if vat_rows is not None:
        for (code,), (base, vat) in sorted(vat_rows.items()):
            want = figures.vat.get(code, [0, 0])
            if (base or 0) != want[0]:
                c.amount("J", f"vatCode {code} cashSaleAmnt", base or 0, want[0])
                break
            if (vat or 0) != want[1]:
                c.amount("J", f"vatCode {code} vatAmnt", vat or 0, want[1])
                break
        else:
            for code, (base_c, vat_c) in figures.vat.items():
                if (code,) not in vat_rows and (base_c or vat_c):
                    c.amount("J", f"vatCode {code} cashSaleAmnt", 0, base_c)
                    break
    c.amount("K", "reportOpeningChangeFloat", c.fig("reportOpeningChangeFloat"), figures.opening_float)
    c.count("L", "reportReceiptNum", c.fig("reportReceiptNum"), figures.receipts)
    c.count("M", "reportOpenCashBoxNum", c.fig("reportOpenCashBoxNum"), events.nullinnslag)
    c.count("N", "reportReceiptCopyNum", c.fig("reportReceiptCopyNum"), events.copies)
    if copy_amount is not None:
        c.amount("N", "reportReceiptCopyAmnt", c.fig("reportReceiptCopyAmnt"), copy_amount)
    c.count("O", "reportReceiptProformaNum", c.fig("reportReceiptProformaNum"), events.provisional)
    c.count("P", "reportReturnNum", c.fig("reportReturnNum"), figures.returns[0])
    c.amount("P", "reportReturnAmnt", c.fig("reportReturnAmnt"), figures.returns[1])
    c.count("R", "reportVoidTransNum", c.fig("reportVoidTransNum"), figures.voids[0])
    void_amount = c.fig("reportVoidTransAmnt")
    c.amount("R", "reportVoidTransAmnt", abs(void_amount) if void_amount is not None else None, figures.voids[1])
    inquiries = c.report.lists.get("reportPriceInquiries")
    if inquiries is not None:
        c.count("T", "Σ priceInquiryNum", sum(v[0] or 0 for v in inquiries.values()), events.lookups)
    c.count("V", "reportReceiptDeliveryNum", c.fig("reportReceiptDeliveryNum"), figures.delivery[0])
    c.amount("V", "reportReceiptDeliveryAmnt", c.fig("reportReceiptDeliveryAmnt"), figures.delivery[1])
    c.count("W", "reportTrainingNum", c.fig("reportTrainingNum"), figures.training[0])
    training_amount = c.fig("reportTrainingAmnt")
    c.amount(
        "W", "reportTrainingAmnt", abs(training_amount) if training_amount is not None else None, figures.training[1]
    )
    if "reportCreditSales" in c.report.present:
        c.count("CREDIT", "creditSalesNum", c.fig("creditSalesNum"), figures.credit[0])
        c.amount("CREDIT", "creditSalesAmnt", c.fig("creditSalesAmnt"), figures.credit[1])
    for list_name, index, what, computed in (
        ("reportPayIns", 0, "Σ payInNum", figures.pay_ins[0]),
        ("reportPayIns", 1, "Σ payInAmnt", figures.pay_ins[1]),
        ("reportPayOuts", 0, "Σ payOutNum", figures.pay_outs[0]),
        ("reportPayOuts", 1, "Σ payOutAmnt", figures.pay_outs[1]),
    ):
        rows = c.report.lists.get(list_name)
        if rows is None:
            continue
        reported = sum(abs(v[index] or 0) for v in rows.values())
        if reported != computed:
            if index == 0:
                c.count("PAYIO", what, reported, computed)
            else:
                c.amount("PAYIO", what, reported, computed)


def check_grand_totals(
    period: ReportPeriod, figures: Figures, previous: tuple[int, int] | None, log: FindingLog, register: str
) -> tuple[int, int] | None:
    """Check x, y, z of a Z report against the previous Z report; return this one's (x, y)."""
    report = period.report
    x = report.figures.get("reportGrandTotalSales")
    y = report.figures.get("reportGrandTotalReturn")
    z = report.figures.get("reportGrandTotalSalesNet")
    label = f"{period.kind} report {report.report_id or period.event.event_id}"
    where = Location(
        register=register, event_id=period.event.event_id, path="event/eventReport", line=period.event.line
    )

    def problem(text: str) -> None:
        log.add(
            "Z-GRAND",
            where,
            group=label,
            kind=period.kind,
            report=report.report_id or period.event.event_id,
            problem=text,
        )

    if x is None or y is None:
        return previous
    if z is not None and x - y != z:
        problem(f"sales {format_ore(x)} − returns {format_ore(y)} = {format_ore(x - y)}, but net is {format_ore(z)}")
    if previous is not None:
        px, py = previous
        if x < px or y < py:
            problem(f"grand totals fell from {format_ore(px)} / {format_ore(py)} to {format_ore(x)} / {format_ore(y)}")
        elif x - px != figures.sales:
            problem(
                f"grand total sales grew by {format_ore(x - px)}, "
                f"but the period's sales are {format_ore(figures.sales)}"
            )
        elif y - py != figures.returned:
            problem(
                f"grand total returns grew by {format_ore(y - py)}, but the period's returns are "
                f"{format_ore(figures.returned)}"
            )
    elif x < figures.sales or y < figures.returned:
        problem(
            f"grand totals {format_ore(x)} / {format_ore(y)} are smaller than this period's sales "
            f"{format_ore(figures.sales)} / returns {format_ore(figures.returned)}"
        )
    return x, y
