"""kassasystemforskrifta § 2-6 (functions the system must not have): the legal checks.

Each Then step judges from the printer's evidence (:mod:`harness.observe`).
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree
from pytest_bdd import parsers, scenarios, then

from features.steps.operate import Scene
from harness.observe import Printed, printed
from harness.saft_spec import NAMESPACE
from harness.targets import TillDriver

scenarios("ksf_2_6.feature")

#: The receipt's name as the regulation writes it (nynorsk) and as Skatteetaten accepts it (bokmål).
SALES_RECEIPT_NAMES = ("Salskvittering", "Salgskvittering")


def _sales_receipts(documents: list[Printed]) -> list[Printed]:
    # kassasystemforskrifta § 2-8-4: the receipt's name stands at the top
    return [d for d in documents if d.first_text_line().startswith(SALES_RECEIPT_NAMES) and not d.contains("KOPI")]


@then("exactly one salskvittering has been printed")
def one_sales_receipt(till: TillDriver, scene: Scene) -> None:
    """§ 2-6 fjerde ledd: the concluded sale has its salskvittering (and only one)."""
    receipts = _sales_receipts(printed(till.evidence, scene.register, scene.start))
    assert len(receipts) == 1, f"{len(receipts)} salskvitteringar printed"


@then("no salskvittering has been printed")
def no_sales_receipt(till: TillDriver, scene: Scene) -> None:
    """Nothing that claims to be a salskvittering reached the printer."""
    receipts = _sales_receipts(printed(till.evidence, scene.register, scene.start))
    assert not receipts, f"{len(receipts)} salskvittering(ar) printed:\n{receipts[0].text}"


@then(parsers.parse('the step printed one document marked "{mark}"'))
def step_printed_one_marked(till: TillDriver, scene: Scene, mark: str) -> None:
    """The last When step printed exactly one document carrying ``mark``."""
    marked = [d for d in printed(till.evidence, scene.register, scene.step_start) if d.contains(mark)]
    assert len(marked) == 1, f"{len(marked)} documents marked {mark!r} printed"


@then(parsers.parse('exactly one document marked "{mark}" has been printed'))
def one_marked(till: TillDriver, scene: Scene, mark: str) -> None:
    """§ 2-6 fjerde ledd: never more than one kopikvittering."""
    marked = [d for d in printed(till.evidence, scene.register, scene.start) if d.contains(mark)]
    assert len(marked) == 1, f"{len(marked)} documents marked {mark!r} printed"


@then("the exported journal holds no cash transaction")
def journal_holds_no_transaction(till: TillDriver, scene: Scene, tmp_path: Path) -> None:
    """§ 2-6 fjerde ledd, § 2-7: nothing was concluded -- the journal export has no ``cashtransaction``."""
    export = till.export_journal(tmp_path)
    count = sum(1 for _ in etree.iterparse(str(export), tag=f"{{{NAMESPACE}}}cashtransaction", no_network=True))
    assert count == 0, f"the journal export holds {count} cash transaction(s): a sale was concluded"
