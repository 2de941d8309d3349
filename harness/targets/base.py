"""The till-driver contract: the verbs the scenarios' Given and When steps need.

A :class:`TillDriver` operates one till -- the reference till in process, a vendor's POS
behind the upper-tester API, or a lab technician following prompts -- and reports only
whether the till accepted each operation. It never reports what the till printed,
kicked or exported as a verdict: that comes from the devices the harness plays and
from the journal export (the evidence, :mod:`harness.evidence`).

Every verb takes the kassapunkt id first. Amounts are øre (integers). A verb the target
cannot perform raises :class:`NotSupportedByTarget`; the scenario is then reported as
*not automated on this target*, never as compliant. A till that refuses an operation
(as the law sometimes requires it to) raises :class:`Refused` with the till's reason.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from harness.evidence import EvidenceLog

__all__ = ["Concluded", "NotSupportedByTarget", "Refused", "TargetError", "TillDriver"]


class TargetError(Exception):
    """The target cannot be reached or used; the message says what to check."""


class NotSupportedByTarget(Exception):
    """This target cannot perform the verb; the scenario is "not automated" on it."""

    def __init__(self, target: str, verb: str, detail: str = "") -> None:
        self.target, self.verb = target, verb
        super().__init__(f"{target} cannot {verb}" + (f": {detail}" if detail else ""))


class Refused(Exception):
    """The till refused the operation (``reason`` in its own words, ``rule`` if it named one)."""

    def __init__(self, verb: str, reason: str, rule: str = "") -> None:
        self.verb, self.reason, self.rule = verb, reason, rule
        super().__init__(f"the till refused to {verb}: {reason}")


@dataclass(frozen=True, slots=True)
class Concluded:
    """What the till says about a concluded sale (its receipt is judged from the printer).

    Attributes:
        trans_id: The till's identifier of the transaction (used to ask for a copy).
        amount: The sale's total in øre.
    """

    trans_id: str
    amount: int


class TillDriver(ABC):
    """Operates one till. See the module docstring for the rules every target follows.

    Attributes:
        name: The target URL, for messages and the report.
        evidence: Where the harness's devices record what the till really did.
        registers: The kassapunkt ids the scenarios may use.
    """

    name: str
    evidence: EvidenceLog
    registers: tuple[str, ...]

    def _unsupported(self, verb: str) -> NotSupportedByTarget:
        return NotSupportedByTarget(self.name, verb)

    # --- session ---------------------------------------------------------------------
    @abstractmethod
    def open_register(self, register: str, operator: str) -> None:
        """Start the kassapunkt and log the operator in."""

    def close_register(self, register: str) -> None:
        """Log out and stop the kassapunkt."""
        raise self._unsupported("close a kassapunkt")

    def register_float(self, register: str, amount: int) -> None:
        """Register the opening change float (vekselkasse)."""
        raise self._unsupported("register an opening float")

    def login(self, register: str, operator: str) -> None:
        """Log another operator in at a started kassapunkt (the one logged in before logs out)."""
        raise self._unsupported("change the operator")

    def logout(self, register: str) -> None:
        """Log the operator out; the kassapunkt stays started."""
        raise self._unsupported("log the operator out")

    # --- the sale ----------------------------------------------------------------------
    @abstractmethod
    def add_item(self, register: str, art_id: str, quantity: int = 1) -> None:
        """Add a sale line."""

    def add_campaign_item(self, register: str, art_id: str, quantity: int, discount: int) -> None:
        """Add a sale line on which the till's own campaign (e.g. «3 for 2») takes ``discount`` øre off.

        A campaign is the till's automatic price rule, not a discount given at the
        kassapunkt, so it is not counted in the X/Z reports' discounts (§ 2-8-2 bokstav q).
        """
        raise self._unsupported("register an article under a campaign")

    def return_item(self, register: str, art_id: str, quantity: int = 1) -> None:
        """Add a return line (goods taken back)."""
        raise self._unsupported("register a return")

    def discount(self, register: str, line: int, amount: int) -> None:
        """Give a manual discount of ``amount`` øre on sale line ``line`` (1-based)."""
        raise self._unsupported("give a manual discount")

    def correct_line(self, register: str, line: int, quantity: int) -> None:
        """Change the quantity of sale line ``line`` (1-based) before the sale is concluded."""
        raise self._unsupported("correct a sale line")

    def remove_line(self, register: str, line: int) -> None:
        """Delete sale line ``line`` (1-based) before the sale is concluded."""
        raise self._unsupported("delete a sale line")

    def set_buyer(self, register: str, name: str) -> None:
        """Put the buyer's name on the open sale (bokføringsforskrifta § 5-1-2, cash of NOK 40 000 or more)."""
        raise self._unsupported("register the buyer's name")

    def park(self, register: str) -> str:
        """Park the open sale; return its reference."""
        raise self._unsupported("park a sale")

    def resume(self, register: str, ref: str) -> None:
        """Resume a parked sale."""
        raise self._unsupported("resume a parked sale")

    @abstractmethod
    def pay_cash(self, register: str, tendered: int | None = None) -> None:
        """Take cash (the sale's total if ``tendered`` is None)."""

    def pay_card(self, register: str, amount: int | None = None) -> None:
        """Take a card payment through the payment terminal."""
        raise self._unsupported("take a card payment")

    def pay_other(self, register: str, kind: str, amount: int | None = None) -> None:
        """Take another means of payment: ``kind`` is ``giftcard`` or ``mobile``."""
        raise self._unsupported(f"take a {kind} payment")

    @abstractmethod
    def conclude(self, register: str, *, electronic_receipt: str = "") -> Concluded:
        """Conclude the sale (the till prints its salskvittering).

        Args:
            register: The kassapunkt.
            electronic_receipt: An address the receipt is also sent to (the paper one is then the copy).
        """

    def conclude_credit(self, register: str, customer: str) -> Concluded:
        """Conclude the sale as a credit sale invoiced later (the till prints an utleveringskvittering)."""
        raise self._unsupported("conclude a credit sale")

    def void(self, register: str) -> None:
        """Cancel the open sale."""
        raise self._unsupported("void a sale")

    # --- documents and functions ---------------------------------------------------------
    def copy_receipt(self, register: str, trans_id: str) -> None:
        """Print a kopikvittering of a concluded sale."""
        raise self._unsupported("print a copy receipt")

    def provisional_receipt(self, register: str) -> None:
        """Print a foreløpig kvittering of the open sale."""
        raise self._unsupported("print a provisional receipt")

    def training(self, register: str, on: bool) -> None:
        """Switch treningsmodus on or off."""
        raise self._unsupported("switch training mode")

    def price_lookup(self, register: str, art_id: str) -> None:
        """Look up an article's price without selling it."""
        raise self._unsupported("look up a price")

    def open_drawer(self, register: str) -> None:
        """Open the cash drawer without a sale (nullinnslag)."""
        raise self._unsupported("open the drawer without a sale")

    def close_drawer(self, register: str) -> None:
        """Push the drawer shut (a cashier's hand; on emulated drawers the harness does it)."""
        raise self._unsupported("close the drawer")

    def exchange_slip(self, register: str, trans_id: str) -> None:
        """Print a byttelapp (exchange slip) for a concluded sale."""
        raise self._unsupported("print an exchange slip")

    def cash_in(self, register: str, amount: int) -> None:
        """Register a cash pay-in (innbetaling) of ``amount`` øre."""
        raise self._unsupported("register a cash pay-in")

    def cash_out(self, register: str, amount: int) -> None:
        """Register a cash pay-out (utbetaling) of ``amount`` øre."""
        raise self._unsupported("register a cash pay-out")

    def change_price(self, register: str, art_id: str, price: int) -> None:
        """Change an article's price to ``price`` øre."""
        raise self._unsupported("change a price")

    def x_report(self, register: str) -> None:
        """Produce an X report."""
        raise self._unsupported("produce an X report")

    def z_report(self, register: str) -> None:
        """Produce a Z report."""
        raise self._unsupported("produce a Z report")

    def settle(self, register: str, counted: int) -> None:
        """Daily settlement (dagsoppgjør) against the last Z report with ``counted`` øre of cash."""
        raise self._unsupported("settle the day")

    def export_journal(self, out_dir: Path, start: date | None = None, end: date | None = None) -> Path:
        """Export the electronic journal as SAF-T Cash Register XML into ``out_dir``; return the file."""
        raise self._unsupported("export the journal")

    def kill_and_restart(self) -> None:
        """Kill the till's process without warning and start it again on the same journal."""
        raise self._unsupported("kill and restart the till")

    def next_business_day(self, register: str) -> None:
        """Move the till on to the next business day: its clock reads 08:00 the next day.

        Nothing is closed or reported on the till's behalf: a scenario takes its Z report
        first, as a shop does at the end of the day (kassasystemforskrifta § 2-8-3).
        """
        raise self._unsupported("move on to the next business day")

    # --- the harness's side -----------------------------------------------------------
    def set_printer(
        self, register: str, *, paper_out: bool = False, cover_open: bool = False, after_lines: int = 0
    ) -> None:
        """Put the emulated printer into a state (paper end, cover open), now or mid-document.

        Args:
            register: The kassapunkt whose printer it is.
            paper_out: The paper runs out.
            cover_open: The cover is opened.
            after_lines: 0: the state holds from now on (neither flag: the printer is ready again,
                and a fault still waiting to strike is called off). N ≥ 1: the fault (exactly one
                of ``paper_out`` and ``cover_open``) strikes after N printed lines of the next
                document; the printer holds the rest until it is made ready again.
        """
        raise self._unsupported("control the printer's state")

    def set_drawer(self, register: str, *, stuck_open: bool = False) -> None:
        """Make the emulated drawer stick open (it then cannot be pushed shut) or work again."""
        raise self._unsupported("control the drawer's state")

    def script_terminal(self, register: str, outcome: str, seconds: float = 0.0) -> None:
        """Script the emulated payment terminal's answer to the next payment.

        Args:
            register: The kassapunkt whose terminal answers.
            outcome: ``approve``, ``decline``, ``timeout`` (no answer for ``seconds``) or ``abort``.
            seconds: How long a ``timeout`` keeps the till waiting.
        """
        raise self._unsupported("script the payment terminal")

    def close(self) -> None:  # noqa: B027 - optional for targets that hold nothing
        """Release the target (processes, ports, files)."""
