"""kassasystemforskrifta § 2-8-7 (delivery receipt) and § 2-8-8 (payment terminal receipts): the legal checks.

§ 2-8-8 binds the receipt of a payment terminal that is *not* integrated with the system.
The reference target drives an integrated terminal only, so what the scenarios observe is
the integrated case: nothing printed for a card payment, on the till's printer or on the
terminal's own, passes for a receipt of purchase unless it is the sales or return receipt
or carries the marking. A stand-alone terminal's own printout (evidence
``terminal.printout``) is judged by the same step wherever a target produces one.
"""

from __future__ import annotations

from pytest_bdd import parsers, scenarios, then

from features.steps.operate import Scene
from features.steps.receipts import *  # noqa: F403  (the shared receipt steps)
from features.steps.receipts import (
    amount_pattern,
    assert_larger_than_amounts,
    documents_of,
    scenario_documents,
    terminal_answers,
    terminal_printouts,
    terminal_requested_amounts,
    word,
)
from harness.observe import Printed
from harness.targets import TillDriver

scenarios("ksf_2_8_7.feature")


# --------------------------------------------------------------------------- § 2-8-7


@then("the journal counts the sale as delivered on a delivery receipt")
def journal_delivery_count(till: TillDriver, scene: Scene) -> None:
    """§ 2-8-7 (and § 2-8-2 bokstav v): the credit sale is journaled with its delivery receipt."""
    transaction = scene.journal(till).transaction(scene.last_sale.trans_id)
    assert transaction.delivery_num == 1, (
        f"the journal's {transaction.trans_id} has receiptDeliveryNum {transaction.delivery_num}, not 1"
    )


# --------------------------------------------------------------------------- § 2-8-8


def _is_payment_slip(document: Printed, references: list[str], amounts: list[int]) -> bool:
    """The document shows a terminal transaction ID or an amount the terminal was asked for."""
    if any(ref and document.contains(ref) for ref in references):
        return True
    return any(amount_pattern(sign * a).search(document.text) for a in amounts for sign in (1, -1))


def _sales_receipts(till: TillDriver, scene: Scene, documents: list[Printed]) -> list[Printed]:
    """Each concluded sale's own receipt (§ 2-8-4, § 2-8-5): the first receipt printing its journal number."""
    if not scene.sales:
        return []
    export = scene.journal(till)
    found = []
    for sale in scene.sales:
        mine = documents_of(documents, export.transaction(sale.trans_id).trans_id)
        found.extend(mine[:1])
    return found


@then(
    parsers.parse(
        'every slip of the card payment other than the sales or return receipt is marked "{mark}" '
        "at least 50 % larger than the amount"
    )
)
def terminal_slips_marked(till: TillDriver, scene: Scene, mark: str) -> None:
    """§ 2-8-8: a terminal receipt is marked «IKKJE KVITTERING FOR KJØP», 50 % larger than the amount.

    Judged on every document of the scenario that shows the terminal's transaction ID or the
    amount the till asked the terminal for, except each sale's own receipt (the salskvittering
    or returkvittering that prints the sale's journal number, § 2-8-4, § 2-8-5), and on every
    receipt the terminal printed on its own printer.
    """
    requested = terminal_requested_amounts(till, scene)
    assert requested, "the till asked the payment terminal for no payment in the scenario"
    references = [a.reference for a in terminal_answers(till, scene)]
    documents = scenario_documents(till, scene)
    receipts = _sales_receipts(till, scene, documents)
    slips = [d for d in documents if d not in receipts and _is_payment_slip(d, references, requested)]
    slips += terminal_printouts(till, scene)
    for slip in slips:
        # kassasystemforskrifta § 2-8-8: the marking, and its font at least 50 % larger than the amount
        assert_larger_than_amounts(slip, word(mark), f"marking «{mark}»")
