"""Stateful conformance: random operation sequences against any till, judged from evidence.

A Hypothesis :class:`~hypothesis.stateful.RuleBasedStateMachine` drives a till through its
:class:`~harness.targets.base.TillDriver` only -- sales, returns, cash and card payments,
conclusions, voids, copies, parking, nullinnslag, X and Z reports, the drawer pushed shut, the
end of a business day (a Z report on every kassapunkt, then the next day) --
and after every step checks what the harness's printer and drawer recorded against a
deliberately naive model: plain integers in øre and counts of what the operator did since
the last Z report, added up the way ``docs/verify.md`` documents the X/Z figures (a
transaction with a sale line is one sales receipt, one with a return line one return,
each at the sum of those lines; total cash sales are the transactions' totals whatever
the means of payment; a void counts its basket's total).

Checked after every step (cheap, from the printer):

* a concluded sale printed exactly one receipt, with the journal number the till gave it
  and the model's total (kassasystemforskrifta § 2-6 fjerde ledd, § 2-8-4);
* receipts printed = sales concluded, and never more than one copy per receipt number
  (§ 2-6 fjerde ledd), each marked «KOPI» (§ 2-8-6);
* printed Z reports are numbered one higher each time (§ 2-8-3 første ledd);
* after an X or Z report: its printed figures e, l, m, n, p, r equal the model (§ 2-8-2).

Checked after every X/Z report and at the end of each example, from the journal export
verified with the profile's keys (:func:`harness.journal_export.export_and_read`):

* no error of the verifier's signature, numbering, copy and report rules (``SIG``, ``NUM``,
  ``COPY``, ``Z``): the chain verifies, Z numbers and every figure recomputed from the
  transactions agree;
* transaction numbers (``nr``) and each receipt series are gapless per kassapunkt;
* every eventReport since the example began has the model's e, l, m, n, p, r and grand
  totals grown by exactly the sales and returns of the run (§ 2-8-2 bokstav x, y);
* every printed receipt matches its journal transaction by number and total, and every
  concluded sale is in the journal at the model's total.

Refused is a legitimate answer and is counted; where the law decides, the refusal is
checked: a second copy, a Z report with an open or parked sale, and a registration with
the drawer open must be refused; adding a declared article, paying and concluding a plain
sale in cash under NOK 40 000, voiding an unpaid sale and the X/Z reports must not be. A verb
the target raises :class:`~harness.targets.base.NotSupportedByTarget` for is skipped for the
rest of the run and reported.

Each example opens the target afresh (``open_target(url)``) and starts with a Z report on
every kassapunkt, so that the model's period starts at a known point on a till that has
a history (a vendor's test till); at its end the example voids what it left open.

Use :func:`run_fuzz` (``kassakontroll fuzz``), or :func:`fuzz_machine` and its ``TestCase``
in pytest.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import wraps
from itertools import pairwise
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from hypothesis import HealthCheck, Phase, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.reporting import with_reporter
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test

from harness.documents import (
    JOURNAL_NUMBER,
    NOT_FOR_PURCHASE,
    is_copy,
    is_headed,
    prints_number_of,
    receipt_token,
)
from harness.journal_export import JournalExport, export_and_read
from harness.observe import Printed, printed
from harness.profile import Profile
from harness.targets import NotSupportedByTarget, Refused, TargetError, TillDriver, open_target

__all__ = [
    "FuzzFailure",
    "FuzzMachine",
    "FuzzResult",
    "InvariantBroken",
    "Parked",
    "Sale",
    "fuzz_machine",
    "reproduction_program",
    "run_fuzz",
]

_F = TypeVar("_F", bound=Callable[..., Any])

#: bokføringsforskrifta § 5-1-2: from NOK 40 000 in cash the buyer's name is required, so
#: a till may lawfully refuse such a sale here (the fuzz does not register buyers).
_BUYER_NAME_FROM = 4_000_000

#: The verifier's rule families whose errors break the fuzz's invariants.
_JOURNAL_RULES = ("SIG", "NUM", "COPY", "Z")


class InvariantBroken(AssertionError):
    """An invariant does not hold; the message cites the rule and shows the evidence."""


# --------------------------------------------------------------------------- reading paper

_TOTAL_LABEL = re.compile(r"total|sum|å betale|å tilbakebetale|beløp", re.IGNORECASE)
_Z_WORD = re.compile(r"z[\s-]?(rapport|report)", re.IGNORECASE)
_REPORT_NUMBER = re.compile(r"(?<![\w.])(?:nr|nummer|no)\.?\s*:?\s*(\d+)|#\s*(\d+)", re.IGNORECASE)
_ENDS_WITH_FIGURE = re.compile(r"\d\s*%?\s*$")
_DIGIT = re.compile(r"\d")


def _is_receipt(document: Printed) -> bool:
    """A receipt for purchase: prints a receipt number, is no copy, is not marked as no receipt."""
    if receipt_token(document) is None or is_copy(document):
        return False
    return not NOT_FOR_PURCHASE.search(" ".join(line for line, _w, _h in document.lines))


def _amount(ore: int, *, unsigned: bool = False) -> re.Pattern[str]:
    """øre as printed in Norway (``1 234,50``, ``1234,50``, ``-39,90``, ``39,90-``); not the tail of a longer number."""
    whole, cents = divmod(abs(ore), 100)
    body = r"[ \u00a0.]?".join(f"{whole:,}".split(",")) + f",{cents:02d}"
    lead = r"(?<![\d,.\-\u2212])(?<!\d[ \u00a0.])"
    if unsigned:
        return re.compile(rf"{lead}(?:[-\u2212]\s?)?{body}(?!\d)")
    if ore < 0:
        return re.compile(rf"{lead}(?:[-\u2212]\s?{body}(?!\d)|{body}[-\u2212](?![-\u2212\w]))")
    return re.compile(rf"{lead}{body}(?!\d)")


def _count(count: int) -> re.Pattern[str]:
    """A count as a number of its own (not part of an id, an amount or a date)."""
    return re.compile(rf"(?<![\w,.:\-\u2212]){count}(?![\w,:]|\.\d)")


def _shows_total(document: Printed, ore: int) -> bool:
    """§ 2-8-4: a line labelled as the total shows ``ore``."""
    pattern = _amount(ore)
    return any(pattern.search(line) and _TOTAL_LABEL.search(line) for line, _w, _h in document.lines)


def _rows(document: Printed) -> list[tuple[str, bool]]:
    """Every printed line, and each line without a figure at its end joined with the next (``joined``)."""
    lines = [line for line, _w, _h in document.lines]
    rows = []
    for index, line in enumerate(lines):
        rows.append((line, False))
        if not _ENDS_WITH_FIGURE.search(line) and index + 1 < len(lines):
            rows.append((f"{line} {lines[index + 1]}", True))
    return rows


def _shows_figure(
    document: Printed, labels: Sequence[str], *, count: int | None, amount: int | None, unsigned: bool
) -> bool:
    """A row names the figure by one of ``labels`` and shows ``count`` and ``amount`` after the label.

    A row joined from a label line and its continuation must show nothing else with digits,
    so that it cannot borrow the figure of the next line's label.
    """
    for text, joined in _rows(document):
        hits = [m for m in (re.search(label, text, re.IGNORECASE) for label in labels) if m is not None]
        if not hits:
            continue
        rest = text[min(m.end() for m in hits) :]
        found_all = True
        for pattern in ([_amount(amount, unsigned=unsigned)] if amount is not None else []) + (
            [_count(count)] if count is not None else []
        ):
            match = pattern.search(rest)
            if match is None:
                found_all = False
                break
            rest = rest[: match.start()] + " " + rest[match.end() :]
        if found_all and not (joined and _DIGIT.search(rest)):
            return True
    return False


def _report_number(document: Printed) -> int | None:
    """The number a printed report gives itself: on a line naming the Z report, else on its first lines."""
    lines = [line for line, _w, _h in document.lines if line.strip()]
    for candidates in ([line for line in lines if _Z_WORD.search(line)], lines[:3]):
        for line in candidates:
            match = _REPORT_NUMBER.search(line)
            if match:
                return int(match.group(1) or match.group(2))
    return None


def _headed(document: Printed, kind: str) -> bool:
    """§ 2-8-2 bokstav a / § 2-8-3: the document's heading names it an X or Z report."""
    return is_headed(document, f"{kind}-rapport")


