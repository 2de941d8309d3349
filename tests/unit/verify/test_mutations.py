"""The must-fail corpus of the SAF-T verifier: one targeted mutation of a valid export per case.

The reference till's demo day (``demo_export``, made once per session) is a valid, signed
export that exercises every feature: sales, returns, voids, training, copies, X and Z
reports, drawer events, a credit sale, a pay-out, a price look-up, manual discounts.
Verified as it is, it gives only ``Z-OPEN`` information. Each case below parses it with
lxml, changes one thing, writes it back under a proper SAF-T file name and checks that
the verifier names the specific rule the change breaks. Other rules may fire as well (a
changed amount also breaks the signature chain); the case names the ones it is about.
"""

from __future__ import annotations

import base64
import copy
import gc
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from harness.verify import RULES, KeyRing, Severity, VerifyOptions, verify_file
from reference_till.money import format_amount, parse_amount
from reference_till.signing import FIRST_PREVIOUS, RsaSigner, signature_data
from tests.unit.verify.split_and_stream import split_and_stream

NS = "urn:StandardAuditFile-Taxation-CashRegister:NO"
Q = "{" + NS + "}"
#: A name that follows Skatteetaten's convention, so FILE-NAME never fires.
FILE_NAME = "SAF-T Cash Register_999999999_20261122000000.xml"

El = Any  # an lxml element (lxml-stubs types them as etree._Element)


def _path(path: str) -> str:
    """``"a/b"`` -> ``"{ns}a/{ns}b"``."""
    return "/".join(Q + part for part in path.split("/"))


def child(el: El, path: str) -> El:
    """The element at ``path`` below ``el`` (must exist)."""
    found = el.find(_path(path))
    assert found is not None, f"no {path} below {etree.QName(el).localname}"
    return found


def text(el: El, path: str) -> str:
    """The text of the element at ``path`` below ``el``."""
    return (child(el, path).text or "").strip()


def set_text(el: El, path: str, value: str) -> None:
    """Set the text of the element at ``path`` below ``el``; it must change."""
    target = child(el, path)
    assert (target.text or "").strip() != value, f"{path} is already {value}"
    target.text = value


def add_amount(el: El, path: str, delta: str) -> None:
    """Add ``delta`` kroner to the amount at ``path``."""
    set_text(el, path, format_amount(parse_amount(text(el, path)) + parse_amount(delta)))


def add_count(el: El, path: str, delta: int = 1) -> None:
    """Add ``delta`` to the count at ``path``."""
    set_text(el, path, str(int(text(el, path)) + delta))


def shift_day(el: El, path: str, days: int) -> None:
    """Move the date at ``path`` by ``days``."""
    set_text(el, path, (date.fromisoformat(text(el, path)) + timedelta(days=days)).isoformat())


def row(report: El, list_path: str, key_tag: str, key: str) -> El:
    """The row of a keyed report list (``reportArtGroups/reportArtGroup``) whose ``key_tag`` is ``key``."""
    for candidate in report.iterfind(_path(list_path)):
        if text(candidate, key_tag) == key:
            return candidate
    raise AssertionError(f"no {list_path} row with {key_tag} {key}")


