"""kassasystemforskrifta § 2-8-1 and § 2-8-2 (the X and Z reports and their content): the legal checks.

The figures of § 2-8-2 are judged by the shared steps of :mod:`features.steps.reports`
(the journal's eventReport, the verifier's recomputation and the printout); the steps here
judge the report's heading, business, date and kassapunkt (bokstav a–d), its completeness,
and which documents each kassapunkt produces (§ 2-8-1).
"""

from __future__ import annotations

import re
from decimal import Decimal

from pytest_bdd import parsers, scenarios, then, when

from features.steps.operate import Scene, ore
from features.steps.reports import *  # noqa: F403  (pytest-bdd step fixtures)
from features.steps.reports import (
    REPORT_HEADINGS,
    Reports,
    check_figure,
    figure_of,
    find_printed,
    token_pattern,
)
from harness.documents import heading_of, is_headed
from harness.observe import drawer_kicks, printed
from harness.profile import Profile
from harness.targets import NotSupportedByTarget, Refused, TillDriver

scenarios("ksf_2_8_2.feature")

#: The eventReport elements the SAF-T schema requires (§ 2-8-2 første ledd a–z; andre ledd is optional).
REQUIRED_ELEMENTS = (
    "reportID", "reportType", "companyIdent", "companyName", "reportDate", "reportTime", "registerID",
    "reportTotalCashSales", "reportArtGroups", "reportPayments", "reportCashSalesVat", "reportOpeningChangeFloat",
    "reportReceiptNum", "reportOpenCashBoxNum", "reportReceiptCopyNum", "reportReceiptCopyAmnt",
    "reportReceiptProformaNum", "reportReceiptProformaAmnt", "reportReturnNum", "reportReturnAmnt",
    "reportDiscountNum", "reportDiscountAmnt", "reportVoidTransNum", "reportVoidTransAmnt", "reportCorrLines",
    "reportPriceInquiries", "reportOtherCorrs", "reportReceiptDeliveryNum", "reportReceiptDeliveryAmnt",
    "reportTrainingNum", "reportTrainingAmnt", "reportGrandTotalSales", "reportGrandTotalReturn",
    "reportGrandTotalSalesNet",
)  # fmt: skip

#: The figures every report prints whatever the till's functions (the phrases of features.steps.reports).
EVERY_REPORT_FIGURE = (
    "total cash sales (e)", "an opening float (k)", "sales receipts (l)", "nullinnslag (m)", "copy receipts (n)",
    "provisional receipts (o)", "returns (p)", "discounts given at the kassapunkt (q)", "cancelled sales (r)",
    "line corrections (s)", "other corrections (u)", "delivery receipts (v)", "training receipts (w)",
    "grand total sales (x)", "grand total returns (y)", "grand total net sales (z)",
)  # fmt: skip


# --- When (module-local) ----------------------------------------------------------------------


@when(parsers.parse("the customer adds a tip of {amount} kr"))
def add_tip(till: TillDriver, scene: Scene, amount: str) -> None:
    """Register a tip on the open sale (a verb of targets that have tips; § 2-8-2 bokstav i)."""
    verb = getattr(till, "add_tip", None)
    if verb is None:
        raise NotSupportedByTarget(till.name, "register a tip")
    scene.step_start = till.evidence.cursor()
    scene.refusal = None
    try:
        verb(scene.register, ore(amount))
    except Refused as refused:
        scene.refusal = refused


# --- § 2-8-1 ----------------------------------------------------------------------------------


@then(
    parsers.re(r'kassapunkt "(?P<register>[^"]+)" has printed (?P<documents>an? «[^»]+»(?:(?:, | and )an? «[^»]+»)*)')
)
def has_printed(till: TillDriver, scene: Scene, register: str, documents: str) -> None:
    """§ 2-8-1: the kassapunkt's own printer produced each named receipt and report."""
    register_id = scene.register_id(register)
    headings = [d.first_text_line() for d in printed(till.evidence, register_id, scene.start)]
    documents_printed = printed(till.evidence, register_id, scene.start)
    for name in re.findall(r"«([^»]+)»", documents):
        assert any(is_headed(d, name) for d in documents_printed), (
            f"kassapunkt {register_id}'s printer received no «{name}»; headings printed: {headings}"
        )