def _kr(ore: int) -> str:
    sign = "-" if ore < 0 else ""
    whole, cents = divmod(abs(ore), 100)
    return f"{sign}{whole},{cents:02d} kr"


# --------------------------------------------------------------------------- the naive model


@dataclass(frozen=True, slots=True)
class Sale:
    """A sale the till concluded: where, its journal id (as the till reported it) and the model's total."""

    register: str
    trans_id: str
    total: int


@dataclass(frozen=True, slots=True)
class Parked:
    """A sale the till parked: where and the reference it gave."""

    register: str
    ref: str


@dataclass
class _Basket:
    """The open sale: (article, quantity) lines, a return line with a negative quantity; how it was paid."""

    lines: list[tuple[str, int]] = field(default_factory=list)
    paid: str = ""

    def total(self, profile: Profile) -> int:
        return sum(q * profile.article(a).price for a, q in self.lines)

    def sold(self, profile: Profile) -> int:
        return sum(q * profile.article(a).price for a, q in self.lines if q > 0)

    def returned(self, profile: Profile) -> int:
        return sum(-q * profile.article(a).price for a, q in self.lines if q < 0)

    def plain(self, profile: Profile) -> bool:
        """Only sale lines, under the buyer's-name limit: a till has no reason to refuse it."""
        # a krone below the limit: cash rounding must not lift it to NOK 40 000
        return all(q > 0 for _a, q in self.lines) and 0 < self.total(profile) < _BUYER_NAME_FROM - 100


@dataclass(frozen=True)
class _Period:
    """What happened on a kassapunkt since its last Z report (kassasystemforskrifta § 2-8-2 letters)."""

    e: int = 0
    l: int = 0  # noqa: E741 - the letter of § 2-8-2
    m: int = 0
    n: tuple[int, int] = (0, 0)
    p: tuple[int, int] = (0, 0)
    r: tuple[int, int] = (0, 0)


def _plus(pair: tuple[int, int], amount: int) -> tuple[int, int]:
    return pair[0] + 1, pair[1] + amount


@dataclass(frozen=True)
class _Snapshot:
    """The model when a report was taken: its period and the sales and returns since the example began."""

    kind: str
    period: _Period
    sold: int
    returned: int


@dataclass
class _Register:
    """The model of one kassapunkt."""

    id: str
    basket: _Basket | None = None
    drawer_open: bool = False
    period: _Period = field(default_factory=_Period)
    sold: int = 0
    returned: int = 0
    reports: list[_Snapshot] = field(default_factory=list)
    period_known: bool = False
    z_count: int = 0
    sales: list[Sale] = field(default_factory=list)
    copies: Counter[str] = field(default_factory=Counter)
    parked: list[Parked] = field(default_factory=list)


# --------------------------------------------------------------------------- the run


@dataclass
class _Run:
    """What a run shares across its examples."""

    examples: int = 0
    steps: int = 0
    unsupported: dict[str, str] = field(default_factory=dict)
    refusals: Counter[str] = field(default_factory=Counter)
    reasons: dict[str, str] = field(default_factory=dict)
    progress: Callable[[str], None] | None = None


@dataclass
class _Outcome:
    value: Any = None
    refused: Refused | None = None
    unsupported: bool = False


def _step(function: _F) -> _F:
    """A rule: counted as a step, followed by the cheap invariants; a failure is remembered for teardown."""

    @wraps(function)
    def wrapper(self: FuzzMachine, *args: Any, **kwargs: Any) -> Any:
        self.steps += 1
        self.run.steps += 1
        try:
            result = function(self, *args, **kwargs)
            self._sync_drawers()
            self.evidence_agrees()
            return result
        except BaseException:
            self.broken = True  # teardown must not mask this failure with one of its own
            raise

    return wrapper  # type: ignore[return-value]


def _pick(choices: str) -> st.SearchStrategy[Any]:
    """One of the machine's current ``choices()`` (the precondition makes sure there is one)."""
    return st.runner().flatmap(lambda machine: st.sampled_from(getattr(machine, choices)()))


