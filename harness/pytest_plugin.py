"""The pytest plugin that runs the Gherkin compliance suite against a target.

Registered under ``pytest11`` (so ``pytest features/ --target URL`` works in any checkout
where kassakontroll is installed). It

* adds ``--target URL`` (default ``reference://``, see :mod:`harness.targets`);
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
  ``skipped``), duration and, when it did not pass, the reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any, TextIO

import pytest

from harness.clauses import load_clauses
from harness.targets import NotSupportedByTarget, TillDriver, open_target

__all__ = ["NOT_AUTOMATED", "SCENARIO_ID"]

#: Marker carrying a scenario's stable id (``id_ksf_2_6_l4_001``).
SCENARIO_ID = "scenario_id"
#: Skip reason prefix for verbs a target cannot perform.
NOT_AUTOMATED = "not automated on this target"


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
            verdict = "not automated" if reason.startswith(NOT_AUTOMATED) else "skipped"
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
    return None


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
