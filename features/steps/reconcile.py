"""The reconciliation step family: the printer, the journal, its SAF-T export, the reports and the chain.

kassasystemforskrifta § 2-7 første ledd wants all use of the system in the electronic
journal, printing of receipts and reports included; § 2-8-2 wants the X and Z reports to
show the period's figures; Skatteetaten's signature requirements chain every transaction
per kassapunkt. None of these artefacts proves anything alone: a till can print a receipt
it never journals, or journal a sale its Z report leaves out. The Then steps here hold
them against each other:

* every printed receipt («Salskvittering», «Returkvittering», or any other numbered receipt
  that is neither a «KOPI» nor a «Foreløpig kvittering») ↔ exactly one journal transaction
  (receipt number, total, date and time), and every concluded sale ↔ exactly one receipt;
* each such transaction's SAF-T record ↔ the lines and VAT the receipt printed;
* every printed document ↔ its journal event (PredefinedBasicID-13);
* each X or Z report in the journal ↔ the transactions and printed documents it covers,
  and the printed report ↔ the journal's ``eventReport``;
* the signature chain of every kassapunkt, recomputed here with the profile's keys.

The expected figures are a deliberately naive model computed from the evidence (printed
documents, exported transactions), never from what the driver reports. The module also
holds the helpers the journal features share: :class:`Exports` (one export per Then
block, fixture ``exports``), the receipt reader and the signature check.

These steps are meant for the shared vocabulary (``features/conftest.py``); until they
move there, a test module that uses them star-imports this module.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree
from pytest_bdd import parsers, then, when

from features.steps.operate import Scene
from harness.documents import heading_of, is_copy, marked
from harness.journal_export import JournalExport
from harness.observe import Printed, printed
from harness.profile import Profile
from harness.saft_spec import NAMESPACE
from harness.targets import TillDriver
from harness.verify import Severity
from harness.verify.records import Event, Report, Transaction

# --- the export, once per Then block -----------------------------------------------------


@dataclass
class Exports:
    """The journal exports of one scenario.

    :meth:`latest` exports (and verifies) once and hands the same export to the Then steps
    that follow one another; it exports again only when the till did something since.

    Attributes:
        scene: The scenario's memory.
        till: The till under test.
        taken: Exports a When step asked for, in order.
    """

    scene: Scene
    till: TillDriver
    taken: list[JournalExport] = field(default_factory=list)
    _cached: tuple[tuple[int, int, int], JournalExport] | None = None

    def _key(self) -> tuple[int, int, int]:
        return (self.scene.step_start, self.till.evidence.cursor(), len(self.scene.sales))

    def take(self) -> JournalExport:
        """Export the journal now and remember the export in :attr:`taken`."""
        export = self.scene.journal(self.till)
        self.taken.append(export)
        self._cached = (self._key(), export)
        return export

    def latest(self) -> JournalExport:
        """The journal as it is now (exported and verified once per state of the till)."""
        if self._cached is None or self._cached[0] != self._key():
            self._cached = (self._key(), self.scene.journal(self.till))
        return self._cached[1]


@pytest.fixture
def exports(scene: Scene, till: TillDriver) -> Exports:
    """The scenario's journal exports."""
    return Exports(scene, till)


#: Prefix for the SAF-T namespace in XPath (``xml(export).findall("s:header", SAFT)``).
SAFT = {"s": NAMESPACE}


