"""The till's ports to its peripherals: receipt printer, cash drawer and payment terminal.

The till talks to each device through a small contract, so the same till runs with
the in-memory devices here (tests, demo), with the device emulators over real links,
or with real hardware. The in-memory devices behave like the real ones where the law
cares: a printer can report paper-out or cover-open, a drawer reports its sensor and
can stick, a terminal can decline, time out or be aborted.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from reference_till.model import KeyCountAmount

__all__ = [
    "DrawerPort",
    "MemoryDrawer",
    "MemoryPrinter",
    "MemoryTerminal",
    "PaymentTerminalPort",
    "PrinterError",
    "PrinterPort",
    "PrinterStatus",
    "TerminalOutcome",
    "TerminalResult",
]


class PrinterError(Exception):
    """The printer could not take a document (offline, paper out, cover open, link lost)."""


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """What the printer reports about itself (ESC/POS DLE EOT 1-4)."""

    online: bool = True
    paper_out: bool = False
    paper_near_end: bool = False
    cover_open: bool = False

    @property
    def ready(self) -> bool:
        """True when a document can be printed now."""
        return self.online and not self.paper_out and not self.cover_open

    def describe(self) -> str:
        """Plain words for an error message."""
        problems = [
            name
            for flag, name in (
                (not self.online, "offline"),
                (self.paper_out, "paper out"),
                (self.cover_open, "cover open"),
            )
            if flag
        ]
        return ", ".join(problems) or "ready"


class PrinterPort(ABC):
    """A receipt printer as the till sees it."""

    @abstractmethod
    def status(self) -> PrinterStatus:
        """Ask the printer for its status."""

    @abstractmethod
    def print_document(self, data: bytes) -> None:
        """Send one complete document (ESC/POS bytes ending in a cut).

        Raises:
            PrinterError: The printer did not take the whole document (a printer that stopped
                mid-document may still finish it: :meth:`printed_late`).
        """

    def printed_late(self, data: bytes) -> bool:
        """Whether the printer finished ``data`` after :meth:`print_document` failed on it.

        A printer that stopped mid-document (paper out, cover open) prints the rest once it is
        ready again. The document is then on paper and must not be sent again: that would be a
        second original (kassasystemforskrifta § 2-6 fjerde ledd). This default is for printers
        that never finish a document late (they fail before taking any of it).

        Raises:
            PrinterError: The printer cannot be asked (link lost).
        """
        return False


class MemoryPrinter(PrinterPort):
    """An in-memory printer that keeps every document it printed.

    Args:
        sink: Optional callable that also receives every printed document's bytes
            (a file, a device link).
    """

    def __init__(self, sink: Callable[[bytes], None] | None = None) -> None:
        self.documents: list[bytes] = []
        self.state = PrinterStatus()
        self.fail_next: int = 0  #: fail this many documents with a link error
        self._sink = sink

    def status(self) -> PrinterStatus:
        """Return the scenario-controlled state."""
        return self.state

    def set_state(self, **flags: bool) -> None:
        """Change the state, e.g. ``set_state(paper_out=True)``."""
        self.state = PrinterStatus(
            **{**{k: getattr(self.state, k) for k in ("online", "paper_out", "paper_near_end", "cover_open")}, **flags}
        )

    def print_document(self, data: bytes) -> None:
        """Keep the document, or fail like a printer that ran out of paper."""
        if not self.state.ready:
            raise PrinterError(f"printer not ready: {self.state.describe()}")
        if self.fail_next:
            self.fail_next -= 1
            raise PrinterError("printer link lost while printing")
        self.documents.append(data)
        if self._sink is not None:
            self._sink(data)


class DrawerPort(ABC):
    """An integrated cash drawer (kassasystemforskrifta § 1-2 bokstav a)."""

    @abstractmethod
    def kick(self) -> None:
        """Pulse the drawer solenoid to open it."""

    @abstractmethod
    def is_open(self) -> bool:
        """Read the drawer sensor (§ 2-6 femte ledd: the till must know when it is open)."""


class MemoryDrawer(DrawerPort):
    """An in-memory drawer with a sensor, a close button and faults."""

    def __init__(self) -> None:
        self.kicks = 0
        self._open = False
        self.stuck_closed = False  #: fault: the solenoid fires but the drawer stays shut
        self.auto_close = False  #: close again right after opening (a scenario shortcut)

    def kick(self) -> None:
        """Open the drawer unless it is jammed."""
        self.kicks += 1
        if not self.stuck_closed and not self.auto_close:
            self._open = True

    def is_open(self) -> bool:
        """The sensor state."""
        return self._open

    def close(self) -> None:
        """The operator pushes the drawer shut."""
        self._open = False

    def force_open(self) -> None:
        """Open with the emergency key (no kick)."""
        self._open = True


TerminalOutcome = Literal["approve", "decline", "timeout", "abort", "busy", "partial"]


@dataclass(frozen=True, slots=True)
class TerminalResult:
    """The answer of the payment terminal to one payment or refund."""

    approved: bool
    amount: int  #: approved amount (may be less than asked for a partial approval)
    reference: str = ""  #: terminal transaction id, printed on the receipt (§ 2-8-4)
    brand: str = ""  #: BankAxept, Visa, Mastercard
    masked_pan: str = ""
    message: str = ""


class PaymentTerminalPort(ABC):
    """An integrated payment terminal (bokføringsforskrifta § 5-3-1 bokstav p)."""

    @abstractmethod
    def payment(self, amount: int, *, sale_reference: str) -> TerminalResult:
        """Ask the customer to pay ``amount`` øre."""

    @abstractmethod
    def refund(self, amount: int, *, sale_reference: str) -> TerminalResult:
        """Refund ``amount`` øre to the customer's card."""

    @abstractmethod
    def totals(self) -> tuple[KeyCountAmount, ...]:
        """Totals since the last reconciliation, per brand (BankAxept, Visa ...)."""


