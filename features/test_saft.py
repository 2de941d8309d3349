"""The SAF-T Cash Register export (Skatteetaten's format, XSD v1.00, code lists): the checks.

Every step reads the export the till made of its journal (``saft_fmt``, ``saft_codes``)
and names the verifier rules it relies on where it uses them. Expected amounts are a
naive model of the scenario at the profile's prices and VAT rates: VAT per line is the
rate's share of the gross line amount, rounded to øre.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from lxml import etree
from pytest_bdd import parsers, scenarios, then

from features.steps.operate import Scene
from features.steps.reconcile import *  # noqa: F403  (the journal step family and its fixture)
from features.steps.reconcile import SAFT, Exports, kr, printed_day, receipt_naming, xml
from harness.profile import Profile
from harness.saft_spec import code_list
from harness.targets import Concluded, TillDriver
from harness.verify.records import Transaction

scenarios("saft.feature")

#: Skatteetaten's naming of the SAF-T data file (optionally _<x>_<y> for file x of y).
FILE_NAME = re.compile(r"^SAF-T Cash Register_(?P<orgnr>\d{9})_(?P<stamp>\d{14})(?:_\d+_\d+)?\.xml$")
#: XSD: the header's mandatory elements.
HEADER_MANDATORY = (
    "fiscalYear", "startDate", "endDate", "curCode", "dateCreated", "timeCreated", "softwareDesc",
    "softwareVersion", "softwareCompanyName", "auditfileVersion",
)  # fmt: skip
#: BasicTypes that have a PredefinedBasicID code list.
PREDEFINED_LISTS = ("04", "10", "11", "12", "13")
_ITEM = re.compile(r'(-?\d+) × article "(\w+)"')
_TIME = re.compile(r"^\d{2}:\d{2}:\d{2}$")


def _items(text: str) -> list[tuple[int, str]]:
    found = [(int(quantity), art_id) for quantity, art_id in _ITEM.findall(text)]
    assert found, f"no «N × article» in {text!r}"
    return found


def _vat(gross: int, rate: str) -> int:
    """The VAT in a gross amount at ``rate`` percent, rounded to øre (half away from zero)."""
    share = Decimal(gross) * Decimal(rate) / (Decimal(100) + Decimal(rate))
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _sale(scene: Scene, which: str = "") -> Concluded:
    assert scene.sales, "the scenario concluded no sale"
    return scene.sales[0] if which.strip() == "first" else scene.sales[-1]


def _transaction(exports: Exports, scene: Scene, which: str = "") -> Transaction:
    return exports.latest().transaction(_sale(scene, which).trans_id)


def _ids(root: etree._Element, path: str) -> set[str]:
    return {(e.text or "").strip() for e in root.iterfind(path, SAFT)}


# --- saft_fmt -------------------------------------------------------------------------------


@then(parsers.parse('the export is an XML document in the namespace "{namespace}"'))
def export_is_saft(exports: Exports, namespace: str) -> None:
    """SAF-T Cash Register v1.00: an XML file whose root is ``auditfile`` in the SAF-T namespace."""
    export = exports.latest()
    head = export.path.read_bytes()[:100]
    assert head.startswith(b"<?xml"), f"{export.path.name} has no XML declaration: {head!r}"
    root = xml(export)
    assert root.tag == f"{{{namespace}}}auditfile", f"the root element is {root.tag}, not auditfile in {namespace}"


@then("every reference in the records is declared in the masterfiles")
def references_declared(exports: Exports) -> None:
    """SAF-T XSD keyrefs (not enforced by validators): empID, artID, vatCode and the basics used are declared."""
    root = xml(exports.latest())
    declared = {
        "empID": _ids(root, "s:company/s:employees/s:employee/s:empID"),
        "artID": _ids(root, "s:company/s:articles/s:article/s:artID"),
        "vatCode": _ids(root, "s:company/s:vatCodeDetails/s:vatCodeDetail/s:vatCode"),
    }
    basics = {
        (b.findtext("s:basicType", "", SAFT).strip(), b.findtext("s:basicID", "", SAFT).strip())
        for b in root.iterfind("s:company/s:basics/s:basic", SAFT)
    }
    uses = {  # element -> basicType it refers to ("" = the masterfile lists above)
        "empID": "", "artID": "", "vatCode": "", "artGroupID": "04", "lineType": "05", "transType": "11",
        "paymentType": "12", "eventType": "13",
    }  # fmt: skip
    undeclared = set()
    for register in root.iterfind("s:company/s:location/s:cashregister", SAFT):
        for record in (*register.iterfind("s:event", SAFT), *register.iterfind("s:cashtransaction", SAFT)):
            for element in record.iter():
                name = etree.QName(element).localname
                value = (element.text or "").strip()
                if name not in uses or not value or _in_report(element):
                    continue
                known = value in declared[name] if not uses[name] else (uses[name], value) in basics
                if not known:
                    undeclared.add(f"{name} {value}")
    assert declared["empID"] and declared["artID"] and basics, (
        "the masterfiles declare no employees, articles or basics"
    )
    assert not undeclared, "used but not declared in the masterfiles: " + ", ".join(sorted(undeclared))


def _in_report(element: etree._Element) -> bool:
    return any(etree.QName(a).localname == "eventReport" for a in element.iterancestors())


# --- saft_fmt_filename, saft_fmt_header, saft_fmt_company -------------------------------------


@then("the export's file name has the profile's organisation number and the header's time of creation")
def file_name(exports: Exports, profile: Profile) -> None:
    """Skatteetaten's documentation: ``SAF-T Cash Register_<orgnr>_<yyyymmddhhmmss>.xml``."""
    export = exports.latest()
    match = FILE_NAME.match(export.path.name)
    assert match, f"{export.path.name!r} is not named 'SAF-T Cash Register_<orgnr>_<yyyymmddhhmmss>.xml'"
    assert match["orgnr"] == profile.shop_orgnr, f"{export.path.name}: orgnr is not the profile's {profile.shop_orgnr}"
    created = (export.header.get("dateCreated", "") + export.header.get("timeCreated", "")).replace("-", "")
    created = created.replace(":", "")
    assert match["stamp"] == created, f"{export.path.name}: stamp {match['stamp']}, header says created {created}"


