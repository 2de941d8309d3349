"""``reference://``: the reference till in this process, its devices emulated over ``loop://`` links.

The till is the one in :mod:`reference_till`, with a fresh journal in a temporary
directory, a simulated clock (a business day from 08:00, each reading a few seconds
later, so runs are repeatable) and, per kassapunkt, the harness's printer, drawer and
payment terminal (:class:`~reference_till.demo_devices.EmulatedShop`): the till reaches
them through the same link URLs a shop's configuration would hold, and they record what
really happened in the evidence log. The driver passes the till's refusals on as
:class:`~harness.targets.base.Refused`.

URL: ``reference://`` (two kassapunkter) or ``reference://?registers=1&day=2026-11-22``;
``fault=NAME[,NAME]`` switches on fault switches (:mod:`reference_till.faults`) to prove
that scenarios fail against a till that breaks their rule.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

from harness.targets.base import Concluded, Refused, TargetError
from harness.targets.shop_side import ShopSide
from reference_till.config import TillConfig, load_config
from reference_till.demo import SimulatedClock
from reference_till.demo_devices import EmulatedShop
from reference_till.errors import ReceiptNotPrinted, TillError
from reference_till.faults import parse_faults
from reference_till.model import CashTransaction
from reference_till.till import OSLO, Till

__all__ = ["ReferenceTarget"]

_T = TypeVar("_T")
_DEFAULT_DAY = date(2026, 11, 23)


class ReferenceTarget(ShopSide):
    """The reference till, in process, with emulated devices.

    Args:
        url: ``reference://`` with optional ``registers`` (1 or 2) and ``day`` (ISO date).
        config: The shop; the embedded default when omitted.
        make_till: Builds the till (``Till`` unless a test wraps it).
    """

    def __init__(
        self,
        url: str = "reference://",
        *,
        config: TillConfig | None = None,
        make_till: Callable[..., Till] = Till,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme != "reference":
            raise TargetError(f"{url!r} is not a reference:// URL")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            count = int(query.get("registers", "2"))
            day = date.fromisoformat(query.get("day", _DEFAULT_DAY.isoformat()))
            faults = parse_faults(query.get("fault", ""))
        except ValueError as exc:
            raise TargetError(f"{url}: {exc}; write reference://?registers=2&day=2026-11-23") from exc
        self.config = config or load_config()
        if not 1 <= count <= len(self.config.registers):
            raise TargetError(f"{url}: registers must be 1 to {len(self.config.registers)}")
        self.name = url
        self.clock = SimulatedClock(datetime.combine(day, time(8, 0), OSLO))
        self._folder = tempfile.TemporaryDirectory(prefix="kassakontroll-reference-")
        self.shop = EmulatedShop(self.config, registers=count)
        self.evidence = self.shop.log
        self.registers = tuple(r.id for r in self.config.registers[:count])
        self._make_till, self._faults = make_till, faults
        self._journal_path = Path(self._folder.name) / "journal.sqlite"
        try:
            self.till = make_till(self._journal_path, self.config, devices=self.shop.devices, clock=self.clock,
                                  faults=faults)  # fmt: skip
        except BaseException:
            self.shop.close()
            self._folder.cleanup()
            raise

    def _do(self, verb: str, action: Callable[[], _T]) -> _T | None:
        """Run a till verb; its refusal becomes :class:`Refused`, a receipt that did not print gives None."""
        try:
            return action()
        except ReceiptNotPrinted:
            return None  # accepted and journaled; the printer failed mid-document (the evidence shows it)
        except TillError as exc:
            raise Refused(verb, str(exc), getattr(exc, "clause", "")) from exc

    # --- session
    def open_register(self, register: str, operator: str) -> None:
        """Start the kassapunkt and log the operator in."""
        self._do("start the kassapunkt", lambda: self.till.start(register))
        self._do("log in", lambda: self.till.login(register, operator))

    def close_register(self, register: str) -> None:
        """Log out and stop the kassapunkt."""
        self._do("log out", lambda: self.till.logout(register))
        self._do("stop the kassapunkt", lambda: self.till.stop(register))

    def register_float(self, register: str, amount: int) -> None:
        """Register the opening change float."""
        self._do("register an opening float", lambda: self.till.register_float(register, amount))

    def login(self, register: str, operator: str) -> None:
        """Log another operator in."""
        self._do("log in", lambda: self.till.login(register, operator))

    def logout(self, register: str) -> None:
        """Log the operator out."""
        self._do("log out", lambda: self.till.logout(register))

    # --- the sale
    def add_item(self, register: str, art_id: str, quantity: int = 1) -> None:
        """Add a sale line."""
        self._do("add a line", lambda: self.till.add_item(register, art_id, quantity))

    def add_campaign_item(self, register: str, art_id: str, quantity: int, discount: int) -> None:
        """Add a line with a campaign discount."""
        self._do(
            "add a campaign line", lambda: self.till.add_item(register, art_id, quantity, campaign_discount=discount)
        )

    def return_item(self, register: str, art_id: str, quantity: int = 1) -> None:
        """Add a return line."""
        self._do("register a return", lambda: self.till.return_item(register, art_id, quantity))

    def discount(self, register: str, line: int, amount: int) -> None:
        """Give a manual discount on a line."""
        self._do("give a discount", lambda: self.till.discount(register, line, amount))

    def correct_line(self, register: str, line: int, quantity: int) -> None:
        """Change a line's quantity."""
        self._do("correct a line", lambda: self.till.correct_line(register, line, quantity))

    def remove_line(self, register: str, line: int) -> None:
        """Delete a line."""
        self._do("delete a line", lambda: self.till.remove_line(register, line))

    def set_buyer(self, register: str, name: str) -> None:
        """Put the buyer's name on the sale."""
        self._do("register the buyer", lambda: self.till.set_buyer(register, name))

    def park(self, register: str) -> str:
        """Park the open sale."""
        ref = self._do("park the sale", lambda: self.till.park(register))
        if ref is None:
            raise TargetError(f"kassapunkt {register}: parking gave no reference")
        return ref

    def resume(self, register: str, ref: str) -> None:
        """Resume a parked sale."""
        self._do("resume the sale", lambda: self.till.resume(register, ref))

    def pay_cash(self, register: str, tendered: int | None = None) -> None:
        """Take cash."""
        self._do("take cash", lambda: self.till.pay_cash(register, tendered))

    def pay_card(self, register: str, amount: int | None = None) -> None:
        """Take a card payment through the emulated terminal."""
        self._do("take a card payment", lambda: self.till.pay_card(register, amount))

    def pay_other(self, register: str, kind: str, amount: int | None = None) -> None:
        """Take a gift card or mobile payment (the first configured means of that kind)."""
        if kind not in ("giftcard", "mobile"):
            raise TargetError(f"payment kind {kind!r}: use giftcard or mobile")
        means = self.config.means_of_kind(kind).id  # type: ignore[arg-type]
        self._do(f"take a {kind} payment", lambda: self.till.pay_other(register, means, amount))

    def conclude(self, register: str, *, electronic_receipt: str = "") -> Concluded:
        """Conclude the sale."""
        tx = self._do("conclude the sale", lambda: self.till.conclude(register, electronic_receipt=electronic_receipt))
        return self._concluded(register, tx)

    def conclude_credit(self, register: str, customer: str) -> Concluded:
        """Conclude as a credit sale (delivery receipt)."""
        tx = self._do("conclude a credit sale", lambda: self.till.conclude_credit(register, customer))
        return self._concluded(register, tx)

    def _concluded(self, register: str, tx: CashTransaction | None) -> Concluded:
        if tx is None:  # concluded, but its receipt did not print: the journal has it
            tx = self.till.journal.last_transaction(register)
            if tx is None:
                raise TargetError(f"kassapunkt {register}: the till reported a concluded sale the journal lacks")
        return Concluded(tx.trans_id, tx.amount_in)

    def void(self, register: str) -> None:
        """Cancel the open sale."""
        self._do("void the sale", lambda: self.till.void(register))

    # --- documents and functions
    def copy_receipt(self, register: str, trans_id: str) -> None:
        """Print a copy receipt."""
        self._do("print a copy receipt", lambda: self.till.print_copy(register, trans_id))

    def provisional_receipt(self, register: str) -> None:
        """Print a provisional receipt."""
        self._do("print a provisional receipt", lambda: self.till.provisional_receipt(register))

    def training(self, register: str, on: bool) -> None:
        """Switch training mode."""
        self._do("switch training mode", lambda: self.till.set_training(register, on))

    def price_lookup(self, register: str, art_id: str) -> None:
        """Look up a price."""
        self._do("look up a price", lambda: self.till.price_lookup(register, art_id))

    def open_drawer(self, register: str) -> None:
        """Open the drawer without a sale."""
        self._do("open the drawer", lambda: self.till.open_drawer(register))

    def cash_in(self, register: str, amount: int) -> None:
        """Register a pay-in."""
        self._do("register a pay-in", lambda: self.till.cash_in(register, amount))

    def cash_out(self, register: str, amount: int) -> None:
        """Register a pay-out."""
        self._do("register a pay-out", lambda: self.till.cash_out(register, amount))

    def change_price(self, register: str, art_id: str, price: int) -> None:
        """Change an article's price."""
        self._do("change a price", lambda: self.till.change_price(art_id, price, register_id=register))

    def settle(self, register: str, counted: int) -> None:
        """Daily settlement with ``counted`` øre of cash counted (whole kroner, counted as one-krone coins)."""
        if counted % 100:
            raise TargetError(f"counted cash {counted} øre is not whole kroner; cash is counted in kroner")
        counts = {100: counted // 100}
        self._do("settle the day", lambda: self.till.settle(register, counted_by="1002", counts=counts))

    def x_report(self, register: str) -> None:
        """Produce an X report."""
        self._do("produce an X report", lambda: self.till.x_report(register))

    def z_report(self, register: str) -> None:
        """Produce a Z report."""
        self._do("produce a Z report", lambda: self.till.z_report(register))

    def export_journal(self, out_dir: Path, start: date | None = None, end: date | None = None) -> Path:
        """Export the journal as SAF-T (by default from its first business day to today)."""
        summary = self._do("export the journal", lambda: self.till.export_saft(out_dir, start, end))
        if summary is None or summary.path is None:
            raise TargetError("the reference till wrote no export file")
        return Path(summary.path)

    def next_business_day(self, register: str) -> None:
        """Move the simulated clock to 08:00 on the next day (the same clock for every kassapunkt)."""
        if register not in self.registers:
            raise TargetError(f"{self.name}: no kassapunkt {register!r}; known: {', '.join(self.registers)}")
        self.clock.next_day()

    def kill_and_restart(self) -> None:
        """Drop the till without closing it (as a killed process would) and open it again on its journal.

        Nothing the till still held in memory is written; the new till recovers from the
        journal alone (:mod:`reference_till.till_recovery`).
        """
        self.till.journal.close()  # what a killed process leaves: the committed journal, nothing else
        self.till = self._make_till(self._journal_path, self.config, devices=self.shop.devices, clock=self.clock,
                                    faults=self._faults)  # fmt: skip

    def close(self) -> None:
        """Close the till, its devices and the temporary journal."""
        try:
            self.till.close()
        finally:
            self.shop.close()
            self._folder.cleanup()
