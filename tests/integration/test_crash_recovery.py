"""Crash test: SIGKILL the reference till at random moments, recover, check the journal.

A worker process (``crash_worker.py``) operates the till at random on one journal; the
test kills it with ``SIGKILL`` after a random number of operations (or during start-up)
and then opens the journal in this process, which runs the till's crash recovery. After
every kill the journal must hold all of the till's promises (module doc of
:mod:`reference_till.till`): an intact SQLite file, gapless signed chains and number
series, a receipt event for every sales document in the same commit, no printed
document without its journal record (and none printed twice), no open sale left after
recovery, voids carrying the amount registered so far, at most one copy per receipt,
every print job with an outcome (unconfirmed ones listed in exactly one ``RECOVERY``
event), and a second opening of the recovered journal writes nothing.

Environment knobs: ``KASSAKONTROLL_CRASH_ITERATIONS`` (default 60, at least 50 kills are
the requirement) and ``KASSAKONTROLL_CRASH_SEED``.
"""

from __future__ import annotations

import os
import random
import re
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from reference_till.codes import EventType
from reference_till.model import CashTransaction, Event, TransactionKind
from reference_till.signing import FIRST_PREVIOUS, signature_data, verify_rsa
from reference_till.till import Till

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("crash_worker.py")
PUBLIC_KEY = (ROOT / "reference_till" / "data" / "demo_signing_key.pub.pem").read_bytes()
ITERATIONS = int(os.environ.get("KASSAKONTROLL_CRASH_ITERATIONS", "60"))
SEED = int(os.environ.get("KASSAKONTROLL_CRASH_SEED", "20160706"))
PROGRESS_TIMEOUT = 30.0  # seconds to wait for the worker's progress lines

CUT = b"\x1dV"
RECEIPT_NO = re.compile(r"Kvitteringsnr\.:\s*([A-Z]\d{6})\n")
REGISTER = re.compile(r"Kassapunkt (K\d+)\n")
REPORT_ID = re.compile(r"Rapport-ID (K\d+-X\d{4})\n")
#: print_log document names (reference_till.till) -> what was printed
JOB_DOCUMENT = re.compile(r"(receipt|copy of|X report) (\S+)")
SALES_DOCUMENTS = {TransactionKind.SALE, TransactionKind.RETURN, TransactionKind.SALE_RETURN}
RECEIPT_EVENTS = {EventType.SALES_RECEIPT, EventType.RETURN_RECEIPT}
LINE_EVENTS = {EventType.LINE_ADDED, EventType.LINE_CORRECTION, EventType.MANUAL_DISCOUNT}


@dataclass
class Progress:
    """What the worker reported before it was killed."""

    ready: bool = False
    operations: int = 0
    exited: int | None = None
    buffer: bytes = b""
    last: list[str] = field(default_factory=list)


