"""kassasystemforskrifta § 2-6 (functions the system must not have): the legal checks.

Each Then step judges from the printer's and the drawer's evidence (:mod:`harness.observe`)
or from the journal export (:meth:`Scene.journal`).
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree
from pytest_bdd import parsers, scenarios, then

from features.steps.operate import Scene, ore
from harness.documents import is_copy, is_headed
from harness.journal_export import JournalExport
from harness.observe import Printed, drawer_kicks, drawer_openings, printed
from harness.saft_spec import NAMESPACE
from harness.targets import TillDriver
from harness.verify.records import Report, format_ore

scenarios("ksf_2_6.feature")


def _sales_receipts(documents: list[Printed]) -> list[Printed]:
    # kassasystemforskrifta § 2-8-4: the receipt's name stands at the top
    return [d for d in documents if is_headed(d, "Salskvittering") and not is_copy(d)]


@then("exactly one salskvittering has been printed")
def one_sales_receipt(till: TillDriver, scene: Scene) -> None:
    """§ 2-6 fjerde ledd: the concluded sale has its salskvittering (and only one)."""
    receipts = _sales_receipts(printed(till.evidence, scene.register, scene.start))
    assert len(receipts) == 1, f"{len(receipts)} salskvitteringar printed"


@then("no salskvittering has been printed")
def no_sales_receipt(till: TillDriver, scene: Scene) -> None:
    """Nothing that claims to be a salskvittering reached the printer."""
    receipts = _sales_receipts(printed(till.evidence, scene.register, scene.start))
    assert not receipts, f"{len(receipts)} salskvittering(ar) printed:\n{receipts[0].text}"


@then(parsers.parse('the step printed one document marked "{mark}"'))
def step_printed_one_marked(till: TillDriver, scene: Scene, mark: str) -> None:
    """The last When step printed exactly one document carrying ``mark``."""
    marked = [d for d in printed(till.evidence, scene.register, scene.step_start) if d.contains(mark)]
    assert len(marked) == 1, f"{len(marked)} documents marked {mark!r} printed"


@then(parsers.parse('exactly one document marked "{mark}" has been printed'))
def one_marked(till: TillDriver, scene: Scene, mark: str) -> None:
    """§ 2-6 fjerde ledd: never more than one kopikvittering."""
    marked = [d for d in printed(till.evidence, scene.register, scene.start) if d.contains(mark)]
    assert len(marked) == 1, f"{len(marked)} documents marked {mark!r} printed"


@then("the exported journal holds no cash transaction")
def journal_holds_no_transaction(till: TillDriver, scene: Scene, tmp_path: Path) -> None:
    """§ 2-6 fjerde ledd, § 2-7: nothing was concluded -- the journal export has no ``cashtransaction``."""
    export = till.export_journal(tmp_path)
    count = sum(1 for _ in etree.iterparse(str(export), tag=f"{{{NAMESPACE}}}cashtransaction", no_network=True))
    assert count == 0, f"the journal export holds {count} cash transaction(s): a sale was concluded"


# --- helpers of § 2-6 andre and tredje ledd -------------------------------------------------------

#: PredefinedBasicID-13 codes of training mode switched on and off, and of a training receipt.
TRAINING_ON, TRAINING_OFF, TRAINING_RECEIPT = "13023", "13024", "13017"
#: A receipt number as printed after its label (Kvitteringsnr., Kvitteringsnummer, Bongnr., Receipt no.).
RECEIPT_NUMBER = re.compile(r"(?i)(?:kvitterings?(?:nr|nummer)|bongnr|receipt\s*no)\.?\s*:?\s*(?P<number>[A-Z]*-?\d+)")


def _amount_texts(value: int) -> tuple[str, ...]:
    """An amount as a journal's event text may write it: SAF-T decimals (-21.90) or Norwegian (-21,90)."""
    decimal = format_ore(value)
    return decimal, decimal.replace(".", ",")


def _x_report(export: JournalExport, register: str) -> Report:
    """The last X report of ``register`` in the journal."""
    reports = export.reports(register, "X")
    assert reports, f"the journal export {export.path.name} holds no X report of kassapunkt {register}"
    return reports[-1]


def _receipt_number(document: Printed) -> str:
    found = RECEIPT_NUMBER.search(document.text)
    assert found is not None, f"no receipt number (Kvitteringsnr.) on the receipt:\n{document.text}"
    return found["number"]


def _serial(number: str) -> int:
    digits = re.search(r"\d+$", number)
    assert digits is not None, f"the receipt number {number!r} does not end in digits"
    return int(digits.group(0))


# --- § 2-6 andre ledd: no change or deletion of registered data ----------------------------------


