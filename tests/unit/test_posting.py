"""Tests of the day's posting (bilag) and its CSV export."""

from __future__ import annotations

import csv
import dataclasses
import io
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference_till.config import load_config
from reference_till.model import (
    KeyCountAmount,
    ReportFigures,
    Settlement,
    VatFigure,
)
from reference_till.money import net_of_gross, vat_of_gross
from reference_till.posting import (
    CSV_HEADER,
    PostingError,
    PostingLine,
    day_posting,
    write_posting_csv,
)
from reference_till.settlement import DENOMINATIONS, compute_settlement
from tests.unit.z_figures import AT, make_z

CONFIG = load_config()
VAT_CODES = {"3": 2500, "31": 1500, "33": 1200, "5": 0}


def vat_figure(code: str, gross: int) -> VatFigure:
    rate = VAT_CODES[code]
    return VatFigure(code, rate, net_of_gross(gross, rate), vat_of_gross(gross, rate))


def counts_for(amount: int) -> dict[int, int]:
    """Greedy count of a non-negative amount in whole kroner."""
    out: dict[int, int] = {}
    rest = amount
    for d in DENOMINATIONS:
        out[d], rest = divmod(rest, d)
    assert rest == 0, amount
    return out


def settle(z: ReportFigures, counted: int, explanation: str = "") -> Settlement:
    return compute_settlement(
        z,
        CONFIG,
        number=1,
        at=AT,
        counted_by="1002",
        counts=counts_for(counted),
        explanation=explanation,
    )


