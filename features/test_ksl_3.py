"""Kassasystemlova § 3: the identity of the system easily accessible; exchange slips not receipts.

First ledd: the ID number is read off the X report the till prints, model (system), version
and producer off the journal export's header, and both are compared with the capability
profile's ``[identity]``. The till has no "About" verb in the driver contract; a target
that has an About screen is reviewed by hand (clause ksl_3_l1, observe U).

Andre ledd, exchange slips (Skatteetaten's FAQ): a byttelapp may be printed on the receipt
printer only if nobody can take it for a salskvittering -- no receipt name at the top, no
amount to pay.
"""

from __future__ import annotations

import re

from pytest_bdd import parsers, scenarios, then

from features.steps.operate import Scene
from features.steps.receipts import *  # noqa: F403  (the shared receipt steps)
from features.steps.receipts import amount_pattern, basket, basket_total, headings, step_document, step_documents
from harness.documents import is_headed
from harness.profile import Profile
from harness.targets import TillDriver

scenarios("ksl_3.feature")


#: Labels that present an amount as money to pay
_TO_PAY = re.compile(r"total|sum|å betale|beløp|betalt|kontant|kort", re.IGNORECASE)


@then("the X report the step printed shows the system's ID number declared in the profile")
def x_report_shows_id(till: TillDriver, scene: Scene, profile: Profile) -> None:
    """§ 3 første ledd: the ID number is easily accessible -- on every X report the till prints."""
    documents = step_documents(till, scene)
    reports = [d for d in documents if is_headed(d, "X-rapport")]
    assert len(reports) == 1, f"the step printed {headings(documents)}, not one X report"
    assert reports[0].contains(profile.system_id), (
        f"the X report does not show the ID number {profile.system_id!r}:\n{reports[0].text}"
    )


@then("the journal export names the producer, the system and the version declared in the profile")
def export_names_identity(till: TillDriver, scene: Scene, profile: Profile) -> None:
    """§ 3 første ledd: model and version accessible -- the SAF-T header names them as declared."""
    header = scene.journal(till).header
    expected = {
        "softwareCompanyName": profile.producer,
        "softwareDesc": profile.system,
        "softwareVersion": profile.version,
    }
    wrong = {k: header.get(k, "") for k, v in expected.items() if header.get(k, "").strip() != v}
    assert not wrong, f"the export's header says {wrong}; the profile declares {expected}"


@then("the exchange slip the step printed is not headed as a receipt")
def slip_not_headed_as_receipt(till: TillDriver, scene: Scene) -> None:
    """§ 3 andre ledd (FAQ): a byttelapp carries no receipt name at the top."""
    slip = step_document(till, scene)
    heading = slip.first_text_line()
    assert "kvittering" not in heading.casefold(), f"the exchange slip is headed {heading!r}:\n{slip.text}"


@then(parsers.parse("the exchange slip the step printed shows no amount to pay for {items}"))
def slip_shows_no_amount(till: TillDriver, scene: Scene, profile: Profile, items: str) -> None:
    """§ 3 andre ledd (FAQ): a byttelapp shows no total that looks like a sale."""
    slip = step_document(till, scene)
    total = amount_pattern(basket_total(profile, basket(items)))
    shown = [text for text, _w, _h in slip.lines if total.search(text)]
    assert not shown, f"the exchange slip shows the sale's amount: {shown}\n{slip.text}"
    to_pay = [text for text, _w, _h in slip.lines if _TO_PAY.search(text) and re.search(r"\d,\d{2}", text)]
    assert not to_pay, f"the exchange slip shows amounts to pay: {to_pay}\n{slip.text}"
