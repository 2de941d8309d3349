"""Fault switches: each makes the reference till break exactly one rule.

They exist to prove that the compliance suite can fail. A suite whose scenarios all pass
against a correct till says little until each scenario has been seen to fail against a
till that breaks its rule; the meta-test ``tests/meta/test_faults.py`` runs the suite once
per switch and checks that exactly the scenarios of the broken rule fail. Production
code never switches one on: the :class:`~reference_till.till.Till` takes them only as an
explicit constructor argument, and ``reference://?fault=NAME`` is the harness's way to
ask for one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["FAULTS", "Fault", "FaultInfo", "parse_faults"]


class Fault(StrEnum):
    """A rule the till can be told to break."""

    SECOND_COPY = "second_copy"
    NO_COPY_MARK = "no_copy_mark"
    IGNORE_PAPER_OUT = "ignore_paper_out"
    Z_WITH_OPEN_SALE = "z_with_open_sale"
    IGNORE_OPEN_DRAWER = "ignore_open_drawer"
    UNNAMED_Z_REPORT = "unnamed_z_report"
    SMALL_COPY_MARK = "small_copy_mark"
    NO_RECEIPT_NAME = "no_receipt_name"
    RETURN_AS_SALES_RECEIPT = "return_as_sales_receipt"
    NO_TRAINING_MARK = "no_training_mark"
    NO_PROVISIONAL_MARK = "no_provisional_mark"
    NO_TERMINAL_ID = "no_terminal_id"
    POSITIVE_RETURNS = "positive_returns"
    CAMPAIGN_IN_Q = "campaign_in_q"
    SALE_OPENINGS_IN_M = "sale_openings_in_m"
    TRAINING_AS_SALES = "training_as_sales"
    GRAND_TOTAL_RESET = "grand_total_reset"
    UNJOURNALED_DRAWER = "unjournaled_drawer"
    UNJOURNALED_LOOKUP = "unjournaled_lookup"
    SKIP_SIGNATURE = "skip_signature"
    SHARED_CHAIN = "shared_chain"
    NO_BUYER_CHECK = "no_buyer_check"
    UTC_CLOCK = "utc_clock"
    NO_RECOVERY_VOID = "no_recovery_void"
    REPRINT_UNCONFIRMED = "reprint_unconfirmed"


@dataclass(frozen=True, slots=True)
class FaultInfo:
    """What a fault breaks.

    Attributes:
        clause: The clause the broken rule rests on.
        description: What the till then does wrong.
    """

    clause: str
    description: str


FAULTS: dict[Fault, FaultInfo] = {
    Fault.SECOND_COPY: FaultInfo("ksf_2_6_l4", "prints a second kopikvittering of the same sale"),
    Fault.NO_COPY_MARK: FaultInfo("ksf_2_8_6", "prints the kopikvittering without «KOPI»"),
    Fault.IGNORE_PAPER_OUT: FaultInfo(
        "ksf_2_6_l4", "concludes a sale without reading the printer's status (paper out, cover open)"
    ),
    Fault.Z_WITH_OPEN_SALE: FaultInfo("ksf_2_8_3_l2", "produces a Z report while a sale is open or parked"),
    Fault.IGNORE_OPEN_DRAWER: FaultInfo("ksf_2_6_l5", "takes registrations while the drawer is open"),
    Fault.UNNAMED_Z_REPORT: FaultInfo("ksf_2_8_3_l1", "prints the Z report without saying it is a Z report"),
    Fault.SMALL_COPY_MARK: FaultInfo("ksf_2_8_6_font", "prints «KOPI» no larger than the amounts"),
    Fault.NO_RECEIPT_NAME: FaultInfo("ksf_2_8_4", "prints the sales receipt without «Salgskvittering» at the top"),
    Fault.RETURN_AS_SALES_RECEIPT: FaultInfo("ksf_2_8_5", "heads a return receipt «Salgskvittering»"),
    Fault.NO_TRAINING_MARK: FaultInfo("ksf_2_8_6_training", "prints a training receipt as an ordinary sales receipt"),
    Fault.NO_PROVISIONAL_MARK: FaultInfo(
        "ksf_2_8_6_provisional", "prints a provisional receipt as an ordinary sales receipt"
    ),
    Fault.NO_TERMINAL_ID: FaultInfo("ksf_2_8_4_terminal", "leaves the terminal's transaction id off the card receipt"),
    Fault.POSITIVE_RETURNS: FaultInfo("ksf_2_5_negative", "prints returned lines with positive amounts"),
    Fault.CAMPAIGN_IN_Q: FaultInfo("ksf_2_8_2_q", "counts automatic campaign discounts as discounts given (q)"),
    Fault.SALE_OPENINGS_IN_M: FaultInfo("ksf_2_8_2_m", "counts drawer openings by sales as nullinnslag (m)"),
    Fault.TRAINING_AS_SALES: FaultInfo("ksf_2_8_2_w", "counts training sales in the cash sales and receipts (e, l)"),
    Fault.GRAND_TOTAL_RESET: FaultInfo("ksf_2_8_2_x", "starts the grand totals from zero after each Z report"),
    Fault.UNJOURNALED_DRAWER: FaultInfo("ksf_2_8_2_m", "opens the drawer without a sale and journals nothing"),
    Fault.UNJOURNALED_LOOKUP: FaultInfo("ksf_2_7_l4", "shows a price without journaling the price look-up"),
    Fault.SKIP_SIGNATURE: FaultInfo("saft_sig", "does not sign return transactions (repeats the previous signature)"),
    Fault.SHARED_CHAIN: FaultInfo(
        "saft_sig_chain", "chains the signatures across kassapunkter instead of per register"
    ),
    Fault.NO_BUYER_CHECK: FaultInfo(
        "bff_5_1_2", "concludes a cash sale of NOK 40 000 or more without the buyer's name"
    ),
    Fault.UTC_CLOCK: FaultInfo("ksf_2_5_clock", "prints and journals UTC instead of Norwegian local time"),
    Fault.NO_RECOVERY_VOID: FaultInfo(
        "ksf_2_8_2_r", "after a crash, drops the interrupted sale instead of journaling it as cancelled"
    ),
    Fault.REPRINT_UNCONFIRMED: FaultInfo(
        "ksf_2_6_l4",
        "sends a receipt that failed mid-print again without looking whether the printer finished it "
        "after the paper change (a second original)",
    ),
}


def parse_faults(names: str) -> frozenset[Fault]:
    """``"second_copy,no_copy_mark"`` -> the faults.

    Raises:
        ValueError: A name is not a fault; the message lists the known ones.
    """
    found = set()
    for name in filter(None, (n.strip() for n in names.split(","))):
        try:
            found.add(Fault(name))
        except ValueError:
            known = ", ".join(f.value for f in Fault)
            raise ValueError(f"no fault switch {name!r}; known: {known}") from None
    return frozenset(found)
