"""Printed documents of the reference till, rendered to ESC/POS bytes with python-escpos.

Three renderers produce the bytes a receipt printer receives, each a complete
document from ``ESC @`` to the paper cut (``GS V``), so cuts delimit documents:

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
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from reference_till.config import ConfigError, TillConfig
from reference_till.escpos_sink import SinkPrinter
from reference_till.markings import marking
from reference_till.model import (
    CashTransaction,
    CountAmount,
    KeyCountAmount,
    Line,
    Payment,
    ReportFigures,
    Settlement,
    TransactionKind,
    VatTotal,
)
from reference_till.money import format_nok, format_quantity

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

#: Narrowest paper the layouts support, in columns of normal-size text.
MIN_WIDTH = 24

#: Norwegian notes and coins in circulation, øre: 1000, 500, 200, 100, 50 kr notes;
#: 20, 10, 5, 1 kr coins. Always listed on the settlement's count table.
STANDARD_DENOMINATIONS: tuple[int, ...] = (
    100000,
    50000,
    20000,
    10000,
    5000,
    2000,
    1000,
    500,
    100,
)


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


# --------------------------------------------------------------------------- line layout


def _clean(text: str) -> str:
    """Collapse whitespace so data can never break the line accounting."""
    return " ".join(str(text).split())


def _wrap(text: str, width: int) -> list[str]:
    cleaned = _clean(text)
    if len(cleaned) <= width and cleaned.isprintable():
        # What textwrap.wrap returns for a line that fits, without its cost (most lines fit).
        return [cleaned.rstrip()] if cleaned.strip() else [""]
    return textwrap.wrap(cleaned, width, break_on_hyphens=False) or [""]


def _stamp(at: datetime) -> str:
    return at.strftime("%d.%m.%Y %H:%M:%S")


def _percent(rate_bp: int) -> str:
    """2500 -> ``25 %``, 1250 -> ``12,5 %``."""
    whole, frac = divmod(rate_bp, 100)
    return f"{whole} %" if frac == 0 else f"{whole},{frac:02d}".rstrip("0") + " %"


def _orgnr(orgnr: str) -> str:
    return f"{orgnr[:3]} {orgnr[3:6]} {orgnr[6:]}" if len(orgnr) == 9 else orgnr


def _ca(count: int, amount: int) -> str:
    """Right-hand side of a count-and-amount row: count and amount in fixed columns."""
    return f"{count:>4} {format_nok(amount):>12}"


class _Layout:
    """A document being laid out on a :class:`SinkPrinter` in ``width`` columns."""

    def __init__(self, width: int) -> None:
        if width < MIN_WIDTH:
            raise ValueError(
                f"width {width} is too narrow; give at least {MIN_WIDTH} columns "
                "(48 for Font A on 80 mm paper, 32 on 58 mm paper)"
            )
        self.width = width
        self.p = SinkPrinter()
        self._pending: list[str] = []  # lines not yet given to the printer (see _command)
        self.p.initialize()
        # Amounts are printed at normal size: GS ! 0x00 (devices.md §1.4).
        self.p.size(1, 1)

    # ---------------------------------------------------------------- primitives

    def _line(self, line: str) -> None:
        """Queue one line of text in the current style (see :meth:`_command`)."""
        self._pending.append(line)

    def _command(self) -> SinkPrinter:
        """The printer, after the queued lines were sent in one ``text`` call.

        Text is encoded a run at a time rather than a line at a time; the bytes are the
        same as ``textln`` per line, since every style change goes through here first.
        """
        if self._pending:
            self._pending.append("")
            self.p.text("\n".join(self._pending))
            self._pending.clear()
        return self.p

    def raw(self, data: bytes) -> None:
        """Append bytes rendered earlier (by another layout of the same width)."""
        self._command()._raw(data)

    def text(self, line: str) -> None:
        """Print a normal-size line; wrapped (keeping its indent) if it is too long."""
        if len(line) <= self.width:
            self._line(line)
            return
        indent = " " * (len(line) - len(line.lstrip()))
        for part in _wrap(line, self.width - len(indent)):
            self._line(indent + part)

    def blank(self) -> None:
        self._line("")

    def rule(self, char: str = "-") -> None:
        self.text(char * self.width)

    def wrapped(self, text: str, indent: str = "") -> None:
        for part in _wrap(text, self.width - len(indent)):
            self._line(indent + part)

    def center(self, text: str, *, bold: bool = False) -> None:
        self._command().set(align="center", bold=bold)
        self.wrapped(text)
        self._command().set(align="left", bold=False)

    def row(self, left: str, right: str, *, bold: bool = False) -> None:
        """Label on the left, amount right-aligned at the last column."""
        indent = " " * (len(left) - len(left.lstrip()))
        # The right side keeps its inner spacing: count and amount columns stay apart.
        left, right = indent + _clean(left), " ".join(right.splitlines()).strip()
        if bold:
            self._command().set(bold=True)
        if len(left) + 1 + len(right) <= self.width:
            self.text(left + " " * (self.width - len(left) - len(right)) + right)
        else:
            parts = _wrap(left, self.width - len(indent))
            for part in parts[:-1]:
                self.text(indent + part)
            last = indent + parts[-1]
            if len(last) + 1 + len(right) <= self.width:
                self.text(last + " " * (self.width - len(last) - len(right)) + right)
            else:
                self.text(last)
                if len(right) <= self.width:
                    self.text(right.rjust(self.width))
                else:
                    for part in _wrap(right, self.width):
                        self.text(part.rjust(self.width))
        if bold:
            self._command().set(bold=False)

    def kv(self, label: str, value: str, indent: str = "") -> None:
        """``label: value`` on one line, or the value on its own line(s) if it is long."""
        value = _clean(value)
        one = f"{indent}{label}: {value}"
        if len(one) <= self.width:
            self.text(one)
            return
        self.wrapped(f"{label}:", indent)
        self.wrapped(value, indent + "  ")

    # ---------------------------------------------------------------- sizes

    def title(self, text: str) -> None:
        """Document name: double height, normal width, centred."""
        self._command().set(align="center", bold=True)
        self._command().size(1, 2)
        for part in _wrap(text, self.width):
            self._line(part)
        self._command().size(1, 1)
        self._command().set(align="left", bold=False)

    def mark(self, text: str) -> None:
        """A marking, at least twice the height of amount text (§ 2-8-8 applied to all).

        Printed ``GS ! 0x11`` (double width and height), split at `` – `` and wrapped in
        ``width // 2`` columns; if a word does not fit half the width, ``GS ! 0x01``.
        """
        half = self.width // 2
        pieces = [p.strip() for p in text.split(" – ")]
        double_width = all(len(word) <= half for word in text.split())
        cols = half if double_width else self.width
        self._command().set(align="center", bold=True)
        self._command().size(2 if double_width else 1, 2)
        for piece in pieces:
            for part in _wrap(piece, cols):
                self._line(part)
        self._command().size(1, 1)
        self._command().set(align="left", bold=False)

    def finish(self, *, cut: bool = True) -> bytes:
        if cut:
            # GS V: the cut delimits the document on the paper and in the byte stream.
            self._command().cut()
        return self._command().output


# --------------------------------------------------------------------------- receipts


def render_receipt(
    doc: ReceiptDocument,
    config: TillConfig,
    *,
    copy: bool = False,
    width: int = 48,
    cut: bool = True,
) -> bytes:
    """Render a receipt to ESC/POS bytes.

    Args:
        doc: The document (see :func:`document_for`).
        config: The till configuration: company, means of payment.
        copy: Print as a copy receipt marked «KOPI» (§ 2-8-6).
        width: Columns of normal-size text (48 for Font A on 80 mm paper).
        cut: End with a paper cut (``GS V``).

    Returns:
        The bytes from ``ESC @`` to the cut.

    Raises:
        ValueError: ``width`` is below :data:`MIN_WIDTH`.
        ConfigError: A payment's means is not in the configuration.
    """
    out = _Layout(width)
    markings: list[str] = []
    if doc.kind in _MARKING_KEYS:
        # § 2-8-6 / § 2-8-7: not a receipt for purchase; the marking is the document's name.
        heading = marking(_MARKING_KEYS[doc.kind]).text
        out.mark(heading)
        markings.append(heading)
    else:
        # § 2-8-4 / § 2-8-5: the receipt's name is at the top, the first printed text.
        out.title(marking(_TITLE_KEYS[doc.kind]).text)
    if copy:
        # kassasystemforskrifta § 2-8-6: copy receipts marked «KOPI».
        kopi = marking("copy").text
        out.mark(kopi)
        markings.append(kopi)
    out.blank()
    _seller(out, config)
    out.blank()
    # § 2-8-4 (bokføringsforskrifta § 5-1-1): kassapunkt, number, date and time, operator.
    out.text(f"Kassapunkt {_clean(doc.register_id)}")
    out.kv("Kvitteringsnr.", doc.number)
    out.kv("Dato", _stamp(doc.at))
    out.kv("Operatør", doc.operator)
    if doc.original_number:
        label = "Annullert salg" if doc.kind is DocumentKind.VOID else "Gjelder kvittering"
        out.kv(label, doc.original_number)
    if doc.customer_id:
        # § 2-8-7: the delivery receipt names the customer account it is invoiced to.
        out.kv("Kundenr.", doc.customer_id)
    out.rule()
    for line in doc.lines:
        _receipt_line(out, line, amount_unknown=doc.amount_unknown)
    out.rule()
    if doc.vat_totals and not doc.amount_unknown:
        _vat_table(out, doc.vat_totals)
        out.rule()
    _totals(out, doc)
    if doc.payments:
        out.blank()
        out.text("Betaling")
        for payment in doc.payments:
            _payment(out, payment, config)
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


def _seller(out: _Layout, config: TillConfig) -> None:
    """Seller's name, org.nr (+ «MVA» if VAT-registered) and address (§ 2-8-4).

    The block is the same on every document of a till, so its bytes are rendered once
    per configuration and width.
    """
    key = (id(config), out.width)
    cached = _SELLER_BLOCKS.get(key)
    if cached is None or cached[0] is not config:
        block = _Layout(out.width)
        block.p.clear()  # only the block itself, without ESC @ and the size reset
        _seller_lines(block, config)
        if len(_SELLER_BLOCKS) >= 16:
            _SELLER_BLOCKS.clear()
        cached = _SELLER_BLOCKS[key] = (config, block.finish(cut=False))
    out.raw(cached[1])


def _seller_lines(out: _Layout, config: TillConfig) -> None:
    company = config.company
    out.center(company.name, bold=True)
    mva = " MVA" if company.mva_registered else ""
    out.center(f"Org.nr {_orgnr(company.orgnr)}{mva}")
    if config.location_name and config.location_name != company.name:
        out.center(config.location_name)
    if company.street:
        out.center(company.street)
    place = f"{company.postal_code} {company.city}".strip()
    if place:
        out.center(place)


def _receipt_line(out: _Layout, line: Line, *, amount_unknown: bool) -> None:
    """Description, quantity × unit price, amount; discounts on their own rows.

    § 2-5 / § 2-8-5: return lines carry negative quantities and amounts.
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
    out.row(f"  {qty} x {format_nok(line.unit_price)}", format_nok(gross))
    for discount in line.discounts:
        label = "Rabatt" if discount.kind == "manual" else "Kampanje"
        if discount.reason:
            label = f"{label} {_clean(discount.reason)}"
        out.row(f"    {label}", format_nok(-sign * discount.amount))