@then("the header's period is the day the receipt was printed")
def header_period(exports: Exports, till: TillDriver, scene: Scene, tmp_path: Path) -> None:
    """SAF-T header: startDate and endDate state the exported period (mandatory elements all present).

    The business day is the date the till printed on its documents.
    """
    export = exports.latest()
    missing = [name for name in HEADER_MANDATORY if not export.header.get(name)]
    assert not missing, f"the header lacks {', '.join(missing)}: {export.header}"
    day = printed_day(till, scene)
    header = export.header
    assert header["startDate"] <= day <= header["endDate"], f"the receipt's day {day} is outside {header}"
    assert header["fiscalYear"] == day[:4] and header["curCode"] == "NOK", f"header: {header}"
    # the period asked for is the period stated
    asked = till.export_journal(tmp_path / "asked", date.fromisoformat(day), date.fromisoformat(day))
    stated = {name: xml_header(asked, name) for name in ("startDate", "endDate")}
    assert stated == {"startDate": day, "endDate": day}, f"export of {day} states the period {stated}"


def xml_header(path: Path, name: str) -> str:
    """One element of the header of the export at ``path``."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.parse(str(path), parser).getroot().findtext(f"s:header/s:{name}", "", SAFT).strip()


@then("the header names the system, its producer and version as the profile declares them")
def header_software(exports: Exports, profile: Profile) -> None:
    """SAF-T header: softwareDesc, softwareCompanyName and softwareVersion identify the system (kassasystemlova § 3)."""
    header = exports.latest().header
    stated = (header.get("softwareDesc"), header.get("softwareCompanyName"), header.get("softwareVersion"))
    assert stated == (profile.system, profile.producer, profile.version), (
        f"the header names {stated}; the profile declares {(profile.system, profile.producer, profile.version)}"
    )


@then(parsers.parse('the company is the profile\'s shop with kassapunkter "{first}" and "{second}"'))
def company(exports: Exports, scene: Scene, profile: Profile, first: str, second: str) -> None:
    """SAF-T company: companyIdent and companyName; one cashregister (registerID) per kassapunkt used."""
    export = exports.latest()
    assert export.company == (profile.shop_orgnr, profile.shop_name), (
        f"company is {export.company}, the profile's shop is {(profile.shop_orgnr, profile.shop_name)}"
    )
    wanted = [scene.register_id(first), scene.register_id(second)]
    assert all(r in export.registers for r in wanted), f"cashregisters {export.registers}, expected {wanted}"
    assert len(set(export.registers)) == len(export.registers), f"a registerID repeats: {export.registers}"


@then(parsers.parse('the employees include operators "{first}" and "{second}"'))
def employees(exports: Exports, scene: Scene, first: str, second: str) -> None:
    """SAF-T company/employees: each operator who worked is declared with empID and surName."""
    root = xml(exports.latest())
    declared = {
        e.findtext("s:empID", "", SAFT).strip(): e.findtext("s:surName", "", SAFT).strip()
        for e in root.iterfind("s:company/s:employees/s:employee", SAFT)
    }
    for role in (first, second):
        emp_id = scene.operator_id(role)
        assert declared.get(emp_id), f"operator {emp_id} is not declared with a surName: {declared}"


# --- saft_fmt_event ---------------------------------------------------------------------------


@then("every event has an id, a declared event type, a date and a time on the day printed")
def events_complete(exports: Exports, till: TillDriver, scene: Scene) -> None:
    """SAF-T event: eventID, eventType (a basic of type 13 with its predefined code), eventDate, eventTime."""
    export = exports.latest()
    day = printed_day(till, scene)
    codes = code_list("PredefinedBasicID-13")
    problems = []
    for e in export.events:
        code = export.code("13", e.event_type)
        if not e.event_id or code not in codes or e.date != day or not _TIME.match(e.time):
            problems.append(
                f"{e.register} event {e.event_id!r} type {e.event_type!r} ({code or 'undeclared'}) {e.date} {e.time}"
            )
    assert export.events, "the export holds no event"
    assert not problems, f"incomplete events (the receipt's day is {day}):\n" + "\n".join(problems)


@then(
    parsers.parse(
        'the journal of kassapunkt "{register}" has the login of operator "{operator}" and the sale\'s receipt event'
    )
)
def events_of_register(exports: Exports, scene: Scene, register: str, operator: str) -> None:
    """SAF-T: events are listed under the cashregister they happened at."""
    export = exports.latest()
    register_id, emp_id = scene.register_id(register), scene.operator_id(operator)
    logins = [e for e in export.events_of(register_id, "13003") if e.emp_id == emp_id]
    receipt_events = [e for e in export.events_of(register_id, "13012") if e.trans_id == scene.last_sale.trans_id]
    assert logins, f"no login (13003) of {emp_id} under cashregister {register_id}"
    assert receipt_events, f"no sales receipt event (13012) naming {scene.last_sale.trans_id} under {register_id}"


@then(parsers.parse('the journal of kassapunkt "{register}" has no event of operator "{operator}"'))
def no_events_of(exports: Exports, scene: Scene, register: str, operator: str) -> None:
    """SAF-T: an operator's events at another kassapunkt are not filed under this one."""
    export = exports.latest()
    emp_id = scene.operator_id(operator)
    wrong = [e for e in export.events_of(scene.register_id(register)) if e.emp_id == emp_id]
    assert not wrong, f"events of {emp_id} under {scene.register_id(register)}: " + ", ".join(
        f"{e.event_id} {e.event_type}" for e in wrong
    )


