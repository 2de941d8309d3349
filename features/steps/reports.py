"""Reading X and Z reports from the evidence: the printed «X-rapport»/«Z-rapport» and its eventReport.

kassasystemforskrifta § 2-8-2 lists what the X report shows (letters a–z, andre ledd for
credit sales and cash pay-ins/pay-outs); § 2-8-3 gives the Z report the same content, and
§ 2-7 første ledd puts the report in full into the electronic journal. A figure is
therefore judged twice, and both times from evidence:

1. the journal: the export's ``eventReport`` of the report (event 13008 X / 13009 Z) holds
   the figure the scenario's naive model expects, and the harness's SAF-T verifier, which
   recomputes every figure from the transactions, has no finding of the letter's rule;
2. the paper: the last document the kassapunkt's printer received headed «X-rapport» or
   «Z-rapport» shows the figure, on a line that names it.

The expected figure is written in the scenario as a small expression over the profile's
test articles (``2 × "1001" + 1 × "1201" − 5,00 kr``), never read from the till. The
printed matcher is tolerant of layout (a vendor's report need not use the reference
till's letters ``e)``, nor its order or columns) but honest: the figure must stand on a
line (or a label line and its continuation) that carries one of a few Norwegian labels
for it, after the label, as a whole number -- ``72,80`` does not match ``172,80``.

This module is imported by the test modules that read reports (``from
features.steps.reports import *``); it is not part of ``features/conftest.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import pytest
from lxml import etree
from pytest_bdd import parsers, then

from features.steps.operate import Scene, ore
from harness.documents import HEADINGS
from harness.journal_export import JournalExport
from harness.observe import Printed, printed
from harness.profile import Profile
from harness.saft_spec import NAMESPACE
from harness.targets import TillDriver
from harness.verify.records import Event, Report
from harness.verify.records import ore as saft_ore

# --------------------------------------------------------------------------- the printout

#: § 2-8-2 bokstav a / § 2-8-3: how a report's heading may name it (nynorsk, bokmål, English).
REPORT_HEADINGS = {"X": HEADINGS["X-rapport"], "Z": HEADINGS["Z-rapport"]}

#: A line ends with a figure (a count, an amount or a percentage).
_ENDS_WITH_FIGURE = re.compile(r"\d\s*%?\s*$")
_DIGIT = re.compile(r"\d")


def report_documents(till: TillDriver, register: str, kind: str, since: int) -> list[Printed]:
    """The documents headed as ``kind`` (``"X"``/``"Z"``) reports that kassapunkt ``register`` printed."""
    heading = REPORT_HEADINGS[kind]
    return [d for d in printed(till.evidence, register, since) if heading.search(d.first_text_line())]


def amount_pattern(amount: int, *, unsigned: bool = False) -> str:
    """A regex for øre ``amount`` as printed in Norway: ``1 000,00``, ``1000,00``, ``1.000,00``, ``-16,40``.

    Args:
        amount: The amount in øre.
        unsigned: Accept the amount with or without a minus (figures whose sign the
            regulation leaves open, such as returns and discounts).
    """
    whole, cents = divmod(abs(amount), 100)
    digits = str(whole)
    groups: list[str] = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    groups.insert(0, digits)
    body = r"[ \u00a0.]?".join(groups) + f",{cents:02d}"
    if unsigned:
        sign = r"[-\u2212]?\s?"
    elif amount < 0:
        sign = r"[-\u2212]\s?"
    else:
        sign = ""
    # not the tail of a longer number (172,80, 1 172,80) nor a negative number when positive is expected
    return rf"(?<![\d,.\-\u2212])(?<!\d[ \u00a0.]){sign}{body}(?!\d)"


def count_pattern(count: int) -> str:
    """A regex for a count as a number of its own (not part of an id, an amount or a date)."""
    return rf"(?<![\w,.:\-\u2212]){count}(?![\w,:]|\.\d)"


def token_pattern(text: str) -> str:
    """A regex for ``text`` as a word of its own (an id such as ``100`` or ``K1``)."""
    return rf"(?<![\w.,]){re.escape(text)}(?![\w,]|\.\d)"


@dataclass(frozen=True, slots=True)
class PrintedRow:
    """A printed line, or a label line that ends without a figure joined with the line after it.

    Attributes:
        text: The row's text.
        joined: The row is a label line and its continuation.
        context: The line before, if this line may continue it (it ended without a figure).
    """

    text: str
    joined: bool
    context: str = ""


def printed_rows(document: Printed) -> list[PrintedRow]:
    """Every line of ``document`` as a row; a line without a figure at its end also with its continuation."""
    lines = [line for line, _w, _h in document.lines]
    rows = []
    for index, line in enumerate(lines):
        before = lines[index - 1] if index and not _ENDS_WITH_FIGURE.search(lines[index - 1]) else ""
        rows.append(PrintedRow(line, False, before))
        if not _ENDS_WITH_FIGURE.search(line) and index + 1 < len(lines):
            rows.append(PrintedRow(f"{line} {lines[index + 1]}", True))
    return rows


def find_printed(
    document: Printed,
    labels: Sequence[Sequence[str]],
    *,
    amount: int | None = None,
    count: int | None = None,
    unsigned: bool = False,
    exclude: Sequence[str] = (),
) -> str | None:
    """The printed row that shows a figure under its label, or None.

    Args:
        document: The printed report.
        labels: Groups of label regexes (case-insensitive); a row must match one label of
            every group (e.g. the operator and the means of payment).
        amount: The amount in øre the row must show after the labels.
        count: The count the row must show after the labels (a number of its own).
        unsigned: Accept the amount with or without a minus.
        exclude: Regexes of rows that cannot show the figure (an operator's row cannot
            show the kassapunkt's figure for a group or a means of payment).

    A row joined from a label line and its continuation must show nothing else with
    digits after the labels, so that it cannot borrow the figure of the next line's label.
    """
    for row in printed_rows(document):
        if any(re.search(p, f"{row.context} {row.text}", re.IGNORECASE) for p in exclude):
            continue
        end = 0
        for group in labels:
            hits = [m for m in (re.search(p, row.text, re.IGNORECASE) for p in group) if m is not None]
            if not hits:
                break
            end = max(end, min(m.end() for m in hits))
        else:
            rest = row.text[end:]
            if amount is not None:
                found = re.search(amount_pattern(amount, unsigned=unsigned), rest)
                if found is None:
                    continue
                rest = rest[: found.start()] + " " + rest[found.end() :]
            if count is not None:
                found = re.search(count_pattern(count), rest)
                if found is None:
                    continue
                rest = rest[: found.start()] + " " + rest[found.end() :]
            if row.joined and _DIGIT.search(rest):
                continue
            return row.text.strip()
    return None


# --------------------------------------------------------------------------- the naive model

_TERM = re.compile(
    r"\s*(?P<sign>[+\-\u2212])?\s*(?:"
    r"(?P<qty>\d+)\s*[×x]\s*\"(?P<art>[^\"]+)\""
    r"|(?P<kr>\d[\d \u00a0]*(?:,\d\d)?)\s*kr"
    r"|(?P<z>the (?:previous )?Z report's figure)"
    r")\s*"
)
_SALE = re.compile(r"(?P<qty>\d+)\s*[×x]\s*\"(?P<art>[^\"]+)\"(?:\s+by\s+\"(?P<op>[^\"]+)\")?")


def model_amount(expression: str, profile: Profile, z_figure: Callable[[], int] | None = None) -> int:
    """The amount a scenario expects, in øre, from its expression over the profile's articles.

    ``2 × "1001" + 1 × "1201" − 5,00 kr``: quantities times the profile's prices, amounts in
    kroner; ``the Z report's figure`` (or ``the previous Z report's figure``, said of a Z
    report) is the same figure on the kassapunkt's Z report before the one judged
    (``z_figure``), for the grand totals that carry on across Z reports.

    Raises:
        ValueError: The expression is not of that form.
    """
    total, position = 0, 0
    text = expression.strip()
    while position < len(text):
        term = _TERM.match(text, position)
        if term is None or term.end() == position:
            raise ValueError(
                f"cannot read {text[position:]!r} in {expression!r}; "
                'write terms such as 2 × "1001", 5,00 kr or the Z report\'s figure, joined by + and −'
            )
        if term["qty"]:
            value = int(term["qty"]) * profile.article(term["art"]).price
        elif term["kr"]:
            value = ore(term["kr"])
        else:
            if z_figure is None:
                raise ValueError(f"{expression!r}: the Z report's figure means nothing for this figure")
            value = z_figure()
        total += -value if term["sign"] in ("-", "\u2212") else value
        position = term.end()
    return total


@dataclass(frozen=True, slots=True)
class ModelSale:
    """One sale of a scenario's list: ``quantity`` × article ``art_id`` (by ``operator``, if named)."""

    quantity: int
    art_id: str
    operator: str


