"""The day's bookkeeping posting (bilag) from a Z report and its settlement.

The posting follows the usual Norwegian practice for cash sales (NS 4102 chart of
accounts, see the configuration's ``[accounts]``):

* each means of payment is debited to its own balance account: cash to the cash
  account (1900-series), card to card clearing, gift cards reduce the gift card
  liability, mobile payments to mobile clearing and credit sales to customer
  receivables. A net refund (negative amount) becomes a credit;
* sales are credited per VAT rate to the sales accounts (3000-series) excluding VAT,
  and the output VAT per rate to the output VAT account, so the VAT return can be
  read from the ledger;
* øreavrunding: the payments differ from the sales including VAT by the total cash
  rounding, which goes to the rounding account;
* pay-outs move cash from the drawer to the transfer account (bank/safe), pay-ins
  the reverse;
* the settlement's cash difference (bokføringsforskrifta § 5-3-14, Skatteinfo 1/2011)
  goes to the cash difference account: underskudd is debited, overskudd credited.

Amounts are øre. :func:`day_posting` checks that the voucher balances.

CSV export (:func:`write_posting_csv`): UTF-8 text, ``;`` as separator (what
Norwegian spreadsheet and accounting imports expect), one header row and one row per
posting line. The columns are:

========  =================================================================
dato      voucher date, ISO 8601 (``2024-03-30``)
bilag     voucher number (bilagsnummer)
konto     account number from ``[accounts]``
tekst     line text (Norwegian)
mvakode   VAT code of the line (sales and output VAT lines), empty otherwise
debet     debit amount, ``1234.50`` (``0.00`` on credit lines)
kredit    credit amount, ``1234.50`` (``0.00`` on debit lines)
========  =================================================================
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

from reference_till.config import ConfigError, TillConfig
from reference_till.model import ReportFigures, Settlement
from reference_till.money import format_amount

__all__ = [
    "CSV_HEADER",
    "PostingError",
    "PostingLine",
    "day_posting",
    "write_posting_csv",
]

#: Header row of the CSV export.
CSV_HEADER: tuple[str, ...] = ("dato", "bilag", "konto", "tekst", "mvakode", "debet", "kredit")

#: Largest øreavrunding of one cash payment: amounts are rounded to whole kroner.
_MAX_ROUNDING_PER_PAYMENT = 50


class PostingError(ValueError):
    """The day's posting cannot be made; the message says what is inconsistent and how to fix it."""


@dataclass(frozen=True, slots=True)
class PostingLine:
    """One line of the voucher; amounts in øre, exactly one of debit and credit is non-zero."""

    account: str
    description: str
    debit: int
    credit: int
    vat_code: str = ""

    def __post_init__(self) -> None:
        if self.debit < 0 or self.credit < 0:
            raise PostingError(
                f"posting line {self.account} {self.description!r}: debit and credit must be "
                f">= 0 (got {self.debit}, {self.credit}); put a negative amount on the other side"
            )
        if self.debit and self.credit:
            raise PostingError(
                f"posting line {self.account} {self.description!r}: only one of debit and credit "
                f"may be non-zero; split it into two lines"
            )

    @property
    def net(self) -> int:
        """Debit minus credit, øre."""
        return self.debit - self.credit


def _debit(account: str, description: str, amount: int, vat_code: str = "") -> PostingLine | None:
    """A line debiting ``amount`` (a negative amount is credited); None when zero."""
    if amount == 0:
        return None
    if amount > 0:
        return PostingLine(account, description, amount, 0, vat_code)
    return PostingLine(account, description, 0, -amount, vat_code)


def _credit(account: str, description: str, amount: int, vat_code: str = "") -> PostingLine | None:
    """A line crediting ``amount`` (a negative amount is debited); None when zero."""
    return _debit(account, description, -amount, vat_code)


def _percent(rate_bp: int) -> str:
    whole, frac = divmod(rate_bp, 100)
    return f"{whole} %" if frac == 0 else f"{whole},{frac:02d}".rstrip("0") + " %"


