"""kassasystemforskrifta § 2-5 (functions the system must have): the legal checks.

The Then steps judge from the documents on paper (:mod:`harness.observe`) and from the
journal export (:meth:`Scene.journal`), whose X and Z reports the verifier has already
recomputed from the transactions. Expected amounts come from the scenario.

The clock scenarios on the days summer time begins and ends need a till whose business
day can be chosen: this module's ``till`` fixture opens the reference target on that day
(``reference://?day=…``) and reports them as not automated on any other target.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import pytest
from pytest_bdd import given, parsers, scenarios, then

from features.steps.codes import CASH_SALE_CODES, MEANS_CODES
from features.steps.operate import Scene, ore
from harness.documents import is_copy, is_report
from harness.evidence import EvidenceRecord
from harness.journal_export import JournalExport
from harness.observe import Printed, printed
from harness.profile import Profile
from harness.pytest_plugin import NOT_AUTOMATED, SCENARIO_ID
from harness.targets import TillDriver, open_target
from harness.verify.records import Report, Transaction, format_ore

scenarios("ksf_2_5.feature")

#: Norwegian standard time with summer time (kassasystemforskrifta § 2-5).
OSLO = ZoneInfo("Europe/Oslo")

#: Scenarios that run on a business day of their own; only the reference target can choose it.
BUSINESS_DAYS: dict[str, date] = {
    "id_ksf_2_5_clock_003": date(2026, 3, 29),
    "id_ksf_2_5_clock_004": date(2026, 10, 25),
    "id_ksf_2_5_clock_005": date(2026, 3, 29),
}
#: The reference target's business day when its URL names none, and the local time its
#: simulated clock starts that day at (harness.targets.reference).
REFERENCE_DAY = date(2026, 11, 23)
REFERENCE_OPENING = time(8, 0)
#: How far a document's time may lie from the moment the sale was made: an hour off is
#: the fault the clock scenarios look for (UTC, no summer time), seconds are not.
REFERENCE_SPAN = timedelta(hours=1)
WALL_TOLERANCE = timedelta(minutes=10)
#: Receipt and journal may differ by the time between journaling and printing.
AGREEMENT = timedelta(seconds=60)

#: Report figures a scenario names -> the eventReport element (§ 2-8-2 bokstav e, k, p).
FIGURES: dict[str, str] = {
    "cash sales": "totalCashSaleAmnt",
    "returns": "reportReturnAmnt",
    "an opening float": "reportOpeningChangeFloat",
}
#: PredefinedBasicID-11 code of the opening float.
FLOAT_CODE = "11007"
#: PredefinedBasicID-13 codes of the sales and the return receipt (§ 2-8-4, § 2-8-5).
RECEIPT_EVENTS: dict[str, str] = {"13012": "sales receipt", "13013": "return receipt"}

_AMOUNT = r"-?[\d  ]+,\d{2}"
_DATE = re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})|(?P<Y>\d{4})-(?P<M>\d{2})-(?P<D>\d{2})")
_TIME = re.compile(r"(?<!\d)(?P<h>\d{1,2})[:.](?P<min>\d{2})(?:[:.](?P<s>\d{2}))?(?!\d)")


# --- the target, on the scenario's business day ------------------------------------------


@pytest.fixture
def business_day(request: pytest.FixtureRequest) -> date | None:
    """The business day the scenario needs (None: the target's own)."""
    marker = request.node.get_closest_marker(SCENARIO_ID)
    return BUSINESS_DAYS.get(str(marker.args[0])) if marker is not None and marker.args else None


@pytest.fixture
def till(request: pytest.FixtureRequest, business_day: date | None) -> Iterator[TillDriver]:
    """A fresh till of the chosen target; on the scenario's business day where it needs one."""
    url = str(request.config.getoption("--target"))
    if business_day is not None:
        parts = urlsplit(url)
        if parts.scheme != "reference":
            pytest.skip(
                f"{NOT_AUTOMATED}: the scenario needs the till's clock on {business_day}, a day Norway "
                f"switches between standard and summer time; only reference:// lets the harness choose "
                f"the business day (set the till under test to that date by hand and run it again)"
            )
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "day"] + [("day", business_day.isoformat())]
        url = urlunsplit(parts._replace(query=urlencode(query)))
    driver = open_target(url)
    try:
        yield driver
    finally:
        driver.close()


# --- helpers --------------------------------------------------------------------------------


