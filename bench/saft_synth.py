"""Synthetic, signed SAF-T Cash Register exports of any size, for the verifier benchmark.

The reference till concludes about 650 durable sales a second, so a journal of a million
sales would take half an hour to produce. This generator writes the export directly,
as a busy shop with several kassapunkter would produce it, and independently of the
verifier's code:

* one ``cashregister`` per kassapunkt, one business day after another; each day has
  ``POSSTART``, ``EMPIN``, a sales receipt event (13012) for every sale, a return
  receipt event (13013) for every return, a drawer opening (13005) with the ``transID``
  for every cash payment, a nullinnslag (13005 without ``transID``) now and then, one
  copy receipt (13014) for some sales, price look-ups (13022), a Z report (13009) with
  every figure of kassasystemforskrifta § 2-8-2 computed here, ``EMPOUT`` and ``POSEND``;
* sales of 1–3 lines (VAT 15 % and 25 %), every 40th transaction a return; cash payments
  rounded to whole kroner (øreavrunding), the others paid by card;
* every ``cashtransaction`` signed with RSA-SHA1 (1024 bits) over
  ``previousSignature;transDate;transTime;nr;transAmntIn;transAmntEx``, chained per
  register from the literal ``0``; the key changes from ``keyVersion`` 1 to 2 halfway
  through each register.

Registers are written in parallel worker processes (signing dominates), each into its
own temporary file, and joined in register order. ``python bench/saft_synth.py OUT.xml
--transactions N`` writes a file and the two public keys next to it.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import shutil
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from reference_till.money import format_amount, net_of_gross, round_cash

__all__ = ["SynthSpec", "generate", "write_keys"]

NS = "urn:StandardAuditFile-Taxation-CashRegister:NO"

#: (artID, description, artGroupID, price in øre, VAT code)
ARTICLES = (
    ("1001", "TineMelk Lett 1 l", "100", 2190, "31"),
    ("1002", "Sportsbrød 750 g", "100", 3990, "31"),
    ("1003", "Gulost skivet 150 g", "100", 2780, "31"),
    ("2001", "Marlboro Gold 20 stk", "200", 11600, "3"),
    ("3001", "Tuborg boks 0,5 l", "300", 2990, "3"),
    ("4001", "Batterier AA 4 pk", "400", 6900, "3"),
    ("4002", "Lyspære LED", "400", 4950, "3"),
    ("4003", "Avis", "400", 4500, "3"),
)
VAT_RATE = {"31": 15, "3": 25}
GROUPS = ("100", "200", "300", "400")
EMPLOYEES = ("1001", "1002")
PAYMENTS = ("CASH", "BAX")


@dataclass(frozen=True)
class SynthSpec:
    """What to generate.

    Attributes:
        transactions: Total number of ``cashtransaction`` elements, spread over the registers.
        registers: Number of kassapunkter.
        per_day: Transactions per register and business day (a Z report closes each day).
        seed: Seed of the pseudo-random shop.
    """

    transactions: int
    registers: int = 4
    per_day: int = 1000
    seed: int = 20261122


def write_keys(folder: Path) -> tuple[Path, Path]:
    """Create two RSA-1024 keys (key versions 1 and 2) in ``folder``; return the public key files."""
    folder.mkdir(parents=True, exist_ok=True)
    publics = []
    for version in ("1", "2"):
        key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        (folder / f"key{version}.pem").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        public = folder / f"key{version}.pub.pem"
        public.write_bytes(
            key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
        publics.append(public)
    return publics[0], publics[1]


def _tp(ore: int) -> str:
    return "C" if ore >= 0 else "D"


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


@dataclass
class _Day:
    """Figures of one register's business day (kassasystemforskrifta § 2-8-2 første ledd)."""

    total: int = 0
    groups: dict[str, list[int]] = field(default_factory=lambda: {g: [0, 0] for g in GROUPS})
    payments: dict[str, list[int]] = field(default_factory=lambda: {p: [0, 0] for p in PAYMENTS})
    vat: dict[str, list[int]] = field(default_factory=lambda: {c: [0, 0] for c in VAT_RATE})
    receipts: int = 0
    nullinnslag: int = 0
    copies: list[int] = field(default_factory=lambda: [0, 0])
    returns: list[int] = field(default_factory=lambda: [0, 0])
    lookups: dict[str, list[int]] = field(default_factory=dict)
    sales: int = 0