def model_sales(text: str) -> list[ModelSale]:
    """``1 × "1001", 1 × "1002" and 1 × "1201"`` -> one :class:`ModelSale` per listed sale.

    Raises:
        ValueError: Nothing in the text names a sale.
    """
    sales = [ModelSale(int(m["qty"]), m["art"], m["op"] or "") for m in _SALE.finditer(text)]
    if not sales:
        raise ValueError(f'{text!r} lists no sale; write 1 × "1001", 2 × "1201"')
    return sales


def round_cash(amount: int) -> int:
    """Øre rounded to whole kroner, halves away from zero (øreavrunding of cash payments)."""
    quotient, remainder = divmod(abs(amount), 100)
    if remainder >= 50:
        quotient += 1
    return -quotient * 100 if amount < 0 else quotient * 100


# --------------------------------------------------------------------------- the evidence


@dataclass
class ReportEvidence:
    """One X or Z report as the evidence shows it.

    Attributes:
        kind: ``"X"`` or ``"Z"``.
        register: The kassapunkt.
        report: Its eventReport in the journal export.
        event: The event (13008/13009) carrying it.
        document: The last document of the kassapunkt's printer headed as such a report.
        export: The verified journal export it was read from.
    """

    kind: str
    register: str
    report: Report
    event: Event
    document: Printed
    export: JournalExport

    def findings(self, rules: Iterable[str]) -> str:
        """The verifier's findings of ``rules`` about this kassapunkt, as lines ("" if none)."""
        wanted = tuple(rules)
        if not wanted:
            return ""
        found = [f for f in self.export.findings(*wanted) if f.location.register in ("", self.register)]
        return self.export.describe(found)

    def vat_rows(self) -> list[tuple[str, str, int, int]]:
        """The report's ``reportCashSaleVat`` rows: (vatCode, vatPerc, cashSaleAmnt, vatAmnt) in øre."""
        return _vat_rows(self.export, self.register, self.event.event_id)


