"""kassasystemforskrifta § 2-7 (the electronic journal) and § 2-5 (continuous use journaled): the legal checks.

The journal is judged through its SAF-T export, verified and read by the harness
(:class:`features.steps.reconcile.Exports`), and held against what the printer received.
Expected prices come from the capability profile.
"""

from __future__ import annotations

import re

from pytest_bdd import parsers, scenarios, then

from features.steps.operate import Scene, ore
from features.steps.reconcile import *  # noqa: F403  (the journal step family and its fixture)
from features.steps.reconcile import SAFT, Exports, kr, receipt_naming, xml, xml_transaction
from harness.profile import Profile
from harness.targets import TillDriver
from harness.verify import Severity
from harness.verify.records import Event, Transaction

scenarios("ksf_2_7.feature")

#: SAF-T eventReport elements the XSD makes mandatory: the report's § 2-8-2 content in full.
REPORT_CONTENT = (
    "reportTotalCashSales", "reportArtGroups", "reportPayments", "reportCashSalesVat", "reportOpeningChangeFloat",
    "reportReceiptNum", "reportOpenCashBoxNum", "reportReceiptCopyNum", "reportReceiptProformaNum",
    "reportReturnNum", "reportDiscountNum", "reportVoidTransNum", "reportCorrLines", "reportPriceInquiries",
    "reportOtherCorrs", "reportReceiptDeliveryNum", "reportTrainingNum", "reportGrandTotalSales",
    "reportGrandTotalReturn", "reportGrandTotalSalesNet",
)  # fmt: skip

_ITEM = re.compile(r'(\d+) × article "(\w+)"')


def _price_of(profile: Profile, items: str) -> int:
    """Øre of ``2 × article "1003" and 1 × article "1201"`` at the profile's prices."""
    found = _ITEM.findall(items)
    assert found, f"no «N × article» in {items!r}"
    return sum(int(quantity) * profile.article(art_id).price for quantity, art_id in found)


def _mentions(text: str, token: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(token)}(?![\w])", text) is not None


def _sale(exports: Exports, scene: Scene) -> Transaction:
    return exports.latest().transaction(scene.last_sale.trans_id)


def _stamp(date: str, time: str) -> str:
    return f"{date}T{time}"


def _lines(transaction: Transaction) -> str:
    return ", ".join(f"{line.art_id} {kr(line.amount_in)}" for line in transaction.lines) or "(no lines)"


# --- § 2-7 første ledd ------------------------------------------------------------------


@then(parsers.parse("the journal holds the X report in full, with total cash sales of {items}"))
def x_report_in_full(exports: Exports, scene: Scene, profile: Profile, items: str) -> None:
    """§ 2-7 første ledd (Skatteetaten): the X report's content is journaled, not only its time."""
    export = exports.latest()
    reports = export.reports(scene.register, "X")
    missing_reports = export.findings("EVT-REPORT-MISSING")
    assert len(reports) == 1 and not missing_reports, (
        f"{len(reports)} X reports with content in the journal of {scene.register}\n" + export.describe(missing_reports)
    )
    report = reports[0]
    absent = [name for name in REPORT_CONTENT if name not in report.present]
    assert not absent, f"X report {report.report_id} is stored without {', '.join(absent)}"
    expected = _price_of(profile, items)
    total = report.figures.get("totalCashSaleAmnt")
    # kassasystemforskrifta § 2-8-2 bokstav e, as the profile prices the scenario's sales
    assert total == expected, f"X report {report.report_id}: total cash sales {kr(total)}, expected {kr(expected)}"


# --- § 2-5 --------------------------------------------------------------------------------


@then(parsers.parse("the sale is in the journal as a training transaction of {items}"))
def training_transaction(exports: Exports, scene: Scene, profile: Profile, items: str) -> None:
    """§ 2-5, § 2-7 første ledd: a training sale is journaled, flagged as training (``trainingID``)."""
    sale = _sale(exports, scene)
    assert sale.training, f"{sale.trans_id} is journaled without trainingID=true"
    expected = _price_of(profile, items)
    assert sale.amount_in == expected, f"{sale.trans_id}: transAmntIn {sale.raw_in}, expected {kr(expected)}"


# --- § 2-7 andre ledd ----------------------------------------------------------------------


