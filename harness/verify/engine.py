"""Verifying files: preflight, schema and semantic checks side by side, signatures on every core.

For each file :func:`verify_file`

1. runs :func:`~harness.verify.stream.preflight` (readable, no DOCTYPE, SAF-T root);
2. starts the XSD validation (:mod:`harness.verify.schema`) in a worker process;
3. streams the file through the :class:`~harness.verify.checker.Checker` in this process,
   sending signature batches to the other workers as it goes (at most
   :data:`MAX_PENDING` batches in flight, so memory stays bounded);
4. collects the schema messages and the signatures that failed.

With ``workers=0`` everything runs in this process, one step after the other (the
same findings; used by tests that verify many small files).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from harness.verify.checker import Checker
from harness.verify.findings import Finding, FindingLog, Location
from harness.verify.rules import Severity
from harness.verify.schema import SchemaResult, validate
from harness.verify.signatures import KeyRing, SigJob, SigOutcome, verify_batch
from harness.verify.stream import preflight, read

__all__ = ["FileResult", "VerifyOptions", "verify_file", "verify_files"]

_T = TypeVar("_T")

#: signature batches in flight before the reader waits
MAX_PENDING = 8


@dataclass(frozen=True)
class VerifyOptions:
    """How to verify.

    Attributes:
        keys: Keys for the signature chain (empty: signatures are not verified).
        workers: Worker processes for the schema and the signatures; ``None`` = one per
            core, 0 = everything in this process.
        schema_engine: ``"auto"``, ``"libxml2"`` or ``"lxml"`` (see :mod:`harness.verify.schema`).
        batch: Signatures per batch sent to a worker.
    """

    keys: KeyRing = field(default_factory=KeyRing)
    workers: int | None = None
    schema_engine: str = "auto"
    batch: int = 2000


@dataclass
class FileResult:
    """The outcome for one file.

    Attributes:
        path: The file.
        findings: De-duplicated findings, most severe first.
        transactions: ``cashtransaction`` elements read.
        seconds: Wall time.
        schema_engine: Which validator ran (``libxml2``/``lxml``), or ``""`` if none did.
    """

    path: Path
    findings: list[Finding]
    transactions: int = 0
    seconds: float = 0.0
    schema_engine: str = ""

    @property
    def usable(self) -> bool:
        """False if a fatal finding stopped the checks."""
        return not any(f.severity is Severity.FATAL for f in self.findings)

    def count(self, severity: Severity) -> int:
        """Number of distinct findings of ``severity``."""
        return sum(1 for f in self.findings if f.severity is severity)


class _Inline(Executor):
    """Runs submitted calls at once, in this process."""

    def submit(self, fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> Future[_T]:
        future: Future[_T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


def _executor(workers: int | None) -> Executor:
    if workers == 0:
        return _Inline()
    count = workers or os.cpu_count() or 1
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=max(count, 2), mp_context=context)


def _report_signatures(outcomes: list[SigOutcome], log: FindingLog) -> None:
    for outcome in outcomes:
        register, nr, trans_id, line, first = outcome.where
        loc = Location(register=register, nr=nr, trans_id=trans_id, path="cashtransaction/signature", line=line)
        if outcome.kind == "format":
            log.add("SIG-FORMAT", loc, problem=outcome.detail)
        elif outcome.kind == "nokey":
            log.add("SIG-NO-KEY", loc, group=outcome.key_version, key_version=outcome.key_version)
        elif outcome.kind == "restart":
            log.add("SIG-RESTART", loc, nr=nr)
        elif first and nr.strip() not in ("1", "0"):
            log.add("SIG-START", loc, nr=nr)
        else:
            log.add("SIG-VERIFY", loc, key_version=outcome.key_version, data=outcome.detail)


def verify_file(path: Path, options: VerifyOptions | None = None, *, executor: Executor | None = None) -> FileResult:
    """Verify one SAF-T Cash Register file.

    Args:
        path: The file.
        options: Keys and parallelism.
        executor: A pool to use (one is created and closed if not given).

    Returns:
        The findings; never raises for a bad file (a fatal finding says what is wrong).
    """
    options = options or VerifyOptions()
    started = time.perf_counter()
    log = FindingLog()
    if not preflight(path, log):
        return FileResult(path, log.findings(), seconds=time.perf_counter() - started)
    own = executor is None
    pool = executor or _executor(options.workers)
    try:
        return _verify(path, options, pool, log, started)
    finally:
        if own:
            pool.shutdown(wait=True, cancel_futures=True)


def _verify(path: Path, options: VerifyOptions, pool: Executor, log: FindingLog, started: float) -> FileResult:
    inline = isinstance(pool, _Inline)
    schema_future = None if inline else pool.submit(validate, path, engine=options.schema_engine)
    pending: deque[Future[list[SigOutcome]]] = deque()

    def collect(block: bool) -> None:
        while pending and (block or pending[0].done()):
            _report_signatures(pending.popleft().result(), log)

    def submit(batch: list[SigJob]) -> None:
        pending.append(pool.submit(verify_batch, options.keys, batch))
        if len(pending) >= MAX_PENDING:
            pending[0].result()
        collect(False)

    checker = Checker(log, submit if options.keys else None, options.batch)
    complete = read(path, checker, log)
    if complete:
        checker.finish()
    else:
        checker.flush()
    collect(True)
    if not options.keys and checker.transactions:
        log.add("SIG-NOT-CHECKED", Location())
    result: SchemaResult = (
        validate(path, engine=options.schema_engine) if schema_future is None else schema_future.result()
    )
    if complete:
        for error in result.errors:
            log.add(
                "XSD-INVALID", Location(line=error.line), group=error.message, times=error.count,
                line=error.line, detail=error.message,
            )  # fmt: skip
    return FileResult(path, log.findings(), checker.transactions, time.perf_counter() - started, result.engine)


def verify_files(
    paths: Sequence[Path], options: VerifyOptions | None = None, progress: Callable[[FileResult], None] | None = None
) -> list[FileResult]:
    """Verify several files with one worker pool; ``progress`` is called after each."""
    options = options or VerifyOptions()
    pool = _executor(options.workers)
    results = []
    try:
        for path in paths:
            result = verify_file(path, options, executor=pool)
            results.append(result)
            if progress is not None:
                progress(result)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results
