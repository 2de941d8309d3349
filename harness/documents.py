"""What a printed document is, read from what it prints: one reading for the steps, the fuzz and the cross-check.

A till names its documents at the top (kassasystemforskrifta § 2-8-4 and § 2-8-5 for
sales and return receipts, § 2-8-2 bokstav a and § 2-8-3 for X and Z reports) and marks
the ones that are no receipt for purchase (§ 2-8-6, § 2-8-7; kassasystemlova § 3 andre
ledd for the byttelapp). The rules here are deliberately naive, so that a vendor's layout
passes if a customer could read the same off the paper:

* the *heading* is the first printed text line (a logo above it is an image, not text),
  compared without letter case; the regulation's nynorsk names and the bokmål forms
  Skatteetaten accepts are both read (``Salskvittering``/``Salgskvittering``), reports
  as ``X-rapport``, ``X rapport`` or ``X report``;
* a *copy* is a document marked «KOPI» (§ 2-8-6), wherever on the paper, as printed;
* a *marking* (training, provisional, delivery, exchange slip) is looked for anywhere in
  the text, without letter case, in the candidate wordings of the requirements catalogue;
* the *receipt number* is the number after a label such as «Kvitteringsnr.», «Kvittering nr»
  or «Bong nr»; letters in front of the digits (``S000042``) are a series prefix, and the
  number belongs to the journal's transaction whose ``transID`` ends in the same number
  (and series letters, where the receipt prints any) -- § 2-8-4.
"""

from __future__ import annotations

import re

from harness.observe import Printed

__all__ = [
    "COPY",
    "HEADINGS",
    "JOURNAL_NUMBER",
    "MARKINGS",
    "NOT_FOR_PURCHASE",
    "RECEIPT_NUMBER",
    "REPORTS",
    "canonical",
    "heading_of",
    "is_copy",
    "is_headed",
    "is_report",
    "marked",
    "prints_number_of",
    "receipt_number",
    "receipt_token",
]

#: A document's name at its top -> how a heading may write it (matched at the start of the first line).
HEADINGS: dict[str, re.Pattern[str]] = {
    # kassasystemforskrifta § 2-8-4: «Salskvittering» (nynorsk); Skatteetaten accepts «Salgskvittering»
    "Salskvittering": re.compile(r"^\s*salg?skvittering", re.IGNORECASE),
    "Returkvittering": re.compile(r"^\s*returkvittering", re.IGNORECASE),  # § 2-8-5
    "Utleveringskvittering": re.compile(r"^\s*utleveringskvittering", re.IGNORECASE),  # § 2-8-7
    "Treningskvittering": re.compile(r"^\s*treningskvittering", re.IGNORECASE),  # § 2-8-6
    "Foreløpig kvittering": re.compile(r"^\s*forel[øo]pig\s+kvittering", re.IGNORECASE),  # § 2-8-6
    # § 2-8-2 bokstav a, § 2-8-3: the report says what it is
    "X-rapport": re.compile(r"^\s*x[\s-]?(?:rapport|report)\b", re.IGNORECASE),
    "Z-rapport": re.compile(r"^\s*z[\s-]?(?:rapport|report)\b", re.IGNORECASE),
}
#: The report names among :data:`HEADINGS`.
REPORTS = ("X-rapport", "Z-rapport")
#: kassasystemforskrifta § 2-8-6: a copy receipt is marked «KOPI».
COPY = "KOPI"

#: Markings that show a document is of a function (anywhere in its text, any letter case).
MARKINGS: dict[str, re.Pattern[str]] = {
    "training": re.compile(r"treningskvittering|trenings?\s*modus|training\s+receipt", re.IGNORECASE),
    "provisional": re.compile(r"forel[øo]pig\s+kvittering|proforma", re.IGNORECASE),
    "delivery": re.compile(r"utleveringskvittering", re.IGNORECASE),
    "exchange_slip": re.compile(r"byttelapp", re.IGNORECASE),
}


