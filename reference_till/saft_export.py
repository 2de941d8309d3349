"""Streaming SAF-T Cash Register export of the electronic journal.

kassasystemforskrifta § 2-7 første ledd: the system must be able to produce a file
directly from the electronic journal in the standard format Skattedirektoratet has
set, which is *SAF-T Cash Register* v1.00 (``Norwegian_SAF-T_Cash_Register_Schema_v_1.00.xsd``,
namespace ``urn:StandardAuditFile-Taxation-CashRegister:NO``). The export is a copy
for the tax authorities; it does not replace the journal (requirements SAFT-1..11).

The file is written incrementally with :class:`lxml.etree.xmlfile`: no more than one
journal record is held at a time, so exports of any size run in constant memory. The
journal is read in passes over :meth:`JournalSource.entries`:

1. a scan of the whole period (``register_id=None``) that validates every reference
   before a byte is written, lists the registers that occur and counts the copy
   receipts (``COPYREC`` events with a ``trans_id``) per ``transID`` -- across
   registers, since a copy may be printed on another kassapunkt;
2. per register, the ``event`` elements;
3. per register, the ``cashtransaction`` elements (the XSD puts all events of a
   ``cashregister`` before its transactions).

Mapping decisions:

* One ``location`` (``config.location_name``, the company's street address) holds one
  ``cashregister`` per configured kassapunkt, in configuration order, followed by any
  register that appears in the journal but is no longer configured, so no record is
  left out.
* ``transID`` is the journal's document number ``<registerID>-<series><number>``
  (``K1-S000042``, :func:`reference_till.model.trans_id`); ``nr`` is the position in
  the register's signature chain; ``eventID`` is the journal ``seq``.
* ``transType`` comes from :func:`reference_till.codes.transaction_basic`. Voids and
  training transactions keep the type of what they document: return if every line is
  a return line, sale and return if both kinds occur, otherwise cash sale;
  ``voidTransaction`` / ``trainingID`` carry the rest.
* Receipt counts per transaction: ``receiptNum`` 1 for sale, return, sale-and-return
  and training receipts, else 0; ``receiptCopyNum`` the number of ``COPYREC`` events
  in the exported period naming the ``transID``; ``receiptProformaNum`` the
  provisional receipts printed while the sale was open; ``receiptDeliveryNum`` 1 for
  credit sales (utleveringskvittering, § 2-8-7). Counts above 999 are written as 999
  (``Nonnegativeinteger3``).
* ``refID`` names the original sale of a return or the cancelled sale of a void;
  ``desc`` joins the description and ``Kjøpers navn: <name>`` (bokføringsforskrifta
  § 5-1-2). ``rounding`` (øreavrunding) is written only for transactions with
  payments; ``paymentRefID`` is the terminal reference, an empty element if none.
* ``amntTp`` and ``vatAmntTp`` are ``C`` for amounts >= 0 and ``D`` for negative ones;
  the amounts keep their sign, as in Skatteetaten's example file.
* ``eventReport`` (§ 2-8-2, letters a-z, see requirements §7.2) is written in full for
  every event carrying :class:`~reference_till.model.ReportFigures`: one
  ``reportArtGroup`` per configured article group, one ``reportPayment`` per
  configured means of payment and one ``reportCashSaleVat`` per configured VAT code,
  with zeros where there was no activity (keys the report has beyond the
  configuration follow). ``reportCorrLines``, ``reportPriceInquiries``,
  ``reportOtherCorrs``, ``reportPayIns`` and ``reportPayOuts`` need at least one
  child: an empty list is written as one ``None`` row with 0 / 0.00, as in
  Skatteetaten's example. Optional per-operator lists are omitted when empty,
  ``reportTip`` when the till has no tip function.
* Basics: article groups (04) and means of payment (12) from the configuration,
  line types (05), discount types (08), transaction types (11) and event types (13)
  from :mod:`reference_till.codes`. Employees, articles and VAT codes come from the
  configuration with ``dateOfEntry`` = the first day of the period.
* Dates and times are the wall-clock fields of the journal's datetimes, without an
  offset, as in the example file.

Hostile or odd input: characters XML 1.0 cannot carry (control characters, lone
surrogates) are replaced by U+FFFD, and text longer than the XSD ``maxLength`` of its
element (35 for IDs, 100 for names, 999/9999 for descriptions ...) is cut to the limit
with the last kept character replaced by "…"; the number of cut fields is logged as a
warning. The same rule applies everywhere, so a cut ID still matches its declaration.

References: the XSD declares keys and keyrefs (``basicID`` unique over all basics;
``eventType``, ``lineType``, ``empID`` and ``artID`` declared in the masterfiles), but
its selectors use unprefixed XPath in a namespaced schema, so validators do not enforce
them; this module does. An employee or article that occurs in the journal but is no
longer configured is declared with a placeholder name, so old periods stay exportable.
An event type, line type or discount kind missing from :mod:`reference_till.codes`
raises :class:`ValueError`, and a ``basicID`` used twice raises
:class:`~reference_till.config.ConfigError`, both before anything is written.

Module length: over 600 lines because the XSD's element order is easiest to review
in one place; the reading passes, the masterfiles, the events and the transactions
are separate sections.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO, Protocol
from zoneinfo import ZoneInfo

from lxml import etree

from harness.saft_spec import NAMESPACE
from reference_till import codes
from reference_till.config import ConfigError, TillConfig
from reference_till.model import (
    CashTransaction,
    CountAmount,
    EmpCountAmount,
    Event,
    JournalEntry,
    KeyCountAmount,
    ReportFigures,
    TransactionKind,
)
from reference_till.money import format_amount, format_quantity

__all__ = ["ExportSummary", "JournalSource", "export_saft", "saft_file_name", "write_saft"]

_log = logging.getLogger(__name__)
_Q = f"{{{NAMESPACE}}}"
_INDENT = tuple("\n" + "\t" * depth for depth in range(16))
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# maxLength of the XSD string types.
_ID = 35  # IdentificationString35
_S9, _S20, _S50, _S100, _S999, _S9999 = 9, 20, 50, 100, 999, 9999

_UNKNOWN = "Ukjent (ikke i konfigurasjonen)"
_RECEIPT_KINDS = {
    TransactionKind.SALE,
    TransactionKind.RETURN,
    TransactionKind.SALE_RETURN,
    TransactionKind.TRAINING,
}


class JournalSource(Protocol):
    """Where the export reads records from (:class:`reference_till.journal.Journal` fits)."""

    def entries(
        self,
        *,
        register_id: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> Iterator[JournalEntry]:
        """Iterate records in journal order (``seq`` ascending).

        Args:
            register_id: Only records of this kassapunkt; ``None`` for all.
            start: First day, inclusive, by the record's ``at.date()``.
            end: Last day, inclusive.
        """
        ...


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What an export wrote.

    Attributes:
        path: The file written by :func:`export_saft`; ``None`` from :func:`write_saft`.
        registers: Number of ``cashregister`` elements.
        events: Number of ``event`` elements.
        transactions: Number of ``cashtransaction`` elements.
    """

    path: Path | None
    registers: int
    events: int
    transactions: int


