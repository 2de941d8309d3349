"""Wall time and memory of a benchmarked child process, shared by the bench scripts."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Measured", "run_measured", "tree_rss"]


def tree_rss(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, in bytes (0 if gone)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii") as status:
                total += next((int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:")), 0)
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as children:
                stack.extend(int(c) for c in children.read().split())
        except (OSError, ValueError):
            continue
    return total


@dataclass(frozen=True)
class Measured:
    """One measured run.

    Attributes:
        seconds: Wall time.
        peak_tree: Peak resident memory of the process and its descendants, sampled every 20 ms (bytes).
        peak_largest: Peak resident memory of the largest single process of the tree (bytes, from wait4).
        returncode: The exit code.
        stderr: The last 2000 characters of standard error.
    """

    seconds: float
    peak_tree: int
    peak_largest: int
    returncode: int
    stderr: str


def run_measured(command: list[str], cwd: Path | None = None) -> Measured:
    """Run ``command`` (standard output discarded) and measure it."""
    peak = 0
    done = threading.Event()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(process.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert process.stderr is not None
    err = process.stderr.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stderr.close()
    done.set()
    sampler.join()
    return Measured(elapsed, peak, usage.ru_maxrss * 1024, process.returncode, err.decode("utf-8", "replace")[-2000:])
