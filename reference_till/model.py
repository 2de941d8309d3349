"""Journal records of the reference till: what the electronic journal holds.

The electronic journal (kassasystemforskrifta § 1-2 bokstav k, § 2-7) is the single
source of truth: receipts, X/Z reports, the SAF-T export and the daily settlement are
all computed from these records. They are frozen dataclasses; the journal stores them
as JSON (:func:`to_json` / :func:`from_json`).

Two kinds of record exist, mirroring SAF-T Cash Register:

* :class:`CashTransaction` -- money moved or a sale documented (``cashtransaction``);
  every one is signed and chained per register (see :mod:`reference_till.signing`).
* :class:`Event` -- everything else the till did (``event`` with a code from
  PredefinedBasicID-13), including full X and Z reports (:class:`ReportFigures`).

Receipt numbers. Every printed document has a number in its own series per
kassapunkt (:class:`Series`): sales and return receipts share the ``S`` series,
delivery receipts for credit sales have ``U``, training receipts ``T``, copies ``K``,
provisional receipts ``F``. The SAF-T ``transID`` is ``<registerID>-<series><number>``
(for example ``K1-S000042``) so a reader can check each series for gaps; see
:func:`trans_id`.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

import orjson

__all__ = [
    "CashTransaction",
    "CountAmount",
    "DenominationCount",
    "Discount",
    "EmpAmount",
    "EmpCountAmount",
    "Event",
    "JournalEntry",
    "KeyCountAmount",
    "Line",
    "Payment",
    "ReportFigures",
    "Series",
    "Settlement",
    "TransactionKind",
    "VatFigure",
    "VatTotal",
    "from_json",
    "to_json",
    "trans_id",
]


class Series(enum.StrEnum):
    """Receipt number series, each gapless per kassapunkt."""

    SALES = "S"  #: salskvittering and returkvittering (§ 2-8-4, § 2-8-5)
    DELIVERY = "U"  #: utleveringskvittering for credit sales, own series (§ 2-8-7)
    TRAINING = "T"  #: training receipts (FOR-2016-07-06-901)
    COPY = "K"  #: copy receipts marked «KOPI» (§ 2-8-6)
    PROVISIONAL = "F"  #: foreløpig kvittering (§ 2-8-6)
    VOID = "A"  #: voided (annullert) sales (§ 2-8-2 bokstav r)
    CASH = "M"  #: money movements without goods: float, pay-in/out, count, difference


def trans_id(register_id: str, series: Series, number: int) -> str:
    """Build the SAF-T ``transID`` of a document: ``K1-S000042``."""
    return f"{register_id}-{series.value}{number:06d}"


class TransactionKind(enum.StrEnum):
    """What a cash transaction is; each maps to one transaction basic (PredefinedBasicID-11)."""

    SALE = "sale"  #: cash sale, 11001
    RETURN = "return"  #: return with repayment, 11006
    SALE_RETURN = "sale_return"  #: sale and return on one receipt, 11016
    CREDIT_SALE = "credit_sale"  #: credit sale invoiced later, 11002
    VOID = "void"  #: cancelled sale, voidTransaction=true
    TRAINING = "training"  #: training sale, trainingID=true
    FLOAT = "float"  #: opening float (inngåande vekselbehaldning), 11007
    PAY_IN = "pay_in"  #: cash put into the drawer, 11011
    PAY_OUT = "pay_out"  #: cash taken out of the drawer, 11010
    CASH_COUNT = "cash_count"  #: counted cash at settlement (cash declaration), 11007
    CASH_DIFF = "cash_diff"  #: cash difference at settlement, 11008


@dataclass(frozen=True, slots=True)
class Discount:
    """A discount on one line.

    ``manual`` discounts are given at the kassapunkt and counted in § 2-8-2 bokstav q;
    ``campaign`` discounts (3 for 2, marked-down prices) are not (Skatteetaten FAQ).
    """

    kind: Literal["manual", "campaign"]
    amount: int  #: reduction of the line amount incl. VAT, øre, positive
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Line:
    """A concluded line of a transaction (SAF-T ``ctLine``)."""

    line_id: int
    line_type: Literal["SAL", "RET"]
    art_id: str
    art_group_id: str
    description: str
    quantity: Decimal  #: negative on return lines
    unit_price: int  #: øre incl. VAT, before discounts
    vat_code: str
    vat_rate_bp: int
    amount_in: int  #: øre incl. VAT after discounts; negative on return lines
    amount_ex: int
    vat_amount: int
    emp_id: str
    at: datetime
    discounts: tuple[Discount, ...] = ()


@dataclass(frozen=True, slots=True)
class Payment:
    """One tender of a transaction (SAF-T ``payment``)."""

    means_id: str  #: payment basic ID from the configuration (CASH, BAX, ...)
    amount: int  #: øre; negative for refunds
    emp_id: str
    reference: str = ""  #: terminal transaction id for card payments (§ 2-8-4)
    card_brand: str = ""  #: BankAxept, Visa, Mastercard ... as the terminal reported it


@dataclass(frozen=True, slots=True)
class VatTotal:
    """VAT per rate on one transaction (SAF-T ``vat`` under ``cashtransaction``)."""

    vat_code: str
    vat_rate_bp: int
    base: int  #: amount excl. VAT, øre
    vat: int  #: VAT amount, øre


@dataclass(frozen=True, slots=True)
class CashTransaction:
    """A signed cash transaction (SAF-T ``cashtransaction``).

    The signature covers ``previousSignature;transDate;transTime;nr;transAmntIn;transAmntEx``
    (see :mod:`reference_till.signing`).
    """

    register_id: str
    nr: int  #: position in the register's signature chain, 1, 2, 3 ... without gaps
    trans_id: str
    kind: TransactionKind
    series: Series
    number: int  #: number within ``series`` on this register
    amount_in: int
    amount_ex: int
    emp_id: str
    at: datetime
    signature: str
    key_version: str
    lines: tuple[Line, ...] = ()
    vat_totals: tuple[VatTotal, ...] = ()
    rounding: int = 0  #: cash rounding (øreavrunding), øre
    payments: tuple[Payment, ...] = ()
    buyer_name: str = ""  #: required from 40 000 NOK (bokføringsforskrifta § 5-1-2)
    customer_id: str = ""  #: customer account for credit sales
    description: str = ""
    voided_trans_id: str = ""  #: for VOID: the open sale that was cancelled
    returns_trans_id: str = ""  #: for returns: the original sale, when known
    provisional_receipts: int = 0  #: provisional receipts printed while the sale was open
    sale_ref: str = ""  #: the open-sale handle (``K1-O000017``) the transaction concluded

    @property
    def is_sale_document(self) -> bool:
        """True for kinds that print a sales/return receipt (§ 2-8-2 bokstav l)."""
        return self.kind in {TransactionKind.SALE, TransactionKind.RETURN, TransactionKind.SALE_RETURN}


@dataclass(frozen=True, slots=True)
class CountAmount:
    """A count with an amount, the shape of most § 2-8-2 figures."""

    count: int = 0
    amount: int = 0


@dataclass(frozen=True, slots=True)
class KeyCountAmount:
    """A count and amount under a key: article group, payment means, correction type ..."""

    key: str
    count: int
    amount: int


@dataclass(frozen=True, slots=True)
class EmpCountAmount:
    """A count and amount per operator and key (§ 2-8-2 bokstav h)."""

    emp_id: str
    key: str
    count: int
    amount: int


@dataclass(frozen=True, slots=True)
class EmpAmount:
    """An amount per operator (opening float per operator, § 2-8-2 bokstav k)."""

    emp_id: str
    amount: int


@dataclass(frozen=True, slots=True)
class VatFigure:
    """Cash sales and VAT for one rate (§ 2-8-2 bokstav j)."""

    vat_code: str
    vat_rate_bp: int
    base: int  #: taxable (or exempt, at 0 %) sales excl. VAT, net of returns
    vat: int


@dataclass(frozen=True, slots=True)
class ReportFigures:
    """Every figure of an X or Z report (kassasystemforskrifta § 2-8-2, § 2-8-3).

    Field comments name the letter of § 2-8-2 første ledd they carry; the SAF-T
    ``eventReport`` element is given where the name differs.
    """

    report_type: Literal["X", "Z"]  #: a
    report_id: str  #: unique in the journal: ``K1-Z0003``
    number: int  #: Z reports: sequential per register (§ 2-8-3); X reports: own sequence
    company_name: str  #: b
    company_ident: str  #: b (organisasjonsnummer)
    at: datetime  #: c
    register_id: str  #: d
    system_id: str  #: d (the cash register system's ID number, kassasystemlova § 2 f)
    total_cash_sales: int  #: e  reportTotalCashSales
    art_groups: tuple[KeyCountAmount, ...]  #: f  reportArtGroups
    emp_art_groups: tuple[EmpCountAmount, ...]  #: f per operator, reportEmpArtGroups
    payments: tuple[KeyCountAmount, ...]  #: g  reportPayments
    emp_payments: tuple[EmpCountAmount, ...]  #: h  reportEmpPayments
    vat: tuple[VatFigure, ...]  #: j  reportCashSalesVat
    opening_float: int  #: k  reportOpeningChangeFloat
    emp_opening_floats: tuple[EmpAmount, ...]  #: k per operator
    receipts: int  #: l  reportReceiptNum
    drawer_openings: int  #: m  reportOpenCashBoxNum (nullinnslag only)
    copies: CountAmount  #: n
    provisional: CountAmount  #: o  reportReceiptProforma*
    returns: CountAmount  #: p
    discounts: CountAmount  #: q  (manual discounts at the kassapunkt only)
    voids: CountAmount  #: r  reportVoidTrans*
    line_corrections: tuple[KeyCountAmount, ...]  #: s  reportCorrLines
    price_lookups: tuple[KeyCountAmount, ...]  #: t  reportPriceInquiries (key = article group)
    other_corrections: tuple[KeyCountAmount, ...]  #: u  reportOtherCorrs
    deliveries: CountAmount  #: v  reportReceiptDelivery*
    training: CountAmount  #: w  reportTraining*
    grand_total_sales: int  #: x
    grand_total_returns: int  #: y
    grand_total_net: int  #: z
    credit_sales: CountAmount  #: second ledd, reportCreditSales
    credit_memos: CountAmount  #: second ledd, reportCreditMemos
    pay_ins: tuple[KeyCountAmount, ...]  #: second ledd, reportPayIns
    pay_outs: tuple[KeyCountAmount, ...]  #: second ledd, reportPayOuts
    tips: CountAmount | None = None  #: i  (the reference till has no tip function)
    first_seq: int = 0  #: first journal sequence the report covers
    last_seq: int = 0  #: last journal sequence the report covers


@dataclass(frozen=True, slots=True)
class Event:
    """A journal event (SAF-T ``event``) with its PredefinedBasicID-13 code via its basic."""

    register_id: str
    event_type: str  #: event basic ID (``SALREC``, ``ZREP`` ...), see :mod:`reference_till.codes`
    at: datetime
    emp_id: str = ""
    trans_id: str = ""
    text: str = ""
    report: ReportFigures | None = None
    data: dict[str, Any] = field(default_factory=dict)  #: machine-readable detail (not exported)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A record with its position in the journal (``seq`` rises by one per record, over all registers)."""

    seq: int
    record: CashTransaction | Event


