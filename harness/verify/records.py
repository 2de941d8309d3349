"""The parts of a SAF-T Cash Register file the checks look at, read from lxml elements.

The reader (:mod:`harness.verify.stream`) hands each finished ``event``,
``cashtransaction`` and masterfile element to a function here, which copies what the
checks need into a small slotted record and lets the element be freed. Values the
schema would reject (an amount that is not a number) become ``None``: the schema
check reports them, and the semantic checks skip what they cannot use, so a damaged
file never raises.

Amounts are integers in øre. :func:`ore` parses ``xs:decimal`` text exactly; an amount
with more than two decimals is rounded half away from zero and flagged
(``Money.extra_decimals``) so the caller can report ``MNY-DECIMALS``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from harness.saft_spec import NAMESPACE
from reference_till.money import format_amount

__all__ = [
    "NS",
    "Basic",
    "Event",
    "Line",
    "Payment",
    "Report",
    "Transaction",
    "Vat",
    "format_ore",
    "ore",
    "read_basic",
    "read_event",
    "read_transaction",
]

NS = "{" + NAMESPACE + "}"
_NSLEN = len(NS)


_CENT = Decimal("0.01")


_ORE_CACHE: dict[str, int | None] = {}


def ore(text: str | None) -> int | None:
    """Parse an ``xs:decimal`` amount in kroner into øre; ``None`` if it is not a number.

    More than two decimals are rounded half away from zero; see :func:`has_extra_decimals`.
    Prices repeat, so parsed texts are cached (the cache is emptied at 50 000 entries).
    """
    if text is None:
        return None
    found = _ORE_CACHE.get(text, _MISSING)
    if found is not _MISSING:
        return found  # type: ignore[return-value]
    if len(_ORE_CACHE) > 50_000:
        _ORE_CACHE.clear()
    value = _ORE_CACHE[text] = _parse_ore(text)
    return value


_MISSING = object()


def _parse_ore(text: str) -> int | None:
    t = text.strip()
    dot = t.find(".")
    if dot > 0 and len(t) - dot == 3:
        head = t[:dot]
        if head not in ("-", "+"):
            try:
                return int(head + t[dot + 1 :])
            except ValueError:
                return None
    try:
        value = Decimal(t)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def has_extra_decimals(text: str | None) -> bool:
    """True if an amount's text has non-zero digits beyond the second decimal."""
    if text is None:
        return False
    t = text.strip()
    dot = t.find(".")
    return dot >= 0 and len(t) - dot > 3 and t[dot + 3 :].strip("0") != ""


def format_ore(value: int | None) -> str:
    """Format øre as kroner with two decimals (``-16.40``), ``?`` for unknown."""
    return "?" if value is None else format_amount(value)


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def _bool(text: str | None) -> bool:
    return text is not None and text.strip() in ("true", "1")


def _text(text: str | None) -> str:
    return text.strip() if text else ""


@dataclass(slots=True)
class Basic:
    """One ``basic`` of the masterfiles."""

    basic_type: str
    basic_id: str
    predefined: str
    description: str
    line: int


@dataclass(slots=True)
class Vat:
    """A ``vat`` element (of a line or a transaction)."""

    code: str
    perc: str
    amount: int | None
    base: int | None
    tp: str


@dataclass(slots=True)
class Line:
    """A ``ctLine``."""

    line_id: str
    line_type: str
    group: str
    art_id: str
    amount_in: int | None
    amount_ex: int | None
    tp: str
    emp_id: str
    vat: Vat | None
    discount: int


@dataclass(slots=True)
class Payment:
    """A ``payment``."""

    payment_type: str
    amount: int | None
    emp_id: str


@dataclass(slots=True)
class Transaction:
    """A ``cashtransaction``."""

    register: str
    nr: str
    trans_id: str
    trans_type: str
    amount_in: int | None
    amount_ex: int | None
    raw_in: str
    raw_ex: str
    tp: str
    emp_id: str
    period: str
    date: str
    time: str
    ref_id: str
    lines: list[Line]
    vats: list[Vat]
    discount: int
    rounding: int | None
    payments: list[Payment]
    signature: str
    key_version: str
    copy_num: int | None
    delivery_num: int | None
    void: bool
    training: bool
    line: int


