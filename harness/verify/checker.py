"""The semantic checks, run as the reader streams the file (a :class:`~harness.verify.stream.Handler`).

State is kept per register and is bounded: counters, the previous transaction's
signature and time, the report events of the register (a few per day), and
:class:`~harness.verify.idset.IdSet` bit sets for identifiers. Nothing grows with the
number of transactions except those bit sets (one bit per id).

What is checked where:

* masterfiles: code lists (``CODE-*``), organisation number (``HDR-ORGNR``);
* every event: type declared and what its code means (``REF-EVENTTYPE``, ``EVT-*``),
  unique ``eventID``, time order, the exported period, report headers (``Z-A`` … ``Z-D``),
  Z numbering and one Z a day;
* every transaction: references (``REF-*``), money (:mod:`harness.verify.money`), ``nr``
  without gaps, receipt-number series from ``transID``, time order, the period, copies,
  and its signature job (:mod:`harness.verify.signatures`);
* every report: its figures against the transactions and events of its period
  (:mod:`harness.verify.compare`), Z grand totals.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from harness.saft_spec import code_list
from harness.verify.compare import check_grand_totals, compare_report
from harness.verify.findings import FindingLog, Location
from harness.verify.idset import IdSet, split_id
from harness.verify.money import check_money
from harness.verify.periods import EventFigures, Figures, ReportPeriod
from harness.verify.records import Basic, Event, Transaction, format_ore
from harness.verify.signatures import SigJob, decode_signature

__all__ = ["Checker", "Masters"]

_RECEIPT_EVENTS = frozenset({"13012", "13013", "13014", "13016", "13017", "13028", "13030"})
_REPORT_TYPES = {"13008": ("X", "x report"), "13009": ("Z", "z report")}
#: words in a basic's description -> the predefined codes they must map to (CODE-MEANING)
_MEANINGS = (
    (("eksport", "export", "overføring av journal"), {"13020"}, "13020 (export of journal)"),
    (("z-rapport", "z report", "z-report"), {"13009"}, "13009 (Z report)"),
    (("x-rapport", "x report", "x-report"), {"13008"}, "13008 (X report)"),
    (("kopi", "copy"), {"13014"}, "13014 (copy receipt)"),
)


def _orgnr_ok(ident: str) -> bool:
    digits = ident.removesuffix("MVA").strip()
    if len(digits) != 9 or not digits.isdigit():
        return False
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    rest = sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11
    check = 0 if rest == 0 else 11 - rest
    return check != 10 and check == int(digits[8])


@dataclass
class _Register:
    """What the checks remember about the register being read."""

    register_id: str
    prev_nr: int | None = None
    prev_nr_text: str = ""
    prev_tx_at: str = ""
    prev_event_at: str = ""
    previous_signature: str = ""
    key_versions: list[str] = field(default_factory=list)
    series: dict[str, int] = field(default_factory=dict)
    exists: IdSet = field(default_factory=IdSet)
    drawer_refs: IdSet = field(default_factory=IdSet)
    receipt_refs: IdSet = field(default_factory=IdSet)
    reports: list[ReportPeriod] = field(default_factory=list)
    next_report: int = 0
    events: EventFigures = field(default_factory=EventFigures)
    figures: Figures = field(default_factory=Figures)
    last_z: int | None = None
    last_z_id: str = ""
    z_days: Counter[str] = field(default_factory=Counter)
    grand: tuple[int, int] | None = None
    zs_done: int = 0
    copies: IdSet = field(default_factory=IdSet)  #: transIDs this register's copy events (13014) name
    copy_amounts: dict[str, int] = field(default_factory=dict)


@dataclass
class Masters:
    """What the checks of a register need from before it: the header's period and the masterfiles.

    Handed to the worker processes that check registers in parallel (:mod:`harness.verify.engine`).
    """

    start: str = ""
    end: str = ""
    company_ident: str = ""
    company_name: str = ""
    vat_codes: set[str] = field(default_factory=set)
    periods: set[str] = field(default_factory=set)
    employees: set[str] = field(default_factory=set)
    articles: set[str] = field(default_factory=set)
    basics: dict[tuple[str, str], Basic] = field(default_factory=dict)
    cash_types: set[str] = field(default_factory=set)


class Checker:
    """Checks a SAF-T file as it is read; findings go to ``log``.

    Args:
        log: Where findings go.
        submit: Called with each full batch of signature jobs; ``None`` when no key was
            given (signatures are then only checked for their form).
        batch: Signature jobs per batch.
    """

    def __init__(self, log: FindingLog, submit: Callable[[list[SigJob]], None] | None, batch: int = 2000) -> None:
        self.log = log
        self._submit = submit
        self._batch_size = batch
        self._batch: list[SigJob] = []
        self.start = ""
        self.end = ""
        self.company_ident = ""
        self.company_name = ""
        self.vat_codes: set[str] = set()
        self.periods: set[str] = set()
        self.employees: set[str] = set()
        self.articles: set[str] = set()
        self.basics: dict[tuple[str, str], Basic] = {}
        self._cash_types: set[str] = set()
        self.trans_ids = IdSet()
        self.event_ids = IdSet()
        self.copy_counts: Counter[str] = Counter()
        self.copy_nums: dict[str, tuple[int, Location]] = {}
        self.open_refs: list[tuple[str, str]] = []
        self.transactions = 0
        self.reg: _Register = _Register("")
        self._basic_types = code_list("BasicType")

    # --- header and masterfiles -------------------------------------------------------
    def masters(self) -> Masters:
        """Return the header period and masterfiles read so far."""
        return Masters(
            self.start, self.end, self.company_ident, self.company_name, self.vat_codes, self.periods,
            self.employees, self.articles, self.basics, self._cash_types,
        )  # fmt: skip

    def use_masters(self, masters: Masters) -> None:
        """Check registers against ``masters`` (read by another process)."""
        self.start, self.end = masters.start, masters.end
        self.company_ident, self.company_name = masters.company_ident, masters.company_name
        self.vat_codes, self.periods = masters.vat_codes, masters.periods
        self.employees, self.articles = masters.employees, masters.articles
        self.basics, self._cash_types = masters.basics, masters.cash_types

    def header(self, values: dict[str, str], line: int) -> None:
        """Remember the exported period."""
        self.start = values.get("startDate", "")
        self.end = values.get("endDate", "")

    def company(self, ident: str, name: str) -> None:
        """Remember the business; check its organisation number (§ 2-8-2 bokstav b)."""
        self.company_ident, self.company_name = ident, name
        if ident and not _orgnr_ok(ident):
            self.log.add("HDR-ORGNR", Location(path="company/companyIdent"), ident=ident)

    def masterfile(self, kind: str, values: dict[str, str], line: int) -> None:
        """Collect declared VAT codes, periods, employees and articles."""
        if kind == "vatCodeDetail":
            self.vat_codes.add(values.get("vatCode", ""))
        elif kind == "period":
            self.periods.add(values.get("periodNumber", ""))
        elif kind == "employee":
            self.employees.add(values.get("empID", ""))
        elif kind == "article":
            self.articles.add(values.get("artID", ""))

    def basic(self, basic: Basic) -> None:
        """Check a basic against the code lists (SAF-T code lists v1.2)."""
        where = Location(path="company/basics/basic", line=basic.line)
        key = (basic.basic_type, basic.basic_id)
        if key in self.basics:
            self.log.add(
                "CODE-BASIC-DUP", where, group=basic.basic_id, basic_id=basic.basic_id, basic_type=basic.basic_type
            )
        self.basics[key] = basic
        if basic.basic_type not in self._basic_types:
            self.log.add(
                "CODE-BASICTYPE", where, group=basic.basic_id, basic_id=basic.basic_id, basic_type=basic.basic_type
            )
            return
        if basic.basic_type not in ("04", "10", "11", "12", "13"):
            return
        if not basic.predefined:
            self.log.add(
                "CODE-NO-PREDEFINED", where, group=basic.basic_id, basic_id=basic.basic_id, basic_type=basic.basic_type
            )
            return
        codes = code_list(f"PredefinedBasicID-{basic.basic_type}")
        if basic.predefined not in codes:
            self.log.add(
                "CODE-PREDEFINED", where, group=basic.basic_id, basic_id=basic.basic_id,
                basic_type=basic.basic_type, code=basic.predefined,
            )  # fmt: skip
            return
        if basic.basic_type == "12" and basic.predefined == "12001":
            self._cash_types.add(basic.basic_id)
        if basic.basic_type == "13":
            desc = basic.description.lower()
            for words, allowed, suggested in _MEANINGS:
                if any(w in desc for w in words) and basic.predefined not in allowed:
                    self.log.add(
                        "CODE-MEANING", where, group=basic.basic_id, basic_id=basic.basic_id, desc=basic.description,
                        code=basic.predefined, code_desc=codes[basic.predefined].description_en, suggested=suggested,
                    )  # fmt: skip
                    break

    def _code(self, basic_type: str, basic_id: str) -> str:
        basic = self.basics.get((basic_type, basic_id))
        return basic.predefined if basic is not None else ""

    def _ref(self, rule: str, value: str, declared: bool, loc: Location, name: str) -> None:
        if value and not declared:
            values: dict[str, Any] = {f"{name}_value": value}
            self.log.add(rule, loc, group=value, **values)

    def _in_period(self, what: str, date: str, loc: Location) -> None:
        if date and self.start and self.end and not (self.start <= date <= self.end):
            self.log.add("HDR-PERIOD", loc, what=what, date=date, start=self.start, end=self.end)

    # --- registers --------------------------------------------------------------------
    def register(self, register_id: str, line: int) -> None:
        """A register begins."""
        self.reg = _Register(register_id)

    def event(self, ev: Event) -> None:
        """Check one event; collect its report and its period figures."""
        st = self.reg
        loc = Location(register=st.register_id, event_id=ev.event_id, path="event", line=ev.line)
        if ev.event_id and self.event_ids.add(ev.event_id):
            self.log.add("NUM-EVENTID-DUP", loc, event_id=ev.event_id)
        basic = self.basics.get(("13", ev.event_type))
        self._ref("REF-EVENTTYPE", ev.event_type, basic is not None, loc, "eventType")
        self._ref("REF-EMP", ev.emp_id, ev.emp_id in self.employees, loc, "empID")
        code = basic.predefined if basic is not None else ""
        at = f"{ev.date} {ev.time}"
        if at < st.prev_event_at:
            self.log.add("ORD-EVENT", loc, event_id=ev.event_id, at=at, previous_at=st.prev_event_at)
        st.prev_event_at = max(at, st.prev_event_at)
        self._in_period(f"event {ev.event_id}", ev.date, loc)
        if code in _REPORT_TYPES:
            self._report_event(ev, code, loc, at)
        elif ev.report is not None and code not in ("13018", ""):
            self.log.add("EVT-REPORT-UNEXPECTED", loc, event_id=ev.event_id, event_type=ev.event_type, code=code)
        st.events.add(ev, code)
        if ev.trans_id:
            if code == "13005":
                st.drawer_refs.add(ev.trans_id)
            elif code in _RECEIPT_EVENTS:
                st.receipt_refs.add(ev.trans_id)
            if code == "13014":
                self.copy_counts[ev.trans_id] += 1
                st.copies.add(ev.trans_id)

    def _report_event(self, ev: Event, code: str, loc: Location, at: str) -> None:
        st = self.reg
        kind, expected_type = _REPORT_TYPES[code]
        report = ev.report
        if report is None:
            self.log.add("EVT-REPORT-MISSING", loc, kind=kind, event_id=ev.event_id)
            return
        label = f"{kind} report {report.report_id or ev.event_id}"
        loc = Location(register=st.register_id, event_id=ev.event_id, path="event/eventReport", line=ev.line)

        def header(letter: str, figure: str, reported: str, computed: str) -> None:
            self.log.add(
                f"Z-{letter}", loc, group=label, kind=kind, report=report.report_id or ev.event_id, figure=figure,
                reported=reported or "(empty)",
                computed=computed,
            )  # fmt: skip

        if report.report_type.lower().replace("-", " ") != expected_type:
            header("A", "reportType", report.report_type, f"{kind} report")
        if report.company_ident and report.company_ident != self.company_ident:
            header("B", "companyIdent", report.company_ident, self.company_ident)
        elif report.company_name and report.company_name != self.company_name:
            header("B", "companyName", report.company_name, self.company_name)
        if report.date and report.date != ev.date:
            header("C", "reportDate", report.date, ev.date)
        if report.register_id and report.register_id != st.register_id:
            header("D", "registerID", report.register_id, st.register_id)
        if kind == "Z":
            parts = split_id(report.report_id)
            if parts is not None:
                number = parts[1]
                if st.last_z is not None and number != st.last_z + 1:
                    self.log.add(
                        "Z-NUMBER", loc, group=label, report=report.report_id, previous=st.last_z_id,
                        expected=st.last_z + 1,
                    )  # fmt: skip
                st.last_z, st.last_z_id = number, report.report_id
            st.z_days[ev.date] += 1
            if st.z_days[ev.date] == 2:
                self.log.add("Z-PER-DAY", loc, group=ev.date, count=2, date=ev.date)
            st.reports.append(ReportPeriod(ev, report, kind, at, st.events))
            st.events = EventFigures()
        else:
            st.reports.append(ReportPeriod(ev, report, kind, at, st.events.copy()))

    def transaction(self, tx: Transaction) -> None:
        """Check one transaction and add it to its report period."""
        st = self.reg
        self.transactions += 1
        loc = Location(register=st.register_id, nr=tx.nr, trans_id=tx.trans_id, path="cashtransaction", line=tx.line)
        at = f"{tx.date} {tx.time}"
        while st.next_report < len(st.reports) and at > st.reports[st.next_report].at:
            self._close_report(st.reports[st.next_report])
            st.next_report += 1
        if tx.trans_id:
            if self.trans_ids.add(tx.trans_id):
                self.log.add("NUM-TRANSID-DUP", loc, trans_id=tx.trans_id)
            st.exists.add(tx.trans_id)
        self._numbering(tx, loc, at)
        self._in_period(f"transaction nr {tx.nr}", tx.date, loc)
        self._references(tx, loc)
        check_money(tx, loc, self.log, self._cash_types.__contains__)
        if tx.copy_num is not None and tx.copy_num > 1:
            self.log.add("COPY-MULTIPLE", loc, group=tx.trans_id, trans_id=tx.trans_id, copies=tx.copy_num)
        copied = tx.trans_id in st.copies  # copies are compared within their register
        if copied:
            st.copy_amounts[tx.trans_id] = tx.amount_in or 0
        if tx.copy_num or copied:
            self.copy_nums[tx.trans_id] = (tx.copy_num or 0, loc)
        self._signature(tx, loc)
        st.figures.add(tx, self._code("11", tx.trans_type))

    def _numbering(self, tx: Transaction, loc: Location, at: str) -> None:
        st = self.reg
        try:
            nr = int(tx.nr)
        except ValueError:
            nr = None
        if nr is not None:
            if st.prev_nr is not None and nr != st.prev_nr + 1:
                self.log.add("NUM-NR", loc, nr=tx.nr, previous=st.prev_nr_text, expected=st.prev_nr + 1)
            st.prev_nr, st.prev_nr_text = nr, tx.nr
        parts = split_id(tx.trans_id)
        if parts is not None:
            series, number = parts
            previous = st.series.get(series)
            if previous is not None and number != previous + 1:
                shown = series.split("\x00")[0]
                self.log.add(
                    "NUM-SERIES", loc, group=shown, number=tx.trans_id, series=shown or "(digits only)",
                    previous=previous, expected=previous + 1,
                )  # fmt: skip
            st.series[series] = number
        if at < st.prev_tx_at:
            self.log.add("ORD-TRANS", loc, nr=tx.nr, at=at, previous_nr=st.prev_nr_text, previous_at=st.prev_tx_at)
        st.prev_tx_at = max(at, st.prev_tx_at)

    def _references(self, tx: Transaction, loc: Location) -> None:
        self._ref("REF-TRANSTYPE", tx.trans_type, ("11", tx.trans_type) in self.basics, loc, "transType")
        self._ref("REF-EMP", tx.emp_id, tx.emp_id in self.employees, loc, "empID")
        self._ref("REF-PERIOD", tx.period, tx.period in self.periods, loc, "periodNumber")
        for line in tx.lines:
            self._ref("REF-LINETYPE", line.line_type, ("05", line.line_type) in self.basics, loc, "lineType")
            self._ref("REF-GROUP", line.group, ("04", line.group) in self.basics, loc, "artGroupID")
            self._ref("REF-ART", line.art_id, line.art_id in self.articles, loc, "artID")
            self._ref("REF-EMP", line.emp_id, line.emp_id in self.employees, loc, "empID")
            if line.vat is not None:
                self._ref("REF-VAT", line.vat.code, line.vat.code in self.vat_codes, loc, "vatCode")
        for vat in tx.vats:
            self._ref("REF-VAT", vat.code, vat.code in self.vat_codes, loc, "vatCode")
        for payment in tx.payments:
            self._ref(
                "REF-PAYMENT", payment.payment_type, ("12", payment.payment_type) in self.basics, loc, "paymentType"
            )
            self._ref("REF-EMP", payment.emp_id, payment.emp_id in self.employees, loc, "empID")

    def _signature(self, tx: Transaction, loc: Location) -> None:
        st = self.reg
        if tx.key_version and st.key_versions and tx.key_version != st.key_versions[-1]:
            if tx.key_version in st.key_versions:
                self.log.add(
                    "SIG-KEY-ORDER", loc, group=tx.key_version, previous=st.key_versions[-1], key_version=tx.key_version
                )
            st.key_versions.append(tx.key_version)
        elif not st.key_versions:
            st.key_versions.append(tx.key_version)
        first = not st.previous_signature
        previous = st.previous_signature or "0"
        st.previous_signature = tx.signature or "?"
        tail = f";{tx.date};{tx.time};{tx.nr};{format_ore(tx.amount_in)};{format_ore(tx.amount_ex)}"
        if self._submit is None:  # no key: the signature's form is all that can be checked
            problem = decode_signature(tx.signature)
            if isinstance(problem, str):
                self.log.add("SIG-FORMAT", loc, problem=problem)
            return
        where = (st.register_id, tx.nr, tx.trans_id, tx.line, first)
        self._batch.append(SigJob(previous + tail, "" if first else "0" + tail, tx.signature, tx.key_version, where))
        if len(self._batch) >= self._batch_size:
            self.flush()

    def flush(self) -> None:
        """Hand the pending signature jobs to the verifier."""
        if self._batch and self._submit is not None:
            self._submit(self._batch)
            self._batch = []

    def _close_report(self, period: ReportPeriod) -> None:
        st = self.reg
        refs = period.events.copy_refs
        amounts = [st.copy_amounts.get(r) for r in refs]
        copy_amount = sum(a for a in amounts if a is not None) if None not in amounts else None
        compare_report(period, st.figures, period.events, copy_amount, self.log, st.register_id)
        if period.kind == "Z":
            st.grand = check_grand_totals(period, st.figures, st.grand, self.log, st.register_id)
            st.figures = Figures()
            st.zs_done += 1

    def register_end(self) -> None:
        """Close the register's remaining reports and check its references."""
        st = self.reg
        while st.next_report < len(st.reports):
            self._close_report(st.reports[st.next_report])
            st.next_report += 1
        if st.figures.transactions:
            self.log.add("Z-OPEN", Location(register=st.register_id), count=st.figures.transactions)
        for ident in st.drawer_refs.missing_from(st.exists):
            self.log.add("EVT-DRAWER", Location(register=st.register_id, path="event"), event_id="?", trans_id=ident)
        for ident in st.receipt_refs.missing_from(st.exists, limit=200):
            self.open_refs.append((st.register_id, ident))
        self.reg = _Register("")

    def finish(self) -> None:
        """Checks that need the whole file."""
        self.flush()
        for register, ident in self.open_refs:
            if ident not in self.trans_ids:
                self.log.add(
                    "EVT-TRANS-MISSING", Location(register=register, path="event"), event_type="receipt",
                    event_id="?", trans_id=ident,
                )  # fmt: skip
        for trans_id, count in self.copy_counts.items():
            if count > 1:
                self.log.add(
                    "COPY-MULTIPLE",
                    Location(trans_id=trans_id, path="event"),
                    group=trans_id,
                    trans_id=trans_id,
                    copies=count,
                )
        for trans_id, (stated, loc) in self.copy_nums.items():
            events = self.copy_counts.get(trans_id, 0)
            if stated != events:
                self.log.add("COPY-COUNT", loc, stated=stated, events=events)
