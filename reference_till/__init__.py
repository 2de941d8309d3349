"""The kassakontroll reference till: a complete, compliant Norwegian cash register.

The till is the oracle of the compliance suite. Its public surface is the
:class:`Till` façade, its configuration and its errors.
"""

from __future__ import annotations

from reference_till.config import ConfigError, TillConfig, load_config
from reference_till.errors import (
    BuyerNameRequired,
    CopyLimitReached,
    DrawerOpen,
    OperationError,
    PaymentError,
    PrinterUnavailable,
    ReceiptNotPrinted,
    RuleViolation,
    TillError,
    ZReportBlocked,
)

__all__ = [
    "BuyerNameRequired",
    "ConfigError",
    "CopyLimitReached",
    "DrawerOpen",
    "OperationError",
    "PaymentError",
    "PrinterUnavailable",
    "ReceiptNotPrinted",
    "RuleViolation",
    "Till",
    "TillConfig",
    "TillError",
    "ZReportBlocked",
    "load_config",
]


def __getattr__(name: str) -> object:
    # The façade imports every module of the till; load it on first use.
    if name == "Till":
        from reference_till.till import Till

        return Till
    raise AttributeError(f"module 'reference_till' has no attribute {name!r}")