@dataclass(slots=True)
class Report:
    """An ``eventReport`` (kassasystemforskrifta § 2-8-2; element per letter in requirements §7.2)."""

    report_id: str = ""
    report_type: str = ""
    company_ident: str = ""
    company_name: str = ""
    date: str = ""
    time: str = ""
    register_id: str = ""
    #: flat figures: element name -> øre or count
    figures: dict[str, int | None] = field(default_factory=dict)
    #: keyed lists: element name of the list -> key -> [count, amount, (more)]
    lists: dict[str, dict[tuple[str, ...], list[int | None]]] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Event:
    """An ``event``."""

    register: str
    event_id: str
    event_type: str
    trans_id: str
    emp_id: str
    date: str
    time: str
    text: str
    report: Report | None
    line: int


def read_basic(el: Any, cut: int = _NSLEN) -> Basic:
    """Read a ``basic`` element (``cut`` as for :func:`read_transaction`)."""
    values = {c.tag[cut:]: _text(c.text) for c in el if isinstance(c.tag, str)}
    return Basic(
        values.get("basicType", ""),
        values.get("basicID", ""),
        values.get("predefinedBasicID", ""),
        values.get("basicDesc", ""),
        el.sourceline or 0,
    )


def _vat(el: Any, cut: int) -> Vat:
    v: dict[str, str] = {c.tag[cut:]: c.text or "" for c in el}
    return Vat(
        v.get("vatCode", "").strip(),
        v.get("vatPerc", "").strip(),
        ore(v.get("vatAmnt")),
        ore(v.get("vatBasAmnt")),
        v.get("vatAmntTp", "").strip(),
    )


def _discount(el: Any, cut: int) -> int:
    for c in el:
        if c.tag[cut:] == "dscAmnt":
            return ore(c.text) or 0
    return 0


def _line(el: Any, cut: int) -> Line:
    raw: dict[str, str] = {}
    vat = None
    discount = 0
    for c in el:
        tag = c.tag[cut:]
        if tag == "vat":
            vat = _vat(c, cut)
        elif tag == "discount":
            discount += _discount(c, cut)
        else:  # a leaf, or a block this reader does not use (savings, raise)
            raw[tag] = c.text or ""
    return Line(
        raw.get("lineID", "").strip(),
        raw.get("lineType", "").strip(),
        raw.get("artGroupID", "").strip(),
        raw.get("artID", "").strip(),
        ore(raw.get("lineAmntIn")),
        ore(raw.get("lineAmntEx")),
        raw.get("amntTp", "").strip(),
        raw.get("empID", "").strip(),
        vat,
        discount,
    )


def read_transaction(el: Any, register: str, cut: int = _NSLEN) -> Transaction:
    """Read a ``cashtransaction`` element of ``register``.

    ``cut`` is the length of the namespace part of the tags (0 if the reader removed the
    default namespace declaration, see :mod:`harness.verify.stream`).
    """
    raw: dict[str, str] = {}
    lines: list[Line] = []
    vats: list[Vat] = []
    payments: list[Payment] = []
    discount = 0
    rounding = None
    for c in el:
        tag = c.tag[cut:]
        if tag == "ctLine":
            lines.append(_line(c, cut))
        elif tag == "vat":
            vats.append(_vat(c, cut))
        elif tag == "payment":
            p = {g.tag[cut:]: g.text or "" for g in c}
            payments.append(
                Payment(p.get("paymentType", "").strip(), ore(p.get("paidAmnt")), p.get("empID", "").strip())
            )
        elif tag == "rounding":
            for g in c:
                if g.tag[cut:] == "roundingAmnt":
                    rounding = ore(g.text)
        elif tag == "discount":
            discount += _discount(c, cut)
        else:
            raw[tag] = c.text or ""
    raw_in = raw.get("transAmntIn", "").strip()
    raw_ex = raw.get("transAmntEx", "").strip()
    return Transaction(
        register,
        raw.get("nr", "").strip(),
        raw.get("transID", "").strip(),
        raw.get("transType", "").strip(),
        ore(raw_in),
        ore(raw_ex),
        raw_in,
        raw_ex,
        raw.get("amntTp", "").strip(),
        raw.get("empID", "").strip(),
        raw.get("periodNumber", "").strip(),
        raw.get("transDate", "").strip(),
        raw.get("transTime", "").strip(),
        raw.get("refID", "").strip(),
        lines,
        vats,
        discount,
        rounding,
        payments,
        raw.get("signature", "").strip(),
        raw.get("keyVersion", "").strip(),
        _int(raw.get("receiptCopyNum")),
        _int(raw.get("receiptDeliveryNum")),
        _bool(raw.get("voidTransaction")),
        _bool(raw.get("trainingID")),
        el.sourceline or 0,
    )


