"""Texts printed on the reference till's documents: titles and markings, in one table.

Only two of these texts are confirmed word for word (the project's requirements notes,
``requirements.md`` §15 open question 1, from kassasystemforskrifta as quoted by Skatteetaten):

* «KOPI» -- a copy receipt must be marked «KOPI» (§ 2-8-6);
* «IKKJE KVITTERING FOR KJØP» -- the receipt of a payment terminal that is not
  integrated with the cash register system (§ 2-8-8, quoted verbatim).

Every other text (provisional, training, delivery and void markings, the note for a
delivery whose sales value is unknown, and the document titles beyond the words the
FAQ quotes) is a working candidate taken from vendor implementations and Skatteetaten's
FAQ. Those entries have ``verified=False`` and must be checked against the regulation
text on Lovdata (FOR-2015-12-18-1616) before anyone relies on the exact wording.
Keep the texts here, and only here, so a correction is a one-line change.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MARKINGS", "Marking", "marking"]


@dataclass(frozen=True, slots=True)
class Marking:
    """A text printed on a document.

    Attributes:
        key: Stable identifier used by the layouts (``"copy"``, ``"title_sales"`` ...).
        text: The exact text to print.
        verified: True only if the wording is confirmed from the regulation text.
        clause: The rule the text implements, e.g. ``"ksf_2_8_6"`` (kassasystemforskrifta).
        source: Where the wording comes from and what is still open.
    """

    key: str
    text: str
    verified: bool
    clause: str
    source: str


_UNVERIFIED = "candidate wording from vendor implementations; check against Lovdata"

MARKINGS: tuple[Marking, ...] = (
    # ---------------------------------------------------------------- markings
    Marking(
        "copy",
        "KOPI",
        True,
        "ksf_2_8_6",
        "§ 2-8-6: a copy receipt must be marked «KOPI» (Skatteetaten FAQ quotes the word)",
    ),
    Marking(
        "terminal_not_receipt",
        "IKKJE KVITTERING FOR KJØP",
        True,
        "ksf_2_8_8",
        "§ 2-8-8 quoted verbatim: stand-alone terminal receipts, at least 50 % larger than amounts",
    ),
    Marking(
        "provisional",
        "Foreløpig kvittering – IKKJE KVITTERING FOR KJØP",
        False,
        "ksf_2_8_6",
        f"§ 2-8-6 provisional receipt; {_UNVERIFIED} (alternative: '– ikkje gyldig som kvittering for kjøp')",
    ),
    Marking(
        "training",
        "TRENINGSKVITTERING – IKKJE KVITTERING FOR KJØP",
        False,
        "ksf_2_8_6",
        f"§ 2-8-6 and FOR-2016-07-06-901 training receipt; {_UNVERIFIED}",
    ),
    Marking(
        "delivery",
        "Utleveringskvittering – IKKJE KVITTERING FOR KJØP",
        False,
        "ksf_2_8_7",
        f"§ 2-8-7 delivery receipt for credit sales; {_UNVERIFIED}",
    ),
    Marking(
        "delivery_amount_unknown",
        "Salgsverdi ikke kjent",
        False,
        "ksf_2_8_7",
        "§ 2-8-7, Skatteetaten FAQ: amount 0 with a note that the sales value is unknown; "
        "the note's wording is not prescribed",
    ),
    Marking(
        "void",
        "ANNULLERT – IKKJE KVITTERING FOR KJØP",
        False,
        "ksf_2_8_2_r",
        f"printout of a cancelled sale (§ 2-8-2 bokstav r); {_UNVERIFIED}",
    ),
    # ---------------------------------------------------------------- titles
    Marking(
        "title_sales",
        "Salgskvittering",
        False,
        "ksf_2_8_4",
        "§ 2-8-4: name at the top; FAQ quotes 'Salskvittering'/'Salgskvittering'",
    ),
    Marking(
        "title_return",
        "Returkvittering",
        False,
        "ksf_2_8_5",
        "§ 2-8-5: name «Returkvittering» at the top (FAQ)",
    ),
    Marking(
        "title_sale_return",
        "Salgskvittering/Returkvittering",
        False,
        "ksf_2_8_4",
        "Skatteetaten FAQ: sale and return on one receipt carry both names",
    ),
    Marking(
        "title_delivery",
        "Utleveringskvittering",
        False,
        "ksf_2_8_7",
        "§ 2-8-7: utleveringskvittering (FAQ); the layout prints the 'delivery' marking as title",
    ),
    Marking(
        "title_x_report",
        "X-rapport",
        False,
        "ksf_2_8_2_a",
        "§ 2-8-2 bokstav a: påskrift om at rapporten er ein X-rapport",
    ),
    Marking(
        "title_z_report",
        "Z-rapport",
        False,
        "ksf_2_8_3_l1",
        "§ 2-8-3 første ledd: the Z report must state that it is a Z report",
    ),
    Marking(
        "title_settlement",
        "Dagsoppgjør",
        False,
        "bff_5_3_14",
        "bokføringsforskrifta § 5-3-14 daily settlement (kasseoppgjør); title not prescribed",
    ),
)

_BY_KEY: dict[str, Marking] = {m.key: m for m in MARKINGS}


def marking(key: str) -> Marking:
    """Look up a title or marking by key.

    Args:
        key: A key of :data:`MARKINGS`, e.g. ``"copy"`` or ``"title_sales"``.

    Returns:
        The marking entry.

    Raises:
        KeyError: The key is unknown; the message lists the known keys.
    """
    try:
        return _BY_KEY[key]
    except KeyError:
        known = ", ".join(sorted(_BY_KEY))
        raise KeyError(
            f"unknown marking {key!r}; use one of: {known} (or add it to MARKINGS in reference_till/markings.py)"
        ) from None
