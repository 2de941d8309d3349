"""Crash-test worker: operates the reference till at random until it is killed.

Usage::

    python tests/integration/crash_worker.py JOURNAL PRINTLOG SEED

Opens ``Till(JOURNAL)`` (which runs crash recovery) with in-memory drawers and terminals
and a :class:`~reference_till.ports.MemoryPrinter` per kassapunkt whose sink appends each
document to PRINTLOG and flushes and fsyncs it, like a printer that has physically
printed the paper. Logs an operator in on both kassapunkter and then loops forever doing
random operations: sales with 1-5 lines (cash or card), returns, sale-and-return
receipts, line corrections, manual discounts, voids, parked sales, nullinnslag, price
lookups, copy receipts and now and then an X report. The drawer is closed after every
operation that opened it. After each completed operation one line is written to stdout
(flushed), so the parent can wait for progress before it sends ``SIGKILL``.

Any unexpected exception ends the process with a traceback on stderr and exit code 1;
the crash test treats a worker that exits on its own as a failure.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reference_till.errors import CopyLimitReached  # noqa: E402
from reference_till.ports import MemoryDrawer, MemoryPrinter  # noqa: E402
from reference_till.till import RegisterDevices, Till  # noqa: E402

REGISTERS = ("K1", "K2")
EMPLOYEES = ("1001", "1002")
#: Articles sold by the worker (not the 41 990 NOK espresso machine: buyer name rule).
ARTICLES = ("1001", "1002", "1003", "1004", "1101", "1201", "2001", "3001", "4001", "4002", "5001")


class FsyncSink:
    """Appends each printed document to a file and makes it durable before returning."""

    def __init__(self, path: str) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def __call__(self, data: bytes) -> None:
        """Write one document (the printer has printed it once this returns)."""
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
        os.fsync(self._fd)


class Worker:
    """Random operations on a till; one method per kind of operation."""

    def __init__(self, till: Till, rng: random.Random) -> None:
        self.till = till
        self.rng = rng
        self.receipts: list[str] = [
            tx.trans_id
            for tx in (e.record for e in till.entries(kind="transaction"))
            if getattr(tx, "is_sale_document", False)
        ]

    def _close_drawer(self, register: str) -> None:
        drawer = self.till.devices(register).drawer
        assert isinstance(drawer, MemoryDrawer)
        drawer.close()

    def _lines(self, register: str, count: int, *, returns: int = 0) -> dict[int, int]:
        """Register ``count`` lines (the last ``returns`` of them returned); line id -> quantity."""
        lines = {}
        for n in range(count):
            quantity = self.rng.randint(1, 3)
            if n >= count - returns:
                quantity = -quantity
            line_id = self.till.add_item(register, self.rng.choice(ARTICLES), quantity)
            lines[line_id] = quantity
        return lines

    def _correct(self, register: str, lines: dict[int, int]) -> None:
        line_id = self.rng.choice(sorted(lines))
        left = self.rng.randint(0, abs(lines[line_id]) - 1)
        self.till.correct_line(register, line_id, left)
        if left == 0:
            del lines[line_id]
        else:
            lines[line_id] = left if lines[line_id] > 0 else -left

    def _pay_and_conclude(self, register: str, *, cash: bool) -> None:
        total = self.till.sale_total(register)
        if cash or total == 0:
            self.till.pay_cash(register)
        else:
            self.till.pay_card(register)
        tx = self.till.conclude(register)
        self.receipts.append(tx.trans_id)
        if cash or total == 0:
            self._close_drawer(register)

    def sale(self, register: str) -> str:
        """A sale with 1-5 lines, sometimes corrected or discounted, paid in cash or by card."""
        lines = self._lines(register, self.rng.randint(1, 5))
        if self.rng.random() < 0.3:
            self._correct(register, lines)
        if lines and self.rng.random() < 0.15:
            line_id = self.rng.choice(sorted(lines))
            self.till.discount(register, line_id, self.rng.randint(1, 500))
        if not lines:
            self.till.void(register, "Alle linjer slettet")
            return "void (empty)"
        self._pay_and_conclude(register, cash=self.rng.random() < 0.5)
        return "sale"

    def return_(self, register: str) -> str:
        """A return receipt, or a sale-and-return receipt, refunded in cash or to the card."""
        if self.rng.random() < 0.3:
            count = self.rng.randint(2, 4)
            self._lines(register, count, returns=self.rng.randint(1, count - 1))
            self._pay_and_conclude(register, cash=True)
            return "sale+return"
        original = self.rng.choice(self.receipts) if self.receipts and self.rng.random() < 0.5 else ""
        count = self.rng.randint(1, 2)
        for _ in range(count):
            self.till.return_item(
                register, self.rng.choice(ARTICLES), self.rng.randint(1, 2), original_trans_id=original
            )
        self._pay_and_conclude(register, cash=self.rng.random() < 0.5)
        return "return"

    def void(self, register: str) -> str:
        """A sale cancelled before conclusion, sometimes after a card payment."""
        self._lines(register, self.rng.randint(1, 4))
        if self.rng.random() < 0.3:
            self.till.pay_card(register)
        self.till.void(register)
        return "void"

    def park(self, register: str) -> str:
        """Park a sale; resume and conclude an earlier parked one now and then."""
        parked = self.till.parked(register)
        if parked and self.rng.random() < 0.6:
            self.till.resume(register, self.rng.choice(parked))
            self._pay_and_conclude(register, cash=self.rng.random() < 0.5)
            return "resume"
        self._lines(register, self.rng.randint(1, 3))
        self.till.park(register)
        return "park"

    def nullinnslag(self, register: str) -> str:
        """Open the drawer without a sale."""
        self.till.open_drawer(register, "Veksling")
        self._close_drawer(register)
        return "nullinnslag"

    def price_lookup(self, register: str) -> str:
        """Look a price up."""
        self.till.price_lookup(register, self.rng.choice(ARTICLES))
        return "price lookup"

    def copy(self, register: str) -> str:
        """Print the copy of an earlier receipt (refused when it already has one)."""
        if not self.receipts:
            return "copy (no receipt yet)"
        trans_id = self.rng.choice(self.receipts)
        try:
            self.till.print_copy(trans_id.split("-")[0], trans_id)
        except CopyLimitReached:
            return "copy refused"
        return "copy"

    def x_report(self, register: str) -> str:
        """Print an X report."""
        self.till.x_report(register)
        return "x report"

    def step(self) -> str:
        """Do one random operation on a random kassapunkt."""
        register = self.rng.choice(REGISTERS)
        operation = self.rng.choices(
            [
                self.sale,
                self.return_,
                self.void,
                self.park,
                self.nullinnslag,
                self.price_lookup,
                self.copy,
                self.x_report,
            ],
            weights=[40, 10, 8, 5, 6, 8, 8, 2],
        )[0]
        return f"{register} {operation(register)}"


def main(argv: list[str]) -> int:
    """Run the worker until it is killed."""
    if len(argv) != 3:
        print("usage: crash_worker.py JOURNAL PRINTLOG SEED", file=sys.stderr)
        return 2
    journal, printlog, seed = argv
    sink = FsyncSink(printlog)
    devices = {r: RegisterDevices(printer=MemoryPrinter(sink=sink), drawer=MemoryDrawer()) for r in REGISTERS}
    till = Till(journal, devices=devices)
    rng = random.Random(int(seed))
    for register in REGISTERS:
        till.login(register, rng.choice(EMPLOYEES))
    print("ready", flush=True)
    worker = Worker(till, rng)
    n = 0
    while True:
        n += 1
        done = worker.step()
        print(f"{n} {done}", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
