"""The open sale: lines, corrections, discounts and tenders until the sale is concluded.

Pure domain logic, no I/O: :class:`OpenSale` holds what the operator has registered,
computes amounts, VAT and cash rounding, and turns itself into the unsigned content
of a :class:`~reference_till.model.CashTransaction` when concluded. The till
(:mod:`reference_till.till`) journals every step and signs the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal

from reference_till.config import Article, TillConfig
from reference_till.errors import OperationError
from reference_till.model import Discount, Line, Payment, TransactionKind, VatTotal
from reference_till.money import format_amount, format_quantity, line_amount, round_cash, vat_of_gross

__all__ = ["DraftLine", "OpenSale", "SaleTotals"]


@dataclass
class DraftLine:
    """A line of an open sale; ``quantity`` is negative for returned items."""

    line_id: int
    article: Article
    quantity: Decimal
    unit_price: int
    at: datetime
    emp_id: str
    discounts: list[Discount] = field(default_factory=list)

    @property
    def line_type(self) -> Literal["SAL", "RET"]:
        """``RET`` for a return line, ``SAL`` otherwise."""
        return "RET" if self.quantity < 0 else "SAL"

    @property
    def gross(self) -> int:
        """Quantity × unit price, before discounts (øre)."""
        return line_amount(self.quantity, self.unit_price)

    @property
    def amount(self) -> int:
        """Amount incl. VAT after discounts (øre); discounts reduce the absolute value."""
        gross = line_amount(self.quantity, self.unit_price)
        if not self.discounts:
            return gross
        reduction = sum(d.amount for d in self.discounts)
        return gross - reduction if gross >= 0 else gross + reduction

    def text(self) -> str:
        """Event text in the style of Skatteetaten's example: ``artID 1001; qnt 2; lineAmntIn 43.80``."""
        return (
            f"artID {self.article.id}; artGroupID {self.article.group_id}; "
            f"qnt {format_quantity(self.quantity)}; lineAmntIn {format_amount(self.amount)}"
        )


@dataclass(frozen=True, slots=True)
class SaleTotals:
    """Amounts of a sale ready to be concluded."""

    lines: tuple[Line, ...]
    vat_totals: tuple[VatTotal, ...]
    amount_in: int
    amount_ex: int


