"""The till's electronic journal as the Then steps see it: its SAF-T export, verified and read.

:func:`export_and_read` asks the target for its export (the one path every till must
offer, kassasystemforskrifta § 2-7 første ledd), runs the full verifier over it with the
keys the profile declares (schema, code lists, numbering, the signature chain, copy
counts, every X/Z figure recomputed from the transactions), records where the export
contradicts the profile (:mod:`harness.profile_check`) in the till's evidence log, and
reads its records into
:class:`JournalExport` so a step can ask for "the transactions of K1" or "the last Z
report" without parsing XML itself.

Every export it takes is also evidence: one record of kind :data:`KIND`
(``journal.export``, source ``journal``, no raw bytes) in the till's evidence log, whose
``data`` is

* ``file``: the export's file name;
* ``bytes``: its size;
* ``sha256``: the hex SHA-256 digest of the file (the file itself is not in the record:
  the digest identifies it, the excerpt shows its last records);
* ``transactions``, ``events``: how many ``cashtransaction`` and ``event`` elements it has;
* ``registers``: the ``registerID`` of each ``cashregister``, in file order;
* ``findings``: the verifier's findings, most severe first, at most
  :data:`MAX_FINDINGS`, each ``{"rule": id, "severity": "fatal"|"error"|"warning"|"info",
  "clause": the clause id the rule rests on, "count": occurrences, "message": {"nb": …,
  "en": …} (the first occurrence's message), "where": its location, ``""`` if it has
  none}``; ``findings_total`` says how many there are in all;
* ``excerpt``: the file's last ``cashtransaction`` and last ``event`` (in that order, each
  with its children and declaring the SAF-T namespace as its default), re-indented with
  two spaces but every text as in the file, at most :data:`EXCERPT_CHARS` characters.
  What does not fit is cut between elements, each element that lost children ending with
  ``<!-- … -->``, so the excerpt stays a sequence of well-formed XML fragments. The file
  is streamed for it (only the open elements and the last excerpt element of each kind
  are held), and a file that is not well-formed gives what was read before the error.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from harness.profile import Profile
from harness.profile_check import check_journal
from harness.saft_spec import NAMESPACE
from harness.targets.base import TillDriver
from harness.verify import FileResult, Finding, KeyRing, Severity, VerifyOptions, verify_file
from harness.verify.findings import FindingLog
from harness.verify.records import NS, Basic, Event, Report, Transaction
from harness.verify.stream import PARSER_OPTIONS, read

__all__ = ["EXCERPT_CHARS", "KIND", "MAX_FINDINGS", "JournalExport", "evidence_data", "export_and_read", "keyring"]

#: Evidence kind of a journal export (source ``journal``).
KIND = "journal.export"
#: Findings an export's evidence record lists at most.
MAX_FINDINGS = 50
#: Length of an export's evidence excerpt at most, "…" included.
EXCERPT_CHARS = 6000
#: The elements the excerpt shows, the last of each, in this order.
_EXCERPT_TAGS = ("cashtransaction", "event")
_CHUNK = 1 << 16
_CUT = "…"
#: The excerpt's elements declare the SAF-T namespace as their default (no prefixes).
_NSMAP: Any = {None: NAMESPACE}


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
    till.evidence.append("journal", KIND, **evidence_data(export))
    for contradiction in check_journal(profile, export):
        contradiction.record(till.evidence)
    return export


def evidence_data(export: JournalExport) -> dict[str, Any]:
    """The ``data`` of an export's :data:`KIND` evidence record (see the module docstring)."""
    size, digest, excerpt = _scan(export.path)
    return {
        "file": export.path.name,
        "bytes": size,
        "sha256": digest,
        "transactions": len(export.transactions),
        "events": len(export.events),
        "registers": list(export.registers),
        "findings": [_finding(f) for f in export.result.findings[:MAX_FINDINGS]],
        "findings_total": len(export.result.findings),
        "excerpt": excerpt,
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule.id,
        "severity": finding.severity.name.lower(),
        "clause": finding.rule.clause,
        "count": finding.count,
        "message": {"nb": finding.message("nb"), "en": finding.message("en")},
        "where": finding.location.describe(),
    }


class _Hashing:
    """Serves a file to the parser and hashes and counts every byte it serves."""

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(size if size and size > 0 else _CHUNK)
        self.sha256.update(data)
        self.size += len(data)
        return data

    def drain(self) -> None:
        """Read (hash and count) the rest of the file."""
        while self.read(_CHUNK):
            pass