class FuzzMachine(RuleBasedStateMachine):
    """Drives one till through random operations; see the module docstring. Build it with :func:`fuzz_machine`."""

    target_url: ClassVar[str] = "reference://"
    profile: ClassVar[Profile]
    run: ClassVar[_Run]

    def __init__(self) -> None:
        super().__init__()
        self.run.examples += 1
        self.steps = 0
        self.days = 1
        self.broken = False
        self.example = self.run.examples
        self._exports = 0
        self._parked_baskets: dict[tuple[str, str], _Basket] = {}
        self._folder = tempfile.TemporaryDirectory(prefix="kassakontroll-fuzz-")
        try:
            self.till: TillDriver = open_target(self.target_url)
        except BaseException:
            self._folder.cleanup()
            raise
        try:
            self.start = self._drawer_seen = self.till.evidence.cursor()
            self._paper: dict[str, list[Printed]] = {}
            wanted = self.profile.registers
            usable = [r for r in wanted if r in self.till.registers] if self.till.registers else list(wanted)
            self.registers = {r: _Register(r) for r in usable or wanted}
            self.article_ids = sorted(self.profile.articles)
            operator = self.profile.operators[0]
            for register in self.registers:
                try:
                    self.till.open_register(register, operator)
                except Refused as refused:
                    raise TargetError(
                        f"kassapunkt {register} refused to open with operator {operator} ({refused.reason}); "
                        f"check [registers] and [operators] in {self.profile.path}"
                    ) from refused
            for register in self.registers:
                self._start_period(register)
            self.evidence_agrees()
        except BaseException:
            self.till.close()
            self._folder.cleanup()
            raise

    # ------------------------------------------------------------------ helpers

    def _try(self, verb: str, action: Callable[[], Any], *, lawful: bool = False) -> _Outcome:
        """Run a driver verb: its value, or the till's refusal (counted), or that the target cannot.

        ``lawful``: the step asks for something the law forbids; its refusal is counted apart.
        """
        try:
            return _Outcome(value=action())
        except Refused as refused:
            key = f"{verb} (as the law requires)" if lawful else verb
            self.run.refusals[key] += 1
            self.run.reasons.setdefault(key, refused.reason)
            return _Outcome(refused=refused)
        except NotSupportedByTarget as exc:
            self.run.unsupported.setdefault(verb, str(exc))
            return _Outcome(unsupported=True)

    def _supports(self, verb: str) -> bool:
        return verb not in self.run.unsupported

    def _must_accept(self, outcome: _Outcome, what: str, why: str) -> None:
        if outcome.refused is not None:
            raise InvariantBroken(
                f"the till refused {what} ({outcome.refused.reason}); {why}, so the refusal has no ground the "
                f"fuzz knows"
            )

    def _must_refuse(self, outcome: _Outcome, what: str, rule_text: str) -> None:
        if outcome.refused is None and not outcome.unsupported:
            raise InvariantBroken(f"{rule_text}: the till accepted {what}; it must refuse it")

    def _docs(self, register: str, since: int | None = None) -> list[Printed]:
        """What the printer of ``register`` cut off after ``since`` (the example's start); decoded once each."""
        paper = self._paper.setdefault(register, [])
        fresh = printed(self.till.evidence, register, paper[-1].seq if paper else self.start)
        paper.extend(fresh)
        floor = self.start if since is None else since
        return [d for d in paper if d.seq > floor]

    def _sync_drawers(self) -> None:
        """The drawers' state as their sensors last reported it (the harness's drawer, not the till's word)."""
        for record in self.till.evidence.since(self._drawer_seen, kind="drawer.sensor"):
            model = self.registers.get(record.source.partition("/")[0])
            if model is not None:
                model.drawer_open = record.data.get("open") is True
            self._drawer_seen = record.seq

    def _one_report(self, register: str, kind: str, since: int) -> Printed:
        documents = [d for d in self._docs(register, since) if _headed(d, kind)]
        if len(documents) != 1:
            printed_now = [d.first_text_line() for d in self._docs(register, since)]
            raise InvariantBroken(
                f"kassasystemforskrifta § 2-8-2 / § 2-8-3: the {kind} report of kassapunkt {register} printed "
                f"{len(documents)} documents headed «{kind}-rapport»; the step printed {printed_now}"
            )
        return documents[0]

    def _start_period(self, register: str) -> None:
        """The Z report that starts every example: the model's period begins after it."""
        model = self.registers[register]
        before = self.till.evidence.cursor()
        outcome = self._try("z_report", lambda: self.till.z_report(register))
        if outcome.unsupported:
            return
        if outcome.refused is not None:
            raise TargetError(
                f"kassapunkt {register} refused the Z report every fuzz example starts with "
                f"({outcome.refused.reason}); conclude or void its open and parked sales and run again"
            )
        document = self._one_report(register, "Z", before)
        if _report_number(document) is None:
            raise InvariantBroken(
                f"kassasystemforskrifta § 2-8-3 første ledd: the printed Z report of kassapunkt {register} shows "
                f"no number (looked for «nr. N» on the line naming the Z report):\n{document.text}"
            )
        model.z_count = 1
        model.period_known = True
        model.reports.append(_Snapshot("Z", _Period(), 0, 0))

    # ------------------------------------------------------------------ choices

    def _registerable(self) -> list[str]:
        """Kassapunkter where a line may be registered: no sale, or one not yet paid."""
        return [r for r, m in self.registers.items() if m.basket is None or not m.basket.paid]

    def _unpaid(self) -> list[str]:
        return [r for r, m in self.registers.items() if m.basket and m.basket.lines and not m.basket.paid]

    def _payable(self) -> list[str]:
        return [r for r in self._unpaid() if not self.registers[r].drawer_open]

    def _paid(self) -> list[str]:
        return [r for r, m in self.registers.items() if m.basket and m.basket.paid and not m.drawer_open]

    def _voidable(self) -> list[str]:
        return [r for r, m in self.registers.items() if m.basket and m.basket.lines and not m.drawer_open]

    def _idle(self) -> list[str]:
        return [r for r, m in self.registers.items() if m.basket is None and not m.drawer_open]

    def _drawer_closed(self) -> list[str]:
        return [r for r, m in self.registers.items() if not m.drawer_open]

    def _drawer_is_open(self) -> list[str]:
        return [r for r, m in self.registers.items() if m.drawer_open]

    def _copyable(self) -> list[Sale]:
        return [s for m in self.registers.values() if not m.drawer_open for s in m.sales]

    def _resumable(self) -> list[Parked]:
        return [p for m in self.registers.values() if m.basket is None and not m.drawer_open for p in m.parked]

    def _articles(self) -> list[str]:
        return self.article_ids

    # ------------------------------------------------------------------ the sale

    @precondition(lambda self: self._supports("add_item") and bool(self._registerable()))
    @rule(register=_pick("_registerable"), art_id=_pick("_articles"), quantity=st.integers(1, 3))
    @_step
    def add_item(self, register: str, art_id: str, quantity: int) -> None:
        """Register a sale line of a profile article."""
        model = self.registers[register]
        outcome = self._try(
            "add_item", lambda: self.till.add_item(register, art_id, quantity), lawful=model.drawer_open
        )
        if outcome.unsupported:
            return
        if model.drawer_open:
            # kassasystemforskrifta § 2-6 femte ledd: no registration while the integrated drawer is open
            self._must_refuse(outcome, f"a sale line on kassapunkt {register} with its drawer open",
                              "kassasystemforskrifta § 2-6 femte ledd")  # fmt: skip
            return
        self._must_accept(outcome, f"{quantity} × article {art_id} on kassapunkt {register}",
                          f"the article is declared in {self.profile.path.name} and the drawer is closed")  # fmt: skip
        model.basket = model.basket or _Basket()
        model.basket.lines.append((art_id, quantity))

    @precondition(lambda self: self._supports("return_item") and bool(self._registerable()))
    @rule(register=_pick("_registerable"), art_id=_pick("_articles"), quantity=st.integers(1, 2))
    @_step
    def return_item(self, register: str, art_id: str, quantity: int) -> None:
        """Register a return line (goods taken back); a till may refuse returns."""
        model = self.registers[register]
        outcome = self._try(
            "return_item", lambda: self.till.return_item(register, art_id, quantity), lawful=model.drawer_open
        )
        if outcome.unsupported:
            return
        if model.drawer_open:
            # kassasystemforskrifta § 2-6 femte ledd: no registration while the integrated drawer is open
            self._must_refuse(outcome, f"a return line on kassapunkt {register} with its drawer open",
                              "kassasystemforskrifta § 2-6 femte ledd")  # fmt: skip
            return
        if outcome.refused is None:
            model.basket = model.basket or _Basket()
            model.basket.lines.append((art_id, -quantity))

    @precondition(lambda self: self._supports("pay_cash") and bool(self._payable()))
    @rule(register=_pick("_payable"))
    @_step
    def pay_cash(self, register: str) -> None:
        """Take the sale's total in cash."""
        self._pay(register, "cash", lambda: self.till.pay_cash(register))

    @precondition(lambda self: self._supports("pay_card") and bool(self._payable()))
    @rule(register=_pick("_payable"))
    @_step
    def pay_card(self, register: str) -> None:
        """Take the sale's total through the payment terminal (a till may refuse, a terminal decline)."""
        self._pay(register, "card", lambda: self.till.pay_card(register))

    def _pay(self, register: str, means: str, action: Callable[[], None]) -> None:
        basket = self.registers[register].basket
        assert basket is not None
        outcome = self._try(f"pay_{means}", action)
        if outcome.unsupported:
            return
        if means == "cash" and basket.plain(self.profile):
            self._must_accept(outcome, f"a cash payment of {_kr(basket.total(self.profile))} on kassapunkt {register}",
                              "the sale has only sale lines and is under NOK 40 000")  # fmt: skip
        if outcome.refused is None:
            basket.paid = means

    @precondition(lambda self: self._supports("conclude") and bool(self._paid()))
    @rule(register=_pick("_paid"))
    @_step
    def conclude(self, register: str) -> None:
        """Conclude the paid sale: one receipt, with its number and the model's total."""
        model = self.registers[register]
        basket = model.basket
        assert basket is not None
        before = self.till.evidence.cursor()
        total = basket.total(self.profile)
        needs_buyer = basket.paid == "cash" and total >= _BUYER_NAME_FROM
        outcome = self._try("conclude", lambda: self.till.conclude(register), lawful=needs_buyer)
        if outcome.unsupported:
            return
        if basket.paid == "cash" and basket.plain(self.profile):
            self._must_accept(outcome, f"to conclude a cash sale of {_kr(total)} on kassapunkt {register}",
                              "it is paid in full with only sale lines, under NOK 40 000")  # fmt: skip
        if needs_buyer:
            # bokføringsforskrifta § 5-1-2: from NOK 40 000 in cash the buyer's name, which the fuzz never gives
            self._must_refuse(outcome, f"to conclude a cash sale of {_kr(total)} without the buyer's name",
                              "bokføringsforskrifta § 5-1-2")  # fmt: skip
        if outcome.refused is not None:
            return
        sale = Sale(register, str(outcome.value.trans_id), total)
        model.basket = None
        model.sales.append(sale)
        sold, returned = basket.sold(self.profile), basket.returned(self.profile)
        period = model.period
        model.period = replace(
            period,
            e=period.e + total,
            l=period.l + (1 if sold else 0),
            p=_plus(period.p, returned) if returned else period.p,
        )
        model.sold += sold
        model.returned += returned
        receipts = [d for d in self._docs(register, before) if _is_receipt(d)]
        # kassasystemforskrifta § 2-6 fjerde ledd: no sale is concluded without its salskvittering
        if len(receipts) != 1:
            headings = [d.first_text_line() for d in self._docs(register, before)]
            raise InvariantBroken(
                f"kassasystemforskrifta § 2-6 fjerde ledd: concluding {sale.trans_id} printed {len(receipts)} "
                f"receipts (documents with a receipt number, no «KOPI»), not one; it printed {headings}"
            )
        receipt = receipts[0]
        # kassasystemforskrifta § 2-8-4: the receipt's number and its total
        if not prints_number_of(receipt, sale.trans_id):
            raise InvariantBroken(
                f"kassasystemforskrifta § 2-8-4: the receipt does not print the number of {sale.trans_id}, the "
                f"transaction the till reported:\n{receipt.text}"
            )
        if not _shows_total(receipt, total):
            raise InvariantBroken(
                f"kassasystemforskrifta § 2-8-4: the receipt of {sale.trans_id} shows no total of {_kr(total)} "
                f"(the profile's prices of {basket.lines}):\n{receipt.text}"
            )

    @precondition(lambda self: self._supports("void") and bool(self._voidable()))
    @rule(register=_pick("_voidable"))
    @_step
    def void(self, register: str) -> None:
        """Cancel the open sale (counted in § 2-8-2 bokstav r)."""
        model = self.registers[register]
        basket = model.basket
        assert basket is not None
        outcome = self._try("void", lambda: self.till.void(register))
        if outcome.unsupported:
            return
        if not basket.paid:
            self._must_accept(outcome, f"to void the unpaid open sale on kassapunkt {register}",
                              "a sale not yet paid can always be cancelled")  # fmt: skip
        if outcome.refused is None:
            model.basket = None
            model.period = replace(model.period, r=_plus(model.period.r, abs(basket.total(self.profile))))

    @precondition(lambda self: self.profile.has("parked_sales") and self._supports("park") and bool(self._payable()))
    @rule(register=_pick("_payable"))
    @_step
    def park(self, register: str) -> None:
        """Park the open, unpaid sale."""
        model = self.registers[register]
        outcome = self._try("park", lambda: self.till.park(register))
        if outcome.unsupported or outcome.refused is not None:
            return
        model.parked.append(Parked(register, str(outcome.value)))
        self._parked_baskets[(register, str(outcome.value))] = model.basket or _Basket()
        model.basket = None

    @precondition(
        lambda self: self.profile.has("parked_sales") and self._supports("resume") and bool(self._resumable())
    )
    @rule(parked=_pick("_resumable"))
    @_step
    def resume(self, parked: Parked) -> None:
        """Resume a parked sale on its kassapunkt."""
        model = self.registers[parked.register]
        outcome = self._try("resume", lambda: self.till.resume(parked.register, parked.ref))
        if outcome.unsupported or outcome.refused is not None:
            return
        model.parked.remove(parked)
        model.basket = self._parked_baskets.pop((parked.register, parked.ref))

    # ------------------------------------------------------------------ documents and the drawer

    @precondition(lambda self: self._supports("copy_receipt") and bool(self._copyable()))
    @rule(sale=_pick("_copyable"))
    @_step
    def copy_receipt(self, sale: Sale) -> None:
        """Ask for a kopikvittering; the second one of a sale must be refused."""
        model = self.registers[sale.register]
        before = self.till.evidence.cursor()
        outcome = self._try(
            "copy_receipt",
            lambda: self.till.copy_receipt(sale.register, sale.trans_id),
            lawful=bool(model.copies[sale.trans_id]),
        )
        if outcome.unsupported:
            return
        if model.copies[sale.trans_id]:
            # kassasystemforskrifta § 2-6 fjerde ledd: no more than one kopikvittering
            self._must_refuse(outcome, f"a second copy of {sale.trans_id}", "kassasystemforskrifta § 2-6 fjerde ledd")
            return
        if outcome.refused is not None:
            return
        model.copies[sale.trans_id] += 1
        model.period = replace(model.period, n=_plus(model.period.n, sale.total))
        copies = [d for d in self._docs(sale.register, before) if is_copy(d)]
        # kassasystemforskrifta § 2-8-6: the copy is marked «KOPI» and is the receipt of that sale
        if len(copies) != 1 or not prints_number_of(copies[0], sale.trans_id):
            shown = [d.text for d in self._docs(sale.register, before)]
            raise InvariantBroken(
                f"kassasystemforskrifta § 2-8-6: the copy of {sale.trans_id} printed {len(copies)} documents marked "
                f"«KOPI» (one with its receipt number expected); printed:\n" + "\n".join(shown)
            )

    @precondition(
        lambda self: self.profile.has("integrated_drawer") and self._supports("nullinnslag") and bool(self._idle())
    )
    @rule(register=_pick("_idle"))
    @_step
    def nullinnslag(self, register: str) -> None:
        """Open the drawer without a sale and push it shut (§ 2-8-2 bokstav m)."""
        model = self.registers[register]
        outcome = self._try("nullinnslag", lambda: self.till.open_drawer(register))
        if outcome.unsupported:
            return
        if outcome.refused is None:
            model.period = replace(model.period, m=model.period.m + 1)
            self._try("close_drawer", lambda: self.till.close_drawer(register))

    @precondition(lambda self: self._supports("close_drawer") and bool(self._drawer_is_open()))
    @rule(register=_pick("_drawer_is_open"))
    @_step
    def close_drawer(self, register: str) -> None:
        """The cashier pushes the drawer shut."""
        self._try("close_drawer", lambda: self.till.close_drawer(register))

    # ------------------------------------------------------------------ reports

    @precondition(lambda self: self._supports("x_report") and bool(self._drawer_closed()))
    @rule(register=_pick("_drawer_closed"))
    @_step
    def x_report(self, register: str) -> None:
        """An X report: its printed and journaled figures equal the model."""
        self._report(register, "X")

    @precondition(lambda self: self._supports("z_report") and bool(self._drawer_closed()))
    @rule(register=_pick("_drawer_closed"))
    @_step
    def z_report(self, register: str) -> None:
        """A Z report: refused while a sale is open or parked; else numbered one higher, a new period starts."""
        model = self.registers[register]
        if (model.basket is not None and model.basket.lines) or model.parked:
            outcome = self._try("z_report", lambda: self.till.z_report(register), lawful=True)
            # kassasystemforskrifta § 2-8-3 andre ledd: no Z report until every sale is concluded
            self._must_refuse(outcome, f"a Z report on kassapunkt {register} with an open or parked sale",
                              "kassasystemforskrifta § 2-8-3 andre ledd")  # fmt: skip
            return
        self._report(register, "Z")

    @precondition(
        lambda self: (
            self._supports("next_business_day")
            and self._supports("z_report")
            and len(self._idle()) == len(self.registers)
            and not any(m.parked for m in self.registers.values())
        )
    )
    @rule()
    @_step
    def end_of_day(self) -> None:
        """The day ends with a Z report on every kassapunkt; the till moves on to the next business day.

        The grand totals carry over (kassasystemforskrifta § 2-8-2 bokstav x, y), the Z
        numbers go on rising (§ 2-8-3 første ledd): the next report's checks see both.
        """
        for register in self.registers:
            self._report(register, "Z")
        first = next(iter(self.registers))
        outcome = self._try("next_business_day", lambda: self.till.next_business_day(first))
        self._must_accept(outcome, "to move on to the next business day", "every kassapunkt has taken its Z report")
        self.days += 1

    def _report(self, register: str, kind: str) -> None:
        model = self.registers[register]
        before = self.till.evidence.cursor()
        verb = f"{kind.lower()}_report"
        action = self.till.x_report if kind == "X" else self.till.z_report
        outcome = self._try(verb, lambda: action(register))
        if outcome.unsupported:
            return
        why = "the drawer is closed" + (" and no sale is open or parked" if kind == "Z" else "")
        self._must_accept(outcome, f"an {kind} report on kassapunkt {register}", why)
        document = self._one_report(register, kind, before)
        snapshot = _Snapshot(kind, model.period, model.sold, model.returned)
        model.reports.append(snapshot)
        if kind == "Z":
            model.z_count += 1
            model.period = _Period()
        if model.period_known:
            self._check_printed_figures(register, document, snapshot)
        self._check_journal(f"after the {kind} report of kassapunkt {register}")

    def _check_printed_figures(self, register: str, document: Printed, snapshot: _Snapshot) -> None:
        """The printed report shows each figure the model expects on a line naming it (§ 2-8-2)."""
        p = snapshot.period
        figures: list[tuple[str, tuple[str, ...], int | None, int | None, bool]] = [
            ("e) total cash sales", (r"kontantsal", r"totalt?\s+sal"), None, p.e, False),
            ("l) sales receipts", (r"sal\w*\s?kvitter", r"antall\s+kvitter"), p.l, None, False),
            ("m) nullinnslag", (r"skuff", r"nullinnslag"), p.m, None, False),
            ("n) copy receipts", (r"kopi",), p.n[0], p.n[1], False),
            ("p) returns", (r"retur",), p.p[0], p.p[1], True),
            ("r) cancelled sales", (r"annuller", r"avbr[uo]t", r"kansell"), p.r[0], p.r[1], True),
        ]
        wrong = []
        for name, labels, count, amount, unsigned in figures:
            if not _shows_figure(document, labels, count=count, amount=amount, unsigned=unsigned):
                shown = ([f"count {count}"] if count is not None else []) + (
                    [f"amount {_kr(amount)}"] if amount is not None else []
                )
                wanted = " and ".join(shown)
                wrong.append(f"  § 2-8-2 bokstav {name}: no line naming it shows {wanted}")
        if wrong:
            raise InvariantBroken(
                f"kassasystemforskrifta § 2-8-2: the printed {snapshot.kind} report of kassapunkt {register} "
                f"disagrees with the model:\n" + "\n".join(wrong) + f"\n{document.text}"
            )

    # ------------------------------------------------------------------ the journal

    def _export(self) -> JournalExport | None:
        if not self._supports("export_journal"):
            return None
        self._exports += 1
        out = Path(self._folder.name) / f"export-{self._exports}"
        out.mkdir(parents=True)
        try:
            return export_and_read(self.till, out, self.profile)
        except NotSupportedByTarget as exc:
            self.run.unsupported.setdefault("export_journal", str(exc))
            return None

    def _check_journal(self, when: str) -> None:
        """The export-based invariants (module docstring); ``when`` goes into the message."""
        export = self._export()
        if export is None:
            return
        problems: list[str] = []
        if not export.result.usable:
            problems.append("the export cannot be read as SAF-T at all")
        found = export.findings(*_JOURNAL_RULES)
        if found:
            problems.append("the verifier finds:\n" + export.describe(found))
        for register, model in self.registers.items():
            problems += _numbering(export, register)
            problems += self._journal_sales(export, register, model)
            problems += self._journal_reports(export, register, model)
        if problems:
            raise InvariantBroken(f"the journal export {when} breaks the invariants:\n" + "\n".join(problems))

    def _journal_sales(self, export: JournalExport, register: str, model: _Register) -> list[str]:
        """Every concluded sale is journaled at the model's total; every printed receipt is one of them."""
        problems = []
        transactions = export.transactions_of(register)
        by_id = {t.trans_id: t for t in transactions}
        for sale in model.sales:
            tx = by_id.get(sale.trans_id)
            if tx is None:
                problems.append(f"  {sale.trans_id}: concluded, but not in the journal (kassasystemforskrifta § 2-7)")
            elif tx.amount_in != sale.total:
                problems.append(
                    f"  {sale.trans_id}: journaled at {_kr(tx.amount_in or 0)}, the profile's prices make "
                    f"{_kr(sale.total)} (kassasystemforskrifta § 2-7)"
                )
        for document in (d for d in self._docs(register) if _is_receipt(d)):
            mine = [t for t in transactions if prints_number_of(document, t.trans_id) and not t.void]
            token = receipt_token(document)
            if len(mine) != 1:
                problems.append(
                    f"  a receipt printed on {register} with number {token} matches {len(mine)} journal "
                    f"transactions (kassasystemforskrifta § 2-8-4)"
                )
            elif not _shows_total(document, mine[0].amount_in or 0):
                problems.append(
                    f"  the receipt of {mine[0].trans_id} does not show its journaled total "
                    f"{_kr(mine[0].amount_in or 0)} (kassasystemforskrifta § 2-8-4):\n{document.text}"
                )
        return problems

    def _journal_reports(self, export: JournalExport, register: str, model: _Register) -> list[str]:
        """The eventReports since the example began hold the model's figures (§ 2-8-2, § 2-8-3)."""
        if not model.period_known:
            return []
        events = [e for e in export.events_of(register, "13008", "13009") if e.report is not None]
        if len(events) < len(model.reports):
            return [
                f"  {register}: the journal holds {len(events)} X/Z reports with an eventReport; the fuzz took "
                f"{len(model.reports)} since the example began (kassasystemforskrifta § 2-7 første ledd)"
            ]
        tail = events[len(events) - len(model.reports) :]
        base = tail[0].report
        assert base is not None
        x0 = base.figures.get("reportGrandTotalSales") or 0
        y0 = abs(base.figures.get("reportGrandTotalReturn") or 0)
        problems = []
        for event, snapshot in zip(tail[1:], model.reports[1:], strict=True):
            report = event.report
            assert report is not None
            kind = "X" if export.code("13", event.event_type) == "13008" else "Z"
            label = f"  {register} {kind} report {report.report_id or event.event_id}"
            if kind != snapshot.kind:
                problems.append(f"{label}: the fuzz took an {snapshot.kind} report here")
                continue
            p = snapshot.period
            expected: list[tuple[str, str, int, bool]] = [
                ("e", "totalCashSaleAmnt", p.e, False),
                ("l", "reportReceiptNum", p.l, False),
                ("m", "reportOpenCashBoxNum", p.m, False),
                ("n", "reportReceiptCopyNum", p.n[0], False),
                ("n", "reportReceiptCopyAmnt", p.n[1], False),
                ("p", "reportReturnNum", p.p[0], True),
                ("p", "reportReturnAmnt", p.p[1], True),
                ("r", "reportVoidTransNum", p.r[0], True),
                ("r", "reportVoidTransAmnt", p.r[1], True),
                ("x", "reportGrandTotalSales", x0 + snapshot.sold, False),
                ("y", "reportGrandTotalReturn", y0 + snapshot.returned, True),
            ]
            for letter, name, want, unsigned in expected:
                got = report.figures.get(name)
                if got is None or (abs(got) if unsigned else got) != want:
                    problems.append(
                        f"{label}: {name} is {got}, the model has {want} (kassasystemforskrifta § 2-8-2 bokstav "
                        f"{letter}{', grown from the Z report the example began with' if letter in 'xy' else ''})"
                    )
        return problems

    # ------------------------------------------------------------------ invariants and the end

    def evidence_agrees(self) -> None:
        """After every step (run by :func:`_step`): receipts, copies and Z numbers on paper agree with the model."""
        for register, model in self.registers.items():
            documents = self._docs(register)
            copies = Counter(receipt_token(d) for d in documents if is_copy(d))
            twice = sorted(f"{letters}{number}" for (letters, number), n in _known(copies) if n > 1)
            # kassasystemforskrifta § 2-6 fjerde ledd: no more than one kopikvittering per receipt
            if twice:
                raise InvariantBroken(
                    f"kassasystemforskrifta § 2-6 fjerde ledd: kassapunkt {register} printed more than one copy "
                    f"of receipt {', '.join(twice)}"
                )
            if sum(copies.values()) != sum(model.copies.values()):
                raise InvariantBroken(
                    f"kassasystemforskrifta § 2-6 fjerde ledd / § 2-8-6: kassapunkt {register} printed "
                    f"{sum(copies.values())} documents marked «KOPI»; the till accepted "
                    f"{sum(model.copies.values())} copy requests"
                )
            receipts = [d for d in documents if _is_receipt(d)]
            # bokføringsforskrifta § 5-3-5: one receipt per sale, none besides
            if len(receipts) != len(model.sales):
                raise InvariantBroken(
                    f"bokføringsforskrifta § 5-3-5 / kassasystemforskrifta § 2-6 fjerde ledd: kassapunkt {register} "
                    f"printed {len(receipts)} receipts (numbered, no «KOPI», not marked as no receipt) for "
                    f"{len(model.sales)} concluded sales; numbers printed: {[receipt_token(d) for d in receipts]}"
                )
            numbers = [_report_number(d) for d in documents if _headed(d, "Z")]
            known = [n for n in numbers if n is not None]
            # kassasystemforskrifta § 2-8-3 første ledd: Z reports are numbered consecutively
            steady = len(known) == len(numbers) and all(b == a + 1 for a, b in pairwise(known))
            if not steady or len(numbers) != model.z_count:
                raise InvariantBroken(
                    f"kassasystemforskrifta § 2-8-3 første ledd: kassapunkt {register}'s printed Z reports are "
                    f"numbered {numbers} ({model.z_count} taken); each must be one higher than the one before"
                )

    def teardown(self) -> None:
        """The journal checks once more, then tidy the till (for the next example) and release it."""
        try:
            if not self.broken:
                self._check_journal("at the end of the example")
        finally:
            try:
                self._tidy()
            finally:
                self.till.close()
                self._folder.cleanup()
                if self.run.progress is not None:
                    refused = sum(self.run.refusals.values())
                    self.run.progress(
                        f"example {self.example}: {self.steps} steps ({self.run.steps} in all, {refused} refusals)"
                    )

    def _tidy(self) -> None:
        """Leave a shared till as the next example needs it: drawers shut, nothing open or parked."""
        quiet = (Refused, NotSupportedByTarget, TargetError)
        for register, model in self.registers.items():
            try:
                if model.drawer_open:
                    self.till.close_drawer(register)
                if model.basket is not None and model.basket.lines:
                    self.till.void(register)
                for parked in list(model.parked):
                    self.till.resume(register, parked.ref)
                    self.till.void(register)
            except quiet:
                continue


