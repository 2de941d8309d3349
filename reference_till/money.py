"""Money, VAT and cash rounding for the reference till.

Every amount is an integer number of øre (1 NOK = 100 øre). Quantities are
:class:`~decimal.Decimal` so weighed goods (0.456 kg) are exact. Rounding is
half away from zero everywhere, which is the usual Norwegian commercial rule and
makes a return the exact mirror image of the sale it reverses.

Cash payments are rounded to whole kroner (øreavrunding): the 1-krone coin is the
smallest coin in circulation, so a cash total of 295.40 is paid with 295.00 and the
rounding amount (-0.40) is recorded on the transaction, as in Skatteetaten's SAF-T
example file.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "format_amount",
    "format_nok",
    "format_quantity",
    "line_amount",
    "net_of_gross",
    "parse_amount",
    "parse_quantity",
    "round_cash",
    "vat_of_gross",
]


def _half_up(value: Decimal) -> int:
    """Round a Decimal to an integer, halves away from zero."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_amount(text: str | int | Decimal) -> int:
    """Parse a krone amount into øre.

    Args:
        text: ``"21.90"``, ``"21,90"``, ``"-16.4"``, a Decimal, or an int meaning whole kroner.

    Returns:
        The amount in øre.

    Raises:
        ValueError: The text is not an amount with at most two decimals.
    """
    if isinstance(text, int):
        return text * 100
    try:
        value = Decimal(text) if isinstance(text, Decimal) else Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(
            f"{text!r} is not an amount; write kroner with '.' or ',' and at most two decimals, e.g. 21.90"
        ) from None
    if not value.is_finite():
        raise ValueError(f"{text!r} is not a finite amount")
    ore = value * 100
    if ore != ore.to_integral_value():
        raise ValueError(f"{text!r} has more than two decimals; amounts are whole øre")
    return int(ore)


def format_amount(ore: int) -> str:
    """Format øre as the SAF-T / signature amount string: ``-16.40``, ``0.00``, ``1234.50``."""
    sign = "-" if ore < 0 else ""
    whole, cents = divmod(abs(ore), 100)
    return f"{sign}{whole}.{cents:02d}"


def format_nok(ore: int) -> str:
    """Format øre for a Norwegian receipt: ``1 234,50``, ``-16,40``."""
    sign = "-" if ore < 0 else ""
    whole, cents = divmod(abs(ore), 100)
    return f"{sign}{whole:,}".replace(",", " ") + f",{cents:02d}"


def parse_quantity(text: str | int | Decimal) -> Decimal:
    """Parse a quantity (``2``, ``0,456``) into a Decimal with at most six decimals.

    Raises:
        ValueError: Not a number, or more than six decimals (the SAF-T ``qnt`` limit).
    """
    if type(text) is int:  # the common case: whole units
        return Decimal(text)
    try:
        value = Decimal(text) if isinstance(text, (int, Decimal)) else Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a quantity") from None
    if not value.is_finite() or value.as_tuple().exponent < -6:  # type: ignore[operator]
        raise ValueError(f"{text!r}: quantities have at most six decimals")
    return value


def format_quantity(quantity: Decimal) -> str:
    """Format a quantity without trailing zeros: ``2``, ``-1``, ``0.456``."""
    text = format(quantity.normalize(), "f")
    return "0" if text in {"-0", "0"} else text


def line_amount(quantity: Decimal, unit_price: int) -> int:
    """Amount of a line in øre: quantity × unit price, rounded half away from zero."""
    whole = int(quantity)
    if whole == quantity:  # most lines: exact in integers, no rounding needed
        return whole * unit_price
    return _half_up(quantity * unit_price)


def _divide_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` (denominator > 0) rounded to an integer, halves away from zero."""
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return -quotient if numerator < 0 else quotient


def vat_of_gross(gross: int, rate_bp: int) -> int:
    """VAT contained in an amount that includes VAT.

    Args:
        gross: Amount including VAT, in øre (may be negative).
        rate_bp: VAT rate in basis points (2500 = 25 %).

    Returns:
        The VAT part in øre, rounded half away from zero: ``gross × rate / (1 + rate)``.
    """
    # Exact integer arithmetic: gross × rate_bp / (10000 + rate_bp).
    return _divide_half_up(gross * rate_bp, 10000 + rate_bp)


def net_of_gross(gross: int, rate_bp: int) -> int:
    """Amount excluding VAT for an amount including VAT (``gross - vat_of_gross``)."""
    return gross - vat_of_gross(gross, rate_bp)


def round_cash(ore: int) -> int:
    """Round an amount to whole kroner for payment in cash (50 øre rounds away from zero)."""
    return _divide_half_up(ore, 100) * 100