class Doc:
    """The parsed demo export, with locators for the elements the mutations change."""

    def __init__(self, tree: Any, private_key: Path) -> None:
        self.tree = tree
        self.root = tree.getroot()
        self.private_key = private_key

    def register(self, register_id: str) -> El:
        """The ``cashregister`` with ``registerID`` ``register_id``."""
        for reg in self.root.iter(Q + "cashregister"):
            if text(reg, "registerID") == register_id:
                return reg
        raise AssertionError(f"no register {register_id}")

    def tx(self, trans_id: str) -> El:
        """The ``cashtransaction`` with ``transID`` ``trans_id``."""
        for tx in self.root.iter(Q + "cashtransaction"):
            if text(tx, "transID") == trans_id:
                return tx
        raise AssertionError(f"no transaction {trans_id}")

    def events(self, register_id: str, event_type: str | None = None, trans_id: str | None = None) -> list[El]:
        """The register's events, optionally only those of ``event_type`` / naming ``trans_id``."""
        found = []
        for ev in self.register(register_id).iterfind(Q + "event"):
            if event_type is not None and text(ev, "eventType") != event_type:
                continue
            if trans_id is not None and (ev.findtext(Q + "transID") or "").strip() != trans_id:
                continue
            found.append(ev)
        assert found, f"no {event_type} event on {register_id}"
        return found

    def event(self, register_id: str, event_type: str, trans_id: str | None = None) -> El:
        """The first event of ``event_type`` on the register (naming ``trans_id`` if given)."""
        return self.events(register_id, event_type, trans_id)[0]

    def report(self, register_id: str = "K1", event_type: str = "ZREP") -> El:
        """The ``eventReport`` of the register's first X (``XREP``) or Z (``ZREP``) report event."""
        return child(self.event(register_id, event_type), "eventReport")

    def basic(self, basic_id: str) -> El:
        """The ``basic`` with ``basicID`` ``basic_id``."""
        for basic in self.root.iter(Q + "basic"):
            if text(basic, "basicID") == basic_id:
                return basic
        raise AssertionError(f"no basic {basic_id}")

    def new_event_id(self) -> str:
        """An ``eventID`` not used in the file."""
        return str(max(int(e.text) for e in self.root.iter(Q + "eventID")) + 1000)

    def add_basic(self, basic_type: str, basic_id: str, predefined: str | None, desc: str) -> None:
        """Append a ``basic`` to the masterfiles."""
        basics = child(self.root, "company/basics")
        basic = etree.SubElement(basics, Q + "basic")
        etree.SubElement(basic, Q + "basicType").text = basic_type
        etree.SubElement(basic, Q + "basicID").text = basic_id
        if predefined is not None:
            etree.SubElement(basic, Q + "predefinedBasicID").text = predefined
        etree.SubElement(basic, Q + "basicDesc").text = desc


Mutation = Callable[[Doc], None]


@dataclass(frozen=True)
class Case:
    """One mutation and the rules it must trigger.

    Attributes:
        mutate: Changes the parsed demo export in place.
        rules: Rule ids that must all be among the findings.
        key_spec: How the public key is given: ``{key}`` is replaced by its path
            (``1={key}`` gives it for keyVersion 1 only).
        absent: Rule ids that must not be among the findings.
    """

    mutate: Mutation
    rules: tuple[str, ...]
    key_spec: str = "{key}"
    absent: tuple[str, ...] = ()


def case(
    case_id: str,
    mutate: Mutation,
    *rules: str,
    key_spec: str = "{key}",
    absent: tuple[str, ...] = (),
    xfail: str = "",
) -> Any:
    """A ``pytest.param`` for one case.

    Args:
        case_id: The readable test id.
        mutate: The mutation.
        *rules: Rule ids the verifier must report.
        key_spec: How the public key is given (see :class:`Case`).
        absent: Rule ids the verifier must not report (the mutation is too small for them).
        xfail: Why a verifier bug makes the case fail (marks it strict xfail).
    """
    marks = [pytest.mark.xfail(strict=True, reason=f"verifier: {xfail}")] if xfail else []
    return pytest.param(Case(mutate, rules, key_spec, absent), id=case_id, marks=marks)


# --- mutations that need more than one line ----------------------------------------------


def delete_tx(d: Doc) -> None:
    tx = d.tx("K1-S000004")
    tx.getparent().remove(tx)


def swap_txs(d: Doc) -> None:
    first, second = d.tx("K1-S000003"), d.tx("K1-S000004")
    second.addnext(first)  # moves ``first`` after ``second``


def broken_signature(d: Doc) -> None:
    sig = child(d.tx("K1-S000003"), "signature")
    chars = list(sig.text)
    chars[20] = "A" if chars[20] != "A" else "B"
    sig.text = "".join(chars)