def _known(counts: Counter[tuple[str, int] | None]) -> Iterable[tuple[tuple[str, int], int]]:
    return ((key, n) for key, n in counts.items() if key is not None)


def _numbering(export: JournalExport, register: str) -> list[str]:
    """Transaction numbers ``nr`` and each receipt series without gaps (§ 2-7 andre ledd, § 2-8-4)."""
    problems = []
    transactions = export.transactions_of(register)
    try:
        numbers = [int(t.nr) for t in transactions]
    except ValueError:
        return [f"  {register}: transaction numbers {[t.nr for t in transactions]} are not all whole numbers"]
    if numbers and numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        problems.append(f"  {register}: transaction numbers (nr) {numbers} have a gap or a repeat (§ 2-7 andre ledd)")
    series: dict[str, list[int]] = {}
    for t in transactions:
        match = JOURNAL_NUMBER.search(t.trans_id)
        if match:
            series.setdefault(match.group(1), []).append(int(match.group(2)))
    for letters, found in sorted(series.items()):
        ordered = sorted(found)
        if ordered != list(range(ordered[0], ordered[0] + len(ordered))):
            problems.append(
                f"  {register}: receipt series {letters or '(no letters)'} is numbered {ordered}, with a gap or a "
                f"repeat (§ 2-8-4)"
            )
    return problems