def _report(day: _Day, z_number: int, register: str, day_text: str, grand: tuple[int, int]) -> str:
    rows = []
    add = rows.append
    add(f"<reportID>{z_number}</reportID><reportType>Z report</reportType>")
    add("<companyIdent>999999999</companyIdent><companyName>Syntetisk Butikk AS</companyName>")
    add(f"<reportDate>{day_text}</reportDate><reportTime>23:50:00</reportTime><registerID>{register}</registerID>")
    add(
        f"<reportTotalCashSales><totalCashSaleAmnt>{format_amount(day.total)}</totalCashSaleAmnt></reportTotalCashSales>"
    )
    add("<reportArtGroups>")
    for group, (num, amount) in day.groups.items():
        add(
            f"<reportArtGroup><artGroupID>{group}</artGroupID><artGroupNum>{num}</artGroupNum>"
            f"<artGroupAmnt>{format_amount(amount)}</artGroupAmnt></reportArtGroup>"
        )
    add("</reportArtGroups><reportPayments>")
    for payment, (num, amount) in day.payments.items():
        add(
            f"<reportPayment><paymentType>{payment}</paymentType><paymentNum>{num}</paymentNum>"
            f"<paymentAmnt>{format_amount(amount)}</paymentAmnt></reportPayment>"
        )
    add("</reportPayments><reportCashSalesVat>")
    for code, (base, vat) in day.vat.items():
        add(
            f"<reportCashSaleVat><vatCode>{code}</vatCode><vatPerc>{VAT_RATE[code]}.00</vatPerc>"
            f"<cashSaleAmnt>{format_amount(base)}</cashSaleAmnt><vatAmnt>{format_amount(vat)}</vatAmnt>"
            f"<vatAmntTp>{_tp(vat)}</vatAmntTp></reportCashSaleVat>"
        )
    add("</reportCashSalesVat><reportOpeningChangeFloat>0.00</reportOpeningChangeFloat>")
    add(
        f"<reportReceiptNum>{day.receipts}</reportReceiptNum><reportOpenCashBoxNum>{day.nullinnslag}</reportOpenCashBoxNum>"
    )
    add(f"<reportReceiptCopyNum>{day.copies[0]}</reportReceiptCopyNum>")
    add(f"<reportReceiptCopyAmnt>{format_amount(day.copies[1])}</reportReceiptCopyAmnt>")
    add(
        "<reportReceiptProformaNum>0</reportReceiptProformaNum><reportReceiptProformaAmnt>0.00</reportReceiptProformaAmnt>"
    )
    add(
        f"<reportReturnNum>{day.returns[0]}</reportReturnNum><reportReturnAmnt>{format_amount(day.returns[1])}</reportReturnAmnt>"
    )
    add("<reportDiscountNum>0</reportDiscountNum><reportDiscountAmnt>0.00</reportDiscountAmnt>")
    add("<reportVoidTransNum>0</reportVoidTransNum><reportVoidTransAmnt>0.00</reportVoidTransAmnt>")
    add(
        "<reportCorrLines><reportCorrLine><corrLineType>None</corrLineType><corrLineNum>0</corrLineNum>"
        "<corrLineAmnt>0.00</corrLineAmnt></reportCorrLine></reportCorrLines><reportPriceInquiries>"
    )
    for group, (num, amount) in sorted(day.lookups.items()) or [("None", (0, 0))]:
        add(
            f"<reportPriceInquiry><priceInquiryGroup>{group}</priceInquiryGroup><priceInquiryNum>{num}"
            f"</priceInquiryNum><priceInquiryAmnt>{format_amount(amount)}</priceInquiryAmnt></reportPriceInquiry>"
        )
    add(
        "</reportPriceInquiries><reportOtherCorrs><reportOtherCorr><otherCorrType>None</otherCorrType>"
        "<otherCorrNum>0</otherCorrNum><otherCorrAmnt>0.00</otherCorrAmnt></reportOtherCorr></reportOtherCorrs>"
    )
    add(
        "<reportReceiptDeliveryNum>0</reportReceiptDeliveryNum><reportReceiptDeliveryAmnt>0.00</reportReceiptDeliveryAmnt>"
    )
    add("<reportTrainingNum>0</reportTrainingNum><reportTrainingAmnt>0.00</reportTrainingAmnt>")
    add(
        "<reportPayIns><reportPayIn><payInType>None</payInType><payInNum>0</payInNum><payInAmnt>0.00</payInAmnt>"
        "</reportPayIn></reportPayIns><reportPayOuts><reportPayOut><payOutType>None</payOutType>"
        "<payOutNum>0</payOutNum><payOutAmnt>0.00</payOutAmnt></reportPayOut></reportPayOuts>"
    )
    add(
        f"<reportGrandTotalSales>{format_amount(grand[0])}</reportGrandTotalSales>"
        f"<reportGrandTotalReturn>{format_amount(grand[1])}</reportGrandTotalReturn>"
        f"<reportGrandTotalSalesNet>{format_amount(grand[0] - grand[1])}</reportGrandTotalSalesNet>"
    )
    return "".join(rows)