def net_by_account(lines: Sequence[PostingLine]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for line in lines:
        out[line.account] += line.debit - line.credit
    return dict(out)


def assert_balanced(lines: Sequence[PostingLine]) -> None:
    assert sum(line.debit for line in lines) == sum(line.credit for line in lines)
    for line in lines:
        assert line.debit >= 0
        assert line.credit >= 0
        assert (line.debit == 0) != (line.credit == 0), line


# Sales of the example day: 1000.00 at 25 %, 500.40 at 15 %, 140.00 at 12 %, 45.00 at 0 %.
SALES = (
    vat_figure("3", 100000),
    vat_figure("31", 50040),
    vat_figure("33", 14000),
    vat_figure("5", 4500),
)
SALES_TOTAL = 100000 + 50040 + 14000 + 4500  # 1685.40
# Cash 300.00 for 300.40 of sales: øreavrunding -0.40.
PAYMENTS = (
    KeyCountAmount("CASH", 3, 30000),
    KeyCountAmount("BAX", 5, 80000),
    KeyCountAmount("CREDCARD", 1, 20000),
    KeyCountAmount("GIFTCARD", 1, 20000),
    KeyCountAmount("VIPPS", 1, 8500),
    KeyCountAmount("CUSTACC", 1, 10000),
)


def example_day(counted_delta: int = 0) -> tuple[ReportFigures, Settlement]:
    z = make_z(
        payments=PAYMENTS,
        vat=SALES,
        pay_outs=(KeyCountAmount("BANK", 1, 100000),),
        pay_ins=(KeyCountAmount("VEKSEL", 1, 20000),),
    )
    expected = 200000 + 30000 - 100000 + 20000
    explanation = "Telt feil veksel" if counted_delta else ""
    return z, settle(z, expected + counted_delta, explanation)


def test_example_day_posting() -> None:
    z, s = example_day()
    lines = day_posting(z, s, CONFIG)
    assert_balanced(lines)
    got = {(line.account, line.description): (line.debit, line.credit) for line in lines}
    assert got[("1900", "Kontant (CASH)")] == (30000, 0)
    assert got[("1940", "Bankkort (BankAxept) (BAX)")] == (80000, 0)
    assert got[("1940", "Kredittkort (Visa, Mastercard) (CREDCARD)")] == (20000, 0)
    assert got[("2900", "Gavekort (GIFTCARD)")] == (20000, 0)
    assert got[("1945", "Vipps (VIPPS)")] == (8500, 0)
    assert got[("1500", "Kundekonto (kreditt) (CUSTACC)")] == (10000, 0)
    assert got[("3000", "Salg 25 %")] == (0, 80000)
    assert got[("2700", "Utgående mva 25 %")] == (0, 20000)
    assert got[("3010", "Salg 15 %")] == (0, 43513)
    assert got[("2700", "Utgående mva 15 %")] == (0, 6527)
    assert got[("3020", "Salg 12 %")] == (0, 12500)
    assert got[("2700", "Utgående mva 12 %")] == (0, 1500)
    assert got[("3100", "Salg avgiftsfritt 0 %")] == (0, 4500)
    assert got[("7790", "Øreavrunding")] == (40, 0)
    assert got[("1920", "Uttak fra kasse (BANK)")] == (100000, 0)
    assert got[("1900", "Uttak fra kasse (BANK)")] == (0, 100000)
    assert got[("1900", "Innskudd i kasse (VEKSEL)")] == (20000, 0)
    assert got[("1920", "Innskudd i kasse (VEKSEL)")] == (0, 20000)
    assert len(lines) == len(got) == 18
    vat_codes = {line.account: line.vat_code for line in lines if line.account.startswith("30")}
    assert vat_codes == {"3000": "3", "3010": "31", "3020": "33"}
    assert all(line.vat_code == "" for line in lines if line.account.startswith("19"))


def test_sales_and_vat_match_the_z_report() -> None:
    z, s = example_day()
    nets = net_by_account(day_posting(z, s, CONFIG))
    assert nets["2700"] == -sum(f.vat for f in SALES)
    assert sum(nets[a] for a in ("3000", "3010", "3020", "3100")) == -sum(f.base for f in SALES)
    assert sum(f.base + f.vat for f in SALES) == SALES_TOTAL


@pytest.mark.parametrize(("delta", "debit_account"), [(-5000, "7799"), (2000, "1900")])
def test_cash_difference_is_posted(delta: int, debit_account: str) -> None:
    z, s = example_day(delta)
    lines = day_posting(z, s, CONFIG)
    assert_balanced(lines)
    diff = [line for line in lines if line.description.startswith("Kassedifferanse")]
    assert len(diff) == 2
    assert {line.account for line in diff} == {"1900", "7799"}
    (debit,) = [line for line in diff if line.debit]
    assert debit.account == debit_account
    assert debit.debit == abs(delta)
    assert "Telt feil veksel" in debit.description
    kind = "underskudd" if delta < 0 else "overskudd"
    assert kind in debit.description
    assert net_by_account(lines)["1900"] == s.counted_total - z.opening_float


def test_net_refund_becomes_a_credit() -> None:
    z = make_z(
        payments=(KeyCountAmount("CASH", 2, -10000), KeyCountAmount("BAX", 1, 5000)),
        vat=(vat_figure("3", -5000),),
    )
    s = settle(z, 200000 - 10000)
    lines = day_posting(z, s, CONFIG)
    assert_balanced(lines)
    cash = [line for line in lines if line.account == "1900"]
    assert cash == [PostingLine("1900", "Kontant (CASH)", 0, 10000)]
    sales = [line for line in lines if line.account == "3000"]
    assert sales == [PostingLine("3000", "Salg 25 %", 4000, 0, "3")]
    assert [line.debit for line in lines if line.account == "2700"] == [1000]


def test_positive_rounding_is_credited() -> None:
    # 99.50 in cash rounds up to 100.00: øreavrunding +0.50 is income.
    z = make_z(payments=(KeyCountAmount("CASH", 1, 10000),), vat=(vat_figure("31", 9950),))
    lines = day_posting(z, settle(z, 210000), CONFIG)
    assert_balanced(lines)
    assert [line for line in lines if line.account == "7790"] == [PostingLine("7790", "Øreavrunding", 0, 50)]


def test_zero_lines_are_dropped() -> None:
    z = make_z(
        payments=(
            KeyCountAmount("CASH", 1, 4500),
            KeyCountAmount("BAX", 0, 0),
            KeyCountAmount("VIPPS", 0, 0),
        ),
        vat=(vat_figure("3", 0), vat_figure("5", 4500)),
        pay_outs=(KeyCountAmount("BANK", 0, 0),),
    )
    lines = day_posting(z, settle(z, 204500), CONFIG)
    assert lines == (
        PostingLine("1900", "Kontant (CASH)", 4500, 0),
        PostingLine("3100", "Salg avgiftsfritt 0 %", 0, 4500, "5"),
    )


def test_empty_day_has_no_lines() -> None:
    z = make_z()
    assert day_posting(z, settle(z, 200000), CONFIG) == ()


def test_inconsistent_z_report_is_rejected() -> None:
    # Payments 1000.00 but sales only 900.00: not øreavrunding.
    z = make_z(payments=(KeyCountAmount("BAX", 1, 100000),), vat=(vat_figure("3", 90000),))
    with pytest.raises(PostingError, match=r"inconsistent.*øreavrunding"):
        day_posting(z, settle(z, 200000), CONFIG)


def test_rounding_without_cash_payment_is_rejected() -> None:
    z = make_z(payments=(KeyCountAmount("BAX", 1, 10000),), vat=(vat_figure("3", 9990),))
    with pytest.raises(PostingError, match="0 cash"):
        day_posting(z, settle(z, 200000), CONFIG)


def test_settlement_of_another_report_is_rejected() -> None:
    z, s = example_day()
    other = dataclasses.replace(s, z_report_id="K1-Z0002")
    with pytest.raises(PostingError, match="K1-Z0002"):
        day_posting(z, other, CONFIG)


def test_missing_sales_account_names_the_key() -> None:
    z, s = example_day()
    accounts = dataclasses.replace(CONFIG.accounts, sales={2500: "3000"})
    config = dataclasses.replace(CONFIG, accounts=accounts)
    with pytest.raises(PostingError, match=r"\[accounts\] sales.*15 %"):
        day_posting(z, s, config)


def test_posting_line_is_one_sided() -> None:
    with pytest.raises(PostingError, match="only one"):
        PostingLine("1900", "x", 1, 1)
    with pytest.raises(PostingError, match=">= 0"):
        PostingLine("1900", "x", -1, 0)


def test_csv_round_trips() -> None:
    z, s = example_day(-5000)
    lines = day_posting(z, s, CONFIG)
    out = io.StringIO()
    write_posting_csv(lines, out, date=date(2024, 3, 30), voucher="Z-K1-0001")
    rows = list(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))
    assert (
        rows[0]
        == list(CSV_HEADER)
        == [
            "dato",
            "bilag",
            "konto",
            "tekst",
            "mvakode",
            "debet",
            "kredit",
        ]
    )
    assert len(rows) == len(lines) + 1
    for row, line in zip(rows[1:], lines, strict=True):
        assert row[0] == "2024-03-30"
        assert row[1] == "Z-K1-0001"
        assert row[2] == line.account
        assert row[3] == line.description
        assert row[4] == line.vat_code
        assert row[5] == f"{line.debit // 100}.{line.debit % 100:02d}"
        assert row[6] == f"{line.credit // 100}.{line.credit % 100:02d}"
    assert ["2024-03-30", "Z-K1-0001", "1900", "Kontant (CASH)", "", "300.00", "0.00"] in rows
    assert ["2024-03-30", "Z-K1-0001", "7790", "Øreavrunding", "", "0.40", "0.00"] in rows
    assert ["2024-03-30", "Z-K1-0001", "3000", "Salg 25 %", "3", "0.00", "800.00"] in rows