def _last_document(till: TillDriver, scene: Scene) -> tuple[Printed, EvidenceRecord]:
    """The document printed last at the scenario's kassapunkt, and its evidence record."""
    documents = printed(till.evidence, scene.register, scene.start)
    assert documents, f"the printer of kassapunkt {scene.register} printed nothing in the scenario"
    records = till.evidence.since(scene.start, kind="printer.document", source=f"{scene.register}/printer")
    record = next(r for r in records if r.seq == documents[-1].seq)
    return documents[-1], record


def _printed_moment(document: Printed) -> datetime:
    """The first date on a document and the time printed right after it (naive, as printed)."""
    found = _DATE.search(document.text)
    assert found is not None, f"no date (dd.mm.yyyy or yyyy-mm-dd) on the document:\n{document.text}"
    clock = _TIME.search(document.text[found.end() : found.end() + 40])
    assert clock is not None, f"no time next to the date {found.group(0)} on the document:\n{document.text}"
    day = (
        date(int(found["y"]), int(found["m"]), int(found["d"]))
        if found["y"]
        else date(int(found["Y"]), int(found["M"]), int(found["D"]))
    )
    return datetime.combine(day, time(int(clock["h"]), int(clock["min"]), int(clock["s"] or 0)))


def _moment_window(till: TillDriver, record: EvidenceRecord) -> tuple[datetime, datetime]:
    """When the document was made, in Oslo time: the reference target's simulated morning, else the printer's clock."""
    parts = urlsplit(till.name)
    if parts.scheme == "reference":
        day = dict(parse_qsl(parts.query)).get("day")
        start = datetime.combine(date.fromisoformat(day) if day else REFERENCE_DAY, REFERENCE_OPENING, OSLO)
        return start, start + REFERENCE_SPAN
    received = datetime.fromisoformat(record.wall).astimezone(OSLO)
    return received - WALL_TOLERANCE, received + WALL_TOLERANCE


def _amount_pattern(value: int) -> re.Pattern[str]:
    """An amount as a receipt prints it (``-27,80``, ``−27,80`` or ``27,80-``; thousands grouped or not)."""
    kroner, ore_part = divmod(abs(value), 100)
    number = r"[  .]?".join(f"{kroner:,}".split(",")) + f",{ore_part:02d}"
    if value < 0:
        return re.compile(rf"(?:[-−]\s?{number}(?![\d,])|(?<![\d,.]){number}-)")
    return re.compile(rf"(?<![-−\d,.])(?<![-−]\s){number}(?![\d,-])")


def _report(export: JournalExport, register: str, kind: str) -> Report:
    """The last X or Z report of ``register`` in the journal; it names that kassapunkt."""
    reports = export.reports(register, kind)
    assert reports, f"the journal export {export.path.name} holds no {kind} report of kassapunkt {register}"
    report = reports[-1]
    # kassasystemforskrifta § 2-5, § 2-8-1: the report is the kassapunkt's own
    assert report.register_id == register, f"the {kind} report of kassapunkt {register} names {report.register_id!r}"
    return report


def _last_sale(export: JournalExport, scene: Scene) -> Transaction:
    return export.transaction(scene.last_sale.trans_id)


def _paid(export: JournalExport, payments_codes: tuple[str, ...], tx: Transaction) -> int:
    return sum(p.amount or 0 for p in tx.payments if export.code("12", p.payment_type) in payments_codes)


# --- When -----------------------------------------------------------------------------------


# --- Given ----------------------------------------------------------------------------------


@given(parsers.parse("the till's business day is {day}, the day summer time {change}"))
def on_switch_day(business_day: date | None, day: str, change: str) -> None:
    """The till runs on a day Norway switches clocks (this module's ``till`` fixture chose it)."""
    wanted = date.fromisoformat(day)
    assert business_day == wanted, (
        f"the till runs on {business_day or 'its own day'}: add the scenario to BUSINESS_DAYS"
    )
    night = datetime.combine(wanted, time(0), OSLO).utcoffset()
    noon = datetime.combine(wanted, time(12), OSLO).utcoffset()
    assert night is not None and noon is not None
    switched = {"begins": noon > night, "ends": noon < night}
    assert switched.get(change), f"{wanted} is not the day summer time {change} in Europe/Oslo"


# --- Then: the opening float and the report figures -----------------------------------------


