"""Receipts as the Then steps of the receipt paragraphs read them, and the Then steps they share.

Used by the scenarios of kassasystemforskrifta § 2-8-4 to § 2-8-8, bokføringsforskrifta
kapittel 5 and kassasystemlova § 3 (``features/test_ksf_2_8_4.py`` …). Everything here
reads evidence only: the documents the harness's printer cut off (:func:`harness.observe.printed`),
what the harness's payment terminal answered, and the journal export through the verifier.
Expected values come from the scenario and the capability profile (article prices and VAT
rates, the shop's name and organisation number), never from what the till says.

How a receipt is read (a deliberately naive model, so that a vendor's layout passes if a
customer could read the same facts off it):

* the receipt's *name* is its first printed text line (a logo above it is an image, not text),
  read by :mod:`harness.documents` («Salskvittering» or «Salgskvittering», any letter case);
* an *amount* is written with a decimal comma (``21,90``, ``1 234,50``, ``-39,90``);
* the *receipt number* is the number after a label such as «Kvitteringsnr.», «Kvittering nr»
  or «Bong nr» (letters in front of the digits, like ``S000042``, are a series prefix);
* a *marking* may be wrapped over several lines (a double-width line holds half as many
  characters), so markings are searched in the document's lines joined by spaces.

Import the module's steps into a test module with ``from features.steps.receipts import *``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pytest_bdd import parsers, then

from devices.escpos import decode_bytes
from features.steps.operate import Scene
from harness.documents import (
    JOURNAL_NUMBER,
    NOT_FOR_PURCHASE,
    is_copy,
    is_headed,
    prints_number_of,
    receipt_number,
)
from harness.observe import Printed, printed
from harness.profile import Profile
from harness.targets import TillDriver

# --------------------------------------------------------------------------- names

#: Plural forms the scenarios use -> the receipt name.
_PLURALS: dict[str, str] = {
    "salskvitteringar": "Salskvittering",
    "returkvitteringar": "Returkvittering",
    "utleveringskvitteringar": "Utleveringskvittering",
}


def is_sales_receipt(document: Printed) -> bool:
    """A salskvittering: headed «Salskvittering» and not marked «KOPI» (that is its copy)."""
    # kassasystemforskrifta § 2-8-4 (name at the top), § 2-8-6 (a copy is marked «KOPI»)
    return is_headed(document, "Salskvittering") and not is_copy(document)


def is_receipt_for_purchase(document: Printed) -> bool:
    """A receipt the customer may take as proof of purchase: not a copy, not marked as no receipt.

    Deliberately blind to the receipt's name, so that the steps about *whether* a sale got its
    receipt (bokføringsforskrifta § 5-3-5, § 5-3-12) do not also judge its heading (§ 2-8-4).
    """
    return not is_copy(document) and not says(document, NOT_FOR_PURCHASE)


def documents_of(documents: Iterable[Printed], trans_id: str) -> list[Printed]:
    """The documents (copies left out) that print the receipt number of the journal's ``trans_id``."""
    return [d for d in documents if not is_copy(d) and prints_number_of(d, trans_id)]


def receipt_of(documents: Iterable[Printed], trans_id: str) -> list[Printed]:
    """The receipts for purchase among ``documents`` that print the receipt number of ``trans_id``."""
    return [d for d in documents_of(documents, trans_id) if is_receipt_for_purchase(d)]


def headings(documents: Iterable[Printed]) -> str:
    """The documents' first lines, for assertion messages."""
    return ", ".join(repr(d.first_text_line()) for d in documents) or "nothing"


# --------------------------------------------------------------------------- documents


def is_terminal_slip(document: Printed, references: Iterable[str]) -> bool:
    """A payment terminal's slip printed by the till: it shows a terminal transaction ID and no receipt number.

    Such slips are judged by § 2-8-8 (``features/test_ksf_2_8_7.py``), not as the step's receipt.
    """
    return receipt_number(document) is None and any(ref and document.contains(ref) for ref in references)


