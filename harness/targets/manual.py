"""``manual://``: a lab technician operates a real POS by hand, prompted step by step.

The harness plays the till's printer (with the cash drawer on its kick connector) and
payment terminal on real ports (:mod:`harness.targets.manual_bench`), and for every verb
of :class:`~harness.targets.base.TillDriver` asks the technician at a terminal to do it::

    Kassapunkt K1: sell 2 × article 1001 (TineMelk Lett 1 l, 21,90 kr).
    Press Enter when done, or type r if the till refused, s to skip (cannot do this on this till). >

Enter accepts; ``r`` (optionally followed by the till's message, ``r paper out``) becomes
:class:`~harness.targets.base.Refused`; ``s`` becomes
:class:`~harness.targets.base.NotSupportedByTarget` (the scenario is *not automated*).
Article names and prices come from the capability profile when the target has one.
A concluded sale asks only for the receipt number, and only as an option: everything
else is observed by the devices or read from the journal export. The SAF-T export asks
for the exported file's path and checks that it exists. The harness's own verbs (paper
out, cover open -- now or after a number of printed lines --, drawer stuck, the terminal's
scripted answer, pushing the drawer shut) are done without asking; the technician is told.

Every prompt and answer is recorded in the evidence log (``manual.prompt``,
``manual.answer``; source ``manual``) so the report can show them. Verdicts never come
from the answers: the Then steps judge what the devices received.

URL: ``manual://?printer=URL[&printer=URL2][&registers=K1,K2][&tty=/dev/pts/N][&timeout=S]
[&lang=en|nb][&terminal_port=N]``

* ``printer`` (required, once per kassapunkt): the link the printer is served on, e.g.
  ``tcp://0.0.0.0:9100`` (a network printer), ``pty://`` or ``pty://?link=/tmp/kk-printer``
  (a serial printer on a pseudo-terminal), ``serial:///dev/ttyUSB0``. ``loop://`` is
  in-process only and cannot be reached by a real POS. Percent-encode ``&`` inside a URL (``%26``).
* ``registers``: the kassapunkt ids, comma-separated (default: the profile's first ones, else K1, K2 …).
* ``tty``: the terminal to prompt on (default ``/dev/tty``, the controlling terminal, which
  pytest's capture does not swallow).
* ``timeout``: seconds to wait for each answer (default: for ever); no answer is a
  :class:`~harness.targets.base.TargetError` that says so.
* ``lang``: ``en`` (default) or ``nb``.
* ``terminal_port``: the payment terminal's port on 127.0.0.1 (default: a free port, shown
  when the devices start).

The devices stay up for the whole process so the POS keeps one printer port; see
:mod:`harness.targets.manual_bench`.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, urlsplit

from devices.station import DeviceStation
from harness.profile import Profile
from harness.targets.base import Concluded, NotSupportedByTarget, Refused, TargetError
from harness.targets.manual_bench import Bench, BenchSpec, acquire_bench
from harness.targets.manual_console import Console, NoAnswer
from harness.targets.manual_prompts import LANGUAGES, money, say
from harness.targets.shop_side import ShopSide

__all__ = ["ManualTarget"]

_OPTIONS = ("printer", "registers", "tty", "timeout", "lang", "terminal_port")
_EXAMPLE = "manual://?printer=tcp://0.0.0.0:9100 or manual://?printer=pty://"


@dataclass
class _Line:
    unit: int
    quantity: int
    discount: int = 0


def _options(url: str) -> dict[str, list[str]]:
    parts = urlsplit(url)
    if parts.scheme != "manual":
        raise TargetError(f"{url!r} is not a manual:// URL; write {_EXAMPLE}")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(query) - set(_OPTIONS))
    if unknown:
        raise TargetError(f"{url}: unknown option {', '.join(unknown)}; known: {', '.join(_OPTIONS)}")
    return query


def _printers(url: str, query: Mapping[str, list[str]]) -> list[str]:
    printers = [p for p in query.get("printer", []) if p]
    if not printers:
        raise TargetError(
            f"{url}: say where the harness serves the till's printer, e.g. {_EXAMPLE} "
            f"(the POS prints to it; a real POS cannot reach the in-process default loop://)"
        )
    for printer in printers:
        if printer.startswith("loop://"):
            raise TargetError(
                f"{url}: printer={printer} is in-process only, a real POS cannot reach it; write {_EXAMPLE}"
            )
    return printers


def _registers(url: str, query: Mapping[str, list[str]], count: int, profile: Profile | None) -> list[str]:
    if "registers" in query:
        ids = [r.strip() for r in query["registers"][-1].split(",") if r.strip()]
        if len(ids) != count:
            raise TargetError(
                f"{url}: {len(ids)} registers for {count} printer(s); give one printer=URL per kassapunkt"
            )
        return ids
    if profile is not None:
        if len(profile.registers) < count:
            raise TargetError(f"{url}: {count} printers but the profile lists {len(profile.registers)} kassapunkter")
        return list(profile.registers[:count])
    return [f"K{n}" for n in range(1, count + 1)]


def _number(url: str, query: Mapping[str, list[str]], key: str) -> float | None:
    if key not in query:
        return None
    text = query[key][-1]
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0 or (key == "terminal_port" and (value != int(value) or value > 65535)):
        raise TargetError(f"{url}: {key}={text!r} must be a number ≥ 0 (e.g. timeout=300, terminal_port=8800)")
    return value


class ManualTarget(ShopSide):
    """A real POS operated by a lab technician who follows prompts (see the module docstring).

    Args:
        url: The ``manual://`` URL with its options.
        profile: The capability profile: article names and prices for the prompts, kassapunkt ids.
        streams: ``(reader, writer)`` to prompt on instead of the ``tty`` option's terminal
            (file objects or descriptors; they stay open when the target closes).
        title: The scenario about to run, announced to the technician.

    Raises:
        TargetError: The URL is wrong, the terminal cannot be opened or a device cannot be served.
    """

    def __init__(
        self,
        url: str = "manual://",
        *,
        profile: Profile | None = None,
        streams: tuple[IO[Any] | int, IO[Any] | int] | None = None,
        title: str = "",
    ) -> None:
        query = _options(url)
        printers = _printers(url, query)
        self.lang = query.get("lang", ["en"])[-1]
        if self.lang not in LANGUAGES:
            raise TargetError(f"{url}: lang={self.lang!r}; use one of {', '.join(LANGUAGES)}")
        timeout = _number(url, query, "timeout")
        registers = _registers(url, query, len(printers), profile)
        spec = BenchSpec(tuple(zip(registers, printers, strict=True)), int(_number(url, query, "terminal_port") or 0))
        self.name = url
        self.registers = tuple(registers)
        self.profile = profile
        if streams is not None:
            self.console = Console(*streams, timeout=timeout or None)
        else:
            self.console = Console.open_tty(query.get("tty", ["/dev/tty"])[-1], timeout=timeout or None)
        try:
            self.bench: Bench
            self.bench, new = acquire_bench(spec)
        except BaseException:
            self.console.close()
            raise
        self.evidence = self.bench.log
        self._step = 0
        self._lines: dict[str, list[_Line]] = {}
        self._parked: dict[str, list[_Line]] = {}
        self._sales: dict[str, str] = {}
        self._parked_labels: dict[str, str] = {}
        if new:
            self.console.say(self._t("banner", devices=self.bench.describe()))
        if title:
            self.console.say("\n" + self._t("scenario", title=title))

    # --- ShopSide: the stations are the bench's, not an EmulatedShop's
    def _station(self, register: str) -> DeviceStation:
        try:
            return self.bench.stations[register]
        except KeyError:
            known = ", ".join(self.bench.stations)
            raise TargetError(
                f"{self.name}: no printer for kassapunkt {register!r}; known: {known} "
                f"(add printer=URL and registers=… to the URL for every kassapunkt the scenarios use)"
            ) from None

    # --- talking to the technician
    def _t(self, key: str, **fields: object) -> str:
        return say(key, self.lang, **fields)

    def _article(self, art_id: str, lang: str) -> str:
        article = self.profile.articles.get(art_id) if self.profile is not None else None
        if article is None:
            return say("article", lang, id=art_id)
        return say("article_known", lang, id=art_id, description=article.description, price=money(article.price))

    def _record(self, kind: str, register: str, verb: str, **data: Any) -> None:
        self.evidence.append("manual", kind, register=register, verb=verb, step=self._step, **data)

    def _ask(self, register: str, verb: str, text: str) -> str:
        """Show a prompt, record it and its answer's raw text (a missing answer is recorded, then raised)."""
        self._record("manual.prompt", register, verb, text=text)
        try:
            return self.console.ask(text)
        except NoAnswer as exc:
            self._record("manual.answer", register, verb, answer=exc.why, typed="", reason=str(exc))
            raise

    def _heading(self, register: str, instruction: str) -> str:
        """``Step 3 · Kassapunkt K1: <instruction>.`` (``The till:`` for verbs of the whole till)."""
        line = (
            self._t("register", register=register, instruction=instruction)
            if register
            else self._t("till", instruction=instruction)
        )
        return f"\n{self._t('step', step=self._step)} · {line}\n"

    def _refused_or_skipped(self, register: str, verb: str, english: str, typed: str) -> None:
        """``r [message]`` raises Refused, ``s`` NotSupportedByTarget; any other answer returns."""
        word, _, rest = typed.partition(" ")
        if word.lower() == "s" and not rest:
            self._record("manual.answer", register, verb, answer="skipped", typed=typed)
            raise NotSupportedByTarget(self.name, english, "the technician skipped it: this till cannot do it")
        if word.lower() == "r":
            reason = rest.strip() or self._ask(register, verb, self._t("reason")).strip()
            self._record("manual.answer", register, verb, answer="refused", typed=typed, reason=reason)
            raise Refused(english, reason or "(the technician typed no message)")

    def _do(self, register: str, verb: str, key: str, **fields: object) -> None:
        """Prompt the technician for one verb; Enter returns, ``r`` raises Refused, ``s`` NotSupportedByTarget.

        A field may be a function of the language (an article's or a sale's description).
        """
        self._step += 1

        def text(lang: str) -> str:
            return say(key, lang, **{k: v(lang) if callable(v) else v for k, v in fields.items()})

        prompt = self._heading(register, text(self.lang)) + self._t("answer")
        while True:
            typed = self._ask(register, verb, prompt).strip()
            self._refused_or_skipped(register, verb, text("en"), typed)
            if typed == "":
                self._record("manual.answer", register, verb, answer="done", typed=typed)
                return
            prompt = self._t("answer_again")

    def _optional(self, register: str, verb: str, key: str) -> str:
        typed = self._ask(register, verb, self._t(key)).strip()
        self._record(
            "manual.answer", register, verb, answer="given" if typed else "left out", typed=typed, question=key
        )
        return typed

    def _note(self, key: str, **fields: object) -> None:
        self.console.say(self._t("harness", what=self._t(key, **fields)))

    # --- what the harness knows of the open sale (for Concluded.amount; the receipt is what is judged)
    def _unit(self, art_id: str) -> int:
        article = self.profile.articles.get(art_id) if self.profile is not None else None
        return article.price if article is not None else 0

    def _line(self, register: str, line: int) -> _Line | None:
        lines = self._lines.get(register, [])
        return lines[line - 1] if 1 <= line <= len(lines) else None

    def _sale(self, trans_id: str, lang: str) -> str:
        label = self._sales.get(trans_id)
        if label is None or label.startswith("number:"):
            return say("sale_number", lang, number=trans_id)
        return say("sale_step", lang, step=label.removeprefix("step:"))

    def _concluded(self, register: str, verb: str) -> Concluded:
        number = self._optional(register, verb, "receipt_number")
        trans_id = number or f"{register}-manual-{self._step}"
        self._sales[trans_id] = f"number:{number}" if number else f"step:{self._step}"
        lines = self._lines.pop(register, [])
        return Concluded(trans_id, sum(line.unit * line.quantity - line.discount for line in lines))

    # --- session
    def open_register(self, register: str, operator: str) -> None:
        """Ask to start the kassapunkt and log the operator in."""
        self._do(register, "open_register", "open_register", operator=operator)

    def close_register(self, register: str) -> None:
        """Ask to log out and stop the kassapunkt."""
        self._do(register, "close_register", "close_register")

    def register_float(self, register: str, amount: int) -> None:
        """Ask to register the opening float."""
        self._do(register, "register_float", "register_float", amount=money(amount))

    def login(self, register: str, operator: str) -> None:
        """Ask to log another operator in."""
        self._do(register, "login", "login", operator=operator)

    def logout(self, register: str) -> None:
        """Ask to log the operator out."""
        self._do(register, "logout", "logout")

    # --- the sale
    def add_item(self, register: str, art_id: str, quantity: int = 1) -> None:
        """Ask to sell an article."""
        self._do(register, "add_item", "add_item", quantity=quantity, article=lambda lang: self._article(art_id, lang))
        self._lines.setdefault(register, []).append(_Line(self._unit(art_id), quantity))

    def return_item(self, register: str, art_id: str, quantity: int = 1) -> None:
        """Ask to register a return line."""
        self._do(register, "return_item", "return_item", quantity=quantity,
                 article=lambda lang: self._article(art_id, lang))  # fmt: skip
        self._lines.setdefault(register, []).append(_Line(self._unit(art_id), -quantity))

    def discount(self, register: str, line: int, amount: int) -> None:
        """Ask to give a manual discount on a line."""
        self._do(register, "discount", "discount", amount=money(amount), line=line)
        found = self._line(register, line)
        if found is not None:
            found.discount += amount

    def correct_line(self, register: str, line: int, quantity: int) -> None:
        """Ask to change a line's quantity."""
        self._do(register, "correct_line", "correct_line", line=line, quantity=quantity)
        found = self._line(register, line)
        if found is not None:
            found.quantity = quantity

    def remove_line(self, register: str, line: int) -> None:
        """Ask to delete a line."""
        self._do(register, "remove_line", "remove_line", line=line)
        if self._line(register, line) is not None:
            del self._lines[register][line - 1]

    def set_buyer(self, register: str, name: str) -> None:
        """Ask to put the buyer's name on the sale."""
        self._do(register, "set_buyer", "set_buyer", name=name)

    def park(self, register: str) -> str:
        """Ask to park the sale; its reference is what the technician types, or a name for the step."""
        self._do(register, "park", "park")
        typed = self._optional(register, "park", "parked_ref")
        ref = typed or f"{register}-parked-{self._step}"
        self._parked_labels[ref] = f"ref:{typed}" if typed else f"step:{self._step}"
        self._parked[ref] = self._lines.pop(register, [])
        return ref

    def resume(self, register: str, ref: str) -> None:
        """Ask to resume a parked sale."""
        label = self._parked_labels.get(ref, f"ref:{ref}")

        def sale(lang: str) -> str:
            if label.startswith("ref:"):
                return say("parked_ref_known", lang, ref=label.removeprefix("ref:"))
            return say("parked_step", lang, step=label.removeprefix("step:"))

        self._do(register, "resume", "resume", sale=sale)
        self._lines[register] = self._parked.pop(ref, [])

    def pay_cash(self, register: str, tendered: int | None = None) -> None:
        """Ask to take cash."""
        self._do(register, "pay_cash", "pay_cash", amount=self._amount(tendered))

    def pay_card(self, register: str, amount: int | None = None) -> None:
        """Ask to take a card payment (the harness's terminal answers the till)."""
        self._do(register, "pay_card", "pay_card", amount=self._amount(amount))

    def pay_other(self, register: str, kind: str, amount: int | None = None) -> None:
        """Ask to take a gift card or mobile payment."""
        if kind not in ("giftcard", "mobile"):
            raise TargetError(f"payment kind {kind!r}: use giftcard or mobile")
        self._do(register, f"pay_{kind}", f"pay_{kind}", amount=self._amount(amount))

    def _amount(self, amount: int | None) -> object:
        if amount is None:
            return lambda lang: say("the_total", lang)
        return money(amount)

    def conclude(self, register: str, *, electronic_receipt: str = "") -> Concluded:
        """Ask to conclude the sale; the receipt number is asked for as an option."""
        if electronic_receipt:
            self._do(register, "conclude", "conclude_electronic", address=electronic_receipt)
        else:
            self._do(register, "conclude", "conclude")
        return self._concluded(register, "conclude")

    def conclude_credit(self, register: str, customer: str) -> Concluded:
        """Ask to conclude the sale as a credit sale."""
        self._do(register, "conclude_credit", "conclude_credit", customer=customer)
        return self._concluded(register, "conclude_credit")

    def void(self, register: str) -> None:
        """Ask to cancel the open sale."""
        self._do(register, "void", "void")
        self._lines.pop(register, None)

    # --- documents and functions
    def copy_receipt(self, register: str, trans_id: str) -> None:
        """Ask to print a copy receipt of a concluded sale."""
        self._do(register, "copy_receipt", "copy_receipt", sale=lambda lang: self._sale(trans_id, lang))

    def provisional_receipt(self, register: str) -> None:
        """Ask to print a provisional receipt."""
        self._do(register, "provisional_receipt", "provisional_receipt")

    def training(self, register: str, on: bool) -> None:
        """Ask to switch training mode."""
        self._do(register, "training", "training_on" if on else "training_off")

    def price_lookup(self, register: str, art_id: str) -> None:
        """Ask to look up a price."""
        self._do(register, "price_lookup", "price_lookup", article=lambda lang: self._article(art_id, lang))

    def open_drawer(self, register: str) -> None:
        """Ask to open the drawer without a sale."""
        self._do(register, "open_drawer", "open_drawer")

    def exchange_slip(self, register: str, trans_id: str) -> None:
        """Ask to print an exchange slip."""
        self._do(register, "exchange_slip", "exchange_slip", sale=lambda lang: self._sale(trans_id, lang))

    def cash_in(self, register: str, amount: int) -> None:
        """Ask to register a pay-in."""
        self._do(register, "cash_in", "cash_in", amount=money(amount))

    def cash_out(self, register: str, amount: int) -> None:
        """Ask to register a pay-out."""
        self._do(register, "cash_out", "cash_out", amount=money(amount))

    def change_price(self, register: str, art_id: str, price: int) -> None:
        """Ask to change an article's price."""
        self._do(register, "change_price", "change_price", amount=money(price),
                 article=lambda lang: self._article(art_id, lang))  # fmt: skip

    def x_report(self, register: str) -> None:
        """Ask for an X report."""
        self._do(register, "x_report", "x_report")

    def z_report(self, register: str) -> None:
        """Ask for a Z report."""
        self._do(register, "z_report", "z_report")

    def next_business_day(self, register: str) -> None:
        """Ask the technician to move the till on to the next business day."""
        self._do(register, "next_business_day", "next_business_day")

    def settle(self, register: str, counted: int) -> None:
        """Ask for the daily settlement."""
        self._do(register, "settle", "settle", amount=money(counted))

    def export_journal(self, out_dir: Path, start: date | None = None, end: date | None = None) -> Path:
        """Ask the technician to export SAF-T and type the file's path; it is copied into ``out_dir``.

        Raises:
            Refused: The technician answered ``r``.
            NotSupportedByTarget: The technician answered ``s``.
        """
        self._step += 1

        def period(lang: str) -> str:
            if start is None and end is None:
                return say("today", lang)
            return say("period", lang, start=start or end, end=end or start)

        english = say("export_journal", "en", period=period("en"))
        prompt = self._heading("", self._t("export_journal", period=period(self.lang))) + self._t("export_path")
        while True:
            typed = self._ask("", "export_journal", prompt).strip()
            self._refused_or_skipped("", "export_journal", english, typed)
            source = Path(typed.strip("'\"")).expanduser() if typed else None
            if source is not None and source.is_file():
                out_dir.mkdir(parents=True, exist_ok=True)
                copy = Path(shutil.copy2(source, out_dir / source.name))
                self._record("manual.answer", "", "export_journal", answer="done", typed=typed, path=str(source),
                             copy=str(copy))  # fmt: skip
                return copy
            self._record("manual.answer", "", "export_journal", answer="no such file", typed=typed)
            prompt = self._t("no_such_file", path=typed or "''") + "\n" + self._t("export_path")

    def kill_and_restart(self) -> None:
        """Ask the technician to kill the till's program and start it again."""
        self._do("", "kill_and_restart", "kill_and_restart")

    # --- the harness's side: done without asking, the technician is told
    def set_printer(
        self, register: str, *, paper_out: bool = False, cover_open: bool = False, after_lines: int = 0
    ) -> None:
        """Put the emulated printer into paper-out or cover-open state (or back to ready), now or mid-document.

        The harness does it on its own printer; the technician is told.
        """
        super().set_printer(register, paper_out=paper_out, cover_open=cover_open, after_lines=after_lines)
        key = "paper_out" if paper_out else "cover_open" if cover_open else "printer_ready"
        self._note(f"{key}_after" if after_lines else key, register=register, lines=after_lines)

    def set_drawer(self, register: str, *, stuck_open: bool = False) -> None:
        """Make the emulated drawer stick open, or work again, and say so."""
        super().set_drawer(register, stuck_open=stuck_open)
        self._note("drawer_stuck" if stuck_open else "drawer_repaired", register=register)

    def script_terminal(self, register: str, outcome: str, seconds: float = 0.0) -> None:
        """Script the emulated terminal's answer to the next payment, and say so."""
        super().script_terminal(register, outcome, seconds)
        self._note("terminal", register=register, outcome=outcome)

    def close(self) -> None:
        """Close the technician's terminal (the devices stay up for the next scenario)."""
        self.console.close()
