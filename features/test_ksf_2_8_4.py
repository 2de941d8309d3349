"""kassasystemforskrifta § 2-8-4 (sales receipt) and § 2-8-5 (return receipt): the legal checks.

The Then steps judge the printed receipt against the profile (shop, articles, prices, VAT
rates), the journal export and the payment terminal's own answers; the shared receipt
reading is :mod:`features.steps.receipts`.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree
from pytest_bdd import parsers, scenarios, then

from features.steps.operate import Scene
from features.steps.receipts import *  # noqa: F403  (the shared receipt steps)
from features.steps.receipts import (
    basket,
    basket_total,
    nok,
    scenario_sales_receipt,
    since_previous_document,
    step_document,
    terminal_answers,
    vat_per_rate,
)
from harness.profile import Profile
from harness.saft_spec import NAMESPACE
from harness.targets import TillDriver

scenarios("ksf_2_8_4.feature")

#: Words that name a means of payment on a receipt, by the scenarios' name for it.
MEANS_WORDS: dict[str, tuple[str, ...]] = {
    "cash": ("kontant", "cash"),
    "card": ("kort", "card", "bankaxept", "visa", "mastercard"),
}


# --------------------------------------------------------------------------- § 2-8-4 name


@then(parsers.parse('the heading of the scenario\'s salskvittering also names "{name}"'))
def heading_also_names(till: TillDriver, scene: Scene, name: str) -> None:
    """§ 2-8-4 (Skatteetaten): sale and return on one receipt are headed «Salgskvittering/Returkvittering».

    The two names may stand on one line or on the first two text lines.
    """
    receipt = scenario_sales_receipt(till, scene)
    first_two = [text for text, _w, _h in receipt.lines if text.strip()][:2]
    assert name.casefold() in " ".join(first_two).casefold(), (
        f"the heading {first_two!r} does not name {name!r}:\n{receipt.text}"
    )


@then(parsers.parse("the X report counts {receipts:d} salskvittering and {returns:d} return of {items}"))
def x_report_counts(till: TillDriver, scene: Scene, profile: Profile, receipts: int, returns: int, items: str) -> None:
    """§ 2-8-4 (Skatteetaten): one receipt for sale and return only if they are counted apart (bokstav l and p).

    Read from the X report's ``eventReport`` in the journal export.
    """
    export = scene.journal(till)
    reports = export.reports(scene.register, "X")
    assert reports, "the journal export holds no X report of the kassapunkt"
    figures = reports[-1].figures
    amount = abs(basket_total(profile, basket(items)))
    # kassasystemforskrifta § 2-8-2 bokstav l (sales receipts) and p (returns)
    assert figures.get("reportReceiptNum") == receipts, f"bokstav l counts {figures.get('reportReceiptNum')}"
    assert figures.get("reportReturnNum") == returns, f"bokstav p counts {figures.get('reportReturnNum')} returns"
    got = figures.get("reportReturnAmnt")
    assert got is not None and abs(got) == amount, f"bokstav p's amount is {got} øre, the return {nok(amount)}"


# --------------------------------------------------------------------------- § 2-8-4 content


@then(parsers.parse('the receipt shows the shop\'s name and organisation number followed by "{mva}"'))
def seller(till: TillDriver, scene: Scene, profile: Profile, mva: str) -> None:
    """§ 2-8-4 (bokføringsforskrifta § 5-1-1): the seller's name and org.nr, followed by «MVA».

    The test articles carry VAT, so the seller is VAT-registered and «MVA» must follow the number.
    """
    receipt = step_document(till, scene)
    assert receipt.contains(profile.shop_name), f"no seller {profile.shop_name!r} on the receipt:\n{receipt.text}"
    orgnr_lines = [text for text, _w, _h in receipt.lines if profile.shop_orgnr in re.sub(r"[\s.]", "", text)]
    assert orgnr_lines, f"no organisation number {profile.shop_orgnr} on the receipt:\n{receipt.text}"
    assert any(re.search(rf"{profile.shop_orgnr[-3:]}\s*{mva}\b", t) for t in orgnr_lines), (
        f"the organisation number is not followed by {mva!r}: {orgnr_lines}"
    )


@then(parsers.parse("the receipt shows the VAT per rate of {items}"))
def vat_per_rate_shown(till: TillDriver, scene: Scene, profile: Profile, items: str) -> None:
    """§ 2-8-4 (inferred): the VAT of each rate, on a line naming the rate."""
    receipt = step_document(till, scene)
    for rate, amounts in vat_per_rate(profile, basket(items)).items():
        rate_text = re.compile(rf"(?<![\d,]){rate}(?:,0+)?\s?%")
        candidates = [text for text, _w, _h in receipt.lines if rate_text.search(text)]
        shown = [t for t in candidates if any(re.search(rf"(?<![\d,]){re.escape(nok(a))}(?!\d)", t) for a in amounts)]
        assert shown, (
            f"no VAT of {' or '.join(nok(a) for a in sorted(amounts))} at {rate} % on the receipt:\n{receipt.text}"
        )


@then(parsers.parse('the receipt names the kassapunkt, the operator and the means of payment "{means}"'))
def register_operator_means(till: TillDriver, scene: Scene, means: str) -> None:
    """§ 2-8-4 (inferred): kassapunkt (or address), operator and means of payment."""
    receipt = step_document(till, scene)
    text = receipt.text.casefold()
    assert re.search(rf"(?<!\w){re.escape(scene.register.casefold())}(?!\w)", text), (
        f"no kassapunkt {scene.register} on the receipt:\n{receipt.text}"
    )
    operator = scene.operator_id("1001")
    assert re.search(rf"(?<!\d){re.escape(operator)}(?!\d)", text), f"no operator {operator}:\n{receipt.text}"
    assert means in MEANS_WORDS, f"unknown means {means!r}; known: {', '.join(MEANS_WORDS)}"
    assert any(w in text for w in MEANS_WORDS[means]), f"the receipt does not name the {means} payment:\n{receipt.text}"


# --------------------------------------------------------------------------- § 2-8-4 terminal


@then("the receipt carries the transaction ID the payment terminal issued")
def receipt_carries_terminal_id(till: TillDriver, scene: Scene) -> None:
    """§ 2-8-4: with an integrated terminal the receipt carries the terminal's transaction ID.

    The ID is the one the harness's terminal answered for this sale's approved payment; the
    ID of an attempt the terminal declined must not stand on the receipt as if it had paid.
    """
    receipt = step_document(till, scene)
    answers = terminal_answers(till, scene, since_previous_document(till, scene))
    approved = [a for a in answers if a.approved]
    assert approved, "the payment terminal approved no payment for this sale"
    for answer in approved:
        assert receipt.contains(answer.reference), (
            f"the terminal's transaction ID {answer.reference} is not on the receipt:\n{receipt.text}"
        )
    for answer in answers:
        if not answer.approved:
            assert not receipt.contains(answer.reference), (
                f"the declined attempt {answer.reference} stands on the receipt:\n{receipt.text}"
            )


def _payment_references(export_path: Path, trans_id: str) -> list[str]:
    """The ``paymentRefID`` of each payment of the ``cashtransaction`` with ``trans_id``."""
    ns = f"{{{NAMESPACE}}}"
    with open(export_path, "rb") as stream:
        for _event, element in etree.iterparse(stream, tag=f"{ns}cashtransaction", no_network=True):
            if (element.findtext(f"{ns}transID") or "").strip() == trans_id:
                return [(p.findtext(f"{ns}paymentRefID") or "").strip() for p in element.iterfind(f"{ns}payment")]
            element.clear()
    raise AssertionError(f"no cashtransaction {trans_id} in the journal export")


@then("the journal's payment of the sale holds the transaction ID the payment terminal issued")
def journal_payment_reference(till: TillDriver, scene: Scene) -> None:
    """§ 2-8-4 (SAF-T ``payment/paymentRefID``): the journal keeps the terminal's transaction ID."""
    approved = [a for a in terminal_answers(till, scene) if a.approved]
    assert len(approved) == 1, f"the terminal approved {len(approved)} payments in the scenario, not one"
    export = scene.journal(till)
    references = _payment_references(export.path, scene.last_sale.trans_id)
    assert approved[0].reference in references, (
        f"the sale's payments hold paymentRefID {references}, not the terminal's {approved[0].reference}"
    )
