"""Device faults: what the law requires when a printer, drawer, terminal or the till process fails.

The faults are put into the harness's own devices (:class:`~harness.targets.shop_side.ShopSide`
verbs) or the till process is killed; the Then steps judge from what the printer, drawer
and payment terminal recorded (:mod:`harness.observe`, the evidence log) and from the
journal export (:meth:`Scene.journal`).
"""

from __future__ import annotations

import re

from pytest_bdd import parsers, scenarios, then

from features.steps.codes import CASH_SALE_CODES, MEANS_CODES
from features.steps.operate import Scene, ore
from features.steps.receipts import *  # noqa: F403  (the shared receipt steps)
from features.steps.receipts import headings, lines_with_amount, nok, receipt_of
from harness.documents import is_copy, is_report
from harness.evidence import EvidenceRecord
from harness.journal_export import JournalExport
from harness.observe import Printed, printed
from harness.targets import TillDriver
from harness.verify.records import Event, Transaction, format_ore

scenarios("device_faults.feature")

#: PredefinedBasicID-12 codes of cash and of payment cards.
CASH, CARDS = MEANS_CODES["cash"], MEANS_CODES["card"]
#: How a receipt labels its total (as the § 2-8-4 steps read it).
TOTAL_LABEL = re.compile(r"total|sum|å betale|beløp", re.IGNORECASE)
#: An event about printing that failed, in its text or its type's description (nb or en).
PRINTING = re.compile(r"print|skriv|utskrift", re.IGNORECASE)
FAILED = re.compile(
    r"\b(?:fail\w*|feil\w*|error|not|ikke|ikkje|stopp\w*|stopped|paper|papir|cover|deksel)\b", re.IGNORECASE
)


def _receipts(till: TillDriver, scene: Scene) -> list[Printed]:
    """The receipts the kassapunkt printed in the scenario: no reports, no «KOPI», whatever their name."""
    documents = printed(till.evidence, scene.register, scene.start)
    return [d for d in documents if not is_report(d) and not is_copy(d)]


def _concluded_sales(export: JournalExport, register: str) -> list[Transaction]:
    """Sales the journal holds as concluded (not cancelled, not training)."""
    return [
        t
        for t in export.transactions_of(register)
        if export.code("11", t.trans_type) in CASH_SALE_CODES and not t.void and not t.training
    ]


def _terminal(till: TillDriver, scene: Scene, kind: str) -> list[EvidenceRecord]:
    return till.evidence.since(scene.start, kind=kind, source=f"{scene.register}/terminal")


def _kroner(value: int) -> str:
    """Øre as a Norwegian receipt writes the amount (``79,80``)."""
    return f"{abs(value) // 100},{abs(value) % 100:02d}"


# --- the printer -----------------------------------------------------------------------------


@then("every sale in the journal has its receipt on paper")
def sales_have_receipts(till: TillDriver, scene: Scene) -> None:
    """§ 2-6 fjerde ledd: no sale stands concluded in the journal without its salskvittering on paper."""
    sales = _concluded_sales(scene.journal(till), scene.register)
    receipts = _receipts(till, scene)
    # kassasystemforskrifta § 2-6 fjerde ledd: a printer fault must not leave a sale without its receipt
    assert len(receipts) >= len(sales), (
        f"the journal holds {len(sales)} concluded sale(s) {[s.trans_id for s in sales]}, "
        f"but only {len(receipts)} receipt(s) came out of the printer"
    )


@then(parsers.re(r"the printer has printed (?P<count>\d+) receipts?$"), converters={"count": int})
def receipts_printed(till: TillDriver, scene: Scene, count: int) -> None:
    """§ 2-6 fjerde ledd: each concluded sale has one salskvittering, never a second original."""
    receipts = _receipts(till, scene)
    headings = [d.first_text_line() for d in receipts]
    assert len(receipts) == count, f"{len(receipts)} receipt(s) printed, expected {count}: {headings}"


