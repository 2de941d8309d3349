"""The pytest plugin that runs the Gherkin compliance suite against a target.

Registered under ``pytest11`` (so ``pytest features/ --target URL`` works in any checkout
where kassakontroll is installed). It

* adds ``--target URL`` (default ``reference://``, see :mod:`harness.targets`),
  ``--printer URL``/``--terminal URL`` (repeatable, ``K1=URL`` for one kassapunkt: the
  target's device links, :mod:`harness.target_devices`) and
  ``--profile FILE``, the target's capability profile (:mod:`harness.profile`; the
  reference till's own profile when the target is ``reference://`` and none is given);
* turns ``@needs_<capability>`` tags into ``needs`` markers: a scenario whose function the
  profile declares absent is skipped as "not applicable" before the till is touched;
* registers every clause id of ``features/clauses.toml`` as a marker, so
  ``pytest -m ksf_2_6_l4`` selects a clause's scenarios, and turns the stable scenario
  tags ``@id_<clause>_<nnn>`` into ``scenario_id`` markers (and ``-k`` keywords, so
  ``pytest -k id_ksf_2_6_l4_003`` selects one scenario);
* gives scenarios the ``till`` fixture: a fresh :class:`~harness.targets.base.TillDriver`
  per scenario, closed afterwards (a ``manual://`` target also gets the profile, for its
  prompts, and the scenario's title). A target that cannot be opened ends the session
  with exit code :data:`EXIT_TARGET_UNAVAILABLE` and the target's message, instead of
  one error per scenario;
* reports a scenario whose target cannot perform a verb
  (:class:`~harness.targets.base.NotSupportedByTarget`) as skipped with the reason
  "not automated on this target" -- never as passed;
* with ``--expectations FILE`` (default: ``expectations/<scheme>.toml`` in the current or
  the root directory, if it exists) turns each known deviation of the target
  (:mod:`harness.expectations`) into a *strict* xfail of its scenario: a deviation that
  fails is reported as a known deviation, one that passes fails the run; an id no
  scenario has is a usage error naming it;
* with ``--run-log FILE``, writes one JSON object per scenario (NDJSON), as soon as its
  verdict is known (see "The run log" below);
* compares every scenario's evidence and journal exports with the profile
  (:mod:`harness.profile_check`): each contradiction -- a function declared absent but
  used, another version or shop in the journal, another signature method -- becomes an
  evidence record and a ``contradictions`` entry of the scenario's run-log line; they are
  listed at the end, and a run that has any fails (exit code 1) even if every scenario
  passed, because the declaration the report would back is wrong;
* with ``--evidence-dir DIR``, writes per scenario ``DIR/<scenario id>.ndjson``: every
  evidence record from the moment its till was opened until it is closed (printer
  documents with raw bytes and decoded text, drawer, terminal, a technician's prompts and
  answers), one :meth:`~harness.evidence.EvidenceRecord.to_json` line each (raw bytes base64).

The run log (``--run-log FILE``), one object per line and scenario:

* ``nodeid``: pytest's node id;
* ``scenario_id``: the stable ``@id_…`` tag (``""`` if the scenario has none);
* ``name``: the scenario's name as the feature file writes it;
* ``feature``: the feature file's name (``"ksf_2_6.feature"``; ``""`` for a test that is no scenario);
* ``clauses``: the clause ids among its tags, sorted;
* ``verdict``: one of :data:`VERDICTS` (``passed``, ``failed``, ``not automated``,
  ``not applicable``, ``known deviation``, ``skipped``);
* ``seconds``: the duration of the call (or of the failed or skipped setup), 4 decimals;
* ``reason``: why it did not pass (``""`` when it passed);
* ``steps``: every step of the scenario, Background steps first, in the order pytest-bdd
  runs them (:data:`STEP_OUTCOMES`), each ``{"keyword": "Given"|"When"|"Then"|"And"|"But"
  (as written), "type": "given"|"when"|"then", "text": the step's text (an outline's with
  the example's values), "line": its line in the feature file, "outcome": "passed" |
  "failed" | "not automated" (the target cannot perform its verb) | "not run" (a step
  before it failed, or the scenario was skipped before its steps) | "skipped" (the step
  itself skipped the scenario), "seconds": its duration (4 decimals), "evidence":
  [first seq, last seq] of the evidence records appended while it ran, or null when it
  appended none or the till was not open}``. The ``seq`` values are those of the lines of
  the scenario's evidence file: a record belongs to the step whose range holds its ``seq``;
* ``evidence`` (with ``--evidence-dir``): the scenario's evidence file, relative to the
  run log's folder;
* ``contradictions`` (only when there are any): the profile contradictions, each
  :meth:`~harness.profile_check.Contradiction.to_json`.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import urlsplit

import pytest

from harness.clauses import load_clauses
from harness.expectations import (
    Deviation,
    Expectations,
    ExpectationsError,
    default_expectations_path,
    load_expectations,
)
from harness.profile import CAPABILITIES, Profile, ProfileError, profile_for
from harness.profile_check import KIND as CONTRADICTION
from harness.profile_check import Contradiction, check_evidence, merge
from harness.target_devices import DeviceOptionError, with_devices
from harness.targets import NotSupportedByTarget, TargetError, TillDriver, open_target

if TYPE_CHECKING:
    from pytest_bdd.parser import Scenario, ScenarioTemplate, Step

__all__ = [
    "CONTRADICTIONS",
    "EXIT_TARGET_UNAVAILABLE",
    "KNOWN_DEVIATION",
    "NEEDS",
    "NOT_APPLICABLE",
    "NOT_AUTOMATED",
    "SCENARIO_ID",
    "STEP_OUTCOMES",
    "VERDICTS",
    "contradictions",
    "scenario_id",
    "scenario_name",
    "verdict",
]

#: Marker carrying a scenario's stable id (``id_ksf_2_6_l4_001``).
SCENARIO_ID = "scenario_id"
#: Skip reason prefix for verbs a target cannot perform.
NOT_AUTOMATED = "not automated on this target"
#: Marker naming the optional function a scenario needs (``needs("training_mode")``).
NEEDS = "needs"
#: Skip reason prefix for scenarios of a function the profile declares absent.
NOT_APPLICABLE = "not applicable"
#: Verdict (and xfail reason prefix) of a scenario the expectations file excuses.
KNOWN_DEVIATION = "known deviation"
#: Every verdict the run log writes.
VERDICTS = ("passed", "failed", "not automated", "not applicable", KNOWN_DEVIATION, "skipped")
#: Every outcome a step of the run log can have.
STEP_OUTCOMES = ("passed", "failed", "not automated", "not run", "skipped")
#: Name of the call report's user property holding the scenario's profile contradictions.
CONTRADICTIONS = "contradictions"
#: pytest's exit code when the target cannot be opened (pytest's own codes are 0-5).
EXIT_TARGET_UNAVAILABLE = 13

_EVIDENCE_FILE = pytest.StashKey[Path]()
_TILL = pytest.StashKey[tuple[TillDriver, int]]()
_DEVIATION = pytest.StashKey[Deviation]()
_USED_FILES = pytest.StashKey[set[Path]]()
_STEPS = pytest.StashKey["_StepLog"]()
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--target``, ``--profile``, ``--run-log``, ``--evidence-dir``, ``--expectations``."""
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
    group.addoption(
        "--printer",
        action="append",
        default=[],
        metavar="URL",
        help="where the harness serves a kassapunkt's printer (http://, manual://): URL or K1=URL; repeatable",
    )
    group.addoption(
        "--terminal",
        action="append",
        default=[],
        metavar="URL",
        help="where the harness serves a kassapunkt's payment terminal (http://): URL or K1=URL; repeatable",
    )
    group.addoption(
        "--evidence-dir",
        default=None,
        metavar="DIR",
        help="write each scenario's evidence records to DIR/<scenario id>.ndjson",
    )
    group.addoption(
        "--expectations",
        default=None,
        metavar="FILE",
        help="the target's known deviations (TOML), strict xfails; default expectations/<scheme>.toml if it exists",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Add ``--printer``/``--terminal`` to the target; register the markers; start the run log; read expectations."""
    try:
        config.option.target = with_devices(
            str(config.getoption("--target")),
            config.getoption("--printer", None) or [],
            config.getoption("--terminal", None) or [],
        )
    except DeviceOptionError as exc:
        raise pytest.UsageError(str(exc)) from exc
    registry = load_clauses()
    for clause in registry.values():
        config.addinivalue_line("markers", f"{clause.id}: {clause.citation}")
    config.addinivalue_line("markers", f"{SCENARIO_ID}(id): the stable id of a compliance scenario")
    config.addinivalue_line("markers", f"{NEEDS}(capability): the optional function of the profile a scenario needs")
    config.pluginmanager.register(_Contradictions(), "kassakontroll-contradictions")
    expectations = _expectations(config)
    if expectations is not None:
        config.pluginmanager.register(_Deviations(expectations), "kassakontroll-expectations")
    path = config.getoption("--run-log", None)
    if path:
        config.pluginmanager.register(_RunLog(Path(path), set(registry)), "kassakontroll-run-log")


def _expectations(config: pytest.Config) -> Expectations | None:
    given = config.getoption("--expectations", None)
    if given:
        path: Path | None = Path(given)
    else:
        folders = (config.invocation_params.dir, config.rootpath)
        path = default_expectations_path(str(config.getoption("--target")), folders)
    if path is None:
        return None
    try:
        return load_expectations(path)
    except ExpectationsError as exc:
        raise pytest.UsageError(str(exc)) from exc


def scenario_id(item: pytest.Item) -> str:
    """The item's stable scenario id (``id_ksf_2_6_l4_001``), "" if it has none."""
    marker = item.get_closest_marker(SCENARIO_ID)
    return str(marker.args[0]) if marker is not None and marker.args else ""


def _template(item: pytest.Item) -> ScenarioTemplate | None:
    """The pytest-bdd scenario (template) the item runs, ``None`` for a test that is no scenario."""
    from pytest_bdd.scenario import scenario_wrapper_template_registry

    function = getattr(item, "function", None)
    return scenario_wrapper_template_registry.get(function) if function is not None else None


def scenario_name(item: pytest.Item) -> str:
    """The scenario's name as the feature file writes it (the test's name for other items)."""
    template = _template(item)
    return template.name if template is not None else item.name


def _feature_file(item: pytest.Item) -> str:
    """The name of the item's feature file (``ksf_2_6.feature``), ``""`` for a test that is no scenario."""
    template = _template(item)
    return Path(template.feature.filename).name if template is not None else ""


def _planned_steps(item: pytest.Item) -> list[Step]:
    """The steps the item's scenario runs (Background steps first; an outline's rendered with its example)."""
    template = _template(item)
    if template is None:
        return []
    callspec = getattr(item, "callspec", None)
    example = callspec.params.get("_pytest_bdd_example", {}) if callspec is not None else {}
    return template.render(example if isinstance(example, dict) else {}).steps


def verdict(report: pytest.TestReport) -> tuple[str, str]:
    """The verdict (one of :data:`VERDICTS`) and reason of a scenario's call report (or failed setup)."""
    crash = getattr(report.longrepr, "reprcrash", None)
    message = str(getattr(crash, "message", "")) if crash is not None else ""
    if report.skipped and hasattr(report, "wasxfail"):
        reason = str(report.wasxfail)
        return KNOWN_DEVIATION, reason + (f" (it failed: {message})" if message else "")
    if report.skipped and isinstance(report.longrepr, tuple):
        reason = str(report.longrepr[2]).removeprefix("Skipped: ")  # pytest.skip() adds it
        if reason.startswith(NOT_AUTOMATED):
            return "not automated", reason
        if reason.startswith(NOT_APPLICABLE):
            return NOT_APPLICABLE, reason
        return "skipped", reason
    if report.failed:
        if isinstance(report.longrepr, str):
            return "failed", report.longrepr
        return "failed", message or "failed"
    return report.outcome, ""


def _step_json(step: Step) -> dict[str, Any]:
    """A step of the run log, not run yet (see the module docstring)."""
    return {
        "keyword": step.keyword.strip(),
        "type": step.type,
        "text": step.name,
        "line": step.line_number,
        "outcome": "not run",
        "seconds": 0.0,
        "evidence": None,
    }


def _cursor(item: pytest.Item) -> tuple[int, int] | None:
    """(the till's evidence cursor now, the cursor when it was opened), ``None`` while no till is open."""
    opened = item.stash.get(_TILL, None)
    if opened is None:
        return None
    driver, start = opened
    return driver.evidence.cursor(), start


@dataclass
class _StepLog:
    """The steps of one scenario as they run: what the run log's ``steps`` list is made of.

    Attributes:
        steps: One run-log object per step of the scenario, in order (:func:`_step_json`).
        done: How many steps have finished (passed, failed or could not be found).
        began: ``time.perf_counter()`` when the running step began, ``None`` between steps.
        cursor: The evidence cursor when the running step began, ``None`` if no till was open.
        interrupted: The index of the step that ended the scenario without an error
            (``pytest.skip()`` in a step), ``None`` if none did.
    """

    steps: list[dict[str, Any]] = field(default_factory=list)
    done: int = 0
    began: float | None = None
    cursor: int | None = None
    interrupted: int | None = None

    def begin(self, item: pytest.Item) -> None:
        """The next step begins."""
        now = _cursor(item)
        self.cursor = now[0] if now is not None else None
        self.began = time.perf_counter()

    def end(self, item: pytest.Item, outcome: str) -> None:
        """The running step (or, if none began, the next one) ended with ``outcome``."""
        if self.done >= len(self.steps):
            return  # a step the scenario object did not list: nothing to attach it to
        step = self.steps[self.done]
        self.done += 1
        step["outcome"] = outcome
        if self.began is not None:
            step["seconds"] = round(time.perf_counter() - self.began, 4)
        now = _cursor(item)
        if now is not None and self.began is not None:
            after, start = now
            before = self.cursor if self.cursor is not None else start  # the step opened the till
            step["evidence"] = [before + 1, after] if after > before else None
        self.began = self.cursor = None


class _RunLog:
    """Writes the scenario verdicts as NDJSON, one line per scenario, as they are known.

    The pytest-bdd step hooks below record each scenario's steps (outcome, duration and
    the range of evidence records each appended) in the item's stash until its line is
    written; only numbers are kept, never the till.
    """

    def __init__(self, path: Path, clauses: set[str]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._out: TextIO = path.open("w", encoding="utf-8")
        self._clauses = clauses
        self._items: dict[str, pytest.Item] = {}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self._items = {item.nodeid: item for item in items}

    # --- the steps (pytest-bdd hooks; ``request.node`` is the scenario's item)
    def pytest_bdd_before_scenario(self, request: pytest.FixtureRequest, scenario: Scenario) -> None:
        request.node.stash[_STEPS] = _StepLog([_step_json(step) for step in scenario.steps])

    def pytest_bdd_before_step(self, request: pytest.FixtureRequest) -> None:
        steps = request.node.stash.get(_STEPS, None)
        if steps is not None:
            steps.begin(request.node)

    def pytest_bdd_after_step(self, request: pytest.FixtureRequest) -> None:
        self._end_step(request, "passed")

    def pytest_bdd_step_error(self, request: pytest.FixtureRequest, exception: Exception) -> None:
        self._end_step(request, "not automated" if isinstance(exception, NotSupportedByTarget) else "failed")

    def pytest_bdd_step_func_lookup_error(self, request: pytest.FixtureRequest) -> None:
        self._end_step(request, "failed")

    @staticmethod
    def _end_step(request: pytest.FixtureRequest, outcome: str) -> None:
        steps = request.node.stash.get(_STEPS, None)
        if steps is not None:
            steps.end(request.node, outcome)

    def pytest_bdd_after_scenario(self, request: pytest.FixtureRequest) -> None:
        steps = request.node.stash.get(_STEPS, None)
        if steps is not None and steps.began is not None:  # no hook saw the step end: it skipped the scenario
            steps.interrupted = steps.done
            steps.end(request.node, "skipped")

    def _steps(self, item: pytest.Item, report: pytest.TestReport) -> list[dict[str, Any]]:
        """The scenario's steps for its run-log line; forgets them (the item outlives the scenario)."""
        steps = item.stash.get(_STEPS, None)
        if steps is None:
            return [_step_json(step) for step in _planned_steps(item)]
        del item.stash[_STEPS]
        if steps.interrupted is not None and not report.skipped and steps.interrupted < len(steps.steps):
            steps.steps[steps.interrupted]["outcome"] = "failed"  # not a skip after all (pytest.exit, an interrupt)
        return steps.steps

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if not (report.when == "call" or (report.when == "setup" and not report.passed)):
            return
        item = self._items.get(report.nodeid)
        outcome, reason = verdict(report)
        record: dict[str, Any] = {
            "nodeid": report.nodeid,
            "scenario_id": scenario_id(item) if item is not None else "",
            "name": scenario_name(item) if item is not None else "",
            "feature": _feature_file(item) if item is not None else "",
            "clauses": sorted({m.name for m in item.iter_markers() if m.name in self._clauses}) if item else [],
            "verdict": outcome,
            "seconds": round(report.duration, 4),
            "reason": reason,
            "steps": self._steps(item, report) if item is not None else [],
        }
        found = contradictions(report)
        if found:
            record["contradictions"] = [c.to_json() for c in found]
        evidence = item.stash.get(_EVIDENCE_FILE, None) if item is not None else None
        if evidence is not None:
            record["evidence"] = Path(os.path.relpath(evidence, self._path.parent)).as_posix()
        self._out.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._out.flush()

    def pytest_unconfigure(self) -> None:
        self._out.close()


def _suite_ids() -> set[str]:
    """Every ``@id_`` tag of the installed compliance suite's feature files."""
    found: set[str] = set()
    try:
        folder = resources.files("features")
    except ModuleNotFoundError:
        return found
    for entry in folder.iterdir():
        if entry.name.endswith(".feature"):
            found.update(re.findall(r"@(id_[a-z0-9_]+_\d{3})\b", entry.read_text(encoding="utf-8")))
    return found


class _Deviations:
    """Turns the known deviations into strict xfails (see the module docstring)."""

    def __init__(self, expectations: Expectations) -> None:
        self.expectations = expectations
        self.today = date.today()

    def pytest_report_header(self) -> list[str]:
        active, expired = self.expectations.active(self.today), self.expectations.expired(self.today)
        lines = [f"kassakontroll expectations: {self.expectations.path} ({len(active)} known deviations)"]
        lines += [f"  expired, judged as any scenario: {sid} (until {d.until})" for sid, d in expired.items()]
        return lines

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        ids = {scenario_id(item): item for item in items}
        try:
            self.expectations.check_known(set(ids) | _suite_ids())
        except ExpectationsError as exc:
            raise pytest.UsageError(str(exc)) from exc
        active = self.expectations.active(self.today)
        for item in items:
            deviation = active.get(scenario_id(item))
            if deviation is not None:
                item.stash[_DEVIATION] = deviation
                reason = f"{KNOWN_DEVIATION}: {deviation.describe()}"
                item.add_marker(pytest.mark.xfail(strict=True, reason=reason))

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
        outcome = yield
        report: pytest.TestReport = outcome.get_result()
        deviation = item.stash.get(_DEVIATION, None)
        if deviation is not None and report.failed and str(report.longrepr).startswith("[XPASS(strict)]"):
            report.longrepr = (
                f"[XPASS(strict)] {deviation.scenario} passes, but {self.expectations.path} lists it as a known "
                f"deviation ({deviation.reason}); the till no longer deviates: remove its [[deviation]] entry"
            )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Make each scenario's id a ``-k`` keyword (before ``-k`` deselects)."""
    for item in items:
        sid = scenario_id(item)
        if sid:
            item.extra_keyword_matches.add(sid)


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
    try:
        profile = profile_for(str(config.getoption("--target")), config.getoption("--profile", None))
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


def _open(request: pytest.FixtureRequest) -> TillDriver:
    url = str(request.config.getoption("--target"))
    if urlsplit(url).scheme == "manual":
        from harness.targets.manual import ManualTarget

        node = request.node
        title = (
            " · ".join(p for p in (scenario_id(node), scenario_name(node)) if p)
            if isinstance(node, pytest.Item)
            else ""
        )
        return ManualTarget(url, profile=_profile(request.config), title=title)
    return open_target(url)


def _evidence_file(item: pytest.Item, folder: Path) -> Path:
    """``folder/<scenario id>.ndjson`` (``-2``, ``-3`` … for further examples of an outline)."""
    stem = scenario_id(item)
    stem = stem or _UNSAFE.sub("_", item.nodeid).strip("_") or "scenario"
    used: set[Path] = item.config.stash.setdefault(_USED_FILES, set())
    path, number = folder / f"{stem}.ndjson", 1
    while path in used:
        number += 1
        path = folder / f"{stem}-{number}.ndjson"
    used.add(path)
    return path


@pytest.fixture
def till(request: pytest.FixtureRequest) -> Iterator[TillDriver]:
    """A fresh till of the chosen target for one scenario (its evidence written out with ``--evidence-dir``)."""
    try:
        driver = _open(request)
    except TargetError as exc:
        pytest.exit(
            f"the target {request.config.getoption('--target')} could not be opened: {exc}",
            returncode=EXIT_TARGET_UNAVAILABLE,
        )
    start = driver.evidence.cursor()
    request.node.stash[_TILL] = (driver, start)
    folder = request.config.getoption("--evidence-dir", None)
    path = None
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        path = _evidence_file(request.node, Path(folder))
        request.node.stash[_EVIDENCE_FILE] = path
    try:
        yield driver
    finally:
        try:
            if path is not None:
                with path.open("w", encoding="utf-8") as out:
                    for record in driver.evidence.since(start):
                        out.write(record.to_json() + "\n")
        finally:
            del request.node.stash[_TILL]  # the item outlives the scenario: do not keep its till (and evidence)
            driver.close()


def _cross_check(item: pytest.Item, report: pytest.TestReport) -> None:
    """Compare the scenario's evidence with the profile; the contradictions go into the report.

    Journal exports were checked when the steps took them (:func:`harness.journal_export.export_and_read`);
    the device evidence is checked here, once the scenario has run. Every contradiction is
    also an evidence record, so the scenario's evidence file shows it where it happened.
    """
    opened = item.stash.get(_TILL, None)
    if opened is None:
        return
    driver, start = opened
    try:
        profile = _profile(item.config)
    except pytest.UsageError:
        return  # no profile to check against: the scenarios that need one say so themselves
    for contradiction in check_evidence(profile, driver.evidence.since(start)):
        contradiction.record(driver.evidence)
    found = [dict(r.data) for r in driver.evidence.since(start) if r.kind == CONTRADICTION]
    if found:
        report.user_properties.append((CONTRADICTIONS, found))


def contradictions(report: pytest.TestReport) -> list[Contradiction]:
    """The profile contradictions a scenario's call report carries (see :mod:`harness.profile_check`)."""
    return [
        Contradiction.from_json(data)
        for name, value in report.user_properties
        if name == CONTRADICTIONS and isinstance(value, list)
        for data in value
    ]


class _Contradictions:
    """Lists the run's profile contradictions at the end and fails a run that has any."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, Contradiction]] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call":
            self.seen += [(report.nodeid, c) for c in contradictions(report)]

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.seen:
            return
        terminalreporter.section("kassakontroll: the profile contradicts what the till did", red=True)
        for c, nodeids in merge(self.seen):
            terminalreporter.line(f"{c.describe()} -- in {len(nodeids)} scenario(s), first {nodeids[0]}")

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.seen and exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    """A verb the target cannot perform makes the scenario "not automated" (skipped), not failed or passed.

    This holds for a known deviation too: "not automated" says more than an xfail would.
    """
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if call.when == "call":
        _cross_check(item, report)
    if call.excinfo is not None and call.excinfo.errisinstance(NotSupportedByTarget):
        report.outcome = "skipped"
        path, line, _domain = item.location
        report.longrepr = (path, (line or 0) + 1, f"{NOT_AUTOMATED}: {call.excinfo.value}")
        if hasattr(report, "wasxfail"):
            del report.wasxfail