def test_csv_quotes_separator_in_text() -> None:
    out = io.StringIO()
    line = PostingLine("7799", "Kassedifferanse: telt feil; sjekket to ganger", 123450, 0)
    write_posting_csv([line], out, date=date(2024, 1, 2), voucher="7")
    rows = list(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))
    assert rows[1] == [
        "2024-01-02",
        "7",
        "7799",
        "Kassedifferanse: telt feil; sjekket to ganger",
        "",
        "1234.50",
        "0.00",
    ]


def test_csv_needs_a_voucher_number() -> None:
    with pytest.raises(PostingError, match="voucher"):
        write_posting_csv([], io.StringIO(), date=date(2024, 1, 2), voucher=" ")


NON_CASH = ("BAX", "CREDCARD", "GIFTCARD", "VIPPS", "CUSTACC")


@st.composite
def days(draw: st.DrawFn) -> tuple[ReportFigures, Settlement]:
    gross = {code: draw(st.integers(0, 5_000_000)) for code in VAT_CODES}
    vat = tuple(vat_figure(code, amount) for code, amount in gross.items())
    total = sum(f.base + f.vat for f in vat)
    rounding = draw(st.integers(-49, 49))
    remaining = total
    payments = []
    for means in NON_CASH:
        amount = draw(st.integers(0, remaining))
        remaining -= amount
        payments.append(KeyCountAmount(means, 1 if amount else 0, amount))
    cash = remaining + rounding
    payments.insert(0, KeyCountAmount("CASH", draw(st.integers(1, 50)), cash))
    opening = draw(st.integers(0, 5000)) * 100
    pay_out = draw(st.integers(0, 100)) * 1000
    pay_in = draw(st.integers(0, 100)) * 1000
    z = make_z(
        opening_float=opening,
        payments=tuple(payments),
        vat=vat,
        pay_outs=(KeyCountAmount("BANK", 1, pay_out),),
        pay_ins=(KeyCountAmount("VEKSEL", 1, pay_in),),
    )
    expected = opening + cash - pay_out + pay_in
    counted = max(0, (expected // 100 + draw(st.integers(-300, 300))) * 100)
    return z, settle(z, counted, explanation="Avvik forklart av kasserer")


@settings(max_examples=300, deadline=None)
@given(days())
def test_posting_always_balances(day: tuple[ReportFigures, Settlement]) -> None:
    z, s = day
    lines = day_posting(z, s, CONFIG)
    assert_balanced(lines)
    nets = net_by_account(lines)
    assert nets.get("1900", 0) == s.counted_total - z.opening_float
    assert nets.get("7799", 0) == -s.difference
    sales_total = sum(f.base + f.vat for f in z.vat)
    payments_total = sum(p.amount for p in z.payments)
    assert -nets.get("7790", 0) == payments_total - sales_total
    out = io.StringIO()
    write_posting_csv(lines, out, date=date(2024, 3, 30), voucher="1")
    rows = list(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))
    assert len(rows) == len(lines) + 1
