"""Daily settlement (dagsoppgjør / kasseoppgjør) of one kassapunkt.

bokføringsforskrifta § 5-3-14 requires a Z report from each kassapunkt at the end of
the day and a reconciliation of the cash sales against the counted cash. Skatteinfo
1/2011 (quoted in Skatteetaten's guidance on kassaapparat, § 1.4.2 "Daglig avstemming")
lists what the reconciliation shows:

* the cash in the drawer at the start of the day (startkasse, the opening float),
* the day's cash sales according to the Z report (kontantsalg),
* cash taken out of (uttak) or put into (innskudd) the drawer during the day,
* the counted cash (opptalt kassebeholdning), here counted by denomination,
* the date and who counted, and
* an explanation of any difference (overskudd / underskudd).

The expected cash is ``opening float + cash sales - pay-outs + pay-ins``; the
difference is ``counted - expected`` (overskudd > 0, underskudd < 0).

Card payments are reconciled against the payment terminal's totals per means of
payment, and the other means (gift card, mobile, credit) are listed from the Z
report so the whole day's takings appear on one sheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from reference_till.config import ConfigError, PaymentMeans, TillConfig
from reference_till.model import DenominationCount, KeyCountAmount, ReportFigures, Settlement
from reference_till.money import format_amount

__all__ = [
    "DENOMINATIONS",
    "SettlementError",
    "compute_settlement",
]

#: Norwegian notes (1000, 500, 200, 100, 50 kroner) and coins (20, 10, 5, 1 krone) in
#: øre, largest first: the rows of the counting sheet (kasseoppgjør).
DENOMINATIONS: tuple[int, ...] = (100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 100)

_OTHER_KINDS = frozenset({"giftcard", "mobile", "credit"})


class SettlementError(ValueError):
    """The daily settlement cannot be made; the message names the rule and how to fix it."""


def _nok(ore: int) -> str:
    return format_amount(ore)


def _denominations_text() -> str:
    return ", ".join(f"{d} ({d // 100} kr)" for d in DENOMINATIONS)


def _counted(counts: Mapping[int, int]) -> tuple[DenominationCount, ...]:
    """Validate the counting sheet and return one row per denomination, largest first."""
    for denomination, pieces in counts.items():
        if isinstance(denomination, bool) or denomination not in DENOMINATIONS:
            raise SettlementError(
                f"bokføringsforskrifta § 5-3-14: unknown denomination {denomination!r} in counts; "
                f"count Norwegian notes and coins in øre, one of {_denominations_text()}"
            )
        if isinstance(pieces, bool) or not isinstance(pieces, int) or pieces < 0:
            raise SettlementError(
                f"bokføringsforskrifta § 5-3-14: the count of denomination {denomination} øre is "
                f"{pieces!r}; pass a whole number of pieces >= 0 for each of "
                f"{_denominations_text()}"
            )
    return tuple(DenominationCount(d, counts.get(d, 0)) for d in DENOMINATIONS)


def _means(config: TillConfig, means_id: str, where: str) -> PaymentMeans:
    try:
        return config.means(means_id)
    except ConfigError as exc:
        raise SettlementError(f"{where}: {exc}") from None


def compute_settlement(
    z: ReportFigures,
    config: TillConfig,
    *,
    number: int,
    at: datetime,
    counted_by: str,
    counts: Mapping[int, int],
    explanation: str = "",
    terminal_totals: Sequence[KeyCountAmount] = (),
) -> Settlement:
    """Reconcile a Z report with the counted cash (bokføringsforskrifta § 5-3-14).

    Args:
        z: The Z report of the day for one kassapunkt (``report_type == "Z"``).
        config: The till configuration (payment means and employees).
        number: Settlement number on this register, 1, 2, 3 ...
        at: When the cash was counted (the settlement is dated, Skatteinfo 1/2011).
        counted_by: Employee id of who counted; must be in ``[[employees]]``.
        counts: Pieces counted per denomination in øre (see :data:`DENOMINATIONS`);
            denominations left out count as zero.
        explanation: Why the counted cash differs from the expected cash, or why the
            till's card totals differ from the terminal's; required when either differs.
        terminal_totals: The payment terminal's totals, keyed by the card means ids of
            the configuration (``BAX``, ``CREDCARD`` ...). Empty when no terminal
            report is available; the card difference is then 0.

    Returns:
        The settlement: expected and counted cash, the difference, card reconciliation
        and the other means of payment.

    Raises:
        SettlementError: Not a Z report, a bad count, an unknown payment means or
            employee, or a difference without explanation. The message says what to do.
    """
    # bokføringsforskrifta § 5-3-14 første ledd: the reconciliation is made from the Z report.
    if z.report_type != "Z":
        raise SettlementError(
            f"bokføringsforskrifta § 5-3-14: report {z.report_id!r} is an {z.report_type} report; "
            f"the daily settlement reconciles the day's Z report, take a Z report first"
        )
    if number < 1:
        raise SettlementError(f"settlement number must be 1 or more, got {number}")
    # Skatteinfo 1/2011: it must appear who counted the cash.
    if not counted_by.strip():
        raise SettlementError(
            "Skatteinfo 1/2011: the settlement must name who counted the cash; pass counted_by=<employee id>"
        )
    try:
        config.employee(counted_by)
    except ConfigError as exc:
        raise SettlementError(f"Skatteinfo 1/2011: counted_by must be a configured employee: {exc}") from None

    counted = _counted(counts)
    counted_total = sum(row.amount for row in counted)

    cash_sales = 0
    card_totals: list[KeyCountAmount] = []
    other_means: list[KeyCountAmount] = []
    for row in z.payments:
        means = _means(config, row.key, f"Z report {z.report_id} payments")
        if means.kind == "cash":
            # Already net of cash refunds and after øreavrunding (§ 2-8-2 bokstav g).
            cash_sales += row.amount
        elif means.kind == "card":
            card_totals.append(row)
        elif means.kind in _OTHER_KINDS:
            other_means.append(row)

    pay_ins = sum(row.amount for row in z.pay_ins)
    pay_outs = sum(row.amount for row in z.pay_outs)
    # Startkasse + kontantsalg - uttak + innskudd (Skatteinfo 1/2011).
    expected_cash = z.opening_float + cash_sales - pay_outs + pay_ins
    difference = counted_total - expected_cash

    card_means = [m.id for m in config.payment_means if m.kind == "card"]
    for row in terminal_totals:
        means = _means(config, row.key, "terminal_totals")
        if means.kind != "card":
            raise SettlementError(
                f"terminal_totals: {row.key!r} is a means of kind {means.kind!r}; the payment "
                f"terminal's totals are keyed by card means: {', '.join(card_means)}"
            )
    card_difference = 0
    if terminal_totals:
        till_cards = sum(r.amount for r in card_totals)
        card_difference = till_cards - sum(r.amount for r in terminal_totals)

    # bokføringsforskrifta § 5-3-14 / Skatteinfo 1/2011: differences shall be explained.
    if difference != 0 and not explanation.strip():
        raise SettlementError(
            f"bokføringsforskrifta § 5-3-14 / Skatteinfo 1/2011: a cash difference of "
            f"{_nok(difference)} NOK must be explained (counted {_nok(counted_total)}, expected "
            f"{_nok(expected_cash)}); pass explanation=… saying why, or recount the drawer"
        )
    if card_difference != 0 and not explanation.strip():
        raise SettlementError(
            f"bokføringsforskrifta § 5-3-14 / Skatteinfo 1/2011: the till's card payments differ "
            f"from the payment terminal's totals by {_nok(card_difference)} NOK and the difference "
            f"must be explained; pass explanation=… or check the terminal report"
        )

    return Settlement(
        register_id=z.register_id,
        number=number,
        at=at,
        counted_by=counted_by,
        z_report_id=z.report_id,
        opening_float=z.opening_float,
        cash_sales=cash_sales,
        pay_ins=pay_ins,
        pay_outs=pay_outs,
        expected_cash=expected_cash,
        counted=counted,
        counted_total=counted_total,
        difference=difference,
        explanation=explanation.strip(),
        card_totals=tuple(card_totals),
        terminal_totals=tuple(terminal_totals),
        card_difference=card_difference,
        other_means=tuple(other_means),
    )