@then(parsers.parse("the journal holds the sale of {amount} kr"))
def journal_sale(till: TillDriver, scene: Scene, amount: str) -> None:
    """§ 2-6 andre ledd: the concluded sale is journaled with what was finally sold."""
    sale = scene.journal(till).transaction(scene.last_sale.trans_id)
    assert sale.amount_in == ore(amount) and not sale.void, (
        f"{sale.trans_id} is journaled with {sale.raw_in} kr (voidTransaction {sale.void}), expected {amount} kr"
    )


@then(parsers.parse("the journal keeps the correction of {amount} kr as a registration of its own"))
def correction_kept(till: TillDriver, scene: Scene, amount: str) -> None:
    """§ 2-6 andre ledd: a correction before conclusion is a new registration, not an erased line."""
    value = ore(amount)
    export = scene.journal(till)
    sale = export.transaction(scene.last_sale.trans_id)
    texts = _amount_texts(value)
    # kassasystemforskrifta § 2-6 andre ledd: the corrected amount stays visible, as an event or a line
    events = [e for e in export.events_of(sale.register) if any(t in e.text for t in texts)]
    lines = [ln for ln in sale.lines if ln.amount_in == value]
    assert events or lines, (
        f"the journal keeps no trace of the correction of {amount} kr: no event text names it and "
        f"{sale.trans_id} has no line of that amount; events: {[e.text for e in export.events_of(sale.register)]}"
    )


@then(
    parsers.re(
        r'the X report of kassapunkt "(?P<register>[^"]+)" counts '
        r"(?P<count>\d+) line corrections? of (?P<amount>[\d ,]+) kr"
    ),
    converters={"count": int},
)
def corrections_counted(till: TillDriver, scene: Scene, register: str, count: int, amount: str) -> None:
    """§ 2-6 andre ledd, § 2-8-2 bokstav s: the corrections are registered and counted."""
    report = _x_report(scene.journal(till), scene.register_id(register))
    rows = report.lists.get("reportCorrLines", {}).values()
    shown = (sum(r[0] or 0 for r in rows), sum(abs(r[1] or 0) for r in rows))
    assert shown == (count, ore(amount)), (
        f"the X report counts {shown[0]} line correction(s) of {format_ore(shown[1])}, expected {count} of {amount}"
    )


@then(parsers.parse("the journal holds the first sale unchanged at {amount} kr"))
def first_sale_unchanged(till: TillDriver, scene: Scene, amount: str) -> None:
    """§ 2-6 andre ledd: what was concluded stays as it was registered."""
    assert scene.sales, "the scenario concluded no sale"
    sale = scene.journal(till).transaction(scene.sales[0].trans_id)
    assert (sale.amount_in, sale.void) == (ore(amount), False), (
        f"{sale.trans_id} now reads {sale.raw_in} kr (voidTransaction {sale.void}); it was concluded at {amount} kr"
    )


@then(parsers.parse("the journal holds the return as a transaction of its own of {amount} kr"))
def return_of_its_own(till: TillDriver, scene: Scene, amount: str) -> None:
    """§ 2-6 andre ledd: a correction after conclusion is a return, a new registration."""
    assert len(scene.sales) >= 2, "the scenario concluded no return after its sale"
    first, last = scene.sales[0].trans_id, scene.last_sale.trans_id
    assert first != last, f"the return was given the sale's own transID {first}"
    back = scene.journal(till).transaction(last)
    assert back.amount_in == ore(amount), f"the return {last} is journaled with {back.raw_in} kr, expected {amount}"


@then("the journal holds no cancelled sale")
def no_cancelled_sale(till: TillDriver, scene: Scene) -> None:
    """§ 2-6 andre ledd: a concluded sale cannot be cancelled afterwards."""
    voided = [t.trans_id for t in scene.journal(till).transactions_of(scene.register) if t.void]
    assert not voided, f"the journal holds cancelled transaction(s) {voided}"


@then("the journal's signatures and numbering verify")
def chain_verifies(till: TillDriver, scene: Scene) -> None:
    """§ 2-6 andre ledd: nothing registered was changed or removed (signature chain and numbers intact)."""
    export = scene.journal(till)
    broken = export.findings("SIG", "NUM")
    assert not broken, f"the journal export {export.path.name} fails:\n{export.describe(broken)}"


# --- § 2-6 tredje ledd: training mode ----------------------------------------------------------


@then(parsers.parse('the journal holds training mode switched on and then off at kassapunkt "{register}"'))
def training_switches_journaled(till: TillDriver, scene: Scene, register: str) -> None:
    """§ 2-6 tredje ledd: switching training mode on and off is journaled (13023, 13024)."""
    export = scene.journal(till)
    register_id = scene.register_id(register)
    switches = [export.code("13", e.event_type) for e in export.events_of(register_id, TRAINING_ON, TRAINING_OFF)]
    assert switches == [TRAINING_ON, TRAINING_OFF], f"training mode events of kassapunkt {register_id}: {switches}"