def step_documents(till: TillDriver, scene: Scene) -> list[Printed]:
    """What the kassapunkt's printer cut off since the last When step began, terminal slips left out."""
    references = [answer.reference for answer in terminal_answers(till, scene)]
    return [d for d in printed(till.evidence, scene.register, scene.step_start) if not is_terminal_slip(d, references)]


def scenario_documents(till: TillDriver, scene: Scene) -> list[Printed]:
    """What the kassapunkt's printer cut off since the scenario began."""
    return printed(till.evidence, scene.register, scene.start)


def step_document(till: TillDriver, scene: Scene) -> Printed:
    """The one document the last When step printed (fails if it printed none or several)."""
    documents = step_documents(till, scene)
    assert len(documents) == 1, f"the step printed {len(documents)} documents ({headings(documents)}), not one"
    return documents[0]


def scenario_sales_receipt(till: TillDriver, scene: Scene) -> Printed:
    """The one salskvittering printed in the scenario."""
    receipts = [d for d in scenario_documents(till, scene) if is_sales_receipt(d)]
    assert len(receipts) == 1, f"{len(receipts)} salskvitteringar printed in the scenario, not one"
    return receipts[0]


def document_from_bytes(raw: bytes) -> list[Printed]:
    """Decode ESC/POS bytes printed elsewhere (a stand-alone terminal's printer) into documents."""
    found = []
    for receipt in decode_bytes(raw):
        lines = tuple((line.text, *line.size) for line in receipt.lines)
        found.append(Printed(text=receipt.to_text(), lines=lines, raw=receipt.raw, seq=0))
    return found


# --------------------------------------------------------------------------- amounts

_MONEY = re.compile(r"\d,\d{2}(?!\d)")


def amount_pattern(ore: int) -> re.Pattern[str]:
    """An amount as a receipt may write it: ``1 234,50``, ``1234,50``, ``1.234,50``; sign as given.

    A negative amount may carry its minus in front or right behind (``-39,90``, ``39,90-``); a
    positive amount must not be preceded by a minus.
    """
    whole, cents = divmod(abs(ore), 100)
    groups = f"{whole:,}".split(",")
    body = r"[ .\u00a0]?".join(groups) + f",{cents:02d}"
    if ore < 0:
        return re.compile(rf"(?<![\d,.])(?:[-\u2212] ?{body}(?!\d)|{body}[-\u2212](?![-\u2212\w]))")
    return re.compile(rf"(?<![\d,.\-\u2212]){body}(?!\d)")


def nok(ore: int) -> str:
    """Øre as a receipt writes kroner, for messages (``-1 234,50``)."""
    sign = "-" if ore < 0 else ""
    whole, cents = divmod(abs(ore), 100)
    return f"{sign}{whole:,}".replace(",", " ") + f",{cents:02d}"


def lines_with_amount(document: Printed, ore: int) -> list[tuple[str, int, int]]:
    """The document's lines that show the amount ``ore``."""
    pattern = amount_pattern(ore)
    return [line for line in document.lines if pattern.search(line[0])]


def amount_height(document: Printed) -> int:
    """The largest glyph height among the lines giving an amount (0 if none does)."""
    return max((h for text, _w, h in document.lines if _MONEY.search(text)), default=0)


# --------------------------------------------------------------------------- markings


def _joined(document: Printed) -> tuple[str, list[int]]:
    """The document's lines normalised and joined by spaces, with each character's line index."""
    text, owner = "", []
    for index, (line, _w, _h) in enumerate(document.lines):
        part = " ".join(line.replace("\u2013", " ").replace("\u2014", " ").replace(" - ", " ").split())
        if not part:
            continue
        if text:
            text += " "
            owner.append(index)
        text += part
        owner.extend([index] * len(part))
    return text, owner


