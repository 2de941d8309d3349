"""Throughput of the reference till against a bare SQLite baseline with the same writes.

What is measured
----------------
**Till**: concluded sales per second of :class:`reference_till.till.Till` with its real
durable journal (SQLite WAL, ``synchronous=FULL``, one commit per ``Journal.append``) and
RSA-SHA1 signing (the demo key), in-memory printer and drawer. One sale is three
``add_item`` calls, ``pay_cash``, ``conclude`` (which signs the transaction, journals it,
renders the ESC/POS receipt and "prints" it) and closing the drawer. The latency of one
sale is ``add_item`` ×3 + ``pay_cash`` + ``conclude``.

**Baseline**: a bare ``sqlite3`` loop on a fresh file with the same pragmas (WAL,
``synchronous=FULL``) and the same schema (copied from the till's journal file, so the
same indexes and append-only triggers are maintained) that performs, per sale, exactly
the commits the till performed for one steady-state sale, each inserting the same rows
(the till's own rows, JSON payloads byte for byte, with only ``seq``, ``nr``, ``transID``
and print job numbers advanced so the unique indexes accept them).

Why the baseline is fair
------------------------
The commit structure is not assumed but recorded: a probe sale runs on the till with
``Journal.append`` wrapped, and the rows each call wrote are read back from the
``journal`` and ``print_log`` tables. The probe is checked against the totals the till
writes over a whole run (rows and ``print_log`` entries per sale). Both sides therefore
pay for the same number of fsync'ed commits, the same B-tree and index work and the same
bytes; both run in this process, on the same filesystem (a temporary directory under
``--dir``), interleaved within each run, alternating which side goes first. The
baseline is the floor of a durable, append-only journal with one commit per state
change; the ratio ``till / baseline``
tells how much of a sale's time is the till's own work (JSON encoding, signing, receipt
rendering, bookkeeping) rather than storage. The goal is a ratio of at least 0.5.

Run ``python bench/till_throughput.py [--sales N] [--runs R] [--dir DIR]``. Results are
medians over the runs; latencies are pooled over all runs.
"""

from __future__ import annotations

import argparse
import gc
import platform
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reference_till.ports import MemoryDrawer  # noqa: E402
from reference_till.till import Till  # noqa: E402

REGISTER = "K1"
OPERATOR = "1001"
ARTICLES = ("1001", "1002", "2001", "1003", "1101", "3001")
WARMUP_SALES = 10


@dataclass(frozen=True)
class Commit:
    """The rows one ``Journal.append`` call wrote (one SQLite transaction)."""

    journal_rows: tuple[tuple[Any, ...], ...]
    print_rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class RunResult:
    """One measured run of one side."""

    sales_per_s: float
    latencies: list[float]
    rows_per_sale: float = 0.0  #: journal rows written per timed sale
    log_rows_per_sale: float = 0.0  #: print_log rows written per timed sale


def one_sale(till: Till, n: int) -> None:
    """Register three lines, pay cash, conclude and close the drawer."""
    for k in range(3):
        till.add_item(REGISTER, ARTICLES[(n + k) % len(ARTICLES)])
    till.pay_cash(REGISTER)
    till.conclude(REGISTER)


def close_drawer(till: Till) -> None:
    drawer = till.devices(REGISTER).drawer
    assert isinstance(drawer, MemoryDrawer)
    drawer.close()


def open_till(path: Path) -> Till:
    """A till on a fresh journal with an operator logged in and a few sales done."""
    till = Till(path)
    till.login(REGISTER, OPERATOR)
    for n in range(WARMUP_SALES):
        one_sale(till, n)
        close_drawer(till)
    return till


