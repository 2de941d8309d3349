"""Deterministic test cards for the payment terminal emulator.

Three cards, one per brand the reference till knows (``BankAxept``, ``Visa``, ``Mastercard``,
spelled exactly so), with what a Norwegian card receipt shows (devices.md §4.5): masked PAN,
AID, application label, entry mode, cardholder verification, and the acquirer the
transaction is settled with (reconciliation totals are per brand and acquirer, §4.3).

Only masked PANs are stored: a receipt or a response may show at most the first 6 and the last
4 digits of a card number (PCI DSS truncation; devices.md §4.5 "PAN never shown beyond first
6/last 4"). :func:`check_masked_pan` enforces that rule and is what the tests use.

The card numbers, merchant and acquirer identifiers are fictitious.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["BRANDS", "CARDS", "TestCard", "card_for", "check_masked_pan"]


@dataclass(frozen=True, slots=True)
class TestCard:
    """One emulated card.

    Attributes:
        brand: nexo ``PaymentBrand`` and the till's brand name: ``BankAxept``, ``Visa``, ``Mastercard``.
        masked_pan: The PAN as receipts and responses show it (at most first 6 / last 4 digits).
        aid: EMV application identifier of the card application.
        label: Application label printed on the receipt.
        entry_mode: nexo ``EntryMode``: ``ICC`` (chip), ``Contactless``, ``MagStripe``, ``Keyed``.
        verification: Cardholder verification printed on the receipt (``PIN``).
        acquirer_id: The acquirer that settles this brand (totals are grouped by it).
        acquirer_name: The acquirer's name.
    """

    __test__ = False  # not a pytest test class despite the name

    brand: str
    masked_pan: str
    aid: str
    label: str
    entry_mode: str
    verification: str
    acquirer_id: str
    acquirer_name: str


CARDS: tuple[TestCard, ...] = (
    TestCard(
        brand="BankAxept",
        masked_pan="************1234",  # BankAxept receipts commonly show only the last 4 digits
        # ⚠ The BankAxept AID D5780000021010 is unverified (devices.md §4.5); check it against the
        # BankAxept specification before a verifier relies on it.
        aid="D5780000021010",
        label="BankAxept",
        entry_mode="ICC",
        verification="PIN",
        acquirer_id="1001",
        acquirer_name="BankAxept (fiktiv innløser)",
    ),
    TestCard(
        brand="Visa",
        masked_pan="476173******0010",
        aid="A0000000031010",  # Visa credit/debit
        label="VISA",
        entry_mode="Contactless",
        verification="PIN",
        acquirer_id="2001",
        acquirer_name="Fiktiv Innløser AS",
    ),
    TestCard(
        brand="Mastercard",
        masked_pan="516815******9659",
        aid="A0000000041010",  # Mastercard credit/debit
        label="Debit Mastercard",
        entry_mode="ICC",
        verification="PIN",
        acquirer_id="2001",
        acquirer_name="Fiktiv Innløser AS",
    ),
)

#: The brand names, exactly as the till and nexo ``PaymentBrand`` use them.
BRANDS: tuple[str, ...] = tuple(card.brand for card in CARDS)

_MASKED = re.compile(r"(?P<head>[0-9]{0,6})(?P<mask>[*Xx]+)(?P<tail>[0-9]{0,4})")


def card_for(brand: str) -> TestCard:
    """The test card of a brand.

    Raises:
        ValueError: Unknown brand; the message lists the brands there are.
    """
    for card in CARDS:
        if card.brand == brand:
            return card
    raise ValueError(f"no test card for brand {brand!r}; use one of {', '.join(BRANDS)} (spelled exactly so)")


def check_masked_pan(text: str) -> str:
    """Return ``text`` if it is a safely masked PAN, else raise.

    Safe means: digits and mask characters only, at most 6 leading and 4 trailing digits
    visible, at least one masked digit.

    Raises:
        ValueError: More digits are visible than first 6 / last 4.
    """
    if not _MASKED.fullmatch(text):
        raise ValueError(
            f"{text!r} shows more than the first 6 and last 4 digits of a card number; mask the rest with *"
        )
    return text