@then(parsers.parse('the sale\'s journal transaction holds only {quantity:d} × article "{art_id}"'))
def sale_holds_only(exports: Exports, scene: Scene, profile: Profile, quantity: int, art_id: str) -> None:
    """§ 2-7 andre ledd: the concluded sale holds the lines as corrected, nothing more."""
    sale = _sale(exports, scene)
    expected = quantity * profile.article(art_id).price
    ok = [line.art_id for line in sale.lines] == [art_id] and sale.lines[0].amount_in == expected
    assert ok, f"{sale.trans_id} holds {_lines(sale)}; expected only {art_id} {kr(expected)}"


@then(parsers.parse('the journal still names article "{art_id}" before the sale\'s transaction'))
def deleted_line_journaled(exports: Exports, scene: Scene, art_id: str) -> None:
    """§ 2-7 andre ledd: a deleted line is not erased; the journal keeps its registration and deletion.

    Skatteetaten's example file journals a deleted line as an event naming ``artID``.
    """
    export = exports.latest()
    sale = export.transaction(scene.last_sale.trans_id)
    events = [e for e in export.events_of(scene.register) if _stamp(e.date, e.time) <= _stamp(sale.date, sale.time)]
    naming = [e for e in events if _mentions(e.text, art_id) or _mentions(e.text, f"artID {art_id}")]
    assert naming, f"no journal event before {sale.trans_id} names article {art_id}; the events:\n" + "\n".join(
        f"  {e.event_id} {e.time} {e.event_type} {e.text}" for e in events
    )


@then(parsers.parse("the journal keeps the voided sale of {items} as a void transaction"))
def void_kept(exports: Exports, scene: Scene, profile: Profile, items: str) -> None:
    """§ 2-7 andre ledd, § 2-8-2 bokstav r: a cancelled sale stays in the journal, marked ``voidTransaction``."""
    export = exports.latest()
    voids = [t for t in export.transactions_of(scene.register) if t.void]
    assert len(voids) == 1, f"{len(voids)} void transactions in the journal of {scene.register}"
    expected = _price_of(profile, items)
    assert voids[0].amount_in == expected and voids[0].lines, (
        f"void {voids[0].trans_id} holds {_lines(voids[0])} = {voids[0].raw_in}; expected {kr(expected)}"
    )


def _transaction_key(t: Transaction) -> tuple[object, ...]:
    lines = tuple((line.line_id, line.art_id, line.amount_in, line.amount_ex) for line in t.lines)
    return (t.register, t.nr, t.trans_id, t.raw_in, t.raw_ex, t.date, t.time, t.signature, t.key_version, lines)


def _event_key(e: Event) -> tuple[object, ...]:
    return (e.register, e.event_id, e.event_type, e.date, e.time, e.trans_id, e.emp_id, e.text)


@then("every transaction of the first export is unchanged in the last export")
def transactions_unchanged(exports: Exports) -> None:
    """§ 2-7 andre ledd: what the journal held is still there, byte for byte in its fields and signature."""
    assert exports.taken, "the scenario exported nothing before"
    first, last = exports.taken[0], exports.latest()
    assert first.transactions, "the first export holds no transaction"
    now = {_transaction_key(t) for t in last.transactions}
    changed = [t.trans_id for t in first.transactions if _transaction_key(t) not in now]
    assert not changed, f"changed or gone in {last.path.name}: {', '.join(changed)}"


@then("every event of the first export is unchanged in the last export")
def events_unchanged(exports: Exports) -> None:
    """§ 2-7 andre ledd: journal events are not altered or removed by an export."""
    assert exports.taken, "the scenario exported nothing before"
    first, last = exports.taken[0], exports.latest()
    now = {_event_key(e) for e in last.events}
    changed = [f"{e.event_id} {e.event_type}" for e in first.events if _event_key(e) not in now]
    assert not changed, f"events changed or gone in {last.path.name}: {', '.join(changed)}"


@then(parsers.parse('the last export adds {count:d} transaction on kassapunkt "{register}" after them'))
def export_adds(exports: Exports, scene: Scene, count: int, register: str) -> None:
    """§ 2-7 andre ledd: a correction after conclusion is a new transaction after the old ones."""
    register_id = scene.register_id(register)
    first = exports.taken[0].transactions_of(register_id)
    last = exports.latest().transactions_of(register_id)
    old = {t.trans_id for t in first}
    added = last[len(first) :]
    assert [t.trans_id for t in last[: len(first)]] == [t.trans_id for t in first], "the old transactions moved"
    assert len(added) == count and not any(t.trans_id in old for t in added), (
        f"{register_id}: {len(first)} transactions before, now {', '.join(t.trans_id for t in last)}"
    )