def record_sale_template(workdir: Path) -> tuple[list[Commit], str]:
    """Run a probe sale and capture the commits it made; returns them and the schema DDL."""
    path = workdir / "probe.sqlite"
    till = open_till(path)
    calls: list[tuple[list[int], int]] = []
    original: Callable[..., tuple[list[int], list[int]]] = till.journal.append

    def recording_append(records: Sequence[Any], **kwargs: Any) -> tuple[list[int], list[int]]:
        seqs, jobs = original(records, **kwargs)
        log_rows = len(kwargs.get("print_documents", ())) + len(kwargs.get("print_states", ()))
        calls.append((seqs, log_rows))
        return seqs, jobs

    reader = sqlite3.connect(path)
    before_log = reader.execute("SELECT COALESCE(MAX(id), 0) FROM print_log").fetchone()[0]
    till.journal.append = recording_append  # type: ignore[method-assign]
    try:
        one_sale(till, WARMUP_SALES)
        close_drawer(till)
        # The printed state of the probe's receipt is written with the next commit: the
        # next sale's first add_item. It belongs to the steady state of one sale.
        till.add_item(REGISTER, ARTICLES[0])
    finally:
        till.journal.append = original  # type: ignore[method-assign]
    # Steady state: the last add_item's commit carries the previous sale's DRAWCLOSE and
    # printed state, so drop the probe's first commit (it carried the warm-up's) instead.
    calls = calls[1:]
    log = reader.execute(
        "SELECT job, seq, register_id, document, state, at FROM print_log WHERE id > ? ORDER BY id", (before_log,)
    ).fetchall()
    commits = []
    first_log_rows = len(log) - sum(n for _, n in calls)
    skip = first_log_rows
    for seqs, log_rows in calls:
        rows = (
            tuple(
                reader.execute(
                    f"SELECT * FROM journal WHERE seq IN ({','.join('?' * len(seqs))}) ORDER BY seq", seqs
                ).fetchall()
            )
            if seqs
            else ()
        )
        commits.append(Commit(rows, tuple(log[skip : skip + log_rows])))
        skip += log_rows
    schema = (
        ";\n".join(
            sql for (sql,) in reader.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")
        )
        + ";"
    )
    reader.close()
    till.close()
    return commits, schema


def _print_log_rows(path: Path) -> int:
    db = sqlite3.connect(path)
    try:
        return int(db.execute("SELECT COUNT(*) FROM print_log").fetchone()[0])
    finally:
        db.close()


def run_till(path: Path, sales: int) -> RunResult:
    """Time ``sales`` sales on a fresh till journal (after a short warm-up)."""
    till = open_till(path)
    try:
        rows_before, log_before = till.journal.last_seq, _print_log_rows(path)
        latencies = []
        gc.collect()
        start = time.perf_counter()
        for n in range(sales):
            t0 = time.perf_counter()
            one_sale(till, n)
            latencies.append(time.perf_counter() - t0)
            close_drawer(till)
        elapsed = time.perf_counter() - start
        rows, logs = till.journal.last_seq - rows_before, _print_log_rows(path) - log_before
    finally:
        till.close()
    return RunResult(sales / elapsed, latencies, rows / sales, logs / sales)


