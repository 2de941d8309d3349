"""Tests of the daily settlement (bokføringsforskrifta § 5-3-14, Skatteinfo 1/2011)."""

from __future__ import annotations

from typing import Any

import pytest

from reference_till.config import TillConfig, load_config
from reference_till.model import (
    DenominationCount,
    KeyCountAmount,
    ReportFigures,
)
from reference_till.settlement import DENOMINATIONS, SettlementError, compute_settlement
from tests.unit.z_figures import AT, make_z


@pytest.fixture(scope="module")
def config() -> TillConfig:
    return load_config()


DAY_PAYMENTS = (
    KeyCountAmount("CASH", 12, 154300),
    KeyCountAmount("BAX", 30, 512345),
    KeyCountAmount("CREDCARD", 4, 43210),
    KeyCountAmount("GIFTCARD", 1, 50000),
    KeyCountAmount("VIPPS", 3, 12900),
    KeyCountAmount("CUSTACC", 1, 99000),
)


def counts_for(amount: int) -> dict[int, int]:
    """Greedy count of an amount in whole kroner."""
    out: dict[int, int] = {}
    rest = amount
    for d in DENOMINATIONS:
        out[d], rest = divmod(rest, d)
    assert rest == 0
    return out


def settle(z: ReportFigures, config: TillConfig, **kwargs: Any) -> Any:
    args: dict[str, Any] = {"number": 1, "at": AT, "counted_by": "1001", "counts": {}}
    args.update(kwargs)
    return compute_settlement(z, config, **args)


def test_denominations_are_norwegian_notes_and_coins() -> None:
    assert DENOMINATIONS == (100000, 50000, 20000, 10000, 5000, 2000, 1000, 500, 100)


def test_expected_cash_is_float_plus_cash_sales_minus_payouts_plus_payins(
    config: TillConfig,
) -> None:
    z = make_z(
        payments=DAY_PAYMENTS,
        pay_outs=(KeyCountAmount("BANK", 1, 100000), KeyCountAmount("UTLEGG", 2, 4500)),
        pay_ins=(KeyCountAmount("VEKSEL", 1, 50000),),
    )
    expected = 200000 + 154300 - (100000 + 4500) + 50000
    s = settle(z, config, counts=counts_for(expected))
    assert s.opening_float == 200000
    assert s.cash_sales == 154300
    assert s.pay_outs == 104500
    assert s.pay_ins == 50000
    assert s.expected_cash == expected
    assert s.counted_total == expected
    assert s.difference == 0
    assert s.explanation == ""
    assert s.z_report_id == "K1-Z0001"
    assert s.register_id == "K1"
    assert s.counted_by == "1001"
    assert s.at == AT
    assert s.number == 1


def test_cash_sales_are_net_of_cash_refunds(config: TillConfig) -> None:
    z = make_z(payments=(KeyCountAmount("CASH", 5, -3000), KeyCountAmount("BAX", 1, 10000)))
    s = settle(z, config, counts=counts_for(200000 - 3000))
    assert s.cash_sales == -3000
    assert s.difference == 0


def test_zero_difference_needs_no_explanation(config: TillConfig) -> None:
    z = make_z(payments=(KeyCountAmount("CASH", 1, 10000),))
    s = settle(z, config, counts=counts_for(210000))
    assert s.difference == 0


def test_difference_without_explanation_names_the_rule(config: TillConfig) -> None:
    z = make_z(payments=(KeyCountAmount("CASH", 1, 10000),))
    with pytest.raises(SettlementError, match=r"§ 5-3-14") as info:
        settle(z, config, counts=counts_for(209000))
    message = str(info.value)
    assert "Skatteinfo 1/2011" in message
    assert "-10.00 NOK" in message
    assert "explanation=" in message
    with pytest.raises(SettlementError, match="explained"):
        settle(z, config, counts=counts_for(209000), explanation="   ")


@pytest.mark.parametrize(("counted", "difference"), [(209000, -1000), (210500, 500)])
def test_explained_difference_is_recorded(config: TillConfig, counted: int, difference: int) -> None:
    z = make_z(payments=(KeyCountAmount("CASH", 1, 10000),))
    s = settle(z, config, counts=counts_for(counted), explanation="Feil veksel gitt kl. 14")
    assert s.difference == difference
    assert s.explanation == "Feil veksel gitt kl. 14"