@dataclass
class MemoryTerminal(PaymentTerminalPort):
    """A scripted in-memory payment terminal.

    Push outcomes with :meth:`script`; without a script every payment is approved with
    the next test card (BankAxept, Visa, Mastercard in turn unless ``brand`` is set).
    """

    brand: str = ""
    _outcomes: deque[TerminalOutcome] = field(default_factory=deque)
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _totals: dict[str, list[int]] = field(default_factory=dict)
    _cards: tuple[tuple[str, str], ...] = (
        ("BankAxept", "************1234"),
        ("Visa", "************0006"),
        ("Mastercard", "************0004"),
    )

    def script(self, *outcomes: TerminalOutcome) -> None:
        """Queue outcomes for the next payments."""
        self._outcomes.extend(outcomes)

    def _card(self, n: int) -> tuple[str, str]:
        if self.brand:
            return next((c for c in self._cards if c[0] == self.brand), (self.brand, "************9999"))
        return self._cards[(n - 1) % len(self._cards)]

    def _run(self, amount: int, sign: int) -> TerminalResult:
        outcome = self._outcomes.popleft() if self._outcomes else "approve"
        n = next(self._counter)
        brand, pan = self._card(n)
        if outcome == "decline":
            return TerminalResult(False, 0, message="Avvist av kortutsteder")
        if outcome == "timeout":
            return TerminalResult(False, 0, message="Tidsavbrudd: terminalen svarte ikke")
        if outcome == "abort":
            return TerminalResult(False, 0, message="Avbrutt av kunden")
        if outcome == "busy":
            return TerminalResult(False, 0, message="Terminalen er opptatt")
        approved = amount // 2 if outcome == "partial" else amount
        prefix = "BAX" if brand == "BankAxept" else brand[:4].upper()
        reference = f"{prefix}: 568833-{n:08d}"
        total = self._totals.setdefault(brand, [0, 0])
        total[0] += 1
        total[1] += sign * approved
        return TerminalResult(True, approved, reference, brand, pan, "Godkjent")

    def payment(self, amount: int, *, sale_reference: str) -> TerminalResult:
        """Run a payment with the next scripted outcome."""
        return self._run(amount, 1)

    def refund(self, amount: int, *, sale_reference: str) -> TerminalResult:
        """Run a refund with the next scripted outcome."""
        return self._run(amount, -1)

    def totals(self) -> tuple[KeyCountAmount, ...]:
        """Totals per card brand since start."""
        return tuple(KeyCountAmount(brand, c, a) for brand, (c, a) in sorted(self._totals.items()))