def run_baseline(path: Path, schema: str, template: list[Commit], sales: int) -> RunResult:
    """Time ``sales`` rounds of the till's commits with a bare sqlite3 connection."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(schema)
    journal_sql = "INSERT INTO journal VALUES (" + ",".join("?" * len(template[0].journal_rows[0])) + ")"
    log_sql = "INSERT INTO print_log (job, seq, register_id, document, state, at) VALUES (?,?,?,?,?,?)"
    seq = nr = job = 0
    latencies = []

    def sale() -> None:
        nonlocal seq, nr, job
        for commit in template:
            rows = []
            for row in commit.journal_rows:
                seq += 1
                values = list(row)
                values[0] = seq
                if values[7] is not None:  # a signed transaction: next nr and transID
                    nr += 1
                    values[7] = nr
                    values[6] = f"{values[6][:-6]}{nr:06d}"
                rows.append(values)
            logs = []
            for log in commit.print_rows:
                values = list(log)
                if values[4] == "queued":
                    job += 1
                    values[0], values[1] = job, seq
                else:  # the printed state of the receipt queued by this sale's conclude
                    values[0] = job
                logs.append(values)
            db.execute("BEGIN IMMEDIATE")
            db.executemany(journal_sql, rows)
            if logs:
                db.executemany(log_sql, logs)
            db.execute("COMMIT")

    for _ in range(WARMUP_SALES):
        sale()
    gc.collect()
    start = time.perf_counter()
    for _ in range(sales):
        t0 = time.perf_counter()
        sale()
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - start
    db.close()
    return RunResult(sales / elapsed, latencies)


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def python_heap_peak(workdir: Path, sales: int) -> int:
    """Peak Python allocation (bytes, tracemalloc) while the till does ``sales`` sales."""
    till = open_till(workdir / "tracemalloc.sqlite")
    tracemalloc.start()
    try:
        for n in range(sales):
            one_sale(till, n)
            close_drawer(till)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        till.close()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sales", type=int, default=1000, help="sales per run and side (default 1000)")
    parser.add_argument("--runs", type=int, default=5, help="runs; results are medians (default 5)")
    parser.add_argument(
        "--dir",
        type=Path,
        default=ROOT / "bench" / ".cache",
        help="parent of the temporary directory holding the SQLite files (default bench/.cache)",
    )
    args = parser.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(dir=args.dir, prefix="till-throughput-") as tmp:
        workdir = Path(tmp)
        template, schema = record_sale_template(workdir)
        rows_per_sale = sum(len(c.journal_rows) for c in template)
        log_per_sale = sum(len(c.print_rows) for c in template)
        print(f"python {platform.python_version()}, sqlite {sqlite3.sqlite_version}, files in {workdir}")
        print(
            f"one sale writes {len(template)} commits, {rows_per_sale} journal rows, {log_per_sale} print_log rows "
            f"({sum(len(r[8]) for c in template for r in c.journal_rows)} payload bytes): "
            + " | ".join(
                "+".join(str(r[3]) for r in c.journal_rows) + (f" +{len(c.print_rows)} log" if c.print_rows else "")
                for c in template
            )
        )

        till_runs: list[RunResult] = []
        base_runs: list[RunResult] = []
        for run in range(args.runs):
            till_path, base_path = workdir / f"till-{run}.sqlite", workdir / f"baseline-{run}.sqlite"
            # Alternate which side goes first so a drifting machine favours neither.
            if run % 2 == 0:
                till_result = run_till(till_path, args.sales)
                base_result = run_baseline(base_path, schema, template, args.sales)
            else:
                base_result = run_baseline(base_path, schema, template, args.sales)
                till_result = run_till(till_path, args.sales)
            till_runs.append(till_result)
            base_runs.append(base_result)
            run_ratio = till_result.sales_per_s / base_result.sales_per_s
            print(
                f"run {run + 1}: till {till_result.sales_per_s:8.1f} sales/s, baseline "
                f"{base_result.sales_per_s:8.1f} sales/s, ratio {run_ratio:.2f}"
                f"  (till wrote {till_result.rows_per_sale:.2f} journal + {till_result.log_rows_per_sale:.2f} "
                "print_log rows per sale)"
            )
            for path in workdir.glob(f"*-{run}.sqlite*"):
                path.unlink()

        till_rate = statistics.median(r.sales_per_s for r in till_runs)
        base_rate = statistics.median(r.sales_per_s for r in base_runs)
        ratio = statistics.median(t.sales_per_s / b.sales_per_s for t, b in zip(till_runs, base_runs, strict=True))
        latencies = [x for r in till_runs for x in r.latencies]
        base_latencies = [x for r in base_runs for x in r.latencies]
        heap = python_heap_peak(workdir, min(args.sales, 200))
    maxrss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print()
    print(f"sales per run        {args.sales} x {args.runs} runs (medians)")
    print(f"till                 {till_rate:8.1f} sales/s")
    print(f"baseline (sqlite3)   {base_rate:8.1f} sales/s")
    print(f"ratio till/baseline  {ratio:8.2f}   (goal >= 0.5)")
    print(
        f"till latency         p50 {percentile(latencies, 0.5) * 1000:.2f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.2f} ms  (add_item x3 + pay_cash + conclude)"
    )
    print(
        f"baseline latency     p50 {percentile(base_latencies, 0.5) * 1000:.2f} ms, "
        f"p99 {percentile(base_latencies, 0.99) * 1000:.2f} ms"
    )
    print(
        f"peak memory          maxrss {maxrss_kib / 1024:.1f} MiB; Python heap peak {heap / 1024:.0f} KiB "
        f"over {min(args.sales, 200)} sales (tracemalloc)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