@then(parsers.parse('kassapunkt "{register}" has printed no receipt and no report'))
def printed_nothing(till: TillDriver, scene: Scene, register: str) -> None:
    """§ 2-8-1: another kassapunkt's receipts and reports are not printed here."""
    register_id = scene.register_id(register)
    documents = printed(till.evidence, register_id, scene.start)
    wrong = [d.first_text_line() for d in documents if heading_of(d) is not None]
    assert not wrong, f"kassapunkt {register_id}'s printer received documents of another kassapunkt: {wrong}"


@then(parsers.parse('the journal holds an X report and a Z report of kassapunkt "{register}"'))
def journal_has_reports(reports: Reports, scene: Scene, register: str) -> None:
    """§ 2-8-1, § 2-7 første ledd: each report is journaled as the kassapunkt's own (registerID)."""
    register_id = scene.register_id(register)
    for kind in ("X", "Z"):
        evidence = reports.get(kind, register_id)
        assert evidence.report.register_id == register_id, (
            f"the {kind} report of kassapunkt {register_id} has registerID {evidence.report.register_id!r}"
        )


# --- § 2-8-2 as a whole -----------------------------------------------------------------------


@then(
    parsers.re(
        r"the journal's (?P<kind>[XZ]) report has every element of § 2-8-2 and the verifier finds no fault in it"
    )
)
def report_complete(reports: Reports, scene: Scene, kind: str) -> None:
    """§ 2-8-2, § 2-7 første ledd: the eventReport holds every figure, and each agrees with the transactions."""
    evidence = reports.get(kind, scene.register)
    missing = [name for name in REQUIRED_ELEMENTS if name not in evidence.report.present]
    assert not missing, f"the eventReport {evidence.report.report_id} lacks {', '.join(missing)}"
    found = evidence.findings(("Z", "EVT-REPORT", "XSD"))
    assert not found, f"the verifier finds faults in the reports:\n{found}"


@then(parsers.re(r"the printed (?P<kind>[XZ]) report shows every figure of its eventReport"))
def printed_matches_journal(reports: Reports, profile: Profile, scene: Scene, kind: str) -> None:
    """§ 2-8-2: the printed report shows each figure the journal holds for it (field by field)."""
    evidence = reports.get(kind, scene.register)
    phrases = list(EVERY_REPORT_FIGURE)
    if "reportCreditSales" in evidence.report.present:
        phrases.append("credit sales (andre ledd)")
    for phrase in phrases:
        figure, ask = figure_of(phrase, profile, scene)
        got = figure.read(evidence, ask)
        amounts = None if got.amount is None else {got.amount}
        check_figure(evidence, figure, ask, count=got.count, amount=amounts)


# --- § 2-8-2 bokstav a–d ----------------------------------------------------------------------


@then(parsers.re(r"the report the step printed is headed as an? (?P<kind>[XZ]) report \(a\)"))
def headed_as(till: TillDriver, reports: Reports, scene: Scene, kind: str) -> None:
    """§ 2-8-2 bokstav a (§ 2-8-3 for Z): the report says what it is, on paper and as reportType."""
    documents = printed(till.evidence, scene.register, scene.step_start)
    assert len(documents) == 1, f"the report step printed {len(documents)} documents"
    heading = documents[0].first_text_line()
    assert REPORT_HEADINGS[kind].search(heading), (
        f"the report is headed {heading!r}, not «{kind}-rapport»:\n{documents[0].text}"
    )
    evidence = reports.get(kind, scene.register)
    stated = evidence.report.report_type.lower().replace("-", " ")
    assert stated == f"{kind.lower()} report", f"the eventReport's reportType is {evidence.report.report_type!r}"
    found = evidence.findings(("Z-A",))
    assert not found, f"the verifier disagrees with the report type:\n{found}"


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


@then(parsers.re(r"the (?P<kind>[XZ]) report names the business \(b\)"))
def names_business(reports: Reports, profile: Profile, scene: Scene, kind: str) -> None:
    """§ 2-8-2 bokstav b: the business's name and organisation number, as the profile declares them."""
    evidence = reports.get(kind, scene.register)
    report = evidence.report
    assert report.company_name == profile.shop_name, (
        f"the eventReport names the business {report.company_name!r}; the profile: {profile.shop_name!r}"
    )
    assert _digits(report.company_ident) == profile.shop_orgnr, (
        f"the eventReport's companyIdent is {report.company_ident!r}; the profile's orgnr: {profile.shop_orgnr}"
    )
    found = evidence.findings(("Z-B",))
    assert not found, f"the verifier disagrees with the business on the report:\n{found}"
    text = evidence.document.text
    assert profile.shop_name.casefold() in text.casefold(), (
        f"the printed report does not name {profile.shop_name!r}:\n{text}"
    )
    orgnr = r"\s?".join(profile.shop_orgnr[i : i + 3] for i in range(0, 9, 3))
    assert re.search(rf"(?<!\d){orgnr}(?!\d)", text), (
        f"the printed report does not show organisation number {profile.shop_orgnr}:\n{text}"
    )


