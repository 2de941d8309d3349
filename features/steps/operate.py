"""Given and When steps: operating the till through its :class:`~harness.targets.base.TillDriver`.

These steps only operate; they never judge. What the till did is judged by the Then
steps next to each paragraph's feature file, from evidence. An operation the till
refuses is remembered in :class:`Scene` (``refusal``) for a Then step to look at; a
refusal nobody expected fails the scenario at its Then step, not here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from pytest_bdd import given, parsers, then, when

from harness.targets import Concluded, Refused, TillDriver


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

    @property
    def last_sale(self) -> Concluded:
        """The sale concluded last; the scenario must have concluded one."""
        assert self.sales, "the scenario concluded no sale (a step before this one was refused?)"
        return self.sales[-1]


@pytest.fixture
def scene(till: TillDriver) -> Scene:
    """The scenario's memory, starting at the evidence log's current end."""
    cursor = till.evidence.cursor()
    return Scene(register=till.registers[0], start=cursor, step_start=cursor)


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
    till.open_register(register, operator)
    scene.register = register


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


# --- When ----------------------------------------------------------------------------------


@when(parsers.parse('the operator registers {quantity:d} × article "{art_id}"'))
def register_item(till: TillDriver, scene: Scene, quantity: int, art_id: str) -> None:
    """Add a sale line."""
    _attempt(scene, till, lambda: till.add_item(scene.register, art_id, quantity))


@when("the customer pays the total in cash")
def pay_cash(till: TillDriver, scene: Scene) -> None:
    """Take cash for the sale's total."""
    _attempt(scene, till, lambda: till.pay_cash(scene.register))


@when("the operator concludes the sale")
def conclude(till: TillDriver, scene: Scene) -> None:
    """Conclude the sale."""
    _attempt(scene, till, lambda: scene.sales.append(till.conclude(scene.register)))


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


@when("the operator asks for a Z report")
def z_report(till: TillDriver, scene: Scene) -> None:
    """Ask for the day's Z report."""
    _attempt(scene, till, lambda: till.z_report(scene.register))


@when("the printer runs out of paper")
def paper_out(till: TillDriver, scene: Scene) -> None:
    """The harness's printer reports paper end from now on."""
    till.set_printer(scene.register, paper_out=True)


# --- Then (about the till's answer only; the legal checks sit next to their paragraph) ----


@then("the till refuses")
def till_refuses(scene: Scene) -> None:
    """The last operation was refused by the till."""
    assert scene.refusal is not None, "the till accepted the operation"


@then("the till accepts")
def till_accepts(scene: Scene) -> None:
    """The last operation was accepted."""
    assert scene.refusal is None, f"the till refused: {scene.refusal}"
