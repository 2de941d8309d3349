"""The profile cross-checked against what the till did: contradictions between declaration and evidence.

A capability profile (:mod:`harness.profile`) decides which scenarios run, and its
identity becomes the compliance report's and the product declaration's (produktfråsegn,
kassasystemlova § 3) statements about the system. A profile that says less than the till
does would quietly skip the scenarios of the functions it hides ("not applicable"), and a
profile naming another version would put the results under the wrong name. So every
scenario's evidence and every journal export the scenarios take is compared with the
declaration, and each disagreement is a :class:`Contradiction`:

* **a function declared absent, but used** -- from the devices: a drawer kick when the
  profile declares no integrated drawer, a payment request at the terminal when it
  declares no integrated terminal, a printed «Treningskvittering», «Foreløpig kvittering»,
  «Utleveringskvittering» or «Byttelapp» when it declares no training mode, provisional
  receipts, credit sales or exchange slips; from the journal, by the official codes every
  system maps its own to (PredefinedBasicID-11, -12, -13): training, price look-up, price
  change, parked sales, provisional and delivery receipts, credit sales, cash in and out,
  drawer openings and means of payment other than cash, card and customer account;
* **the identity** -- the SAF-T header's ``softwareCompanyName``, ``softwareDesc`` and
  ``softwareVersion`` against ``[identity]`` producer, system and version, the company's
  ``companyIdent`` and ``companyName`` against ``[shop]``;
* **the signature method** -- the length of the journal's signatures against
  ``[signature] method`` (RSA-SHA1-1024 signs with 128 bytes, HMAC-SHA1-128 with 20).

A contradiction does not fail the scenario it was seen in (the scenario's clause may well
be met); the pytest plugin lists them at the end and fails the run, because the
declaration the report backs would be wrong. Each says what was declared, what was
observed, where, and how to fix the profile.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness.documents import marked
from harness.evidence import EvidenceLog, EvidenceRecord
from harness.profile import CAPABILITIES, Profile

if TYPE_CHECKING:  # journal_export calls check_journal
    from harness.journal_export import JournalExport

__all__ = ["KIND", "Contradiction", "check_evidence", "check_journal", "merge"]

#: Evidence kind a contradiction is recorded under (source ``profile``).
KIND = "profile.contradiction"

#: Printed markings that show a function at work (kassasystemforskrifta § 2-8-6, § 2-8-7,
#: kassasystemlova § 3 andre ledd): capability -> (marking of :data:`harness.documents.MARKINGS`, name).
_MARKINGS: tuple[tuple[str, str, str], ...] = (
    ("training_mode", "training", "«Treningskvittering»"),
    ("provisional_receipts", "provisional", "«Foreløpig kvittering»"),
    ("credit_sales", "delivery", "«Utleveringskvittering»"),
    ("exchange_slips", "exchange_slip", "«Byttelapp»"),
)

#: PredefinedBasicID-13 event codes that only a till with the function records.
_EVENTS: Mapping[str, tuple[str, ...]] = {
    "training_mode": ("13017", "13023", "13024"),  # training receipt, training on, off
    "price_lookup": ("13022",),
    "price_changes": ("13021",),
    "parked_sales": ("13010", "13011"),  # suspend, resume
    "provisional_receipts": ("13015",),
    "credit_sales": ("13016",),  # delivery receipt
    "cash_in_out": ("13019",),  # cash withdrawal
    "integrated_drawer": ("13005", "13006"),  # drawer opened, closed
}

#: PredefinedBasicID-11 transaction codes that only a till with the function records.
_TRANSACTIONS: Mapping[str, tuple[str, ...]] = {
    "credit_sales": ("11002", "11015", "11017"),
    "cash_in_out": ("11010", "11011"),  # out payment, in payment
}

#: PredefinedBasicID-12 means of payment every till may take: cash, debit and credit card.
_BASIC_MEANS = ("12001", "12002", "12003")
#: Customer account (12006) is how a credit sale is paid, not an "other" means.
_CREDIT_MEANS = "12006"

#: Signature length in bytes per declared method (the SAF-T signature specification).
_SIGNATURE_BYTES = {"RSA-SHA1-1024": 128, "HMAC-SHA1-128": 20}


@dataclass(frozen=True, slots=True)
class Contradiction:
    """One disagreement between the profile and the evidence.

    Attributes:
        subject: What it concerns: a capability name (``training_mode``), ``identity.version``,
            ``shop.orgnr`` … or ``signature.method``.
        declared: What the profile says, in words.
        observed: What the till did, in words (the same for every occurrence, so
            contradictions can be counted).
        where: Where it was seen: ``printer document 3``, an export file and line.
        fix: How to make the profile true (or what to check in the till).
    """

    subject: str
    declared: str
    observed: str
    where: str
    fix: str

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes two occurrences the same contradiction (everything but ``where``)."""
        return (self.subject, self.declared, self.observed)

    def to_json(self) -> dict[str, str]:
        """The fields as a JSON object (the evidence record's data)."""
        return {
            "subject": self.subject,
            "declared": self.declared,
            "observed": self.observed,
            "where": self.where,
            "fix": self.fix,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Contradiction:
        """Read what :meth:`to_json` wrote."""
        return cls(*(str(data.get(name, "")) for name in ("subject", "declared", "observed", "where", "fix")))

    def record(self, log: EvidenceLog) -> EvidenceRecord:
        """Append it to an evidence log as a :data:`KIND` record (source ``profile``)."""
        data: dict[str, Any] = self.to_json()
        return log.append("profile", KIND, **data)

    def describe(self) -> str:
        """One line for a person: declared, observed, where, fix."""
        return f"{self.subject}: the profile declares {self.declared}, but {self.observed} ({self.where}); {self.fix}"


def merge(seen: Iterable[tuple[str, Contradiction]]) -> list[tuple[Contradiction, list[str]]]:
    """One entry per contradiction (its :attr:`~Contradiction.key`) with the places it was seen, in order.

    Args:
        seen: (where -- a scenario id or node id --, contradiction) pairs, as the run found them.
    """
    merged: dict[tuple[str, str, str], tuple[Contradiction, list[str]]] = {}
    for place, contradiction in seen:
        merged.setdefault(contradiction.key, (contradiction, []))[1].append(place)
    return list(merged.values())


def _absent(profile: Profile, capability: str, observed: str, where: str) -> Contradiction:
    return Contradiction(
        subject=capability,
        declared=f"no {capability} ({CAPABILITIES[capability]})",
        observed=observed,
        where=where,
        fix=f"set {capability} = true in [capabilities] of {profile.path.name}, so its scenarios run",
    )


def check_evidence(profile: Profile, records: Iterable[EvidenceRecord]) -> list[Contradiction]:
    """Contradictions between the profile and what the devices recorded (one per occurrence).

    Args:
        profile: The target's declaration.
        records: Evidence records of one scenario (or any stretch of a run).
    """
    found: list[Contradiction] = []
    for record in records:
        if record.kind in ("drawer.kick", "printer.pulse") and not profile.has("integrated_drawer"):
            # kassasystemforskrifta § 2-2: the till opens its drawer itself only if it is integrated
            found.append(_absent(profile, "integrated_drawer", "the till kicked the cash drawer",
                                 f"{record.kind} #{record.seq}"))  # fmt: skip
        elif (
            record.kind == "terminal.request"
            and record.data.get("category") == "Payment"
            and not profile.has("integrated_terminal")
        ):
            found.append(_absent(profile, "integrated_terminal", "the till sent a payment request to the terminal",
                                 f"terminal.request #{record.seq}"))  # fmt: skip
        elif record.kind == "printer.document":
            text = str(record.data.get("text", ""))
            number = record.data.get("number", record.seq)
            for capability, marking, name in _MARKINGS:
                if not profile.has(capability) and marked(text, marking):
                    found.append(_absent(profile, capability, f"the printer printed a document marked {name}",
                                         f"printer document {number}"))  # fmt: skip
    return found


def _same(declared: str, observed: str) -> bool:
    return " ".join(declared.split()).casefold() == " ".join(observed.split()).casefold()


def _identity(profile: Profile, export: JournalExport) -> list[Contradiction]:
    ident, name = export.company
    header, company = f"{export.path.name}, header", f"{export.path.name}, company"
    # subject, declared (words, value), observed (words), where, fix
    checks = [
        (f"identity.{key}", (key, declared), f"the journal names {element}", export.header.get(element, ""), header,
         f"write the {key} under test in [identity] (the produktfråsegn is about that {key})")
        for key, declared, element in (("producer", profile.producer, "softwareCompanyName"),
                                       ("system", profile.system, "softwareDesc"),
                                       ("version", profile.version, "softwareVersion"))
    ] + [
        (f"shop.{key}", (f"the test shop's {key}", declared), f"the journal's company has {element}", observed,
         company, f"write the {key} the till is set up with in [shop]")
        for key, declared, element, observed in (("orgnr", profile.shop_orgnr, "companyIdent", ident),
                                                 ("name", profile.shop_name, "companyName", name))
    ]  # fmt: skip
    return [
        Contradiction(subject, f"{words} {declared!r}", f"{saying} {observed!r}", where, fix)
        for subject, (words, declared), saying, observed, where, fix in checks
        if observed and not _same(declared, observed)
    ]


def _signature(profile: Profile, export: JournalExport) -> list[Contradiction]:
    expected = _SIGNATURE_BYTES.get(profile.signature_method)
    for t in export.transactions:
        if not t.signature:
            continue
        try:
            size = len(base64.b64decode(t.signature, validate=True))
        except (binascii.Error, ValueError):
            continue  # not base64: the verifier reports it
        if expected is not None and size != expected:
            method = {v: k for k, v in _SIGNATURE_BYTES.items()}.get(size, f"a {size}-byte signature")
            return [
                Contradiction(
                    subject="signature.method",
                    declared=f"signature method {profile.signature_method}",
                    observed=f"the journal's signatures are {size} bytes long ({method})",
                    where=f"{export.path.name}, line {t.line}",
                    fix="write the method the till signs with in [signature] method, with its keys",
                )
            ]
    return []


def check_journal(profile: Profile, export: JournalExport) -> list[Contradiction]:
    """Contradictions between the profile and a SAF-T export (one per kind, with its first place).

    Functions are recognised by the official codes the export maps its own to
    (PredefinedBasicID-11, -12 and -13), so any system's journal can be checked.
    """
    found = _identity(profile, export) + _signature(profile, export)

    def absent(capability: str, observed: str, line: int, own_id: str) -> None:
        if not profile.has(capability) and all(c.subject != capability or c.observed != observed for c in found):
            found.append(_absent(profile, capability, observed, f"{export.path.name}, line {line} ({own_id})"))

    for event in export.events:
        code = export.code("13", event.event_type)
        for capability, codes in _EVENTS.items():
            if code in codes:
                absent(capability, f"the journal records event {code}", event.line, event.event_type)
    for t in export.transactions:
        code = export.code("11", t.trans_type)
        for capability, codes in _TRANSACTIONS.items():
            if code in codes:
                absent(capability, f"the journal records transaction type {code}", t.line, t.trans_type)
        if t.training:
            absent("training_mode", "the journal records a training transaction", t.line, t.trans_id)
        for payment in t.payments:
            means = export.code("12", payment.payment_type)
            if means == _CREDIT_MEANS:
                absent("credit_sales", f"the journal records payment by customer account ({means})", t.line,
                       payment.payment_type)  # fmt: skip
            elif means and means not in _BASIC_MEANS:
                absent("other_means", f"the journal records means of payment {means}", t.line, payment.payment_type)
    return found