# --------------------------------------------------------------------------- running it


def fuzz_machine(
    target_url: str, profile: Profile, *, progress: Callable[[str], None] | None = None
) -> type[FuzzMachine]:
    """The state machine for the till at ``target_url`` described by ``profile``; its ``TestCase`` runs in pytest."""
    attributes = {"target_url": target_url, "profile": profile, "run": _Run(progress=progress)}
    return type("FuzzMachine", (FuzzMachine,), attributes)


@dataclass(frozen=True, slots=True)
class FuzzFailure:
    """A failing example, shrunk.

    Attributes:
        kind: ``invariant`` (the till broke a rule), ``target`` (the target could not be used)
            or ``error`` (anything else, e.g. the harness).
        message: What went wrong, citing the rule.
        reproduction: The steps, one per line, as Hypothesis replayed the shrunk example.
    """

    kind: str
    message: str
    reproduction: str

    def text(self) -> str:
        """The failure and its reproduction, for a terminal."""
        steps = "\n".join(f"    {line}" for line in self.reproduction.splitlines())
        return f"{self.message}\n\n  Reproduction (each line one step of the shrunk example):\n{steps}"


@dataclass(frozen=True, slots=True)
class FuzzResult:
    """What a fuzz run did.

    Attributes:
        target: The target URL.
        examples: Examples run (shrinking's replays included).
        steps: Steps run in all.
        failures: Failing examples (empty if every invariant held).
        not_supported: Verb -> what the target said; those rules were skipped for the rest of the run.
        refusals: Verb -> how often the till refused it (lawfully, as far as the fuzz can tell);
            ``"verb (as the law requires)"`` counts the refusals the law demands.
        reasons: Verb -> the till's reason the first time it refused it.
        seconds: Wall-clock time.
    """

    target: str
    examples: int
    steps: int
    failures: tuple[FuzzFailure, ...]
    not_supported: dict[str, str]
    refusals: dict[str, int]
    reasons: dict[str, str]
    seconds: float

    @property
    def ok(self) -> bool:
        """No invariant failed and nothing went wrong."""
        return not self.failures


