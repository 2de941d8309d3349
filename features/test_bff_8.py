"""bokføringsforskrifta § 5-3-14 første ledd, § 8-3 and § 8-5: the end-of-day Z report and the sector groups.

Figures are judged by the shared steps of :mod:`features.steps.reports`. Whether a
sector rule applies is read from the evidence: the article groups the journal export
declares (masterfile ``basic`` of type 04) and the PredefinedBasicID-04 codes they carry.
A till whose groups carry no code of the sector is not such a business, and the scenario
is reported as not applicable (the capability profile has no field for the sector yet).
"""

from __future__ import annotations

import pytest
from pytest_bdd import parsers, scenarios, then

from features.steps.operate import Scene
from features.steps.reports import *  # noqa: F403  (pytest-bdd step fixtures)
from features.steps.reports import (
    Reports,
    check_figure,
    figure_of,
    find_printed,
    group_labels,
    hairdresser_codes,
    model_amount,
    model_sales,
    report_documents,
    round_cash,
    serving_codes,
    token_pattern,
)
from harness.journal_export import JournalExport
from harness.profile import Profile
from harness.pytest_plugin import NOT_APPLICABLE
from harness.targets import TillDriver

scenarios("bff_8.feature")

#: The figures the day's cash is counted against (bokføringsforskrifta § 5-3-14 første ledd), with their sign.
RECONCILIATION = (
    ("an opening float (k)", 1),
    ("payments by cash (g)", 1),
    ("cash pay-ins (andre ledd)", 1),
    ("cash pay-outs (andre ledd)", -1),
)


def _sector_or_skip(export: JournalExport, codes: frozenset[str], sector: str) -> None:
    """Skip as not applicable unless the till's article groups carry a code of the sector."""
    used = {b.predefined for (kind, _id), b in export.basics.items() if kind == "04"}
    if not used & codes:
        pytest.skip(
            f"{NOT_APPLICABLE}: the till's article groups carry no code of {sector} "
            f"({min(codes)}–{max(codes)}); codes declared: {', '.join(sorted(used)) or 'none'}"
        )


# --- § 5-3-14 første ledd ---------------------------------------------------------------------


@then(
    parsers.re(
        r'kassapunkt "(?P<first>[^"]+)" and kassapunkt "(?P<second>[^"]+)" have each printed and journaled '
        r"their own Z report"
    )
)
def each_has_z(till: TillDriver, reports: Reports, scene: Scene, first: str, second: str) -> None:
    """§ 5-3-14 første ledd: a Z report from each kassapunkt, on its own printer and in the journal."""
    for role in (first, second):
        register = scene.register_id(role)
        documents = report_documents(till, register, "Z", scene.start)
        assert len(documents) == 1, f"kassapunkt {register} printed {len(documents)} Z reports"
        evidence = reports.get("Z", register)
        assert evidence.report.register_id == register, (
            f"kassapunkt {register}'s Z report has registerID {evidence.report.register_id!r}"
        )
        assert find_printed(evidence.document, [(token_pattern(register),)]) is not None, (
            f"kassapunkt {register}'s Z report does not name the kassapunkt:\n{evidence.document.text}"
        )


@then(parsers.parse("the cash the Z report expects in the drawer is {expression}"))
def expected_cash(reports: Reports, profile: Profile, scene: Scene, expression: str) -> None:
    """§ 5-3-14 første ledd: the Z report gives what the cash count is reconciled against.

    Opening float (k) + cash payments (g) + pay-ins − pay-outs (andre ledd) is the cash
    the drawer must hold; the model computes it from the scenario, with the cash sale
    possibly rounded to whole kroner. Each of the four figures is printed.
    """
    evidence = reports.get("Z", scene.register)
    total = 0
    for phrase, sign in RECONCILIATION:
        figure, ask = figure_of(phrase, profile, scene)
        got = figure.read(evidence, ask)
        assert got.amount is not None
        total += sign * (abs(got.amount) if figure.unsigned else got.amount)
        check_figure(evidence, figure, ask, count=got.count, amount={got.amount})
    wanted = model_amount(expression, profile)
    assert total in {wanted, round_cash(wanted)}, (
        f"the Z report {evidence.report.report_id} gives {total / 100:.2f} kr of cash to count "
        f"(float + cash payments + pay-ins − pay-outs); the scenario leaves {wanted / 100:.2f} kr in the drawer"
    )