@then(parsers.re(r"the (?P<kind>[XZ]) report states its date and time \(c\)"))
def states_date_time(reports: Reports, scene: Scene, kind: str) -> None:
    """§ 2-8-2 bokstav c: date and time, in the journal (reportDate/reportTime) and on paper, the same."""
    evidence = reports.get(kind, scene.register)
    report = evidence.report
    date = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", report.date)
    time = re.match(r"(\d\d):(\d\d)", report.time)
    assert date and time, f"the eventReport has reportDate {report.date!r} and reportTime {report.time!r}"
    assert report.date == evidence.event.date, (
        f"reportDate {report.date} is not the date of its event ({evidence.event.date})"
    )
    found = evidence.findings(("Z-C",))
    assert not found, f"the verifier disagrees with the report's date:\n{found}"
    year, month, day = date.groups()
    printed_date = rf"(?<!\d)0?{int(day)}\.0?{int(month)}\.(?:{year}|{year[2:]})(?!\d)|{year}-{month}-{day}"
    printed_time = rf"(?<!\d){time[1]}[:.]{time[2]}(?!\d)"
    text = evidence.document.text
    assert re.search(printed_date, text) and re.search(printed_time, text), (
        f"the printed report does not show {day}.{month}.{year} {time[1]}:{time[2]} as the journal has it:\n{text}"
    )


@then(parsers.re(r'the (?P<kind>[XZ]) report names kassapunkt "(?P<register>[^"]+)" \(d\)'))
def names_register(reports: Reports, scene: Scene, kind: str, register: str) -> None:
    """§ 2-8-2 bokstav d: the kassapunkt's ID number, in the journal (registerID) and on paper."""
    register_id = scene.register_id(register)
    evidence = reports.get(kind, register_id)
    assert evidence.report.register_id == register_id, (
        f"the eventReport of kassapunkt {register_id}'s {kind} report has registerID {evidence.report.register_id!r}"
    )
    found = evidence.findings(("Z-D",))
    assert not found, f"the verifier disagrees with the report's kassapunkt:\n{found}"
    assert re.search(token_pattern(register_id), evidence.document.text), (
        f"the printed report does not name kassapunkt {register_id}:\n{evidence.document.text}"
    )


# --- § 2-8-2 bokstav m: the openings the negative scenario relies on ---------------------------


@then("the drawer was opened by the sale and by the return")
def drawer_opened_by_sales(till: TillDriver, scene: Scene) -> None:
    """The scenario's premise: the sale and the return did open the drawer (so bokstav m had openings to skip)."""
    kicks = drawer_kicks(till.evidence, scene.register, scene.start)
    assert kicks >= 2, f"the drawer was kicked {kicks} times; the sale and the return should have opened it"


# --- § 2-8-2 andre ledd -----------------------------------------------------------------------


@then(parsers.re(r"the (?P<kind>[XZ]) report names the type of every pay-in and pay-out \(andre ledd\)"))
def names_payio_types(reports: Reports, scene: Scene, kind: str) -> None:
    """§ 2-8-2 andre ledd: pay-ins and pay-outs by number, type and amount; the printout names each type."""
    evidence = reports.get(kind, scene.register)
    for list_name in ("reportPayIns", "reportPayOuts"):
        rows = evidence.report.lists.get(list_name)
        assert rows is not None, f"the eventReport {evidence.report.report_id} has no {list_name}"
        for (kind_of,), values in rows.items():
            count, amount = values[0] or 0, values[-1] or 0
            if not count:
                continue
            assert kind_of and kind_of != "None", f"{list_name} has {count} rows without a type"
            row = find_printed(evidence.document, [(re.escape(kind_of),)], count=count, amount=amount, unsigned=True)
            assert row is not None, (
                f"the printed report does not show the type {kind_of!r} with {count} × "
                f"{Decimal(abs(amount)) / 100:.2f} kr:\n{evidence.document.text}"
            )
