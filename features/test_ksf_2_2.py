"""kassasystemforskrifta § 2-2 (integrated cash drawer) and § 2-3 (printer): the legal checks.

Every kassapunkt has its own emulated printer with the cash drawer on its kick connector.
The Then steps judge from what the devices of the kassapunkt they name recorded (drawer
kicks, the drawer's sensor, the documents on paper) and from the journal export.
"""

from __future__ import annotations

from pytest_bdd import parsers, scenarios, then

from features.steps.codes import CASH_SALE_CODES
from features.steps.operate import Scene
from harness.documents import is_copy, is_headed, is_report
from harness.observe import Printed, drawer_kicks, drawer_openings, printed
from harness.targets import TillDriver

scenarios("ksf_2_2.feature")


def _is_receipt(document: Printed) -> bool:
    """A receipt: a document that is no X or Z report and no «KOPI» (whatever the receipt is called)."""
    return not is_report(document) and not is_copy(document)


@then(
    parsers.re(r'the drawer of kassapunkt "(?P<register>[^"]+)" has opened (?P<count>\d+) times?'),
    converters={"count": int},
)
def drawer_opened(till: TillDriver, scene: Scene, register: str, count: int) -> None:
    """§ 2-2: the kassapunkt's own drawer was kicked and opened ``count`` times in the scenario."""
    register_id = scene.register_id(register)
    # kassasystemforskrifta § 2-2: the drawer is integrated, the till opens it itself
    kicks = drawer_kicks(till.evidence, register_id, scene.start)
    openings = drawer_openings(till.evidence, register_id, scene.start)
    assert (kicks, openings) == (count, count), (
        f"the drawer of kassapunkt {register_id} was kicked {kicks} and reported open {openings} "
        f"time(s); expected {count} (each kassapunkt's cash sale opens that kassapunkt's own drawer)"
    )


@then(
    parsers.re(r'the printer of kassapunkt "(?P<register>[^"]+)" has printed (?P<count>\d+) × «(?P<name>[^»]+)»'),
    converters={"count": int},
)
def printer_printed_report(till: TillDriver, scene: Scene, register: str, count: int, name: str) -> None:
    """§ 2-3 første ledd: the kassapunkt's own paper printer produced ``count`` reports named ``name``."""
    register_id = scene.register_id(register)
    documents = printed(till.evidence, register_id, scene.start)
    named = [d for d in documents if is_headed(d, name)]
    assert len(named) == count, (
        f"the printer of kassapunkt {register_id} printed {len(named)} «{name}», expected {count}; "
        f"it printed: {[d.first_text_line() for d in documents]}"
    )


@then(
    parsers.re(r'the printer of kassapunkt "(?P<register>[^"]+)" has printed (?P<count>\d+) receipts?$'),
    converters={"count": int},
)
def printer_printed_receipts(till: TillDriver, scene: Scene, register: str, count: int) -> None:
    """§ 2-3 første ledd: the kassapunkt's own paper printer produced ``count`` receipts."""
    register_id = scene.register_id(register)
    documents = printed(till.evidence, register_id, scene.start)
    receipts = [d for d in documents if _is_receipt(d)]
    assert len(receipts) == count, (
        f"the printer of kassapunkt {register_id} printed {len(receipts)} receipt(s), expected {count}; "
        f"it printed: {[d.first_text_line() for d in documents]}"
    )


@then(parsers.parse('the printer of kassapunkt "{register}" has printed nothing'))
def printer_idle(till: TillDriver, scene: Scene, register: str) -> None:
    """§ 2-3 første ledd: another kassapunkt's documents do not come out of this kassapunkt's printer."""
    register_id = scene.register_id(register)
    documents = printed(till.evidence, register_id, scene.start)
    assert not documents, (
        f"the printer of kassapunkt {register_id} printed {len(documents)} document(s) of another kassapunkt:\n"
        + documents[0].text
    )


@then(parsers.parse('every cash sale of kassapunkt "{register}" in the journal carries operator "{operator}"'))
def sales_per_operator(till: TillDriver, scene: Scene, register: str, operator: str) -> None:
    """§ 2-2 andre punktum: cash sales are registered per operator (the exception's condition)."""
    register_id, emp_id = scene.register_id(register), scene.operator_id(operator)
    export = scene.journal(till)
    sales = [
        t
        for t in export.transactions_of(register_id)
        if export.code("11", t.trans_type) in CASH_SALE_CODES and not t.void and not t.training
    ]
    assert sales, f"the journal export {export.path.name} holds no cash sale of kassapunkt {register_id}"
    # kassasystemforskrifta § 2-2 andre punktum, bokføringsforskrifta § 5-3-2 andre ledd: empID per sale
    wrong = [f"{t.trans_id}: empID {t.emp_id!r}" for t in sales if t.emp_id != emp_id]
    assert not wrong, f"cash sales of kassapunkt {register_id} not registered on operator {emp_id}: {wrong}"