# --- § 8-5 ------------------------------------------------------------------------------------


@then(
    parsers.re(r'the Z report files article "(?P<art_id>[^"]+)" under serving-place code "(?P<code>\d{5})" \([^)]*\)')
)
def files_under(reports: Reports, profile: Profile, scene: Scene, art_id: str, code: str) -> None:
    """§ 8-5: the article's group on the Z report is the serving-place group the sector defines."""
    evidence = reports.get("Z", scene.register)
    _sector_or_skip(evidence.export, serving_codes(), "serving places (bokføringsforskrifta § 8-5)")
    group = profile.article(art_id).group
    rows = evidence.report.lists.get("reportArtGroups", {})
    assert (group,) in rows and (rows[(group,)][-1] or 0) != 0, (
        f"the Z report {evidence.report.report_id} has no sales in group {group} of article {art_id}: {rows}"
    )
    declared = evidence.export.code("04", group)
    assert declared == code, (
        f"article {art_id}'s group {group} carries code {declared or '(none)'} in the journal; "
        f"§ 8-5 files it under {code}"
    )


@then("every article group with sales on the Z report has a serving-place code (04006–04018)")
def every_group_serving(reports: Reports, scene: Scene) -> None:
    """§ 8-5: a serving place's turnover is specified in the sector's groups only."""
    evidence = reports.get("Z", scene.register)
    codes = serving_codes()
    _sector_or_skip(evidence.export, codes, "serving places (bokføringsforskrifta § 8-5)")
    rows = evidence.report.lists.get("reportArtGroups", {})
    outside = {
        key[0]: evidence.export.code("04", key[0]) or "(none)"
        for key, values in rows.items()
        if any(values) and evidence.export.code("04", key[0]) not in codes
    }
    assert not outside, f"groups with sales outside the serving-place codes 04006–04018: {outside}"
    for group in (key[0] for key, values in rows.items() if any(values)):
        assert find_printed(evidence.document, [group_labels(evidence.export, group)]) is not None, (
            f"the printed Z report does not show group {group}:\n{evidence.document.text}"
        )


# --- § 8-3 ------------------------------------------------------------------------------------


@then(
    parsers.re(
        r"the Z report specifies the hairdresser groups \(04001–04005\) per employee for the sales (?P<sales>.+)"
    )
)
def hairdresser_per_employee(reports: Reports, profile: Profile, scene: Scene, sales: str) -> None:
    """§ 8-3: turnover per goods and treatment group per employee (reportEmpArtGroups, codes 04001–04005).

    Applies to the listed sales whose article group carries a hairdresser code; if none
    does, the till is not set up as a hairdresser's and the scenario is not applicable.
    """
    export = reports.export()
    codes = hairdresser_codes()
    model: dict[tuple[str, str], list[int]] = {}
    for sale in model_sales(sales):
        article = profile.article(sale.art_id)
        if export.code("04", article.group) in codes:
            row = model.setdefault((scene.operator_id(sale.operator), article.group), [0, 0])
            row[0] += 1
            row[1] += sale.quantity * article.price
    if not model:
        _sector_or_skip(export, codes, "hairdressers (bokføringsforskrifta § 8-3)")
        pytest.skip(
            f"{NOT_APPLICABLE}: the till has hairdresser groups, but the profile's test articles are in none of them"
        )
    evidence = reports.get("Z", scene.register)
    rows = evidence.report.lists.get("reportEmpArtGroups")
    assert rows is not None, f"the Z report {evidence.report.report_id} has no reportEmpArtGroups (per employee)"
    for (emp, group), (count, amount) in sorted(model.items()):
        got = rows.get((emp, group), [0, 0])
        assert [got[0] or 0, got[-1] or 0] == [count, amount], (
            f"employee {emp}, group {group}: the Z report has {got[0]} sales for {(got[-1] or 0) / 100:.2f} kr; "
            f"the scenario made {count} for {amount / 100:.2f} kr"
        )
        line = find_printed(
            evidence.document,
            [(token_pattern(emp),), group_labels(evidence.export, group)],
            amount=amount,
            count=count,
        )
        assert line is not None, (
            f"the printed Z report shows no line for employee {emp} in group {group} with {count} sales and "
            f"{amount / 100:.2f} kr:\n{evidence.document.text}"
        )
