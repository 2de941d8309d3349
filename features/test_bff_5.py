"""Bokføringsforskrifta § 5-1-2, § 5-3-5 første ledd and § 5-3-12 første ledd: the legal checks.

§ 5-1-2 is about *cash* (kontant betaling) of NOK 40 000 or more including VAT; a card
payment of the same amount needs no buyer's name. § 5-3-5 and § 5-3-12 ask for a
salskvittering for every sale, whatever the means of payment.
"""

from __future__ import annotations

from pytest_bdd import parsers, scenarios, then

from features.steps.operate import Scene
from features.steps.receipts import *  # noqa: F403  (the shared receipt steps)
from features.steps.receipts import (
    headings,
    is_receipt_for_purchase,
    step_document,
    step_documents,
)
from harness.documents import prints_number_of
from harness.targets import TillDriver

scenarios("bff_5.feature")


@then("the exported journal holds no sale of the kassapunkt")
def journal_holds_no_sale(till: TillDriver, scene: Scene) -> None:
    """§ 5-1-2: the refused sale was not concluded -- the journal export has no transaction of the kassapunkt."""
    transactions = scene.journal(till).transactions_of(scene.register)
    assert not transactions, f"the journal holds {[t.trans_id for t in transactions]}: a sale was concluded"


@then(parsers.parse('the sale\'s receipt names the buyer "{name}"'))
def buyer_named(till: TillDriver, scene: Scene, name: str) -> None:
    """§ 5-1-2: the buyer's name stands on the sales document."""
    documents = step_documents(till, scene)
    receipts = [d for d in documents if is_receipt_for_purchase(d)]
    assert len(receipts) == 1, f"the step printed {headings(documents)}, not one receipt"
    assert receipts[0].contains(name), f"the buyer {name!r} is not on the receipt:\n{receipts[0].text}"


@then(parsers.parse('the step printed one document, the sale\'s paper receipt, marked "{mark}"'))
def paper_marked(till: TillDriver, scene: Scene, mark: str) -> None:
    """§ 5-3-5 første ledd with § 2-8-6: sent electronically, the paper receipt is the copy, marked «KOPI».

    The one document the conclusion printed is the sale's receipt (it prints the sale's journal number).
    """
    document = step_document(till, scene)
    transaction = scene.journal(till).transaction(scene.last_sale.trans_id)
    assert prints_number_of(document, transaction.trans_id), f"it is not the receipt of the sale:\n{document.text}"
    assert document.contains(mark), f"the paper receipt is not marked {mark!r}:\n{document.text}"