@dataclass(frozen=True, slots=True)
class DenominationCount:
    """Counted notes or coins of one denomination at the daily settlement."""

    denomination: int  #: øre: 100000 = 1000-lapp ... 100 = 1-krone
    count: int

    @property
    def amount(self) -> int:
        """Value of the counted pieces in øre."""
        return self.denomination * self.count


@dataclass(frozen=True, slots=True)
class Settlement:
    """A daily settlement (dagsoppgjør / kasseoppgjør) of one kassapunkt.

    bokføringsforskrifta § 5-3-14 and Skatteinfo 1/2011: the reconciliation shows the
    cash at the start, the day's cash sales (Z report), cash taken out or put in, the
    counted cash, is dated, names who counted and explains any difference.
    """

    register_id: str
    number: int  #: settlement number per register
    at: datetime
    counted_by: str  #: employee id of who counted
    z_report_id: str  #: the Z report the settlement reconciles
    opening_float: int
    cash_sales: int  #: cash received for sales net of cash refunds, after øreavrunding
    pay_ins: int
    pay_outs: int
    expected_cash: int  #: opening_float + cash_sales - pay_outs + pay_ins
    counted: tuple[DenominationCount, ...]
    counted_total: int
    difference: int  #: counted_total - expected_cash (overskudd > 0, underskudd < 0)
    explanation: str  #: required when difference != 0
    card_totals: tuple[KeyCountAmount, ...]  #: the till's card figures per means of payment
    terminal_totals: tuple[KeyCountAmount, ...]  #: the payment terminal's totals per means
    card_difference: int  #: sum(card_totals) - sum(terminal_totals)
    other_means: tuple[KeyCountAmount, ...]  #: gift card, mobile, credit ... from the Z report


