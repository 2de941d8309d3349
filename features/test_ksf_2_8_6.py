"""kassasystemforskrifta § 2-8-6 (marking of receipts that are not sales receipts): the legal checks.

«KOPI» is the verified word; the size of the marking and the wording of the provisional and
training markings are inferred (clauses ksf_2_8_6_font, ksf_2_8_6_provisional,
ksf_2_8_6_training), so the steps accept the candidate wordings of the requirements
catalogue (:data:`features.steps.receipts.NOT_FOR_PURCHASE`).
"""

from __future__ import annotations

import re

from pytest_bdd import parsers, scenarios, then

from features.steps.operate import Scene
from features.steps.receipts import *  # noqa: F403  (the shared receipt steps)
from features.steps.receipts import basket, basket_total, nok, says, step_document
from harness.documents import MARKINGS, NOT_FOR_PURCHASE
from harness.observe import printed
from harness.profile import Profile
from harness.targets import TillDriver

scenarios("ksf_2_8_6.feature")

#: What a document may call itself, by the name the scenarios use (wording not verified):
#: the markings of :data:`harness.documents.MARKINGS`.
DOCUMENT_NAMES: dict[str, re.Pattern[str]] = {
    "Foreløpig kvittering": MARKINGS["provisional"],
    "Treningskvittering": MARKINGS["training"],
}


@then(parsers.parse('the document the step printed is marked "{mark}"'))
def document_marked(till: TillDriver, scene: Scene, mark: str) -> None:
    """§ 2-8-6: the one document the step printed carries ``mark``."""
    documents = printed(till.evidence, scene.register, scene.step_start)
    assert len(documents) == 1, f"the step printed {len(documents)} documents"
    assert documents[0].contains(mark), f"no {mark!r} on the document:\n{documents[0].text}"


@then(parsers.parse('the document the step printed names itself "{name}"'))
def document_names_itself(till: TillDriver, scene: Scene, name: str) -> None:
    """§ 2-8-6: the document says what it is (a foreløpig kvittering, a treningskvittering)."""
    assert name in DOCUMENT_NAMES, f"unknown document {name!r}; known: {', '.join(DOCUMENT_NAMES)}"
    document = step_document(till, scene)
    assert says(document, DOCUMENT_NAMES[name]), f"the document does not call itself {name!r}:\n{document.text}"


@then("the document the step printed says nothing about not being a receipt for purchase")
def not_marked(till: TillDriver, scene: Scene) -> None:
    """§ 2-8-6: the marking belongs to the provisional or training receipt only, not to the real sale's receipt."""
    document = step_document(till, scene)
    assert not says(document, NOT_FOR_PURCHASE), f"the sale's receipt is marked as no receipt:\n{document.text}"


@then(parsers.parse("the journal records {count:d} provisional receipt of {items}"))
def provisional_journaled(till: TillDriver, scene: Scene, profile: Profile, count: int, items: str) -> None:
    """§ 2-8-6 and § 2-8-2 bokstav o: the provisional receipt is journaled (13015) and counted."""
    export = scene.journal(till)
    events = export.events_of(scene.register, "13015")
    assert len(events) == count, f"{len(events)} provisional-receipt events (13015) in the journal, not {count}"
    reports = export.reports(scene.register, "X")
    assert reports, "the journal export holds no X report of the kassapunkt"
    figures = reports[-1].figures
    # kassasystemforskrifta § 2-8-2 bokstav o: number and amount of provisional receipts
    assert figures.get("reportReceiptProformaNum") == count, (
        f"bokstav o counts {figures.get('reportReceiptProformaNum')} provisional receipts, not {count}"
    )
    amount = basket_total(profile, basket(items)) * count
    got = figures.get("reportReceiptProformaAmnt")
    assert got == amount, f"bokstav o's amount is {got} øre, the provisional receipts {nok(amount)}"


@then("the journal marks the sale as a training transaction")
def journal_training(till: TillDriver, scene: Scene) -> None:
    """§ 2-8-6 (FOR-2016-07-06-901): the training sale is flagged (SAF-T ``trainingID``), never a real sale."""
    transaction = scene.journal(till).transaction(scene.last_sale.trans_id)
    assert transaction.training, f"the journal's {transaction.trans_id} has trainingID false"
