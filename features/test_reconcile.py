"""Reconciling a business day: the scenarios of the reconciliation step family.

The steps live in :mod:`features.steps.reconcile` (meant for the shared vocabulary); this
module binds them to ``reconcile.feature``.
"""

from __future__ import annotations

from pytest_bdd import scenarios

from features.steps.reconcile import *  # noqa: F403  (the reconciliation step family and its fixture)

scenarios("reconcile.feature")