@then(
    parsers.parse('the journal holds the opening float of {amount} kr of kassapunkt "{register}" before its first sale')
)
def float_before_first_sale(till: TillDriver, scene: Scene, amount: str, register: str) -> None:
    """§ 2-5: the float (inngåande vekselbehaldning) is registered, and before the first sale."""
    register_id, value = scene.register_id(register), ore(amount)
    export = scene.journal(till)
    transactions = export.transactions_of(register_id)
    floats = [i for i, t in enumerate(transactions) if export.code("11", t.trans_type) == FLOAT_CODE]
    sales = [i for i, t in enumerate(transactions) if export.code("11", t.trans_type) in CASH_SALE_CODES]
    listed = [f"{t.trans_id} {t.trans_type} {format_ore(t.amount_in)}" for t in transactions]
    assert [transactions[i].amount_in for i in floats] == [value], (
        f"expected one opening float (PredefinedBasicID 11007) of {amount} kr at kassapunkt {register_id}: {listed}"
    )
    # kassasystemforskrifta § 2-5: the float is registered at the start, before the first sale
    assert not sales or floats[0] < sales[0], f"the float was journaled after the first sale: {listed}"


@then(
    parsers.re(
        rf'the (?P<kind>X|Z) report of kassapunkt "(?P<register>[^"]+)" shows (?P<figure>{"|".join(FIGURES)}) '
        rf'of (?P<amount>{_AMOUNT}) kr(?: for operator "(?P<operator>[^"]+)")?$'
    )
)
def report_figure(
    till: TillDriver, scene: Scene, kind: str, register: str, figure: str, amount: str, operator: str | None
) -> None:
    """§ 2-5 (and § 2-8-2 bokstav e, k, p): the kassapunkt's own report shows the figure."""
    register_id, value = scene.register_id(register), ore(amount)
    export = scene.journal(till)
    report = _report(export, register_id, kind)
    if operator is None:
        shown = report.figures.get(FIGURES[figure])
    else:  # the opening float per operator (operators with drawers of their own, Skatteetaten)
        assert figure == "an opening float", f"the suite has no per-operator figure for {figure}"
        emp_id = scene.operator_id(operator)
        row = report.lists.get("reportEmpOpeningChangeFloats", {}).get((emp_id,))
        shown = row[0] if row else None
    whose = f" for operator {operator}" if operator else ""
    assert shown == value, (
        f"the {kind} report of kassapunkt {register_id} shows {figure}{whose} of {format_ore(shown)}, expected {amount}"
    )


@then(
    parsers.re(
        rf'the (?P<kind>X|Z) report of kassapunkt "(?P<register>[^"]+)" counts (?P<count>\d+) payments? of '
        rf"(?P<amount>{_AMOUNT}) kr (?:in|by) (?P<means>{'|'.join(MEANS_CODES)})$"
    ),
    converters={"count": int},
)
def report_payments(
    till: TillDriver, scene: Scene, kind: str, register: str, count: int, amount: str, means: str
) -> None:
    """§ 2-5 (§ 2-8-2 bokstav g): each means of payment is reported on its own, with its count and amount."""
    register_id, value = scene.register_id(register), ore(amount)
    export = scene.journal(till)
    rows = _report(export, register_id, kind).lists.get("reportPayments", {})
    # kassasystemforskrifta § 2-5: payment by different means, each reported separately
    mine = [(key[0], figures) for key, figures in rows.items() if export.code("12", key[0]) in MEANS_CODES[means]]
    shown = (sum(f[0] or 0 for _k, f in mine), sum(f[1] or 0 for _k, f in mine))
    listed = {key[0]: [format_ore(f[1]), f[0]] for key, f in rows.items()}
    assert shown == (count, value), (
        f"the {kind} report of kassapunkt {register_id} counts {shown[0]} payment(s) of {format_ore(shown[1])} "
        f"{means} (codes {', '.join(MEANS_CODES[means])}), expected {count} of {amount}; reportPayments: {listed}"
    )


# --- Then: the sale in the journal ----------------------------------------------------------


@then(
    parsers.re(
        rf"the journal's last sale is paid with (?P<amount>{_AMOUNT}) kr (?:in|by) (?P<means>{'|'.join(MEANS_CODES)})$"
    )
)
def sale_paid_with(till: TillDriver, scene: Scene, amount: str, means: str) -> None:
    """§ 2-5: the sale's payments are registered by means of payment."""
    export = scene.journal(till)
    sale = _last_sale(export, scene)
    paid = _paid(export, MEANS_CODES[means], sale)
    listed = [(p.payment_type, format_ore(p.amount)) for p in sale.payments]
    assert paid == ore(amount), f"{sale.trans_id} is paid with {format_ore(paid)} {means}, expected {amount}: {listed}"


@then(parsers.parse("the journal's last sale has the amount {amount} kr"))
def sale_amount(till: TillDriver, scene: Scene, amount: str) -> None:
    """§ 2-5: the journal tells a return (negative) from a sale (positive)."""
    sale = _last_sale(scene.journal(till), scene)
    assert sale.amount_in == ore(amount), (
        f"{sale.trans_id} has transAmntIn {sale.raw_in} (amntTp {sale.tp}), expected {amount} kr"
    )


