"""Given and When steps: operating the till through its :class:`~harness.targets.base.TillDriver`.

These steps only operate; they never judge. What the till did is judged by the Then
steps next to each paragraph's feature file, from evidence. An operation the till
refuses is remembered in :class:`Scene` (``refusal``) for a Then step to look at; a
refusal nobody expected fails the scenario at its Then step, not here.

The scenarios name the suite's kassapunkter and operators as ``"K1"``/``"K2"`` and
``"1001"``/``"1002"``; :class:`Scene` maps them to the first and second ids the target's
capability profile lists, so a vendor's till keeps its own ids. Amounts are written as
the receipt shows them (``21,90`` kr) and handed to the till in øre.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from pytest_bdd import given, parsers, then, when

from harness.journal_export import JournalExport, export_and_read
from harness.profile import Profile
from harness.targets import Concluded, Refused, TillDriver

#: The suite's names for the profile's first and second kassapunkt and operator.
_REGISTER_ROLES = ("K1", "K2")
_OPERATOR_ROLES = ("1001", "1002")


def ore(kroner: str) -> int:
    """``"21,90"`` or ``"1 000,00"`` kr as written in a scenario -> øre.

    Raises:
        ValueError: Not an amount with at most two decimals.
    """
    text = kroner.replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{kroner!r} is not an amount in kroner (write 21,90)") from None
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{kroner!r} has more than two decimals")
    return int(amount * 100)


@dataclass
class Scene:
    """What a scenario remembers between its steps.

    Attributes:
        register: The kassapunkt the scenario operates.
        start: Evidence cursor when the scenario began.
        step_start: Evidence cursor when the last When step began.
        sales: Sales concluded in this scenario, in order.
        parked: References of the sales parked in this scenario.
        refusal: The last operation the till refused (None if it accepted it).
    """

    register: str = ""
    start: int = 0
    step_start: int = 0
    sales: list[Concluded] = field(default_factory=list)
    parked: list[str] = field(default_factory=list)
    refusal: Refused | None = None
    profile: Profile | None = None
    out_dir: Path | None = None
    exports: int = 0

    def register_id(self, role: str) -> str:
        """The target's id of the suite's kassapunkt ``role`` (``"K1"`` -> the profile's first)."""
        return _role(role, _REGISTER_ROLES, self.profile.registers if self.profile else ())

    def operator_id(self, role: str) -> str:
        """The target's id of the suite's operator ``role`` (``"1001"`` -> the profile's first)."""
        return _role(role, _OPERATOR_ROLES, self.profile.operators if self.profile else ())

    def journal(self, till: TillDriver) -> JournalExport:
        """Export the journal as it is now, verify it with the profile's keys and read it."""
        assert self.profile is not None and self.out_dir is not None, "the scene has no profile"
        self.exports += 1
        out = self.out_dir / f"export-{self.exports}"
        out.mkdir(parents=True)
        return export_and_read(till, out, self.profile)

    @property
    def last_sale(self) -> Concluded:
        """The sale concluded last; the scenario must have concluded one."""
        assert self.sales, "the scenario concluded no sale (a step before this one was refused?)"
        return self.sales[-1]


def _role(role: str, roles: tuple[str, ...], ids: tuple[str, ...]) -> str:
    if role in roles and roles.index(role) < len(ids):
        return ids[roles.index(role)]
    return role


@pytest.fixture
def scene(till: TillDriver, profile: Profile, tmp_path: Path) -> Scene:
    """The scenario's memory, starting at the evidence log's current end."""
    cursor = till.evidence.cursor()
    register = profile.registers[0] if profile.registers else till.registers[0]
    return Scene(register=register, start=cursor, step_start=cursor, profile=profile, out_dir=tmp_path)


def _attempt(scene: Scene, till: TillDriver, action: Callable[[], object]) -> None:
    scene.step_start = till.evidence.cursor()
    scene.refusal = None
    try:
        action()
    except Refused as refused:
        scene.refusal = refused


# --- Given ---------------------------------------------------------------------------------


@given(parsers.parse('kassapunkt "{register}" is open with operator "{operator}"'))
def open_register(till: TillDriver, scene: Scene, register: str, operator: str) -> None:
    """Start a kassapunkt and log an operator in."""
    scene.register = scene.register_id(register)
    till.open_register(scene.register, scene.operator_id(operator))


@given(parsers.parse('a concluded cash sale of {quantity:d} × article "{art_id}"'))
def concluded_cash_sale(till: TillDriver, scene: Scene, quantity: int, art_id: str) -> None:
    """A whole sale: one line, paid in cash, concluded (its receipt printed), the drawer pushed shut."""
    till.add_item(scene.register, art_id, quantity)
    till.pay_cash(scene.register)
    scene.sales.append(till.conclude(scene.register))
    till.close_drawer(scene.register)


@given(parsers.parse('a concluded cash sale of {quantity:d} × article "{art_id}" with the drawer left open'))
def concluded_cash_sale_drawer_open(till: TillDriver, scene: Scene, quantity: int, art_id: str) -> None:
    """A whole cash sale; the drawer the sale opened is left open."""
    till.add_item(scene.register, art_id, quantity)
    till.pay_cash(scene.register)
    scene.sales.append(till.conclude(scene.register))


@given("the drawer is closed again")
@when("the cashier pushes the drawer shut")
def drawer_closed(till: TillDriver, scene: Scene) -> None:
    """The cashier pushes the drawer shut."""
    till.close_drawer(scene.register)


@given(parsers.parse('a parked sale of {quantity:d} × article "{art_id}"'))
def parked_sale(till: TillDriver, scene: Scene, quantity: int, art_id: str) -> None:
    """A sale with one line, parked."""
    till.add_item(scene.register, art_id, quantity)
    scene.parked.append(till.park(scene.register))


@given(parsers.parse('a concluded card sale of {quantity:d} × article "{art_id}"'))
def concluded_card_sale(till: TillDriver, scene: Scene, quantity: int, art_id: str) -> None:
    """A whole sale: one line, paid by card through the payment terminal, concluded."""
    till.add_item(scene.register, art_id, quantity)
    till.pay_card(scene.register)
    scene.sales.append(till.conclude(scene.register))


@given(parsers.parse('a concluded return of {quantity:d} × article "{art_id}" paid back in cash'))
def concluded_return(till: TillDriver, scene: Scene, quantity: int, art_id: str) -> None:
    """A whole return: goods taken back, the money paid out in cash, concluded, the drawer shut."""
    till.return_item(scene.register, art_id, quantity)
    till.pay_cash(scene.register)
    scene.sales.append(till.conclude(scene.register))
    till.close_drawer(scene.register)


@given(parsers.parse("an opening float of {amount} kr is registered"))
def opening_float(till: TillDriver, scene: Scene, amount: str) -> None:
    """Register the vekselkasse; the drawer it opened is pushed shut."""
    till.register_float(scene.register, ore(amount))
    till.close_drawer(scene.register)


@given("training mode is on")
def training_on_given(till: TillDriver, scene: Scene) -> None:
    """Switch treningsmodus on."""
    till.training(scene.register, True)


@given(parsers.parse('the scenario goes on at kassapunkt "{register}"'))
@when(parsers.parse('the scenario goes on at kassapunkt "{register}"'))
@when(parsers.parse('the operator turns to kassapunkt "{register}"'))
def goes_on_at(scene: Scene, register: str) -> None:
    """The next steps operate another kassapunkt that is already open."""
    scene.register = scene.register_id(register)


# --- When ----------------------------------------------------------------------------------


@when(parsers.parse("the operator registers an opening float of {amount} kr"))
def register_float_now(till: TillDriver, scene: Scene, amount: str) -> None:
    """The operator logged in now registers a vekselkasse; the drawer it opened is pushed shut."""

    def action() -> None:
        till.register_float(scene.register, ore(amount))
        till.close_drawer(scene.register)

    _attempt(scene, till, action)


@when(parsers.parse('the operator registers {quantity:d} × article "{art_id}"'))
def register_item(till: TillDriver, scene: Scene, quantity: int, art_id: str) -> None:
    """Add a sale line."""
    _attempt(scene, till, lambda: till.add_item(scene.register, art_id, quantity))


@when(parsers.parse('the operator registers {quantity:d} × article "{art_id}" with a campaign discount of {amount} kr'))
def register_campaign_item(till: TillDriver, scene: Scene, quantity: int, art_id: str, amount: str) -> None:
    """Add a sale line on which the till's own campaign takes ``amount`` off (not a discount given, § 2-8-2 q)."""
    _attempt(scene, till, lambda: till.add_campaign_item(scene.register, art_id, quantity, ore(amount)))


@when(parsers.parse('the operator registers a return of {quantity:d} × article "{art_id}"'))
def return_line(till: TillDriver, scene: Scene, quantity: int, art_id: str) -> None:
    """Add a return line."""
    _attempt(scene, till, lambda: till.return_item(scene.register, art_id, quantity))


@when(parsers.parse("the operator gives a discount of {amount} kr on line {line:d}"))
def discount(till: TillDriver, scene: Scene, amount: str, line: int) -> None:
    """A manual discount at the kassapunkt."""
    _attempt(scene, till, lambda: till.discount(scene.register, line, ore(amount)))


@when(parsers.parse("the operator corrects line {line:d} to quantity {quantity:d}"))
def correct_line(till: TillDriver, scene: Scene, line: int, quantity: int) -> None:
    """Change a line's quantity before the sale is concluded."""
    _attempt(scene, till, lambda: till.correct_line(scene.register, line, quantity))


@when(parsers.parse("the operator deletes line {line:d}"))
def remove_line(till: TillDriver, scene: Scene, line: int) -> None:
    """Delete a line before the sale is concluded."""
    _attempt(scene, till, lambda: till.remove_line(scene.register, line))


@when(parsers.parse('the operator enters the buyer\'s name "{name}"'))
def buyer(till: TillDriver, scene: Scene, name: str) -> None:
    """Put the buyer's name on the sale."""
    _attempt(scene, till, lambda: till.set_buyer(scene.register, name))


@when("the customer pays the total in cash")
def pay_cash(till: TillDriver, scene: Scene) -> None:
    """Take cash for the sale's total."""
    _attempt(scene, till, lambda: till.pay_cash(scene.register))


@when(parsers.parse("the customer pays {amount} kr in cash"))
def pay_cash_amount(till: TillDriver, scene: Scene, amount: str) -> None:
    """Take a given amount of cash (part payment, or more than the total)."""
    _attempt(scene, till, lambda: till.pay_cash(scene.register, ore(amount)))


@when("the customer pays the rest by card")
@when("the customer pays the total by card")
def pay_card(till: TillDriver, scene: Scene) -> None:
    """Take what is left to pay (the total, or the rest after other tenders) through the payment terminal."""
    _attempt(scene, till, lambda: till.pay_card(scene.register))


@when("the customer pays the total with a gift card")
def pay_giftcard(till: TillDriver, scene: Scene) -> None:
    """Take the total as a gift card."""
    _attempt(scene, till, lambda: till.pay_other(scene.register, "giftcard"))


@when("the customer pays the total by mobile payment")
def pay_mobile(till: TillDriver, scene: Scene) -> None:
    """Take the total as a mobile payment."""
    _attempt(scene, till, lambda: till.pay_other(scene.register, "mobile"))


@when("the operator concludes the sale")
def conclude(till: TillDriver, scene: Scene) -> None:
    """Conclude the sale."""
    _attempt(scene, till, lambda: scene.sales.append(till.conclude(scene.register)))


@when(parsers.parse('the operator concludes the sale with the receipt sent to "{address}"'))
def conclude_electronic(till: TillDriver, scene: Scene, address: str) -> None:
    """Conclude and send the receipt electronically."""
    _attempt(scene, till, lambda: scene.sales.append(till.conclude(scene.register, electronic_receipt=address)))


@when(parsers.parse('the operator concludes the sale as a credit sale to customer "{customer}"'))
def conclude_credit(till: TillDriver, scene: Scene, customer: str) -> None:
    """Conclude as a credit sale invoiced later."""
    _attempt(scene, till, lambda: scene.sales.append(till.conclude_credit(scene.register, customer)))


@when("the operator asks for a copy receipt of the sale")
def copy_receipt(till: TillDriver, scene: Scene) -> None:
    """Ask for a kopikvittering of the last concluded sale."""
    _attempt(scene, till, lambda: till.copy_receipt(scene.register, scene.last_sale.trans_id))


@when("the operator asks for another copy receipt of the sale")
def another_copy_receipt(till: TillDriver, scene: Scene) -> None:
    """Ask for a second kopikvittering of the same sale."""
    copy_receipt(till, scene)


@when("the operator parks the sale")
def park(till: TillDriver, scene: Scene) -> None:
    """Park the open sale."""
    _attempt(scene, till, lambda: scene.parked.append(till.park(scene.register)))


@when("the operator resumes the parked sale")
def resume(till: TillDriver, scene: Scene) -> None:
    """Resume the sale parked last."""
    assert scene.parked, "the scenario parked no sale"
    _attempt(scene, till, lambda: till.resume(scene.register, scene.parked.pop()))


@when("the operator voids the sale")
def void(till: TillDriver, scene: Scene) -> None:
    """Cancel the open sale."""
    _attempt(scene, till, lambda: till.void(scene.register))


@when("the operator prints a provisional receipt")
def provisional(till: TillDriver, scene: Scene) -> None:
    """Print a foreløpig kvittering of the open sale."""
    _attempt(scene, till, lambda: till.provisional_receipt(scene.register))


@when("the operator asks for an exchange slip of the sale")
def exchange_slip(till: TillDriver, scene: Scene) -> None:
    """Print a byttelapp for the last concluded sale."""
    _attempt(scene, till, lambda: till.exchange_slip(scene.register, scene.last_sale.trans_id))


@when("the operator switches training mode on")
def training_on(till: TillDriver, scene: Scene) -> None:
    """Switch treningsmodus on."""
    _attempt(scene, till, lambda: till.training(scene.register, True))


@when("the operator switches training mode off")
def training_off(till: TillDriver, scene: Scene) -> None:
    """Switch treningsmodus off."""
    _attempt(scene, till, lambda: till.training(scene.register, False))


@when(parsers.parse('the operator looks up the price of article "{art_id}"'))
def price_lookup(till: TillDriver, scene: Scene, art_id: str) -> None:
    """A prisundersøking: the price shown, nothing sold."""
    _attempt(scene, till, lambda: till.price_lookup(scene.register, art_id))


@when(parsers.parse('the operator changes the price of article "{art_id}" to {amount} kr'))
def change_price(till: TillDriver, scene: Scene, art_id: str, amount: str) -> None:
    """Change an article's price."""
    _attempt(scene, till, lambda: till.change_price(scene.register, art_id, ore(amount)))


@when("the operator opens the drawer without a sale")
def open_drawer(till: TillDriver, scene: Scene) -> None:
    """A nullinnslag."""
    _attempt(scene, till, lambda: till.open_drawer(scene.register))


@when(parsers.parse("the operator registers a cash pay-in of {amount} kr"))
def cash_in(till: TillDriver, scene: Scene, amount: str) -> None:
    """An innbetaling."""
    _attempt(scene, till, lambda: till.cash_in(scene.register, ore(amount)))


@when(parsers.parse("the operator registers a cash pay-out of {amount} kr"))
def cash_out(till: TillDriver, scene: Scene, amount: str) -> None:
    """An utbetaling."""
    _attempt(scene, till, lambda: till.cash_out(scene.register, ore(amount)))


@when(parsers.parse('operator "{operator}" logs in'))
def login(till: TillDriver, scene: Scene, operator: str) -> None:
    """Another operator takes over the kassapunkt."""
    _attempt(scene, till, lambda: till.login(scene.register, scene.operator_id(operator)))


@when("the operator logs out")
def logout(till: TillDriver, scene: Scene) -> None:
    """The operator logs out."""
    _attempt(scene, till, lambda: till.logout(scene.register))


@when("the operator asks for an X report")
def x_report(till: TillDriver, scene: Scene) -> None:
    """Ask for an X report."""
    _attempt(scene, till, lambda: till.x_report(scene.register))


@when(parsers.parse("the operator settles the day with {amount} kr counted"))
def settle(till: TillDriver, scene: Scene, amount: str) -> None:
    """The dagsoppgjør against the Z report."""
    _attempt(scene, till, lambda: till.settle(scene.register, ore(amount)))


@when("the operator asks for a Z report")
def z_report(till: TillDriver, scene: Scene) -> None:
    """Ask for the day's Z report."""
    _attempt(scene, till, lambda: till.z_report(scene.register))


@when("the printer runs out of paper")
def paper_out(till: TillDriver, scene: Scene) -> None:
    """The harness's printer reports paper end from now on."""
    till.set_printer(scene.register, paper_out=True)


@when("the printer's cover is opened")
def cover_open(till: TillDriver, scene: Scene) -> None:
    """The harness's printer reports its cover open from now on."""
    till.set_printer(scene.register, cover_open=True)


@when(parsers.parse("the printer will run out of paper after {lines:d} printed lines"))
def paper_out_mid_document(till: TillDriver, scene: Scene, lines: int) -> None:
    """The harness's printer runs out of paper after ``lines`` lines of the next document; it holds the rest."""
    till.set_printer(scene.register, paper_out=True, after_lines=lines)


@when(parsers.parse("the printer's cover will be opened after {lines:d} printed lines"))
def cover_open_mid_document(till: TillDriver, scene: Scene, lines: int) -> None:
    """The harness's printer reports its cover open after ``lines`` lines of the next document; it holds the rest."""
    till.set_printer(scene.register, cover_open=True, after_lines=lines)


@when("the printer is ready again")
def printer_ready(till: TillDriver, scene: Scene) -> None:
    """Paper loaded and cover closed: a document the printer held comes out."""
    till.set_printer(scene.register)


@when("the drawer sticks open")
def drawer_stuck(till: TillDriver, scene: Scene) -> None:
    """The harness's drawer can no longer be pushed shut."""
    till.set_drawer(scene.register, stuck_open=True)


@when("the drawer is repaired")
def drawer_repaired(till: TillDriver, scene: Scene) -> None:
    """The drawer works again (it can be pushed shut)."""
    till.set_drawer(scene.register, stuck_open=False)


@when(parsers.parse("the payment terminal will {outcome} the next payment"))
def terminal_outcome(till: TillDriver, scene: Scene, outcome: str) -> None:
    """Script the terminal: ``approve``, ``decline``, ``time out`` or ``abort``."""
    till.script_terminal(scene.register, outcome.replace("time out", "timeout"))


@when("the till process is killed and started again")
def killed(till: TillDriver, scene: Scene) -> None:
    """The till dies without warning and comes back on its journal; the operator logs in again."""
    till.kill_and_restart()
    operator = scene.profile.operators[0] if scene.profile else "1001"
    _attempt(scene, till, lambda: till.open_register(scene.register, operator))


@when("the till moves on to the next business day")
def next_business_day(till: TillDriver, scene: Scene) -> None:
    """The till's clock goes on to 08:00 the next day; the kassapunkt stays open with its operator."""
    till.next_business_day(scene.register)


# --- Then (about the till's answer only; the legal checks sit next to their paragraph) ----


@then("the till refuses")
def till_refuses(scene: Scene) -> None:
    """The last operation was refused by the till."""
    assert scene.refusal is not None, "the till accepted the operation"


@then("the till accepts")
def till_accepts(scene: Scene) -> None:
    """The last operation was accepted."""
    assert scene.refusal is None, f"the till refused: {scene.refusal}"
