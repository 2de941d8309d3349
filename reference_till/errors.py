"""Errors of the reference till.

Every refused operation raises a :class:`TillError` subclass whose message names the
rule that forbids it and what to do instead, and leaves the journal untouched::

    TillError
    ├── RuleViolation            the law forbids the operation (carries the clause id)
    │   ├── CopyLimitReached         § 2-6 fjerde ledd: at most one copy receipt
    │   ├── ZReportBlocked           § 2-8-3 andre ledd: open or parked sales
    │   ├── DrawerOpen               § 2-6 femte ledd: no registration with the drawer open
    │   ├── BuyerNameRequired        bokføringsforskrifta § 5-1-2: 40 000 NOK or more
    │   └── PrinterUnavailable       § 2-6 fjerde ledd: no sale without a printed receipt
    ├── OperationError           the operation does not fit the till's state (no open sale ...)
    ├── ReceiptNotPrinted        journaled, but the printer failed: the document waits for a retry
    └── PaymentError             the payment terminal declined, timed out or was aborted
"""

from __future__ import annotations

__all__ = [
    "BuyerNameRequired",
    "CopyLimitReached",
    "DrawerOpen",
    "OperationError",
    "PaymentError",
    "PrinterUnavailable",
    "ReceiptNotPrinted",
    "RuleViolation",
    "TillError",
    "ZReportBlocked",
]


class TillError(Exception):
    """Base of every error the reference till raises."""


class RuleViolation(TillError):
    """An operation the regulation forbids.

    Attributes:
        clause: The clause id in the harness grammar (``ksf_2_6_l4``).
    """

    clause = ""

    def __init__(self, message: str, *, clause: str | None = None) -> None:
        super().__init__(message)
        if clause is not None:
            self.clause = clause


class CopyLimitReached(RuleViolation):
    """A second copy receipt was requested."""

    clause = "ksf_2_6_l4"


class ZReportBlocked(RuleViolation):
    """A Z report was requested while a sale is open or parked."""

    clause = "ksf_2_8_3_l2"


class DrawerOpen(RuleViolation):
    """A registration was attempted while the integrated cash drawer is open."""

    clause = "ksf_2_6_l5"


class BuyerNameRequired(RuleViolation):
    """A sale of 40 000 NOK or more was concluded without the buyer's name."""

    clause = "bff_5_1_2"


class PrinterUnavailable(RuleViolation):
    """The receipt printer cannot print (paper out, cover open, offline)."""

    clause = "ksf_2_6_l4"


class OperationError(TillError):
    """The operation does not fit the till's current state."""


class PaymentError(TillError):
    """The payment terminal did not approve the payment."""


class ReceiptNotPrinted(TillError):
    """The document is in the journal but the printer failed while printing it.

    The till keeps the document and prints it at the kassapunkt's next operation once the
    printer is ready (or with :meth:`Till.retry_printing`), unless the printer finished it
    after the paper change; the sale itself is concluded and documented.
    """