# --- § 2-7 tredje ledd ---------------------------------------------------------------------


@then(parsers.parse("the journal records {count:d} price change, made between the two receipts"))
def price_change_timed(exports: Exports, till: TillDriver, scene: Scene, count: int) -> None:
    """§ 2-7 tredje ledd: the journal shows when the price was changed (event 13021 with its time)."""
    export = exports.latest()
    changes = [e for register in export.registers for e in export.events_of(register, "13021")]
    assert len(changes) == count, f"{len(changes)} price change events (13021) in the journal, expected {count}"
    assert len(scene.sales) == 2, f"{len(scene.sales)} sales concluded, expected one before and one after"
    printed_receipts = [receipt_naming(till, scene, export.transaction(s.trans_id)) for s in scene.sales]
    assert all(len(r) == 1 for r in printed_receipts), "each sale needs its one printed receipt"
    before, after = (_stamp(r[0].date, r[0].time) for r in printed_receipts)
    for change in changes:
        at = _stamp(change.date, change.time)[: len(before)]
        assert before <= at <= after, f"price change journaled at {at}, not between the receipts {before} and {after}"


@then(parsers.parse('the receipt and the journal price article "{art_id}" at {amount} kr'))
def priced_at(exports: Exports, till: TillDriver, scene: Scene, art_id: str, amount: str) -> None:
    """§ 2-7 tredje ledd: after the change the new price is current, on the receipt and in the journal."""
    price = ore(amount)
    element = xml_transaction(xml(exports.latest()), scene.last_sale.trans_id)
    lines = [line for line in element.iterfind("s:ctLine", SAFT) if line.findtext("s:artID", "", SAFT) == art_id]
    assert lines, f"{scene.last_sale.trans_id} has no line of article {art_id}"
    for line in lines:
        ppu, quantity = line.findtext("s:ppu", "", SAFT), line.findtext("s:qnt", "", SAFT)
        assert ore(ppu.replace(".", ",")) == price, f"ctLine of {art_id}: ppu {ppu}, expected {amount}"
        line_amount = line.findtext("s:lineAmntIn", "", SAFT)
        assert ore(line_amount.replace(".", ",")) == int(float(quantity)) * price, f"lineAmntIn {line_amount}"
    receipt = receipt_naming(till, scene, exports.latest().transaction(scene.last_sale.trans_id))
    assert receipt and receipt[-1].document.contains(kr(price)), "the receipt does not print the new price " + (
        f"{kr(price)}:\n{receipt[-1].document.text}" if receipt else "(no receipt names the sale)"
    )


@then(
    parsers.re(
        r"the X report in the journal counts (?P<count>\d+) price look-ups? for (?P<amount>[\d ,]+) kr "
        r'in the group of article "(?P<art_id>\w+)"'
    ),
    converters={"count": int},
)
def lookups_counted(exports: Exports, scene: Scene, profile: Profile, count: int, amount: str, art_id: str) -> None:
    """§ 2-7 fjerde ledd, § 2-8-2 bokstav t: look-ups are counted per goods group with their amount."""
    export = exports.latest()
    reports = export.reports(scene.register, "X")
    assert reports, f"no X report with content in the journal of {scene.register}"
    group = profile.article(art_id).group
    rows = reports[-1].lists.get("reportPriceInquiries", {})
    got = rows.get((group,), [0, 0])
    assert got == [count, ore(amount)], (
        f"X report {reports[-1].report_id}: group {group} counts {got[0]} look-ups for {kr(got[1])}, "
        f"expected {count} for {amount}; rows: {rows}"
    )


# --- § 2-7 fjerde ledd ----------------------------------------------------------------------


@then(parsers.parse('the price look-up event names article "{art_id}"'))
def lookup_names_article(exports: Exports, scene: Scene, art_id: str) -> None:
    """§ 2-7 fjerde ledd: the journaled look-up names the article (``eventText``, as in Skatteetaten's example)."""
    lookups = exports.latest().events_of(scene.register, "13022")
    assert lookups and all(_mentions(e.text, art_id) for e in lookups), "look-up events: " + "; ".join(
        repr(e.text) for e in lookups
    )


@then("the journal holds no cash transaction")
def no_transaction(exports: Exports) -> None:
    """§ 2-7 fjerde ledd: a price look-up is not a sale."""
    export = exports.latest()
    found = export.findings(at_least=Severity.FATAL)
    assert not found, export.describe(found)
    assert not export.transactions, "the journal holds " + ", ".join(t.trans_id for t in export.transactions)