def day_posting(z: ReportFigures, settlement: Settlement, config: TillConfig) -> tuple[PostingLine, ...]:
    """Build the day's voucher from a Z report and the settlement that reconciles it.

    Args:
        z: The day's Z report of one kassapunkt.
        settlement: The settlement of that Z report (see
            :func:`reference_till.settlement.compute_settlement`).
        config: The till configuration; ``[accounts]`` gives the account numbers.

    Returns:
        The voucher lines, zero lines left out: payments (debit), sales per VAT rate and
        output VAT (credit), øreavrunding, pay-outs/pay-ins and the cash difference.

    Raises:
        PostingError: The settlement belongs to another report, a means of payment or VAT
            rate has no account, or the Z report is inconsistent (its payments and sales
            differ by more than øreavrunding can explain, or the voucher does not balance).
    """
    if z.report_type != "Z":
        raise PostingError(
            f"bokføringsforskrifta § 5-3-14: report {z.report_id!r} is an {z.report_type} report; "
            f"the day's posting is made from the Z report"
        )
    if settlement.z_report_id != z.report_id or settlement.register_id != z.register_id:
        raise PostingError(
            f"settlement {settlement.register_id}/{settlement.number} reconciles "
            f"{settlement.z_report_id!r}, not {z.report_id!r}; pass the settlement of this Z report"
        )
    acc = config.accounts
    candidates: list[PostingLine | None] = []

    # Debit each means of payment to its own balance account (1900-series, 1500, 2900).
    payments_total = 0
    cash_payments = 0
    for row in z.payments:
        try:
            means = config.means(row.key)
        except ConfigError as exc:
            raise PostingError(f"Z report {z.report_id} payments: {exc}") from None
        account = {
            "cash": acc.cash,
            "card": acc.card_clearing,
            "giftcard": acc.giftcard_liability,  # redeeming a gift card reduces the liability
            "mobile": acc.mobile_clearing,
            "credit": acc.customer_receivable,
        }[means.kind]
        if means.kind == "cash":
            cash_payments += abs(row.count)
        payments_total += row.amount
        label = f"{means.description or means.id} ({means.id})"
        candidates.append(_debit(account, label, row.amount))

    # Credit sales per VAT rate excluding VAT (3000-series) and the output VAT per rate.
    sales_total = 0
    vat_lines: list[PostingLine | None] = []
    for fig in z.vat:
        try:
            sales_account = acc.sales[fig.vat_rate_bp]
        except KeyError:
            raise PostingError(
                f"[accounts] sales has no account for VAT rate {_percent(fig.vat_rate_bp)} "
                f"(VAT code {fig.vat_code}); add it to the configuration, e.g. "
                f'sales = {{ "{fig.vat_rate_bp / 100:g}" = "3000" }}'
            ) from None
        sales_total += fig.base + fig.vat
        label = f"Salg {_percent(fig.vat_rate_bp)}" if fig.vat_rate_bp else "Salg avgiftsfritt 0 %"
        candidates.append(_credit(sales_account, label, fig.base, fig.vat_code))
        if fig.vat_rate_bp > 0:
            vat_label = f"Utgående mva {_percent(fig.vat_rate_bp)}"
            vat_lines.append(_credit(acc.output_vat, vat_label, fig.vat, fig.vat_code))
        elif fig.vat != 0:
            raise PostingError(
                f"Z report {z.report_id}: VAT code {fig.vat_code} at 0 % has a VAT amount of "
                f"{format_amount(fig.vat)}; the Z report is inconsistent, recompute it from "
                f"the journal"
            )
    candidates.extend(vat_lines)

    # Øreavrunding: payments = sales incl. VAT + rounding (rounding > 0 is income).
    rounding = payments_total - sales_total
    limit = _MAX_ROUNDING_PER_PAYMENT * cash_payments
    if abs(rounding) > limit:
        raise PostingError(
            f"Z report {z.report_id} is inconsistent: payments total "
            f"{format_amount(payments_total)} but sales incl. VAT total "
            f"{format_amount(sales_total)}; the difference "
            f"{format_amount(rounding)} is more than øreavrunding on {cash_payments} cash "
            f"payment(s) can explain (at most {format_amount(limit)}). Check that the payments "
            f"(§ 2-8-2 g) and the sales per VAT rate (§ 2-8-2 j) cover the same transactions"
        )
    candidates.append(_credit(acc.rounding, "Øreavrunding", rounding))

    # Cash taken out of the drawer to bank/safe, and cash put in.
    for row in z.pay_outs:
        candidates.append(_debit(acc.cash_transfer, f"Uttak fra kasse ({row.key})", row.amount))
        candidates.append(_credit(acc.cash, f"Uttak fra kasse ({row.key})", row.amount))
    for row in z.pay_ins:
        candidates.append(_debit(acc.cash, f"Innskudd i kasse ({row.key})", row.amount))
        candidates.append(_credit(acc.cash_transfer, f"Innskudd i kasse ({row.key})", row.amount))

    # bokføringsforskrifta § 5-3-14: the explained cash difference of the settlement.
    diff = settlement.difference
    if diff:
        kind = "overskudd" if diff > 0 else "underskudd"
        text = f"Kassedifferanse {kind} oppgjør {settlement.number}"
        if settlement.explanation:
            text += f": {settlement.explanation}"
        candidates.append(_debit(acc.cash, text, diff))
        candidates.append(_credit(acc.cash_difference, text, diff))

    lines = tuple(line for line in candidates if line is not None)
    debit = sum(line.debit for line in lines)
    credit = sum(line.credit for line in lines)
    if debit != credit:
        raise PostingError(
            f"Z report {z.report_id} is inconsistent: the day's voucher has debit "
            f"{format_amount(debit)} and credit {format_amount(credit)}; recompute the Z report "
            f"from the journal"
        )
    return lines


def write_posting_csv(lines: Sequence[PostingLine], out: TextIO, *, date: dt.date, voucher: str) -> None:
    """Write a voucher as ``;``-separated CSV (columns in the module docstring).

    Args:
        lines: The voucher lines, e.g. from :func:`day_posting`.
        out: A text stream; open files with ``encoding="utf-8", newline=""``.
        date: The voucher date, written as ISO 8601.
        voucher: The voucher number (bilagsnummer).

    Raises:
        PostingError: ``voucher`` is blank.
    """
    if not voucher.strip():
        raise PostingError("write_posting_csv: pass voucher=<bilagsnummer>, it must not be blank")
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(CSV_HEADER)
    day = date.isoformat()
    for line in lines:
        writer.writerow(
            [
                day,
                voucher,
                line.account,
                line.description,
                line.vat_code,
                format_amount(line.debit),
                format_amount(line.credit),
            ]
        )
