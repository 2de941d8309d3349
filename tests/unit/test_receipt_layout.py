"""Tests of the printed documents (kassasystemforskrifta § 2-8-2 … § 2-8-8) as ESC/POS bytes.

The helper :func:`walk` is a deliberately small ESC/POS reader for exactly the commands
the layouts emit. It tracks ``ESC @``, ``ESC !``, ``GS !`` and ``ESC t`` and returns
each printed line with its height multiplier and its width in normal-size columns;
any other command fails the test, so the layouts stay inside a subset a verifier reads.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference_till.config import TillConfig, load_config
from reference_till.escpos_sink import SinkPrinter, encode_text
from reference_till.markings import MARKINGS, marking
from reference_till.model import (
    CashTransaction,
    CountAmount,
    DenominationCount,
    Discount,
    EmpAmount,
    EmpCountAmount,
    KeyCountAmount,
    Line,
    Payment,
    ReportFigures,
    Series,
    Settlement,
    TransactionKind,
    VatFigure,
    VatTotal,
)
from reference_till.money import format_nok, line_amount, vat_of_gross
from reference_till.receipt_layout import (
    DocumentKind,
    ReceiptDocument,
    document_for,
    render_receipt,
    render_report,
    render_settlement,
)

OSLO = ZoneInfo("Europe/Oslo")
AT = datetime(2026, 11, 21, 18, 0, 0, tzinfo=OSLO)


# --------------------------------------------------------------------------- ESC/POS reader


@dataclass
class Printed:
    """One printed line: decoded text, tallest/shortest height multiplier, columns used."""

    text: str
    height: int
    min_height: int
    columns: int


@dataclass
class Walk:
    lines: list[Printed]
    cuts: int
    ends_with_cut: bool
    code_page_before_text: bool


def walk(data: bytes) -> Walk:
    """Split ESC/POS bytes into printed lines with the character size of each."""
    height = width = 1
    table = 0
    saw_text = False
    code_page_before_text = True
    lines: list[Printed] = []
    buf = bytearray()
    heights: list[int] = []
    columns = 0
    cuts = 0
    last_was_cut = False

    def flush() -> None:
        nonlocal columns
        if buf and table != 5:
            raise AssertionError("text printed while the code page is not PC865 (ESC t 5)")
        lines.append(
            Printed(
                bytes(buf).decode("cp865"),
                max(heights, default=height),
                min(heights, default=height),
                columns,
            )
        )
        buf.clear()
        heights.clear()
        columns = 0

    i = 0
    while i < len(data):
        b = data[i]
        last_was_cut = False
        if b == 0x1B:
            cmd = data[i + 1]
            if cmd == 0x40:  # ESC @
                height = width = 1
                table = 0
                i += 2
            elif cmd == 0x21:  # ESC ! n
                n = data[i + 2]
                height = 2 if n & 0x10 else 1
                width = 2 if n & 0x20 else 1
                i += 3
            elif cmd == 0x74:  # ESC t n
                table = data[i + 2]
                i += 3
            elif cmd == 0x64:  # ESC d n: print and feed
                if buf:
                    flush()
                i += 3
            elif cmd in (0x61, 0x45):  # ESC a n, ESC E n
                i += 3
            else:
                raise AssertionError(f"unexpected command ESC {cmd:#04x} at {i}")
        elif b == 0x1D:
            cmd = data[i + 1]
            if cmd == 0x21:  # GS ! n
                n = data[i + 2]
                height = (n & 0x07) + 1
                width = ((n >> 4) & 0x07) + 1
                i += 3
            elif cmd == 0x56:  # GS V m [n]
                m = data[i + 2]
                if buf:
                    flush()
                cuts += 1
                last_was_cut = True
                i += 4 if m in (65, 66, 97, 98, 103, 104) else 3
            else:
                raise AssertionError(f"unexpected command GS {cmd:#04x} at {i}")
        elif b == 0x0A:
            flush()
            i += 1
        elif b < 0x20 or b == 0x7F:
            raise AssertionError(f"unexpected control byte {b:#04x} at {i}")
        else:
            if not saw_text:
                saw_text = True
                code_page_before_text = table == 5
            buf.append(b)
            heights.append(height)
            columns += width
            i += 1
    if buf:
        flush()
    return Walk(lines, cuts, last_was_cut, code_page_before_text)


def texts(data: bytes) -> list[str]:
    return [p.text for p in walk(data).lines if p.text.strip()]


def line_with(data: bytes, needle: str) -> Printed:
    for p in walk(data).lines:
        if needle in p.text:
            return p
    raise AssertionError(f"{needle!r} not printed")


# --------------------------------------------------------------------------- builders


@pytest.fixture(scope="module")
def config() -> TillConfig:
    return load_config()


def make_line(
    line_id: int,
    description: str,
    quantity: str,
    unit_price: int,
    *,
    line_type: Literal["SAL", "RET"] = "SAL",
    vat_code: str = "31",
    rate_bp: int = 1500,
    discounts: tuple[Discount, ...] = (),
) -> Line:
    qty = Decimal(quantity)
    gross = line_amount(qty, unit_price)
    sign = -1 if gross < 0 else 1
    amount = gross - sign * sum(d.amount for d in discounts)
    vat = vat_of_gross(amount, rate_bp)
    return Line(
        line_id=line_id,
        line_type=line_type,
        art_id="1001",
        art_group_id="100",
        description=description,
        quantity=qty,
        unit_price=unit_price,
        vat_code=vat_code,
        vat_rate_bp=rate_bp,
        amount_in=amount,
        amount_ex=amount - vat,
        vat_amount=vat,
        emp_id="1001",
        at=AT,
        discounts=discounts,
    )


def vat_totals(lines: tuple[Line, ...]) -> tuple[VatTotal, ...]:
    rates: dict[tuple[str, int], list[int]] = {}
    for ln in lines:
        acc = rates.setdefault((ln.vat_code, ln.vat_rate_bp), [0, 0])
        acc[0] += ln.amount_ex
        acc[1] += ln.vat_amount
    return tuple(VatTotal(code, bp, base, vat) for (code, bp), (base, vat) in rates.items())


def make_tx(
    kind: TransactionKind = TransactionKind.SALE,
    lines: tuple[Line, ...] | None = None,
    *,
    series: Series = Series.SALES,
    number: int = 42,
    payments: tuple[Payment, ...] | None = None,
    rounding: int = 0,
    **extra: str,
) -> CashTransaction:
    if lines is None:
        lines = (
            make_line(1, "TineMelk Lett 1 l", "2", 2190),
            make_line(
                2, "Blåbær 250 g", "1", 3490, discounts=(Discount("manual", 500, "skadet"),)
            ),
            make_line(3, "Kaffe servert i kafeen", "1", 3900, vat_code="3", rate_bp=2500),
            make_line(
                4, "Handlenett", "1", 4900, vat_code="3", rate_bp=2500,
                discounts=(Discount("campaign", 900, "3 for 2"),),
            ),
        )  # fmt: skip
    total = sum(ln.amount_in for ln in lines)
    if payments is None:
        payments = (
            Payment("CASH", 5000, "1001"),
            Payment("BAX", total - 5000, "1001", reference="BAX-778899001", card_brand="Visa"),
        )
    return CashTransaction(
        register_id="K1",
        nr=7,
        trans_id=f"K1-{series.value}{number:06d}",
        kind=kind,
        series=series,
        number=number,
        amount_in=total,
        amount_ex=sum(ln.amount_ex for ln in lines),
        emp_id="1001",
        at=AT,
        signature="c2ln",
        key_version="1",
        lines=lines,
        vat_totals=vat_totals(lines),
        rounding=rounding,
        payments=payments,
        **extra,  # type: ignore[arg-type]
    )


def make_report(report_type: Literal["X", "Z"] = "Z", tips: CountAmount | None = None) -> ReportFigures:
    ca = CountAmount
    return ReportFigures(
        report_type=report_type,
        report_id=f"K1-{report_type}0003",
        number=3,
        company_name="Kassakontroll Demobutikk AS",
        company_ident="999999999",
        at=AT,
        register_id="K1",
        system_id="KK-REF-0001",
        total_cash_sales=123450,
        art_groups=(KeyCountAmount("100", 3, 80000), KeyCountAmount("120", 2, 43450)),
        emp_art_groups=(EmpCountAmount("1001", "100", 3, 80000),),
        payments=(KeyCountAmount("CASH", 2, 29500), KeyCountAmount("BAX", 3, 93950)),
        emp_payments=(EmpCountAmount("1001", "CASH", 2, 29500),),
        vat=(VatFigure("31", 1500, 69565, 10435), VatFigure("3", 2500, 34760, 8690)),
        opening_float=200000,
        emp_opening_floats=(EmpAmount("1001", 200000),),
        receipts=5,
        drawer_openings=1,
        copies=ca(1, 14880),
        provisional=ca(2, 5000),
        returns=ca(1, 1640),
        discounts=ca(1, 500),
        voids=ca(1, 4380),
        line_corrections=(KeyCountAmount("quantity", 1, 2190),),
        price_lookups=(KeyCountAmount("100", 2, 6880),),
        other_corrections=(),
        deliveries=ca(1, 41990),
        training=ca(3, 11700),
        grand_total_sales=9876500,
        grand_total_returns=12300,
        grand_total_net=9864200,
        credit_sales=ca(1, 41990),
        credit_memos=ca(0, 0),
        pay_ins=(KeyCountAmount("13018", 1, 50000),),
        pay_outs=(KeyCountAmount("13019", 1, 20000),),
        tips=tips,
        first_seq=1,
        last_seq=57,
    )


def make_settlement(difference: int = -4000) -> Settlement:
    counted = (
        DenominationCount(100000, 1),
        DenominationCount(50000, 2),
        DenominationCount(20000, 1),
        DenominationCount(2000, 3),
        DenominationCount(100, 7),
    )
    counted_total = sum(c.amount for c in counted)
    return Settlement(
        register_id="K1",
        number=12,
        at=AT,
        counted_by="1002",
        z_report_id="K1-Z0003",
        opening_float=200000,
        cash_sales=123450,
        pay_ins=50000,
        pay_outs=20000,
        expected_cash=counted_total - difference,
        counted=counted,
        counted_total=counted_total,
        difference=difference,
        explanation="Feil veksel gitt ved kasse 1" if difference else "",
        card_totals=(KeyCountAmount("BAX", 3, 93950),),
        terminal_totals=(KeyCountAmount("BAX", 3, 93950), KeyCountAmount("CREDCARD", 1, 100)),
        card_difference=-100,
        other_means=(KeyCountAmount("VIPPS", 1, 4500),),
    )


# --------------------------------------------------------------------------- markings


def test_marking_table_flags_only_the_two_confirmed_texts() -> None:
    verified = {m.key: m.text for m in MARKINGS if m.verified}
    assert verified == {"copy": "KOPI", "terminal_not_receipt": "IKKJE KVITTERING FOR KJØP"}
    assert marking("delivery_amount_unknown").text == "Salgsverdi ikke kjent"
    assert marking("provisional").clause == "ksf_2_8_6"


def test_unknown_marking_lists_known_keys() -> None:
    with pytest.raises(KeyError, match="copy") as exc:
        marking("stempel")
    assert "title_sales" in str(exc.value)


# --------------------------------------------------------------------------- sink


def test_sink_selects_pc865_once_and_encodes_norwegian_letters() -> None:
    chunks: list[bytes] = []
    p = SinkPrinter(chunks.append)
    p.initialize()
    p.textln("æøå ÆØÅ € – x\x1b")
    assert p.output == b"\x1b@\x1bt\x05\x91\x9b\x86 \x92\x9d\x8f ? - x?\n"
    assert b"".join(chunks) == p.output
    p.clear()
    assert p.output == b""
    p.initialize()  # ESC @ resets the code page, so it must be selected again
    assert p.output == b"\x1b@\x1bt\x05"


def test_encode_text_never_emits_control_bytes() -> None:
    assert encode_text("a\tb\rc\x00") == b"a b?c?"


# --------------------------------------------------------------------------- receipts


def test_document_for_maps_kinds_numbers_and_operator(config: TillConfig) -> None:
    doc = document_for(make_tx(), config)
    assert doc.kind is DocumentKind.SALES
    assert doc.number == "S000042"
    assert doc.operator == "Kari Nordmann (1001)"
    credit = make_tx(TransactionKind.CREDIT_SALE, series=Series.DELIVERY, number=3)
    assert document_for(credit, config).kind is DocumentKind.DELIVERY
    assert document_for(credit, config).number == "U000003"
    void = make_tx(TransactionKind.VOID, series=Series.VOID, voided_trans_id="K1-S000041")
    assert document_for(void, config).original_number == "S000041"
    with pytest.raises(ValueError, match="prints no receipt"):
        document_for(make_tx(TransactionKind.PAY_IN, lines=()), config)


@pytest.mark.parametrize(
    ("kind", "first"),
    [
        (TransactionKind.SALE, "Salgskvittering"),
        (TransactionKind.RETURN, "Returkvittering"),
        (TransactionKind.SALE_RETURN, "Salgskvittering/Returkvittering"),
        (TransactionKind.CREDIT_SALE, "Utleveringskvittering"),
        (TransactionKind.TRAINING, "TRENINGSKVITTERING"),
        (TransactionKind.VOID, "ANNULLERT"),
    ],
)
def test_document_name_is_first_printed_text(config: TillConfig, kind: TransactionKind, first: str) -> None:
    out = render_receipt(document_for(make_tx(kind), config), config)
    w = walk(out)
    assert out.startswith(b"\x1b@\x1bt\x05")
    assert w.code_page_before_text
    first_line = next(p for p in w.lines if p.text.strip())
    assert first_line.text.strip() == first
    assert first_line.height >= 2


def test_receipt_header_content(config: TillConfig) -> None:
    lines = texts(render_receipt(document_for(make_tx(buyer_name="Ola Kjøper"), config), config))
    assert "Org.nr 999 999 999 MVA" in [t.strip() for t in lines]
    assert "Kassakontroll Demobutikk AS" in [t.strip() for t in lines]
    assert "Kassapunkt K1" in lines
    assert any("S000042" in t for t in lines)
    assert any("21.11.2026 18:00:00" in t for t in lines)
    assert any("Kari Nordmann (1001)" in t for t in lines)
    assert "Kjøpers navn: Ola Kjøper" in lines


def test_mva_word_only_when_registered(config: TillConfig) -> None:
    unregistered = dataclasses.replace(config, company=dataclasses.replace(config.company, mva_registered=False))
    lines = [t.strip() for t in texts(render_receipt(document_for(make_tx(), config), unregistered))]
    assert "Org.nr 999 999 999" in lines
    assert not any("MVA" in t and "Org.nr" in t for t in lines)


def test_kopi_only_on_copies_and_larger_than_amounts(config: TillConfig) -> None:
    doc = document_for(make_tx(), config)
    original = render_receipt(doc, config)
    copy = render_receipt(doc, config, copy=True)
    assert "KOPI" not in " ".join(texts(original))
    kopi = [p for p in walk(copy).lines if p.text.strip() == "KOPI"]
    assert len(kopi) == 2  # under the title and as the last text before the cut
    amounts = [p for p in walk(copy).lines if re.search(r"\d,\d\d$", p.text)]
    assert amounts
    assert all(p.height == 1 for p in amounts)
    # kassasystemforskrifta § 2-8-8 (applied to § 2-8-6): marking ≥ 1.5 × the amount text.
    assert all(k.min_height >= 1.5 * max(a.height for a in amounts) for k in kopi)
    assert [p.text.strip() for p in walk(copy).lines if p.text.strip()][-1] == "KOPI"


@pytest.mark.parametrize(
    ("kind", "key"),
    [
        (DocumentKind.DELIVERY, "delivery"),
        (DocumentKind.TRAINING, "training"),
        (DocumentKind.PROVISIONAL, "provisional"),
        (DocumentKind.VOID, "void"),
    ],
)
def test_not_a_receipt_markings_are_printed_large(config: TillConfig, kind: DocumentKind, key: str) -> None:
    doc = dataclasses.replace(document_for(make_tx(), config), kind=kind)
    out = render_receipt(doc, config)
    printed = walk(out).lines
    big = " ".join(p.text.strip() for p in printed if p.min_height >= 2)
    words = marking(key).text.replace("–", " ").split()
    assert all(big.count(word) >= 2 for word in words), big  # at the top and at the bottom
    assert "IKKJE KVITTERING FOR KJØP" not in " ".join(p.text for p in printed if p.height < 2)
    total = line_with(out, "Totalt inkl. mva")
    assert total.height == 1


def test_amounts_are_printed_at_normal_size(config: TillConfig) -> None:
    out = render_receipt(document_for(make_tx(), config), config)
    # Amount text goes out under GS ! 0x00 (or nothing after ESC @), never a larger size.
    for p in walk(out).lines:
        if re.search(r"\d,\d\d", p.text):
            assert p.height == 1, p


def test_lines_discounts_vat_and_payments(config: TillConfig) -> None:
    tx = make_tx()
    out = render_receipt(document_for(tx, config), config)
    lines = texts(out)
    joined = "\n".join(lines)
    assert re.search(r"^  2 x 21,90 +43,80$", joined, re.M)
    assert re.search(r"^    Rabatt skadet +-5,00$", joined, re.M)
    assert re.search(r"^    Kampanje 3 for 2 +-9,00$", joined, re.M)
    for v in tx.vat_totals:
        rate = f"{v.vat_rate_bp // 100} %"
        row = next(t for t in lines if t.startswith(rate))
        assert format_nok(v.base) in row
        assert format_nok(v.vat) in row
    assert re.search(rf"^Totalt inkl\. mva +{re.escape(format_nok(tx.amount_in))}$", joined, re.M)
    for payment in tx.payments:
        assert format_nok(payment.amount) in joined
    assert "BAX-778899001" in joined  # § 2-8-4: terminal transaction ID
    assert "Visa" in joined
    assert "Kontant" in joined
    assert "Øreavrunding" not in joined


def test_cash_rounding_row(config: TillConfig) -> None:
    tx = make_tx(rounding=-40, payments=(Payment("CASH", 0, "1001"),))
    doc = dataclasses.replace(document_for(tx, config), total=29540)
    joined = "\n".join(texts(render_receipt(doc, config)))
    assert re.search(r"^Øreavrunding +-0,40$", joined, re.M)
    assert re.search(r"^Å betale +295,00$", joined, re.M)


def test_return_lines_show_negative_amounts(config: TillConfig) -> None:
    lines = (make_line(1, "Farris 0,5 l", "-2", 2490, line_type="RET"),)
    tx = make_tx(TransactionKind.RETURN, lines, payments=(Payment("CASH", -4980, "1001"),))
    doc = document_for(dataclasses.replace(tx, returns_trans_id="K1-S000040"), config)
    joined = "\n".join(texts(render_receipt(doc, config)))
    assert "Retur: Farris 0,5 l" in joined
    assert re.search(r"^  -2 x 24,90 +-49,80$", joined, re.M)
    assert re.search(r"^Totalt inkl\. mva +-49,80$", joined, re.M)
    assert "S000040" in joined


def test_norwegian_letters_are_pc865(config: TillConfig) -> None:
    lines = (make_line(1, "Smørbrød med rødbeter ÆØÅ", "1", 5900),)
    out = render_receipt(document_for(make_tx(lines=lines), config), config)
    assert out.index(b"\x1bt\x05") < out.index("Smørbrød".encode("cp865"))
    assert "Smørbrød med rødbeter ÆØÅ".encode("cp865") in out
    assert "ø".encode() not in out  # no UTF-8 leaks through
    assert out.count(b"\x1bt") == 1  # one code page, no per-character switching


def test_delivery_with_unknown_amount_prints_zero_and_note(config: TillConfig) -> None:
    lines = (make_line(1, "Espressomaskin", "1", 0, vat_code="3", rate_bp=2500),)
    tx = make_tx(
        TransactionKind.CREDIT_SALE,
        lines,
        series=Series.DELIVERY,
        number=3,
        payments=(Payment("CUSTACC", 0, "1001"),),
        customer_id="KUNDE-77",
    )
    doc = document_for(tx, config)
    assert doc.amount_unknown
    joined = "\n".join(texts(render_receipt(doc, config)))
    assert re.search(r"^Totalt inkl\. mva +0,00$", joined, re.M)
    assert "Salgsverdi ikke kjent" in joined
    assert "Kundenr.: KUNDE-77" in joined
    assert "U000003" in joined


def test_receipt_ends_with_cut_and_cut_can_be_left_out(config: TillConfig) -> None:
    doc = document_for(make_tx(), config)
    w = walk(render_receipt(doc, config))
    assert w.ends_with_cut
    assert w.cuts == 1
    assert render_receipt(doc, config).endswith(b"\x1dV\x00")
    assert walk(render_receipt(doc, config, cut=False)).cuts == 0


@pytest.mark.parametrize("width", [24, 32, 42, 48])
def test_every_line_fits_the_width(config: TillConfig, width: int) -> None:
    long = "Ekstra lang varebeskrivelse som må brytes over flere linjer på papiret"
    lines = (*make_tx().lines, make_line(5, long, "123.456", 123456789))
    tx = make_tx(lines=lines, buyer_name="Ola Kjøper med et svært langt navn AS")
    for kind in DocumentKind:
        doc = dataclasses.replace(document_for(tx, config), kind=kind)
        for copy in (False, True):
            for p in walk(render_receipt(doc, config, copy=copy, width=width)).lines:
                assert p.columns <= width, (kind, p)
    for p in walk(render_report(make_report(), config, width=width)).lines:
        assert p.columns <= width, p
    for p in walk(render_settlement(make_settlement(), config, width=width)).lines:
        assert p.columns <= width, p


def test_too_narrow_width_is_refused(config: TillConfig) -> None:
    with pytest.raises(ValueError, match="at least 24 columns"):
        render_receipt(document_for(make_tx(), config), config, width=20)


# --------------------------------------------------------------------------- reports


def test_report_has_every_letter_a_to_z(config: TillConfig) -> None:
    out = render_report(make_report(), config)
    lines = texts(out)
    for letter in "abcdefghijklmnopqrstuvwxyz":
        assert any(t.startswith(f"{letter}) ") for t in lines), letter
    joined = "\n".join(lines)
    assert lines[0].strip() == "Z-rapport"
    assert "Nr. 3" in joined
    assert "a) Z-rapport nr. 3" in joined
    assert "b) Kassakontroll Demobutikk AS, org.nr 999999999" in joined
    assert "c) 21.11.2026 18:00:00" in joined
    assert "d) Kassapunkt K1 / System-ID KK-REF-0001" in joined
    assert re.search(r"^e\) Totalt kontantsalg +1 234,50$", joined, re.M)
    # count and amount stay in separate columns, so "5" and "1 234,50" never read as one
    assert re.search(r"^f\) Varegrupper +5 {3,}1 234,50$", joined, re.M)
    assert re.search(r"^   100 Mat +3 +800,00$", joined, re.M)
    assert re.search(r"^   120 Annen drikke \(kaffe, te\) +2 +434,50$", joined, re.M)
    assert "i) Tips: funksjon finnes ikke" in joined
    assert re.search(r"^   15 % grunnlag +695,65$", joined, re.M)
    assert re.search(r"^   25 % mva +86,90$", joined, re.M)
    assert re.search(r"^l\) Antall salgskvitteringer +5$", joined, re.M)
    assert re.search(r"^m\) Skuffåpninger uten salg +1$", joined, re.M)
    assert re.search(r"^n\) Kopikvitteringer +1 +148,80$", joined, re.M)
    assert re.search(r"^z\) Grand total netto +98 642,00$", joined, re.M)
    for label in ("Kredittsalg", "Kreditnotaer", "Innbetalinger", "Utbetalinger"):
        assert any(t.startswith(label) for t in lines), label
    assert "Kari Nordmann (1001) / CASH Kontant" in joined
    w = walk(out)
    assert w.ends_with_cut and w.cuts == 1


def test_x_report_title_and_tips(config: TillConfig) -> None:
    out = render_report(make_report("X", tips=CountAmount(2, 3000)), config)
    lines = texts(out)
    assert lines[0].strip() == "X-rapport"
    assert "a) X-rapport" in lines
    assert not any("Nr. 3" in t for t in lines)
    assert any(re.fullmatch(r"i\) Tips +2 +30,00", t) for t in lines)


# --------------------------------------------------------------------------- settlement


@pytest.mark.parametrize(
    ("difference", "label"),
    [(-4000, "Underskudd"), (2500, "Overskudd"), (0, "Ingen differanse")],
)
def test_settlement_printout(config: TillConfig, difference: int, label: str) -> None:
    s = make_settlement(difference)
    out = render_settlement(s, config)
    lines = texts(out)
    joined = "\n".join(lines)
    assert lines[0].strip() == "Dagsoppgjør"
    assert "Nr. 12" in joined
    assert "Kassapunkt K1" in joined
    assert "Ola Nordmann (1002)" in joined
    assert "K1-Z0003" in joined
    assert re.search(rf"^{label} +{re.escape(format_nok(difference))}$", joined, re.M)
    assert re.search(r"^Forventet kontantbeholdning +" + re.escape(format_nok(s.expected_cash)),
                     joined, re.M)  # fmt: skip
    for kroner in (1000, 500, 200, 100, 50, 20, 10, 5, 1):
        assert re.search(rf"x {kroner} kr (sedler|mynter)", joined), kroner
    assert re.search(r"^     2 x 500 kr sedler +1 000,00$", joined, re.M)
    assert re.search(r"^     0 x 50 kr sedler +0,00$", joined, re.M)
    assert re.search(r"^Opptalt totalt +" + re.escape(format_nok(s.counted_total)), joined, re.M)
    assert re.search(r"^Differanse kort +-1,00$", joined, re.M)
    assert "VIPPS Vipps" in joined
    assert lines[-1].startswith("Signatur: ___")
    assert walk(out).ends_with_cut


# --------------------------------------------------------------------------- property

_NAMES = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzæøåÆØÅ ,.-–€0123456789"),
    min_size=1,
    max_size=80,
)
_LINES = st.lists(
    st.tuples(
        _NAMES,
        st.decimals(min_value=Decimal("0.001"), max_value=Decimal("999"), places=3),
        st.integers(min_value=0, max_value=10_000_000),
        st.sampled_from([("3", 2500), ("31", 1500), ("33", 1200), ("5", 0)]),
        st.booleans(),
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    items=_LINES,
    width=st.sampled_from([32, 42, 48]),
    copy=st.booleans(),
    kind=st.sampled_from(list(DocumentKind)),
)
def test_any_receipt_renders_within_width_and_ends_with_cut(
    items: list[tuple[str, Decimal, int, tuple[str, int], bool]],
    width: int,
    copy: bool,
    kind: DocumentKind,
) -> None:
    config = load_config()
    lines = tuple(
        make_line(
            i,
            name,
            str(-qty if ret else qty),
            price,
            line_type="RET" if ret else "SAL",
            vat_code=code,
            rate_bp=bp,
        )
        for i, (name, qty, price, (code, bp), ret) in enumerate(items, start=1)
    )
    tx = make_tx(lines=lines)
    doc: ReceiptDocument = dataclasses.replace(document_for(tx, config), kind=kind)
    out = render_receipt(doc, config, copy=copy, width=width)
    w = walk(out)
    assert w.ends_with_cut and w.cuts == 1
    assert w.code_page_before_text
    assert all(p.columns <= width for p in w.lines)
    joined = "\n".join(p.text for p in w.lines)
    assert format_nok(tx.amount_in) in joined
    assert ("KOPI" in joined) == copy