def _vat_rows(export: JournalExport, register: str, event_id: str) -> list[tuple[str, str, int, int]]:
    """Read ``reportCashSaleVat`` of one event straight from the export (the reader keeps no vatPerc)."""
    ns = {"s": NAMESPACE}
    tree = etree.parse(str(export.path))
    found = []
    for reg in tree.iterfind(".//s:cashregister", ns):
        if (reg.findtext("s:registerID", "", ns) or "").strip() != register:
            continue
        for event in reg.iterfind("s:event", ns):
            if (event.findtext("s:eventID", "", ns) or "").strip() != event_id:
                continue
            for row in event.iterfind("s:eventReport/s:reportCashSalesVat/s:reportCashSaleVat", ns):
                found.append(
                    (
                        (row.findtext("s:vatCode", "", ns) or "").strip(),
                        (row.findtext("s:vatPerc", "", ns) or "").strip(),
                        saft_ore(row.findtext("s:cashSaleAmnt", "0", ns)) or 0,
                        saft_ore(row.findtext("s:vatAmnt", "0", ns)) or 0,
                    )
                )
    return found


@dataclass
class Reports:
    """The scenario's view of its reports: one verified export per state of the evidence log."""

    till: TillDriver
    scene: Scene
    _cached: tuple[int, JournalExport] | None = field(default=None, repr=False)

    def export(self) -> JournalExport:
        """The journal exported and verified now (again only if the till did something since)."""
        cursor = self.till.evidence.cursor()
        if self._cached is None or self._cached[0] != cursor:
            self._cached = (cursor, self.scene.journal(self.till))
        return self._cached[1]

    def register(self, role: str | None) -> str:
        """The kassapunkt a step names (``"K2"``), or the scenario's current one."""
        return self.scene.register_id(role) if role else self.scene.register

    def get(self, kind: str, register: str) -> ReportEvidence:
        """The last ``kind`` report of ``register``, in the journal and on paper."""
        export = self.export()
        code = {"X": "13008", "Z": "13009"}[kind]
        events = [e for e in export.events_of(register, code) if e.report is not None]
        assert events, (
            f"the journal export holds no {kind} report (event {code} with eventReport) of kassapunkt "
            f"{register}; registers in it: {', '.join(export.registers) or 'none'}"
        )
        documents = report_documents(self.till, register, kind, self.scene.start)
        assert documents, (
            f"kassapunkt {register}'s printer received no document headed «{kind}-rapport»; headings printed: "
            f"{[d.first_text_line() for d in printed(self.till.evidence, register, self.scene.start)]}"
        )
        event = events[-1]
        assert event.report is not None
        return ReportEvidence(kind, register, event.report, event, documents[-1], export)

    def z_before(self, evidence: ReportEvidence) -> ReportEvidence:
        """The last Z report of the same kassapunkt before ``evidence`` (for the grand totals)."""
        code = "13009"
        events = evidence.export.events
        index = events.index(evidence.event)
        earlier = [
            e
            for e in events[:index]
            if e.register == evidence.register and evidence.export.code("13", e.event_type) == code and e.report
        ]
        assert earlier, f"no Z report of kassapunkt {evidence.register} before {evidence.kind} report"
        report = earlier[-1].report
        assert report is not None
        documents = report_documents(self.till, evidence.register, "Z", self.scene.start)
        assert len(documents) >= len(earlier), (
            f"kassapunkt {evidence.register} printed {len(documents)} Z report(s); the journal has {len(earlier)} "
            f"before the {evidence.kind} report"
        )
        # the n-th Z report on paper is the n-th in the journal (the scenario's till starts empty)
        return ReportEvidence("Z", evidence.register, report, earlier[-1], documents[len(earlier) - 1], evidence.export)


@pytest.fixture
def reports(till: TillDriver, scene: Scene) -> Reports:
    """The scenario's reports, read from the journal export and the printer."""
    return Reports(till, scene)


# --------------------------------------------------------------------------- the figures


@dataclass(frozen=True, slots=True)
class Reading:
    """A figure as the eventReport states it (None where the figure has no count or no amount)."""

    count: int | None
    amount: int | None


