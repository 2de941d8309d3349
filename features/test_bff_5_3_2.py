"""bokføringsforskrifta § 5-3-2 andre ledd (registration per operator): the legal checks.

The Then steps judge from the journal export: the log-in and log-out events, the empID
of each transaction (its lines and payments too) and the per-operator figures of the
X and Z reports (reportEmpPayments), which the verifier has recomputed from the
transactions.
"""

from __future__ import annotations

from pytest_bdd import parsers, scenarios, then

from features.steps.codes import CASH_SALE_CODES, MEANS_CODES
from features.steps.operate import Scene, ore
from harness.targets import TillDriver
from harness.verify.records import format_ore

scenarios("bff_5_3_2.feature")

#: PredefinedBasicID-13 codes of an operator logging in and out.
LOGIN, LOGOUT = "13003", "13004"


@then(parsers.parse('the journal\'s log-ins and log-outs at kassapunkt "{register}" read "{expected}"'))
def logins_journaled(till: TillDriver, scene: Scene, register: str, expected: str) -> None:
    """§ 5-3-2 andre ledd: logging in (13003) and out (13004) is journaled with the operator's id."""
    register_id = scene.register_id(register)
    wanted = []
    for item in expected.split(","):
        way, operator = item.split()
        wanted.append(f"{way} {scene.operator_id(operator)}")
    export = scene.journal(till)
    names = {LOGIN: "in", LOGOUT: "out"}
    found = [
        f"{names[export.code('13', e.event_type)]} {e.emp_id}" for e in export.events_of(register_id, LOGIN, LOGOUT)
    ]
    # bokføringsforskrifta § 5-3-2 andre ledd: per-operator figures rest on journaled log-ins
    assert found == wanted, f"log-in/log-out events of kassapunkt {register_id}: {found}, expected {wanted}"


@then(parsers.parse('the journal\'s sale of {amount} kr carries operator "{operator}"'))
def sale_carries_operator(till: TillDriver, scene: Scene, amount: str, operator: str) -> None:
    """§ 5-3-2 andre ledd: the transaction, its lines and its payments carry the empID of who made it."""
    emp_id, value = scene.operator_id(operator), ore(amount)
    export = scene.journal(till)
    sales = [t for t in export.transactions_of(scene.register) if t.amount_in == value and not t.void]
    assert len(sales) == 1, f"{len(sales)} sales of {amount} kr at kassapunkt {scene.register} in the journal"
    sale = sales[0]
    # bokføringsforskrifta § 5-3-2 andre ledd: every registration names its operator
    named = [("transaction", sale.emp_id)]
    named += [(f"line {ln.line_id}", ln.emp_id) for ln in sale.lines if ln.emp_id]
    named += [(f"payment {p.payment_type}", p.emp_id) for p in sale.payments if p.emp_id]
    wrong = [f"{where}: empID {emp!r}" for where, emp in named if emp != emp_id]
    assert not wrong, f"{sale.trans_id} was made by operator {emp_id}, but the journal says {wrong}"


@then(
    parsers.re(
        r'the (?P<kind>X|Z) report of kassapunkt "(?P<register>[^"]+)" gives operator "(?P<operator>[^"]+)" '
        r"(?P<count>\d+) payments? of (?P<amount>[\d  ]+,\d{2}) kr (?:in|by) (?P<means>cash|card)$"
    ),
    converters={"count": int},
)
def operator_payments(
    till: TillDriver, scene: Scene, kind: str, register: str, operator: str, count: int, amount: str, means: str
) -> None:
    """§ 5-3-2 andre ledd (§ 2-8-2 bokstav h): the report gives each operator's figures per means of payment."""
    register_id, emp_id = scene.register_id(register), scene.operator_id(operator)
    export = scene.journal(till)
    reports = export.reports(register_id, kind)
    assert reports, f"the journal export {export.path.name} holds no {kind} report of kassapunkt {register_id}"
    rows = reports[-1].lists.get("reportEmpPayments", {})
    mine = [
        f for (emp, means_id), f in rows.items() if emp == emp_id and export.code("12", means_id) in MEANS_CODES[means]
    ]
    shown = (sum(f[0] or 0 for f in mine), sum(f[1] or 0 for f in mine))
    listed = {f"{emp}/{means_id}": [f[0], format_ore(f[1])] for (emp, means_id), f in rows.items()}
    assert shown == (count, ore(amount)), (
        f"the {kind} report gives operator {emp_id} {shown[0]} {means} payment(s) of {format_ore(shown[1])}, "
        f"expected {count} of {amount}; reportEmpPayments: {listed}"
    )


@then(parsers.parse('the journal holds no sale of kassapunkt "{register}"'))
def no_sale(till: TillDriver, scene: Scene, register: str) -> None:
    """§ 5-3-2 andre ledd: without an operator logged in, nothing is sold (nobody to register it on)."""
    register_id = scene.register_id(register)
    export = scene.journal(till)
    sales = [
        t.trans_id for t in export.transactions_of(register_id) if export.code("11", t.trans_type) in CASH_SALE_CODES
    ]
    assert not sales, f"the journal holds sale(s) {sales} made while no operator was logged in"
