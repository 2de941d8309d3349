"""A Z (or X) report's figures for unit tests of what is computed from them (settlement, posting)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from reference_till.model import CountAmount, EmpAmount, KeyCountAmount, ReportFigures, VatFigure

AT = datetime(2024, 3, 30, 22, 15, tzinfo=ZoneInfo("Europe/Oslo"))


def make_z(
    *,
    report_type: Literal["X", "Z"] = "Z",
    opening_float: int = 200000,
    payments: tuple[KeyCountAmount, ...] = (),
    pay_ins: tuple[KeyCountAmount, ...] = (),
    pay_outs: tuple[KeyCountAmount, ...] = (),
    vat: tuple[VatFigure, ...] = (),
) -> ReportFigures:
    empty = CountAmount()
    return ReportFigures(
        report_type=report_type,
        report_id=f"K1-{report_type}0001",
        number=1,
        company_name="Kassakontroll Demobutikk AS",
        company_ident="999999999",
        at=AT,
        register_id="K1",
        system_id="KK-REF-0001",
        total_cash_sales=sum(f.base + f.vat for f in vat),
        art_groups=(),
        emp_art_groups=(),
        payments=payments,
        emp_payments=(),
        vat=vat,
        opening_float=opening_float,
        emp_opening_floats=(EmpAmount("1001", opening_float),),
        receipts=0,
        drawer_openings=0,
        copies=empty,
        provisional=empty,
        returns=empty,
        discounts=empty,
        voids=empty,
        line_corrections=(),
        price_lookups=(),
        other_corrections=(),
        deliveries=empty,
        training=empty,
        grand_total_sales=0,
        grand_total_returns=0,
        grand_total_net=0,
        credit_sales=empty,
        credit_memos=empty,
        pay_ins=pay_ins,
        pay_outs=pay_outs,
    )