@dataclass(frozen=True, slots=True)
class Ask:
    """What a Then step asks about: the scenario's phrase matched, the profile and the scene."""

    match: re.Match[str]
    profile: Profile
    scene: Scene

    def art_group(self) -> str:
        """The goods group of the phrase's article (``"article "1201""``) in the profile."""
        return self.profile.article(self.match["art"]).group

    def operator(self) -> str:
        """The target's id of the phrase's operator."""
        return self.scene.operator_id(self.match["op"])


Reader = Callable[[ReportEvidence, Ask], Reading]
Labeller = Callable[[ReportEvidence, Ask], list[tuple[str, ...]]]


@dataclass(frozen=True, slots=True)
class Figure:
    """A figure of § 2-8-2 as a scenario names it.

    Attributes:
        phrase: Regex of the scenario's words for it (total cash sales, then the letter in brackets).
        rules: The verifier's rules that recompute it (no finding may name them).
        labels: Norwegian label regexes a printed row may name it by (one must match).
        read: Reads it from the eventReport.
        more_labels: Further label groups the row must also match (group, operator …).
        unsigned: Its sign is left open (returns, discounts, voids, pay-outs, corrections).
        kassapunkt_wide: A figure of the whole kassapunkt whose labels an operator's row
            repeats (a means of payment): rows naming an operator do not count.
    """

    phrase: str
    rules: tuple[str, ...]
    labels: tuple[str, ...]
    read: Reader
    more_labels: Labeller | None = None
    unsigned: bool = False
    kassapunkt_wide: bool = False


def _figure(report: Report, name: str) -> int:
    value = report.figures.get(name)
    assert value is not None, (
        f"the eventReport {report.report_id} has no {name} (or it is not a number); "
        f"figures it has: {', '.join(sorted(report.figures))}"
    )
    return value


def _flat(count: str | None, amount: str | None) -> Reader:
    def read(evidence: ReportEvidence, _ask: Ask) -> Reading:
        return Reading(
            _figure(evidence.report, count) if count else None,
            _figure(evidence.report, amount) if amount else None,
        )

    return read


def _rows(report: Report, list_name: str) -> dict[tuple[str, ...], list[int | None]]:
    rows = report.lists.get(list_name)
    assert rows is not None, f"the eventReport {report.report_id} has no {list_name}"
    return rows


def _summed(list_name: str, keep: Callable[[tuple[str, ...], ReportEvidence, Ask], bool] | None = None) -> Reader:
    """Count and amount summed over a keyed list's rows (``keep`` chooses rows; amounts as absolute values)."""

    def read(evidence: ReportEvidence, ask: Ask) -> Reading:
        count, amount = 0, 0
        for key, values in _rows(evidence.report, list_name).items():
            if keep is not None and not keep(key, evidence, ask):
                continue
            count += (values[0] or 0) if len(values) > 1 else 0
            amount += abs(values[-1] or 0)
        return Reading(count, amount)

    return read


#: A means of payment as the scenario names it -> PredefinedBasicID-12 codes and Norwegian words.
MEANS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "cash": (frozenset({"12001"}), (r"kontant",)),
    "card": (frozenset({"12002", "12003"}), (r"kort", r"bankaxept", r"visa", r"mastercard")),
    "gift card": (frozenset({"12005"}), (r"gavekort",)),
    "mobile payment": (frozenset({"12011"}), (r"vipps", r"mobil")),
}


def _payment_of(key: tuple[str, ...], evidence: ReportEvidence, ask: Ask) -> bool:
    codes = MEANS[ask.match["means"]][0]
    return evidence.export.code("12", key[-1]) in codes


def _emp_payment_of(key: tuple[str, ...], evidence: ReportEvidence, ask: Ask) -> bool:
    return key[0] == ask.operator() and _payment_of(key, evidence, ask)


def _means_labels(evidence: ReportEvidence, ask: Ask) -> list[tuple[str, ...]]:
    """The means of payment as printed: its id or description in the masterfiles, or a usual word."""
    codes, words = MEANS[ask.match["means"]]
    labels = list(words)
    for (basic_type, basic_id), basic in evidence.export.basics.items():
        if basic_type == "12" and basic.predefined in codes:
            labels.append(token_pattern(basic_id))
            if basic.description.strip():
                labels.append(re.escape(basic.description.strip()))
    return [tuple(labels)]


def operator_rows(profile: Profile) -> tuple[str, ...]:
    """Regexes of printed rows that name one of the profile's operators (ids of three characters or more).

    Shorter ids are left out: a row naming operator ``1`` cannot be told from a count of 1.
    """
    return tuple(token_pattern(op) for op in profile.operators if len(op) >= 3)


def group_labels(export: JournalExport, group: str) -> tuple[str, ...]:
    """An article group as printed: its id, or its description in the masterfiles."""
    labels = [token_pattern(group)]
    basic = export.basics.get(("04", group))
    if basic is not None and basic.description.strip():
        labels.append(re.escape(basic.description.strip()))
    return tuple(labels)