def marking_heights(document: Printed, pattern: re.Pattern[str]) -> list[int]:
    """For each occurrence of ``pattern`` (across line breaks): the smallest glyph height printing it."""
    text, owner = _joined(document)
    heights = []
    for match in pattern.finditer(text):
        spanned = {owner[i] for i in range(match.start(), match.end())}
        heights.append(min(document.lines[i][2] for i in spanned))
    return heights


def says(document: Printed, pattern: re.Pattern[str]) -> bool:
    """The document carries ``pattern`` somewhere (across line breaks)."""
    return bool(pattern.search(_joined(document)[0]))


def word(text: str) -> re.Pattern[str]:
    """``text`` as a whole word or phrase, any letter case, line breaks free."""
    return re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in text.split()) + r"(?!\w)", re.IGNORECASE)


def assert_larger_than_amounts(document: Printed, pattern: re.Pattern[str], what: str) -> None:
    """The marking ``pattern`` is printed at least 50 % larger than every text giving an amount.

    The largest occurrence counts (a marking repeated in small print elsewhere does not undo
    a clear one); the glyph height of the marking's smallest line is compared with the tallest
    amount text.
    """
    heights = marking_heights(document, pattern)
    assert heights, f"no {what} on the document:\n{document.text}"
    amounts = amount_height(document)
    assert amounts, f"the document gives no amount to compare the {what} with:\n{document.text}"
    assert max(heights) * 2 >= amounts * 3, (
        f"the {what} is {max(heights)}× the base glyph height, the amounts {amounts}×: "
        f"it must be at least 50 % larger:\n{document.text}"
    )


# --------------------------------------------------------------------------- numbers


def journal_number(trans_id: str) -> int:
    """The running number of a journal ``transID`` (``K1-S000042`` -> 42)."""
    match = JOURNAL_NUMBER.search(trans_id)
    assert match, f"the journal's transID {trans_id!r} has no number"
    return int(match.group(2))


# --------------------------------------------------------------------------- baskets

_ITEM = re.compile(r'(a return of )?(\d+) × article "([^"]+)"')


@dataclass(frozen=True, slots=True)
class Item:
    """One line of a basket as a scenario writes it; ``quantity`` is negative for a return."""

    quantity: int
    art_id: str


def basket(text: str) -> list[Item]:
    """``2 × article "1001" and a return of 1 × article "1002"`` -> the items."""
    items = [Item(-int(q) if ret else int(q), art) for ret, q, art in _ITEM.findall(text)]
    assert items, f'{text!r} names no articles; write 2 × article "1001" and a return of 1 × article "1002"'
    return items


def line_amount(profile: Profile, item: Item) -> int:
    """What the line costs by the profile's price (negative for a return)."""
    return item.quantity * profile.article(item.art_id).price


def basket_total(profile: Profile, items: Iterable[Item]) -> int:
    """The basket's total incl. VAT by the profile's prices."""
    return sum(line_amount(profile, item) for item in items)


def _vat(gross: int, rate: str) -> int:
    """The VAT contained in ``gross`` øre at ``rate`` percent, rounded half away from zero."""
    value = Decimal(gross) * Decimal(rate) / (Decimal(100) + Decimal(rate))
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def vat_per_rate(profile: Profile, items: Iterable[Item]) -> dict[str, set[int]]:
    """VAT rate -> the VAT amounts a receipt may show (rounded per rate, or per line and added)."""
    lines: dict[str, list[int]] = {}
    for item in items:
        lines.setdefault(profile.article(item.art_id).vat_rate, []).append(line_amount(profile, item))
    return {rate: {_vat(sum(g), rate), sum(_vat(x, rate) for x in g)} for rate, g in lines.items()}


# --------------------------------------------------------------------------- terminal evidence


@dataclass(frozen=True, slots=True)
class TerminalAnswer:
    """A payment or refund as the harness's terminal answered it."""

    reference: str
    amount: int
    approved: bool