class _XmlFile(Protocol):
    """The part of lxml's incremental writer used here (lxml-stubs do not type it)."""

    def element(self, tag: str, nsmap: dict[str | None, str] | None = None) -> AbstractContextManager[object]:
        """Open an element; it is closed when the context exits."""
        ...

    def write(self, *args: str) -> None:
        """Write text content (escaped)."""
        ...


def saft_file_name(orgnr: str, created: datetime) -> str:
    """Name of an export file (requirement SAFT-2).

    Args:
        orgnr: The company's organisasjonsnummer.
        created: When the export was made.

    Returns:
        ``SAF-T Cash Register_<orgnr>_<yyyymmddhhmmss>.xml``.
    """
    return f"SAF-T Cash Register_{orgnr}_{created:%Y%m%d%H%M%S}.xml"


def export_saft(
    source: JournalSource,
    config: TillConfig,
    out_dir: Path,
    *,
    start: date,
    end: date,
    created: datetime | None = None,
    user_id: str = "",
) -> ExportSummary:
    """Export a period to ``out_dir / saft_file_name(...)``, atomically.

    The file is written to a temporary file in ``out_dir`` and renamed into place, so
    a reader never sees a half-written export; an existing file of the same name is
    replaced.

    Args:
        source: The journal.
        config: The till configuration (company, registers, masterfiles).
        out_dir: Folder for the file; created if missing.
        start: First day of the period, inclusive.
        end: Last day of the period, inclusive.
        created: Time of the export; default now, Oslo time.
        user_id: Who made the export (header ``userID``); empty to omit.

    Returns:
        The summary, with ``path`` set.

    Raises:
        ValueError: ``start`` is after ``end``, or a record cannot be exported.
    """
    if created is None:
        created = datetime.now(ZoneInfo("Europe/Oslo")).replace(tzinfo=None, microsecond=0)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / saft_file_name(config.company.orgnr, created)
    fd, tmp_name = tempfile.mkstemp(dir=out_dir, prefix=".saft-", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            summary = write_saft(source, config, out, start=start, end=end, created=created, user_id=user_id)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return ExportSummary(target, summary.registers, summary.events, summary.transactions)


def write_saft(
    source: JournalSource,
    config: TillConfig,
    out: BinaryIO,
    *,
    start: date,
    end: date,
    created: datetime,
    user_id: str = "",
) -> ExportSummary:
    """Write a SAF-T Cash Register file for a period to a binary stream.

    Args:
        source: The journal; :meth:`JournalSource.entries` is called several times.
        config: The till configuration.
        out: Binary stream to write UTF-8 XML to; it is not closed.
        start: First day of the period, inclusive.
        end: Last day of the period, inclusive.
        created: Time of the export (header ``dateCreated``/``timeCreated``).
        user_id: Header ``userID``; empty to omit.

    Returns:
        The summary (``path`` is ``None``).

    Raises:
        ValueError: ``start`` is after ``end``, or a record names a type, employee or
            article the export cannot declare (nothing is written then).
        ConfigError: Two basics (article groups, means of payment, the till's codes)
            share a ``basicID``.
    """
    if start > end:
        raise ValueError(f"the period starts {start} after it ends {end}")
    _check_basics(config)
    scan = _scan(source, config, start, end)
    out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    events = transactions = 0
    with etree.xmlfile(out, encoding="utf-8") as xf:
        w = _Writer(xf)
        with xf.element(f"{_Q}auditfile", nsmap={None: NAMESPACE}):
            _write_header(w, config, scan.registers, start, end, created, user_id)
            with w.group("company"):
                _write_masterfiles(w, config, scan, start)
                with w.group("location"):
                    w.text("name", config.location_name, _S100)
                    _write_address(w, config, "streetAddress")
                    for register_id in scan.registers:
                        with w.group("cashregister"):
                            w.text("registerID", register_id, _S100)
                            desc = _register_desc(config, register_id)
                            if desc:
                                w.text("regDesc", desc, _S999)
                            for entry in _entries(source, register_id, start, end):
                                if isinstance(entry.record, Event):
                                    _write_event(w, config, entry.seq, entry.record)
                                    events += 1
                            for entry in _entries(source, register_id, start, end):
                                if isinstance(entry.record, CashTransaction):
                                    _write_transaction(w, entry.record, scan.copies)
                                    transactions += 1
            xf.write("\n")
    out.write(b"\n")
    out.flush()
    if w.truncated:
        _log.warning("SAF-T export: %d text field(s) longer than the XSD allows were cut", w.truncated)
    return ExportSummary(None, len(scan.registers), events, transactions)


# --------------------------------------------------------------------------- writer


class _Writer:
    """Indenting element writer over an ``xmlfile`` context; counts cut text fields."""

    __slots__ = ("_depth", "_xf", "truncated")

    def __init__(self, xf: _XmlFile) -> None:
        self._xf = xf
        self._depth = 1
        self.truncated = 0

    @contextmanager
    def group(self, name: str) -> Iterator[None]:
        """Write a container element; children are written inside the ``with``."""
        xf = self._xf
        xf.write(_INDENT[self._depth])
        with xf.element(_Q + name):
            self._depth += 1
            yield
            self._depth -= 1
            xf.write(_INDENT[self._depth])

    def leaf(self, name: str, value: str) -> None:
        """Write an element whose value is generated here (amount, date, code)."""
        xf = self._xf
        xf.write(_INDENT[self._depth])
        with xf.element(_Q + name):
            if value:
                xf.write(value)

    def text(self, name: str, value: str, limit: int) -> None:
        """Write an element whose value comes from outside: cleaned and cut to ``limit``."""
        self.leaf(name, self.clean(value, limit))

    def clean(self, value: str, limit: int) -> str:
        """Replace characters XML cannot carry and cut text longer than ``limit``."""
        if _NOT_XML.search(value):
            value = _NOT_XML.sub("\ufffd", value)
        if len(value) > limit:
            self.truncated += 1
            value = value[: limit - 1] + "…"
        return value


# --------------------------------------------------------------------------- reading


@dataclass(slots=True)
class _Scan:
    """What pass 0 found: registers in order, copies per ``transID``, undeclared ids."""

    registers: list[str]
    copies: Counter[str] = field(default_factory=Counter)
    employees: dict[str, None] = field(default_factory=dict)  #: in the journal, not configured
    articles: dict[str, tuple[str, str]] = field(default_factory=dict)  #: id -> (group, text)


def _entries(source: JournalSource, register_id: str | None, start: date, end: date) -> Iterator[JournalEntry]:
    """Entries of the period, re-filtered in case a source ignores an argument."""
    for entry in source.entries(register_id=register_id, start=start, end=end):
        record = entry.record
        in_register = register_id is None or record.register_id == register_id
        if in_register and start <= record.at.date() <= end:
            yield entry


def _scan(source: JournalSource, config: TillConfig, start: date, end: date) -> _Scan:
    """Pass 0: registers, copy counts per ``transID``; every reference checked."""
    scan = _Scan([r.id for r in config.registers])
    known_employees = {e.id for e in config.employees}
    known_articles = {a.id for a in config.articles}
    problems: list[str] = []
    for entry in _entries(source, None, start, end):
        record = entry.record
        if record.register_id not in scan.registers:
            scan.registers.append(record.register_id)
        emp_ids = [record.emp_id]
        if isinstance(record, Event):
            if record.event_type not in codes.EVENT_BASICS:
                problems.append(
                    f"seq {entry.seq}: event type {record.event_type!r} is not in reference_till.codes.EVENT_BASICS"
                )
            if record.event_type == codes.EventType.COPY_RECEIPT and record.trans_id:
                scan.copies[record.trans_id] += 1
            if record.report is not None:
                fig = record.report
                emp_ids += [e.emp_id for e in fig.emp_art_groups]
                emp_ids += [e.emp_id for e in fig.emp_payments]
                emp_ids += [e.emp_id for e in fig.emp_opening_floats]
        else:
            emp_ids += [p.emp_id for p in record.payments]
            for line in record.lines:
                emp_ids.append(line.emp_id)
                if line.art_id and line.art_id not in known_articles:
                    scan.articles.setdefault(line.art_id, (line.art_group_id, line.description))
                kinds = [d.kind for d in line.discounts if d.kind not in codes.DISCOUNT_BASICS]
                if line.line_type not in codes.LINE_BASICS or kinds:
                    problems.append(
                        f"seq {entry.seq}: line type {line.line_type!r} or discount "
                        f"kind(s) {kinds} not in reference_till.codes"
                    )
        for emp_id in emp_ids:
            if emp_id and emp_id not in known_employees:
                scan.employees[emp_id] = None
    if problems:
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise ValueError(f"the journal cannot be exported as SAF-T: {'; '.join(problems[:10])}{more}")
    return scan


def _check_basics(config: TillConfig) -> None:
    """The XSD key ``locBasicIDKey``: a ``basicID`` is unique over all basics."""
    ids = [b[1] for b in _basics(config)]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ConfigError(
            f"basicID(s) {', '.join(dupes)} are used twice in the SAF-T basics; give the "
            f"[[article_groups]] / [[payment_means]] ids that differ from the till's own codes"
        )


def _register_desc(config: TillConfig, register_id: str) -> str:
    for register in config.registers:
        if register.id == register_id:
            return register.description
    return ""


# --------------------------------------------------------------------------- header and masterfiles


def _write_header(
    w: _Writer,
    config: TillConfig,
    registers: list[str],
    start: date,
    end: date,
    created: datetime,
    user_id: str,
) -> None:
    system = config.system
    with w.group("header"):
        w.leaf("fiscalYear", str(start.year))
        w.leaf("startDate", start.isoformat())
        w.leaf("endDate", end.isoformat())
        w.leaf("curCode", "NOK")
        w.leaf("dateCreated", created.date().isoformat())
        w.leaf("timeCreated", f"{created:%H:%M:%S}")
        w.text("softwareDesc", system.name, _S100)
        w.text("softwareVersion", system.version, _S20)
        w.text("softwareCompanyName", system.producer, _S100)
        w.leaf("auditfileVersion", "1.0")
        comment = f"Kassapunkter: {', '.join(registers)}; periode {start.isoformat()}–{end.isoformat()}"
        w.text("headerComment", comment, _S999)
        if user_id:
            w.text("userID", user_id, _ID)


def _write_address(w: _Writer, config: TillConfig, element: str) -> None:
    company = config.company
    if not (company.street or company.city or company.postal_code):
        return
    with w.group(element):
        match = re.fullmatch(r"(.*\S)\s+(\d+\s?[A-Za-z]?)", company.street.strip())
        street, number = (match.group(1), match.group(2)) if match else (company.street, "")
        if street:
            w.text("streetname", street, _S100)
        if number:
            w.text("number", number, _S20)
        if company.city:
            w.text("city", company.city, _S50)
        if company.postal_code:
            w.text("postalCode", company.postal_code, _S20)
        w.leaf("country", "NO")


def _basics(config: TillConfig) -> list[tuple[str, str, str, str]]:
    """All basics as ``(basicType, basicID, predefinedBasicID, basicDesc)`` in code-list order."""
    own = [*codes.LINE_BASICS.values(), *codes.DISCOUNT_BASICS.values()]
    own += codes.TRANSACTION_BASICS.values()
    rows = [("04", g.id, g.predefined, g.description) for g in config.article_groups]
    rows += [(b.basic_type, b.basic_id, b.predefined, b.description) for b in own]
    rows += [("12", m.id, m.predefined, m.description) for m in config.payment_means]
    events = codes.EVENT_BASICS.values()
    rows += [(b.basic_type, b.basic_id, b.predefined, b.description) for b in events]
    return rows


def _write_masterfiles(w: _Writer, config: TillConfig, scan: _Scan, start: date) -> None:
    company = config.company
    day = start.isoformat()
    w.text("companyIdent", company.orgnr, _ID)
    w.text("companyName", company.name, _S100)
    w.leaf("taxRegistrationCountry", "NO")
    if company.mva_registered:
        w.text("taxRegIdent", f"{company.orgnr}MVA", _S50)
    _write_address(w, config, "streetAddress")
    with w.group("vatCodeDetails"):
        for vat in config.vat_codes:
            with w.group("vatCodeDetail"):
                w.text("vatCode", vat.code, _S20)
                w.leaf("dateOfEntry", day)
                if vat.description:
                    w.text("vatDesc", vat.description, _S100)
                w.text("standardVatCode", vat.standard_code, _S9)
    employees = [(e.id, e.first_name, e.surname, e.role) for e in config.employees]
    employees += [(emp_id, "", _UNKNOWN, "") for emp_id in scan.employees]
    with w.group("employees"):
        for emp_id, first_name, surname, role in employees:
            with w.group("employee"):
                w.text("empID", emp_id, _ID)
                w.leaf("dateOfEntry", day)
                w.leaf("timeOfEntry", "00:00:00")
                if first_name:
                    w.text("firstName", first_name, _S50)
                w.text("surName", surname or emp_id, _S100)
                if role:
                    with w.group("employeeRole"):
                        w.text("roleType", role, _S50)
    articles = [(a.id, a.group_id, a.description) for a in config.articles]
    articles += [(art_id, group, text or _UNKNOWN) for art_id, (group, text) in scan.articles.items()]
    with w.group("articles"):
        for art_id, group_id, text in articles:
            with w.group("article"):
                w.text("artID", art_id, _ID)
                w.leaf("dateOfEntry", day)
                if group_id:
                    w.text("artGroupID", group_id, _ID)
                w.text("artDesc", text or art_id, _S999)
    with w.group("basics"):
        for basic_type, basic_id, predefined, desc in _basics(config):
            with w.group("basic"):
                w.leaf("basicType", basic_type)
                w.text("basicID", basic_id, _ID)
                if predefined:
                    w.text("predefinedBasicID", predefined, _S9)
                w.text("basicDesc", desc or basic_id, _S999)


# --------------------------------------------------------------------------- events


def _time(at: datetime) -> str:
    return f"{at:%H:%M:%S}"


def _dc(*amounts: int) -> str:
    """Debit/credit type: the sign of the first non-zero amount, ``C`` if all are zero."""
    for amount in amounts:
        if amount:
            return "C" if amount > 0 else "D"
    return "C"


def _perc(rate_bp: int) -> str:
    """VAT rate for ``Decimal8`` (non-negative, at most three decimals): ``25.00``."""
    rate = abs(rate_bp)
    return f"{rate // 100}.{rate % 100:02d}"


def _write_event(w: _Writer, config: TillConfig, seq: int, event: Event) -> None:
    with w.group("event"):
        w.leaf("eventID", str(seq))
        w.text("eventType", event.event_type, _ID)
        if event.trans_id:
            w.text("transID", event.trans_id, _ID)
        if event.emp_id:
            w.text("empID", event.emp_id, _ID)
        w.leaf("eventDate", event.at.date().isoformat())
        w.leaf("eventTime", _time(event.at))
        if event.text:
            w.text("eventText", event.text, _S9999)
        if event.report is not None:
            _write_report(w, config, event.report)


def _by_key(rows: Iterable[KeyCountAmount], keys: Iterable[str]) -> list[KeyCountAmount]:
    """One row per configured key (zeros where missing), then the report's other keys."""
    given = {row.key: row for row in rows}
    ordered = [given.pop(key, KeyCountAmount(key, 0, 0)) for key in keys]
    return ordered + list(given.values())


def _write_report(w: _Writer, config: TillConfig, fig: ReportFigures) -> None:
    """``eventReport``: kassasystemforskrifta § 2-8-2 første ledd a-z and andre ledd."""

    def count_amount(prefix: str, figure: CountAmount) -> None:
        w.leaf(f"{prefix}Num", str(figure.count))
        w.leaf(f"{prefix}Amnt", format_amount(figure.amount))

    def rows(group: str, row: str, key: str, prefix: str, items: tuple[KeyCountAmount, ...]) -> None:
        with w.group(group):
            for item in items or (KeyCountAmount("None", 0, 0),):
                with w.group(row):
                    w.text(key, item.key, _ID)
                    count_amount(prefix, CountAmount(item.count, item.amount))

    def emp_rows(group: str, row: str, key: str, prefix: str, items: tuple[EmpCountAmount, ...]) -> None:
        if items:
            with w.group(group):
                for item in items:
                    with w.group(row):
                        w.text("empID", item.emp_id, _ID)
                        w.text(key, item.key, _ID)
                        w.leaf(f"{prefix}Num", str(item.count))
                        w.leaf(f"{prefix}Amnt", format_amount(item.amount))

    with w.group("eventReport"):
        w.text("reportID", fig.report_id, _ID)  # a
        w.leaf("reportType", "Z report" if fig.report_type == "Z" else "X report")
        w.text("companyIdent", fig.company_ident, _ID)  # b
        w.text("companyName", fig.company_name, _S100)
        w.leaf("reportDate", fig.at.date().isoformat())  # c
        w.leaf("reportTime", _time(fig.at))
        w.text("registerID", fig.register_id, _S100)  # d
        with w.group("reportTotalCashSales"):  # e
            w.leaf("totalCashSaleAmnt", format_amount(fig.total_cash_sales))
        with w.group("reportArtGroups"):  # f
            for item in _by_key(fig.art_groups, (g.id for g in config.article_groups)):
                with w.group("reportArtGroup"):
                    w.text("artGroupID", item.key, _ID)
                    w.leaf("artGroupNum", str(item.count))
                    w.leaf("artGroupAmnt", format_amount(item.amount))
        emp_rows("reportEmpArtGroups", "reportEmpArtGroup", "artGroupID", "artGroup", fig.emp_art_groups)
        with w.group("reportPayments"):  # g
            for item in _by_key(fig.payments, (m.id for m in config.payment_means)):
                with w.group("reportPayment"):
                    w.text("paymentType", item.key, _ID)
                    count_amount("payment", CountAmount(item.count, item.amount))
        emp_rows("reportEmpPayments", "reportEmpPayment", "paymentType", "payment", fig.emp_payments)  # h
        if fig.tips is not None:  # i
            with w.group("reportTip"):
                count_amount("tip", fig.tips)
        with w.group("reportCashSalesVat"):  # j
            vat_given = {v.vat_code: v for v in fig.vat}
            for code in config.vat_codes:
                figure = vat_given.pop(code.code, None)
                rate, base, vat = (figure.vat_rate_bp, figure.base, figure.vat) if figure else (code.rate_bp, 0, 0)
                _write_vat(w, "reportCashSaleVat", code.code, rate, vat, base, report=True)
            for figure in vat_given.values():
                _write_vat(
                    w,
                    "reportCashSaleVat",
                    figure.vat_code,
                    figure.vat_rate_bp,
                    figure.vat,
                    figure.base,
                    report=True,
                )
        w.leaf("reportOpeningChangeFloat", format_amount(fig.opening_float))  # k
        if fig.emp_opening_floats:
            with w.group("reportEmpOpeningChangeFloats"):
                for emp in fig.emp_opening_floats:
                    with w.group("reportEmpOpeningChangeFloat"):
                        w.text("empID", emp.emp_id, _ID)
                        w.leaf("openingChangeFloatAmnt", format_amount(emp.amount))
        w.leaf("reportReceiptNum", str(fig.receipts))  # l
        w.leaf("reportOpenCashBoxNum", str(fig.drawer_openings))  # m
        count_amount("reportReceiptCopy", fig.copies)  # n
        count_amount("reportReceiptProforma", fig.provisional)  # o
        count_amount("reportReturn", fig.returns)  # p
        count_amount("reportDiscount", fig.discounts)  # q
        count_amount("reportVoidTrans", fig.voids)  # r
        rows("reportCorrLines", "reportCorrLine", "corrLineType", "corrLine", fig.line_corrections)  # s
        rows(
            "reportPriceInquiries",
            "reportPriceInquiry",
            "priceInquiryGroup",
            "priceInquiry",
            fig.price_lookups,
        )  # t
        rows(
            "reportOtherCorrs",
            "reportOtherCorr",
            "otherCorrType",
            "otherCorr",
            fig.other_corrections,
        )  # u
        count_amount("reportReceiptDelivery", fig.deliveries)  # v
        count_amount("reportTraining", fig.training)  # w
        with w.group("reportCreditSales"):  # andre ledd
            count_amount("creditSales", fig.credit_sales)
        with w.group("reportCreditMemos"):
            count_amount("creditMemos", fig.credit_memos)
        rows("reportPayIns", "reportPayIn", "payInType", "payIn", fig.pay_ins)
        rows("reportPayOuts", "reportPayOut", "payOutType", "payOut", fig.pay_outs)
        w.leaf("reportGrandTotalSales", format_amount(fig.grand_total_sales))  # x
        w.leaf("reportGrandTotalReturn", format_amount(fig.grand_total_returns))  # y
        w.leaf("reportGrandTotalSalesNet", format_amount(fig.grand_total_net))  # z


def _write_vat(w: _Writer, element: str, code: str, rate_bp: int, vat: int, base: int, *, report: bool = False) -> None:
    """A ``vat`` block (line or transaction) or a ``reportCashSaleVat`` row."""
    with w.group(element):
        w.text("vatCode", code, _S20)
        w.leaf("vatPerc", _perc(rate_bp))
        if report:
            w.leaf("cashSaleAmnt", format_amount(base))
            w.leaf("vatAmnt", format_amount(vat))
            w.leaf("vatAmntTp", _dc(vat, base))
        else:
            w.leaf("vatAmnt", format_amount(vat))
            w.leaf("vatAmntTp", _dc(vat, base))
            w.leaf("vatBasAmnt", format_amount(base))


# --------------------------------------------------------------------------- transactions


def _trans_type(tx: CashTransaction) -> str:
    original = None
    if tx.kind in {TransactionKind.VOID, TransactionKind.TRAINING}:
        types = {line.line_type for line in tx.lines}
        if types == {"RET"}:
            original = TransactionKind.RETURN
        elif types == {"SAL", "RET"}:
            original = TransactionKind.SALE_RETURN
    return codes.transaction_basic(tx.kind, original=original).basic_id


def _qnt(quantity: Decimal) -> str:
    """Quantity for ``Amount6decimals``: at most six decimals, no trailing zeros."""
    exponent = quantity.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -6:
        quantity = quantity.quantize(Decimal("0.000001"))
    return format_quantity(quantity)


def _n3(count: int) -> str:
    """A receipt count as ``Nonnegativeinteger3`` (0..999)."""
    return str(min(max(count, 0), 999))


def _write_transaction(w: _Writer, tx: CashTransaction, copies: Counter[str]) -> None:
    nr = str(tx.nr)
    with w.group("cashtransaction"):
        w.leaf("nr", nr)
        w.text("transID", tx.trans_id, _ID)
        w.leaf("transType", _trans_type(tx))
        w.leaf("transAmntIn", format_amount(tx.amount_in))
        w.leaf("transAmntEx", format_amount(tx.amount_ex))
        w.leaf("amntTp", _dc(tx.amount_in))
        if tx.emp_id:
            w.text("empID", tx.emp_id, _ID)
        if tx.customer_id:
            w.text("custSupID", tx.customer_id, _ID)
        w.leaf("transDate", tx.at.date().isoformat())
        w.leaf("transTime", _time(tx.at))
        ref = tx.returns_trans_id or tx.voided_trans_id
        if ref:
            w.text("refID", ref, _S9999)
        desc = "; ".join(p for p in (tx.description, tx.buyer_name and f"Kjøpers navn: {tx.buyer_name}") if p)
        if desc:
            w.text("desc", desc, _S9999)
        for line in tx.lines:
            with w.group("ctLine"):
                w.leaf("nr", nr)
                w.leaf("lineID", str(line.line_id))
                w.text("lineType", codes.LINE_BASICS[line.line_type].basic_id, _ID)
                if line.art_group_id:
                    w.text("artGroupID", line.art_group_id, _ID)
                if line.art_id:
                    w.text("artID", line.art_id, _ID)
                w.leaf("qnt", _qnt(line.quantity))
                w.leaf("lineAmntIn", format_amount(line.amount_in))
                w.leaf("lineAmntEx", format_amount(line.amount_ex))
                w.leaf("amntTp", _dc(line.amount_in))
                w.leaf("ppu", format_amount(line.unit_price))
                if line.emp_id:
                    w.text("empID", line.emp_id, _ID)
                if line.description:
                    w.text("cashTransLineDescr", line.description, _S9999)
                w.leaf("lineDate", line.at.date().isoformat())
                w.leaf("lineTime", _time(line.at))
                _write_vat(w, "vat", line.vat_code, line.vat_rate_bp, line.vat_amount, line.amount_ex)
                for discount in line.discounts:
                    with w.group("discount"):
                        w.leaf("dscTp", codes.DISCOUNT_BASICS[discount.kind].basic_id)
                        w.leaf("dscAmnt", format_amount(discount.amount))
                        if line.emp_id:
                            w.text("empID", line.emp_id, _ID)
        for total in tx.vat_totals:
            _write_vat(w, "vat", total.vat_code, total.vat_rate_bp, total.vat, total.base)
        if tx.payments:
            with w.group("rounding"):
                w.leaf("roundingAmnt", format_amount(tx.rounding))
        for payment in tx.payments:
            with w.group("payment"):
                w.text("paymentType", payment.means_id, _ID)
                w.leaf("paidAmnt", format_amount(payment.amount))
                if payment.emp_id:
                    w.text("empID", payment.emp_id, _ID)
                w.leaf("curCode", "NOK")
                w.leaf("exchRt", "1.000000")
                w.text("paymentRefID", payment.reference, _S999)
        w.text("signature", tx.signature, _S999)
        w.text("keyVersion", tx.key_version, _S50)
        w.leaf("receiptNum", "1" if tx.kind in _RECEIPT_KINDS else "0")
        w.leaf("receiptCopyNum", _n3(copies.get(tx.trans_id, 0)))
        w.leaf("receiptProformaNum", _n3(tx.provisional_receipts))
        w.leaf("receiptDeliveryNum", "1" if tx.kind is TransactionKind.CREDIT_SALE else "0")
        w.leaf("voidTransaction", "true" if tx.kind is TransactionKind.VOID else "false")
        w.leaf("trainingID", "true" if tx.kind is TransactionKind.TRAINING else "false")