def _operator_labels(_evidence: ReportEvidence, ask: Ask) -> list[tuple[str, ...]]:
    return [(token_pattern(ask.operator()),)]


def _emp_payment_labels(evidence: ReportEvidence, ask: Ask) -> list[tuple[str, ...]]:
    return _operator_labels(evidence, ask) + _means_labels(evidence, ask)


def _group_of_article(key: tuple[str, ...], _evidence: ReportEvidence, ask: Ask) -> bool:
    return key[-1] == ask.art_group()


def _emp_float(evidence: ReportEvidence, ask: Ask) -> Reading:
    rows = _rows(evidence.report, "reportEmpOpeningChangeFloats")
    values = rows.get((ask.operator(),))
    assert values is not None, (
        f"the eventReport {evidence.report.report_id} has no opening float of operator {ask.operator()}; "
        f"operators in reportEmpOpeningChangeFloats: {[k[0] for k in rows]}"
    )
    return Reading(None, values[-1] or 0)


def _tips(evidence: ReportEvidence, ask: Ask) -> Reading:
    assert "reportTip" in evidence.report.present, (
        f"the eventReport {evidence.report.report_id} has no reportTip although the till registers tips"
    )
    return _flat("tipNum", "tipAmnt")(evidence, ask)


def _real_rows(key: tuple[str, ...], _evidence: ReportEvidence, _ask: Ask) -> bool:
    return key != ("None",)


FIGURES: tuple[Figure, ...] = (
    Figure(r"total cash sales \(e\)", ("Z-E", "Z-TRAINING"), (r"kontantsal", r"totalt?\s+sal"),
           _flat(None, "totalCashSaleAmnt")),
    Figure(r"payments? by (?P<means>cash|card|gift card|mobile payment) \(g\)", ("Z-G",), (),
           _summed("reportPayments", _payment_of), _means_labels, kassapunkt_wide=True),
    Figure(r"payments? by (?P<means>cash|card|gift card|mobile payment) of operator \"(?P<op>[^\"]+)\" \(h\)",
           ("Z-H",), (), _summed("reportEmpPayments", _emp_payment_of), _emp_payment_labels),
    Figure(r"tips? \(i\)", (), (r"\btips\b", r"driks"), _tips),
    Figure(r"an opening float \(k\)", ("Z-K",), (r"veksel",), _flat(None, "reportOpeningChangeFloat")),
    Figure(r"an opening float of operator \"(?P<op>[^\"]+)\" \(k\)", ("Z-K",), (), _emp_float,
           _operator_labels),
    Figure(r"sales receipts? \(l\)", ("Z-L", "Z-TRAINING"), (r"sal\w*\s?kvitter", r"antall\s+kvitter"),
           _flat("reportReceiptNum", None)),
    Figure(r"nullinnslag \(m\)", ("Z-M",), (r"skuff", r"nullinnslag"), _flat("reportOpenCashBoxNum", None)),
    Figure(r"copy receipts? \(n\)", ("Z-N",), (r"kopi",), _flat("reportReceiptCopyNum", "reportReceiptCopyAmnt")),
    Figure(r"provisional receipts? \(o\)", ("Z-O",), (r"forel[øo]pig", r"proforma"),
           _flat("reportReceiptProformaNum", "reportReceiptProformaAmnt")),
    Figure(r"returns? \(p\)", ("Z-P",), (r"retur",), _flat("reportReturnNum", "reportReturnAmnt"), unsigned=True),
    Figure(r"discounts? given at the kassapunkt \(q\)", (), (r"rabatt",),
           _flat("reportDiscountNum", "reportDiscountAmnt"), unsigned=True),
    Figure(r"cancelled sales? \(r\)", ("Z-R",), (r"annuller", r"avbr[uo]t", r"kansell"),
           _flat("reportVoidTransNum", "reportVoidTransAmnt"), unsigned=True),
    Figure(r"line corrections? \(s\)", (), (r"linje\w*\s?korr", r"korrig\w*\s+linj"),
           _summed("reportCorrLines", _real_rows), unsigned=True),
    Figure(r"price look-ups? in the group of article \"(?P<art>[^\"]+)\" \(t\)", ("Z-T",),
           (r"pris\w*\s?(foresp|unders|oppslag|sjekk)",), _summed("reportPriceInquiries", _group_of_article)),
    Figure(r"other corrections? \(u\)", (), (r"andre\s+korr",), _summed("reportOtherCorrs", _real_rows),
           unsigned=True),
    Figure(r"delivery receipts? \(v\)", ("Z-V",), (r"utlever",),
           _flat("reportReceiptDeliveryNum", "reportReceiptDeliveryAmnt")),
    Figure(r"training receipts? \(w\)", ("Z-W", "Z-TRAINING"), (r"trening", r"øving"),
           _flat("reportTrainingNum", "reportTrainingAmnt"), unsigned=True),
    Figure(r"grand total sales \(x\)", ("Z-GRAND",), (r"grand\s*total\w*\s+sal", r"akkumulert\w*\s+sal"),
           _flat(None, "reportGrandTotalSales")),
    Figure(r"grand total returns \(y\)", ("Z-GRAND",), (r"grand\s*total\w*\s+retur", r"akkumulert\w*\s+retur"),
           _flat(None, "reportGrandTotalReturn")),
    Figure(r"grand total net sales \(z\)", ("Z-GRAND",), (r"grand\s*total\w*\s+nett?o", r"akkumulert\w*\s+nett?o"),
           _flat(None, "reportGrandTotalSalesNet")),
    Figure(r"credit sales? \(andre ledd\)", ("Z-CREDIT",), (r"kreditt?sal",),
           _flat("creditSalesNum", "creditSalesAmnt")),
    Figure(r"credit notes? \(andre ledd\)", ("Z-CREDIT",), (r"kredit\w*\s?nota",),
           _flat("creditMemosNum", "creditMemosAmnt"), unsigned=True),
    Figure(r"cash pay-ins? \(andre ledd\)", ("Z-PAYIO",), (r"innbetal",), _summed("reportPayIns", _real_rows)),
    Figure(r"cash pay-outs? \(andre ledd\)", ("Z-PAYIO",), (r"utbetal", r"uttak"), _summed("reportPayOuts", _real_rows),
           unsigned=True),
)  # fmt: skip


