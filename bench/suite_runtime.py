"""The compliance suite in process (``reference://``) against out of process (``http://``, spawned server).

What is measured
----------------
The wall time of one whole run of the compliance suite, ``pytest features``, as a user
starts it, twice per round:

* **in process**: ``--target reference://`` (the reference till in the pytest process,
  its devices on ``loop://`` links);
* **out of process**: ``--target http://127.0.0.1:0/?spawn=1&printer=tcp://127.0.0.1:0``
  (the harness opens its printers as network printers on TCP and its nexo terminals,
  starts ``kassakontroll till serve`` as a child process, which keeps the till in a
  process of its own; every verb is an HTTP request, every receipt crosses a TCP
  connection, every card payment an HTTP exchange with the harness's terminal).

Both runs include pytest's start-up and collection and, for the second, starting and
stopping the server, because that is what a user waits for. The order alternates from
round to round; figures are medians over ``--runs`` rounds. Printed: both times, the
ratio out/in (goal ≤ 2), the scenarios and their verdicts (the two targets must agree,
apart from the scenarios the suite runs on ``reference://`` only: those that need a
business day of their own), and peak memory: the largest single process of each run
(``ru_maxrss`` of the run's process tree as ``wait4`` reports it, the same figure as
``resource.getrusage(RUSAGE_CHILDREN)``) and the summed resident memory of the whole
tree, sampled every 20 ms (the out-of-process run has three or four processes).

Run ``python bench/suite_runtime.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.measure import run_measured  # noqa: E402

PROFILE = ROOT / "features" / "profiles" / "reference.toml"
IN_PROCESS = "reference://"
OUT_OF_PROCESS = "http://127.0.0.1:0/?spawn=1&printer=tcp://127.0.0.1:0"
DAY_BOUND = "only reference:// lets the harness choose the business day"


@dataclass(frozen=True)
class Run:
    """One suite run."""

    seconds: float
    maxrss: int  #: bytes, the largest process of the run's tree
    tree_peak: int  #: bytes, the summed RSS of the tree at its largest
    verdicts: dict[str, str]  #: scenario id -> verdict
    reasons: dict[str, str]


def run_suite(target: str, log: Path) -> Run:
    """Run the suite against ``target``; wall time, memory and the verdicts of its run log."""
    command = [
        sys.executable, "-m", "pytest", "features", "-p", "no:cacheprovider", "-q",
        "--target", target, "--profile", str(PROFILE), "--run-log", str(log),
    ]  # fmt: skip
    measured = run_measured(command, cwd=ROOT)
    if measured.returncode not in (0, 1):
        raise SystemExit(f"pytest --target {target} exited {measured.returncode}:\n{measured.stderr}")
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    verdicts = {r["nodeid"]: r["verdict"] for r in records}  # outline examples share a scenario id
    reasons = {r["nodeid"]: r["reason"] for r in records}
    return Run(measured.seconds, measured.peak_largest, measured.peak_tree, verdicts, reasons)


def _mib(size: float) -> str:
    return f"{size / 2**20:.0f} MiB"


def _disagreements(inside: Run, outside: Run) -> list[str]:
    return [
        f"{sid}: {inside.verdicts.get(sid)} in process, {outside.verdicts.get(sid)} out of process"
        for sid in sorted(set(inside.verdicts) | set(outside.verdicts))
        if inside.verdicts.get(sid) != outside.verdicts.get(sid) and DAY_BOUND not in outside.reasons.get(sid, "")
    ]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3, help="rounds (one run per target each); medians (default 3)")
    args = parser.parse_args(argv)
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores, {args.runs} rounds")
    print(f"in process:     --target {IN_PROCESS}\nout of process: --target {OUT_OF_PROCESS}")
    runs: dict[str, list[Run]] = {IN_PROCESS: [], OUT_OF_PROCESS: []}
    with tempfile.TemporaryDirectory(prefix="kassakontroll-bench-") as folder:
        for round_ in range(args.runs):
            order = [IN_PROCESS, OUT_OF_PROCESS] if round_ % 2 == 0 else [OUT_OF_PROCESS, IN_PROCESS]
            for target in order:
                run = run_suite(target, Path(folder) / f"run-{round_}-{len(runs[target])}-{target[:4]}.ndjson")
                runs[target].append(run)
                passed = sum(v == "passed" for v in run.verdicts.values())
                print(f"  round {round_ + 1}: {target[:12]:12s} {run.seconds:6.1f} s, {passed} passed", flush=True)
    inside, outside = runs[IN_PROCESS], runs[OUT_OF_PROCESS]
    t_in = statistics.median(r.seconds for r in inside)
    t_out = statistics.median(r.seconds for r in outside)
    scenarios = len(inside[-1].verdicts)
    print(f"scenarios: {scenarios}")
    for name, seconds in (("in process (reference://)", t_in), ("out of process (http://, TCP)", t_out)):
        print(f"{name:30s} {seconds:6.1f} s  ({1000 * seconds / max(scenarios, 1):.0f} ms a scenario)")
    print(f"ratio out / in: {t_out / t_in:.2f}  (goal <= 2)")
    for name, side in (("in process", inside), ("out of process", outside)):
        print(
            f"peak memory {name}: largest process {_mib(max(r.maxrss for r in side))}, "
            f"whole process tree {_mib(max(r.tree_peak for r in side))}"
        )
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(f"getrusage(RUSAGE_CHILDREN).ru_maxrss over all runs: {_mib(children)}")
    differing = _disagreements(inside[-1], outside[-1])
    if differing:
        print("verdicts differ between the targets:\n  " + "\n  ".join(differing))
        return 1
    day_bound = sum(DAY_BOUND in reason for reason in outside[-1].reasons.values())
    print(f"verdicts agree ({day_bound} scenario(s) need a business day and run on reference:// only)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
