"""SAF-T Cash Register code-list values the Then steps look for (PredefinedBasicID-11 and -12)."""

from __future__ import annotations

__all__ = ["CASH_SALE_CODES", "MEANS_CODES"]

#: PredefinedBasicID-11 codes of the transactions that are cash sales: sale, return, or both.
CASH_SALE_CODES = ("11001", "11006", "11016")

#: Means of payment as the scenarios name them -> their PredefinedBasicID-12 codes.
MEANS_CODES: dict[str, tuple[str, ...]] = {
    "cash": ("12001",),
    "card": ("12002", "12003"),
    "gift card": ("12005",),
    "mobile payment": ("12011",),
}