def xml(export: JournalExport) -> etree._Element:
    """The export's root element, for the elements :class:`JournalExport` does not read."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    return etree.parse(str(export.path), parser).getroot()


def xml_transaction(root: etree._Element, trans_id: str) -> etree._Element:
    """The ``cashtransaction`` element with ``trans_id``."""
    found = [t for t in root.iterfind(".//s:cashtransaction", SAFT) if t.findtext("s:transID", "", SAFT) == trans_id]
    assert len(found) == 1, f"{len(found)} cashtransaction elements with transID {trans_id!r}"
    return found[0]


# --- reading printed documents -----------------------------------------------------------

#: Printed document, by its heading (:data:`harness.documents.HEADINGS`) -> the PredefinedBasicID-13
#: code of its journal event and a name for messages.
DOCUMENT_EVENTS: dict[str, tuple[str, str]] = {
    "Salskvittering": ("13012", "salskvittering"),
    "Returkvittering": ("13013", "returkvittering"),
    "Treningskvittering": ("13017", "treningskvittering"),
    "Foreløpig kvittering": ("13015", "foreløpig kvittering"),
    "Utleveringskvittering": ("13016", "utleveringskvittering"),
    "X-rapport": ("13008", "X report"),
    "Z-rapport": ("13009", "Z report"),
}
COPY_EVENT = ("13014", "kopikvittering")

_AMOUNT = re.compile(r"-?\d{1,3}(?:[ \u00a0]\d{3})*,\d{2}(?!\d)")
_COUNT = re.compile(r"(?<![\w,.-])\d+(?![\w,.])")
_NUMBER = re.compile(r"(?i)kvittering\w*?\s*(?:nr\.?|nummer)\s*:?\s*([0-9A-Za-z][\w-]*)")
_WHEN = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})\D{1,5}(\d{1,2}):(\d{2})(?::(\d{2}))?")
_TOTAL = re.compile(r"(?i)^\s*(?:totalt?|sum)\b")


def amounts(line: str) -> list[int]:
    """The amounts in kroner printed on a line (``1 000,00``, ``-21,90``), in øre."""
    return [int(a.replace(" ", "").replace("\u00a0", "").replace(",", "")) for a in _AMOUNT.findall(line)]


def counts(line: str) -> list[int]:
    """The whole numbers printed on a line that are not part of an amount."""
    return [int(n) for n in _COUNT.findall(_AMOUNT.sub(" ", line))]


def kr(value: int | None) -> str:
    """øre as the receipt writes kroner: ``-21,90``."""
    if value is None:
        return "?"
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value) // 100},{abs(value) % 100:02d}"


def document_event(document: Printed) -> tuple[str, str] | None:
    """(PredefinedBasicID-13 code, name) of the journal event a printed document must have."""
    if is_copy(document):
        return COPY_EVENT
    heading = heading_of(document)
    return DOCUMENT_EVENTS[heading] if heading is not None else None


#: Receipt kinds :func:`read_receipt` tells apart; ``other`` is a numbered receipt under another name.
RECEIPT_KINDS = ("sale", "return", "copy", "provisional", "other")
#: Receipts that document a journal transaction of their own (a copy repeats one, a provisional precedes one).
TRANSACTION_RECEIPTS = ("sale", "return", "other")


@dataclass(frozen=True, slots=True)
class PrintedReceipt:
    """A numbered receipt (or a copy of one) as the printer received it.

    Attributes:
        register: The kassapunkt whose printer printed it.
        kind: One of :data:`RECEIPT_KINDS`: ``sale`` and ``return`` by their name at the top
            (§ 2-8-4, § 2-8-5), ``copy`` if marked «KOPI», ``provisional`` for a «Foreløpig
            kvittering», ``other`` for any other document that prints a receipt number
            (a training or delivery receipt, or a receipt without its name).
        number: The receipt number it prints.
        date: Its date, ISO (``2026-11-23``), ``""`` if none was found.
        time: Its time as printed (``08:01:24`` or ``08:01``).
        total: The total it prints, in øre (None if none was found).
        document: The printed document.
    """

    register: str
    kind: str
    number: str
    date: str
    time: str
    total: int | None
    document: Printed

    def describe(self) -> str:
        """One line naming the receipt, for assertion messages."""
        return f"{self.kind} receipt {self.number or '(no number)'} on {self.register} ({self.date} {self.time})"


def printed_when(document: Printed) -> tuple[str, str]:
    """The first date and time a document prints: (ISO date, time as printed), empty if none."""
    when = next((m for m in (_WHEN.search(line) for line, _w, _h in document.lines) if m), None)
    if when is None:
        return "", ""
    date = f"{when[3]}-{int(when[2]):02d}-{int(when[1]):02d}"
    return date, f"{int(when[4]):02d}:{when[5]}" + (f":{when[6]}" if when[6] else "")


def read_receipt(register: str, document: Printed) -> PrintedReceipt | None:
    """Read a printed receipt or copy; None for a document that is neither (a report, a slip)."""
    heading = heading_of(document)
    texts = [line for line, _w, _h in document.lines]
    number = next((m.group(1) for m in map(_NUMBER.search, texts) if m), "")
    if is_copy(document):
        kind = "copy"
    elif heading == "Salskvittering":
        kind = "sale"
    elif heading == "Returkvittering":
        kind = "return"
    elif marked(document.text, "provisional"):
        kind = "provisional"
    elif number:
        kind = "other"
    else:
        return None
    date, time = printed_when(document)
    total = next((amounts(t)[-1] for t in texts if _TOTAL.match(t) and amounts(t)), None)
    return PrintedReceipt(register, kind, number, date, time, total, document)


def receipts(till: TillDriver, scene: Scene, *kinds: str) -> list[PrintedReceipt]:
    """The receipts (of ``kinds``, all if none) every kassapunkt printed during the scenario."""
    found = []
    for register in _registers(till, scene):
        for document in printed(till.evidence, register, scene.start):
            receipt = read_receipt(register, document)
            if receipt is not None and (not kinds or receipt.kind in kinds):
                found.append(receipt)
    return found


def printed_day(till: TillDriver, scene: Scene) -> str:
    """The date (ISO) on the last dated document the scenario printed: the business day."""
    days = [printed_when(d)[0] for r in _registers(till, scene) for d in printed(till.evidence, r, scene.start)]
    found = [day for day in days if day]
    assert found, "the scenario printed no dated document"
    return found[-1]


def receipt_naming(till: TillDriver, scene: Scene, transaction: Transaction) -> list[PrintedReceipt]:
    """The printed receipts (not copies or provisional ones) whose number the transaction identifies."""
    return [
        r
        for r in receipts(till, scene, *TRANSACTION_RECEIPTS)
        if r.register == transaction.register and names_receipt(transaction, r.number)
    ]


def _registers(till: TillDriver, scene: Scene) -> tuple[str, ...]:
    return scene.profile.registers if scene.profile else till.registers


def names_receipt(transaction: Transaction, number: str) -> bool:
    """Whether the transaction's transID identifies the printed receipt number.

    The transID is the number itself or ends with it after a separator (``K1-S000001``
    for receipt ``S000001`` on kassapunkt K1).
    """
    trans_id = transaction.trans_id
    if not number:
        return False
    if trans_id == number:
        return True
    return trans_id.endswith(number) and not trans_id[-len(number) - 1].isalnum()


def receipt_of(export: JournalExport, receipt: PrintedReceipt) -> list[Transaction]:
    """The transactions of the receipt's kassapunkt that name its receipt number."""
    return [t for t in export.transactions_of(receipt.register) if names_receipt(t, receipt.number)]