def figure_of(phrase: str, profile: Profile, scene: Scene) -> tuple[Figure, Ask]:
    """The figure a scenario's phrase names.

    Raises:
        AssertionError: No figure has that phrase (the message lists the phrases).
    """
    for figure in FIGURES:
        match = re.fullmatch(figure.phrase, phrase)
        if match is not None:
            return figure, Ask(match, profile, scene)
    known = "\n".join(f.phrase for f in FIGURES)
    raise AssertionError(f"no report figure is written {phrase!r}; the phrases are (regex):\n{known}")


def _acceptable(figure: Figure, ask: Ask, amount: int) -> set[int]:
    """The amounts the model accepts: cash payments may be rounded to whole kroner (one cash sale)."""
    cash = ask.match.groupdict().get("means") == "cash"
    return {amount, round_cash(amount)} if cash else {amount}


def check_figure(
    evidence: ReportEvidence, figure: Figure, ask: Ask, *, count: int | None, amount: set[int] | None
) -> None:
    """Judge one figure: the eventReport holds it, the verifier agrees, the printout shows it.

    Args:
        evidence: The report.
        figure: Which figure.
        ask: The scenario's phrase and context.
        count: The count the model expects (None: the figure has none or the step asks none).
        amount: The amounts the model accepts (None: the step asks no amount).
    """
    got = figure.read(evidence, ask)
    label = f"{evidence.kind} report {evidence.report.report_id} of kassapunkt {evidence.register}"
    # kassasystemforskrifta § 2-7 første ledd / § 2-8-2: the journal holds the report in full
    if count is not None:
        assert got.count == count, (
            f"{label}: the eventReport counts {got.count} {ask.match.group(0)}; the scenario made {count}"
        )
    shown_amount = None
    if amount is not None:
        assert got.amount is not None
        stated = abs(got.amount) if figure.unsigned else got.amount
        wanted = {abs(a) for a in amount} if figure.unsigned else amount
        assert stated in wanted, (
            f"{label}: the eventReport has {ask.match.group(0)} of {stated / 100:.2f} kr; "
            f"the scenario expects {' or '.join(f'{a / 100:.2f}' for a in sorted(wanted))} kr"
        )
        shown_amount = got.amount
    found = evidence.findings(figure.rules)
    assert not found, f"{label}: the verifier recomputed the figure differently from the transactions:\n{found}"
    # § 2-8-2: the printed report shows the figure on a line that names it
    labels = figure.more_labels(evidence, ask) if figure.more_labels is not None else []
    if figure.labels:
        labels.append(figure.labels)
    row = find_printed(
        evidence.document,
        labels,
        amount=shown_amount,
        count=got.count if count is not None else None,
        unsigned=figure.unsigned,
        exclude=operator_rows(ask.profile) if figure.kassapunkt_wide else (),
    )
    shown = []
    if count is not None:
        shown.append(f"count {got.count}")
    if shown_amount is not None:
        shown.append(f"amount {shown_amount / 100:.2f}")
    assert row is not None, (
        f"the printed {evidence.kind} report shows no line naming {ask.match.group(0)} with "
        f"{' and '.join(shown)} (labels looked for: {labels}):\n{evidence.document.text}"
    )


# --------------------------------------------------------------------------- Then steps

_KIND = r"the (?P<kind>[XZ]) report(?: of kassapunkt \"(?P<register>[^\"]+)\")?"
#: a figure phrase ends with its letter in brackets; f and j have steps of their own
_FIG = r"(?P<phrase>[a-z][^()]*\((?![fj]\))[^()]+\))"


