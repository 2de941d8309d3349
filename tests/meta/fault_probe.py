"""A pytest plugin for the fault meta-test: which fault switches each scenario consults.

Loaded with ``-p tests.meta.fault_probe`` into a clean run of the suite (no fault on). It
wraps the fault set every :class:`~reference_till.till.Till` is built with in a frozenset
that notes each switch asked about, and writes, at the end of the session, a JSON object
``{scenario id: [fault names]}`` to the file named by ``KASSAKONTROLL_FAULT_PROBE``.

The reference till acts on a fault only through ``Fault.X in faults`` (a rule it keeps:
every switch is consulted where it would change behaviour, and only there). A scenario
that never asks about a switch therefore runs the same, step for step, with it on; the
meta-test runs each switch against the scenarios that consult it and knows the others
pass.
"""

from __future__ import annotations

import json
import os
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from reference_till import till as till_module
from reference_till.faults import Fault

#: Environment variable naming the file the probe writes.
PROBE_FILE = "KASSAKONTROLL_FAULT_PROBE"

_asked: set[str] = set()
_by_scenario: dict[str, set[str]] = {}


class _Probe(frozenset[Fault]):
    """A fault set that notes which switches were asked about."""

    def __contains__(self, item: object) -> bool:
        if isinstance(item, Fault):
            _asked.add(item.value)
        return super().__contains__(item)


_original_init = till_module.Till.__init__


def _probing_init(self: Any, *args: Any, faults: frozenset[Fault] = frozenset(), **kwargs: Any) -> None:
    _original_init(self, *args, faults=_Probe(faults), **kwargs)


till_module.Till.__init__ = _probing_init  # type: ignore[method-assign]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, None, None]:
    """Attribute the switches asked about during one scenario (setup, call, teardown) to it."""
    _asked.clear()
    yield
    marker = item.get_closest_marker("scenario_id")
    if marker is not None and marker.args:
        _by_scenario[str(marker.args[0])] = set(_asked)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write ``{scenario id: [faults]}``."""
    target = os.environ.get(PROBE_FILE)
    if target:
        Path(target).write_text(json.dumps({k: sorted(v) for k, v in _by_scenario.items()}), encoding="utf-8")