def restart_chain(d: Doc) -> None:
    """Re-sign one transaction in the middle of K1's chain with previousSignature "0"."""
    tx = d.tx("K1-S000004")
    at = datetime.fromisoformat(f"{text(tx, 'transDate')}T{text(tx, 'transTime')}")
    data = signature_data(
        FIRST_PREVIOUS, at, text(tx, "nr"), parse_amount(text(tx, "transAmntIn")), parse_amount(text(tx, "transAmntEx"))
    )
    signer = RsaSigner(d.private_key.read_bytes(), text(tx, "keyVersion"))
    set_text(tx, "signature", signer.sign(data))


def insert_period_number(d: Doc) -> None:
    tx = d.tx("K1-S000002")
    period = etree.Element(Q + "periodNumber")
    period.text = "1"
    child(tx, "transDate").addprevious(period)


def second_copy_event(d: Doc) -> None:
    copy_event = d.event("K1", "COPYREC", "K1-S000001")
    again = copy.deepcopy(copy_event)
    set_text(again, "eventID", d.new_event_id())
    copy_event.addnext(again)


def later_z_report(d: Doc, number: int) -> None:
    """Add a second Z report to K1 after its last event, numbered ``number``."""
    z_event = d.event("K1", "ZREP")
    last = d.events("K1")[-1]
    z2 = copy.deepcopy(z_event)
    set_text(z2, "eventID", d.new_event_id())
    set_text(z2, "eventTime", "23:59:00")
    report = child(z2, "eventReport")
    set_text(report, "reportTime", "23:59:00")
    set_text(report, "reportID", f"K1-Z{number:04d}")
    last.addnext(z2)


def report_on_drawer_close(d: Doc) -> None:
    report = copy.deepcopy(d.report("K1", "XREP"))
    d.event("K1", "DRAWCLOSE").append(report)


def training_in_sales(d: Doc) -> None:
    training = text(d.tx("K1-T000001"), "transAmntIn")
    add_amount(d.report(), "reportTotalCashSales/totalCashSaleAmnt", training)


def unknown_element(d: Doc) -> None:
    etree.SubElement(child(d.root, "header"), Q + "bogusElement").text = "x"


def remove_report(d: Doc) -> None:
    event = d.event("K1", "XREP")
    event.remove(child(event, "eventReport"))


# --- the corpus ------------------------------------------------------------------------------

S3 = "K1-S000003"  # cash sale, three lines, two VAT codes, gift card + cash with rounding -0.30
S4 = "K1-S000004"  # cash sale paid with Vipps, in the middle of K1's chain
LINE2 = "ctLine[2]"

