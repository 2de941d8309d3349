"""The X and Z reports and the daily settlement, rendered to ESC/POS bytes.

* :func:`render_report` -- the X or Z report with every kassasystemforskrifta § 2-8-2
  figure under its letter;
* :func:`render_settlement` -- the daily settlement (bokføringsforskrifta § 5-3-14).

Same layout rules as the receipts (:mod:`reference_till.receipt_layout`): amounts at
normal size, the document name first at double height, cuts delimit documents.
"""

from __future__ import annotations

from collections.abc import Iterable

from reference_till.config import ConfigError, TillConfig
from reference_till.faults import Fault
from reference_till.layout_lines import Layout, clean_text, count_amount, percent, stamp
from reference_till.markings import marking
from reference_till.model import CountAmount, KeyCountAmount, ReportFigures, Settlement
from reference_till.money import format_nok

__all__ = ["STANDARD_DENOMINATIONS", "render_report", "render_settlement"]

#: Norwegian notes and coins in circulation, øre: 1000, 500, 200, 100, 50 kr notes;
#: 20, 10, 5, 1 kr coins. Always listed on the settlement's count table.
STANDARD_DENOMINATIONS: tuple[int, ...] = (
    100000,
    50000,
    20000,
    10000,
    5000,
    2000,
    1000,
    500,
    100,
)


def _employee(config: TillConfig, emp_id: str) -> str:
    try:
        return f"{config.employee(emp_id).display_name} ({emp_id})"
    except ConfigError:
        return emp_id


def _group(config: TillConfig, group_id: str) -> str:
    try:
        return f"{group_id} {config.group(group_id).description}"
    except ConfigError:
        return group_id


def _means(config: TillConfig, means_id: str) -> str:
    try:
        return f"{means_id} {config.means(means_id).description}"
    except ConfigError:
        return means_id


def _keyed(out: Layout, items: Iterable[KeyCountAmount], name: str, config: TillConfig) -> None:
    """Rows of a keyed figure; ``name`` says how to print the key."""
    rows = list(items)
    if not rows:
        out.text("   (ingen)")
    for item in rows:
        if name == "group":
            label = _group(config, item.key)
        elif name == "means":
            label = _means(config, item.key)
        else:
            label = item.key
        out.row(f"   {label}", count_amount(item.count, item.amount))


def _sum(items: Iterable[KeyCountAmount]) -> CountAmount:
    rows = list(items)
    return CountAmount(sum(i.count for i in rows), sum(i.amount for i in rows))


