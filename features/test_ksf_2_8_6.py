"""kassasystemforskrifta § 2-8-6 (marking of receipts that are not sales receipts): the legal checks."""

from __future__ import annotations

from pytest_bdd import parsers, scenarios, then

from features.steps.operate import Scene
from harness.observe import printed
from harness.targets import TillDriver

scenarios("ksf_2_8_6.feature")


@then(parsers.parse('the document the step printed is marked "{mark}"'))
def document_marked(till: TillDriver, scene: Scene, mark: str) -> None:
    """§ 2-8-6: the one document the step printed carries ``mark``."""
    documents = printed(till.evidence, scene.register, scene.step_start)
    assert len(documents) == 1, f"the step printed {len(documents)} documents"
    assert documents[0].contains(mark), f"no {mark!r} on the document:\n{documents[0].text}"