# --- the signature -----------------------------------------------------------------------

#: previousSignature of a register's first transaction (Skatteetaten's validator: the literal 0).
FIRST_PREVIOUS = "0"


def signed_string(previous: str, transaction: Transaction) -> str:
    """The string Skatteetaten's signature requirements sign, rebuilt from the exported fields.

    ``previousSignature;transDate;transTime;nr;transAmntIn;transAmntEx``.
    """
    t = transaction
    return f"{previous};{t.date};{t.time};{t.nr};{t.raw_in};{t.raw_ex}"


@cache
def _rsa_key(path: Path) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    assert isinstance(key, rsa.RSAPublicKey), f"{path.name} is not an RSA public key"
    return key


@cache
def _hmac_key(path: Path) -> bytes:
    return base64.b64decode(path.read_text(encoding="ascii").strip())


def profile_key_size(profile: Profile, key_version: str) -> int:
    """Bits of the profile's key of ``key_version`` (the RSA modulus, or the HMAC secret)."""
    path = profile.keys[key_version]
    if profile.signature_method.startswith("RSA"):
        return _rsa_key(path).key_size
    return len(_hmac_key(path)) * 8


def signature_bytes(signature: str) -> bytes | None:
    """The decoded base64 signature, None if it is not base64."""
    try:
        return base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return None