#: eventReport lists: list element -> (row element, key elements, value elements)
REPORT_LISTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "reportArtGroups": ("reportArtGroup", ("artGroupID",), ("artGroupNum", "artGroupAmnt")),
    "reportEmpArtGroups": ("reportEmpArtGroup", ("empID", "artGroupID"), ("artGroupNum", "artGroupAmnt")),
    "reportPayments": ("reportPayment", ("paymentType",), ("paymentNum", "paymentAmnt")),
    "reportEmpPayments": ("reportEmpPayment", ("empID", "paymentType"), ("paymentNum", "paymentAmnt")),
    "reportCashSalesVat": ("reportCashSaleVat", ("vatCode",), ("cashSaleAmnt", "vatAmnt")),
    "reportEmpOpeningChangeFloats": ("reportEmpOpeningChangeFloat", ("empID",), ("openingChangeFloatAmnt",)),
    "reportCorrLines": ("reportCorrLine", ("corrLineType",), ("corrLineNum", "corrLineAmnt")),
    "reportPriceInquiries": ("reportPriceInquiry", ("priceInquiryGroup",), ("priceInquiryNum", "priceInquiryAmnt")),
    "reportOtherCorrs": ("reportOtherCorr", ("otherCorrType",), ("otherCorrNum", "otherCorrAmnt")),
    "reportPayIns": ("reportPayIn", ("payInType",), ("payInNum", "payInAmnt")),
    "reportPayOuts": ("reportPayOut", ("payOutType",), ("payOutNum", "payOutAmnt")),
}
_COUNTS = {
    "artGroupNum", "paymentNum", "corrLineNum", "priceInquiryNum", "otherCorrNum", "payInNum", "payOutNum",
    "reportReceiptNum", "reportOpenCashBoxNum", "reportReceiptCopyNum", "reportReceiptProformaNum",
    "reportReturnNum", "reportDiscountNum", "reportVoidTransNum", "reportReceiptDeliveryNum",
    "reportTrainingNum", "creditSalesNum", "creditMemosNum", "tipNum",
}  # fmt: skip


#: eventReport header elements -> Report attribute (letters a-d of § 2-8-2)
_REPORT_HEADER = {
    "reportID": "report_id",
    "reportType": "report_type",
    "companyIdent": "company_ident",
    "companyName": "company_name",
    "reportDate": "date",
    "reportTime": "time",
    "registerID": "register_id",
}


def _value(name: str, text: str | None) -> int | None:
    return _int(text) if name in _COUNTS else ore(text)


def _report(el: Any, cut: int) -> Report:
    report = Report()
    for c in el:
        tag = c.tag[cut:]
        report.present.add(tag)
        if tag in REPORT_LISTS:
            _row, keys, values = REPORT_LISTS[tag]
            rows: dict[tuple[str, ...], list[int | None]] = {}
            for row in c:
                fields = {g.tag[cut:]: g.text for g in row}
                key = tuple(_text(fields.get(k)) for k in keys)
                got = [_value(v, fields.get(v)) for v in values]
                old = rows.get(key)
                if old is None:
                    rows[key] = got
                else:  # a key listed twice: add up
                    rows[key] = [(a or 0) + (b or 0) for a, b in zip(old, got, strict=True)]
            report.lists[tag] = rows
        elif len(c):
            for g in c:
                name = g.tag[cut:]
                report.figures[name] = _value(name, g.text)
        elif tag in _REPORT_HEADER:
            setattr(report, _REPORT_HEADER[tag], _text(c.text))
        else:
            report.figures[tag] = _value(tag, c.text)
    return report


def read_event(el: Any, register: str, cut: int = _NSLEN) -> Event:
    """Read an ``event`` element of ``register`` (``cut`` as for :func:`read_transaction`)."""
    raw: dict[str, str] = {}
    report = None
    for c in el:
        tag = c.tag[cut:]
        if tag == "eventReport":
            report = _report(c, cut)
        else:
            raw[tag] = c.text or ""
    return Event(
        register,
        raw.get("eventID", "").strip(),
        raw.get("eventType", "").strip(),
        raw.get("transID", "").strip(),
        raw.get("empID", "").strip(),
        raw.get("eventDate", "").strip(),
        raw.get("eventTime", "").strip(),
        raw.get("eventText", ""),
        report,
        el.sourceline or 0,
    )
