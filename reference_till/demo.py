"""A scripted business day on two kassapunkter, written out as files a person can read.

``kassakontroll till demo --out DIR`` runs it. The day exercises every function of the
reference till: opening floats (one per operator), cash sales with øreavrunding, card
sales through the payment terminal, gift card and Vipps, manual and campaign
discounts, a line correction, a price look-up, a nullinnslag, a copy receipt, an
electronic receipt, a parked then cancelled sale, a return receipt, a sale and a return
on one receipt, a credit sale with a delivery receipt, training mode, a pay-out, a price
change, a sale over 40 000 NOK with the buyer's name, X and Z reports, the daily
settlement with a cash difference and its explanation, the bookkeeping posting and
the SAF-T Cash Register export of the day.

By default the till works with emulated devices, the way it would in a shop: each
kassapunkt has a printer emulator (with its cash drawer on the kick connector) on an
in-process ``loop://`` link, reached through the same ESC/POS port a real printer would
be, and a nexo payment terminal emulator over HTTP on 127.0.0.1. The receipts written out
are what the printer emulator received and decoded. ``devices="memory"`` uses the
in-memory devices instead (faster, no decoding).

Output (``DIR``): ``journal.sqlite``; ``receipts/<kassapunkt>/NNNN.bin`` (raw ESC/POS as
the printer received it) and ``NNNN.txt`` (the decoded text) for every document;
``electronic/`` for e-receipts; ``SAF-T Cash Register_<orgnr>_<yyyymmddhhmmss>.xml``;
``settlement_<K>.json``; ``posting_<K>.csv``; ``evidence.ndjson`` (every byte, kick and
terminal message, with emulated devices); ``summary.txt``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from reference_till.config import TillConfig, load_config
from reference_till.model import ReportFigures, Settlement
from reference_till.money import format_nok, parse_amount
from reference_till.ports import MemoryDrawer, MemoryPrinter
from reference_till.receipt_text import document_text
from reference_till.saft_export import ExportSummary
from reference_till.settlement import DENOMINATIONS
from reference_till.till import OSLO, RegisterDevices, Till

if TYPE_CHECKING:
    from reference_till.demo_devices import EmulatedShop

__all__ = ["DemoResult", "SimulatedClock", "run_demo"]


class SimulatedClock:
    """A clock for a scripted day: each reading advances it a little; :meth:`at` jumps."""

    def __init__(self, start: datetime, step: timedelta = timedelta(seconds=7)) -> None:
        self._now = start
        self._step = step

    def __call__(self) -> datetime:
        """Read the clock (it moves on by one step)."""
        self._now += self._step
        return self._now

    def at(self, hour: int, minute: int = 0) -> None:
        """Move the clock forward to a time of day (never backwards)."""
        target = self._now.replace(hour=hour, minute=minute, second=0)
        self._now = max(self._now, target)

    def next_day(self, hour: int = 8) -> datetime:
        """Move the clock to ``hour`` o'clock on the next calendar day; returns the new time.

        The hour is local time on that day (``datetime.combine`` with the clock's zone), so a
        night with a switch between standard and summer time still starts the day at ``hour``.
        """
        self._now = datetime.combine(self._now.date() + timedelta(days=1), time(hour, 0), self._now.tzinfo)
        return self._now


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What the demo day produced."""

    out_dir: Path
    journal: Path
    saft: ExportSummary
    z_reports: tuple[ReportFigures, ...]
    settlements: tuple[Settlement, ...]
    documents: int


def _breakdown(amount: int) -> dict[int, int]:
    """Split an amount into Norwegian notes and coins, largest first."""
    counts: dict[int, int] = {}
    for denomination in DENOMINATIONS:
        counts[denomination], amount = divmod(amount, denomination)
    return counts


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def run_demo(
    out_dir: str | Path,
    *,
    config: TillConfig | None = None,
    day: date | None = None,
    progress: Callable[[str], None] = lambda message: None,
    devices: Literal["emulated", "memory"] = "emulated",
    printer_link: str | None = None,
) -> DemoResult:
    """Run the demo business day and write every artefact to ``out_dir``.

    Args:
        out_dir: Output folder (created; an existing journal there is replaced).
        config: Shop configuration; the embedded default when omitted.
        day: The business day; today (Oslo) when omitted.
        progress: Called with a short message at each stage.
        devices: ``emulated`` (printer, drawer and terminal emulators over real links)
            or ``memory`` (the in-memory devices).
        printer_link: With emulated devices, the link the printers are served on
            (``tcp://127.0.0.1:0``, ``pty://``; ``{register}`` is replaced by the
            kassapunkt id); an in-process ``loop://`` link when omitted.
    """
    if devices == "emulated":
        from reference_till.demo_devices import EmulatedShop

        with EmulatedShop(config or load_config(), printer_link=printer_link) as shop:
            return _run_day(out_dir, config=config, day=day, progress=progress, shop=shop)
    return _run_day(out_dir, config=config, day=day, progress=progress, shop=None)


def _run_day(
    out_dir: str | Path,
    *,
    config: TillConfig | None,
    day: date | None,
    progress: Callable[[str], None],
    shop: EmulatedShop | None,
) -> DemoResult:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    journal_path = out / "journal.sqlite"
    for stale in (journal_path, out / "journal.sqlite-wal", out / "journal.sqlite-shm"):
        stale.unlink(missing_ok=True)
    config = config or load_config()
    day = day or datetime.now(OSLO).date()
    clock = SimulatedClock(datetime.combine(day, time(8, 0), OSLO))
    (out / "electronic").mkdir(exist_ok=True)
    emails: list[tuple[str, bytes]] = []
    devices = {r.id: RegisterDevices() for r in config.registers[:2]} if shop is None else shop.devices
    till = Till(
        journal_path,
        config,
        devices=devices,
        clock=clock,
        electronic_receipts=lambda address, data: emails.append((address, data)),
    )
    k1, k2 = config.registers[0].id, config.registers[1].id
    kari, ola = config.employees[0].id, config.employees[1].id

    def closed(register_id: str) -> None:
        # The cashier pushes the drawer shut after each opening.
        drawer = till.devices(register_id).drawer
        if isinstance(drawer, MemoryDrawer):
            drawer.close()
        elif shop is not None:
            shop.close_drawer(register_id)

    def sell(register_id: str, items: Sequence[tuple[str, int | str]], pay: str = "cash", **kw: Any) -> str:
        for art, qty in items:
            till.add_item(register_id, art, qty)
        if pay == "cash":
            till.pay_cash(register_id, kw.get("tendered"))
        elif pay == "card":
            till.pay_card(register_id)
        else:
            till.pay_other(register_id, pay)
        tx = till.conclude(register_id, electronic_receipt=kw.get("email", ""))
        closed(register_id)
        return tx.trans_id

    progress("opening kassapunkter")
    for reg, emp in ((k1, kari), (k2, ola)):
        till.start(reg)
        till.login(reg, emp)
    till.register_float(k1, parse_amount("2000"), emp_id=kari)
    closed(k1)
    till.register_float(k2, parse_amount("1500"), emp_id=ola)
    closed(k2)

    progress("morning sales")
    clock.at(9, 3)
    first = sell(k1, [("1001", 2), ("1002", 1)], tendered=parse_amount("100"))
    sell(k1, [("2001", 1), ("1201", 1)], pay="card")
    clock.at(9, 40)
    # manual discount, campaign discount, a line correction and mixed tender
    till.add_item(k1, "1004", 3, campaign_discount=parse_amount("10"))
    line = till.add_item(k1, "3001", 6)
    till.correct_line(k1, line, 4)
    bag = till.add_item(k1, "4001", 1)
    till.discount(k1, bag, parse_amount("9"), "Skadet vare")
    till.pay_other(k1, "GIFTCARD", parse_amount("100"), reference="GK-2026-0042")
    till.pay_cash(k1, parse_amount("300"))
    till.conclude(k1)
    closed(k1)
    till.price_lookup(k1, "1003")
    till.open_drawer(k1, "Veksling for kunde")
    closed(k1)
    till.print_copy(k1, first)
    sell(k1, [("1101", 2)], pay="VIPPS")
    sell(k1, [("4002", 2)], pay="card", email="kunde@example.no")

    progress("park, cancel, returns, credit sale, training")
    clock.at(11, 15)
    till.add_item(k1, "1010", "1.245")
    ref = till.park(k1)
    sell(k1, [("5001", 1)])
    till.resume(k1, ref)
    till.void(k1, "Kunden ombestemte seg")
    till.return_item(k1, "1001", 1, original_trans_id=first)
    till.pay_cash(k1)
    till.conclude(k1)
    closed(k1)
    till.add_item(k1, "1002", 1)
    till.return_item(k1, "1003", 1)
    till.pay_card(k1)
    till.conclude(k1)
    till.add_item(k1, "4002", 10)
    till.conclude_credit(k1, "KUNDE-1007")
    till.set_training(k1, True)
    sell(k1, [("1201", 2)])
    till.set_training(k1, False)

    progress("afternoon: price change, big sale, pay-out, K2")
    clock.at(13, 30)
    till.change_price("1001", parse_amount("22.90"), register_id=k1)
    sell(k1, [("1001", 1)])
    till.add_item(k1, "4010", 1)
    till.set_buyer(k1, "Nordmann Kafé AS")
    till.pay_card(k1)
    till.conclude(k1)
    till.cash_out(k1, parse_amount("1000"), "Innskudd i bank")
    closed(k1)
    clock.at(14, 0)
    for items in ([("1201", 2), ("1002", 1)], [("1101", 3)], [("2001", 2)]):
        sell(k2, items)
    sell(k2, [("1201", 1)], pay="card")
    till.x_report(k1)

    progress("closing: Z reports, settlement, posting, export")
    clock.at(21, 45)
    zs = []
    settlements = []
    for reg, emp, short in ((k1, kari, parse_amount("20")), (k2, ola, 0)):
        till.logout(reg)
        till.login(reg, emp)
        z = till.z_report(reg)
        zs.append(z)
        cash = sum(p.amount for p in z.payments if config.means(p.key).kind == "cash")
        pay_out = sum(p.amount for p in z.pay_outs)
        pay_in = sum(p.amount for p in z.pay_ins)
        expected = z.opening_float + cash - pay_out + pay_in
        counts = _breakdown(expected - short)
        settlements.append(
            till.settle(
                reg, counted_by=emp, counts=counts, explanation="Feil vekslepenger gitt ved lunsj" if short else ""
            )
        )
        with (out / f"posting_{reg}.csv").open("w", encoding="utf-8", newline="") as fh:
            till.write_posting(reg, fh)
        (out / f"settlement_{reg}.json").write_text(
            json.dumps(_jsonable(settlements[-1]), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        till.logout(reg)
        till.stop(reg)
    saft = till.export_saft(out, day, day)

    documents = 0
    for reg in (k1, k2):
        folder = out / "receipts" / reg
        folder.mkdir(parents=True, exist_ok=True)
        printed: list[tuple[bytes, str]]
        if shop is not None:
            printed = shop.printed(reg)
        else:
            printer = till.devices(reg).printer
            assert isinstance(printer, MemoryPrinter)
            printed = [(data, document_text(data)) for data in printer.documents]
        for n, (data, text) in enumerate(printed, start=1):
            (folder / f"{n:04d}.bin").write_bytes(data)
            (folder / f"{n:04d}.txt").write_text(text, encoding="utf-8")
            documents += 1
    if shop is not None:
        shop.log.write_ndjson(out / "evidence.ndjson")
    for n, (address, data) in enumerate(emails, start=1):
        (out / "electronic" / f"{n:04d}.txt").write_text(f"Til: {address}\n\n{document_text(data)}", encoding="utf-8")
    till.close()
    summary = [f"Demo day {day.isoformat()} ({config.company.name}, org.nr {config.company.orgnr})", ""]
    for z, s in zip(zs, settlements, strict=True):
        summary.append(
            f"{z.register_id}: Z report {z.report_id}: cash sales {format_nok(z.total_cash_sales)} NOK, "
            f"{z.receipts} sales receipts, grand total net {format_nok(z.grand_total_net)} NOK; "
            f"settlement difference {format_nok(s.difference)} NOK"
        )
    summary += [
        "",
        f"{documents} printed documents, {len(emails)} electronic receipts",
        f"SAF-T: {saft.path.name if saft.path else '-'} ({saft.transactions} transactions, {saft.events} events)",
    ]
    (out / "summary.txt").write_text("\n".join(summary) + "\n", encoding="utf-8")
    return DemoResult(out, journal_path, saft, tuple(zs), tuple(settlements), documents)