def verifies(profile: Profile, data: str, signature: str, key_version: str) -> bool:
    """Whether ``signature`` signs ``data`` with the profile's key of ``key_version``."""
    path = profile.keys.get(key_version)
    raw = signature_bytes(signature)
    if path is None or raw is None:
        return False
    if profile.signature_method.startswith("RSA"):
        try:
            _rsa_key(path).verify(raw, data.encode("utf-8"), padding.PKCS1v15(), hashes.SHA1())
        except InvalidSignature:
            return False
        return True
    expected = hmac.new(_hmac_key(path), data.encode("utf-8"), hashlib.sha1).digest()
    return hmac.compare_digest(expected, raw)


def chain_problems(export: JournalExport, profile: Profile) -> list[str]:
    """What breaks the signature chain of each kassapunkt, recomputed with the profile's keys.

    Each register's first transaction is signed over the literal ``0``, each next one over
    the signature of the register's previous transaction, and ``nr`` grows by one.
    """
    problems = []
    for register in dict.fromkeys(t.register for t in export.transactions):
        previous, previous_nr = FIRST_PREVIOUS, None
        for t in export.transactions_of(register):
            data = signed_string(previous, t)
            if not verifies(profile, data, t.signature, t.key_version):
                problems.append(
                    f"{register} nr {t.nr} ({t.trans_id}), keyVersion {t.key_version}: not a signature of {data!r}"
                )
            nr = int(t.nr) if t.nr.isdigit() else None
            if previous_nr is not None and nr != previous_nr + 1:
                problems.append(f"{register} nr {t.nr} ({t.trans_id}) follows nr {previous_nr}: a gap or repeat")
            previous, previous_nr = t.signature, nr
    return problems


# --- the reports -------------------------------------------------------------------------

#: Transaction types that are not kontantsal (credit sales are invoiced, § 2-8-2 andre ledd).
CREDIT_TYPES = frozenset({"11002", "11015", "11017"})


def is_cash_sale(export: JournalExport, transaction: Transaction) -> bool:
    """A concluded sale or return with goods lines: not void, not training, not credit."""
    t = transaction
    return bool(t.lines) and not t.void and not t.training and export.code("11", t.trans_type) not in CREDIT_TYPES


@dataclass
class DayFigures:
    """What a report must show, computed from the transactions and printed documents it covers.

    Amounts in øre; pairs are (count, amount).
    """

    cash_sales: int = 0
    receipts: int = 0
    returns: list[int] = field(default_factory=lambda: [0, 0])
    copies: list[int] = field(default_factory=lambda: [0, 0])
    voids: list[int] = field(default_factory=lambda: [0, 0])
    payments: Counter[str] = field(default_factory=Counter)
    vat: dict[str, list[int]] = field(default_factory=dict)


def _stamp(date: str, time: str) -> str:
    return f"{date}T{time}"


def report_events(export: JournalExport, register: str, kind: str) -> list[Event]:
    """The X or Z report events of ``register`` that carry their report, oldest first."""
    code = {"X": "13008", "Z": "13009"}[kind]
    return [e for e in export.events_of(register, code) if e.report is not None]


def covered_transactions(export: JournalExport, register: str, report: Event) -> list[Transaction]:
    """The register's transactions a report covers: after its previous Z report, up to the report."""
    until = _stamp(report.date, report.time)
    earlier = [_stamp(z.date, z.time) for z in export.events_of(register, "13009") if _stamp(z.date, z.time) < until]
    since = max(earlier, default="")
    return [t for t in export.transactions_of(register) if since < _stamp(t.date, t.time) <= until]