def _scan(path: Path) -> tuple[int, str, str]:
    """(size, SHA-256 hex digest, excerpt) of an export, read once and streaming.

    Every element that ends outside an excerpt element frees the siblings before it, so
    the tree holds the open elements, the last finished child of each and the last
    excerpt element of each kind (kept alive by reference once it leaves the tree). A
    file that cannot be read gives ``(0, "", "")`` (the verifier reports why).
    """
    tags = tuple(NS + name for name in _EXCERPT_TAGS)
    last: dict[str, Any] = {}
    inside = 0
    try:
        with path.open("rb") as handle:
            source = _Hashing(handle)
            try:
                for event, el in etree.iterparse(source, events=("start", "end"), **PARSER_OPTIONS):
                    if el.tag in tags:
                        inside += 1 if event == "start" else -1
                        if event == "end" and inside == 0:
                            last[str(el.tag)] = el
                    if event == "end" and inside == 0:
                        while el.getprevious() is not None:
                            del el.getparent()[0]
            except etree.XMLSyntaxError:
                pass  # the verifier reports it; the excerpt shows what was read before
            source.drain()
    except OSError:
        return 0, "", ""
    return source.size, source.sha256.hexdigest(), _excerpt([last[tag] for tag in tags if tag in last])


def _excerpt(elements: list[Any]) -> str:
    """The elements pretty-printed, one after the other, in :data:`EXCERPT_CHARS` characters at most.

    What does not fit is cut at element boundaries: an element that lost children ends
    with ``<!-- … -->``, so the excerpt stays a sequence of well-formed XML fragments. The
    first element (the transaction) may take two thirds of the room, and either may take
    what the other leaves.
    """
    clean = [_copy(element) for element in elements]
    texts = [_pretty(element) for element in clean]
    budget = EXCERPT_CHARS - (len(texts) - 1)  # the newlines between them
    if sum(map(len, texts)) <= budget:
        return "\n".join(texts)
    if len(texts) == 1:
        return _fit(clean[0], texts[0], budget)
    first, second = (len(text) for text in texts)
    share = min(first, max(budget * 2 // 3, budget - second))
    return _fit(clean[0], texts[0], share) + "\n" + _fit(clean[1], texts[1], budget - share)


def _copy(element: Any, parent: Any = None) -> Any:
    """``element`` with its descendants, texts and attributes, in a tree of its own (SAF-T the default namespace)."""
    node = etree.Element(element.tag, nsmap=_NSMAP) if parent is None else etree.SubElement(parent, element.tag)
    node.text = element.text
    for name, value in element.attrib.items():
        node.set(name, value)
    for child in element:
        if isinstance(child.tag, str):  # the parser drops comments and processing instructions anyway
            _copy(child, node)
    return node


def _pretty(element: Any) -> str:
    clone = copy.deepcopy(element)
    _indent(clone)
    return str(etree.tostring(clone, encoding="unicode"))


def _fit(element: Any, text: str, budget: int) -> str:
    """``element`` pretty-printed in ``budget`` characters: as many of its descendants (in document order) as fit."""
    if len(text) <= budget:
        return text
    best = ""
    low, high = 0, sum(1 for _ in element.iterdescendants()) - 1
    while low <= high:
        keep = (low + high) // 2
        candidate = _pruned(element, keep)
        if len(candidate) <= budget:
            best, low = candidate, keep + 1
        else:
            high = keep - 1
    return best or text[: max(budget - 1, 0)] + _CUT


def _pruned(element: Any, keep: int) -> str:
    """``element`` pretty-printed with only its first ``keep`` descendants; each that lost children is marked."""
    clone = copy.deepcopy(element)
    dropped = list(clone.iterdescendants())[keep:]
    marked: dict[int, Any] = {}
    for node in reversed(dropped):  # children before their parents
        parent = node.getparent()
        parent.remove(node)
        marked.setdefault(id(parent), parent)
    for parent in marked.values():
        if parent is clone or parent.getparent() is not None:  # still in the excerpt
            parent.append(etree.Comment(f" {_CUT} "))
    _indent(clone)
    return str(etree.tostring(clone, encoding="unicode"))


def _indent(element: Any, level: int = 0) -> None:
    """Indent ``element``'s children by two spaces a level; texts that are not only whitespace stay as they are."""
    if not len(element):
        return
    inner, outer = "\n" + "  " * (level + 1), "\n" + "  " * level
    if not (element.text or "").strip():
        element.text = inner
    for child in element:
        _indent(child, level + 1)
        if not (child.tail or "").strip():
            child.tail = inner
    if not (element[-1].tail or "").strip():
        element[-1].tail = outer