@dataclass
class OpenSale:
    """A sale being registered on a kassapunkt."""

    ref: str  #: open-sale handle, ``K1-O000017``
    register_id: str
    emp_id: str
    started_at: datetime
    training: bool = False
    lines: list[DraftLine] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    provisional_receipts: int = 0
    buyer_name: str = ""
    returns_trans_id: str = ""
    _next_line: int = 1

    def add_line(
        self,
        article: Article,
        quantity: Decimal,
        unit_price: int,
        at: datetime,
        emp_id: str,
        campaign_discount: int = 0,
    ) -> DraftLine:
        """Register an item (negative quantity for a return) and return its draft line."""
        if quantity == 0:
            raise OperationError("quantity 0 registers nothing; give a quantity, negative for a return")
        line = DraftLine(self._next_line, article, quantity, unit_price, at, emp_id)
        if campaign_discount:
            self._check_discount(line, campaign_discount)
            line.discounts.append(Discount("campaign", campaign_discount, "Kampanje"))
        self._next_line += 1
        self.lines.append(line)
        return line

    def line(self, line_id: int) -> DraftLine:
        """Find a line of the sale."""
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise OperationError(
            f"the open sale {self.ref} has no line {line_id}; its lines are {[ln.line_id for ln in self.lines]}"
        )

    @staticmethod
    def _check_discount(line: DraftLine, amount: int) -> None:
        if amount <= 0:
            raise OperationError("a discount is a positive amount in øre")
        if amount + sum(d.amount for d in line.discounts) > abs(line.gross):
            raise OperationError(
                f"a discount of {format_amount(amount)} exceeds the line amount {format_amount(line.amount)}"
            )

    def discount(self, line_id: int, amount: int, reason: str) -> DraftLine:
        """Give a manual discount on a line (counted in § 2-8-2 bokstav q)."""
        line = self.line(line_id)
        self._check_discount(line, amount)
        line.discounts.append(Discount("manual", amount, reason or "Rabatt"))
        return line

    def reduce(self, line_id: int, quantity: Decimal) -> tuple[DraftLine, int, str]:
        """Correct a line to a smaller quantity (0 deletes it) before the sale is concluded.

        Returns:
            The line, the positive amount removed, and the correction type
            (``"Delete line"`` or ``"Reduce quantity"``) for § 2-8-2 bokstav s.
        """
        line = self.line(line_id)
        if quantity < 0 or (quantity >= abs(line.quantity) and quantity != 0):
            raise OperationError(
                f"line {line_id} has quantity {format_quantity(abs(line.quantity))}; a correction "
                f"reduces it (0 deletes the line); to add more, register the item again"
            )
        before = line.amount
        sign = -1 if line.quantity < 0 else 1
        if quantity == 0:
            self.lines.remove(line)
            return line, abs(before), "Delete line"
        line.quantity = sign * quantity
        line.discounts = [d for d in line.discounts if d.amount <= abs(line.gross)]
        return line, abs(before - line.amount), "Reduce quantity"

    @property
    def total(self) -> int:
        """Amount to pay, incl. VAT (negative when money goes back to the customer)."""
        return sum(line.amount for line in self.lines)

    @property
    def paid(self) -> int:
        """Amount already tendered (after cash rounding)."""
        return sum(p.amount for p in self.payments)

    def cash_due(self) -> tuple[int, int]:
        """Cash needed to settle the rest, rounded to whole kroner, and the rounding amount."""
        rest = self.total - self.paid
        due = round_cash(rest)
        return due, due - rest

    @property
    def kind(self) -> TransactionKind:
        """What the sale will be when concluded (before payment decides credit sales)."""
        if self.training:
            return TransactionKind.TRAINING
        has_sale = any(ln.quantity > 0 for ln in self.lines)
        has_return = any(ln.quantity < 0 for ln in self.lines)
        if has_sale and has_return:
            return TransactionKind.SALE_RETURN
        return TransactionKind.RETURN if has_return else TransactionKind.SALE

    def totals(self, config: TillConfig) -> SaleTotals:
        """Concluded lines with VAT, per-rate totals and transaction amounts.

        VAT is computed per line (half away from zero) and summed per rate, so line,
        rate and transaction amounts agree to the øre.
        """
        lines = []
        per_rate: dict[str, list[int]] = {}
        for n, draft in enumerate(self.lines, start=1):
            vat_code = config.vat(draft.article.vat_code)
            amount = draft.amount
            vat = vat_of_gross(amount, vat_code.rate_bp)
            lines.append(
                Line(
                    line_id=n,
                    line_type=draft.line_type,
                    art_id=draft.article.id,
                    art_group_id=draft.article.group_id,
                    description=draft.article.description,
                    quantity=draft.quantity,
                    unit_price=draft.unit_price,
                    vat_code=vat_code.code,
                    vat_rate_bp=vat_code.rate_bp,
                    amount_in=amount,
                    amount_ex=amount - vat,
                    vat_amount=vat,
                    emp_id=draft.emp_id,
                    at=draft.at,
                    discounts=tuple(draft.discounts),
                )
            )
            acc = per_rate.setdefault(vat_code.code, [0, 0])
            acc[0] += amount - vat
            acc[1] += vat
        vat_totals = tuple(
            VatTotal(code, config.vat(code).rate_bp, base, vat) for code, (base, vat) in sorted(per_rate.items())
        )
        amount_in = sum(ln.amount_in for ln in lines)
        return SaleTotals(tuple(lines), vat_totals, amount_in, sum(ln.amount_ex for ln in lines))