CASES = [
    # --- money
    case("line-amount", lambda d: add_amount(child(d.tx(S3), LINE2), "lineAmntIn", "0.10"), "MNY-LINES"),
    case("transAmntIn", lambda d: add_amount(d.tx(S3), "transAmntIn", "0.10"), "MNY-LINES", "SIG-VERIFY"),
    case("transAmntEx", lambda d: add_amount(d.tx(S3), "transAmntEx", "0.10"), "MNY-LINES", "SIG-VERIFY"),
    case("line-vatAmnt", lambda d: add_amount(child(d.tx(S3), LINE2), "vat/vatAmnt", "0.10"), "MNY-LINE-VAT"),
    case("line-vatPerc", lambda d: set_text(child(d.tx(S3), LINE2), "vat/vatPerc", "25.00"), "MNY-VAT-RATE"),
    case("trans-vatAmnt", lambda d: add_amount(d.tx(S3), "vat[2]/vatAmnt", "0.10"), "MNY-TRANS-VAT"),
    case("paidAmnt", lambda d: add_amount(d.tx(S3), "payment[2]/paidAmnt", "1.00"), "MNY-PAYMENT"),
    case("rounding-over-50-ore", lambda d: set_text(d.tx(S3), "rounding/roundingAmnt", "-0.80"), "MNY-ROUNDING"),
    case(
        "rounding-without-cash",
        lambda d: set_text(d.tx("K1-S000002"), "rounding/roundingAmnt", "0.20"),
        "MNY-ROUNDING",
    ),
    case("amntTp-flipped", lambda d: set_text(d.tx(S3), "amntTp", "D"), "MNY-SIGN"),
    case(
        "amount-3-decimals",
        lambda d: set_text(d.tx(S3), "transAmntIn", "306.301"),
        "MNY-DECIMALS",
        absent=("SIG-VERIFY", "MNY-LINES"),  # the signed string and the sums use the amount rounded to øre
    ),
    # --- signatures, numbering, order, period
    case(
        "transTime-nudged", lambda d: set_text(d.tx(S4), "transTime", "09:42:42"), "SIG-VERIFY", absent=("ORD-TRANS",)
    ),
    case("transTime-back", lambda d: set_text(d.tx(S4), "transTime", "09:00:00"), "ORD-TRANS", "SIG-VERIFY"),
    case("transDate-after-period", lambda d: shift_day(d.tx("K2-M000002"), "transDate", 1), "HDR-PERIOD", "SIG-VERIFY"),
    case("eventDate-after-period", lambda d: shift_day(d.events("K2")[-1], "eventDate", 1), "HDR-PERIOD"),
    case("transaction-deleted", delete_tx, "NUM-NR", "SIG-VERIFY"),
    case("transactions-swapped", swap_txs, "ORD-TRANS", "NUM-NR", "SIG-VERIFY"),
    case("transID-duplicate", lambda d: set_text(d.tx(S4), "transID", S3), "NUM-TRANSID-DUP"),
    case("transID-series-gap", lambda d: set_text(d.tx("K2-S000004"), "transID", "K2-S000005"), "NUM-SERIES"),
    case(
        "eventID-duplicate",
        lambda d: set_text(d.events("K1")[1], "eventID", text(d.events("K1")[0], "eventID")),
        "NUM-EVENTID-DUP",
    ),
    case("event-back-in-time", lambda d: set_text(d.event("K1", "SALESTART"), "eventTime", "07:00:00"), "ORD-EVENT"),
    case("signature-one-char", broken_signature, "SIG-VERIFY"),
    case("signature-not-base64", lambda d: set_text(d.tx(S3), "signature", "not base64 at all!"), "SIG-FORMAT"),
    case(
        "signature-wrong-length",
        lambda d: set_text(d.tx(S3), "signature", base64.b64encode(bytes(64)).decode()),
        "SIG-FORMAT",
    ),
    case("keyVersion-unknown", lambda d: set_text(d.tx(S3), "keyVersion", "2"), "SIG-NO-KEY", key_spec="1={key}"),
    case(
        "keyVersion-goes-back",
        lambda d: set_text(d.tx("K1-S000002"), "keyVersion", "2"),
        "SIG-KEY-ORDER",
        absent=("SIG-VERIFY", "SIG-NO-KEY"),  # keyVersion is not signed; the unversioned key serves every version
    ),
    case("chain-restarted", restart_chain, "SIG-RESTART"),
    # --- code lists and masterfiles
    case(
        "predefinedBasicID-unknown",
        lambda d: set_text(d.basic("PRICECHG"), "predefinedBasicID", "13777"),
        "CODE-PREDEFINED",
    ),
    case(
        "predefinedBasicID-missing",
        lambda d: d.basic("PRICECHG").remove(child(d.basic("PRICECHG"), "predefinedBasicID")),
        "CODE-NO-PREDEFINED",
    ),
    case(
        "export-mapped-as-start",
        lambda d: d.add_basic("13", "JOURNALEXP", "13001", "Eksport av journal"),
        "CODE-MEANING",
    ),
    case("basicType-unknown", lambda d: d.add_basic("99", "ODD", None, "Unknown type"), "CODE-BASICTYPE"),
    case(
        "basic-duplicate",
        lambda d: child(d.root, "company/basics").append(copy.deepcopy(d.basic("BAX"))),
        "CODE-BASIC-DUP",
    ),
    # --- references to the masterfiles
    case(
        "eventType-undeclared", lambda d: set_text(d.event("K1", "DRAWCLOSE"), "eventType", "NOSUCH"), "REF-EVENTTYPE"
    ),
    case("transType-undeclared", lambda d: set_text(d.tx("K2-M000002"), "transType", "NOSUCH"), "REF-TRANSTYPE"),
    case("lineType-undeclared", lambda d: set_text(d.tx(S3), "ctLine/lineType", "NOSUCH"), "REF-LINETYPE"),
    case(
        "paymentType-undeclared", lambda d: set_text(d.tx("K1-S000002"), "payment/paymentType", "NOSUCH"), "REF-PAYMENT"
    ),
    case("empID-undeclared-event", lambda d: set_text(d.event("K1", "EMPIN"), "empID", "9999"), "REF-EMP"),
    case("empID-undeclared-transaction", lambda d: set_text(d.tx(S4), "empID", "9999"), "REF-EMP"),
    case("artID-undeclared", lambda d: set_text(d.tx(S3), "ctLine/artID", "9999"), "REF-ART"),
    case("vatCode-undeclared", lambda d: set_text(d.tx(S3), "ctLine/vat/vatCode", "99"), "REF-VAT"),
    case("artGroupID-undeclared", lambda d: set_text(d.tx(S3), "ctLine/artGroupID", "999"), "REF-GROUP"),
    case("periodNumber-undeclared", insert_period_number, "REF-PERIOD"),
    # --- Z report figures (K1's Z report) and headers
    case(
        "Z-e-total-cash-sales",
        lambda d: add_amount(d.report(), "reportTotalCashSales/totalCashSaleAmnt", "10.00"),
        "Z-E",
    ),
    case(
        "Z-f-art-group-amount",
        lambda d: add_amount(
            row(d.report(), "reportArtGroups/reportArtGroup", "artGroupID", "100"), "artGroupAmnt", "1.00"
        ),
        "Z-F",
    ),
    case(
        "Z-g-payment-amount",
        lambda d: add_amount(
            row(d.report(), "reportPayments/reportPayment", "paymentType", "CASH"), "paymentAmnt", "1.00"
        ),
        "Z-G",
    ),
    case(
        "Z-h-operator-payment-amount",
        lambda d: add_amount(
            row(d.report(), "reportEmpPayments/reportEmpPayment", "paymentType", "BAX"), "paymentAmnt", "1.00"
        ),
        "Z-H",
    ),
    case(
        "Z-j-vat-amount",
        lambda d: add_amount(
            row(d.report(), "reportCashSalesVat/reportCashSaleVat", "vatCode", "3"), "vatAmnt", "1.00"
        ),
        "Z-J",
    ),
    case("Z-k-opening-float", lambda d: add_amount(d.report(), "reportOpeningChangeFloat", "100.00"), "Z-K"),
    case("Z-l-receipt-count", lambda d: add_count(d.report(), "reportReceiptNum"), "Z-L"),
    case("Z-m-nullinnslag-count", lambda d: add_count(d.report(), "reportOpenCashBoxNum"), "Z-M"),
    case("Z-n-copy-count", lambda d: add_count(d.report(), "reportReceiptCopyNum"), "Z-N"),
    case("Z-n-copy-amount", lambda d: add_amount(d.report(), "reportReceiptCopyAmnt", "1.00"), "Z-N"),
    case("Z-o-provisional-count", lambda d: add_count(d.report(), "reportReceiptProformaNum"), "Z-O"),
    case("Z-p-return-count", lambda d: add_count(d.report(), "reportReturnNum"), "Z-P"),
    case("Z-p-return-amount", lambda d: add_amount(d.report(), "reportReturnAmnt", "1.00"), "Z-P"),
    case("Z-r-void-count", lambda d: add_count(d.report(), "reportVoidTransNum"), "Z-R"),
    case("Z-r-void-amount", lambda d: add_amount(d.report(), "reportVoidTransAmnt", "1.00"), "Z-R"),
    case(
        "Z-t-price-inquiries",
        lambda d: add_count(d.report(), "reportPriceInquiries/reportPriceInquiry/priceInquiryNum"),
        "Z-T",
    ),
    case("Z-v-delivery-count", lambda d: add_count(d.report(), "reportReceiptDeliveryNum"), "Z-V"),
    case("Z-v-delivery-amount", lambda d: add_amount(d.report(), "reportReceiptDeliveryAmnt", "1.00"), "Z-V"),
    case("Z-w-training-count", lambda d: add_count(d.report(), "reportTrainingNum"), "Z-W"),
    case("Z-w-training-amount", lambda d: add_amount(d.report(), "reportTrainingAmnt", "1.00"), "Z-W"),
    case("Z-credit-sales", lambda d: add_amount(d.report(), "reportCreditSales/creditSalesAmnt", "1.00"), "Z-CREDIT"),
    case("Z-pay-outs", lambda d: add_amount(d.report(), "reportPayOuts/reportPayOut/payOutAmnt", "1.00"), "Z-PAYIO"),
    case("Z-pay-out-count", lambda d: add_count(d.report(), "reportPayOuts/reportPayOut/payOutNum"), "Z-PAYIO"),
    case("Z-a-reportType", lambda d: set_text(d.report(), "reportType", "X report"), "Z-A"),
    case("Z-b-companyIdent", lambda d: set_text(d.report(), "companyIdent", "974760673"), "Z-B"),
    case("Z-c-reportDate", lambda d: shift_day(d.report(), "reportDate", -1), "Z-C"),
    case("Z-d-registerID", lambda d: set_text(d.report(), "registerID", "K2"), "Z-D"),
    case("Z-number-gap", lambda d: later_z_report(d, 3), "Z-NUMBER"),
    case("Z-twice-a-day", lambda d: later_z_report(d, 2), "Z-PER-DAY", absent=("Z-NUMBER",)),
    case("Z-grand-net", lambda d: add_amount(d.report(), "reportGrandTotalSalesNet", "1.00"), "Z-GRAND"),
    case("Z-grand-below-period", lambda d: set_text(d.report(), "reportGrandTotalSales", "100.00"), "Z-GRAND"),
    case(
        "Z-count-only",
        lambda d: add_count(row(d.report(), "reportArtGroups/reportArtGroup", "artGroupID", "100"), "artGroupNum"),
        "Z-COUNT",
        absent=("Z-F",),
    ),
    case("Z-training-in-sales", training_in_sales, "Z-TRAINING", absent=("Z-E",)),
    case(
        "Z-K2-total-cash-sales",
        lambda d: add_amount(d.report("K2"), "reportTotalCashSales/totalCashSaleAmnt", "10.00"),
        "Z-E",
    ),
    case(
        "X-total-cash-sales",
        lambda d: add_amount(d.report("K1", "XREP"), "reportTotalCashSales/totalCashSaleAmnt", "10.00"),
        "Z-E",
    ),
    # --- copies and events
    case("copy-event-twice", second_copy_event, "COPY-MULTIPLE"),
    case("receiptCopyNum-2", lambda d: set_text(d.tx("K1-S000001"), "receiptCopyNum", "2"), "COPY-MULTIPLE"),
    case("receiptCopyNum-without-event", lambda d: set_text(d.tx("K1-S000002"), "receiptCopyNum", "1"), "COPY-COUNT"),
    case(
        "drawer-names-unknown-transID",
        lambda d: set_text(d.event("K1", "DRAWOPEN", "K1-S000001"), "transID", "K1-S999999"),
        "EVT-DRAWER",
    ),
    case(
        "receipt-names-missing-transID",
        lambda d: set_text(d.event("K1", "SALREC", "K1-S000002"), "transID", "K1-S999999"),
        "EVT-TRANS-MISSING",
    ),
    case("x-report-without-content", remove_report, "EVT-REPORT-MISSING"),
    case("report-on-drawer-close", report_on_drawer_close, "EVT-REPORT-UNEXPECTED"),
    # --- header, company, schema
    case("companyIdent-check-digit", lambda d: set_text(d.root, "company/companyIdent", "999999990"), "HDR-ORGNR"),
    case("unknown-element", unknown_element, "XSD-INVALID"),
]