def _register(args: tuple[SynthSpec, int, int, str, str, str]) -> tuple[str, str]:
    """Write one register's events and transactions to two files; return their paths."""
    spec, index, count, key1_path, key2_path, folder = args
    keys = [serialization.load_pem_private_key(Path(p).read_bytes(), password=None) for p in (key1_path, key2_path)]
    rng = random.Random(spec.seed * 1000 + index)
    register = f"K{index + 1}"
    events_path = Path(folder) / f"{register}.events.xml"
    trans_path = Path(folder) / f"{register}.trans.xml"
    previous = "0"
    event_id = index * 10_000_000
    grand = [0, 0]
    first_day = date(2025, 1, 1)
    with events_path.open("w", encoding="utf-8") as events, trans_path.open("w", encoding="utf-8") as trans:
        ev = events.write
        tw = trans.write
        nr = 0
        day_index = 0
        while nr < count:
            day_text = (first_day + timedelta(days=day_index)).isoformat()
            day = _Day()
            emp = EMPLOYEES[day_index % 2]

            def event(
                kind: str,
                seconds: int,
                trans_id: str = "",
                text: str = "",
                report: str = "",
                emp: str = emp,
                day_text: str = day_text,
            ) -> None:
                nonlocal event_id
                event_id += 1
                ref = f"<transID>{trans_id}</transID>" if trans_id else ""
                body = f"<eventText>{text}</eventText>" if text else ""
                rep = f"<eventReport>{report}</eventReport>" if report else ""
                ev(
                    f"<event><eventID>{event_id}</eventID><eventType>{kind}</eventType>{ref}<empID>{emp}</empID>"
                    f"<eventDate>{day_text}</eventDate><eventTime>{_clock(seconds)}</eventTime>{body}{rep}</event>\n"
                )

            event("POSSTART", 8 * 3600)
            event("EMPIN", 8 * 3600 + 1)
            today = min(spec.per_day, count - nr)
            for i in range(today):
                nr += 1
                seconds = 9 * 3600 + i * 30
                is_return = nr % 40 == 0
                picks = rng.sample(ARTICLES, 1 if is_return else rng.randint(1, 3))
                lines = []
                total_in = total_ex = 0
                vat_sum: dict[str, list[int]] = {}
                for line_id, (art_id, desc, group, price, code) in enumerate(picks, start=1):
                    qnt = -1 if is_return else rng.randint(1, 3)
                    amount_in = price * qnt
                    amount_ex = net_of_gross(amount_in, VAT_RATE[code] * 100)
                    vat = amount_in - amount_ex
                    total_in += amount_in
                    total_ex += amount_ex
                    per_code = vat_sum.setdefault(code, [0, 0])
                    per_code[0] += amount_ex
                    per_code[1] += vat
                    lines.append(
                        f"<ctLine><nr>{nr}</nr><lineID>{line_id}</lineID><lineType>{'RET' if is_return else 'SAL'}"
                        f"</lineType><artGroupID>{group}</artGroupID><artID>{art_id}</artID><qnt>{qnt}</qnt>"
                        f"<lineAmntIn>{format_amount(amount_in)}</lineAmntIn><lineAmntEx>{format_amount(amount_ex)}</lineAmntEx>"
                        f"<amntTp>{_tp(amount_in)}</amntTp><ppu>{format_amount(price)}</ppu><empID>{emp}</empID>"
                        f"<cashTransLineDescr>{desc}</cashTransLineDescr><lineDate>{day_text}</lineDate>"
                        f"<lineTime>{_clock(seconds - 5)}</lineTime><vat><vatCode>{code}</vatCode><vatPerc>"
                        f"{VAT_RATE[code]}.00</vatPerc><vatAmnt>{format_amount(vat)}</vatAmnt><vatAmntTp>{_tp(vat)}"
                        f"</vatAmntTp><vatBasAmnt>{format_amount(amount_ex)}</vatBasAmnt></vat></ctLine>"
                    )
                    day.groups[group][1] += amount_in
                    day.vat[code][0] += amount_ex
                    day.vat[code][1] += vat
                if not is_return:  # f counts the sales with a sale line in the group
                    for group in {pick[2] for pick in picks}:
                        day.groups[group][0] += 1
                cash = rng.random() < 0.4
                payment = "CASH" if cash else "BAX"
                paid = total_in
                if cash:  # øreavrunding to whole kroner, half away from zero
                    paid = round_cash(total_in)
                rounding = paid - total_in
                trans_id = f"{register}-{nr}"
                key_version = 1 if nr <= count // 2 else 2
                amounts = f"{format_amount(total_in)};{format_amount(total_ex)}"
                data = f"{previous};{day_text};{_clock(seconds)};{nr};{amounts}"
                signature = base64.b64encode(
                    keys[key_version - 1].sign(data.encode(), padding.PKCS1v15(), hashes.SHA1())  # type: ignore[union-attr,call-arg]
                ).decode()
                previous = signature
                copy = not is_return and nr % 97 == 0
                vat_xml = "".join(
                    f"<vat><vatCode>{code}</vatCode><vatPerc>{VAT_RATE[code]}.00</vatPerc><vatAmnt>{format_amount(v)}"
                    f"</vatAmnt><vatAmntTp>{_tp(v)}</vatAmntTp><vatBasAmnt>{format_amount(b)}</vatBasAmnt></vat>"
                    for code, (b, v) in vat_sum.items()
                )
                tw(
                    f"<cashtransaction><nr>{nr}</nr><transID>{trans_id}</transID><transType>"
                    f"{'RETURNSAL' if is_return else 'CASHSAL'}</transType><transAmntIn>{format_amount(total_in)}"
                    f"</transAmntIn><transAmntEx>{format_amount(total_ex)}</transAmntEx><amntTp>{_tp(total_in)}</amntTp>"
                    f"<empID>{emp}</empID><transDate>{day_text}</transDate><transTime>{_clock(seconds)}</transTime>"
                    f"{''.join(lines)}{vat_xml}<rounding><roundingAmnt>{format_amount(rounding)}</roundingAmnt></rounding>"
                    f"<payment><paymentType>{payment}</paymentType><paidAmnt>{format_amount(paid)}</paidAmnt>"
                    f"<empID>{emp}</empID><curCode>NOK</curCode><exchRt>1.000000</exchRt></payment>"
                    f"<signature>{signature}</signature><keyVersion>{key_version}</keyVersion>"
                    f"<receiptNum>1</receiptNum><receiptCopyNum>{int(copy)}</receiptCopyNum>"
                    f"<receiptProformaNum>0</receiptProformaNum><receiptDeliveryNum>0</receiptDeliveryNum>"
                    f"<voidTransaction>false</voidTransaction><trainingID>false</trainingID></cashtransaction>\n"
                )
                event("RETREC" if is_return else "SALREC", seconds, trans_id)
                if cash:
                    event("DRAWOPEN", seconds, trans_id)
                day.total += total_in
                pay = day.payments[payment]
                pay[0] += 1
                pay[1] += paid
                if is_return:
                    day.returns[0] += 1
                    day.returns[1] -= total_in
                    grand[1] -= total_in
                else:
                    day.receipts += 1
                    grand[0] += total_in
                if copy:
                    event("COPYREC", seconds + 10, trans_id)
                    day.copies[0] += 1
                    day.copies[1] += total_in
                if nr % 50 == 25:
                    event("NULLINNSLAG", seconds + 15)
                    day.nullinnslag += 1
                if nr % 100 == 50:
                    art_id, _desc, group, price, _code = ARTICLES[nr % len(ARTICLES)]
                    event("PRICELOOKUP", seconds + 20, text=f"artID {art_id}; artGroupID {group}")
                    look = day.lookups.setdefault(group, [0, 0])
                    look[0] += 1
                    look[1] += price
            day_index += 1
            event(
                "ZREP",
                23 * 3600 + 50 * 60,
                text="Z-rapport",
                report=_report(day, day_index, register, day_text, (grand[0], grand[1])),
            )
            event("EMPOUT", 23 * 3600 + 55 * 60)
            event("POSEND", 23 * 3600 + 59 * 60)
    return str(events_path), str(trans_path)


