"""Scripted outcomes of payment-terminal transactions.

A scenario queues outcomes with :meth:`TerminalEmulator.script`; each Payment or Refund request
consumes the next one (devices.md §4.3, "Scriptable outcomes"). Without a script every
transaction is approved with the emulator's default card.

=================  =============================================================================
``approve()``      Success; the full amount is authorised with the given card.
``decline()``      Failure with ErrorCondition ``Refusal`` (or another reason, e.g. ``WrongPIN``);
                   an AVVIST receipt is produced.
``timeout(s)``     The HTTP answer is held back for ``s`` seconds, longer than the POS waits.
                   The emulator's choice: the transaction fails at once (Failure /
                   ``UnreachableHost``, as when the terminal gives up on the acquirer), so nothing
                   is authorised or totalled, and TransactionStatus reports the failure even while
                   the late answer is still held back. A POS that times out must therefore never
                   conclude the sale as paid.
``abort()``        Failure / ``Aborted``: the customer pressed cancel on the terminal.
``busy()``         Failure / ``Busy``: the terminal is occupied (nothing happens).
``partial(ore)``   Result ``Partial``: only ``ore`` is authorised (the POS must collect the rest).
=================  =============================================================================

``approve``, ``decline``, ``abort`` and ``partial`` take ``delay``: seconds the customer spends at
the terminal before the answer. During that time the transaction is in progress: an
AbortRequest makes it answer ``Aborted``, TransactionStatus answers ``InProgress`` and another
payment is refused as ``Busy``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from devices.terminal.cards import card_for
from devices.terminal.messages import ERROR_CONDITIONS

__all__ = ["Outcome", "OutcomeKind", "abort", "approve", "busy", "decline", "partial", "timeout"]

OutcomeKind = Literal["approve", "decline", "timeout", "abort", "busy", "partial"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """One scripted outcome; build it with the functions of this module.

    Attributes:
        kind: What happens.
        card: Brand of the card presented (``None``: the emulator's default card).
        reason: nexo ErrorCondition of a decline.
        delay: Seconds before the terminal answers (for ``timeout`` the time the answer is held back).
        amount_ore: Authorised amount of a partial approval.
    """

    kind: OutcomeKind
    card: str | None = None
    reason: str = ""
    delay: float = 0.0
    amount_ore: int = 0


def _check_delay(delay: float) -> float:
    if not 0 <= delay <= 600:
        raise ValueError(f"delay {delay} s is out of range; use 0 to 600 seconds")
    return float(delay)


def _check_card(card: str | None) -> str | None:
    if card is not None:
        card_for(card)  # raises with the list of brands
    return card


def approve(card: str | None = None, *, delay: float = 0.0) -> Outcome:
    """Approve the full amount with ``card`` (``BankAxept``, ``Visa``, ``Mastercard``)."""
    return Outcome("approve", card=_check_card(card), delay=_check_delay(delay))


def decline(reason: str = "Refusal", *, card: str | None = None, delay: float = 0.0) -> Outcome:
    """Decline with the nexo ErrorCondition ``reason`` (``Refusal``, ``WrongPIN``, ``PaymentRestriction`` ...)."""
    if reason not in ERROR_CONDITIONS:
        raise ValueError(
            f"decline reason {reason!r} is not a nexo ErrorCondition; use one of {sorted(ERROR_CONDITIONS)}"
        )
    return Outcome("decline", card=_check_card(card), reason=reason, delay=_check_delay(delay))


def timeout(seconds: float) -> Outcome:
    """Hold the answer back ``seconds`` (longer than the POS's timeout); the transaction fails."""
    if seconds <= 0:
        raise ValueError("a timeout needs a positive number of seconds, longer than the client's timeout")
    return Outcome("timeout", reason="UnreachableHost", delay=_check_delay(seconds))


def abort(*, delay: float = 0.0) -> Outcome:
    """The customer cancels on the terminal: Failure / Aborted."""
    return Outcome("abort", reason="Aborted", delay=_check_delay(delay))


def busy() -> Outcome:
    """The terminal is busy: Failure / Busy."""
    return Outcome("busy", reason="Busy")


def partial(amount_ore: int, *, card: str | None = None, delay: float = 0.0) -> Outcome:
    """Authorise only ``amount_ore`` (less than requested; capped at the requested amount)."""
    if isinstance(amount_ore, bool) or not isinstance(amount_ore, int) or amount_ore <= 0:
        raise ValueError(f"partial approval needs a positive whole number of øre, got {amount_ore!r}")
    return Outcome("partial", card=_check_card(card), amount_ore=amount_ore, delay=_check_delay(delay))
