"""The till's electronic journal as the Then steps see it: its SAF-T export, verified and read.

:func:`export_and_read` asks the target for its export (the one path every till must
offer, kassasystemforskrifta § 2-7 første ledd), runs the full verifier over it with the
keys the profile declares (schema, code lists, numbering, the signature chain, copy
counts, every X/Z figure recomputed from the transactions), records where the export
contradicts the profile (:mod:`harness.profile_check`) in the till's evidence log, and
reads its records into
:class:`JournalExport` so a step can ask for "the transactions of K1" or "the last Z
report" without parsing XML itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from harness.profile import Profile
from harness.profile_check import check_journal
from harness.targets.base import TillDriver
from harness.verify import FileResult, Finding, KeyRing, Severity, VerifyOptions, verify_file
from harness.verify.findings import FindingLog
from harness.verify.records import Basic, Event, Report, Transaction
from harness.verify.stream import read

__all__ = ["JournalExport", "export_and_read", "keyring"]


@dataclass
class JournalExport:
    """One SAF-T export, verified and read.

    Attributes:
        path: The export file.
        result: The verifier's findings.
        header: The header's elements (``fiscalYear``, ``softwareDesc`` …).
        company: (companyIdent, companyName).
        basics: (basicType, basicID) -> the masterfile basic.
        transactions: Every ``cashtransaction``, in file order.
        events: Every ``event``, in file order.
        registers: The registerIDs, in file order.
    """

    path: Path
    result: FileResult
    header: dict[str, str] = field(default_factory=dict)
    company: tuple[str, str] = ("", "")
    basics: dict[tuple[str, str], Basic] = field(default_factory=dict)
    transactions: list[Transaction] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    registers: list[str] = field(default_factory=list)

    # --- questions steps ask
    def code(self, basic_type: str, basic_id: str) -> str:
        """The predefinedBasicID of a basic (``"13", "XREP"`` -> ``"13008"``), ``""`` if undeclared."""
        basic = self.basics.get((basic_type, basic_id))
        return basic.predefined if basic is not None else ""

    def events_of(self, register: str, *codes: str) -> list[Event]:
        """Events of ``register`` whose type maps to one of the PredefinedBasicID-13 ``codes`` (all if none)."""
        return [
            e for e in self.events if e.register == register and (not codes or self.code("13", e.event_type) in codes)
        ]

    def transactions_of(self, register: str) -> list[Transaction]:
        """Transactions of ``register`` in journal order."""
        return [t for t in self.transactions if t.register == register]

    def transaction(self, trans_id: str) -> Transaction:
        """The transaction with ``trans_id``."""
        found = [t for t in self.transactions if t.trans_id == trans_id]
        assert len(found) == 1, f"{len(found)} transactions with transID {trans_id!r} in {self.path.name}"
        return found[0]

    def reports(self, register: str, kind: str) -> list[Report]:
        """The eventReports of ``register`` of ``kind`` (``"X"`` or ``"Z"``), oldest first."""
        code = {"X": "13008", "Z": "13009"}[kind]
        return [e.report for e in self.events_of(register, code) if e.report is not None]

    def findings(self, *rules: str, at_least: Severity = Severity.ERROR) -> list[Finding]:
        """Findings of the given rules (any rule if none) at ``at_least`` severity or worse."""
        order = [Severity.FATAL, Severity.ERROR, Severity.WARNING, Severity.INFO]
        worst = order[: order.index(at_least) + 1]
        return [
            f
            for f in self.result.findings
            if f.severity in worst
            and (not rules or any(f.rule.id == r or f.rule.id.startswith(r + "-") for r in rules))
        ]

    def describe(self, findings: Iterable[Finding]) -> str:
        """Findings as lines for an assertion message."""
        return "\n".join(f"{f.rule.id} ({f.count}×): {f.message()}" for f in findings)


def _matches(rule_id: str, rules: tuple[str, ...]) -> bool:
    """``rule_id`` is one of ``rules`` or in one of their families (``Z`` matches ``Z-OPEN``)."""
    return not rules or any(rule_id == r or rule_id.startswith(r + "-") for r in rules)


class _Reader:
    """Collects the records of an export (a :class:`harness.verify.stream.Handler`)."""

    def __init__(self, into: JournalExport) -> None:
        self.into = into

    def header(self, values: dict[str, str], line: int) -> None:
        self.into.header = dict(values)

    def company(self, ident: str, name: str) -> None:
        self.into.company = (ident, name)

    def masterfile(self, kind: str, values: dict[str, str], line: int) -> None:
        return None

    def basic(self, basic: Basic) -> None:
        self.into.basics[(basic.basic_type, basic.basic_id)] = basic

    def register(self, register_id: str, line: int) -> None:
        self.into.registers.append(register_id)

    def event(self, event: Event) -> None:
        self.into.events.append(event)

    def transaction(self, transaction: Transaction) -> None:
        self.into.transactions.append(transaction)

    def register_end(self) -> None:
        return None


def keyring(profile: Profile) -> KeyRing:
    """The verification keys the profile declares (RSA public keys or HMAC secrets per key version)."""
    ring = KeyRing()
    for version, path in profile.keys.items():
        if profile.signature_method.startswith("RSA"):
            ring.add_public_key(f"{version}={path}")
        else:
            ring.add_hmac_key(f"{version}={path.read_text(encoding='ascii').strip()}")
    return ring


def export_and_read(till: TillDriver, out_dir: Path, profile: Profile) -> JournalExport:
    """Export the till's journal into ``out_dir``, verify it with the profile's keys and read it.

    The verifier runs in this process (``workers=0``): a scenario's export is small, and a
    worker pool per scenario would cost more than it saves.
    """
    path = till.export_journal(out_dir)
    result = verify_file(path, VerifyOptions(keys=keyring(profile), workers=0))
    export = JournalExport(path, result)
    log = FindingLog()
    read(path, _Reader(export), log)
    for contradiction in check_journal(profile, export):
        contradiction.record(till.evidence)
    return export