def _verify(demo_export: Any, path: Path, key_spec: str = "{key}") -> dict[str, set[str]]:
    """Verify ``path`` with the demo's public key; return rule ids by severity."""
    ring = KeyRing()
    ring.add_public_key(key_spec.format(key=demo_export.public_key))
    result = verify_file(path, VerifyOptions(keys=ring, workers=0))
    by_severity: dict[str, set[str]] = {s.value: set() for s in Severity}
    for finding in result.findings:
        by_severity[finding.severity.value].add(finding.rule.id)
    return by_severity


def _write(doc: Doc, directory: Path) -> Path:
    path = directory / FILE_NAME
    doc.tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    return path


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 45
    assert len({p.id for p in CASES}) == len(CASES)


def test_unmutated_demo_export_is_clean(demo_export: Any) -> None:
    found = _verify(demo_export, demo_export.path)
    assert not found["fatal"] | found["error"] | found["warning"], found
    assert found["info"] == {"Z-OPEN"}


def test_lxml_round_trip_is_clean(demo_export: Any, tmp_path: Path) -> None:
    """Parsing and writing back with lxml (what every case does) changes nothing the verifier sees."""
    path = _write(Doc(etree.parse(str(demo_export.path)), demo_export.private_key), tmp_path)
    found = _verify(demo_export, path)
    assert not found["fatal"] | found["error"] | found["warning"], found