def _read_progress(proc: subprocess.Popen[bytes], progress: Progress, until: int, timeout: float) -> None:
    """Read the worker's stdout until ``until`` operations are done, it exits or time is up."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    deadline = time.monotonic() + timeout
    while progress.operations < until:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        readable, _, _ = select.select([fd], [], [], left)
        if not readable:
            return
        chunk = os.read(fd, 65536)
        if not chunk:  # EOF: the worker ended on its own
            progress.exited = proc.wait()
            return
        progress.buffer += chunk
        *lines, progress.buffer = progress.buffer.split(b"\n")
        for line in lines:
            text = line.decode("utf-8", "replace")
            progress.last = [*progress.last[-4:], text]
            if text == "ready":
                progress.ready = True
            else:
                progress.operations += 1


def _run_and_kill(journal: Path, printlog: Path, stderr_path: Path, seed: int, rng: random.Random) -> Progress:
    """Start the worker, let it work a little, SIGKILL it; returns what it reported."""
    progress = Progress()
    with stderr_path.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, str(WORKER), str(journal), str(printlog), str(seed)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            cwd=ROOT,
            bufsize=0,
        )
    try:
        target = rng.randint(0, 15)
        if target == 0:
            # Kill during start-up: imports, Journal(), recovery, login.
            time.sleep(rng.uniform(0.0, 0.8))
        else:
            _read_progress(proc, progress, target, PROGRESS_TIMEOUT)
            # Land the kill anywhere inside the next operation, not just at its start.
            time.sleep(rng.uniform(0.0, 0.006))
        if proc.poll() is not None and progress.exited is None:
            progress.exited = proc.returncode
        if progress.exited is None:
            os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()
    return progress


def _documents(printlog: Path) -> Iterator[str]:
    """The documents the printer printed, as text (split at the paper cut ``GS V``)."""
    if not printlog.exists():
        return
    for raw in printlog.read_bytes().split(CUT):
        if raw.strip(b"\x00"):
            yield raw.decode("cp865")


def _print_jobs(journal: Path) -> tuple[dict[int, str], dict[int, list[str]]]:
    """``print_log``: queued jobs (job -> document name) and the outcomes recorded per job."""
    db = sqlite3.connect(f"file:{journal}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT job, document, state FROM print_log ORDER BY id").fetchall()
    finally:
        db.close()
    queued: dict[int, str] = {}
    outcomes: dict[int, list[str]] = defaultdict(list)
    for job, document, state in rows:
        if state == "queued":
            queued[job] = document
        else:
            outcomes[job].append(state)
    return queued, outcomes


def check_journal(till: Till, printlog: Path, verified: set[tuple[str, str]]) -> list[str]:
    """Check the invariants of a recovered journal; returns the violations found.

    Args:
        till: A till just opened on the journal (recovery has run).
        printlog: Everything the printers printed, in order.
        verified: Cache of ``(signature data, signature)`` pairs already verified.
    """
    problems: list[str] = []
    integrity = till.journal.integrity_check()
    if integrity != "ok":
        problems.append(f"PRAGMA integrity_check: {integrity}")

    transactions: dict[str, list[CashTransaction]] = defaultdict(list)
    by_trans_id: dict[str, CashTransaction] = {}
    receipt_events: Counter[str] = Counter()
    copy_events: Counter[str] = Counter()
    sale_starts: list[str] = []
    concluded: Counter[str] = Counter()
    report_ids: set[str] = set()
    receipt_event_orphans: list[str] = []
    recovery_listed: Counter[int] = Counter()
    line_amounts: dict[str, dict[int, int]] = defaultdict(dict)
    print_failed: set[str] = set()
    for entry in till.entries():
        record = entry.record
        if isinstance(record, CashTransaction):
            transactions[record.register_id].append(record)
            if record.trans_id in by_trans_id:
                problems.append(f"transID {record.trans_id} twice in the journal")
            by_trans_id[record.trans_id] = record
            if record.sale_ref:
                concluded[record.sale_ref] += 1
                registered = sum(line_amounts[record.sale_ref].values())
                if record.amount_in != registered:
                    problems.append(
                        f"{record.trans_id} ({record.kind.value}, {record.description or 'sale'}) "
                        f"amount {record.amount_in}, but the journal registered {registered} on "
                        f"{record.sale_ref}"
                    )
            continue
        assert isinstance(record, Event)
        if record.event_type in RECEIPT_EVENTS:
            receipt_events[record.trans_id] += 1
            if record.trans_id not in by_trans_id:  # same commit: the transaction comes first
                receipt_event_orphans.append(f"{record.event_type} {record.trans_id}")
        elif record.event_type == EventType.COPY_RECEIPT:
            copy_events[record.trans_id] += 1
        elif record.event_type == EventType.SALE_STARTED:
            sale_starts.append(str(record.data["sale"]))
        elif record.event_type in LINE_EVENTS:
            lines = line_amounts[str(record.data["sale"])]
            line_id, amount = int(record.data["line"]), int(record.data["amount"])
            if record.event_type == EventType.LINE_ADDED:
                lines[line_id] = amount
            else:  # a correction or discount reduces the line's absolute amount
                lines[line_id] -= amount if lines[line_id] >= 0 else -amount
        elif record.event_type == EventType.X_REPORT and record.report is not None:
            report_ids.add(record.report.report_id)
        elif record.event_type == EventType.RECOVERY:
            recovery_listed.update(int(job) for job in record.data.get("jobs", []))
        elif record.event_type == EventType.PRINT_FAILED:
            print_failed.add(str(record.data.get("document", "")))

    # Signature chain and nr per register; document numbers per register and series.
    for register_id, txs in sorted(transactions.items()):
        txs.sort(key=lambda tx: tx.nr)
        nrs = [tx.nr for tx in txs]
        if nrs != list(range(1, len(txs) + 1)):
            problems.append(f"{register_id}: nr not 1..{len(txs)} without gaps: {_gaps(nrs)}")
        previous = FIRST_PREVIOUS
        for tx in txs:
            data = signature_data(previous, tx.at, tx.nr, tx.amount_in, tx.amount_ex)
            if (data, tx.signature) not in verified:
                if verify_rsa(PUBLIC_KEY, data, tx.signature):
                    verified.add((data, tx.signature))
                else:
                    problems.append(f"{register_id}: signature of nr {tx.nr} ({tx.trans_id}) does not verify")
            previous = tx.signature
        numbers: dict[str, list[int]] = defaultdict(list)
        for tx in txs:
            numbers[tx.series.value].append(tx.number)
        for series, values in sorted(numbers.items()):
            if sorted(values) != list(range(1, len(values) + 1)):
                problems.append(f"{register_id}: series {series} not 1..{len(values)}: {_gaps(sorted(values))}")

    # A sales document and its receipt event: both or neither (one commit).
    for tx in by_trans_id.values():
        if tx.kind in SALES_DOCUMENTS and receipt_events[tx.trans_id] != 1:
            problems.append(f"{tx.trans_id} ({tx.kind.value}) has {receipt_events[tx.trans_id]} receipt events")
    problems.extend(f"receipt event without its transaction: {orphan}" for orphan in receipt_event_orphans)

    # At most one copy per receipt, and only of receipts that exist.
    for trans_id_, count in copy_events.items():
        if count > 1:
            problems.append(f"{trans_id_} has {count} COPYREC events")
        if trans_id_ not in by_trans_id:
            problems.append(f"COPYREC for unknown transaction {trans_id_}")

    # No open sale survives recovery: every started sale is concluded or voided exactly once.
    started = Counter(sale_starts)
    for ref, count in started.items():
        if count > 1:
            problems.append(f"sale {ref} started {count} times")
        if concluded[ref] != 1:
            problems.append(f"sale {ref} is concluded by {concluded[ref]} transactions after recovery")
    problems.extend(f"transaction concludes sale {ref} that never started" for ref in concluded if ref not in started)

    # Never a printed document without its journal record; no document printed twice.
    printed: Counter[tuple[str, str]] = Counter()
    for number, text in enumerate(_documents(printlog), start=1):
        receipt = RECEIPT_NO.search(text)
        register = REGISTER.search(text)
        if receipt and register:
            trans_id_ = f"{register.group(1)}-{receipt.group(1)}"
            printed["copy of" if "KOPI" in text else "receipt", trans_id_] += 1
            if trans_id_ not in by_trans_id:
                problems.append(f"printed document {number} is receipt {trans_id_}, which is not in the journal")
            elif "KOPI" in text and copy_events[trans_id_] == 0:
                problems.append(f"printed document {number} is a copy of {trans_id_} without a COPYREC event")
        report = REPORT_ID.search(text)
        if report:
            printed["X report", report.group(1)] += 1
            if report.group(1) not in report_ids:
                problems.append(f"printed document {number} is report {report.group(1)}, which is not in the journal")
    problems.extend(f"{kind} {key} printed {count} times" for (kind, key), count in printed.items() if count > 1)

    # Print jobs after recovery: each has an outcome; "printed" only when it was printed;
    # every unconfirmed job is listed in one RECOVERY event (or has its PRINTFAIL event).
    queued, outcomes = _print_jobs(till.journal.path)
    for job, document in sorted(queued.items()):
        states = outcomes.get(job, [])
        match = JOB_DOCUMENT.fullmatch(document)
        if match is None:
            problems.append(f"print job {job}: unexpected document name {document!r}")
        elif "printed" in states and printed[match.group(1), match.group(2)] == 0:
            problems.append(f"print job {job} ({document}) is confirmed printed but was never printed")
        if not states:
            problems.append(f"print job {job} ({document}) has no outcome after recovery")
        elif "printed" in states and job in recovery_listed:
            problems.append(f"print job {job} ({document}) is confirmed printed and listed in a RECOVERY event")
        elif "printed" not in states and job not in recovery_listed and document not in print_failed:
            problems.append(f"print job {job} ({document}) failed without a RECOVERY or PRINTFAIL event")
    problems.extend(
        f"print job {job} ({queued.get(job)}) listed in {count} RECOVERY events"
        for job, count in sorted(recovery_listed.items())
        if count > 1
    )
    return problems


def _gaps(values: list[int]) -> str:
    expected = set(range(1, len(values) + 1))
    return f"missing {sorted(expected - set(values))[:10]}, unexpected {sorted(set(values) - expected)[:10]}"


@pytest.mark.slow
def test_sigkill_recovery_keeps_journal_invariants(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite"
    printlog = tmp_path / "printed.bin"
    rng = random.Random(SEED)
    verified: set[tuple[str, str]] = set()
    started = time.monotonic()
    kills = 0
    for iteration in range(ITERATIONS):
        stderr_path = tmp_path / f"worker-{iteration}.err"
        progress = _run_and_kill(journal, printlog, stderr_path, SEED + iteration, rng)
        assert progress.exited is None, (
            f"iteration {iteration}: the worker ended on its own (exit code {progress.exited}) after "
            f"{progress.operations} operations, seed {SEED + iteration}; last output {progress.last}\n"
            + stderr_path.read_text(errors="replace")
        )
        kills += 1
        if not journal.exists():
            continue  # killed before the journal file was created
        till = Till(journal)
        try:
            problems = check_journal(till, printlog, verified)
            recovered_to = till.journal.last_seq
        finally:
            till.close()
        # Recovery is done once: opening the recovered journal again writes nothing.
        with Till(journal) as again:
            if again.journal.last_seq != recovered_to:
                problems.append(
                    f"reopening the recovered journal appended records {recovered_to + 1}..{again.journal.last_seq}"
                )
        assert not problems, (
            f"iteration {iteration} (seed {SEED}, worker seed {SEED + iteration}, killed after "
            f"{progress.operations} operations, last output {progress.last}):\n  " + "\n  ".join(problems)
        )
    duration = time.monotonic() - started
    assert kills == ITERATIONS
    print(f"\n{kills} kills in {duration:.1f} s; journal {journal.stat().st_size} bytes")