def render_report(
    fig: ReportFigures, config: TillConfig, *, width: int = 48, faults: frozenset[Fault] = frozenset()
) -> bytes:
    """Render an X or Z report printout with every § 2-8-2 figure under its letter.

    Args:
        fig: The report figures.
        config: The till configuration (names of groups, means and operators).
        width: Columns of normal-size text.
        faults: Rules to break on purpose (:mod:`reference_till.faults`; ``unnamed_z_report``).

    Returns:
        The bytes from ``ESC @`` to the cut.

    Raises:
        ValueError: ``width`` is below :data:`MIN_WIDTH`.
    """
    out = Layout(width)
    z = fig.report_type == "Z"
    named = not (z and Fault.UNNAMED_Z_REPORT in faults)
    name = marking("title_z_report" if z else "title_x_report").text if named else "Rapport"
    # § 2-8-2 a / § 2-8-3: the report states whether it is an X or a Z report; Z is numbered.
    out.title(name)
    if z:
        out.title(f"Nr. {fig.number}")
    out.center(f"Rapport-ID {fig.report_id}")
    out.center("Antall / beløp i kroner")
    out.rule()
    out.text(f"a) {name}" + (f" nr. {fig.number}" if z else ""))
    out.wrapped(f"b) {fig.company_name}, org.nr {fig.company_ident}")
    out.text(f"c) {stamp(fig.at)}")
    out.wrapped(f"d) Kassapunkt {fig.register_id} / System-ID {fig.system_id}")
    out.row("e) Totalt kontantsalg", format_nok(fig.total_cash_sales))
    out.row("f) Varegrupper", count_amount(*_astuple(_sum(fig.art_groups))))
    _keyed(out, fig.art_groups, "group", config)
    if fig.emp_art_groups:
        out.text("   Per operatør:")
        for e in fig.emp_art_groups:
            label = f"{_employee(config, e.emp_id)} / {_group(config, e.key)}"
            out.row(f"   {label}", count_amount(e.count, e.amount))
    out.row("g) Betalingsmidler", count_amount(*_astuple(_sum(fig.payments))))
    _keyed(out, fig.payments, "means", config)
    out.text("h) Per operatør og betalingsmiddel")
    if not fig.emp_payments:
        out.text("   (ingen)")
    for e in fig.emp_payments:
        label = f"{_employee(config, e.emp_id)} / {_means(config, e.key)}"
        out.row(f"   {label}", count_amount(e.count, e.amount))
    if fig.tips is None:
        out.text("i) Tips: funksjon finnes ikke")
    else:
        out.row("i) Tips", count_amount(fig.tips.count, fig.tips.amount))
    out.text("j) Kontantsalg og mva per sats")
    for v in fig.vat:
        kind = "avgiftsfritt" if v.vat_rate_bp == 0 else "grunnlag"
        out.row(f"   {percent(v.vat_rate_bp)} {kind}", format_nok(v.base))
        out.row(f"   {percent(v.vat_rate_bp)} mva", format_nok(v.vat))
    if not fig.vat:
        out.text("   (ingen)")
    out.row("k) Inngående vekselkasse", format_nok(fig.opening_float))
    for f in fig.emp_opening_floats:
        out.row(f"   {_employee(config, f.emp_id)}", format_nok(f.amount))
    out.row("l) Antall salgskvitteringer", str(fig.receipts))
    out.row("m) Skuffåpninger uten salg", str(fig.drawer_openings))
    for letter, label, ca in (
        ("n", "Kopikvitteringer", fig.copies),
        ("o", "Foreløpige kvitteringer", fig.provisional),
        ("p", "Returer", fig.returns),
        ("q", "Rabatter gitt i kassen", fig.discounts),
        ("r", "Annullerte salg", fig.voids),
    ):
        out.row(f"{letter}) {label}", count_amount(ca.count, ca.amount))
    out.row("s) Linjekorreksjoner", count_amount(*_astuple(_sum(fig.line_corrections))))
    _keyed(out, fig.line_corrections, "type", config)
    out.row("t) Prisforespørsler", count_amount(*_astuple(_sum(fig.price_lookups))))
    _keyed(out, fig.price_lookups, "group", config)
    out.row("u) Andre korreksjoner", count_amount(*_astuple(_sum(fig.other_corrections))))
    _keyed(out, fig.other_corrections, "type", config)
    out.row("v) Utleveringskvitteringer", count_amount(fig.deliveries.count, fig.deliveries.amount))
    out.row("w) Treningskvitteringer", count_amount(fig.training.count, fig.training.amount))
    out.row("x) Grand total salg", format_nok(fig.grand_total_sales))
    out.row("y) Grand total retur", format_nok(fig.grand_total_returns))
    out.row("z) Grand total netto", format_nok(fig.grand_total_net))
    out.rule()
    # § 2-8-2 andre ledd: credit sales, credit notes, pay-ins and pay-outs by type.
    out.text("Andre ledd (forskrift 2-8-2)")  # PC865 has no «§»
    out.row("Kredittsalg", count_amount(fig.credit_sales.count, fig.credit_sales.amount))
    out.row("Kreditnotaer", count_amount(fig.credit_memos.count, fig.credit_memos.amount))
    out.row("Innbetalinger", count_amount(*_astuple(_sum(fig.pay_ins))))
    _keyed(out, fig.pay_ins, "type", config)
    out.row("Utbetalinger", count_amount(*_astuple(_sum(fig.pay_outs))))
    _keyed(out, fig.pay_outs, "type", config)
    if fig.last_seq:
        out.rule()
        out.text(f"Journal sekvens {fig.first_seq}-{fig.last_seq}")
    return out.finish()