def reproduction_program(target_url: str, profile_path: str | None, failure: FuzzFailure) -> str:
    """A Python program that replays ``failure``'s shrunk steps against the target and raises as it did.

    Hypothesis writes the shrunk example as ``state = FuzzMachine()`` and one ``state.rule(...)``
    line per step; this wraps those lines with the imports and the machine for ``target_url``
    (and the profile, when the run was given one), so ``python repro.py`` shows the failure again.
    """
    steps = [line.strip() for line in failure.reproduction.splitlines() if line.strip().startswith("state")]
    profile = repr(profile_path) if profile_path else "None"
    head = [
        f"# Replays a failure found by kassakontroll fuzz against {target_url}:",
        *(f"#   {line}" for line in failure.message.splitlines()[:3]),  # comments: any text is safe there
        "",
        "from pathlib import Path",
        "",
        "from harness.fuzz import Parked, Sale, fuzz_machine",
        "from harness.profile import profile_for",
        "",
        f"TARGET = {target_url!r}",
        f"PROFILE = {profile}",
        "FuzzMachine = fuzz_machine(TARGET, profile_for(TARGET, Path(PROFILE) if PROFILE else None))",
        "",
    ]
    return "\n".join([*head, *(steps or ["state = FuzzMachine()", "state.teardown()"]), ""])


