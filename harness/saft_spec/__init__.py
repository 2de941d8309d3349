"""The official SAF-T Cash Register schema and code lists, as published by Skatteetaten.

The files in this folder are unmodified copies of Skatteetaten's
``Norwegian_SAF-T_Cash_Register_Schema_v_1.00.xsd`` and the Cash Register code lists
(``BasicType.csv``, ``PredefinedBasicID-04/10/11/12/13.csv``). Both the reference till
(which writes SAF-T) and the verifier (which reads it) take them from here.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

__all__ = ["NAMESPACE", "Code", "code_list", "schema_path"]

#: XML namespace of SAF-T Cash Register v1.00.
NAMESPACE = "urn:StandardAuditFile-Taxation-CashRegister:NO"


@dataclass(frozen=True, slots=True)
class Code:
    """One row of an official code list."""

    code: str
    description_en: str
    description_nb: str


def schema_path() -> Path:
    """Return the path of the official XSD (``Norwegian_SAF-T_Cash_Register_Schema_v_1.00.xsd``)."""
    return Path(str(resources.files(__name__) / "Norwegian_SAF-T_Cash_Register_Schema_v_1.00.xsd"))


@cache
def code_list(name: str) -> dict[str, Code]:
    """Load an official code list by name.

    Args:
        name: ``"BasicType"`` or ``"PredefinedBasicID-04"``, ``-10``, ``-11``, ``-12``, ``-13``.

    Returns:
        The codes keyed by their code string (for example ``"13009"``).

    Raises:
        KeyError: The name is not one of the shipped code lists.
    """
    path = resources.files(__name__) / f"{name}.csv"
    if not path.is_file():
        known = sorted(
            p.name.removesuffix(".csv") for p in resources.files(__name__).iterdir() if p.name.endswith(".csv")
        )
        raise KeyError(f"no code list named {name!r}; known code lists: {', '.join(known)}")
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines(), delimiter=";"))
    return {
        row[0].strip(): Code(row[0].strip(), row[1].strip(), row[2].strip())
        for row in rows[1:]
        if row and row[0].strip()
    }