def _expect(evidence: ReportEvidence, figure: Figure, ask: Ask, expression: str, reports: Reports) -> set[int]:
    def z_figure() -> int:
        earlier = reports.z_before(evidence)
        value = figure.read(earlier, ask).amount
        assert value is not None
        return value

    return _acceptable(figure, ask, model_amount(expression, ask.profile, z_figure))


@then(parsers.re(rf"{_KIND} shows {_FIG} of (?P<amount>.+)"))
def shows_amount(
    reports: Reports, profile: Profile, scene: Scene, kind: str, register: str | None, phrase: str, amount: str
) -> None:
    """§ 2-8-2: the report shows an amount figure (e, k, x, y, z) as the scenario's model computes it."""
    evidence = reports.get(kind, reports.register(register))
    figure, ask = figure_of(phrase, profile, scene)
    check_figure(evidence, figure, ask, count=None, amount=_expect(evidence, figure, ask, amount, reports))


@then(parsers.re(rf"{_KIND} shows (?P<count>\d+) {_FIG}"))
def shows_count(
    reports: Reports, profile: Profile, scene: Scene, kind: str, register: str | None, phrase: str, count: str
) -> None:
    """§ 2-8-2: the report shows a count figure (l, m) as the scenario made it."""
    evidence = reports.get(kind, reports.register(register))
    figure, ask = figure_of(phrase, profile, scene)
    check_figure(evidence, figure, ask, count=int(count), amount=None)


@then(parsers.re(rf"{_KIND} shows (?P<count>\d+) {_FIG} for (?P<amount>.+)"))
def shows_count_amount(
    reports: Reports,
    profile: Profile,
    scene: Scene,
    kind: str,
    register: str | None,
    phrase: str,
    count: str,
    amount: str,
) -> None:
    """§ 2-8-2: the report shows a count-and-amount figure (g, h, n–w, andre ledd) as the scenario made it."""
    evidence = reports.get(kind, reports.register(register))
    figure, ask = figure_of(phrase, profile, scene)
    check_figure(evidence, figure, ask, count=int(count), amount=_expect(evidence, figure, ask, amount, reports))


def _group_model(sales: Iterable[ModelSale], profile: Profile) -> dict[str, list[int]]:
    """Group -> [sales, amount] of the listed sales (each listed sale one sale with one line)."""
    model: dict[str, list[int]] = {}
    for sale in sales:
        article = profile.article(sale.art_id)
        row = model.setdefault(article.group, [0, 0])
        row[0] += 1
        row[1] += sale.quantity * article.price
    return model


@then(parsers.re(rf"{_KIND} shows the article groups \(f\) of the sales (?P<sales>.+)"))
def shows_groups(reports: Reports, profile: Profile, kind: str, register: str | None, sales: str) -> None:
    """§ 2-8-2 bokstav f: number and amount of cash sales per goods group, every group as the model has it.

    Each listed sale is one sale with one line; a group the list does not touch must show
    no sales. The count is the number of sales with the group (the verifier warns only,
    Z-COUNT, on another counting convention; with one line per sale every convention agrees).
    """
    evidence = reports.get(kind, reports.register(register))
    model = _group_model(model_sales(sales), profile)
    rows = _rows(evidence.report, "reportArtGroups")
    stated = {key[0]: values for key, values in rows.items()}
    for group in sorted(set(stated) | set(model)):
        want = model.get(group, [0, 0])
        got = stated.get(group, [0, 0])
        # § 2-8-2 bokstav f: antal og beløp per varegruppe
        assert [got[0] or 0, got[-1] or 0] == want, (
            f"{kind} report {evidence.report.report_id}: group {group} has {got[0]} sales for "
            f"{(got[-1] or 0) / 100:.2f} kr in the eventReport; the scenario made {want[0]} for {want[1] / 100:.2f} kr"
        )
    found = evidence.findings(("Z-F",))
    assert not found, f"the verifier recomputed the article groups differently:\n{found}"
    for group, (count, amount) in sorted(model.items()):
        row = find_printed(
            evidence.document,
            [group_labels(evidence.export, group)],
            amount=amount,
            count=count,
            exclude=operator_rows(profile),
        )
        assert row is not None, (
            f"the printed {kind} report shows no line for group {group} with {count} sales and "
            f"{amount / 100:.2f} kr:\n{evidence.document.text}"
        )


@then(parsers.re(rf"{_KIND}'s article groups \(f\) add up to its total cash sales \(e\) of (?P<amount>.+)"))
def groups_add_up(reports: Reports, profile: Profile, kind: str, register: str | None, amount: str) -> None:
    """§ 2-8-2 bokstav e and f: the goods groups together are the total cash sales."""
    evidence = reports.get(kind, reports.register(register))
    total = model_amount(amount, profile)
    groups = sum(values[-1] or 0 for values in _rows(evidence.report, "reportArtGroups").values())
    stated = _figure(evidence.report, "totalCashSaleAmnt")
    assert groups == stated == total, (
        f"{kind} report {evidence.report.report_id}: the groups add up to {groups / 100:.2f} kr, total cash "
        f"sales are {stated / 100:.2f} kr; the scenario sold {total / 100:.2f} kr"
    )