@then("the receipt is marked as a training receipt and is not a salskvittering")
def training_receipt_marked(till: TillDriver, scene: Scene) -> None:
    """§ 2-6 tredje ledd: a training receipt is marked as one and cannot pass for a salskvittering."""
    documents = printed(till.evidence, scene.register, scene.start)
    assert documents, "no receipt was printed for the training sale"
    receipt = documents[-1]
    assert not _sales_receipts([receipt]), f"the training sale printed a salskvittering:\n{receipt.text}"
    assert "trening" in receipt.text.casefold(), f"the receipt is not marked as a training receipt:\n{receipt.text}"


@then("the journal flags the sale as training, with a training receipt event")
def training_journaled(till: TillDriver, scene: Scene) -> None:
    """§ 2-6 tredje ledd: the training sale is journaled as training (trainingID, event 13017)."""
    export = scene.journal(till)
    sale = export.transaction(scene.last_sale.trans_id)
    assert sale.training, f"{sale.trans_id} is journaled with trainingID false"
    events = export.events_of(sale.register, TRAINING_RECEIPT)
    assert any(e.trans_id in ("", sale.trans_id) for e in events), (
        f"no training receipt event (13017) for {sale.trans_id}; 13017 events: {[e.trans_id for e in events]}"
    )


@then(
    parsers.re(
        r'the X report of kassapunkt "(?P<register>[^"]+)" counts '
        r"(?P<count>\d+) training receipts? of (?P<amount>[\d ,]+) kr"
    ),
    converters={"count": int},
)
def training_counted(till: TillDriver, scene: Scene, register: str, count: int, amount: str) -> None:
    """§ 2-6 tredje ledd, § 2-8-2 bokstav w: training receipts are counted on their own."""
    report = _x_report(scene.journal(till), scene.register_id(register))
    shown = (report.figures.get("reportTrainingNum"), report.figures.get("reportTrainingAmnt"))
    assert shown == (count, ore(amount)), (
        f"the X report counts {shown[0]} training receipt(s) of {format_ore(shown[1])}, expected {count} of {amount}"
    )


@then(
    parsers.re(
        r'the X report of kassapunkt "(?P<register>[^"]+)" counts sales of (?P<amount>[\d ,]+) kr in (?P<count>\d+) '
        r"sales receipts?, paid with (?P<paid>[\d ,]+) kr"
    ),
    converters={"count": int},
)
def sales_unchanged(till: TillDriver, scene: Scene, register: str, amount: str, count: int, paid: str) -> None:
    """§ 2-6 tredje ledd: a training sale never counts as a sale (bokstav e, g, l)."""
    report = _x_report(scene.journal(till), scene.register_id(register))
    payments = sum(row[1] or 0 for row in report.lists.get("reportPayments", {}).values())
    shown = (report.figures.get("totalCashSaleAmnt"), report.figures.get("reportReceiptNum"), payments)
    assert shown == (ore(amount), count, ore(paid)), (
        f"the X report shows cash sales {format_ore(shown[0])} in {shown[1]} sales receipt(s), payments "
        f"{format_ore(shown[2])}; expected {amount} in {count}, paid {paid} (a training sale is no sale)"
    )


# --- § 2-6 tredje ledd: training sales apart -----------------------------------------------------


@then("the drawer has not opened")
def drawer_stayed_shut(till: TillDriver, scene: Scene) -> None:
    """§ 2-6 tredje ledd: a training sale moves no cash, so the drawer is neither kicked nor opened."""
    kicks = drawer_kicks(till.evidence, scene.register, scene.start)
    openings = drawer_openings(till.evidence, scene.register, scene.start)
    assert (kicks, openings) == (0, 0), f"the drawer was kicked {kicks} and opened {openings} time(s)"


@then("the training receipt has a number outside the series of the sales receipts, which runs on without a gap")
def training_series_apart(till: TillDriver, scene: Scene) -> None:
    """§ 2-6 tredje ledd: training receipts are numbered apart; the sales receipts' series takes no gap."""
    # the scenario prints, in this order: a sale's receipt, the training receipt, a sale's receipt
    numbers = [_receipt_number(d) for d in printed(till.evidence, scene.register, scene.start)]
    assert len(numbers) == 3, f"expected three receipts (sale, training sale, sale), the printer numbered {numbers}"
    sales, training = [numbers[0], numbers[2]], numbers[1]
    assert training not in sales, f"the training receipt took number {training} of the sales receipts {sales}"
    assert _serial(sales[1]) == _serial(sales[0]) + 1, (
        f"the sales receipts are numbered {sales[0]} and {sales[1]}: the training sale took a number between them"
    )