@then("the first sale's «salskvittering» is on paper once, with its receipt number and its total")
def first_receipt_once_and_whole(till: TillDriver, scene: Scene) -> None:
    """§ 2-6 fjerde ledd: a receipt interrupted mid-print is on paper once, whole, and never a second time.

    Matched by the journal's number; copies marked «KOPI» are not counted (§ 2-8-6).
    """
    assert scene.sales, "the scenario concluded no sale"
    export = scene.journal(till)
    sale = export.transaction(scene.sales[0].trans_id)
    documents = printed(till.evidence, scene.register, scene.start)
    originals = receipt_of(documents, sale.trans_id)
    # kassasystemforskrifta § 2-6 fjerde ledd: one original receipt; any further one is a copy marked «KOPI»
    assert len(originals) == 1, (
        f"{len(originals)} receipts (not marked «KOPI») print the number of {sale.trans_id}, expected exactly one; "
        f"printed: {headings(documents)}"
    )
    total = sale.amount_in or 0
    labelled = [text for text, _w, _h in lines_with_amount(originals[0], total) if TOTAL_LABEL.search(text)]
    assert labelled, (
        f"the receipt of {sale.trans_id} shows no total of {nok(total)}: it did not come out whole\n{originals[0].text}"
    )


@then("the journal records that the sale's «salskvittering» did not print")
def print_failure_journaled(till: TillDriver, scene: Scene) -> None:
    """§ 2-6 fjerde ledd, § 2-7 første ledd: the concluded sale stays journaled, and so does its failed receipt.

    An event of the kassapunkt that names the sale (its transID, or the transID in its text) and
    says, in its text or its type's description, that printing failed.
    """
    export = scene.journal(till)
    sale = export.transaction(scene.last_sale.trans_id)

    def described(event: Event) -> str:
        basic = export.basics.get(("13", event.event_type))
        return f"{event.text} {basic.description if basic is not None else ''}"

    events = export.events_of(scene.register)
    about_sale = [e for e in events if e.trans_id == sale.trans_id or sale.trans_id in e.text]
    failures = [e for e in about_sale if PRINTING.search(described(e)) and FAILED.search(described(e))]
    assert failures, (
        f"the journal export {export.path.name} holds {sale.trans_id} but no event saying its receipt did not print; "
        f"the events naming the sale: {[(e.event_type, e.text) for e in about_sale]}"
    )


@then(
    parsers.re(r"the journal holds (?P<count>\d+) concluded sales? of (?P<amount>[\d ,]+) kr$"),
    converters={"count": int},
)
def sales_journaled(till: TillDriver, scene: Scene, count: int, amount: str) -> None:
    """§ 2-6 fjerde ledd, § 2-7: the sale is journaled once, when it is concluded."""
    sales = _concluded_sales(scene.journal(till), scene.register)
    listed = [f"{s.trans_id} {format_ore(s.amount_in)}" for s in sales]
    assert [s.amount_in for s in sales] == [ore(amount)] * count, (
        f"the journal holds the concluded sales {listed}, expected {count} of {amount} kr"
    )


@then(parsers.parse("no receipt shows the amount {amount} kr"))
def amount_not_on_receipt(till: TillDriver, scene: Scene, amount: str) -> None:
    """§ 2-6 fjerde ledd: an interrupted sale was not concluded, so no receipt shows it."""
    text = _kroner(ore(amount))
    shown = [d for d in _receipts(till, scene) if text in d.text]
    assert not shown, f"a receipt shows {amount} kr, the interrupted sale's amount:\n{shown[0].text}"


# --- the drawer ------------------------------------------------------------------------------


@then("the drawer is still open")
def drawer_still_open(till: TillDriver, scene: Scene) -> None:
    """§ 2-6 femte ledd: the drawer's own sensor says it is open (the refusal was about an open drawer)."""
    readings = till.evidence.since(scene.start, kind="drawer.sensor", source=f"{scene.register}/drawer")
    assert readings and readings[-1].data.get("open") is True, (
        f"the drawer's sensor last reported {readings[-1].data if readings else 'nothing'}"
    )


# --- the payment terminal --------------------------------------------------------------------


@then("no printed document claims the card payment the terminal did not approve")
def failed_payment_not_printed(till: TillDriver, scene: Scene) -> None:
    """§ 2-5, § 2-8-4: no receipt shows the terminal transaction that was not approved."""
    failed = [
        str(r.data["poi_transaction_id"])
        for r in _terminal(till, scene, "terminal.response")
        if r.data.get("category") == "Payment"
        and r.data.get("result") != "Success"
        and r.data.get("poi_transaction_id")
    ]
    assert failed, "the payment terminal reported no payment it did not approve"
    claims = [d for d in printed(till.evidence, scene.register, scene.start) if any(ref in d.text for ref in failed)]
    assert not claims, f"a document names the unapproved terminal transaction {failed}:\n{claims[0].text}"