def _vat_table(out: _Layout, totals: Iterable[VatTotal]) -> None:
    """VAT per rate: rate, base, VAT and sum (§ 2-8-4)."""
    header = ("MVA-sats", "Grunnlag", "MVA", "Sum")
    rows = [
        (_percent(t.vat_rate_bp), format_nok(t.base), format_nok(t.vat), format_nok(t.base + t.vat)) for t in totals
    ]
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


def _totals(out: _Layout, doc: ReceiptDocument) -> None:
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


def _payment(out: _Layout, payment: Payment, config: TillConfig) -> None:
    """One tender; card payments show brand and the terminal's transaction id (§ 2-8-4)."""
    out.row(config.means(payment.means_id).description or payment.means_id, format_nok(payment.amount))
    if payment.card_brand:
        out.kv("Kort", payment.card_brand, "  ")
    if payment.reference:
        # § 2-8-4: with an integrated terminal the receipt carries its transaction ID.
        out.kv("Transaksjons-ID", payment.reference, "  ")


# --------------------------------------------------------------------------- reports


def _employee(config: TillConfig, emp_id: str) -> str:
    try:
        return f"{config.employee(emp_id).display_name} ({emp_id})"
    except ConfigError:
        return emp_id


def _group(config: TillConfig, group_id: str) -> str:
    try:
        return f"{group_id} {config.group(group_id).description}"
    except ConfigError:
        return group_id