def terminal_answers(till: TillDriver, scene: Scene, since: int | None = None) -> list[TerminalAnswer]:
    """Payments and refunds the kassapunkt's terminal answered since ``since`` (the scenario's start)."""
    found = []
    cursor = scene.start if since is None else since
    for record in till.evidence.since(cursor, kind="terminal.response", source=f"{scene.register}/terminal"):
        data = record.data
        if data.get("category") == "Payment" and data.get("poi_transaction_id"):
            found.append(
                TerminalAnswer(
                    str(data["poi_transaction_id"]),
                    int(data.get("authorized_amount_ore") or 0),
                    data.get("result") in ("Success", "Partial"),
                )
            )
    return found


def since_previous_document(till: TillDriver, scene: Scene) -> int:
    """Evidence cursor just after the last document printed before the current step (or the scenario's start).

    What the terminal answered after it belongs to the sale the step concludes.
    """
    before = [d.seq for d in scenario_documents(till, scene) if d.seq <= scene.step_start]
    return max(before, default=scene.start)


def terminal_requested_amounts(till: TillDriver, scene: Scene) -> list[int]:
    """The amounts the till asked the kassapunkt's terminal for (approved or not) in the scenario."""
    records = till.evidence.since(scene.start, kind="terminal.request", source=f"{scene.register}/terminal")
    return [int(r.data["requested_amount_ore"]) for r in records if r.data.get("category") == "Payment"]


def terminal_printouts(till: TillDriver, scene: Scene) -> list[Printed]:
    """What the kassapunkt's terminal printed on its own printer (a stand-alone terminal) in the scenario."""
    records = till.evidence.since(scene.start, kind="terminal.printout", source=f"{scene.register}/terminal")
    return [document for record in records for document in document_from_bytes(record.raw)]


# --------------------------------------------------------------------------- shared Then steps


@then(parsers.parse('the step printed one document, headed "{name}"'))
def one_document_headed(till: TillDriver, scene: Scene, name: str) -> None:
    """§ 2-8-4, § 2-8-5, § 2-8-7: the receipt's name stands at the top of the one document printed."""
    document = step_document(till, scene)
    # kassasystemforskrifta § 2-8-4: the receipt's name is the first text (a logo may stand above it)
    assert is_headed(document, name), (
        f"the document is headed {document.first_text_line()!r}, not «{name}»:\n{document.text}"
    )


@then("the step printed one receipt for the sale")
def step_printed_one_receipt(till: TillDriver, scene: Scene) -> None:
    """Bokføringsforskrifta § 5-3-5 første ledd: the concluded sale has its receipt (and only one).

    Counted are documents that are neither a copy nor marked as no receipt for purchase; their
    name is § 2-8-4's business (:func:`one_document_headed`).
    """
    documents = step_documents(till, scene)
    receipts = [d for d in documents if is_receipt_for_purchase(d)]
    assert len(receipts) == 1, f"{len(receipts)} receipts printed by the step; it printed {headings(documents)}"


@then("the step printed no receipt")
def step_printed_no_receipt(till: TillDriver, scene: Scene) -> None:
    """Nothing the step printed could pass for a receipt of purchase (a copy or a marked document may)."""
    receipts = [d for d in step_documents(till, scene) if is_receipt_for_purchase(d)]
    assert not receipts, f"the step printed a receipt:\n{receipts[0].text}"


@then("the step printed no salskvittering")
def step_printed_no_sales_receipt(till: TillDriver, scene: Scene) -> None:
    """Nothing the step printed claims to be a salskvittering."""
    receipts = [d for d in step_documents(till, scene) if is_headed(d, "Salskvittering")]
    assert not receipts, f"the step printed a salskvittering:\n{receipts[0].text}"


