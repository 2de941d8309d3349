"""Tests of money, VAT and cash rounding (reference_till.money)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference_till.money import (
    format_amount,
    format_nok,
    format_quantity,
    line_amount,
    net_of_gross,
    parse_amount,
    parse_quantity,
    round_cash,
    vat_of_gross,
)

ORE = st.integers(min_value=-(10**12), max_value=10**12)
RATES = st.sampled_from([0, 1200, 1500, 2500]) | st.integers(min_value=0, max_value=10000)
QUANTITIES = st.decimals(
    min_value=Decimal("-10000"), max_value=Decimal("10000"), places=3, allow_nan=False, allow_infinity=False
)
PRICES = st.integers(min_value=0, max_value=10**8)


# --------------------------------------------------------------------------- parse / format


@pytest.mark.parametrize(
    ("text", "ore"),
    [
        ("21.90", 2190),
        ("21,90", 2190),
        (" 116 ", 11600),
        ("-16.4", -1640),
        ("0.05", 5),
        ("-0.05", -5),
        ("41990.00", 4199000),
        (Decimal("1.5"), 150),
        (7, 700),
    ],
)
def test_parse_amount_examples(text: str | int | Decimal, ore: int) -> None:
    assert parse_amount(text) == ore


@pytest.mark.parametrize(
    ("ore", "text", "nok"),
    [
        (0, "0.00", "0,00"),
        (5, "0.05", "0,05"),
        (-5, "-0.05", "-0,05"),
        (-1640, "-16.40", "-16,40"),
        (123450, "1234.50", "1 234,50"),
        (4199000, "41990.00", "41 990,00"),
        (-123456789, "-1234567.89", "-1 234 567,89"),
    ],
)
def test_format_examples(ore: int, text: str, nok: str) -> None:
    assert format_amount(ore) == text
    assert format_nok(ore) == nok


@given(ORE)
def test_parse_format_round_trip(ore: int) -> None:
    text = format_amount(ore)
    assert parse_amount(text) == ore
    assert parse_amount(text.replace(".", ",")) == ore
    # the SAF-T / signature shape: optional minus, digits, '.', exactly two decimals
    whole, _, cents = text.lstrip("-").partition(".")
    assert whole.isdigit() and len(cents) == 2 and cents.isdigit()
    assert text.startswith("-") == (ore < 0)


@given(ORE)
def test_format_nok_round_trip(ore: int) -> None:
    assert parse_amount(format_nok(ore).replace(" ", "")) == ore


@pytest.mark.parametrize("text", ["1.234", "0.001", "-21.905", "1,999"])
def test_parse_amount_rejects_three_decimals(text: str) -> None:
    with pytest.raises(ValueError, match="more than two decimals"):
        parse_amount(text)


@pytest.mark.parametrize("text", ["", "abc", "21.90 kr", "1.2.3", "kr 5", "--1"])
def test_parse_amount_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="not an amount"):
        parse_amount(text)


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-inf"])
def test_parse_amount_rejects_non_finite(text: str) -> None:
    with pytest.raises(ValueError, match="finite"):
        parse_amount(text)


def test_parse_quantity() -> None:
    assert parse_quantity("0,456") == Decimal("0.456")
    assert parse_quantity(2) == Decimal(2)
    assert parse_quantity("-1") == Decimal(-1)
    assert parse_quantity("1.123456") == Decimal("1.123456")
    with pytest.raises(ValueError, match="six decimals"):
        parse_quantity("1.1234567")
    with pytest.raises(ValueError, match="not a quantity"):
        parse_quantity("two")
    with pytest.raises(ValueError, match="six decimals"):
        parse_quantity("NaN")


@pytest.mark.parametrize(
    ("quantity", "text"),
    [
        (Decimal("2.000"), "2"),
        (Decimal("-1"), "-1"),
        (Decimal("0.4560"), "0.456"),
        (Decimal("-0"), "0"),
        (Decimal("1E+1"), "10"),
    ],
)
def test_format_quantity(quantity: Decimal, text: str) -> None:
    assert format_quantity(quantity) == text


# --------------------------------------------------------------------------- VAT


@pytest.mark.parametrize(
    ("gross", "rate_bp", "vat"),
    [
        (12500, 2500, 2500),  # 125.00 incl. 25 % -> 25.00
        (11500, 1500, 1500),
        (11200, 1200, 1200),
        (2190, 1500, 286),  # 21.90 * 15/115 = 2.8565... -> 2.86
        (-2190, 1500, -286),
        (4500, 0, 0),
        (1, 2500, 0),  # 0.2 øre
        (3, 2500, 1),  # 0.6 øre
        (-3, 2500, -1),
        (5, 2500, 1),  # exactly 1 øre
        (0, 2500, 0),
    ],
)
def test_vat_of_gross_examples(gross: int, rate_bp: int, vat: int) -> None:
    assert vat_of_gross(gross, rate_bp) == vat
    assert net_of_gross(gross, rate_bp) == gross - vat


def test_vat_rounds_half_away_from_zero() -> None:
    # at 100 % the VAT is half the gross: 9 øre -> 4.5 øre -> 5 (and -9 -> -5, never -4)
    assert vat_of_gross(9, 10000) == 5
    assert vat_of_gross(-9, 10000) == -5
    assert vat_of_gross(7, 10000) == 4
    assert vat_of_gross(-7, 10000) == -4


@given(ORE, RATES)
def test_vat_within_rounding_of_exact(gross: int, rate_bp: int) -> None:
    vat = vat_of_gross(gross, rate_bp)
    exact = Fraction(gross * rate_bp, 10000 + rate_bp)
    assert abs(vat - exact) <= Fraction(1, 2)
    assert net_of_gross(gross, rate_bp) + vat == gross


@given(ORE, RATES)
def test_vat_of_return_mirrors_sale(gross: int, rate_bp: int) -> None:
    assert vat_of_gross(-gross, rate_bp) == -vat_of_gross(gross, rate_bp)
    assert net_of_gross(-gross, rate_bp) == -net_of_gross(gross, rate_bp)


@given(st.integers(min_value=0, max_value=10**10), RATES)
def test_vat_has_the_sign_of_the_amount_and_is_smaller(gross: int, rate_bp: int) -> None:
    vat = vat_of_gross(gross, rate_bp)
    assert 0 <= vat <= gross
    if rate_bp == 0:
        assert vat == 0


# --------------------------------------------------------------------------- cash rounding


@pytest.mark.parametrize(
    ("ore", "cash"),
    [
        (29540, 29500),
        (29550, 29600),
        (29549, 29500),
        (4380, 4400),
        (-4350, -4400),
        (-4349, -4300),
        (0, 0),
        (49, 0),
        (50, 100),
        (-50, -100),
        (100, 100),
    ],
)
def test_round_cash_examples(ore: int, cash: int) -> None:
    assert round_cash(ore) == cash


@given(ORE)
def test_round_cash_whole_kroner_within_50_ore(ore: int) -> None:
    cash = round_cash(ore)
    assert cash % 100 == 0
    assert abs(cash - ore) <= 50
    assert round_cash(-ore) == -cash
    assert round_cash(cash) == cash


# --------------------------------------------------------------------------- line amounts


@pytest.mark.parametrize(
    ("quantity", "price", "amount"),
    [
        (Decimal(2), 2190, 4380),
        (Decimal("0.456"), 3290, 1500),  # 1500.24 -> 1500
        (Decimal("0.5"), 3, 2),  # 1.5 -> 2 (half away from zero)
        (Decimal("-0.5"), 3, -2),
        (Decimal("-1"), 11600, -11600),
    ],
)
def test_line_amount_examples(quantity: Decimal, price: int, amount: int) -> None:
    assert line_amount(quantity, price) == amount


@given(QUANTITIES, PRICES)
def test_line_amount_of_negated_quantity_is_negated(quantity: Decimal, price: int) -> None:
    amount = line_amount(quantity, price)
    assert line_amount(-quantity, price) == -amount
    assert abs(amount - Fraction(quantity) * price) <= Fraction(1, 2)