def test_counted_total_by_denomination(config: TillConfig) -> None:
    z = make_z(opening_float=0)
    counts = {100000: 1, 50000: 2, 20000: 3, 10000: 4, 5000: 5, 2000: 6, 1000: 7, 500: 8, 100: 9}
    s = settle(z, config, counts=counts, explanation="Test")
    total = 100000 + 100000 + 60000 + 40000 + 25000 + 12000 + 7000 + 4000 + 900
    assert s.counted_total == total == 348900
    assert s.counted == tuple(DenominationCount(d, counts[d]) for d in DENOMINATIONS)
    assert sum(row.amount for row in s.counted) == total


def test_missing_denominations_count_as_zero(config: TillConfig) -> None:
    z = make_z(opening_float=70000)
    s = settle(z, config, counts={50000: 1, 2000: 10})
    assert s.counted_total == 70000
    assert [row.denomination for row in s.counted] == list(DENOMINATIONS)
    assert {row.denomination: row.count for row in s.counted if row.count} == {50000: 1, 2000: 10}


@pytest.mark.parametrize("denomination", [200, 50, 2500, 0, -100])
def test_unknown_denomination_is_rejected(config: TillConfig, denomination: int) -> None:
    z = make_z()
    with pytest.raises(SettlementError, match="100000 \\(1000 kr\\)") as info:
        settle(z, config, counts={denomination: 1})
    assert "unknown denomination" in str(info.value)


def test_negative_count_is_rejected(config: TillConfig) -> None:
    with pytest.raises(SettlementError, match=">= 0"):
        settle(make_z(), config, counts={10000: -1})


def test_x_report_is_rejected(config: TillConfig) -> None:
    z = make_z(report_type="X")
    with pytest.raises(SettlementError, match=r"§ 5-3-14.*X report.*Z report"):
        settle(z, config, counts=counts_for(200000))


def test_counted_by_must_be_an_employee(config: TillConfig) -> None:
    with pytest.raises(ValueError, match="employee"):
        settle(make_z(), config, counts=counts_for(200000), counted_by="9999")
    with pytest.raises(SettlementError, match="counted_by"):
        settle(make_z(), config, counts=counts_for(200000), counted_by=" ")


def test_card_difference_against_terminal_totals(config: TillConfig) -> None:
    z = make_z(payments=DAY_PAYMENTS)
    terminal = (KeyCountAmount("BAX", 30, 512345), KeyCountAmount("CREDCARD", 4, 43210))
    s = settle(z, config, counts=counts_for(354300), terminal_totals=terminal)
    assert s.card_totals == (DAY_PAYMENTS[1], DAY_PAYMENTS[2])
    assert s.terminal_totals == terminal
    assert s.card_difference == 0
    assert s.other_means == DAY_PAYMENTS[3:]

    short = (KeyCountAmount("BAX", 29, 500000), KeyCountAmount("CREDCARD", 4, 43210))
    with pytest.raises(SettlementError, match="terminal"):
        settle(z, config, counts=counts_for(354300), terminal_totals=short)
    s = settle(
        z,
        config,
        counts=counts_for(354300),
        terminal_totals=short,
        explanation="Terminalen var frakoblet ett kjøp",
    )
    assert s.card_difference == 12345


def test_no_terminal_totals_means_no_card_difference(config: TillConfig) -> None:
    z = make_z(payments=DAY_PAYMENTS)
    s = settle(z, config, counts=counts_for(354300))
    assert s.card_difference == 0
    assert s.terminal_totals == ()
    assert sum(r.amount for r in s.card_totals) == 555555


def test_terminal_totals_must_be_card_means(config: TillConfig) -> None:
    z = make_z(payments=DAY_PAYMENTS)
    with pytest.raises(SettlementError, match="BAX, CREDCARD"):
        settle(
            z,
            config,
            counts=counts_for(354300),
            terminal_totals=(KeyCountAmount("VIPPS", 3, 12900),),
        )


def test_unknown_means_in_z_report_is_rejected(config: TillConfig) -> None:
    z = make_z(payments=(KeyCountAmount("BITCOIN", 1, 100),))
    with pytest.raises(SettlementError, match=r"BITCOIN.*payment_means"):
        settle(z, config, counts=counts_for(200000))
