"""The Norwegian card receipt the terminal produces for each transaction.

Content follows what Norwegian terminal receipts show (devices.md §4.5): merchant name,
org.nr, BAX number, terminal id, date and time, transaction type, application label, AID,
masked PAN, entry mode, cardholder verification, reference and STAN, authorisation code,
amount with currency (``NOK 219,00``), result (``GODKJENT`` / ``AVVIST``) and the copy label.
The copy labels are the usual «KORTHOLDERS KOPI» / «BRUKERSTEDETS KOPI»: real terminals print
the word KOPI on their own receipts, and a verifier must not mistake that for the till's copy
marking (kassasystemforskrifta § 2-8-6).

A receipt is a tuple of :class:`ReceiptLine` carrying nexo ``OutputText`` attributes
(``CharacterHeight``, ``CharacterWidth``, ``CharacterStyle``, ``Alignment``), so the same
receipt goes to the POS in the nexo ``PaymentReceipt`` structure and to the terminal's own
printer (:mod:`devices.terminal.printout`).

Stand-alone terminals (not integrated with the till) must mark their receipts
«IKKJE KVITTERING FOR KJØP» in print at least 50 % larger than the amount
(kassasystemforskrifta § 2-8-8); the marking is a double-height, double-width line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from devices.terminal.cards import TestCard

__all__ = [
    "COPY_LABELS",
    "NOT_A_SALES_RECEIPT",
    "CardReceipt",
    "Merchant",
    "ReceiptFacts",
    "ReceiptKind",
    "ReceiptLine",
    "build_receipt",
    "format_nok",
]

#: The marking of a stand-alone terminal's receipt, kassasystemforskrifta § 2-8-8, as quoted in the
#: project's requirements notes (nynorsk). Check the exact wording on Lovdata (FOR-2015-12-18-1616
#: § 2-8-8) before a verifier relies on it; keep it here only, so a correction is one line.
NOT_A_SALES_RECEIPT = "IKKJE KVITTERING FOR KJØP"

Copy = Literal["CustomerReceipt", "CashierReceipt"]
ReceiptKind = Literal["Payment", "Refund", "Reversal"]

#: nexo DocumentQualifier → the copy label printed at the bottom.
COPY_LABELS: dict[str, str] = {"CustomerReceipt": "KORTHOLDERS KOPI", "CashierReceipt": "BRUKERSTEDETS KOPI"}

_TITLES: dict[str, str] = {"Payment": "KJØP", "Refund": "RETUR", "Reversal": "ANNULLERING"}
_ENTRY_MODES = {"ICC": "Chip", "Contactless": "Kontaktløs", "MagStripe": "Magnetstripe", "Keyed": "Manuelt tastet"}
_DECLINE_TEXTS = {
    "Refusal": "Avvist av kortutsteder",
    "WrongPIN": "Feil PIN",
    "PaymentRestriction": "Kortet kan ikke brukes her",
    "InvalidCard": "Ugyldig kort",
}
_WIDTH = 40  # characters per receipt line at normal width


@dataclass(frozen=True, slots=True)
class Merchant:
    """Who the terminal belongs to, printed at the top of every receipt.

    Attributes:
        name: Merchant (brukersted) name.
        orgnr: Organisation number, 9 digits.
        bax: BankAxept merchant agreement number (6–7 digits, devices.md §4.1).
        terminal_id: Terminal id printed on the receipt.
    """

    name: str
    orgnr: str
    bax: str
    terminal_id: str


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """One printed line with nexo ``OutputText`` attributes."""

    text: str
    large: bool = False  #: double height and double width (CharacterHeight/Width Double...)
    bold: bool = False
    align: Literal["Left", "Centred", "Right"] = "Left"

    def to_nexo(self) -> dict[str, Any]:
        """This line as a nexo ``OutputText`` entry."""
        entry: dict[str, Any] = {"Text": self.text, "EndOfLineFlag": True}
        if self.large:
            entry["CharacterHeight"] = "DoubleHeight"
            entry["CharacterWidth"] = "DoubleWidth"
        if self.bold:
            entry["CharacterStyle"] = "Bold"
        if self.align != "Left":
            entry["Alignment"] = self.align
        return entry


@dataclass(frozen=True, slots=True)
class CardReceipt:
    """One copy of a card receipt."""

    copy: Copy
    lines: tuple[ReceiptLine, ...]
    amount_text: str  #: the amount as printed, e.g. ``NOK 219,00`` (for size comparisons)
    marked: bool  #: carries the stand-alone marking

    @property
    def text_lines(self) -> tuple[str, ...]:
        """The lines as plain text."""
        return tuple(line.text for line in self.lines)

    @property
    def text(self) -> str:
        """The receipt as one text, lines separated by newlines."""
        return "\n".join(self.text_lines)

    def to_nexo(self) -> dict[str, Any]:
        """This copy as a nexo ``PaymentReceipt`` entry (OutputFormat Text)."""
        return {
            "DocumentQualifier": self.copy,
            "RequiredSignatureFlag": False,
            "OutputContent": {"OutputFormat": "Text", "OutputText": [line.to_nexo() for line in self.lines]},
        }


@dataclass(frozen=True, slots=True)
class ReceiptFacts:
    """What one receipt reports about a transaction.

    Attributes:
        kind: Payment, Refund or Reversal.
        card: The card used.
        amount_ore: Authorised (or requested, when declined) amount.
        approved: GODKJENT or AVVIST.
        timestamp: Local date and time of the transaction.
        stan: System trace audit number (the terminal's running number).
        reference: The POI transaction id.
        approval_code: Authorisation code (approved only).
        decline_reason: nexo ErrorCondition of a decline.
    """

    kind: ReceiptKind
    card: TestCard
    amount_ore: int
    approved: bool
    timestamp: datetime
    stan: int
    reference: str
    approval_code: str = ""
    decline_reason: str = ""


def format_nok(ore: int) -> str:
    """``21900`` → ``NOK 219,00``; thousands separated by a space (``NOK 1 219,00``)."""
    sign = "-" if ore < 0 else ""
    kroner, rest = divmod(abs(ore), 100)
    return f"NOK {sign}{kroner:,}".replace(",", " ") + f",{rest:02d}"


def _pair(left: str, right: str) -> str:
    return left + " " * max(1, _WIDTH - len(left) - len(right)) + right


def build_receipt(facts: ReceiptFacts, merchant: Merchant, copy: Copy, *, standalone: bool = False) -> CardReceipt:
    """Lay out one copy of the receipt.

    Args:
        facts: The transaction.
        merchant: Merchant header.
        copy: ``CustomerReceipt`` (KORTHOLDERS KOPI) or ``CashierReceipt`` (BRUKERSTEDETS KOPI).
        standalone: Add the § 2-8-8 marking (the terminal is not integrated with the till).
    """
    card = facts.card
    amount_text = format_nok(facts.amount_ore)
    lines: list[ReceiptLine] = []
    if standalone:
        # kassasystemforskrifta § 2-8-8: at least 50 % larger than the amount → double height (2 ×).
        lines.append(ReceiptLine(NOT_A_SALES_RECEIPT, large=True, bold=True, align="Centred"))
        lines.append(ReceiptLine(""))
    lines += [
        ReceiptLine(merchant.name, bold=True, align="Centred"),
        ReceiptLine(f"Org.nr: {merchant.orgnr}", align="Centred"),
        ReceiptLine(_pair(f"BAX: {merchant.bax}", f"Terminal: {merchant.terminal_id}")),
        ReceiptLine(_pair(f"Dato: {facts.timestamp:%d.%m.%Y}", f"Kl: {facts.timestamp:%H:%M:%S}")),
        ReceiptLine(""),
        ReceiptLine(_TITLES[facts.kind], bold=True),
        ReceiptLine(card.label),
        ReceiptLine(f"AID: {card.aid}"),
        ReceiptLine(f"Kort: {card.masked_pan}"),
        ReceiptLine(_pair(_ENTRY_MODES.get(card.entry_mode, card.entry_mode), f"Verifisert: {card.verification}")),
        ReceiptLine(_pair(f"Ref: {facts.reference}", f"STAN: {facts.stan:06d}")),
    ]
    if facts.approved and facts.approval_code:
        lines.append(ReceiptLine(f"Aut.kode: {facts.approval_code}"))
    lines.append(ReceiptLine(_pair("Beløp:", amount_text), bold=True))
    lines.append(ReceiptLine(""))
    if facts.approved:
        lines.append(ReceiptLine("GODKJENT", bold=True, align="Centred"))
    else:
        lines.append(ReceiptLine("AVVIST", bold=True, align="Centred"))
        lines.append(ReceiptLine(_DECLINE_TEXTS.get(facts.decline_reason, "Transaksjonen er avvist"), align="Centred"))
    lines.append(ReceiptLine(""))
    lines.append(ReceiptLine(COPY_LABELS[copy], align="Centred"))
    return CardReceipt(copy=copy, lines=tuple(lines), amount_text=amount_text, marked=standalone)