def test_verify_file_closes_the_file(demo_export: Any) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _verify(demo_export, demo_export.path)
        gc.collect()
    leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert not leaks


@pytest.mark.parametrize("mutation", CASES)
def test_mutation_is_caught(mutation: Case, demo_export: Any, tmp_path: Path) -> None:
    unknown = [r for r in mutation.rules + mutation.absent if r not in RULES]
    assert not unknown, f"not rule ids: {unknown}"
    doc = Doc(etree.parse(str(demo_export.path)), demo_export.private_key)
    original = etree.tostring(doc.tree)
    mutation.mutate(doc)
    assert etree.tostring(doc.tree) != original, "the mutation changed nothing"
    found = _verify(demo_export, _write(doc, tmp_path), mutation.key_spec)
    every = set().union(*found.values())
    missing = [r for r in mutation.rules if r not in every]
    assert not missing, f"{missing} not reported; found {sorted(every)}"
    unexpected = [r for r in mutation.absent if r in every]
    assert not unexpected, f"{unexpected} reported; found {sorted(every)}"
    assert "FILE-NAME" not in every
    assert not found["fatal"], found


# --- registers checked in parallel give the same findings as one stream ---------------------


@pytest.mark.parametrize("mutation", CASES)
def test_parallel_registers_find_the_same(
    mutation: Case, demo_export: Any, tmp_path: Path, pool: ProcessPoolExecutor
) -> None:
    """The demo export has two registers; split between workers, each case gives the same findings."""
    doc = Doc(etree.parse(str(demo_export.path)), demo_export.private_key)
    mutation.mutate(doc)
    path = _write(doc, tmp_path)
    ring = KeyRing()
    ring.add_public_key(mutation.key_spec.format(key=demo_export.public_key))
    split_and_stream(path, pool, ring)


def test_parallel_registers_are_used_on_the_demo_export(demo_export: Any, pool: ProcessPoolExecutor) -> None:
    result = verify_file(demo_export.path, VerifyOptions(), executor=pool)
    assert result.registers_in_parallel == 2
    assert result.schema_engine == "lxml"  # validated part by part while read
    assert {f.rule.id for f in result.findings} == {"Z-OPEN", "SIG-NOT-CHECKED"}
