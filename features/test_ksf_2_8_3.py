"""kassasystemforskrifta § 2-8-3 (the Z report): the legal checks, from the printer's evidence."""

from __future__ import annotations

from pytest_bdd import scenarios, then

from features.steps.operate import Scene
from harness.documents import is_headed
from harness.observe import Printed, printed
from harness.targets import TillDriver

scenarios("ksf_2_8_3.feature")


def _z_reports(documents: list[Printed]) -> list[Printed]:
    # § 2-8-3 første ledd: the report states that it is a Z report
    return [d for d in documents if is_headed(d, "Z-rapport")]


@then("exactly one Z report has been printed")
def one_z_report(till: TillDriver, scene: Scene) -> None:
    """§ 2-8-3 første ledd: one document headed «Z-rapport»."""
    reports = _z_reports(printed(till.evidence, scene.register, scene.start))
    assert len(reports) == 1, f"{len(reports)} Z reports printed"


@then("no Z report has been printed")
def no_z_report(till: TillDriver, scene: Scene) -> None:
    """§ 2-8-3 andre ledd: nothing headed «Z-rapport» reached the printer."""
    reports = _z_reports(printed(till.evidence, scene.register, scene.start))
    assert not reports, f"a Z report was printed:\n{reports[0].text}"