#: Wordings that say a document is not a receipt for purchase. Only «IKKJE KVITTERING FOR
#: KJØP» is verified (§ 2-8-8); the others are the candidates the requirements catalogue lists
#: for § 2-8-6 and § 2-8-7 (provisional, training and delivery receipts), bokmål forms included.
NOT_FOR_PURCHASE = re.compile(
    r"ikkj?e (?:gyldig som )?kvittering for kjøp"
    r"|ikkj?e (?:ein |en )?kjøpskvittering"
    r"|not an? (?:purchase receipt|receipt for purchase|valid receipt)",
    re.IGNORECASE,
)

#: A printed receipt number: its label, then series letters (group 1, maybe none) and digits (group 2).
RECEIPT_NUMBER = re.compile(
    r"\b(?:kvitterings?\s*-?\s*nr|kvitt\.?\s*nr|bong\s*nr|receipt\s*no)\.?\s*:?\s*([a-z]{0,3})-?(\d+)",
    re.IGNORECASE,
)
#: The end of a journal ``transID``: series letters (group 1) and running number (group 2), ``K1-S000042``.
JOURNAL_NUMBER = re.compile(r"([A-Za-z]*)(\d+)\D*$")


def _known(name: str, table: dict[str, re.Pattern[str]], what: str) -> re.Pattern[str]:
    pattern = table.get(name)
    if pattern is None:
        raise KeyError(f"no {what} {name!r}; known: {', '.join(table)}")
    return pattern


def canonical(name: str) -> str:
    """The key of :data:`HEADINGS` a scenario's name for a document means (``Salgskvittering`` -> ``Salskvittering``).

    Raises:
        KeyError: No document is called so (the message lists the names).
    """
    found = next((key for key, pattern in HEADINGS.items() if pattern.search(name)), None)
    if found is None:
        raise KeyError(f"no document is called {name!r}; known: {', '.join(HEADINGS)}")
    return found


def is_headed(document: Printed, name: str) -> bool:
    """The document's heading names it ``name`` (a key of :data:`HEADINGS`, or a form of one)."""
    return bool(HEADINGS[canonical(name)].search(document.first_text_line()))


def heading_of(document: Printed) -> str | None:
    """The name of :data:`HEADINGS` the document is headed with, None if it has none of them."""
    first = document.first_text_line()
    return next((name for name, pattern in HEADINGS.items() if pattern.search(first)), None)


def is_report(document: Printed) -> bool:
    """The document is headed as an X or Z report."""
    return heading_of(document) in REPORTS


def is_copy(document: Printed) -> bool:
    """The document is marked «KOPI» (kassasystemforskrifta § 2-8-6)."""
    return document.contains(COPY)


def marked(text: str, marking: str) -> bool:
    """The text carries ``marking`` (a key of :data:`MARKINGS`)."""
    return bool(_known(marking, MARKINGS, "marking").search(text))


def receipt_token(document: Printed) -> tuple[str, int] | None:
    """The printed receipt number: its series letters (maybe none) and its number (None if none)."""
    for line, _w, _h in document.lines:
        match = RECEIPT_NUMBER.search(line)
        if match:
            return match.group(1), int(match.group(2))
    return None


def receipt_number(document: Printed) -> int | None:
    """The receipt number the document prints, without its series letters (None if none)."""
    token = receipt_token(document)
    return None if token is None else token[1]


def prints_number_of(document: Printed, trans_id: str) -> bool:
    """The document prints the receipt number of the journal's ``trans_id``.

    The numbers must be equal; series letters, where the receipt prints any, must be those in
    front of the transID's number (``U000002`` is not ``K1-S000002``).
    """
    token = receipt_token(document)
    match = JOURNAL_NUMBER.search(trans_id)
    if token is None or match is None:
        return False
    letters, number = token
    return number == int(match.group(2)) and (not letters or letters.casefold() == match.group(1).casefold())