@then(parsers.parse("the receipt lists {items}"))
def receipt_lists(till: TillDriver, scene: Scene, profile: Profile, items: str) -> None:
    """§ 2-8-4 (bokføringsforskrifta § 5-1-1): each article's description, quantity and line amount.

    A return line's amount is negative (§ 2-8-5).
    """
    document = step_document(till, scene)
    for item in basket(items):
        article = profile.article(item.art_id)
        where = [i for i, (text, _w, _h) in enumerate(document.lines) if article.description in text]
        assert where, f"the article {article.description!r} is not on the receipt:\n{document.text}"
        amount = amount_pattern(line_amount(profile, item))
        quantity = re.compile(rf"(?<![\d,.]){'-?' if item.quantity < 0 else ''}{abs(item.quantity)}(?![\d,])")
        # the description, then its quantity and amount on the same line or the two below it
        window = ["\n".join(t for t, _w, _h in document.lines[i : i + 3]) for i in where]
        assert any(amount.search(w) and quantity.search(w.replace(article.description, "")) for w in window), (
            f"{article.description!r}: no quantity {item.quantity} with the amount "
            f"{nok(line_amount(profile, item))} next to it:\n{document.text}"
        )


@then(parsers.parse("the receipt shows the total of {items}"))
def receipt_total(till: TillDriver, scene: Scene, profile: Profile, items: str) -> None:
    """§ 2-8-4: the total incl. VAT of the articles, at the profile's prices."""
    document = step_document(till, scene)
    total = basket_total(profile, basket(items))
    labelled = [
        text
        for text, _w, _h in lines_with_amount(document, total)
        if re.search(r"total|sum|å betale|å tilbakebetale|beløp", text, re.IGNORECASE)
    ]
    assert labelled, f"no total of {nok(total)} on the receipt:\n{document.text}"


@then("the receipt's number, date and time are those of the sale in the journal")
def number_date_time(till: TillDriver, scene: Scene) -> None:
    """§ 2-8-4 (bokføringsforskrifta § 5-1-1): the receipt number and the moment of the sale.

    Compared with the journal export (transID, transDate, transTime), not with the till's answer.
    """
    document = step_document(till, scene)
    transaction = scene.journal(till).transaction(scene.last_sale.trans_id)
    assert prints_number_of(document, transaction.trans_id), (
        f"the receipt's number is not the journal's {transaction.trans_id}:\n{document.text}"
    )
    year, month, day = transaction.date.split("-")
    dates = (f"{day}.{month}.{year}", f"{day}.{month}.{year[2:]}", transaction.date, f"{day}/{month}/{year}")
    assert any(document.contains(d) for d in dates), f"no date {transaction.date} on the receipt:\n{document.text}"
    hours, minutes = transaction.time.split(":")[:2]
    assert document.contains(f"{hours}:{minutes}") or document.contains(f"{hours}.{minutes}"), (
        f"no time {transaction.time} on the receipt:\n{document.text}"
    )


@then(parsers.parse("the {plural} of the scenario are numbered consecutively"))
def numbered_consecutively(till: TillDriver, scene: Scene, plural: str) -> None:
    """§ 2-8-4 (inferred), § 2-8-7 (Skatteetaten): a gapless number series per receipt type.

    The scenario's sales are sorted by type from the journal (a credit sale has
    ``receiptDeliveryNum`` 1); each sale's printed receipt carries the journal's number, and the
    numbers of one type follow each other without a gap.
    """
    assert plural in _PLURALS, f"unknown receipts {plural!r}; known: {', '.join(_PLURALS)}"
    delivery = _PLURALS[plural] == "Utleveringskvittering"
    export = scene.journal(till)
    documents = scenario_documents(till, scene)
    numbers = []
    for sale in scene.sales:
        transaction = export.transaction(sale.trans_id)
        if (transaction.delivery_num == 1) != delivery or transaction.training:
            continue
        assert documents_of(documents, transaction.trans_id), (
            f"no receipt printed with the number of {transaction.trans_id}; printed numbers: "
            f"{[receipt_number(d) for d in documents]}"
        )
        numbers.append(journal_number(transaction.trans_id))
    assert len(numbers) >= 2, f"{len(numbers)} {plural} in the scenario; it needs at least two"
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), (
        f"the {plural} are numbered {numbers}: not one gapless series"
    )


