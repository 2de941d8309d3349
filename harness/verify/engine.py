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
from harness.verify.layout import Layout, scan
from harness.verify.records import Basic
from harness.verify.registers import RegisterResult, check_register, merge
from harness.verify.rules import Severity
from harness.verify.schema import SchemaResult, part_schema, validate
from harness.verify.signatures import KeyRing, SigJob, SigOutcome, report_outcomes, verify_batch
from harness.verify.stream import preflight, read, read_outside

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
        split: Check the registers of a file in parallel worker processes when the file
            allows it (:mod:`harness.verify.layout`); False reads every file in one stream.
    """

    keys: KeyRing = field(default_factory=KeyRing)
    workers: int | None = None
    schema_engine: str = "auto"
    batch: int = 2000
    split: bool = True


@dataclass
class FileResult:
    """The outcome for one file.

    Attributes:
        path: The file.
        findings: De-duplicated findings, most severe first.
        transactions: ``cashtransaction`` elements read.
        seconds: Wall time.
        schema_engine: Which validator ran (``libxml2``/``lxml``), or ``""`` if none did.
        registers_in_parallel: Registers checked by parallel workers (0: the file was read
            in one stream; see :mod:`harness.verify.layout` for when it is).
    """

    path: Path
    findings: list[Finding]
    transactions: int = 0
    seconds: float = 0.0
    schema_engine: str = ""
    registers_in_parallel: int = 0

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
    layout = scan(path) if options.split and not inline else None
    # with the split, the parts are validated as they are read (auto) -- else a worker validates the file
    in_parts = layout is not None and options.schema_engine == "auto"
    schema_future = None if inline or in_parts else pool.submit(validate, path, engine=options.schema_engine)
    split = _verify_split(path, layout, options, pool, in_parts) if layout is not None else None
    parallel = 0
    if split is None:
        if in_parts:  # the split gave up: validate the whole file beside the stream
            schema_future = pool.submit(validate, path, engine=options.schema_engine)
        checker, complete = _verify_stream(path, options, pool, log)
    else:
        checker, parts_valid = split
        log.extend(checker.log)
        complete = True
        parallel = len(layout.spans) if layout is not None else 0
        if not parts_valid:  # a part broke the schema: the full validator gives messages and lines
            schema_future = pool.submit(validate, path, engine=options.schema_engine)
    if not options.keys and checker.transactions:
        log.add("SIG-NOT-CHECKED", Location())
    result: SchemaResult
    if schema_future is not None:
        result = schema_future.result()
    elif split is not None:
        result = SchemaResult((), "lxml", True)  # every part was valid
    else:
        result = validate(path, engine=options.schema_engine)
    if complete:
        for error in result.errors:
            log.add(
                "XSD-INVALID", Location(line=error.line), group=error.message, times=error.count,
                line=error.line, detail=error.message,
            )  # fmt: skip
    seconds = time.perf_counter() - started
    return FileResult(path, log.findings(), checker.transactions, seconds, result.engine, parallel)


def _verify_stream(path: Path, options: VerifyOptions, pool: Executor, log: FindingLog) -> tuple[Checker, bool]:
    """Read the file in one stream here; signature batches go to the pool as they fill."""
    pending: deque[Future[list[SigOutcome]]] = deque()

    def collect(block: bool) -> None:
        while pending and (block or pending[0].done()):
            report_outcomes(pending.popleft().result(), log)

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
    return checker, complete


class _HeadChecker(Checker):
    """Checks the header and masterfiles of a file whose registers are cut out.

    Notes the last line a header or masterfile came from: one after the first register
    means the file must be read in one stream (a register is checked against the
    masterfiles read before it).
    """

    last_line = 0

    def header(self, values: dict[str, str], line: int) -> None:
        """Remember the period; note the line."""
        self.last_line = max(self.last_line, line)
        super().header(values, line)

    def masterfile(self, kind: str, values: dict[str, str], line: int) -> None:
        """Collect the masterfile; note the line."""
        self.last_line = max(self.last_line, line)
        super().masterfile(kind, values, line)

    def basic(self, basic: Basic) -> None:
        """Check the basic; note the line."""
        self.last_line = max(self.last_line, basic.line)
        super().basic(basic)


def _verify_split(
    path: Path, layout: Layout, options: VerifyOptions, pool: Executor, validate_parts: bool
) -> tuple[Checker, bool] | None:
    """Check the registers in parallel (:mod:`harness.verify.registers`); ``None`` = read in one stream.

    The main process reads the header and masterfiles (the file with its registers cut
    out), each register goes to a worker, and the results are merged in register order.
    With ``validate_parts`` each part is validated against the schema as it is read
    (:func:`~harness.verify.schema.part_schema`). Anything unusual -- a parse error
    anywhere, a masterfile after a register, an identifier repeated across registers --
    gives up, and the caller reads the file in one stream, which reports it with its
    exact place.

    Returns:
        The checker holding the merged findings, and whether every part was valid.
    """
    checker = _HeadChecker(FindingLog(), None, options.batch)
    valid = read_outside(path, layout, checker, checker.log, part_schema("outside") if validate_parts else None)
    if not valid:
        checker = _HeadChecker(FindingLog(), None, options.batch)
        if not read_outside(path, layout, checker, checker.log):
            return None
    if checker.last_line >= layout.lines[0]:
        return None
    masters = checker.masters()
    futures: list[Future[RegisterResult]] = [
        pool.submit(check_register, path, layout, index, masters, options.keys, options.batch, validate_parts)
        for index in range(len(layout.spans))
    ]
    try:
        for future, first_line in zip(futures, layout.lines, strict=True):
            result = future.result()
            if not result.complete or not merge(checker, result, first_line):
                return None
            valid = valid and result.valid
    finally:
        for future in futures:
            future.cancel()
    checker.finish()
    return checker, valid


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
