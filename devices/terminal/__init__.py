"""Payment terminal emulator: nexo Retailer Sale-to-POI, JSON over HTTP on loopback (devices.md §4.3).

The terminal side is :class:`TerminalEmulator` served by :class:`TerminalServer` on
``POST /nexo``; the POS side is :class:`NexoClient`. Outcomes are scripted with
:func:`approve`, :func:`decline`, :func:`timeout`, :func:`abort`, :func:`busy` and
:func:`partial`. Card receipts follow devices.md §4.5; a stand-alone terminal prints its own,
marked «IKKJE KVITTERING FOR KJØP» (kassasystemforskrifta § 2-8-8).

Example::

    emulator = TerminalEmulator()
    with TerminalServer(emulator) as server:
        client = NexoClient(server.url)
        client.login("op1")
        emulator.script(approve("Visa"))
        outcome = client.payment(21900, "sale-1")
        assert outcome.approved and outcome.brand == "Visa"
"""

from __future__ import annotations

from devices.terminal.cards import BRANDS, CARDS, TestCard, card_for, check_masked_pan
from devices.terminal.client import NexoClient, PaymentOutcome, TerminalError, TerminalUnavailable
from devices.terminal.emulator import TerminalEmulator
from devices.terminal.outcomes import Outcome, abort, approve, busy, decline, partial, timeout
from devices.terminal.receipt import NOT_A_SALES_RECEIPT
from devices.terminal.server import TerminalServer
from devices.terminal.totals import BrandSum, BrandTotal, Totals

__all__ = [
    "BRANDS",
    "CARDS",
    "NOT_A_SALES_RECEIPT",
    "BrandSum",
    "BrandTotal",
    "NexoClient",
    "Outcome",
    "PaymentOutcome",
    "TerminalEmulator",
    "TerminalError",
    "TerminalServer",
    "TerminalUnavailable",
    "TestCard",
    "Totals",
    "abort",
    "approve",
    "busy",
    "card_for",
    "check_masked_pan",
    "decline",
    "partial",
    "timeout",
]