@then("every sale of the scenario has its own receipt")
def every_sale_has_receipt(till: TillDriver, scene: Scene) -> None:
    """Bokføringsforskrifta § 5-3-5 første ledd, § 5-3-12 første ledd: one receipt per sale.

    Each sale the journal holds is matched by its number to exactly one printed receipt, and
    no receipt is printed beyond them.
    """
    assert scene.sales, "the scenario concluded no sale"
    export = scene.journal(till)
    documents = scenario_documents(till, scene)
    receipts = [d for d in documents if is_receipt_for_purchase(d)]
    for sale in scene.sales:
        mine = receipt_of(receipts, export.transaction(sale.trans_id).trans_id)
        assert len(mine) == 1, (
            f"the sale {sale.trans_id} has {len(mine)} receipts with its number; "
            f"printed: {headings(receipts)} numbered {[receipt_number(d) for d in receipts]}"
        )
    assert len(receipts) == len(scene.sales), f"{len(receipts)} receipts for {len(scene.sales)} sales"


@then("the document the step printed is marked as not a receipt for purchase")
def marked_not_for_purchase(till: TillDriver, scene: Scene) -> None:
    """§ 2-8-6 / § 2-8-7: the document says that it is not a receipt for purchase.

    The wording is not verified; the catalogue's candidates (:data:`NOT_FOR_PURCHASE`) are accepted.
    """
    document = step_document(till, scene)
    assert says(document, NOT_FOR_PURCHASE), f"nothing says it is not a receipt for purchase:\n{document.text}"


@then("the document the step printed is not headed as a salskvittering")
def not_headed_as_sales_receipt(till: TillDriver, scene: Scene) -> None:
    """§ 2-8-6: a document that is no sales receipt must not carry the salskvittering's name at the top."""
    document = step_document(till, scene)
    assert not is_headed(document, "Salskvittering"), f"it is headed as a salskvittering:\n{document.text}"


@then(parsers.parse('the marking "{mark}" is printed at least 50 % larger than the amounts'))
def named_marking_larger(till: TillDriver, scene: Scene, mark: str) -> None:
    """§ 2-8-6 (font, inferred from § 2-8-8): the marking's font is at least 50 % larger than the amounts."""
    assert_larger_than_amounts(step_document(till, scene), word(mark), f"marking «{mark}»")


@then("the not-for-purchase marking is printed at least 50 % larger than the amounts")
def purchase_marking_larger(till: TillDriver, scene: Scene) -> None:
    """§ 2-8-6 (font, inferred from § 2-8-8): the not-for-purchase marking is at least 50 % larger."""
    assert_larger_than_amounts(step_document(till, scene), NOT_FOR_PURCHASE, "not-for-purchase marking")


#: Receipt events of the SAF-T code list (PredefinedBasicID 13) by what the scenarios call them.
RECEIPT_EVENTS: dict[str, str] = {
    "sales receipt": "13012",
    "return receipt": "13013",
    "copy receipt": "13014",
    "provisional receipt": "13015",
    "delivery receipt": "13016",
    "training receipt": "13017",
}


@then(parsers.parse("the journal records a {kind} for the sale"))
def journal_records_receipt(till: TillDriver, scene: Scene, kind: str) -> None:
    """The receipt printed for the sale is journaled under its event code (SAF-T code list 13)."""
    assert kind in RECEIPT_EVENTS, f"unknown receipt {kind!r}; known: {', '.join(RECEIPT_EVENTS)}"
    export = scene.journal(till)
    trans_id = scene.last_sale.trans_id
    events = [e for e in export.events_of(scene.register, RECEIPT_EVENTS[kind]) if e.trans_id == trans_id]
    assert len(events) == 1, (
        f"{len(events)} events {RECEIPT_EVENTS[kind]} ({kind}) for {trans_id} in the journal; "
        f"its events: {[(e.event_type, e.trans_id) for e in export.events_of(scene.register)]}"
    )