def _masterfiles(first_day: str) -> str:
    rows = [
        "<company><companyIdent>999999999</companyIdent><companyName>Syntetisk Butikk AS</companyName>",
        "<vatCodeDetails>",
    ]
    for code, rate in VAT_RATE.items():
        rows.append(
            f"<vatCodeDetail><vatCode>{code}</vatCode><dateOfEntry>{first_day}</dateOfEntry>"
            f"<vatDesc>Utgående mva {rate} %</vatDesc><standardVatCode>{code}</standardVatCode></vatCodeDetail>"
        )
    rows.append("</vatCodeDetails><employees>")
    for emp in EMPLOYEES:
        rows.append(
            f"<employee><empID>{emp}</empID><dateOfEntry>{first_day}</dateOfEntry><timeOfEntry>00:00:00"
            f"</timeOfEntry><firstName>Ansatt</firstName><surName>{emp}</surName></employee>"
        )
    rows.append("</employees><articles>")
    for art_id, desc, group, _price, _code in ARTICLES:
        rows.append(
            f"<article><artID>{art_id}</artID><dateOfEntry>{first_day}</dateOfEntry><artGroupID>{group}</artGroupID>"
            f"<artDesc>{desc}</artDesc></article>"
        )
    rows.append("</articles><basics>")
    basics = [
        ("04", "100", "04006", "Mat"),
        ("04", "200", "04013", "Tobakk"),
        ("04", "300", "04007", "Øl"),
        ("04", "400", "04014", "Andre varer"),
        ("05", "SAL", "", "Salgslinje"),
        ("05", "RET", "", "Returlinje"),
        ("11", "CASHSAL", "11001", "Kontantsalg"),
        ("11", "RETURNSAL", "11006", "Retur"),
        ("12", "CASH", "12001", "Kontant"),
        ("12", "BAX", "12002", "Bankkort"),
        ("13", "POSSTART", "13001", "Oppstart"),
        ("13", "POSEND", "13002", "Avslutning"),
        ("13", "EMPIN", "13003", "Pålogging"),
        ("13", "EMPOUT", "13004", "Avlogging"),
        ("13", "DRAWOPEN", "13005", "Skuff åpnet ved salg"),
        ("13", "NULLINNSLAG", "13005", "Skuff åpnet uten salg"),
        ("13", "ZREP", "13009", "Z-rapport"),
        ("13", "SALREC", "13012", "Salgskvittering"),
        ("13", "RETREC", "13013", "Returkvittering"),
        ("13", "COPYREC", "13014", "Kopikvittering"),
        ("13", "PRICELOOKUP", "13022", "Prisforespørsel"),
    ]
    for basic_type, basic_id, predefined, desc in basics:
        pre = f"<predefinedBasicID>{predefined}</predefinedBasicID>" if predefined else ""
        rows.append(
            f"<basic><basicType>{basic_type}</basicType><basicID>{basic_id}</basicID>{pre}"
            f"<basicDesc>{desc}</basicDesc></basic>"
        )
    rows.append("</basics>")
    return "\n".join(rows)


