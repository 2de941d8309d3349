"""The clause registry: every legal clause the harness reports on (``features/clauses.toml``).

A clause id follows one grammar everywhere (ARCHITECTURE.md, "Clause identifiers"):
``<reg>_<paragraph with _ for ->[_l<ledd>][_<letter>][_<word>…]``, lower case, with ``reg``
one of ``ksl`` (kassasystemlova), ``ksf`` (kassasystemforskrifta), ``bff``
(bokføringsforskrifta) and ``saft`` (Skatteetaten's SAF-T Cash Register documents). The
trailing word names a part of a clause that the requirements catalogue checks on its own
while its ledd or letter is not verified (``ksf_2_5_clock``). The same string is the
Gherkin tag, the pytest marker and the row of the compliance report's matrix.

Each :class:`Clause` carries its citation, title and paraphrase in bokmål and English,
the catalogue's verification status (V/S/P/I), how a test can observe it and whether a
black-box test can decide it at all; one that cannot (``testable = false``) carries the
documentation review a person must do instead. :func:`load_clauses` reads and checks the
file, and says exactly what to fix when an entry is malformed.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["CLAUSE_ID", "Clause", "ClauseRegistryError", "Registry", "load_clauses"]

#: The clause-id grammar.
CLAUSE_ID = re.compile(r"^(ksl|ksf|bff|saft)(_[0-9]+)*(_l[0-9]+)?(_[a-z])?(_[a-z]{2,}[0-9]*)*$")
_STATUS = frozenset("VSPI")
_OBSERVE = frozenset({"R", "D", "T", "J", "XZ", "U", "DOC", "ORG"})
_REQUIRED = ("citation", "title", "paraphrase", "status", "observe", "testable", "catalogue")


class ClauseRegistryError(ValueError):
    """``clauses.toml`` is malformed; the message names the entry and what to write."""


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause of the law (or of Skatteetaten's SAF-T documents).

    Attributes:
        id: The clause id (``ksf_2_8_2_m``).
        citation: As the regulation is cited (``kassasystemforskrifta § 2-8-2 første ledd bokstav m``).
        title: Short title per language (``nb``, ``en``).
        paraphrase: What the clause requires, per language.
        status: Verification status of the catalogue row: V, S, P or I.
        observe: How a test can observe it (R, D, T, J, XZ, U, DOC, ORG).
        testable: False if only documentation review can decide it.
        review: What a reviewer must look at instead, per language (empty when testable).
        catalogue: Ids of the requirements-catalogue rows the clause covers.
    """

    id: str
    citation: str
    title: Mapping[str, str]
    paraphrase: Mapping[str, str]
    status: str
    observe: tuple[str, ...]
    testable: bool
    review: Mapping[str, str]
    catalogue: tuple[str, ...]

    def text(self, field: str, lang: str = "en") -> str:
        """Return ``title``, ``paraphrase`` or ``review`` in ``lang`` (``nb`` or ``en``)."""
        values: Mapping[str, str] = getattr(self, field)
        return values.get(lang) or values.get("en", "")


class Registry(Mapping[str, Clause]):
    """All clauses, in the order of the file (the order of the law)."""

    def __init__(self, clauses: Mapping[str, Clause]) -> None:
        self._clauses = dict(clauses)

    def __getitem__(self, clause_id: str) -> Clause:
        return self._clauses[clause_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._clauses)

    def __len__(self) -> int:
        return len(self._clauses)

    def testable(self) -> list[Clause]:
        """The clauses a black-box test can decide."""
        return [c for c in self._clauses.values() if c.testable]

    def review_only(self) -> list[Clause]:
        """The clauses that need documentation review."""
        return [c for c in self._clauses.values() if not c.testable]


def _pair(entry: Mapping[str, Any], key: str, clause_id: str) -> dict[str, str]:
    value = entry.get(key)
    if (
        not isinstance(value, Mapping)
        or set(value) != {"nb", "en"}
        or not all(isinstance(v, str) for v in value.values())
    ):
        raise ClauseRegistryError(f'[{clause_id}] {key} must be {{ nb = "…", en = "…" }} with both languages')
    return {"nb": value["nb"], "en": value["en"]}


def _clause(clause_id: str, entry: Any) -> Clause:
    if not CLAUSE_ID.match(clause_id):
        raise ClauseRegistryError(
            f"[{clause_id}] is not a clause id: write <reg>_<paragraph>[_l<ledd>][_<letter>], "
            "e.g. ksf_2_8_2_m, with reg one of ksl, ksf, bff, saft"
        )
    if not isinstance(entry, Mapping):
        raise ClauseRegistryError(f"{clause_id} must be a table: [{clause_id}]")
    missing = [key for key in _REQUIRED if key not in entry]
    if missing:
        raise ClauseRegistryError(f"[{clause_id}] lacks {', '.join(missing)}")
    status = entry["status"]
    if status not in _STATUS or len(status) != 1:
        raise ClauseRegistryError(f'[{clause_id}] status = "{status}": write one of V, S, P, I')
    observe = entry["observe"]
    if not isinstance(observe, list) or not set(observe) <= _OBSERVE:
        raise ClauseRegistryError(f"[{clause_id}] observe must list codes from {sorted(_OBSERVE)}")
    testable = entry["testable"]
    if not isinstance(testable, bool):
        raise ClauseRegistryError(f"[{clause_id}] testable must be true or false")
    review = _pair(entry, "review", clause_id) if not testable else {}
    if testable and "review" in entry:
        raise ClauseRegistryError(f"[{clause_id}] is testable; remove review (it is for testable = false)")
    catalogue = entry["catalogue"]
    if not isinstance(catalogue, list) or not catalogue:
        raise ClauseRegistryError(f'[{clause_id}] catalogue must list the catalogue rows it covers, e.g. ["KSF-2-6-4"]')
    return Clause(
        id=clause_id,
        citation=str(entry["citation"]),
        title=_pair(entry, "title", clause_id),
        paraphrase=_pair(entry, "paraphrase", clause_id),
        status=status,
        observe=tuple(observe),
        testable=testable,
        review=review,
        catalogue=tuple(str(c) for c in catalogue),
    )


def _default_path() -> Path:
    return Path(str(resources.files("features") / "clauses.toml"))


def load_clauses(path: Path | None = None) -> Registry:
    """Read and check the clause registry (``features/clauses.toml`` by default).

    Raises:
        ClauseRegistryError: The file cannot be read or an entry is malformed.
    """
    if path is None:
        return _default_registry()
    return _load(path)


@cache
def _default_registry() -> Registry:
    return _load(_default_path())


def _load(path: Path) -> Registry:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ClauseRegistryError(f"cannot read the clause registry {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ClauseRegistryError(f"{path} is not valid TOML: {exc}") from exc
    return Registry({clause_id: _clause(clause_id, entry) for clause_id, entry in data.items()})