# --- saft_fmt_transaction, saft_fmt_line --------------------------------------------------------


@then(parsers.parse("the sale's transaction amounts to {items} at the profile's prices and VAT rates"))
def transaction_amounts(exports: Exports, scene: Scene, profile: Profile, items: str) -> None:
    """SAF-T cashtransaction: transAmntIn and transAmntEx are the sale's totals with and without VAT."""
    t = _transaction(exports, scene)
    gross = [(q * profile.article(a).price, profile.article(a).vat_rate) for q, a in _items(items)]
    amount_in = sum(g for g, _rate in gross)
    amount_ex = sum(g - _vat(g, rate) for g, rate in gross)
    assert t.amount_in == amount_in, f"{t.trans_id}: transAmntIn {t.raw_in}, expected {kr(amount_in)}"
    # the VAT is rounded per line: one øre per line either way
    assert t.amount_ex is not None and abs(t.amount_ex - amount_ex) <= len(gross), (
        f"{t.trans_id}: transAmntEx {t.raw_ex}, expected {kr(amount_ex)}"
    )


@then(parsers.parse("the sale's transaction has its receipt's date and time, operator \"{operator}\" and a signature"))
def transaction_identity(exports: Exports, till: TillDriver, scene: Scene, operator: str) -> None:
    """SAF-T cashtransaction: nr, transID, transDate, transTime, empID, signature and keyVersion."""
    t = _transaction(exports, scene)
    named = receipt_naming(till, scene, t)
    assert len(named) == 1, f"{len(named)} printed receipts name {t.trans_id}"
    receipt = named[0]
    assert (t.date, t.time[: len(receipt.time)]) == (receipt.date, receipt.time), (
        f"{t.trans_id} at {t.date} {t.time}; its receipt at {receipt.date} {receipt.time}"
    )
    assert t.emp_id == scene.operator_id(operator), f"{t.trans_id}: empID {t.emp_id!r}"
    assert t.nr and t.signature and t.key_version, f"{t.trans_id}: nr {t.nr!r}, keyVersion {t.key_version!r}"


