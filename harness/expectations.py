"""Known deviations: the scenarios a target is expected to fail, read from ``expectations/<target>.toml``.

A vendor whose till does not yet meet a rule can say so, scenario by scenario, instead of
a red run that hides new failures among known ones. Each entry becomes a *strict* xfail
of its scenario (the pytest plugin, :mod:`harness.pytest_plugin`): while the till fails
it, the run log says ``known deviation``; once it passes, the run fails (XPASS strict)
until the entry is removed, so the file never lists deviations that no longer exist.
The file ``expectations/reference.toml`` stays empty: the reference till deviates from
nothing.

Format (one table per deviation)::

    [[deviation]]
    scenario = "id_ksf_2_8_6_001"        # the scenario's stable id (its @id_ tag)
    reason = "copy receipts lack «KOPI» until release 4.2"
    until = 2027-03-01                   # optional: from this day on it is no longer excused
    ticket = "SUP-1234"                  # optional: the vendor's reference

A deviation whose ``until`` day has come is *expired*: it is not applied (the scenario is
judged as any other) and the plugin names it in the report header.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

__all__ = [
    "Deviation",
    "Expectations",
    "ExpectationsError",
    "default_expectations_path",
    "load_expectations",
]

_SCENARIO_ID = re.compile(r"^id_[a-z0-9_]+_\d{3}$")
_KEYS = ("scenario", "reason", "until", "ticket")
_EXAMPLE = '[[deviation]]\nscenario = "id_ksf_2_8_6_001"\nreason = "…"'


class ExpectationsError(ValueError):
    """The expectations file is unreadable or malformed; the message says what to write."""


@dataclass(frozen=True, slots=True)
class Deviation:
    """One known deviation.

    Attributes:
        scenario: The scenario's stable id (``id_ksf_2_8_6_001``).
        reason: Why the target fails it, in the vendor's words.
        until: The last day before it expires (it is not applied from this day on), if any.
        ticket: The vendor's reference, if any.
    """

    scenario: str
    reason: str
    until: date | None = None
    ticket: str = ""

    def expired(self, today: date) -> bool:
        """Whether the deviation is no longer excused on ``today``."""
        return self.until is not None and today >= self.until

    def describe(self) -> str:
        """The reason with the ticket and the end date, for the run log and the report."""
        extras = [part for part in (self.ticket, f"until {self.until}" if self.until else "") if part]
        return self.reason + (f" ({', '.join(extras)})" if extras else "")


@dataclass(frozen=True, slots=True)
class Expectations:
    """The known deviations of one target.

    Attributes:
        path: The file they were read from.
        deviations: By scenario id.
    """

    path: Path
    deviations: Mapping[str, Deviation]

    def active(self, today: date) -> dict[str, Deviation]:
        """The deviations still excused on ``today``."""
        return {sid: d for sid, d in self.deviations.items() if not d.expired(today)}

    def expired(self, today: date) -> dict[str, Deviation]:
        """The deviations whose ``until`` day has come."""
        return {sid: d for sid, d in self.deviations.items() if d.expired(today)}

    def check_known(self, known: Iterable[str]) -> None:
        """Fail if the file names scenarios the suite does not have.

        Raises:
            ExpectationsError: Naming each unknown scenario id.
        """
        unknown = sorted(set(self.deviations) - set(known))
        if unknown:
            raise ExpectationsError(
                f"{self.path}: no scenario has the id {', '.join(unknown)}; "
                f"use the @id_… tag of a scenario in features/*.feature (renamed or removed? delete the entry)"
            )


def default_expectations_path(target_url: str, folders: Iterable[Path]) -> Path | None:
    """``expectations/<scheme>.toml`` in the first of ``folders`` that has it, else None."""
    scheme = target_url.split("://", 1)[0] if "://" in target_url else ""
    if not scheme:
        return None
    for folder in folders:
        candidate = folder / "expectations" / f"{scheme}.toml"
        if candidate.is_file():
            return candidate
    return None


def _entry(row: Any, index: int, path: Path) -> Deviation:
    where = f"{path}: [[deviation]] number {index}"
    if not isinstance(row, dict):
        raise ExpectationsError(f"{where} is not a table; write\n{_EXAMPLE}")
    unknown = sorted(set(row) - set(_KEYS))
    if unknown:
        raise ExpectationsError(f"{where}: unknown key {', '.join(unknown)}; known: {', '.join(_KEYS)}")
    scenario = row.get("scenario")
    if not isinstance(scenario, str) or not _SCENARIO_ID.match(scenario):
        raise ExpectationsError(f'{where}: scenario = "id_<clause>_<nnn>" is required (the scenario\'s @id_ tag)')
    reason = row.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise ExpectationsError(f'{where} ({scenario}): reason = "…" is required: why the target fails it')
    until = row.get("until")
    if isinstance(until, str):
        try:
            until = date.fromisoformat(until)
        except ValueError:
            until = False
    if until is not None and (not isinstance(until, date) or isinstance(until, bool)):
        raise ExpectationsError(f"{where} ({scenario}): until must be a date, YYYY-MM-DD (e.g. until = 2027-03-01)")
    ticket = row.get("ticket", "")
    if not isinstance(ticket, str):
        raise ExpectationsError(f'{where} ({scenario}): ticket = "…" must be a string')
    return Deviation(scenario, reason.strip(), until, ticket.strip())


def load_expectations(path: Path | str) -> Expectations:
    """Read an expectations file (see the module docstring for the format).

    Raises:
        ExpectationsError: The file is missing, not TOML, or an entry is malformed or repeated.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ExpectationsError(f"cannot read the expectations file {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ExpectationsError(f"{path} is not valid TOML: {exc}") from exc
    unknown = sorted(set(data) - {"deviation"})
    if unknown:
        raise ExpectationsError(f"{path}: unknown table {', '.join(unknown)}; write one [[deviation]] per scenario")
    rows = data.get("deviation", [])
    if not isinstance(rows, list):
        raise ExpectationsError(f"{path}: deviation must be an array of tables; write\n{_EXAMPLE}")
    found: dict[str, Deviation] = {}
    for index, row in enumerate(rows, start=1):
        deviation = _entry(row, index, path)
        if deviation.scenario in found:
            raise ExpectationsError(f"{path}: {deviation.scenario} is listed twice; keep one entry per scenario")
        found[deviation.scenario] = deviation
    return Expectations(path, found)
