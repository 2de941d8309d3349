"""Progress lines for ``kassakontroll run``: a pytest plugin loaded with ``-p harness.run_progress``.

One line per scenario as it finishes, on standard error (pytest's own report goes to a
file), numbered against the scenarios selected::

    [ 12/143] PASS   id_ksf_2_6_l4_001  Concluding a cash sale prints its salskvittering

Labels: ``PASS``, ``FAIL``, ``NOAUT`` (not automated on this target), ``N/A`` (not
applicable to the profile), ``KNOWN`` (a known deviation), ``SKIP``. When the session ends
early (the target could not be opened, Ctrl-C), the reason is written too.
"""

from __future__ import annotations

import os
from typing import TextIO

import pytest

from harness.pytest_plugin import KNOWN_DEVIATION, NOT_APPLICABLE, scenario_id, scenario_name, verdict

__all__ = ["LABELS"]

#: Progress label per verdict.
LABELS = {
    "passed": "PASS",
    "failed": "FAIL",
    "not automated": "NOAUT",
    NOT_APPLICABLE: "N/A",
    KNOWN_DEVIATION: "KNOWN",
    "skipped": "SKIP",
}


class _Progress:
    """Writes the progress lines to a duplicate of standard error, which pytest's capture leaves alone."""

    def __init__(self, target: str) -> None:
        self._out: TextIO = os.fdopen(os.dup(2), "w", encoding="utf-8", errors="replace")
        self._items: dict[str, pytest.Item] = {}
        self._done = 0
        self._write(f"kassakontroll run: collecting the scenarios for {target} …")

    def _write(self, line: str) -> None:
        self._out.write(line + "\n")
        self._out.flush()

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Remember the scenarios that will run (after ``-k``/``-m``)."""
        self._items = {item.nodeid: item for item in session.items}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """One line per scenario: at its call, or at a setup that did not pass."""
        if not (report.when == "call" or (report.when == "setup" and not report.passed)):
            return
        self._done += 1
        item = self._items.get(report.nodeid)
        outcome, reason = verdict(report)
        sid = scenario_id(item) if item is not None else report.nodeid
        name = scenario_name(item) if item is not None else ""
        total = str(len(self._items))
        label = LABELS.get(outcome, outcome.upper())
        self._write(f"[{self._done:>{len(total)}}/{total}] {label:<6} {sid}  {name}".rstrip())
        if outcome == "failed" and reason:
            first = reason.strip().splitlines()[0] if reason.strip() else ""
            self._write(f"{'':{2 * len(total) + 4}}{first[:160]}")

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        """Say why the session ended early (``pytest.exit`` from the plugin, or Ctrl-C)."""
        message = getattr(excinfo.value, "msg", "") or "interrupted"
        self._write(f"kassakontroll run: stopped: {message}")

    def pytest_unconfigure(self) -> None:
        """Close the progress stream."""
        self._out.close()


def pytest_configure(config: pytest.Config) -> None:
    """Start writing progress."""
    config.pluginmanager.register(_Progress(str(config.getoption("--target"))), "kassakontroll-progress")
