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