# --------------------------------------------------------------------------- JSON codec

_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        CashTransaction,
        Event,
        Line,
        Payment,
        VatTotal,
        Discount,
        ReportFigures,
        CountAmount,
        KeyCountAmount,
        EmpCountAmount,
        EmpAmount,
        VatFigure,
        Settlement,
        DenominationCount,
    )
}


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def _default(value: Any) -> Any:
    """Encode what :mod:`json` cannot: records, timestamps and decimals.

    The C encoder handles str, int, bool, float, None, lists, tuples, dicts and
    ``StrEnum`` members (as their string value) itself and calls this hook only for the
    rest, so a journal write costs one hook call per record object, not one per field.
    """
    kind = type(value)
    names = _FIELD_NAMES.get(kind)
    if names is None:
        if kind is datetime:  # the most frequent value after records: every record has one
            return {"_dt": value.isoformat()}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            names = _FIELD_NAMES[kind] = tuple(f.name for f in dataclasses.fields(value))
    if names is not None:
        out: dict[str, Any] = {"_t": kind.__name__}
        for name in names:
            out[name] = getattr(value, name)
        return out
    if isinstance(value, datetime):
        return {"_dt": value.isoformat()}
    if isinstance(value, Decimal):
        return {"_dec": str(value)}
    if isinstance(value, enum.Enum):
        return value.value
    raise TypeError(f"cannot journal a value of type {kind.__name__}: {value!r}")


