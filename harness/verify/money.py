"""Money checks on one cash transaction: lines, VAT, payments, rounding, signs.

Tolerances (documented in docs/verify.md):

* lines against the transaction, line VAT against the line's amounts, transaction VAT
  against the transaction's amounts, payments against amount + rounding: **exact**
  (0.00); every one of these is a sum or a difference of amounts the file states.
* VAT against rate × base: **± 0.01** per ``vat`` element, the rounding of one
  multiplication to øre.
* cash rounding (øreavrunding to whole kroner): |roundingAmnt| ≤ 0.50, and only on a
  transaction with a cash payment (PredefinedBasicID 12001).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from harness.verify.findings import FindingLog, Location
from harness.verify.records import Transaction, Vat, format_ore, has_extra_decimals

__all__ = ["check_money"]


_RATES: dict[str, int | None] = {}


def _basis_points(perc: str) -> int | None:
    """``"25.00"`` -> 2500 (cached: a file has a handful of rates); ``None`` if not a rate."""
    found = _RATES.get(perc, -1)
    if found != -1:
        return found
    try:
        value = Decimal(perc) * 100
    except InvalidOperation:
        value = Decimal("NaN")
    points = int(value) if value.is_finite() and value == value.to_integral_value() else None
    if len(_RATES) < 1000:
        _RATES[perc] = points
    return points


def _expected_vat(base: int, perc: str) -> int | None:
    """VAT of ``base`` øre at ``perc`` per cent, rounded half away from zero."""
    points = _basis_points(perc)
    if points is None:
        return None
    magnitude = (abs(base) * points + 5000) // 10000
    return magnitude if base >= 0 else -magnitude


def _vat_rate(vat: Vat, where: str, loc: Location, log: FindingLog) -> None:
    if vat.amount is None or vat.base is None or not vat.perc:
        return
    expected = _expected_vat(vat.base, vat.perc)
    if expected is not None and abs(expected - vat.amount) > 1:
        log.add(
            "MNY-VAT-RATE", loc, where=where, vat=format_ore(vat.amount), perc=vat.perc,
            base=format_ore(vat.base), expected=format_ore(expected),
        )  # fmt: skip


def _sign(field: str, amount: int | None, tp: str, tp_field: str, loc: Location, log: FindingLog) -> None:
    if amount is None or not tp or amount == 0:
        return
    if (amount > 0 and tp != "C") or (amount < 0 and tp != "D"):
        log.add("MNY-SIGN", loc, field=field, amount=format_ore(amount), tp=tp, tp_field=tp_field)


def _lines_add_up(tx: Transaction, loc: Location, log: FindingLog) -> None:
    """Check that the lines add up to the transaction's amounts.

    transAmntIn is Σ lineAmntIn less transaction discounts (or Σ alone, if the lines already
    carry the discount); transAmntEx is Σ lineAmntEx, unless a transaction discount's VAT
    split is not stated.
    """
    amounts_in = [line.amount_in for line in tx.lines]
    if tx.amount_in is not None and None not in amounts_in:
        lines = sum(a for a in amounts_in if a is not None)
        if tx.amount_in not in (lines, lines - tx.discount):
            computed = format_ore(lines - tx.discount)
            log.add("MNY-LINES", loc, field="transAmntIn", stated=format_ore(tx.amount_in), computed=computed)
    amounts_ex = [line.amount_ex for line in tx.lines]
    if tx.amount_ex is not None and None not in amounts_ex and not tx.discount:
        lines = sum(a for a in amounts_ex if a is not None)
        if tx.amount_ex != lines:
            log.add("MNY-LINES", loc, field="transAmntEx", stated=format_ore(tx.amount_ex), computed=format_ore(lines))


def check_money(tx: Transaction, loc: Location, log: FindingLog, is_cash: Callable[[str], bool]) -> None:
    """Check the amounts of ``tx``; ``is_cash(paymentType)`` tells cash payments."""
    for name, raw in (("transAmntIn", tx.raw_in), ("transAmntEx", tx.raw_ex)):
        if has_extra_decimals(raw):
            log.add("MNY-DECIMALS", loc, field=name, amount=raw)
    _sign("transAmntIn", tx.amount_in, tx.tp, "amntTp", loc, log)
    if tx.lines:
        _lines_add_up(tx, loc, log)
    for line in tx.lines:
        _sign(f"line {line.line_id} lineAmntIn", line.amount_in, line.tp, "amntTp", loc, log)
        vat = line.vat
        if vat is None:
            continue
        if line.amount_in is not None and line.amount_ex is not None and vat.amount is not None:
            diff = line.amount_in - line.amount_ex
            if diff != vat.amount:
                log.add(
                    "MNY-LINE-VAT", loc, line_id=line.line_id, amount_in=format_ore(line.amount_in),
                    amount_ex=format_ore(line.amount_ex), diff=format_ore(diff), vat=format_ore(vat.amount),
                )  # fmt: skip
        _vat_rate(vat, f"line {line.line_id}", loc, log)
    if tx.vats and tx.amount_in is not None and tx.amount_ex is not None:
        amounts = [v.amount for v in tx.vats]
        if None not in amounts:
            total_vat = sum(a for a in amounts if a is not None)
            if tx.amount_in - tx.amount_ex != total_vat:
                log.add("MNY-TRANS-VAT", loc, diff=format_ore(tx.amount_in - tx.amount_ex), vat=format_ore(total_vat))
        for vat in tx.vats:
            _vat_rate(vat, f"vatCode {vat.code}", loc, log)
    if tx.payments and tx.amount_in is not None:
        paid = [p.amount for p in tx.payments]
        if None not in paid:
            total_paid = sum(p for p in paid if p is not None)
            rounding = tx.rounding or 0
            if total_paid != tx.amount_in + rounding:
                log.add(
                    "MNY-PAYMENT", loc, paid=format_ore(total_paid), amount=format_ore(tx.amount_in),
                    rounding=format_ore(rounding), expected=format_ore(tx.amount_in + rounding),
                )  # fmt: skip
    if tx.rounding:
        if abs(tx.rounding) > 50:
            log.add("MNY-ROUNDING", loc, rounding=format_ore(tx.rounding), problem="is more than 0.50")
        elif not any(is_cash(p.payment_type) for p in tx.payments):
            log.add(
                "MNY-ROUNDING",
                loc,
                rounding=format_ore(tx.rounding),
                problem="is on a transaction without a cash payment",
            )