def _kind(exc: BaseException) -> str:
    if isinstance(exc, AssertionError):
        return "invariant"
    if isinstance(exc, TargetError):
        return "target"
    return "error"


def run_fuzz(
    target_url: str,
    profile: Profile,
    examples: int,
    seed: int | None = None,
    progress: Callable[[str], None] | None = None,
    *,
    steps: int = 30,
    shrink: bool = True,
) -> FuzzResult:
    """Fuzz the till at ``target_url`` with ``examples`` random operation sequences of up to ``steps`` steps.

    Args:
        target_url: What :func:`harness.targets.open_target` opens (once per example).
        profile: The till's capability profile: registers, operators, articles, keys.
        examples: How many sequences to try.
        seed: Makes the run repeatable (None: a new random run).
        progress: Called with a line after each example.
        steps: Most steps per sequence.
        shrink: Shrink a failing sequence to a minimal one (slower, clearer).

    Returns:
        The :class:`FuzzResult`; a failure carries the shrunk steps to reproduce it.
    """
    if examples < 1 or steps < 1:
        raise ValueError(f"examples ({examples}) and steps ({steps}) must be at least 1")
    machine = fuzz_machine(target_url, profile, progress=progress)
    if seed is not None:
        machine = hypothesis_seed(seed)(machine)
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if shrink else [])
    chosen = settings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        database=None,
        phases=phases,
        print_blob=False,
        report_multiple_bugs=False,
        # every example starts a till and exports its journal: that time is the till's, not data generation's
        suppress_health_check=[HealthCheck.too_slow],
    )
    lines: list[str] = []
    failures: list[FuzzFailure] = []
    started = time.monotonic()
    with with_reporter(lambda text: lines.append(str(text))):
        try:
            run_state_machine_as_test(machine, settings=chosen)
        except Exception as exc:  # every failure becomes a report, whatever raised it
            # Hypothesis prints the shrunk example's steps through its reporter or into the exception's notes
            replay = [line for text in [*lines, *getattr(exc, "__notes__", [])] for line in str(text).splitlines()]
            steps_text = "\n".join(line for line in replay if line.startswith("state"))
            message = f"{type(exc).__name__}: {exc}"
            failures.append(FuzzFailure(_kind(exc), message, steps_text or "\n".join(replay)))
    run = machine.run
    return FuzzResult(
        target=target_url,
        examples=run.examples,
        steps=run.steps,
        failures=tuple(failures),
        not_supported=dict(run.unsupported),
        refusals=dict(run.refusals),
        reasons=dict(run.reasons),
        seconds=time.monotonic() - started,
    )