# orjson writes compact UTF-8 JSON in key order, as json.dumps(ensure_ascii=False,
# separators=(",", ":")) would; records and timestamps go through _default so they keep
# the "_t" / "_dt" tags the decoder dispatches on.
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    if not isinstance(value, dict):
        return value
    if "_dt" in value:
        return datetime.fromisoformat(value["_dt"])
    if "_dec" in value:
        return Decimal(value["_dec"])
    if "_t" in value:
        cls = _TYPES[value["_t"]]
        kwargs = {k: _decode(v) for k, v in value.items() if k != "_t"}
        for f in dataclasses.fields(cls):
            if f.name == "kind" and cls is CashTransaction:
                kwargs["kind"] = TransactionKind(kwargs["kind"])
            elif f.name == "series" and cls is CashTransaction:
                kwargs["series"] = Series(kwargs["series"])
            elif f.name == "data" and f.name in kwargs:
                kwargs["data"] = _thaw(value["data"])
        return cls(**kwargs)
    return {k: _decode(v) for k, v in value.items()}


def _thaw(value: Any) -> Any:
    """Decode a free-form ``data`` dict keeping lists as lists."""
    if isinstance(value, list):
        return [_thaw(v) for v in value]
    if isinstance(value, dict):
        if "_dt" in value or "_dec" in value or "_t" in value:
            return _decode(value)
        return {k: _thaw(v) for k, v in value.items()}
    return value


def to_json(record: CashTransaction | Event) -> str:
    """Serialise a journal record to compact JSON (stable key order)."""
    return orjson.dumps(record, default=_default, option=_ORJSON_OPTIONS).decode()


def from_json(text: str) -> CashTransaction | Event:
    """Parse a record written by :func:`to_json`."""
    record = _decode(orjson.loads(text))
    if not isinstance(record, CashTransaction | Event):
        raise ValueError("journal payload is neither a CashTransaction nor an Event")
    return record
