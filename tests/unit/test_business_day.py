"""Moving a till on to the next business day: the clocks, and the export that spans the days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from harness.journal_export import export_and_read
from harness.profile import load_profile, reference_profile_path
from harness.targets.reference import ReferenceTarget
from harness.upper_tester.till_session import _Clock
from reference_till.demo import SimulatedClock
from reference_till.till import OSLO


def test_the_simulated_clock_starts_the_next_day_at_eight_also_across_a_time_switch() -> None:
    clock = SimulatedClock(datetime.combine(date(2026, 3, 28), time(21, 30), OSLO))
    morning = clock.next_day()
    assert morning == datetime.combine(date(2026, 3, 29), time(8, 0), OSLO)
    assert morning.utcoffset() == timedelta(hours=2)  # summer time began that night
    assert clock() > morning


def test_the_real_clock_runs_a_day_ahead_and_never_backwards() -> None:
    clock = _Clock(None, simulated=False)
    today = clock().date()
    clock.next_day()
    first, second = clock(), clock()
    assert first.date() == today + timedelta(days=1)
    assert first.time() >= time(8, 0)
    assert second > first


def test_the_reference_target_exports_every_business_day_of_its_journal(tmp_path: Path) -> None:
    till = ReferenceTarget("reference://?registers=1&day=2026-11-23")
    try:
        till.open_register("K1", "1001")
        till.add_item("K1", "1001")
        till.pay_card("K1")
        till.conclude("K1")
        till.z_report("K1")
        till.next_business_day("K1")
        till.add_item("K1", "1002")
        till.pay_card("K1")
        till.conclude("K1")
        till.z_report("K1")
        export = export_and_read(till, tmp_path, load_profile(reference_profile_path()))
    finally:
        till.close()
    days = {t.date for t in export.transactions if t.amount_in}
    assert days == {"2026-11-23", "2026-11-24"}
    z_reports = export.reports("K1", "Z")
    assert [z.date for z in z_reports] == ["2026-11-23", "2026-11-24"]
    assert not export.findings(), export.describe(export.findings())