@then(parsers.parse("the journal's sale is paid with {amount} kr in cash and nothing by card"))
def paid_in_cash_only(till: TillDriver, scene: Scene, amount: str) -> None:
    """§ 2-5: the payment the terminal did not approve is not registered; the cash is."""
    export = scene.journal(till)
    sale = export.transaction(scene.last_sale.trans_id)
    paid = {
        means: sum(p.amount or 0 for p in sale.payments if export.code("12", p.payment_type) in codes)
        for means, codes in (("cash", CASH), ("card", CARDS))
    }
    listed = [(p.payment_type, format_ore(p.amount)) for p in sale.payments]
    assert paid == {"cash": ore(amount), "card": 0}, f"{sale.trans_id} is paid with {listed}, expected {amount} kr cash"
    cards = [
        (t.trans_id, p.payment_type)
        for t in export.transactions_of(scene.register)
        for p in t.payments
        if export.code("12", p.payment_type) in CARDS
    ]
    assert not cards, f"the journal registers card payments the terminal never approved: {cards}"


@then("the card payment the terminal approved is in the journal or reversed at the terminal")
def approved_payment_kept(till: TillDriver, scene: Scene) -> None:
    """§ 2-5, § 2-7 første ledd: money the terminal took is registered, or given back, also across a crash."""
    approved = [
        r
        for r in _terminal(till, scene, "terminal.response")
        if r.data.get("category") == "Payment" and r.data.get("result") == "Success"
    ]
    assert approved, "the payment terminal approved no payment in the scenario"
    payment = approved[0]
    reference, amount = (
        str(payment.data.get("poi_transaction_id", "")),
        int(payment.data.get("authorized_amount_ore", 0)),
    )
    reversed_ = [
        r
        for r in _terminal(till, scene, "terminal.request")
        if r.seq > payment.seq
        and (
            r.data.get("category") == "Reversal"
            or (r.data.get("payment_type") == "Refund" and r.data.get("requested_amount_ore") == amount)
        )
    ]
    export = scene.journal(till)
    journaled = bool(reference) and reference in export.path.read_text(encoding="utf-8")
    # kassasystemforskrifta § 2-7 første ledd: all use is journaled continuously, a card payment too
    assert journaled or reversed_, (
        f"the terminal approved {format_ore(amount)} kr (transaction {reference}) before the till died; after the "
        f"restart the journal {export.path.name} does not hold that payment and the terminal received no reversal "
        "or refund: the customer paid for a sale the till cancelled"
    )


# --- the till process ------------------------------------------------------------------------


@then(parsers.parse("the journal holds the interrupted sale of {amount} kr as cancelled"))
def interrupted_sale_cancelled(till: TillDriver, scene: Scene, amount: str) -> None:
    """§ 2-8-2 bokstav r, § 2-6 andre ledd: the registrations before the crash stay, as a cancelled sale."""
    export = scene.journal(till)
    cancelled = [t for t in export.transactions_of(scene.register) if t.void]
    listed = [f"{t.trans_id} {format_ore(t.amount_in)}" for t in cancelled]
    assert [t.amount_in for t in cancelled] == [ore(amount)], (
        f"the journal holds the cancelled sales {listed}, expected the interrupted sale of {amount} kr"
    )


@then(
    parsers.re(
        r'the X report of kassapunkt "(?P<register>[^"]+)" counts '
        r"(?P<count>\d+) cancelled sales? of (?P<amount>[\d ,]+) kr"
    ),
    converters={"count": int},
)
def cancelled_counted(till: TillDriver, scene: Scene, register: str, count: int, amount: str) -> None:
    """§ 2-8-2 bokstav r: the interrupted sale counts as cancelled in the X report."""
    export = scene.journal(till)
    reports = export.reports(scene.register_id(register), "X")
    assert reports, f"the journal export {export.path.name} holds no X report"
    shown = (reports[-1].figures.get("reportVoidTransNum"), reports[-1].figures.get("reportVoidTransAmnt"))
    assert shown == (count, ore(amount)), (
        f"the X report counts {shown[0]} cancelled sale(s) of {format_ore(shown[1])}, expected {count} of {amount}"
    )


@then("the signature chain and the numbering run on across the restart")
def chain_runs_on(till: TillDriver, scene: Scene) -> None:
    """§ 2-6 andre ledd, SAF-T signatures: the restarted till continues the chain; nothing is missing."""
    export = scene.journal(till)
    broken = export.findings("SIG", "NUM")
    assert not broken, f"the journal export {export.path.name} fails:\n{export.describe(broken)}"
    numbers = [t.nr for t in export.transactions_of(scene.register)]
    assert numbers == [str(n) for n in range(1, len(numbers) + 1)], (
        f"the transactions of kassapunkt {scene.register} are numbered {numbers}"
    )