def _astuple(ca: CountAmount) -> tuple[int, int]:
    return ca.count, ca.amount


# --------------------------------------------------------------------------- settlement


def _denomination(ore: int) -> str:
    kroner, rest = divmod(ore, 100)
    value = f"{kroner}" if rest == 0 else f"{kroner},{rest:02d}"
    return f"{value} kr {'sedler' if ore >= 5000 else 'mynter'}"


def render_settlement(s: Settlement, config: TillConfig, *, width: int = 48) -> bytes:
    """Render a daily settlement (dagsoppgjør) printout.

    bokføringsforskrifta § 5-3-14 / Skatteinfo 1/2011: cash at the start, the day's cash
    sales, pay-ins and pay-outs, the counted cash by denomination, the difference and its
    explanation, dated and naming who counted, with a line for the signature.

    Args:
        s: The settlement.
        config: The till configuration (operator and means names).
        width: Columns of normal-size text.

    Returns:
        The bytes from ``ESC @`` to the cut.

    Raises:
        ValueError: ``width`` is below :data:`MIN_WIDTH`.
    """
    out = Layout(width)
    out.title(marking("title_settlement").text)
    out.title(f"Nr. {s.number}")
    out.blank()
    out.center(config.company.name, bold=True)
    out.text(f"Kassapunkt {clean_text(s.register_id)}")
    out.kv("Dato", stamp(s.at))
    out.kv("Opptalt av", _employee(config, s.counted_by))
    out.kv("Z-rapport", s.z_report_id)
    out.rule()
    out.row("Inngående vekselkasse", format_nok(s.opening_float))
    out.row("Kontantsalg", format_nok(s.cash_sales))
    out.row("Innbetalinger", format_nok(s.pay_ins))
    out.row("Utbetalinger", format_nok(-s.pay_outs))
    out.row("Forventet kontantbeholdning", format_nok(s.expected_cash), bold=True)
    out.rule()
    out.text("Opptelling")
    counts: dict[int, int] = {d: 0 for d in STANDARD_DENOMINATIONS}
    for c in s.counted:
        counts[c.denomination] = counts.get(c.denomination, 0) + c.count
    for denomination in sorted(counts, reverse=True):
        n = counts[denomination]
        out.row(f"  {n:>4} x {_denomination(denomination)}", format_nok(n * denomination))
    out.row("Opptalt totalt", format_nok(s.counted_total), bold=True)
    if s.difference > 0:
        label = "Overskudd"
    elif s.difference < 0:
        label = "Underskudd"
    else:
        label = "Ingen differanse"
    out.row(label, format_nok(s.difference), bold=True)
    out.kv("Forklaring", s.explanation or "-")
    out.rule()
    out.text("Kortoppgjør (kasse / terminal)")
    till = {k.key: k for k in s.card_totals}
    terminal = {k.key: k for k in s.terminal_totals}
    for key in [*till, *(k for k in terminal if k not in till)]:
        out.wrapped(_means(config, key), "  ")
        a, b = till.get(key), terminal.get(key)
        out.row("    Kasse", count_amount(a.count, a.amount) if a else "-")
        out.row("    Terminal", count_amount(b.count, b.amount) if b else "-")
    if not till and not terminal:
        out.text("  (ingen)")
    out.row("Differanse kort", format_nok(s.card_difference), bold=True)
    out.rule()
    out.text("Andre betalingsmidler")
    _keyed(out, s.other_means, "means", config)
    out.blank()
    out.blank()
    out.text("Signatur: " + "_" * (out.width - len("Signatur: ")))
    return out.finish()