def _means(config: TillConfig, means_id: str) -> str:
    try:
        return f"{means_id} {config.means(means_id).description}"
    except ConfigError:
        return means_id


def _keyed(out: _Layout, items: Iterable[KeyCountAmount], name: str, config: TillConfig) -> None:
    """Rows of a keyed figure; ``name`` says how to print the key."""
    rows = list(items)
    if not rows:
        out.text("   (ingen)")
    for item in rows:
        if name == "group":
            label = _group(config, item.key)
        elif name == "means":
            label = _means(config, item.key)
        else:
            label = item.key
        out.row(f"   {label}", _ca(item.count, item.amount))


def _sum(items: Iterable[KeyCountAmount]) -> CountAmount:
    rows = list(items)
    return CountAmount(sum(i.count for i in rows), sum(i.amount for i in rows))


def render_report(fig: ReportFigures, config: TillConfig, *, width: int = 48) -> bytes:
    """Render an X or Z report printout with every § 2-8-2 figure under its letter.

    Args:
        fig: The report figures.
        config: The till configuration (names of groups, means and operators).
        width: Columns of normal-size text.

    Returns:
        The bytes from ``ESC @`` to the cut.

    Raises:
        ValueError: ``width`` is below :data:`MIN_WIDTH`.
    """
    out = _Layout(width)
    z = fig.report_type == "Z"
    name = marking("title_z_report" if z else "title_x_report").text
    # § 2-8-2 a / § 2-8-3: the report states whether it is an X or a Z report; Z is numbered.
    out.title(name)
    if z:
        out.title(f"Nr. {fig.number}")
    out.center(f"Rapport-ID {fig.report_id}")
    out.center("Antall / beløp i kroner")
    out.rule()
    out.text(f"a) {name}" + (f" nr. {fig.number}" if z else ""))
    out.wrapped(f"b) {fig.company_name}, org.nr {fig.company_ident}")
    out.text(f"c) {_stamp(fig.at)}")
    out.wrapped(f"d) Kassapunkt {fig.register_id} / System-ID {fig.system_id}")
    out.row("e) Totalt kontantsalg", format_nok(fig.total_cash_sales))
    out.row("f) Varegrupper", _ca(*_astuple(_sum(fig.art_groups))))
    _keyed(out, fig.art_groups, "group", config)
    if fig.emp_art_groups:
        out.text("   Per operatør:")
        for e in fig.emp_art_groups:
            label = f"{_employee(config, e.emp_id)} / {_group(config, e.key)}"
            out.row(f"   {label}", _ca(e.count, e.amount))
    out.row("g) Betalingsmidler", _ca(*_astuple(_sum(fig.payments))))
    _keyed(out, fig.payments, "means", config)
    out.text("h) Per operatør og betalingsmiddel")
    if not fig.emp_payments:
        out.text("   (ingen)")
    for e in fig.emp_payments:
        label = f"{_employee(config, e.emp_id)} / {_means(config, e.key)}"
        out.row(f"   {label}", _ca(e.count, e.amount))
    if fig.tips is None:
        out.text("i) Tips: funksjon finnes ikke")
    else:
        out.row("i) Tips", _ca(fig.tips.count, fig.tips.amount))
    out.text("j) Kontantsalg og mva per sats")
    for v in fig.vat:
        kind = "avgiftsfritt" if v.vat_rate_bp == 0 else "grunnlag"
        out.row(f"   {_percent(v.vat_rate_bp)} {kind}", format_nok(v.base))
        out.row(f"   {_percent(v.vat_rate_bp)} mva", format_nok(v.vat))
    if not fig.vat:
        out.text("   (ingen)")
    out.row("k) Inngående vekselkasse", format_nok(fig.opening_float))
    for f in fig.emp_opening_floats:
        out.row(f"   {_employee(config, f.emp_id)}", format_nok(f.amount))
    out.row("l) Antall salgskvitteringer", str(fig.receipts))
    out.row("m) Skuffåpninger uten salg", str(fig.drawer_openings))
    for letter, label, ca in (
        ("n", "Kopikvitteringer", fig.copies),
        ("o", "Foreløpige kvitteringer", fig.provisional),
        ("p", "Returer", fig.returns),
        ("q", "Rabatter gitt i kassen", fig.discounts),
        ("r", "Annullerte salg", fig.voids),
    ):
        out.row(f"{letter}) {label}", _ca(ca.count, ca.amount))
    out.row("s) Linjekorreksjoner", _ca(*_astuple(_sum(fig.line_corrections))))
    _keyed(out, fig.line_corrections, "type", config)
    out.row("t) Prisforespørsler", _ca(*_astuple(_sum(fig.price_lookups))))
    _keyed(out, fig.price_lookups, "group", config)
    out.row("u) Andre korreksjoner", _ca(*_astuple(_sum(fig.other_corrections))))
    _keyed(out, fig.other_corrections, "type", config)
    out.row("v) Utleveringskvitteringer", _ca(fig.deliveries.count, fig.deliveries.amount))
    out.row("w) Treningskvitteringer", _ca(fig.training.count, fig.training.amount))
    out.row("x) Grand total salg", format_nok(fig.grand_total_sales))
    out.row("y) Grand total retur", format_nok(fig.grand_total_returns))
    out.row("z) Grand total netto", format_nok(fig.grand_total_net))
    out.rule()
    # § 2-8-2 andre ledd: credit sales, credit notes, pay-ins and pay-outs by type.
    out.text("Andre ledd (forskrift 2-8-2)")  # PC865 has no «§»
    out.row("Kredittsalg", _ca(fig.credit_sales.count, fig.credit_sales.amount))
    out.row("Kreditnotaer", _ca(fig.credit_memos.count, fig.credit_memos.amount))
    out.row("Innbetalinger", _ca(*_astuple(_sum(fig.pay_ins))))
    _keyed(out, fig.pay_ins, "type", config)
    out.row("Utbetalinger", _ca(*_astuple(_sum(fig.pay_outs))))
    _keyed(out, fig.pay_outs, "type", config)
    if fig.last_seq:
        out.rule()
        out.text(f"Journal sekvens {fig.first_seq}-{fig.last_seq}")
    return out.finish()


