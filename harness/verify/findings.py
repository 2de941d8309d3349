"""Findings of the SAF-T verifier: what is wrong, where, how often.

A check reports a finding with :meth:`FindingLog.add`: a rule id (see
:mod:`harness.verify.rules`), a :class:`Location` and the values its message template
needs. The log de-duplicates: findings of the same rule on the same register with the
same *grouping key* (by default the rule alone) are merged into one :class:`Finding`
that keeps the first message, a count and up to :data:`SAMPLE_LOCATIONS` locations. So a
file with a million broken signatures gives one finding ``SIG-VERIFY × 1 000 000``
rather than a million lines, while distinct problems (a Z report's letter e and its
letter g) stay apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from harness.verify.rules import RULES, Rule, Severity

__all__ = ["SAMPLE_LOCATIONS", "Finding", "FindingLog", "Location"]

#: Locations kept per de-duplicated finding.
SAMPLE_LOCATIONS = 5


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding is in the file.

    Attributes:
        register: ``registerID`` of the cash register, if the finding belongs to one.
        nr: ``nr`` of the ``cashtransaction``.
        trans_id: ``transID`` of the transaction.
        event_id: ``eventID`` of the event.
        path: Element path below ``auditfile`` (``company/location/cashregister/event/eventReport``).
        line: Line number in the file (1-based), where known.
    """

    register: str = ""
    nr: str = ""
    trans_id: str = ""
    event_id: str = ""
    path: str = ""
    line: int = 0

    def describe(self) -> str:
        """Return a short human form: ``register K1, nr 42 (transID K1-S000042), line 1234``."""
        parts = []
        if self.register:
            parts.append(f"register {self.register}")
        if self.nr:
            parts.append(f"nr {self.nr}" + (f" (transID {self.trans_id})" if self.trans_id else ""))
        elif self.trans_id:
            parts.append(f"transID {self.trans_id}")
        if self.event_id:
            parts.append(f"eventID {self.event_id}")
        if self.path:
            parts.append(self.path)
        if self.line:
            parts.append(f"line {self.line}")
        return ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        """Return the non-empty fields as a JSON object."""
        return {k: getattr(self, k) for k in self.__slots__ if getattr(self, k)}

    def shifted(self, offset: int) -> Location:
        """Return this location ``offset`` lines further down (unchanged if its line is unknown)."""
        return replace(self, line=self.line + offset) if self.line and offset else self


@dataclass(slots=True)
class Finding:
    """One de-duplicated finding.

    Attributes:
        rule: The rule that was broken.
        location: Where it was first seen.
        values: The values of the first occurrence, for the message template.
        count: How many times it occurred.
        samples: Up to :data:`SAMPLE_LOCATIONS` locations, the first included.
    """

    rule: Rule
    location: Location
    values: dict[str, Any]
    count: int = 1
    samples: list[Location] = field(default_factory=list)

    @property
    def severity(self) -> Severity:
        """The rule's severity."""
        return self.rule.severity

    def message(self, lang: str = "en") -> str:
        """The message of the first occurrence in ``lang`` (``"nb"`` or ``"en"``)."""
        return self.rule.message(lang, self.values)

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        """Return the finding as a JSON object (see ``docs/verify.md`` for the schema)."""
        return {
            "rule": self.rule.id,
            "severity": self.rule.severity.value,
            "clause": self.rule.clause,
            "title": self.rule.title(lang),
            "message": self.message(lang),
            "explanation": self.rule.explanation(lang),
            "count": self.count,
            "location": self.location.to_json(),
            "samples": [s.to_json() for s in self.samples],
        }


class FindingLog:
    """Collects findings, merging repeats of the same rule."""

    def __init__(self) -> None:
        self._findings: dict[tuple[str, str, str], Finding] = {}

    def add(self, rule_id: str, location: Location, group: str = "", times: int = 1, **values: Any) -> None:
        """Record one occurrence of a broken rule.

        Args:
            rule_id: Id of a rule in :data:`~harness.verify.rules.RULES`.
            location: Where it happened.
            group: Findings of one rule and register merge when their ``group`` is equal;
                give e.g. the Z report's letter so that different letters stay apart.
            times: Occurrences this call stands for (a counted schema message).
            **values: Values the rule's message template uses.

        Raises:
            KeyError: ``rule_id`` is not a known rule (a programming error).
        """
        rule = RULES[rule_id]
        key = (rule_id, location.register, group)
        found = self._findings.get(key)
        if found is None:
            self._findings[key] = Finding(rule, location, values, times, [location])
            return
        found.count += times
        if len(found.samples) < SAMPLE_LOCATIONS:
            found.samples.append(location)

    def extend(self, other: FindingLog) -> None:
        """Merge the findings of another log into this one."""
        for key, finding in other._findings.items():
            mine = self._findings.get(key)
            if mine is None:
                self._findings[key] = finding
                continue
            mine.count += finding.count
            room = SAMPLE_LOCATIONS - len(mine.samples)
            mine.samples.extend(finding.samples[: max(room, 0)])

    def shift_lines(self, offset: int) -> None:
        """Add ``offset`` to every known line number (findings read from a part of a file)."""
        for finding in self._findings.values():
            finding.location = finding.location.shifted(offset)
            finding.samples = [s.shifted(offset) for s in finding.samples]

    def findings(self) -> list[Finding]:
        """Return the findings, most severe first, then by line and rule."""
        order = {Severity.FATAL: 0, Severity.ERROR: 1, Severity.WARNING: 2, Severity.INFO: 3}
        return sorted(
            self._findings.values(),
            key=lambda f: (order[f.severity], f.location.line or 0, f.rule.id),
        )

    def rule_ids(self) -> set[str]:
        """Return the ids of the rules with at least one finding."""
        return {key[0] for key in self._findings}

    def __len__(self) -> int:
        return len(self._findings)
