"""Tests of the SAF-T Cash Register export (kassasystemforskrifta § 2-7 første ledd, SAFT-1..11)."""

from __future__ import annotations

import dataclasses
import io
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from harness.saft_spec import NAMESPACE, schema_path
from reference_till import codes
from reference_till.codes import EventType
from reference_till.config import TillConfig, load_config
from reference_till.model import (
    CashTransaction,
    CountAmount,
    Discount,
    EmpAmount,
    EmpCountAmount,
    Event,
    JournalEntry,
    KeyCountAmount,
    Line,
    Payment,
    ReportFigures,
    Series,
    TransactionKind,
    VatFigure,
    VatTotal,
    trans_id,
)
from reference_till.money import line_amount, parse_amount, vat_of_gross
from reference_till.saft_export import ExportSummary, export_saft, saft_file_name, write_saft

OSLO = ZoneInfo("Europe/Oslo")
DAY = date(2026, 11, 21)
CREATED = datetime(2026, 11, 22, 6, 30, 5, tzinfo=OSLO)
N = f"{{{NAMESPACE}}}"
NS = {"s": NAMESPACE}
SIG = "c2lnbmF0dXJl" * 14 + "AA=="
EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example_999999999_20210330104000.xml"


@pytest.fixture(scope="module")
def config() -> TillConfig:
    return load_config()


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(file=str(schema_path()))


# --------------------------------------------------------------------------- building records