def _astuple(ca: CountAmount) -> tuple[int, int]:
    return ca.count, ca.amount


# --------------------------------------------------------------------------- settlement


def _denomination(ore: int) -> str:
    kroner, rest = divmod(ore, 100)
    value = f"{kroner}" if rest == 0 else f"{kroner},{rest:02d}"
    return f"{value} kr {'sedler' if ore >= 5000 else 'mynter'}"


def render_settlement(s: Settlement, config: TillConfig, *, width: int = 48) -> bytes:
    """Render a daily settlement (dagsoppgjør) printout.

    bokføringsforskrifta § 5-3-14 / Skatteinfo 1/2011: cash at the start, the day's cash
    sales, pay-ins and pay-outs, the counted cash by denomination, the difference and its
    explanation, dated and naming who counted, with a line for the signature.

    Args:
        s: The settlement.
        config: The till configuration (operator and means names).
        width: Columns of normal-size text.

    Returns:
        The bytes from ``ESC @`` to the cut.

    Raises:
        ValueError: ``width`` is below :data:`MIN_WIDTH`.
    """
    out = _Layout(width)
    out.title(marking("title_settlement").text)
    out.title(f"Nr. {s.number}")
    out.blank()
    out.center(config.company.name, bold=True)
    out.text(f"Kassapunkt {_clean(s.register_id)}")
    out.kv("Dato", _stamp(s.at))
    out.kv("Opptalt av", _employee(config, s.counted_by))
    out.kv("Z-rapport", s.z_report_id)
    out.rule()
    out.row("Inngående vekselkasse", format_nok(s.opening_float))
    out.row("Kontantsalg", format_nok(s.cash_sales))
    out.row("Innbetalinger", format_nok(s.pay_ins))
    out.row("Utbetalinger", format_nok(-s.pay_outs))
    out.row("Forventet kontantbeholdning", format_nok(s.expected_cash), bold=True)
    out.rule()
    out.text("Opptelling")
    counts: dict[int, int] = {d: 0 for d in STANDARD_DENOMINATIONS}
    for c in s.counted:
        counts[c.denomination] = counts.get(c.denomination, 0) + c.count
    for denomination in sorted(counts, reverse=True):
        n = counts[denomination]
        out.row(f"  {n:>4} x {_denomination(denomination)}", format_nok(n * denomination))
    out.row("Opptalt totalt", format_nok(s.counted_total), bold=True)
    if s.difference > 0:
        label = "Overskudd"
    elif s.difference < 0:
        label = "Underskudd"
    else:
        label = "Ingen differanse"
    out.row(label, format_nok(s.difference), bold=True)
    out.kv("Forklaring", s.explanation or "-")
    out.rule()
    out.text("Kortoppgjør (kasse / terminal)")
    till = {k.key: k for k in s.card_totals}
    terminal = {k.key: k for k in s.terminal_totals}
    for key in [*till, *(k for k in terminal if k not in till)]:
        out.wrapped(_means(config, key), "  ")
        a, b = till.get(key), terminal.get(key)
        out.row("    Kasse", _ca(a.count, a.amount) if a else "-")
        out.row("    Terminal", _ca(b.count, b.amount) if b else "-")
    if not till and not terminal:
        out.text("  (ingen)")
    out.row("Differanse kort", format_nok(s.card_difference), bold=True)
    out.rule()
    out.text("Andre betalingsmidler")
    _keyed(out, s.other_means, "means", config)
    out.blank()
    out.blank()
    out.text("Signatur: " + "_" * (out.width - len("Signatur: ")))
    return out.finish()