def covered_documents(documents: list[Printed], report_document: Printed) -> list[Printed]:
    """The documents printed before ``report_document`` and after the previous printed Z report."""
    before = [d for d in documents if d.seq < report_document.seq]
    z_reports = [i for i, d in enumerate(before) if document_event(d) == ("13009", "Z report")]
    return before[z_reports[-1] + 1 :] if z_reports else before


def day_figures(
    export: JournalExport, transactions: list[Transaction], documents: list[Printed], register: str
) -> DayFigures:
    """The naive model of a report: sums of the transactions, counts of the printed documents."""
    day = DayFigures()
    for t in transactions:
        if t.void:
            day.voids[0] += 1
            day.voids[1] += abs(t.amount_in or 0)
            continue
        if not is_cash_sale(export, t):
            continue
        day.cash_sales += t.amount_in or 0
        returned = [-(line.amount_in or 0) for line in t.lines if (line.amount_in or 0) < 0]
        if returned:
            day.returns[0] += 1
            day.returns[1] += sum(returned)
        for payment in t.payments:
            day.payments[payment.payment_type] += payment.amount or 0
        vats = t.vats or [line.vat for line in t.lines if line.vat is not None]
        for vat in vats:
            pair = day.vat.setdefault(vat.code, [0, 0])
            pair[0] += vat.base or 0
            pair[1] += vat.amount or 0
    for document in documents:
        receipt = read_receipt(register, document)
        if receipt is None:
            continue
        if receipt.kind == "sale":
            day.receipts += 1
        elif receipt.kind == "copy":
            day.copies[0] += 1
            day.copies[1] += abs(receipt.total or 0)
    return day


def report_problems(report: Report, day: DayFigures) -> list[str]:
    """Where the journal's ``eventReport`` disagrees with the naive model."""
    fig = report.figures
    checks: list[tuple[str, int | None, int]] = [
        ("e totalCashSaleAmnt", fig.get("totalCashSaleAmnt"), day.cash_sales),
        ("l reportReceiptNum (salskvitteringar printed)", fig.get("reportReceiptNum"), day.receipts),
        ("n reportReceiptCopyNum (copies printed)", fig.get("reportReceiptCopyNum"), day.copies[0]),
        ("n reportReceiptCopyAmnt", _abs(fig.get("reportReceiptCopyAmnt")), day.copies[1]),
        ("p reportReturnNum", fig.get("reportReturnNum"), day.returns[0]),
        ("p reportReturnAmnt", _abs(fig.get("reportReturnAmnt")), day.returns[1]),
        ("r reportVoidTransNum", fig.get("reportVoidTransNum"), day.voids[0]),
        ("r reportVoidTransAmnt", _abs(fig.get("reportVoidTransAmnt")), day.voids[1]),
    ]
    payments = report.lists.get("reportPayments", {})
    for ptype in sorted(set(day.payments) | {k[0] for k in payments}):
        checks.append((f"g paymentType {ptype} amount", payments.get((ptype,), [0, 0])[-1] or 0, day.payments[ptype]))
    vat_rows = report.lists.get("reportCashSalesVat", {})
    for code in sorted(set(day.vat) | {k[0] for k in vat_rows}):
        got = vat_rows.get((code,), [0, 0])
        want = day.vat.get(code, [0, 0])
        checks.append((f"j vatCode {code} cashSaleAmnt", got[0] or 0, want[0]))
        checks.append((f"j vatCode {code} vatAmnt", got[1] or 0, want[1]))
    return [
        f"{name}: the report says {got}, the day's records give {want}" for name, got, want in checks if got != want
    ]


def _abs(value: int | None) -> int | None:
    return abs(value) if value is not None else None


#: Printed report: a figure is found on a line carrying one of these words (the regulation's terms).
_PRINTED_FIGURES: tuple[tuple[str, tuple[str, ...], str | None, str | None], ...] = (
    ("e total cash sales", ("kontantsal",), None, "totalCashSaleAmnt"),
    ("l sales receipts", ("salskvittering", "salgskvittering"), "reportReceiptNum", None),
    ("n copy receipts", ("kopi",), "reportReceiptCopyNum", "reportReceiptCopyAmnt"),
    ("p returns", ("retur",), "reportReturnNum", "reportReturnAmnt"),
    ("r voided sales", ("annuller", "avbrot", "avbrut"), "reportVoidTransNum", "reportVoidTransAmnt"),
)


