"""A minimal third-party target and steps, written as a conftest for pytester suites of the plugin's tests."""

from __future__ import annotations

#: conftest.py text: a TillDriver with only the four required verbs, a ``till`` fixture and three steps.
MINIMAL_CONFTEST = """
import pytest
from harness.targets.base import Concluded, TillDriver
from harness.evidence import EvidenceLog
from pytest_bdd import given, then, when


class Minimal(TillDriver):
    name = "minimal://"
    registers = ("K1",)

    def __init__(self):
        self.evidence = EvidenceLog()

    def open_register(self, register, operator): pass
    def add_item(self, register, art_id, quantity=1): pass
    def pay_cash(self, register, tendered=None): pass
    def conclude(self, register): return Concluded("K1-1", 100)


@pytest.fixture
def till():
    return Minimal()


@given("a till")
def a_till(till): pass


@when("the operator prints a copy")
def copy(till): till.copy_receipt("K1", "K1-1")
"""
