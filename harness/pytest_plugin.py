"""The pytest plugin that runs the Gherkin compliance suite against a target.

Registered under ``pytest11`` (so ``pytest features/ --target URL`` works in any checkout
where kassakontroll is installed). It

* adds ``--target URL`` (default ``reference://``, see :mod:`harness.targets`) and
  ``--profile FILE``, the target's capability profile (:mod:`harness.profile`; the
  reference till's own profile when the target is ``reference://`` and none is given);
* turns ``@needs_<capability>`` tags into ``needs`` markers: a scenario whose function the
  profile declares absent is skipped as "not applicable" before the till is touched;
* registers every clause id of ``features/clauses.toml`` as a marker, so
  ``pytest -m ksf_2_6_l4`` selects a clause's scenarios, and turns the stable scenario
  tags ``@id_<clause>_<nnn>`` into ``scenario_id`` markers;
* gives scenarios the ``till`` fixture: a fresh :class:`~harness.targets.base.TillDriver`
  per scenario, closed afterwards;
* reports a scenario whose target cannot perform a verb
  (:class:`~harness.targets.base.NotSupportedByTarget`) as skipped with the reason
  "not automated on this target" -- never as passed;
* with ``--run-log FILE``, writes one JSON object per scenario (NDJSON): its node id,
  scenario id, clause ids, verdict (``passed``, ``failed``, ``not automated``,
  ``not applicable``, ``skipped``), duration and, when it did not pass, the reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any, TextIO

import pytest

from harness.clauses import load_clauses
from harness.profile import CAPABILITIES, Profile, ProfileError, load_profile, reference_profile_path
from harness.targets import NotSupportedByTarget, TillDriver, open_target

__all__ = ["NEEDS", "NOT_APPLICABLE", "NOT_AUTOMATED", "SCENARIO_ID"]

#: Marker carrying a scenario's stable id (``id_ksf_2_6_l4_001``).
SCENARIO_ID = "scenario_id"
#: Skip reason prefix for verbs a target cannot perform.
NOT_AUTOMATED = "not automated on this target"
#: Marker naming the optional function a scenario needs (``needs("training_mode")``).
NEEDS = "needs"
#: Skip reason prefix for scenarios of a function the profile declares absent.
NOT_APPLICABLE = "not applicable"


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--target``."""
    group = parser.getgroup("kassakontroll", "kassakontroll compliance suite")
    group.addoption(
        "--run-log",
        default=None,
        metavar="FILE",
        help="write one JSON line per scenario (verdict, clause ids, scenario id) to FILE",
    )
    group.addoption(
        "--profile",
        default=None,
        metavar="FILE",
        help="the target's capability profile (TOML); default for reference:// is the reference till's own",
    )
    group.addoption(
        "--target",
        default="reference://",
        help="the till to test: reference:// (default), or a scheme a kassakontroll.targets plugin serves",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the clause markers and the scenario-id marker."""
    registry = load_clauses()
    for clause in registry.values():
        config.addinivalue_line("markers", f"{clause.id}: {clause.citation}")
    config.addinivalue_line("markers", f"{SCENARIO_ID}(id): the stable id of a compliance scenario")
    config.addinivalue_line("markers", f"{NEEDS}(capability): the optional function of the profile a scenario needs")
    path = config.getoption("--run-log", None)
    if path:
        config.pluginmanager.register(_RunLog(Path(path), set(registry)), "kassakontroll-run-log")


class _RunLog:
    """Writes the scenario verdicts as NDJSON, one line per scenario, as they are known."""

    def __init__(self, path: Path, clauses: set[str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._out: TextIO = path.open("w", encoding="utf-8")
        self._clauses = clauses
        self._items: dict[str, pytest.Item] = {}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self._items = {item.nodeid: item for item in items}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if not (report.when == "call" or (report.when == "setup" and not report.passed)):
            return
        item = self._items.get(report.nodeid)
        markers = [m for m in item.iter_markers()] if item is not None else []
        scenario = next((str(m.args[0]) for m in markers if m.name == SCENARIO_ID and m.args), "")
        verdict: str = report.outcome
        reason = ""
        if report.skipped and isinstance(report.longrepr, tuple):
            reason = str(report.longrepr[2])
            verdict = next((v for v in (NOT_AUTOMATED, NOT_APPLICABLE) if reason.startswith(v)), "skipped")
            verdict = "not automated" if verdict == NOT_AUTOMATED else verdict
        elif report.failed:
            crash = getattr(report.longrepr, "reprcrash", None)
            reason = str(getattr(crash, "message", "")) or "failed"
        record = {
            "nodeid": report.nodeid,
            "scenario_id": scenario,
            "clauses": sorted({m.name for m in markers if m.name in self._clauses}),
            "verdict": verdict,
            "seconds": round(report.duration, 4),
            "reason": reason,
        }
        self._out.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._out.flush()

    def pytest_unconfigure(self) -> None:
        self._out.close()


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_apply_tag(tag: str, function: Callable[..., Any]) -> bool | None:
    """``@id_<clause>_<nnn>`` becomes ``scenario_id("id_…")``; clause tags stay markers of their own."""
    if tag.startswith("id_"):
        pytest.mark.scenario_id(tag)(function)
        return True
    if tag.startswith("needs_"):
        pytest.mark.needs(tag.removeprefix("needs_"))(function)
        return True
    return None


def _profile(config: pytest.Config) -> Profile:
    """The run's profile, read once (a usage error that says what to write if it is missing or wrong)."""
    cached: Profile | None = getattr(config, "_kassakontroll_profile", None)
    if cached is not None:
        return cached
    path = config.getoption("--profile", None)
    if path is None and str(config.getoption("--target")).startswith("reference://"):
        path = reference_profile_path()
    try:
        profile = load_profile(path)
    except ProfileError as exc:
        raise pytest.UsageError(str(exc)) from exc
    config._kassakontroll_profile = profile  # type: ignore[attr-defined]
    return profile


@pytest.fixture
def profile(request: pytest.FixtureRequest) -> Profile:
    """The target's capability profile (``--profile``)."""
    return _profile(request.config)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a scenario as "not applicable" when the profile declares its function absent."""
    for marker in item.iter_markers(NEEDS):
        capability = str(marker.args[0]) if marker.args else ""
        if capability not in CAPABILITIES:
            raise pytest.UsageError(
                f"{item.nodeid}: @needs_{capability} names no capability; known: {', '.join(CAPABILITIES)}"
            )
        if not _profile(item.config).has(capability):
            pytest.skip(f"{NOT_APPLICABLE}: the profile declares no {capability} ({CAPABILITIES[capability]})")


@pytest.fixture
def till(request: pytest.FixtureRequest) -> Iterator[TillDriver]:
    """A fresh till of the chosen target for one scenario."""
    driver = open_target(str(request.config.getoption("--target")))
    try:
        yield driver
    finally:
        driver.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """A verb the target cannot perform makes the scenario "not automated" (skipped), not failed or passed."""
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if call.excinfo is not None and call.excinfo.errisinstance(NotSupportedByTarget):
        report.outcome = "skipped"
        path, line, _domain = item.location
        report.longrepr = (path, (line or 0) + 1, f"{NOT_AUTOMATED}: {call.excinfo.value}")