def printed_report_problems(export: JournalExport, report: Report, document: Printed) -> list[str]:
    """Figures of the journal's ``eventReport`` the printed report does not show on a line of their own."""
    lines = [line for line, _w, _h in document.lines]
    problems = []

    def shown(words: tuple[str, ...], count: int | None, amount: int | None) -> bool:
        return any(
            any(w in line.lower() for w in words)
            and (count is None or count in counts(line))
            and (amount is None or amount in amounts(line) or -amount in amounts(line))
            for line in lines
        )

    for name, words, count_field, amount_field in _PRINTED_FIGURES:
        count = report.figures.get(count_field) if count_field else None
        amount = report.figures.get(amount_field) if amount_field else None
        if not shown(words, count, amount):
            problems.append(f"{name}: no printed line with {words[0]!r} shows count {count} / amount {kr(amount)}")
    for (ptype,), row in sorted(report.lists.get("reportPayments", {}).items()):
        amount = row[-1] or 0
        basic = export.basics.get(("12", ptype))
        words = tuple(w.lower() for w in (ptype, basic.description if basic else ptype))
        if amount and not shown(words, None, amount):
            problems.append(f"g paymentType {ptype}: no printed line naming it shows {kr(amount)}")
    return problems


# --- Given / When ------------------------------------------------------------------------


@when("the journal is exported")
@when("the journal is exported again")
def journal_exported(exports: Exports) -> None:
    """Export the journal now (kassasystemforskrifta § 2-7 første ledd) and keep the export."""
    exports.take()


# --- Then --------------------------------------------------------------------------------


@then(parsers.parse('the export passes the verifier\'s "{rules}" checks'))
def verifier_passes(exports: Exports, rules: str) -> None:
    """The verifier's rules (ids or families, comma-separated) found nothing, warnings and notes included.

    The rules are listed in ``harness/verify/rules.py``; ``SIG`` means every ``SIG-*`` rule.
    """
    export = exports.latest()
    names = tuple(r.strip() for r in rules.split(",") if r.strip())
    found = export.findings(*names, at_least=Severity.INFO)
    assert not found, f"{export.path.name} breaks the verifier's rules {', '.join(names)}:\n{export.describe(found)}"


@then(parsers.parse('the journal of kassapunkt "{register}" records, in this order:'))
def events_in_order(exports: Exports, scene: Scene, register: str, datatable: list[list[str]]) -> None:
    """§ 2-7 første ledd: each row's event (``| code | what |``, PredefinedBasicID-13) follows the one before."""
    export = exports.latest()
    register_id = scene.register_id(register)
    events = export.events_of(register_id)
    position = 0
    for code, what, *_rest in datatable[1:]:
        found = next((i for i in range(position, len(events)) if export.code("13", events[i].event_type) == code), None)
        assert found is not None, (
            f"no {code} event ({what}) on {register_id} after the rows before it; the kassapunkt's events:\n"
            + _describe_events(export, events)
        )
        position = found + 1


def _describe_events(export: JournalExport, events: list[Event]) -> str:
    return "\n".join(
        f"  {e.event_id} {e.date} {e.time} {e.event_type} ({export.code('13', e.event_type) or '?'}) "
        f"{e.trans_id} {e.text}".rstrip()
        for e in events
    )


