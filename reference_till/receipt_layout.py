"""Printed documents of the reference till, rendered to ESC/POS bytes with python-escpos.

Three renderers produce the bytes a receipt printer receives, each a complete
document from ``ESC @`` to the paper cut (``GS V``), so cuts delimit documents (the
report renderers live in :mod:`reference_till.report_layout` and are re-exported here;
the column layout is :mod:`reference_till.layout_lines`):

* :func:`render_receipt` -- sales, return, mixed, delivery, training, provisional and
  void receipts (kassasystemforskrifta § 2-8-4 … § 2-8-7), optionally as a copy;
* :func:`render_report` -- the X or Z report with every § 2-8-2 figure under its letter;
* :func:`render_settlement` -- the daily settlement (bokføringsforskrifta § 5-3-14).

Layout decisions (what a verifier can rely on):

* Text is PC865 (``ESC t 5`` right after ``ESC @``), see :mod:`reference_till.escpos_sink`.
* Every text giving an amount is printed at normal size, ``GS ! 0x00`` (Font A, 24 dots).
* The document name is the first printed text, double height (``GS ! 0x01``).
* Markings («KOPI», the provisional/training/delivery/void texts) are printed at double
  width and double height (``GS ! 0x11``), i.e. twice the amount text's height
  (§ 2-8-8's "minst 50 % større", applied to the § 2-8-6/§ 2-8-7 markings as well).
  A marking with a word too long for half the width is printed at double height only
  (``GS ! 0x01``), which still doubles the glyph height.
* A marked document (copy, delivery, training, provisional, void) shows its marking at
  the top and once more as the last text before the cut, so a torn-off bottom part still
  carries it. For delivery, training, provisional and void documents the marking is the
  heading itself; it starts with the document's name (or «ANNULLERT»).
* Lines never exceed ``width`` columns (counting double-width characters twice); long
  texts wrap. ``width`` is 48 for Font A on 80 mm paper, 32 on 58 mm paper.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from reference_till.config import TillConfig
from reference_till.faults import Fault
from reference_till.layout_lines import MIN_WIDTH, Layout, clean_text, format_orgnr, percent, stamp
from reference_till.markings import marking
from reference_till.model import CashTransaction, Line, Payment, TransactionKind, VatTotal
from reference_till.money import format_nok, format_quantity
from reference_till.report_layout import STANDARD_DENOMINATIONS, render_report, render_settlement

__all__ = [
    "MIN_WIDTH",
    "STANDARD_DENOMINATIONS",
    "DocumentKind",
    "ReceiptDocument",
    "document_for",
    "render_receipt",
    "render_report",
    "render_settlement",
]


class DocumentKind(enum.StrEnum):
    """Which receipt a :class:`ReceiptDocument` is; decides its name and marking."""

    SALES = "sales"  #: salgskvittering (§ 2-8-4)
    RETURN = "return"  #: returkvittering (§ 2-8-5)
    SALE_RETURN = "sale_return"  #: sale and return on one receipt (FAQ to § 2-8-4)
    DELIVERY = "delivery"  #: utleveringskvittering for a credit sale (§ 2-8-7)
    TRAINING = "training"  #: training receipt (§ 2-8-6, FOR-2016-07-06-901)
    PROVISIONAL = "provisional"  #: foreløpig kvittering (§ 2-8-6)
    VOID = "void"  #: printout of a cancelled sale (§ 2-8-2 bokstav r)


# Documents whose heading is the plain name (marking key of the title).
_TITLE_KEYS: dict[DocumentKind, str] = {
    DocumentKind.SALES: "title_sales",
    DocumentKind.RETURN: "title_return",
    DocumentKind.SALE_RETURN: "title_sale_return",
}
# Documents that are not a receipt for purchase: the marking is the heading.
_MARKING_KEYS: dict[DocumentKind, str] = {
    DocumentKind.DELIVERY: "delivery",
    DocumentKind.TRAINING: "training",
    DocumentKind.PROVISIONAL: "provisional",
    DocumentKind.VOID: "void",
}
_KIND_OF_TRANSACTION: dict[TransactionKind, DocumentKind] = {
    TransactionKind.SALE: DocumentKind.SALES,
    TransactionKind.RETURN: DocumentKind.RETURN,
    TransactionKind.SALE_RETURN: DocumentKind.SALE_RETURN,
    TransactionKind.CREDIT_SALE: DocumentKind.DELIVERY,
    TransactionKind.TRAINING: DocumentKind.TRAINING,
    TransactionKind.VOID: DocumentKind.VOID,
}


@dataclass(frozen=True, slots=True)
class ReceiptDocument:
    """Everything printed on one receipt, independent of the journal record.

    Attributes:
        kind: Which receipt this is.
        register_id: The kassapunkt (``K1``).
        number: Printed document number, series letter and six digits (``S000042``).
        at: Date and time of the document.
        operator: Operator as printed, ``"Kari Nordmann (1001)"``.
        lines: The concluded lines.
        vat_totals: VAT per rate.
        total: Øre incl. VAT (negative for a pure return).
        rounding: Cash rounding (øreavrunding), øre.
        payments: The tenders.
        buyer_name: Buyer's name (bokføringsforskrifta § 5-1-2, from NOK 40 000 cash).
        customer_id: Customer account of a credit sale.
        original_number: VOID: the cancelled sale's number; RETURN: the original sale.
        amount_unknown: DELIVERY whose sales value is unknown: print 0 and a note.
    """

    kind: DocumentKind
    register_id: str
    number: str
    at: datetime
    operator: str
    lines: tuple[Line, ...]
    vat_totals: tuple[VatTotal, ...]
    total: int
    rounding: int = 0
    payments: tuple[Payment, ...] = ()
    buyer_name: str = ""
    customer_id: str = ""
    original_number: str = ""
    amount_unknown: bool = False


def document_for(tx: CashTransaction, config: TillConfig) -> ReceiptDocument:
    """Build the printed document of a journal transaction.

    Args:
        tx: A sale, return, sale-and-return, credit sale, training sale or void.
        config: The till configuration (operator names).

    Returns:
        The document; a credit sale with amount 0 and at least one line is treated as a
        delivery whose sales value is unknown (§ 2-8-7).

    Raises:
        ValueError: The transaction kind prints no receipt (float, pay-in ...).
        ConfigError: The operator is not in the configuration.
    """
    try:
        kind = _KIND_OF_TRANSACTION[tx.kind]
    except KeyError:
        known = ", ".join(k.value for k in _KIND_OF_TRANSACTION)
        raise ValueError(
            f"{tx.trans_id}: a {tx.kind.value!r} transaction prints no receipt; document_for handles {known}"
        ) from None
    employee = config.employee(tx.emp_id)
    if kind is DocumentKind.VOID:
        original = _strip_register(tx.voided_trans_id, tx.register_id)
    else:
        original = _strip_register(tx.returns_trans_id, tx.register_id)
    return ReceiptDocument(
        kind=kind,
        register_id=tx.register_id,
        number=f"{tx.series.value}{tx.number:06d}",
        at=tx.at,
        operator=f"{employee.display_name} ({employee.id})",
        lines=tx.lines,
        vat_totals=tx.vat_totals,
        total=tx.amount_in,
        rounding=tx.rounding,
        payments=tx.payments,
        buyer_name=tx.buyer_name,
        customer_id=tx.customer_id,
        original_number=original,
        amount_unknown=kind is DocumentKind.DELIVERY and tx.amount_in == 0 and bool(tx.lines),
    )


def _strip_register(trans_id: str, register_id: str) -> str:
    """``K1-S000041`` -> ``S000041`` (the number as printed on the original document)."""
    prefix = f"{register_id}-"
    return trans_id[len(prefix) :] if trans_id.startswith(prefix) else trans_id


# --------------------------------------------------------------------------- receipts


def render_receipt(
    doc: ReceiptDocument,
    config: TillConfig,
    *,
    copy: bool = False,
    width: int = 48,
    cut: bool = True,
    faults: frozenset[Fault] = frozenset(),
) -> bytes:
    """Render a receipt to ESC/POS bytes.

    Args:
        doc: The document (see :func:`document_for`).
        config: The till configuration: company, means of payment.
        copy: Print as a copy receipt marked «KOPI» (§ 2-8-6).
        width: Columns of normal-size text (48 for Font A on 80 mm paper).
        cut: End with a paper cut (``GS V``).
        faults: Rules to break on purpose (:mod:`reference_till.faults`); empty in production.

    Returns:
        The bytes from ``ESC @`` to the cut.

    Raises:
        ValueError: ``width`` is below :data:`MIN_WIDTH`.
        ConfigError: A payment's means is not in the configuration.
    """
    out = Layout(width)
    markings: list[str] = []
    kind = _faulty_kind(doc.kind, faults)
    if kind in _MARKING_KEYS:
        # § 2-8-6 / § 2-8-7: not a receipt for purchase; the marking is the document's name.
        heading = marking(_MARKING_KEYS[kind]).text
        out.mark(heading)
        markings.append(heading)
    elif not (kind is DocumentKind.SALES and Fault.NO_RECEIPT_NAME in faults):
        # § 2-8-4 / § 2-8-5: the receipt's name is at the top, the first printed text.
        out.title(marking(_TITLE_KEYS[kind]).text)
    if copy and Fault.NO_COPY_MARK not in faults:
        # kassasystemforskrifta § 2-8-6: copy receipts marked «KOPI».
        kopi = marking("copy").text
        if Fault.SMALL_COPY_MARK in faults:
            out.text(kopi)  # breaks § 2-8-6: no larger than the amounts
        else:
            out.mark(kopi)
            markings.append(kopi)
    out.blank()
    _seller(out, config)
    out.blank()
    # § 2-8-4 (bokføringsforskrifta § 5-1-1): kassapunkt, number, date and time, operator.
    out.text(f"Kassapunkt {clean_text(doc.register_id)}")
    out.kv("Kvitteringsnr.", doc.number)
    out.kv("Dato", stamp(doc.at))
    out.kv("Operatør", doc.operator)
    if doc.original_number:
        label = "Annullert salg" if doc.kind is DocumentKind.VOID else "Gjelder kvittering"
        out.kv(label, doc.original_number)
    if doc.customer_id:
        # § 2-8-7: the delivery receipt names the customer account it is invoiced to.
        out.kv("Kundenr.", doc.customer_id)
    out.rule()
    for line in doc.lines:
        _receipt_line(out, line, amount_unknown=doc.amount_unknown, faults=faults)
    out.rule()
    if doc.vat_totals and not doc.amount_unknown:
        _vat_table(out, doc.vat_totals)
        out.rule()
    _totals(out, doc)
    if doc.payments:
        out.blank()
        out.text("Betaling")
        for payment in doc.payments:
            _payment(out, payment, config, faults=faults)
    if doc.buyer_name:
        # bokføringsforskrifta § 5-1-2: buyer's name on cash sales from NOK 40 000.
        out.blank()
        out.kv("Kjøpers navn", doc.buyer_name)
    if markings:
        # Repeat the markings as the last text so a torn-off bottom part still shows them.
        out.blank()
        for text in markings:
            out.mark(text)
    return out.finish(cut=cut)


#: Seller blocks already rendered: (id(config), width) -> (config, bytes). The config is
#: kept to confirm the id still names the same (frozen) object.
_SELLER_BLOCKS: dict[tuple[int, int], tuple[TillConfig, bytes]] = {}


def _seller(out: Layout, config: TillConfig) -> None:
    """Seller's name, org.nr (+ «MVA» if VAT-registered) and address (§ 2-8-4).

    The block is the same on every document of a till, so its bytes are rendered once
    per configuration and width.
    """
    key = (id(config), out.width)
    cached = _SELLER_BLOCKS.get(key)
    if cached is None or cached[0] is not config:
        block = Layout(out.width)
        block.p.clear()  # only the block itself, without ESC @ and the size reset
        _seller_lines(block, config)
        if len(_SELLER_BLOCKS) >= 16:
            _SELLER_BLOCKS.clear()
        cached = _SELLER_BLOCKS[key] = (config, block.finish(cut=False))
    out.raw(cached[1])


def _seller_lines(out: Layout, config: TillConfig) -> None:
    company = config.company
    out.center(company.name, bold=True)
    mva = " MVA" if company.mva_registered else ""
    out.center(f"Org.nr {format_orgnr(company.orgnr)}{mva}")
    if config.location_name and config.location_name != company.name:
        out.center(config.location_name)
    if company.street:
        out.center(company.street)
    place = f"{company.postal_code} {company.city}".strip()
    if place:
        out.center(place)


def _faulty_kind(kind: DocumentKind, faults: frozenset[Fault]) -> DocumentKind:
    """The document kind a faulty till prints instead (unchanged without faults)."""
    if kind is DocumentKind.RETURN and Fault.RETURN_AS_SALES_RECEIPT in faults:
        return DocumentKind.SALES
    if kind is DocumentKind.TRAINING and Fault.NO_TRAINING_MARK in faults:
        return DocumentKind.SALES
    if kind is DocumentKind.PROVISIONAL and Fault.NO_PROVISIONAL_MARK in faults:
        return DocumentKind.SALES
    return kind


def _receipt_line(out: Layout, line: Line, *, amount_unknown: bool, faults: frozenset[Fault]) -> None:
    """Description, quantity × unit price, amount; discounts on their own rows.

    § 2-5 / § 2-8-5: return lines carry negative quantities and amounts (unless the
    ``positive_returns`` fault is on).
    """
    prefix = "Retur: " if line.line_type == "RET" else ""
    out.wrapped(prefix + line.description)
    qty = format_quantity(line.quantity).replace(".", ",")
    if amount_unknown:
        # § 2-8-7 (FAQ): the sales value is unknown, the amount is printed as 0.
        out.row(f"  Antall {qty}", format_nok(0))
        return
    sign = -1 if line.amount_in < 0 or line.line_type == "RET" else 1
    reductions = sum(d.amount for d in line.discounts)
    gross = line.amount_in + sign * reductions
    if line.line_type == "RET" and Fault.POSITIVE_RETURNS in faults:  # breaks § 2-5: returns look like sales
        qty, gross = qty.lstrip("-"), abs(gross)
    out.row(f"  {qty} x {format_nok(line.unit_price)}", format_nok(gross))
    for discount in line.discounts:
        label = "Rabatt" if discount.kind == "manual" else "Kampanje"
        if discount.reason:
            label = f"{label} {clean_text(discount.reason)}"
        out.row(f"    {label}", format_nok(-sign * discount.amount))


def _vat_table(out: Layout, totals: Iterable[VatTotal]) -> None:
    """VAT per rate: rate, base, VAT and sum (§ 2-8-4)."""
    header = ("MVA-sats", "Grunnlag", "MVA", "Sum")
    rows = [(percent(t.vat_rate_bp), format_nok(t.base), format_nok(t.vat), format_nok(t.base + t.vat)) for t in totals]
    cols = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    for gap in (2, 1):
        first = out.width - sum(gap + c for c in cols[1:])
        if first >= cols[0]:
            for r in [header, *rows]:
                out.text(r[0].ljust(first) + "".join(" " * gap + r[i].rjust(cols[i]) for i in (1, 2, 3)))
            return
    for rate, base, vat, _ in rows:
        out.text(f"MVA {rate}")
        out.row("  Grunnlag", base)
        out.row("  MVA", vat)


def _totals(out: Layout, doc: ReceiptDocument) -> None:
    total = 0 if doc.amount_unknown else doc.total
    out.row("Totalt inkl. mva", format_nok(total), bold=True)
    if doc.amount_unknown:
        # § 2-8-7 (Skatteetaten FAQ): amount 0 with a note that the sales value is unknown.
        out.wrapped(marking("delivery_amount_unknown").text)
        return
    if doc.rounding:
        payable = total + doc.rounding
        out.row("Øreavrunding", format_nok(doc.rounding))
        label = "Å tilbakebetale" if payable < 0 else "Å betale"
        out.row(label, format_nok(payable), bold=True)


def _payment(out: Layout, payment: Payment, config: TillConfig, *, faults: frozenset[Fault]) -> None:
    """One tender; card payments show brand and the terminal's transaction id (§ 2-8-4)."""
    out.row(config.means(payment.means_id).description or payment.means_id, format_nok(payment.amount))
    if payment.card_brand:
        out.kv("Kort", payment.card_brand, "  ")
    if payment.reference and Fault.NO_TERMINAL_ID not in faults:
        # § 2-8-4: with an integrated terminal the receipt carries its transaction ID.
        out.kv("Transaksjons-ID", payment.reference, "  ")