class ListSource:
    """A JournalSource over a list, filtering like the real journal."""

    def __init__(self, entries: list[JournalEntry]) -> None:
        self._entries = entries
        self.calls = 0

    def entries(
        self,
        *,
        register_id: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> Iterator[JournalEntry]:
        self.calls += 1
        for entry in self._entries:
            day = entry.record.at.date()
            if register_id is not None and entry.record.register_id != register_id:
                continue
            if (start is not None and day < start) or (end is not None and day > end):
                continue
            yield entry


def at(hh: int, mm: int, ss: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=OSLO)


def mk_line(
    config: TillConfig,
    line_id: int,
    art_id: str,
    qty: str,
    when: datetime,
    *,
    discounts: tuple[Discount, ...] = (),
    emp_id: str = "1001",
    description: str | None = None,
) -> Line:
    art = config.article(art_id)
    rate = config.vat(art.vat_code).rate_bp
    quantity = Decimal(qty)
    amount = line_amount(quantity, art.price) - sum(d.amount for d in discounts)
    vat = vat_of_gross(amount, rate)
    line_type: Literal["SAL", "RET"] = "RET" if quantity < 0 else "SAL"
    return Line(
        line_id=line_id,
        line_type=line_type,
        art_id=art_id,
        art_group_id=art.group_id,
        description=art.description if description is None else description,
        quantity=quantity,
        unit_price=art.price,
        vat_code=art.vat_code,
        vat_rate_bp=rate,
        amount_in=amount,
        amount_ex=amount - vat,
        vat_amount=vat,
        emp_id=emp_id,
        at=when,
        discounts=discounts,
    )


def mk_tx(
    register_id: str,
    nr: int,
    kind: TransactionKind,
    series: Series,
    number: int,
    when: datetime,
    *,
    lines: tuple[Line, ...] = (),
    amount: int | None = None,
    payments: tuple[Payment, ...] = (),
    rounding: int = 0,
    **extra: object,
) -> CashTransaction:
    totals: dict[str, VatTotal] = {}
    for line in lines:
        old = totals.get(line.vat_code, VatTotal(line.vat_code, line.vat_rate_bp, 0, 0))
        totals[line.vat_code] = VatTotal(
            line.vat_code, line.vat_rate_bp, old.base + line.amount_ex, old.vat + line.vat_amount
        )
    amount_in = sum(line.amount_in for line in lines) if amount is None else amount
    amount_ex = sum(line.amount_ex for line in lines) if amount is None else amount
    return CashTransaction(
        register_id=register_id,
        nr=nr,
        trans_id=trans_id(register_id, series, number),
        kind=kind,
        series=series,
        number=number,
        amount_in=amount_in,
        amount_ex=amount_ex,
        emp_id="1001",
        at=when,
        signature=SIG,
        key_version="1",
        lines=lines,
        vat_totals=tuple(totals.values()),
        rounding=rounding,
        payments=payments,
        **extra,  # type: ignore[arg-type]
    )


def figures(report_type: Literal["X", "Z"], number: int, when: datetime, *, full: bool) -> ReportFigures:
    """Report figures; ``full`` fills the optional lists, otherwise they stay empty."""
    empty = CountAmount()
    return ReportFigures(
        report_type=report_type,
        report_id=f"K1-{report_type}{number:04d}",
        number=number,
        company_name="Kassakontroll Demobutikk AS",
        company_ident="999999999",
        at=when,
        register_id="K1",
        system_id="KK-REF-0001",
        total_cash_sales=51420,
        art_groups=(KeyCountAmount("100", 3, 10280), KeyCountAmount("300", 1, 17940)),
        emp_art_groups=(EmpCountAmount("1001", "100", 3, 10280),) if full else (),
        payments=(KeyCountAmount("CASH", 1, 29500), KeyCountAmount("BAX", 2, 21880)),
        emp_payments=(EmpCountAmount("1001", "CASH", 1, 29500),) if full else (),
        vat=(VatFigure("31", 1500, 8938, 1342), VatFigure("3", 2500, -1000, -250)),
        opening_float=100000,
        emp_opening_floats=(EmpAmount("1001", 100000),) if full else (),
        receipts=4,
        drawer_openings=1,
        copies=CountAmount(1, 14880),
        provisional=empty,
        returns=CountAmount(2, 3280),
        discounts=CountAmount(1, 500),
        voids=CountAmount(1, 4290),
        line_corrections=(KeyCountAmount("LINECORR", 1, -1640),) if full else (),
        price_lookups=(KeyCountAmount("100", 1, 2780),) if full else (),
        other_corrections=(),
        deliveries=CountAmount(1, 41990),
        training=CountAmount(1, 3900),
        grand_total_sales=123456789,
        grand_total_returns=345678,
        grand_total_net=123456789 - 345678,
        credit_sales=CountAmount(1, 41990),
        credit_memos=empty,
        pay_ins=(),
        pay_outs=(KeyCountAmount("PAYOUT", 1, 50000),) if full else (),
        tips=CountAmount(0, 0) if full else None,
    )


def journal(config: TillConfig) -> list[JournalEntry]:
    """A day on K1 and K2 with every kind of record, plus records outside the day."""
    c = config
    card = c.means("BAX")
    cash = c.means("CASH")
    sale1_lines = (
        mk_line(c, 1, "1201", "2", at(9, 0, 5)),  # 25 %
        mk_line(c, 2, "1001", "3", at(9, 0, 10), discounts=(Discount("manual", 500, "Skadd pakke"),)),  # 15 %
        mk_line(c, 3, "5001", "1", at(9, 0, 15)),  # 0 %
    )
    sale1_total = sum(line.amount_in for line in sale1_lines)
    sale2_lines = (
        mk_line(c, 1, "1002", "1", at(9, 20)),
        mk_line(c, 2, "1003", "1", at(9, 20, 5), discounts=(Discount("campaign", 280),)),
    )
    sale2_total = sum(line.amount_in for line in sale2_lines)  # 39.90 + 25.00 = 64.90
    ret_lines = (mk_line(c, 1, "1001", "-1", at(10, 0)),)
    mixed_lines = (mk_line(c, 1, "4001", "1", at(10, 30)), mk_line(c, 2, "1101", "-1", at(10, 30)))
    mixed_total = sum(line.amount_in for line in mixed_lines)
    credit_lines = (mk_line(c, 1, "4010", "1", at(12, 0)),)
    records: list[CashTransaction | Event] = [
        Event("K1", EventType.POS_START, at(8, 0)),
        Event("K1", EventType.LOGIN, at(8, 1), emp_id="1001"),
        mk_tx(
            "K1",
            1,
            TransactionKind.FLOAT,
            Series.CASH,
            1,
            at(8, 2),
            amount=100000,
            description="Inngående veksel",
        ),
        mk_tx(
            "K1",
            2,
            TransactionKind.SALE,
            Series.SALES,
            1,
            at(9, 0, 30),
            lines=sale1_lines,
            payments=(Payment(card.id, sale1_total, "1001", "BAX: 568833-84887556", "BankAxept"),),
        ),
        Event("K1", EventType.SALES_RECEIPT, at(9, 0, 31), "1001", "K1-S000001"),
        Event("K1", EventType.COPY_RECEIPT, at(9, 5), "1001", "K1-S000001"),
        mk_tx(
            "K1",
            3,
            TransactionKind.SALE,
            Series.SALES,
            2,
            at(9, 21),
            lines=sale2_lines,
            payments=(Payment(cash.id, 6500, "1001"),),
            rounding=6500 - sale2_total,
        ),
        Event("K1", EventType.DRAWER_OPEN, at(9, 21, 1), "1001", "K1-S000002"),
        mk_tx(
            "K1",
            4,
            TransactionKind.RETURN,
            Series.SALES,
            3,
            at(10, 0, 20),
            lines=ret_lines,
            payments=(Payment(card.id, ret_lines[0].amount_in, "1001", "BAX: 568833-1"),),
            returns_trans_id="K1-S000001",
        ),
        Event("K1", EventType.RETURN_RECEIPT, at(10, 0, 21), "1001", "K1-S000003"),
        mk_tx(
            "K1",
            5,
            TransactionKind.SALE_RETURN,
            Series.SALES,
            4,
            at(10, 31),
            lines=mixed_lines,
            payments=(Payment(cash.id, mixed_total, "1001"),),
        ),
        mk_tx(
            "K1",
            6,
            TransactionKind.VOID,
            Series.VOID,
            1,
            at(11, 0),
            lines=(mk_line(c, 1, "3001", "1", at(10, 59)),),
            voided_trans_id="K1-S000005",
        ),
        Event("K1", EventType.VOID_RECEIPT, at(11, 0, 1), "1001", "K1-A000001"),
        Event("K1", EventType.TRAINING_ON, at(11, 10), "1001"),
        mk_tx(
            "K1",
            7,
            TransactionKind.TRAINING,
            Series.TRAINING,
            1,
            at(11, 11),
            lines=(mk_line(c, 1, "1201", "1", at(11, 11)),),
            payments=(Payment(cash.id, 3900, "1001"),),
        ),
        Event("K1", EventType.TRAINING_OFF, at(11, 12), "1001"),
        mk_tx(
            "K1",
            8,
            TransactionKind.CREDIT_SALE,
            Series.DELIVERY,
            1,
            at(12, 0, 30),
            lines=credit_lines,
            customer_id="KUNDE-17",
            buyer_name="Ola Kjøper",
            payments=(Payment("CUSTACC", credit_lines[0].amount_in, "1001"),),
        ),
        Event("K1", EventType.DELIVERY_RECEIPT, at(12, 0, 31), "1001", "K1-U000001"),
        mk_tx(
            "K1",
            9,
            TransactionKind.PAY_OUT,
            Series.CASH,
            2,
            at(13, 0),
            amount=-50000,
            payments=(Payment(cash.id, -50000, "1002"),),
            description="Til bank",
        ),
        Event("K1", EventType.CASH_WITHDRAWAL, at(13, 0, 1), "1002", "K1-M000002"),
        Event(
            "K1",
            EventType.PRICE_LOOKUP,
            at(14, 0),
            "1001",
            text="artID 1003; artGroupID 100; lineAmntIn 27.80; lineAmntEx 24.17",
        ),
        Event(
            "K1",
            EventType.X_REPORT,
            at(15, 0),
            "1002",
            report=figures("X", 1, at(15, 0), full=False),
        ),
        Event(
            "K1",
            EventType.Z_REPORT,
            at(23, 0),
            "1002",
            text="Z-rapport",
            report=figures("Z", 1, at(23, 0), full=True),
        ),
        Event("K1", EventType.POS_STOP, at(23, 5), "1002"),
        Event("K2", EventType.POS_START, at(8, 30)),
        mk_tx(
            "K2",
            1,
            TransactionKind.SALE,
            Series.SALES,
            1,
            at(8, 45),
            lines=(mk_line(c, 1, "1201", "1", at(8, 44), emp_id="1002"),),
            payments=(Payment("VIPPS", 3900, "1002", "VIPPS-991"),),
        ),
        Event("K2", EventType.SALES_RECEIPT, at(8, 45, 1), "1002", "K2-S000001"),
        # Outside the period: the day before and the day after.
        Event("K1", EventType.LOGIN, at(7, 0, day=DAY - timedelta(days=1)), emp_id="1001"),
        mk_tx(
            "K1",
            10,
            TransactionKind.SALE,
            Series.SALES,
            5,
            at(9, 0, day=DAY + timedelta(days=1)),
            lines=(mk_line(c, 1, "1001", "1", at(9, 0, day=DAY + timedelta(days=1))),),
            payments=(Payment(cash.id, 2200, "1001"),),
            rounding=10,
        ),
        Event(
            "K1",
            EventType.COPY_RECEIPT,
            at(9, 1, day=DAY + timedelta(days=1)),
            "1001",
            "K1-S000002",
        ),
    ]
    return [JournalEntry(seq, record) for seq, record in enumerate(records, start=1)]


def export(config: TillConfig, entries: list[JournalEntry], **kwargs: object) -> tuple[bytes, ExportSummary]:
    out = io.BytesIO()
    summary = write_saft(
        ListSource(entries),
        config,
        out,
        start=DAY,
        end=DAY,
        created=CREATED,
        **kwargs,  # type: ignore[arg-type]
    )
    return out.getvalue(), summary


def assert_valid(schema: etree.XMLSchema, data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    if not schema.validate(root):
        pytest.fail("SAF-T export does not validate:\n" + "\n".join(str(e) for e in schema.error_log))
    return root


def by_trans_id(root: etree._Element, tid: str) -> etree._Element:
    found = root.xpath(f"//s:cashtransaction[s:transID='{tid}']", namespaces=NS)
    assert isinstance(found, list) and len(found) == 1, tid
    element = found[0]
    assert isinstance(element, etree._Element)
    return element


def texts(root: etree._Element, path: str) -> list[str]:
    return [str(v) for v in root.xpath(path, namespaces=NS)]  # type: ignore[union-attr]


# --------------------------------------------------------------------------- tests


def test_example_file_of_skatteetaten_validates(schema: etree.XMLSchema) -> None:
    """Skatteetaten's own example must pass the schema the export is checked against."""
    assert_valid(schema, EXAMPLE.read_bytes())


def test_export_validates_against_official_xsd(config: TillConfig, schema: etree.XMLSchema) -> None:
    data, summary = export(config, journal(config), user_id="1002")
    root = assert_valid(schema, data)
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert root.tag == f"{N}auditfile" and root.nsmap == {None: NAMESPACE}
    assert summary == ExportSummary(None, registers=2, events=17, transactions=10)
    assert texts(root, "s:header/s:fiscalYear/text()") == ["2026"]
    assert texts(root, "s:header/s:headerComment/text()") == ["Kassapunkter: K1, K2; periode 2026-11-21–2026-11-21"]
    assert texts(root, "s:header/s:userID/text()") == ["1002"]
    assert texts(root, "s:company/s:taxRegIdent/text()") == ["999999999MVA"]
    assert texts(root, "s:company/s:location/s:name/text()") == ["Demobutikken Storgata"]


def test_every_reference_is_declared(config: TillConfig) -> None:
    """The XSD keyrefs (eventType, lineType, empID, artID -> masterfiles), checked by hand.

    The schema's identity constraints use unprefixed XPath in a namespaced schema, so a
    validator does not enforce them; this test does.
    """
    root = etree.fromstring(export(config, journal(config))[0])
    basic_ids = texts(root, "//s:basics/s:basic/s:basicID/text()")
    assert len(basic_ids) == len(set(basic_ids))
    emp_ids = set(texts(root, "//s:employees/s:employee/s:empID/text()"))
    art_ids = set(texts(root, "//s:articles/s:article/s:artID/text()"))
    assert set(texts(root, "//s:event/s:eventType/text()")) <= set(basic_ids)
    assert set(texts(root, "//s:ctLine/s:lineType/text()")) <= set(basic_ids)
    assert set(texts(root, "//s:cashtransaction/s:transType/text()")) <= set(basic_ids)
    assert set(texts(root, "//s:discount/s:dscTp/text()")) == {"MANDSC", "CAMPDSC"} <= set(basic_ids)
    assert set(texts(root, "//s:payment/s:paymentType/text()")) <= set(basic_ids)
    used_emps = texts(root, "//s:event/s:empID/text() | //s:cashtransaction/s:empID/text()")
    used_emps += texts(root, "//s:ctLine/s:empID/text() | //s:eventReport//s:empID/text()")
    assert set(used_emps) <= emp_ids
    assert set(texts(root, "//s:ctLine/s:artID/text()")) <= art_ids
    report_ids = texts(root, "//s:eventReport/s:reportID/text()")
    assert len(report_ids) == len(set(report_ids)) == 2


def test_file_name_and_atomic_export(config: TillConfig, schema: etree.XMLSchema, tmp_path: Path) -> None:
    summary = export_saft(ListSource(journal(config)), config, tmp_path / "out", start=DAY, end=DAY, created=CREATED)
    assert summary.path is not None
    assert summary.path.name == "SAF-T Cash Register_999999999_20261122063005.xml"
    assert re.fullmatch(r"SAF-T Cash Register_\d{9}_\d{14}\.xml", summary.path.name)
    assert [p.name for p in (tmp_path / "out").iterdir()] == [summary.path.name]  # no temp file left
    assert (summary.registers, summary.events, summary.transactions) == (2, 17, 10)
    assert_valid(schema, summary.path.read_bytes())
    assert saft_file_name("123456789", datetime(2021, 3, 30, 10, 40)) == (
        "SAF-T Cash Register_123456789_20210330104000.xml"
    )


def test_failed_export_leaves_no_file(config: TillConfig, tmp_path: Path) -> None:
    bad = [JournalEntry(1, Event("K1", "NOSUCHEVENT", at(9, 0)))]
    with pytest.raises(ValueError, match="NOSUCHEVENT"):
        export_saft(ListSource(bad), config, tmp_path, start=DAY, end=DAY, created=CREATED)
    assert list(tmp_path.iterdir()) == []


def test_unknown_event_type_is_refused_before_writing(config: TillConfig) -> None:
    out = io.BytesIO()
    bad = [*journal(config), JournalEntry(99, Event("K1", "NOSUCHEVENT", at(9, 0)))]
    with pytest.raises(ValueError, match="seq 99: event type 'NOSUCHEVENT'"):
        write_saft(ListSource(bad), config, out, start=DAY, end=DAY, created=CREATED)
    assert out.getvalue() == b""


def test_unconfigured_employee_and_article_are_declared(config: TillConfig, schema: etree.XMLSchema) -> None:
    """An operator or article since removed from the configuration is still declared."""
    line = dataclasses.replace(mk_line(config, 1, "1001", "1", at(9, 0)), art_id="9999", emp_id="7777")
    tx = mk_tx("K1", 1, TransactionKind.SALE, Series.SALES, 1, at(9, 0), lines=(line,))
    root = assert_valid(schema, export(config, [JournalEntry(1, tx)])[0])
    assert "7777" in texts(root, "//s:employees/s:employee/s:empID/text()")
    assert texts(root, "//s:article[s:artID='9999']/s:artDesc/text()") == ["TineMelk Lett 1 l"]


def test_receipt_counts(config: TillConfig) -> None:
    root = etree.fromstring(export(config, journal(config))[0])
    copies = {
        str(tx.findtext(f"{N}transID")): tx.findtext(f"{N}receiptCopyNum") for tx in root.iter(f"{N}cashtransaction")
    }
    assert copies.pop("K1-S000001") == "1"
    assert set(copies.values()) == {"0"}  # the copy of K1-S000002 was printed the day after
    sale = by_trans_id(root, "K1-S000001")
    assert sale.findtext(f"{N}receiptNum") == "1"
    assert sale.findtext(f"{N}paymentRefID") is None
    assert sale.findtext(f"{N}payment/{N}paymentRefID") == "BAX: 568833-84887556"
    credit = by_trans_id(root, "K1-U000001")
    assert (credit.findtext(f"{N}receiptNum"), credit.findtext(f"{N}receiptDeliveryNum")) == (
        "0",
        "1",
    )
    assert credit.findtext(f"{N}custSupID") == "KUNDE-17"
    assert credit.findtext(f"{N}desc") == "Kjøpers navn: Ola Kjøper"
    void = by_trans_id(root, "K1-A000001")
    assert (void.findtext(f"{N}voidTransaction"), void.findtext(f"{N}receiptNum")) == ("true", "0")
    assert void.findtext(f"{N}refID") == "K1-S000005"
    assert void.find(f"{N}rounding") is None  # no payments, no rounding
    training = by_trans_id(root, "K1-T000001")
    assert (training.findtext(f"{N}trainingID"), training.findtext(f"{N}receiptNum")) == (
        "true",
        "1",
    )
    assert training.findtext(f"{N}transType") == "CASHSAL"


def test_transaction_content(config: TillConfig) -> None:
    root = etree.fromstring(export(config, journal(config))[0])
    sale = by_trans_id(root, "K1-S000001")
    lines = sale.findall(f"{N}ctLine")
    assert [ln.findtext(f"{N}vat/{N}vatPerc") for ln in lines] == ["25.00", "15.00", "0.00"]
    assert [ln.findtext(f"{N}nr") for ln in lines] == ["2", "2", "2"]
    assert lines[1].findtext(f"{N}discount/{N}dscTp") == "MANDSC"
    assert lines[1].findtext(f"{N}discount/{N}dscAmnt") == "5.00"
    assert lines[1].findtext(f"{N}qnt") == "3" and lines[1].findtext(f"{N}ppu") == "21.90"
    assert lines[1].findtext(f"{N}lineAmntIn") == "60.70"
    assert sum(parse_amount(str(ln.findtext(f"{N}lineAmntIn"))) for ln in lines) == parse_amount(
        str(sale.findtext(f"{N}transAmntIn"))
    )
    assert len(sale.findall(f"{N}vat")) == 3
    cash = by_trans_id(root, "K1-S000002")
    assert cash.findtext(f"{N}rounding/{N}roundingAmnt") == "0.10"
    assert cash.findtext(f"{N}payment/{N}paidAmnt") == "65.00"
    assert cash.findtext(f"{N}payment/{N}exchRt") == "1.000000"
    assert cash.find(f"{N}payment/{N}paymentRefID") is not None  # empty element, as in the example
    ret = by_trans_id(root, "K1-S000003")
    assert (ret.findtext(f"{N}transType"), ret.findtext(f"{N}amntTp")) == ("RETURNSAL", "D")
    assert ret.findtext(f"{N}ctLine/{N}qnt") == "-1"
    assert ret.findtext(f"{N}ctLine/{N}vat/{N}vatAmntTp") == "D"
    assert ret.findtext(f"{N}refID") == "K1-S000001"
    mixed = by_trans_id(root, "K1-S000004")
    assert mixed.findtext(f"{N}transType") == "SALRETURN"
    assert [ln.findtext(f"{N}lineType") for ln in mixed.findall(f"{N}ctLine")] == ["SAL", "RET"]
    payout = by_trans_id(root, "K1-M000002")
    assert (payout.findtext(f"{N}transType"), payout.findtext(f"{N}transAmntIn")) == (
        "PAYOUT",
        "-500.00",
    )
    assert payout.findtext(f"{N}desc") == "Til bank"
    assert by_trans_id(root, "K1-M000001").findtext(f"{N}transType") == "FLOAT"
    assert sale.findtext(f"{N}signature") == SIG and sale.findtext(f"{N}keyVersion") == "1"
    # XSD order of the first elements and the last ones.
    tags = [etree.QName(e).localname for e in sale]
    assert tags[:9] == [
        "nr",
        "transID",
        "transType",
        "transAmntIn",
        "transAmntEx",
        "amntTp",
        "empID",
        "transDate",
        "transTime",
    ]
    assert tags[-8:] == [
        "signature",
        "keyVersion",
        "receiptNum",
        "receiptCopyNum",
        "receiptProformaNum",
        "receiptDeliveryNum",
        "voidTransaction",
        "trainingID",
    ]


def test_events(config: TillConfig) -> None:
    root = etree.fromstring(export(config, journal(config))[0])
    k1 = root.find(f".//{N}cashregister")
    assert k1 is not None
    events = k1.findall(f"{N}event")
    assert [e.findtext(f"{N}eventID") for e in events] == sorted(
        (e.findtext(f"{N}eventID") for e in events), key=lambda s: int(str(s))
    )
    lookup = [e for e in events if e.findtext(f"{N}eventType") == "PRICELOOKUP"]
    assert lookup[0].findtext(f"{N}eventText") == "artID 1003; artGroupID 100; lineAmntIn 27.80; lineAmntEx 24.17"
    copy = [e for e in events if e.findtext(f"{N}eventType") == "COPYREC"]
    assert [(c.findtext(f"{N}transID"), c.findtext(f"{N}eventTime")) for c in copy] == [("K1-S000001", "09:05:00")]
    # all events come before the first cashtransaction (XSD sequence)
    tags = [etree.QName(e).localname for e in k1]
    assert tags.index("cashtransaction") > max(i for i, t in enumerate(tags) if t == "event")


def test_period_filter(config: TillConfig) -> None:
    root = etree.fromstring(export(config, journal(config))[0])
    assert "K1-S000005" not in texts(root, "//s:cashtransaction/s:transID/text()")
    assert set(texts(root, "//s:eventDate/text() | //s:transDate/text()")) == {"2026-11-21"}
    assert texts(root, "s:header/s:startDate/text()") == texts(root, "s:header/s:endDate/text()") == ["2026-11-21"]


def test_event_report_round_trip(config: TillConfig) -> None:
    root = etree.fromstring(export(config, journal(config))[0])
    z_fig = figures("Z", 1, at(23, 0), full=True)
    (z,) = root.iterfind(f".//{N}eventReport[{N}reportType='Z report']")
    (x,) = root.iterfind(f".//{N}eventReport[{N}reportType='X report']")
    assert parse_amount(str(z.findtext(f"{N}reportGrandTotalSales"))) == z_fig.grand_total_sales
    assert parse_amount(str(z.findtext(f"{N}reportGrandTotalReturn"))) == z_fig.grand_total_returns
    assert parse_amount(str(z.findtext(f"{N}reportGrandTotalSalesNet"))) == z_fig.grand_total_net
    assert z.findtext(f"{N}reportID") == "K1-Z0001" and z.findtext(f"{N}registerID") == "K1"
    assert (z.findtext(f"{N}reportDate"), z.findtext(f"{N}reportTime")) == (
        "2026-11-21",
        "23:00:00",
    )
    assert z.findtext(f"{N}reportTotalCashSales/{N}totalCashSaleAmnt") == "514.20"
    groups = {
        g.findtext(f"{N}artGroupID"): (
            g.findtext(f"{N}artGroupNum"),
            g.findtext(f"{N}artGroupAmnt"),
        )
        for g in z.iterfind(f"{N}reportArtGroups/{N}reportArtGroup")
    }
    assert list(groups) == [g.id for g in config.article_groups]
    assert groups["100"] == ("3", "102.80") and groups["200"] == ("0", "0.00")
    payments = [p.findtext(f"{N}paymentType") for p in z.iterfind(f"{N}reportPayments/{N}reportPayment")]
    assert payments == [m.id for m in config.payment_means]
    vat = {
        v.findtext(f"{N}vatCode"): [t.text for t in v]
        for v in z.iterfind(f"{N}reportCashSalesVat/{N}reportCashSaleVat")
    }
    assert vat == {
        "3": ["3", "25.00", "-10.00", "-2.50", "D"],
        "31": ["31", "15.00", "89.38", "13.42", "C"],
        "33": ["33", "12.00", "0.00", "0.00", "C"],
        "5": ["5", "0.00", "0.00", "0.00", "C"],
    }
    assert z.findtext(f"{N}reportCorrLines/{N}reportCorrLine/{N}corrLineAmnt") == "-16.40"
    assert z.findtext(f"{N}reportPayOuts/{N}reportPayOut/{N}payOutType") == "PAYOUT"
    assert z.findtext(f"{N}reportTip/{N}tipNum") == "0"
    assert z.findtext(f"{N}reportEmpOpeningChangeFloats/{N}reportEmpOpeningChangeFloat/{N}empID") == "1001"
    assert (z.findtext(f"{N}reportVoidTransNum"), z.findtext(f"{N}reportVoidTransAmnt")) == (
        "1",
        "42.90",
    )
    assert (z.findtext(f"{N}reportReceiptDeliveryNum"), z.findtext(f"{N}reportTrainingAmnt")) == (
        "1",
        "39.00",
    )
    assert z.findtext(f"{N}reportCreditSales/{N}creditSalesAmnt") == "419.90"
    # the X report has empty lists: "None" rows where the XSD wants a child, nothing where optional
    for group, row in (
        ("reportCorrLines", "reportCorrLine"),
        ("reportPriceInquiries", "reportPriceInquiry"),
        ("reportOtherCorrs", "reportOtherCorr"),
        ("reportPayIns", "reportPayIn"),
        ("reportPayOuts", "reportPayOut"),
    ):
        (none_row,) = x.iterfind(f"{N}{group}/{N}{row}")
        assert [t.text for t in none_row] == ["None", "0", "0.00"], group
    for optional in (
        "reportEmpArtGroups",
        "reportEmpPayments",
        "reportTip",
        "reportEmpOpeningChangeFloats",
    ):
        assert x.find(f"{N}{optional}") is None
    # all XSD elements, in order (the report's full element list is checked by the XSD too)
    assert [etree.QName(e).localname for e in z][:10] == [
        "reportID",
        "reportType",
        "companyIdent",
        "companyName",
        "reportDate",
        "reportTime",
        "registerID",
        "reportTotalCashSales",
        "reportArtGroups",
        "reportEmpArtGroups",
    ]


def test_two_registers_keep_their_own_records(config: TillConfig) -> None:
    root = etree.fromstring(export(config, journal(config))[0])
    registers = root.findall(f".//{N}location/{N}cashregister")
    assert [r.findtext(f"{N}registerID") for r in registers] == ["K1", "K2"]
    assert [r.findtext(f"{N}regDesc") for r in registers] == [r.description for r in config.registers]
    for register in registers:
        rid = str(register.findtext(f"{N}registerID"))
        trans = [str(t.findtext(f"{N}transID")) for t in register.iterfind(f"{N}cashtransaction")]
        assert trans and all(t.startswith(f"{rid}-") for t in trans)
        event_trans = [str(t) for t in register.xpath("s:event/s:transID/text()", namespaces=NS)]  # type: ignore[union-attr]
        assert all(t.startswith(f"{rid}-") for t in event_trans)
    assert len(registers[1].findall(f"{N}cashtransaction")) == 1
    assert len(registers[1].findall(f"{N}event")) == 2


def test_register_only_in_journal_is_exported(config: TillConfig, schema: etree.XMLSchema) -> None:
    entries = [JournalEntry(1, Event("K9", EventType.POS_START, at(8, 0)))]
    data, summary = export(config, entries)
    root = assert_valid(schema, data)
    assert texts(root, "//s:cashregister/s:registerID/text()") == ["K1", "K2", "K9"]
    assert summary.registers == 3 and summary.events == 1


def test_odd_text_is_cleaned_and_cut(config: TillConfig, schema: etree.XMLSchema) -> None:
    long = "Lang tekst æøå " * 14  # 210 characters
    line = mk_line(config, 1, "1001", "1", at(9, 0), description=long[:200])
    tx = mk_tx(
        "K1",
        1,
        TransactionKind.CREDIT_SALE,
        Series.DELIVERY,
        1,
        at(9, 0),
        lines=(line,),
        description=long[:200] + "\x00\x07\x1b[0m",
        customer_id=long,
        buyer_name="Kari\x0bNordmann",
        payments=(Payment("CUSTACC", line.amount_in, "1001", reference=long * 10),),
    )
    event = Event("K1", EventType.PRICE_LOOKUP, at(9, 1), "1001", text="x\ud800y" + "z" * 10000)
    odd_config = dataclasses.replace(
        config,
        company=dataclasses.replace(config.company, name="Firma " * 40),
        location_name="\x01" + long,
    )
    data, _ = export(odd_config, [JournalEntry(1, tx), JournalEntry(2, event)])
    root = assert_valid(schema, data)
    desc = by_trans_id(root, "K1-U000001").findtext(f"{N}desc")
    assert desc == long[:200] + "\ufffd\ufffd\ufffd[0m; Kjøpers navn: Kari\ufffdNordmann"
    assert by_trans_id(root, "K1-U000001").findtext(f"{N}ctLine/{N}cashTransLineDescr") == long[:200]
    cust = str(by_trans_id(root, "K1-U000001").findtext(f"{N}custSupID"))
    assert len(cust) == 35 and cust.endswith("…")
    assert len(texts(root, "//s:paymentRefID/text()")[0]) == 999
    assert len(texts(root, "s:company/s:companyName/text()")[0]) == 100
    text = texts(root, "//s:eventText/text()")[0]
    assert len(text) == 9999 and text.startswith("x\ufffdy")


def test_bad_period_is_refused(config: TillConfig) -> None:
    with pytest.raises(ValueError, match="after it ends"):
        write_saft(
            ListSource([]),
            config,
            io.BytesIO(),
            start=DAY,
            end=DAY - timedelta(days=1),
            created=CREATED,
        )


def test_empty_period_validates(config: TillConfig, schema: etree.XMLSchema) -> None:
    data, summary = export(config, [])
    assert_valid(schema, data)
    assert summary == ExportSummary(None, 2, 0, 0)


class GeneratedSource:
    """A JournalSource that generates ``n`` small sales per call, never as a list."""

    def __init__(self, config: TillConfig, n: int, probe: Callable[[], int]) -> None:
        self.n = n
        self.line = mk_line(config, 1, "1201", "1", at(10, 0))
        self.probe = probe
        self.written_at_half: list[int] = []

    def entries(
        self,
        *,
        register_id: str | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> Iterator[JournalEntry]:
        if register_id not in (None, "K1"):
            return
        for i in range(1, self.n + 1):
            if register_id == "K1" and i == self.n // 2:
                self.written_at_half.append(self.probe())
            when = at(10, 0) + timedelta(seconds=i)
            tx = CashTransaction(
                "K1",
                i,
                f"K1-S{i:06d}",
                TransactionKind.SALE,
                Series.SALES,
                i,
                3900,
                3120,
                "1001",
                when,
                SIG,
                "1",
                (self.line,),
                (VatTotal("3", 2500, 3120, 780),),
                0,
                (Payment("BAX", 3900, "1001", f"BAX: {i}"),),
            )
            yield JournalEntry(2 * i - 1, tx)
            yield JournalEntry(2 * i, Event("K1", EventType.SALES_RECEIPT, when, "1001", f"K1-S{i:06d}"))


def test_streaming_export_of_many_transactions(config: TillConfig, tmp_path: Path) -> None:
    n = 20_000
    path = tmp_path / "big.xml"
    started = time.perf_counter()
    with path.open("wb") as out:
        source = GeneratedSource(config, n, out.tell)
        summary = write_saft(source, config, out, start=DAY, end=DAY, created=CREATED)
    elapsed = time.perf_counter() - started
    assert (summary.events, summary.transactions) == (n, n)
    # Output reached the file while the journal was still being read: pass 2 (events)
    # and pass 3 (transactions) each probe at the half-way record.
    size = path.stat().st_size
    assert len(source.written_at_half) == 2
    assert 0 < source.written_at_half[0] < source.written_at_half[1] < size
    counts: Counter[str] = Counter()
    for _, element in etree.iterparse(str(path), events=("end",), tag=(f"{N}event", f"{N}cashtransaction")):
        counts[etree.QName(element).localname] += 1
        element.clear()
    assert counts == {"event": n, "cashtransaction": n}
    assert elapsed < 10, f"export of {n} transactions took {elapsed:.1f} s"


def test_basic_id_collision_is_a_config_error(config: TillConfig) -> None:
    from reference_till.config import ConfigError, PaymentMeans

    clash = dataclasses.replace(
        config,
        payment_means=(*config.payment_means, PaymentMeans("FLOAT", "Veksel", "12999", "cash")),
    )
    with pytest.raises(ConfigError, match="FLOAT"):
        write_saft(ListSource([]), clash, io.BytesIO(), start=DAY, end=DAY, created=CREATED)


def test_codes_basics_are_all_declared(config: TillConfig) -> None:
    root = etree.fromstring(export(config, [])[0])
    declared = set(texts(root, "//s:basic/s:basicID/text()"))
    assert set(codes.EVENT_BASICS) <= declared
    assert {b.basic_id for b in codes.TRANSACTION_BASICS.values()} <= declared
    assert {g.id for g in config.article_groups} | {m.id for m in config.payment_means} <= declared