def _rate_label(rate: str) -> str:
    return rf"(?<![\d,]){rate}(?:,0+)?\s?%"


def vat_of(gross: int, rate: int) -> int:
    """VAT in a gross amount at ``rate`` percent, rounded half away from zero."""
    quotient, remainder = divmod(abs(gross) * rate, 100 + rate)
    if 2 * remainder >= 100 + rate:
        quotient += 1
    return -quotient if gross < 0 else quotient


@then(parsers.re(rf"{_KIND} shows the cash sales and VAT per rate \(j\) of the sales (?P<sales>.+)"))
def shows_vat(reports: Reports, profile: Profile, kind: str, register: str | None, sales: str) -> None:
    """§ 2-8-2 bokstav j: taxable and tax-exempt cash sales and the VAT, per VAT rate.

    The model takes each listed sale (one line each) at its article's price and VAT rate in
    the profile, and splits the gross into the basis (cashSaleAmnt, without VAT, as the
    verifier reads it) and the VAT, rounded per sale. A rate the list does not touch must
    show nothing.
    """
    evidence = reports.get(kind, reports.register(register))
    model: dict[int, list[int]] = {}
    for sale in model_sales(sales):
        article = profile.article(sale.art_id)
        gross = sale.quantity * article.price
        row = model.setdefault(int(article.vat_rate), [0, 0])
        row[0] += gross
        row[1] += vat_of(gross, int(article.vat_rate))
    stated: dict[int, list[int]] = {}
    for _code, perc, base, vat in evidence.vat_rows():
        row = stated.setdefault(_percent(perc), [0, 0])
        row[0] += base + vat
        row[1] += vat
    for rate_bp in sorted(set(stated) | {r * 100 for r in model}, reverse=True):
        want = model.get(rate_bp // 100, [0, 0]) if rate_bp % 100 == 0 else [0, 0]
        got = stated.get(rate_bp, [0, 0])
        # § 2-8-2 bokstav j: avgiftspliktig og avgiftsfritt kontantsal, meirverdiavgift per sats
        assert got == want, (
            f"{kind} report {evidence.report.report_id}: at {rate_bp / 100:g} % the eventReport has basis "
            f"{(got[0] - got[1]) / 100:.2f} and VAT {got[1] / 100:.2f}; the scenario sold "
            f"{want[0] / 100:.2f} kr gross = basis {(want[0] - want[1]) / 100:.2f} + VAT {want[1] / 100:.2f}"
        )
    found = evidence.findings(("Z-J",))
    assert not found, f"the verifier recomputed the VAT figures differently:\n{found}"
    for rate, (gross, vat) in sorted(model.items()):
        rate_label = (_rate_label(str(rate)),)
        # the VAT on a line with the rate and a VAT word; the basis (or the gross) on a line with the rate
        vat_row = find_printed(evidence.document, [rate_label, (r"mva", r"moms", r"avgift")], amount=vat)
        base_row = find_printed(evidence.document, [rate_label], amount=gross - vat) or find_printed(
            evidence.document, [rate_label], amount=gross
        )
        assert vat_row is not None and base_row is not None, (
            f"the printed {kind} report does not show {rate} % with basis {(gross - vat) / 100:.2f} (or "
            f"{gross / 100:.2f} gross) and VAT {vat / 100:.2f}:\n{evidence.document.text}"
        )


def _percent(text: str) -> int:
    """``15.00`` -> 1500 (hundredths of a percent)."""
    whole, _dot, frac = text.partition(".")
    try:
        return int(whole or "0") * 100 + int((frac + "00")[:2])
    except ValueError:
        return -1


@then(parsers.re(rf"{_KIND}'s grand totals satisfy x − y = z"))
def grand_totals_consistent(reports: Reports, kind: str, register: str | None) -> None:
    """§ 2-8-2 bokstav x, y, z: grand total net is grand total sales less grand total returns."""
    evidence = reports.get(kind, reports.register(register))
    x = _figure(evidence.report, "reportGrandTotalSales")
    y = _figure(evidence.report, "reportGrandTotalReturn")
    z = _figure(evidence.report, "reportGrandTotalSalesNet")
    assert x - y == z, f"{kind} report {evidence.report.report_id}: x {x / 100:.2f} − y {y / 100:.2f} ≠ z {z / 100:.2f}"
    found = evidence.findings(("Z-GRAND",))
    assert not found, f"the verifier finds the grand totals inconsistent:\n{found}"


def serving_codes() -> frozenset[str]:
    """PredefinedBasicID-04 codes of serving places' groups (bokføringsforskrifta § 8-5): 04006–04018."""
    return frozenset(f"040{n:02d}" for n in range(6, 19))


def hairdresser_codes() -> frozenset[str]:
    """PredefinedBasicID-04 codes of hairdressers' groups (bokføringsforskrifta § 8-3): 04001–04005."""
    return frozenset(f"0400{n}" for n in range(1, 6))