@then("every printed receipt matches its journal transaction")
def receipts_match_transactions(exports: Exports, till: TillDriver, scene: Scene) -> None:
    """§ 2-7 første ledd, bokføringsforskrifta § 5-3-5: receipts and journal transactions pair one to one.

    Every printed receipt that documents a transaction (sales, return, training or delivery
    receipt; not a «KOPI» or a «Foreløpig kvittering») names exactly one transaction of its
    kassapunkt, with the same total, date and time; every concluded sale of the scenario is
    in the journal once and has exactly one such receipt.
    """
    export = exports.latest()
    printed_receipts = receipts(till, scene, *TRANSACTION_RECEIPTS)
    problems = []
    for receipt in printed_receipts:
        found = receipt_of(export, receipt)
        if len(found) != 1:
            problems.append(f"{receipt.describe()}: {len(found)} journal transactions name it")
            continue
        t = found[0]
        if receipt.total != t.amount_in:
            problems.append(f"{receipt.describe()}: prints total {kr(receipt.total)}, {t.trans_id} has {t.raw_in}")
        if receipt.date != t.date or not receipt.time or not t.time.startswith(receipt.time):
            problems.append(
                f"{receipt.describe()}: printed at {receipt.date} {receipt.time}, {t.trans_id} at {t.date} {t.time}"
            )
    for sale in scene.sales:
        found = [t for t in export.transactions if t.trans_id == sale.trans_id]
        if len(found) != 1:
            problems.append(f"concluded sale {sale.trans_id}: {len(found)} journal transactions")
            continue
        named = [r for r in printed_receipts if r.register == found[0].register and names_receipt(found[0], r.number)]
        if len(named) != 1:
            problems.append(f"concluded sale {sale.trans_id}: {len(named)} printed receipts name it")
    assert printed_receipts, "no numbered receipt was printed"
    assert not problems, "receipts and journal disagree:\n" + "\n".join(problems)


@then("every receipt's SAF-T record has the lines and VAT it printed")
def records_match_receipts(exports: Exports, till: TillDriver, scene: Scene) -> None:
    """§ 2-7 første ledd: each receipt's transaction holds its lines (article, amount) and VAT per rate."""
    export = exports.latest()
    problems = []
    checked = 0
    for receipt in receipts(till, scene, *TRANSACTION_RECEIPTS):
        found = receipt_of(export, receipt)
        if len(found) != 1:
            problems.append(f"{receipt.describe()}: {len(found)} journal transactions name it")
            continue
        checked += 1
        problems += [f"{receipt.describe()}: {p}" for p in _record_problems(scene, found[0], receipt.document)]
    assert checked, "no printed receipt to compare with the journal"
    assert not problems, "SAF-T records and receipts disagree:\n" + "\n".join(problems)


def _record_problems(scene: Scene, t: Transaction, document: Printed) -> list[str]:
    lines = [line for line, _w, _h in document.lines]
    problems = []
    if not t.lines:
        problems.append(f"{t.trans_id} has no ctLine")
    for line in t.lines:
        article = scene.profile.articles.get(line.art_id) if scene.profile else None
        if article is None:  # not a test article: its amount anywhere on the receipt
            near = lines
        else:  # the amount on the article's line or the two below it
            at = [i for i, text in enumerate(lines) if article.description in text]
            near = [text for i in at for text in lines[i : i + 3]]
            if not at:
                problems.append(f"ctLine {line.line_id}: the article {article.description!r} is not printed")
        if not any(line.amount_in in amounts(text) for text in near):
            problems.append(f"ctLine {line.line_id} (artID {line.art_id}) {kr(line.amount_in)} is not printed with it")
    for vat in t.vats:
        rate = vat.perc.split(".")[0] if vat.perc.endswith((".00", ".0")) else vat.perc.replace(".", ",")
        shown = any(
            re.search(rf"(?<![\d,]){re.escape(rate)}\s?%", text)
            and vat.amount in amounts(text)
            and vat.base in amounts(text)
            for text in lines
        )
        if not shown:
            problems.append(
                f"vat {vat.code} ({rate} %): no printed line with base {kr(vat.base)} and VAT {kr(vat.amount)}"
            )
    return problems


