"""One test session of the reference till behind the upper-tester API (runs in the worker process).

A :class:`TillSession` is what ``reference://`` is in process, minus the devices: the
reference till (:class:`reference_till.till.Till`) on a journal file, a
:class:`~reference_till.demo.SimulatedClock`, and the kassapunkter's printer, drawer and
terminal opened from the URLs the harness published (its printer on TCP or a
pseudo-terminal, its nexo terminal over HTTP). :meth:`TillSession.run` performs one
verb of the API the way :class:`~harness.targets.reference.ReferenceTarget` does: a
refusal (:class:`~reference_till.errors.TillError`) becomes :class:`TillRefused` with the
rule, :class:`~reference_till.errors.ReceiptNotPrinted` is an accepted operation whose
document the printer did not finish (the harness's printer has the evidence).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar

from reference_till.config import ConfigError, TillConfig
from reference_till.demo import SimulatedClock
from reference_till.device_ports import EscposPrinterPort
from reference_till.device_setup import open_devices
from reference_till.errors import ReceiptNotPrinted, TillError
from reference_till.model import CashTransaction
from reference_till.till import OSLO, Till
from reference_till.till_base import RegisterDevices

__all__ = ["BadRequest", "DeviceUrls", "NotSupported", "TillRefused", "TillSession"]

_T = TypeVar("_T")
_NOT_PRINTED = (
    "accepted and journaled; the printer did not finish the document (the harness's printer has the evidence)"
)


class TillRefused(Exception):
    """The till refused the verb: ``reason`` in its words, ``rule`` the clause id it named."""

    def __init__(self, reason: str, rule: str) -> None:
        super().__init__(reason)
        self.reason, self.rule = reason, rule


class NotSupported(Exception):
    """The reference till has no such function (an HTTP 501)."""


class BadRequest(Exception):
    """The request names something the till does not know (an HTTP 400); the message says what."""


@dataclass(frozen=True, slots=True)
class DeviceUrls:
    """Where a kassapunkt's devices are, as the POS opens them (``""``: the configuration's own).

    Attributes:
        printer: e.g. ``tcp://127.0.0.1:9100`` or ``serial:///dev/pts/5``.
        drawer: e.g. ``printer`` (on the printer's kick connector).
        terminal: e.g. ``http://127.0.0.1:8443/nexo``.
    """

    printer: str = ""
    drawer: str = ""
    terminal: str = ""


class _Clock:
    """The session's clock, remembering its last reading (the supervisor carries it over a kill).

    Simulated (``simulated=True``): from ``start`` on, each reading 7 s later, as
    ``reference://``. Real: the time in Norway in whole seconds, but never the same second
    twice -- each reading at least one second after the last (and after ``start``) -- so
    the journal's order is the order of its times, as on the simulated clock, even when
    the harness drives the till faster than one operation a second.
    """

    def __init__(self, start: datetime | None, *, simulated: bool) -> None:
        if simulated and start is None:
            raise BadRequest("a simulated clock needs its start time")
        self.simulated = simulated
        self._ahead = timedelta(0)
        self._simulated = SimulatedClock(start) if simulated and start is not None else None
        self.last = start if start is not None else _now() - timedelta(seconds=1)

    def __call__(self) -> datetime:
        if self._simulated is not None:
            self.last = self._simulated()
        else:
            self.last = max(_now() + self._ahead, self.last + timedelta(seconds=1))
        return self.last

    def next_day(self) -> None:
        """Go on to 08:00 the next day: the simulated clock jumps; the real one runs that far ahead.

        A real clock keeps running, so the till reads the next day's 08:00 plus the time
        since; every later reading stays that far ahead of the time in Norway.
        """
        if self._simulated is not None:
            self.last = self._simulated.next_day()
            return
        now = _now() + self._ahead
        morning = datetime.combine(now.date() + timedelta(days=1), time(8, 0), OSLO)
        self._ahead += morning - now
        self.last = max(self.last, morning - timedelta(seconds=1))


def _now() -> datetime:
    return datetime.now(OSLO).replace(microsecond=0)


def _open(config: TillConfig, devices: Mapping[str, DeviceUrls]) -> dict[str, RegisterDevices]:
    opened: dict[str, RegisterDevices] = {}
    try:
        for register_id, urls in devices.items():
            register = config.register(register_id)
            ports = open_devices(
                register, printer=urls.printer or None, drawer=urls.drawer or None, terminal=urls.terminal or None
            )
            opened[register_id] = ports
            if isinstance(ports.printer, EscposPrinterPort):
                ports.printer.connection.drain()  # a reused serial line may still hold replies for the last session
    except BaseException:
        _close_devices(opened)
        raise
    return opened


def _close_devices(devices: Mapping[str, RegisterDevices]) -> None:
    for ports in devices.values():
        if isinstance(ports.printer, EscposPrinterPort):
            ports.printer.close()


class TillSession:
    """The reference till on one journal with the harness's devices (see module doc).

    Args:
        config: The shop.
        devices: Device URLs per kassapunkt; kassapunkter not named get in-memory devices.
        journal: The journal file (created if new; an existing one is recovered, as after a crash).
        clock_start: The time before the first reading (the last reading of the till this one
            replaces after a kill); ``None``: none.
        simulated: A simulated clock from ``clock_start`` (see :class:`_Clock`); else the real time.
    """

    def __init__(
        self,
        config: TillConfig,
        devices: Mapping[str, DeviceUrls],
        journal: Path,
        clock_start: datetime | None,
        *,
        simulated: bool = False,
    ) -> None:
        self.config = config
        self.journal_path = journal
        self.clock = _Clock(clock_start, simulated=simulated)
        self.devices = _open(config, devices)
        try:
            self.till = Till(journal, config, devices=self.devices, clock=self.clock)
        except BaseException:
            _close_devices(self.devices)
            raise
        self._verbs: dict[str, Callable[[str, dict[str, Any]], dict[str, Any] | None]] = {
            "open_register": self._open_register,
            "close_register": self._close_register,
            "login": lambda r, a: self._do(lambda: self.till.login(r, a["operator"])),
            "logout": lambda r, a: self._do(lambda: self.till.logout(r)),
            "register_float": lambda r, a: self._do(lambda: self.till.register_float(r, a["amount"])),
            "add_item": lambda r, a: self._do(lambda: self.till.add_item(r, a["article"], a["quantity"])),
            "add_campaign_item": lambda r, a: self._do(
                lambda: self.till.add_item(r, a["article"], a["quantity"], campaign_discount=a["discount"])
            ),
            "return_item": lambda r, a: self._do(lambda: self.till.return_item(r, a["article"], a["quantity"])),
            "correct_line": lambda r, a: self._do(lambda: self.till.correct_line(r, a["line"], a["quantity"])),
            "remove_line": lambda r, a: self._do(lambda: self.till.remove_line(r, a["line"])),
            "discount": lambda r, a: self._do(lambda: self.till.discount(r, a["line"], a["amount"])),
            "set_buyer": lambda r, a: self._do(lambda: self.till.set_buyer(r, a["name"])),
            "park": self._park,
            "resume": lambda r, a: self._do(lambda: self.till.resume(r, a["ref"])),
            "pay_cash": lambda r, a: self._do(lambda: self.till.pay_cash(r, a["tendered"])),
            "pay_card": lambda r, a: self._do(lambda: self.till.pay_card(r, a["amount"])),
            "pay_other": self._pay_other,
            "conclude": lambda r, a: self._concluded(
                r, lambda: self.till.conclude(r, electronic_receipt=a["electronic_receipt"] or "")
            ),
            "conclude_credit": lambda r, a: self._concluded(r, lambda: self.till.conclude_credit(r, a["customer"])),
            "void": lambda r, a: self._do(lambda: self.till.void(r)),
            "provisional_receipt": lambda r, a: self._do(lambda: self.till.provisional_receipt(r)),
            "copy_receipt": lambda r, a: self._do(lambda: self.till.print_copy(r, a["trans_id"])),
            "training": lambda r, a: self._do(lambda: self.till.set_training(r, a["on"])),
            "price_lookup": self._price_lookup,
            "change_price": lambda r, a: self._do(
                lambda: self.till.change_price(a["article"], a["price"], register_id=r)
            ),
            "open_drawer": lambda r, a: self._do(lambda: self.till.open_drawer(r)),
            "cash_in": lambda r, a: self._do(lambda: self.till.cash_in(r, a["amount"])),
            "cash_out": lambda r, a: self._do(lambda: self.till.cash_out(r, a["amount"])),
            "x_report": lambda r, a: self._do(lambda: self.till.x_report(r)),
            "z_report": lambda r, a: self._do(lambda: self.till.z_report(r)),
            "settle": self._settle,
            "next_business_day": lambda r, a: self.clock.next_day(),
        }

    #: Verbs of the API the reference till has (``exchange_slip`` it has not).
    @property
    def verbs(self) -> tuple[str, ...]:
        """The till verbs this session performs (``export_journal`` and ``kill_and_restart`` besides)."""
        return tuple(self._verbs)

    def run(self, verb: str, register: str, args: dict[str, Any]) -> dict[str, Any]:
        """Perform one verb; returns the result members of the 200 answer.

        Raises:
            TillRefused: The till refused (an HTTP 409).
            NotSupported: The till has no such function (an HTTP 501).
            BadRequest: The request names an unknown kassapunkt, article or means (an HTTP 400).
        """
        action = self._verbs.get(verb)
        if action is None:
            raise NotSupported(f"the reference till has no {verb.replace('_', ' ')}")
        try:
            self.config.register(register)
        except ConfigError as exc:
            raise BadRequest(str(exc)) from None
        try:
            return action(register, args) or {}
        except ConfigError as exc:
            raise BadRequest(str(exc)) from None

    # --- verbs that need more than one call or give a result
    def _do(self, action: Callable[[], object]) -> dict[str, Any] | None:
        return self._call(action)[1]

    @staticmethod
    def _call(action: Callable[[], _T]) -> tuple[_T | None, dict[str, Any] | None]:
        """Run a till call: its value (None if its document did not print) and the answer's note."""
        try:
            return action(), None
        except ReceiptNotPrinted:
            return None, {"note": _NOT_PRINTED}
        except TillError as exc:
            raise TillRefused(str(exc), getattr(exc, "clause", "")) from None

    def _open_register(self, register: str, args: dict[str, Any]) -> dict[str, Any] | None:
        self._do(lambda: self.till.start(register))
        return self._do(lambda: self.till.login(register, args["operator"]))

    def _close_register(self, register: str, args: dict[str, Any]) -> dict[str, Any] | None:
        self._do(lambda: self.till.logout(register))
        return self._do(lambda: self.till.stop(register))

    def _park(self, register: str, args: dict[str, Any]) -> dict[str, Any]:
        ref, note = self._call(lambda: self.till.park(register))
        if ref is None:
            raise TillRefused("parking gave no reference", "")
        return {**(note or {}), "ref": ref}

    def _pay_other(self, register: str, args: dict[str, Any]) -> dict[str, Any] | None:
        try:
            means = self.config.means_of_kind(args["kind"]).id
        except ConfigError as exc:
            raise NotSupported(str(exc)) from None
        return self._do(lambda: self.till.pay_other(register, means, args["amount"]))

    def _concluded(self, register: str, conclude: Callable[[], CashTransaction]) -> dict[str, Any]:
        tx, note = self._call(conclude)
        if tx is None:  # concluded, but its receipt did not print: the journal has it
            tx = self.till.journal.last_transaction(register)
            if tx is None:
                raise TillRefused("the till reported a concluded sale its journal lacks", "")
        return {**(note or {}), "trans_id": tx.trans_id, "amount": tx.amount_in}

    def _price_lookup(self, register: str, args: dict[str, Any]) -> dict[str, Any]:
        price, note = self._call(lambda: self.till.price_lookup(register, args["article"]))
        return {**(note or {}), **({"price": price} if price is not None else {})}

    def _settle(self, register: str, args: dict[str, Any]) -> dict[str, Any] | None:
        counted = int(args["counted"])
        if counted % 100:
            raise BadRequest(f"counted cash {counted} øre is not whole kroner; the reference till counts in kroner")
        counts = {100: counted // 100}
        return self._do(lambda: self.till.settle(register, counted_by="1002", counts=counts))

    # --- the journal and the end
    def export(self, out_dir: Path, start: date | None, end: date | None) -> Path:
        """Export the journal as SAF-T Cash Register XML into ``out_dir``; returns the file.

        Raises:
            TillRefused: The till refused the export.
        """
        summary, _ = self._call(lambda: self.till.export_saft(out_dir, start, end))  # default: every day of the session
        if summary is None or summary.path is None:
            raise TillRefused("the reference till wrote no export file", "")
        return Path(summary.path)

    def close(self) -> None:
        """Close the till (its journal) and the device links."""
        try:
            self.till.close()
        finally:
            _close_devices(self.devices)