@then(
    parsers.re(
        r"the (?P<which>first )?sale's transaction is paid with payment code "
        r'(?P<codes>"\d+"(?: or "\d+")*)'
    )
)
def paid_with(exports: Exports, scene: Scene, which: str | None, codes: str) -> None:
    """SAF-T payment, PredefinedBasicID-12: the means of payment and the amount that settles the sale."""
    export = exports.latest()
    t = _transaction(exports, scene, which or "")
    wanted = set(re.findall(r"\d+", codes))
    mapped = [(p.payment_type, export.code("12", p.payment_type), p.amount) for p in t.payments]
    assert mapped and all(code in wanted for _ptype, code, _amount in mapped), (
        f"{t.trans_id} is paid with {mapped}; expected payment codes {sorted(wanted)}"
    )
    paid = sum(amount or 0 for _ptype, _code, amount in mapped)
    expected = (t.amount_in or 0) + (t.rounding or 0)
    assert paid == expected, f"{t.trans_id}: paid {kr(paid)}, transAmntIn {t.raw_in} with rounding {kr(t.rounding)}"


@then(parsers.parse('the sale\'s transaction is marked "{mark}"'))
def marked(exports: Exports, scene: Scene, mark: str) -> None:
    """SAF-T amntTp: C for amounts ≥ 0, D for negative ones (Skatteetaten's example marks returns D)."""
    t = _transaction(exports, scene)
    marks = [t.tp, *(line.tp for line in t.lines)]
    assert set(marks) == {mark}, f"{t.trans_id} ({t.raw_in}) and its lines are marked {marks}, expected {mark}"


@then(parsers.parse("the sale's lines are {items} with the profile's prices and VAT rates"))
def lines_priced(exports: Exports, scene: Scene, profile: Profile, items: str) -> None:
    """SAF-T ctLine: one line per article with lineAmntIn, lineAmntEx and its VAT at the article's rate."""
    t = _transaction(exports, scene)
    problems = []
    remaining = list(t.lines)
    for quantity, art_id in _items(items):
        article = profile.article(art_id)
        gross = quantity * article.price
        line = next((line for line in remaining if line.art_id == art_id and line.amount_in == gross), None)
        if line is None:
            problems.append(f"no line of article {art_id} for {kr(gross)}")
            continue
        remaining.remove(line)
        vat = _vat(gross, article.vat_rate)
        rate, got = (line.vat.perc, line.vat.amount) if line.vat else ("(no vat)", None)
        if line.vat is None or Decimal(line.vat.perc) != Decimal(article.vat_rate) or got != vat:
            expected = f"{article.vat_rate} % {kr(vat)}"
            problems.append(f"line {line.line_id} ({art_id}): VAT {rate} % {kr(got)}, expected {expected}")
        if line.amount_ex != gross - vat or not line.line_id or not line.line_type:
            problems.append(
                f"line {line.line_id!r} ({art_id}): lineAmntEx {kr(line.amount_ex)}, expected {kr(gross - vat)}"
            )
    problems += [f"unexpected line {line.line_id} ({line.art_id}) {kr(line.amount_in)}" for line in remaining]
    assert not problems, f"{t.trans_id}:\n" + "\n".join(problems)