@then("every printed document has its journal event")
def documents_have_events(exports: Exports, till: TillDriver, scene: Scene) -> None:
    """§ 2-7 første ledd: printing of receipts and reports is journaled, one event per document."""
    export = exports.latest()
    problems = []
    documents = 0
    for register in _registers(till, scene):
        kinds: Counter[tuple[str, str]] = Counter()
        for document in printed(till.evidence, register, scene.start):
            kind = document_event(document)
            if kind is not None:
                kinds[kind] += 1
        for (code, name), number in sorted(kinds.items()):
            documents += number
            journaled = len(export.events_of(register, code))
            if journaled != number:
                problems.append(f"{register}: {number} × {name} printed, {journaled} × event {code} journaled")
    assert documents, "the scenario printed no receipt or report"
    assert not problems, "printed documents and journal events disagree:\n" + "\n".join(problems)


@then(parsers.parse("the {kind:w} report's totals equal the day's transactions"))
def report_equals_transactions(exports: Exports, till: TillDriver, scene: Scene, kind: str) -> None:
    """§ 2-8-2: each X/Z report in the journal shows what its period's transactions and documents add up to.

    Per kassapunkt: total cash sales (e), payments per means (g), sales and VAT per code
    (j), sales receipts (l) and copies (n) as printed, returns (p) and voided sales (r).
    A Z report is required of every kassapunkt that concluded a sale.
    """
    export = exports.latest()
    problems = []
    reported = 0
    for register in _registers(till, scene):
        events = report_events(export, register, kind)
        if kind == "Z" and not events and any(is_cash_sale(export, t) for t in export.transactions_of(register)):
            problems.append(f"{register} sold, but its journal has no Z report")
        documents = printed(till.evidence, register, scene.start)
        report_documents = [d for d in documents if document_event(d) == _REPORT_KINDS[kind]]
        for index, event in enumerate(events):
            assert event.report is not None
            reported += 1
            window = covered_documents(documents, report_documents[index]) if index < len(report_documents) else []
            day = day_figures(export, covered_transactions(export, register, event), window, register)
            problems += [
                f"{register} {kind} report {event.report.report_id}: {p}" for p in report_problems(event.report, day)
            ]
    assert reported, f"the journal holds no {kind} report"
    assert not problems, f"the {kind} reports disagree with the day's records:\n" + "\n".join(problems)


_REPORT_KINDS = {"X": ("13008", "X report"), "Z": ("13009", "Z report")}


@then(parsers.parse("the printed {kind:w} report shows the same totals"))
def printed_report_matches(exports: Exports, till: TillDriver, scene: Scene, kind: str) -> None:
    """§ 2-8-2: the printed report and the journal's ``eventReport`` agree figure by figure (e, g, l, n, p, r)."""
    export = exports.latest()
    problems = []
    compared = 0
    for register in _registers(till, scene):
        events = report_events(export, register, kind)
        documents = [
            d for d in printed(till.evidence, register, scene.start) if document_event(d) == _REPORT_KINDS[kind]
        ]
        if len(events) != len(documents):
            problems.append(f"{register}: {len(documents)} {kind} reports printed, {len(events)} in the journal")
            continue
        for event, document in zip(events, documents, strict=True):
            assert event.report is not None
            compared += 1
            found = printed_report_problems(export, event.report, document)
            problems += [f"{register} {kind} report {event.report.report_id}: {p}" for p in found]
            if found:
                problems.append(f"printed:\n{document.text}")
    assert compared, f"no printed {kind} report to compare"
    assert not problems, f"printed {kind} reports and journal disagree:\n" + "\n".join(problems)


@then("the signature chain of every kassapunkt verifies")
def chain_verifies(exports: Exports, scene: Scene) -> None:
    """Skatteetaten's signature requirements: every register's chain, recomputed with the profile's keys.

    Also the verifier's SIG-* and NUM-NR rules, so a disagreement between the two shows.
    """
    export = exports.latest()
    assert scene.profile is not None
    assert export.transactions, "the journal holds no cash transaction to verify"
    problems = chain_problems(export, scene.profile)
    found = export.findings("SIG", "NUM-NR", at_least=Severity.INFO)
    assert not problems and not found, (
        "the signature chain does not verify:\n" + "\n".join(problems) + "\n" + export.describe(found)
    )
