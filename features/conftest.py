"""The compliance suite's wiring: the shared step vocabulary for every feature file.

The ``till`` fixture and the ``--target`` option come from the kassakontroll pytest
plugin (:mod:`harness.pytest_plugin`).
"""

from __future__ import annotations

from features.steps.operate import *  # noqa: F403  (pytest-bdd step fixtures)