@then(parsers.parse('the journal\'s last sale has a line of {amount} kr for article "{art_id}"'))
def sale_line(till: TillDriver, scene: Scene, amount: str, art_id: str) -> None:
    """§ 2-5: a returned line is negative in the journal, a sold line positive."""
    sale = _last_sale(scene.journal(till), scene)
    lines = [(ln.art_id, format_ore(ln.amount_in), ln.tp) for ln in sale.lines]
    assert any(ln.art_id == art_id and ln.amount_in == ore(amount) for ln in sale.lines), (
        f"{sale.trans_id} has no line of {amount} kr for article {art_id}; its lines: {lines}"
    )


# --- Then: documents on paper ---------------------------------------------------------------


@then(parsers.parse('the receipt shows article "{art_id}" at {amount} kr'))
def receipt_line(till: TillDriver, scene: Scene, profile: Profile, art_id: str, amount: str) -> None:
    """§ 2-5: on the receipt a returned article's amount is negative, a sold one's positive."""
    document, _record = _last_document(till, scene)
    name = profile.article(art_id).description[:16].casefold()
    texts = [line for line, _w, _h in document.lines]
    starts = [i for i, line in enumerate(texts) if name in line.casefold()]
    assert starts, f"article {art_id} ({profile.article(art_id).description}) is not on the receipt:\n{document.text}"
    pattern = _amount_pattern(ore(amount))
    # kassasystemforskrifta § 2-5: positive and negative amounts told apart on the receipt
    assert any(pattern.search(line) for i in starts for line in texts[i : i + 2]), (
        f"the receipt does not show article {art_id} at {amount} kr:\n{document.text}"
    )


@then(parsers.re(r"the (?:receipt|report) shows the Norwegian local time (?:of the sale|it was made)"))
def norwegian_time(till: TillDriver, scene: Scene) -> None:
    """§ 2-5: the clock runs in Norwegian standard time, adjusted for summer time."""
    document, record = _last_document(till, scene)
    shown = _printed_moment(document)
    start, end = _moment_window(till, record)
    # kassasystemforskrifta § 2-5: a receipt's time is Norwegian local time (CET, CEST in summer)
    assert start <= shown.replace(tzinfo=OSLO) <= end, (
        f"the document shows {shown:%d.%m.%Y %H:%M:%S}, but it was made between {start:%d.%m.%Y %H:%M} and "
        f"{end:%H:%M} Norwegian time ({start.tzname()}, UTC{start:%z}); a clock on UTC or without summer time "
        f"shows another hour:\n{document.text}"
    )


@then(parsers.re(r"the journal gives the (?P<what>sale|X report) the date and time its (?:receipt|printout) shows"))
def journal_agrees(till: TillDriver, scene: Scene, what: str) -> None:
    """§ 2-5: the journal keeps the same Norwegian time as the document on paper."""
    document, _record = _last_document(till, scene)
    shown = _printed_moment(document)
    export = scene.journal(till)
    if what == "sale":
        sale = _last_sale(export, scene)
        when_, stamp = f"{sale.date}T{sale.time}", f"transDate {sale.date} transTime {sale.time}"
    else:
        report = _report(export, scene.register, "X")
        when_, stamp = f"{report.date}T{report.time}", f"reportDate {report.date} reportTime {report.time}"
    journaled = datetime.fromisoformat(when_)
    assert abs(journaled - shown) <= AGREEMENT, (
        f"the journal gives the {what} {stamp}, the paper shows {shown:%d.%m.%Y %H:%M:%S}"
    )


@then(
    parsers.parse('kassapunkt "{register}" has printed 2 receipts and journaled them as a sales and a return receipt')
)
def receipts_of_kassapunkt(till: TillDriver, scene: Scene, register: str) -> None:
    """§ 2-5, § 2-8-1: the kassapunkt produces a sales and a return receipt of its own, on paper and in the journal."""
    register_id = scene.register_id(register)
    # kassasystemforskrifta § 2-5: receipts for each kassapunkt, on that kassapunkt's printer
    receipts = [
        d.first_text_line()
        for d in printed(till.evidence, register_id, scene.start)
        if not is_copy(d) and not is_report(d)
    ]
    assert len(receipts) == 2, f"the printer of kassapunkt {register_id} printed the receipts {receipts}, expected 2"
    export = scene.journal(till)
    for code, kind in RECEIPT_EVENTS.items():
        events = export.events_of(register_id, code)
        assert len(events) == 1, f"the journal holds {len(events)} {code} events ({kind}) of kassapunkt {register_id}"
