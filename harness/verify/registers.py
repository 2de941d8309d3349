"""Checking one ``cashregister`` of a file on its own, in a worker process.

:func:`check_register` reads one register's byte range (:mod:`harness.verify.layout`)
against the masterfiles the main process read (:class:`~harness.verify.checker.Masters`),
runs every per-register check -- numbering, receipt series, money, references, report
figures, the signature chain -- and verifies the signatures in the same process. What
only the whole file can decide (identifiers unique across registers, copies counted
over the file, references to other registers' receipts) comes back in
:class:`RegisterResult` for the main process to merge, in register order, so the
findings are the same as when the file is read in one stream.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from harness.verify.checker import Checker, Masters
from harness.verify.findings import FindingLog, Location
from harness.verify.idset import IdSet
from harness.verify.layout import Layout
from harness.verify.schema import part_schema
from harness.verify.signatures import KeyRing, SigJob, report_outcomes, verify_batch
from harness.verify.stream import read_register

__all__ = ["RegisterResult", "check_register", "merge"]


@dataclass
class RegisterResult:
    """What one register's checks leave for the whole file.

    Attributes:
        log: The register's findings; lines counted from the range's first line.
        complete: False if the range could not be read to its end.
        transactions: ``cashtransaction`` elements read.
        trans_ids: The register's ``transID`` values.
        event_ids: The register's ``eventID`` values.
        copy_counts: Copy events (13014) per ``transID``.
        copy_nums: ``copyNum`` stated on copied receipts.
        open_refs: Receipt events naming a ``transID`` the register does not have.
        valid: False if the range broke the schema (when it was validated while read).
    """

    log: FindingLog
    complete: bool
    transactions: int
    trans_ids: IdSet
    event_ids: IdSet
    copy_counts: Counter[str]
    copy_nums: dict[str, tuple[int, Location]]
    open_refs: list[tuple[str, str]]
    valid: bool = True


def check_register(
    path: Path, layout: Layout, index: int, masters: Masters, keys: KeyRing, batch: int, validate: bool
) -> RegisterResult:
    """Check register ``index`` of ``layout``, signatures included (runs in a worker process).

    With ``validate`` the range is validated against the schema while it is read
    (:func:`~harness.verify.schema.part_schema`). If that reading stops, it is read once
    more without the schema: if it then reads to the end, the stop was a validity error
    (``RegisterResult.valid`` is False and the engine runs the full validator for the
    messages); if not, the range is not well-formed (``complete`` is False).
    """
    result = _check(path, layout, index, masters, keys, batch, part_schema("register") if validate else None)
    if not result.complete and validate:
        result = _check(path, layout, index, masters, keys, batch, None)
        result.valid = False
    return result


def _check(
    path: Path, layout: Layout, index: int, masters: Masters, keys: KeyRing, batch: int, schema: etree.XMLSchema | None
) -> RegisterResult:
    log = FindingLog()

    def verify(jobs: list[SigJob]) -> None:
        report_outcomes(verify_batch(keys, jobs), log)

    checker = Checker(log, verify if keys else None, batch)
    checker.use_masters(masters)
    complete = read_register(path, layout, index, checker, log, schema)
    checker.flush()
    return RegisterResult(
        log, complete, checker.transactions, checker.trans_ids, checker.event_ids, checker.copy_counts,
        checker.copy_nums, checker.open_refs,
    )  # fmt: skip


def merge(checker: Checker, result: RegisterResult, first_line: int) -> bool:
    """Add one register's result to the whole file's ``checker``, in register order.

    Args:
        checker: The main process's checker (masterfiles read, registers merged so far).
        result: The next register's result.
        first_line: The file line on which the register's range begins.

    Returns:
        False if an identifier repeats one of an earlier register: the file must then be
        read in one stream, which tells where each duplicate is.
    """
    if checker.trans_ids.overlaps(result.trans_ids) or checker.event_ids.overlaps(result.event_ids):
        return False
    checker.trans_ids.update(result.trans_ids)
    checker.event_ids.update(result.event_ids)
    result.log.shift_lines(first_line - 1)
    checker.log.extend(result.log)
    checker.transactions += result.transactions
    checker.copy_counts.update(result.copy_counts)
    checker.copy_nums.update(
        {k: (stated, loc.shifted(first_line - 1)) for k, (stated, loc) in result.copy_nums.items()}
    )
    checker.open_refs.extend(result.open_refs)
    return True