def generate(path: Path, spec: SynthSpec, key1: Path, key2: Path, *, workers: int | None = None) -> Path:
    """Write a signed export following ``spec`` to ``path`` (private keys ``key1``/``key2``)."""
    per_register = [spec.transactions // spec.registers] * spec.registers
    per_register[-1] += spec.transactions - sum(per_register)
    days = max(1, -(-max(per_register) // spec.per_day))
    first_day = date(2025, 1, 1)
    last_day = first_day + timedelta(days=days - 1)
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        jobs = [(spec, i, n, str(key1), str(key2), folder) for i, n in enumerate(per_register)]
        with ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
            parts = list(pool.map(_register, jobs))
        tmp = path.with_suffix(".partial")
        with tmp.open("w", encoding="utf-8") as out:
            out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<auditfile xmlns="{NS}">\n')
            out.write(
                f"<header><fiscalYear>{first_day.year}</fiscalYear><startDate>{first_day}</startDate>"
                f"<endDate>{last_day}</endDate><curCode>NOK</curCode><dateCreated>{last_day}</dateCreated>"
                "<timeCreated>23:59:59</timeCreated><softwareDesc>kassakontroll bench/saft_synth.py</softwareDesc>"
                "<softwareVersion>1</softwareVersion><softwareCompanyName>Kassakontroll</softwareCompanyName>"
                "<auditfileVersion>1.0</auditfileVersion></header>\n"
            )
            out.write(_masterfiles(first_day.isoformat()))
            out.write("\n<location><name>Storgata 1</name>\n")
            for index, (events_path, trans_path) in enumerate(parts):
                out.write(f"<cashregister><registerID>K{index + 1}</registerID><regDesc>Kasse {index + 1}</regDesc>\n")
                for part in (events_path, trans_path):
                    with open(part, encoding="utf-8") as source:
                        shutil.copyfileobj(source, out, 1 << 20)
                out.write("</cashregister>\n")
            out.write("</location>\n</company>\n</auditfile>\n")
        tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line: write one synthetic export and its keys."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the XML file to write; keys go next to it")
    parser.add_argument("--transactions", type=int, default=10_000)
    parser.add_argument("--registers", type=int, default=4)
    args = parser.parse_args(argv)
    out: Path = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    write_keys(out.parent)
    generate(out, SynthSpec(args.transactions, args.registers), out.parent / "key1.pem", out.parent / "key2.pem")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB); public keys key1.pub.pem, key2.pub.pem")
    return 0


if __name__ == "__main__":
    sys.exit(main())
