"""The reference till's SAF-T basics: its own codes mapped to Skatteetaten's predefined codes.

SAF-T Cash Register lets each system use its own ``basicID`` and map it to a
``predefinedBasicID`` from the official code lists (BasicType 04, 05, 08, 11, 12, 13).
This module is the one table of those mappings for events, transactions, line types
and discount types; article groups and payment means come from the configuration.

The XSD makes ``basicID`` a key over *all* basics, so the IDs here never collide with
the (numeric) article group IDs of the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.saft_spec import code_list
from reference_till.model import TransactionKind

__all__ = [
    "DISCOUNT_BASICS",
    "EVENT_BASICS",
    "LINE_BASICS",
    "TRANSACTION_BASICS",
    "Basic",
    "EventType",
    "transaction_basic",
]


@dataclass(frozen=True, slots=True)
class Basic:
    """One ``basic`` of the SAF-T masterfiles."""

    basic_type: str  #: BasicType code, two digits ("13")
    basic_id: str
    predefined: str  #: predefinedBasicID, or "" where the code list has none (types 05, 08)
    description: str


class EventType:
    """Event basic IDs used by the reference till (PredefinedBasicID-13 in comments)."""

    POS_START = "POSSTART"  # 13001
    POS_STOP = "POSEND"  # 13002
    LOGIN = "EMPIN"  # 13003
    LOGOUT = "EMPOUT"  # 13004
    DRAWER_OPEN = "DRAWOPEN"  # 13005, opened by a sale or return
    DRAWER_OPEN_NO_SALE = "NULLINNSLAG"  # 13005, opened without a sale (§ 1-2 bokstav c)
    DRAWER_CLOSE = "DRAWCLOSE"  # 13006
    X_REPORT = "XREP"  # 13008
    Z_REPORT = "ZREP"  # 13009
    SUSPEND = "PARK"  # 13010
    RESUME = "RESUME"  # 13011
    SALES_RECEIPT = "SALREC"  # 13012
    RETURN_RECEIPT = "RETREC"  # 13013
    COPY_RECEIPT = "COPYREC"  # 13014
    PROVISIONAL_RECEIPT = "PROVREC"  # 13015
    DELIVERY_RECEIPT = "DELIVREC"  # 13016
    TRAINING_RECEIPT = "TRAINREC"  # 13017
    OTHER_REPORT = "OTHERREP"  # 13018, daily settlement printout
    CASH_WITHDRAWAL = "CASHOUT"  # 13019
    PRICE_CHANGE = "PRICECHG"  # 13021
    PRICE_LOOKUP = "PRICELOOKUP"  # 13022
    TRAINING_ON = "TRAINON"  # 13023
    TRAINING_OFF = "TRAINOFF"  # 13024
    VOID_RECEIPT = "VOIDREC"  # 13028
    LINE_CORRECTION = "LINECORR"  # 13999, line corrected or deleted before conclusion
    MANUAL_DISCOUNT = "MANDISC"  # 13999, discount given at the kassapunkt
    LINE_ADDED = "LINEADD"  # 13999, item registered on an open sale
    SALE_STARTED = "SALESTART"  # 13999, an open sale was started
    CARD_PAYMENT = "CARDPAY"  # 13999, the terminal approved a card payment (or refund) on an open sale
    PRINT_FAILED = "PRINTFAIL"  # 13999, the printer refused or failed a document
    RECOVERY = "RECOVERY"  # 13999, restart after an unclean stop
    OPERATOR_FLOAT = "EMPFLOAT"  # 13999, opening float per operator noted


EVENT_BASICS: dict[str, Basic] = {
    b.basic_id: b
    for b in (
        Basic("13", EventType.POS_START, "13001", "POS application start"),
        Basic("13", EventType.POS_STOP, "13002", "POS application shut down"),
        Basic("13", EventType.LOGIN, "13003", "Employee log in"),
        Basic("13", EventType.LOGOUT, "13004", "Employee log out"),
        Basic("13", EventType.DRAWER_OPEN, "13005", "Open cash drawer (sale or return)"),
        Basic("13", EventType.DRAWER_OPEN_NO_SALE, "13005", "Open cash drawer without sale (nullinnslag)"),
        Basic("13", EventType.DRAWER_CLOSE, "13006", "Close cash drawer"),
        Basic("13", EventType.X_REPORT, "13008", "X report"),
        Basic("13", EventType.Z_REPORT, "13009", "Z report"),
        Basic("13", EventType.SUSPEND, "13010", "Suspend (park) transaction"),
        Basic("13", EventType.RESUME, "13011", "Resume parked transaction"),
        Basic("13", EventType.SALES_RECEIPT, "13012", "Sales receipt printed"),
        Basic("13", EventType.RETURN_RECEIPT, "13013", "Return receipt printed"),
        Basic("13", EventType.COPY_RECEIPT, "13014", "Copy receipt printed"),
        Basic("13", EventType.PROVISIONAL_RECEIPT, "13015", "Provisional receipt printed"),
        Basic("13", EventType.DELIVERY_RECEIPT, "13016", "Delivery receipt printed (credit sale)"),
        Basic("13", EventType.TRAINING_RECEIPT, "13017", "Training receipt printed"),
        Basic("13", EventType.OTHER_REPORT, "13018", "Daily settlement report printed"),
        Basic("13", EventType.CASH_WITHDRAWAL, "13019", "Cash withdrawal"),
        Basic("13", EventType.PRICE_CHANGE, "13021", "Price change"),
        Basic("13", EventType.PRICE_LOOKUP, "13022", "Price look-up"),
        Basic("13", EventType.TRAINING_ON, "13023", "Training mode on"),
        Basic("13", EventType.TRAINING_OFF, "13024", "Training mode off"),
        Basic("13", EventType.VOID_RECEIPT, "13028", "Void receipt"),
        Basic("13", EventType.LINE_CORRECTION, "13999", "Line correction before conclusion"),
        Basic("13", EventType.MANUAL_DISCOUNT, "13999", "Manual discount given at the kassapunkt"),
        Basic("13", EventType.LINE_ADDED, "13999", "Item registered on an open sale"),
        Basic("13", EventType.SALE_STARTED, "13999", "Sale started"),
        Basic("13", EventType.CARD_PAYMENT, "13999", "Card payment approved on an open sale"),
        Basic("13", EventType.PRINT_FAILED, "13999", "Printer failed or refused a document"),
        Basic("13", EventType.RECOVERY, "13999", "Restart after unclean stop"),
        Basic("13", EventType.OPERATOR_FLOAT, "13999", "Opening float per operator"),
    )
}

TRANSACTION_BASICS: dict[TransactionKind, Basic] = {
    TransactionKind.SALE: Basic("11", "CASHSAL", "11001", "Cash sale"),
    TransactionKind.RETURN: Basic("11", "RETURNSAL", "11006", "Return sale"),
    TransactionKind.SALE_RETURN: Basic("11", "SALRETURN", "11016", "Cash sale and return"),
    TransactionKind.CREDIT_SALE: Basic("11", "CREDITSAL", "11002", "Credit sale"),
    TransactionKind.FLOAT: Basic("11", "FLOAT", "11007", "Opening change float"),
    TransactionKind.PAY_IN: Basic("11", "PAYIN", "11011", "Cash pay-in"),
    TransactionKind.PAY_OUT: Basic("11", "PAYOUT", "11010", "Cash pay-out"),
    TransactionKind.CASH_COUNT: Basic("11", "CASHCOUNT", "11007", "Cash declaration at settlement"),
    TransactionKind.CASH_DIFF: Basic("11", "CASHDIFF", "11008", "Cash difference at settlement"),
}

LINE_BASICS: dict[str, Basic] = {
    "SAL": Basic("05", "SAL", "", "Sale line"),
    "RET": Basic("05", "RET", "", "Return line"),
}

DISCOUNT_BASICS: dict[str, Basic] = {
    "manual": Basic("08", "MANDSC", "", "Manual discount given at the kassapunkt"),
    "campaign": Basic("08", "CAMPDSC", "", "Campaign discount (not counted in X/Z q)"),
}


def transaction_basic(kind: TransactionKind, *, original: TransactionKind | None = None) -> Basic:
    """Return the transaction basic for a kind.

    Void and training transactions keep the type of the sale they document
    (``voidTransaction`` / ``trainingID`` carry the rest); pass that as ``original``.
    """
    if kind in {TransactionKind.VOID, TransactionKind.TRAINING}:
        return TRANSACTION_BASICS[original or TransactionKind.SALE]
    return TRANSACTION_BASICS[kind]


def _check_against_code_lists() -> None:
    """Fail at import if a mapping names a code the official lists do not have."""
    lists = {"11": code_list("PredefinedBasicID-11"), "13": code_list("PredefinedBasicID-13")}
    for basic in (*EVENT_BASICS.values(), *TRANSACTION_BASICS.values()):
        if basic.predefined not in lists[basic.basic_type]:
            raise RuntimeError(f"{basic.basic_id}: {basic.predefined} is not in PredefinedBasicID-{basic.basic_type}")


_check_against_code_lists()