@then("the sale's lines add up to the transaction's amounts")
def lines_add_up(exports: Exports, scene: Scene) -> None:
    """SAF-T ctLine: the line amounts add up to transAmntIn and transAmntEx, their VAT to the vat elements."""
    t = _transaction(exports, scene)
    sums = (
        sum(line.amount_in or 0 for line in t.lines) - t.discount,
        sum(line.amount_ex or 0 for line in t.lines),
        sum(line.vat.amount or 0 for line in t.lines if line.vat),
    )
    totals = (t.amount_in, t.amount_ex, sum(v.amount or 0 for v in t.vats))
    assert sums == totals, f"{t.trans_id}: lines add up to {sums} (in, ex, VAT), the transaction says {totals}"


@then("the return's line type differs from the sale's and both are declared line types")
def line_types(exports: Exports, scene: Scene) -> None:
    """SAF-T ctLine/lineType (BasicType 05, e.g. SAL and RET in Skatteetaten's example)."""
    export = exports.latest()
    sale, back = (_transaction(exports, scene, w) for w in ("first", ""))
    sale_types = {line.line_type for line in sale.lines}
    return_types = {line.line_type for line in back.lines}
    declared = {basic_id for basic_type, basic_id in export.basics if basic_type == "05"}
    assert sale_types | return_types <= declared, f"line types {sale_types | return_types}, declared {declared}"
    assert not sale_types & return_types, f"the sale's lines are {sale_types}, the return's {return_types}"


# --- saft_codes -------------------------------------------------------------------------------


@then("every basic's type and predefined code is in Skatteetaten's code lists")
def basics_in_code_lists(exports: Exports) -> None:
    """SAF-T code lists: BasicType, and PredefinedBasicID-04, -10, -11, -12, -13 for the basics that map."""
    export = exports.latest()
    types = code_list("BasicType")
    problems = []
    for (basic_type, basic_id), basic in sorted(export.basics.items()):
        if basic_type not in types:
            problems.append(f"basic {basic_id}: basicType {basic_type} is not in the BasicType list")
        elif basic_type in PREDEFINED_LISTS and basic.predefined not in code_list(f"PredefinedBasicID-{basic_type}"):
            problems.append(
                f"basic {basic_id} ({basic_type}): predefinedBasicID {basic.predefined or '(none)'} is not in its list"
            )
    assert {t for t, _i in export.basics} >= {"11", "12", "13"}, f"basic types declared: {sorted(export.basics)}"
    assert not problems, "\n".join(problems)


@then(parsers.parse('the sale\'s transaction type maps to "{code}"'))
def transaction_type(exports: Exports, scene: Scene, code: str) -> None:
    """PredefinedBasicID-11: the transaction's type (11001 cash sale, 11006 return …)."""
    export = exports.latest()
    t = _transaction(exports, scene)
    mapped = export.code("11", t.trans_type) or "(nothing)"
    assert mapped == code, f"{t.trans_id}: transType {t.trans_type!r} maps to {mapped}, expected {code}"


# --- saft_codes_events --------------------------------------------------------------------------


@then("every opening and closing the drawer's sensor reported is journaled")
def drawer_events(exports: Exports, till: TillDriver, scene: Scene) -> None:
    """PredefinedBasicID-13: each opening (13005) and closing (13006) of the drawer is a journal event."""
    export = exports.latest()
    records = till.evidence.since(scene.start, kind="drawer.sensor", source=f"{scene.register}/drawer")
    opened = sum(1 for r in records if r.data.get("open") is True)
    closed = sum(1 for r in records if r.data.get("open") is False)
    journaled = (len(export.events_of(scene.register, "13005")), len(export.events_of(scene.register, "13006")))
    assert journaled == (opened, closed), (
        f"the drawer's sensor reported {opened} openings and {closed} closings; the journal of {scene.register} "
        f"has {journaled[0]} × 13005 and {journaled[1]} × 13006"
    )
