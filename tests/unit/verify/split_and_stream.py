"""Verify a file split between workers and in one stream, and hold the two to the same findings."""

from __future__ import annotations

from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from harness.verify import FileResult, KeyRing, VerifyOptions, verify_file


def described(result: FileResult) -> list[tuple[Any, ...]]:
    """Everything a finding shows: rule, count, message, first location and samples, in output order."""
    return [(f.rule.id, f.count, f.message("en"), f.location, tuple(f.samples)) for f in result.findings]


def split_and_stream(path: Path, pool: Executor, keys: KeyRing | None = None) -> tuple[FileResult, FileResult]:
    """Verify ``path`` split (where it can be) and in one stream; assert their findings agree."""
    ring = keys or KeyRing()
    split = verify_file(path, VerifyOptions(keys=ring), executor=pool)
    stream = verify_file(path, VerifyOptions(keys=ring, split=False), executor=pool)
    assert described(split) == described(stream)
    assert split.transactions == stream.transactions
    assert stream.registers_in_parallel == 0
    return split, stream
