"""Rendering the compliance report of a whole suite run, against reading the same run folder.

Usage::

    .venv/bin/python bench/report_render.py [--runs 3]

Once per benchmark: the whole compliance suite runs against the reference till with
``--report none`` (timed: the run the report belongs to) into ``bench/.cache/report/run``.
Then, ``--runs`` times each, in child processes:

* baseline: read the run folder -- parse every line of ``run.ndjson`` and of every evidence
  file as JSON (what any renderer must at least do);
* ``kassakontroll report RUN --format html,json,junit`` (both languages): the model, the
  receipts decoded again from their bytes, the HTML, JSON and JUnit files and the manifest;
* ``kassakontroll report RUN --format pdf --lang en``: one PDF via WeasyPrint.

It prints the medians, the ratios report/baseline and report/suite run (what rendering
adds to a run), the peak memory of each and the size of what was written.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import Measured, run_measured

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache" / "report"
PYTHON = sys.executable

_READ = """
import json, sys
from pathlib import Path
run = Path(sys.argv[1])
n = 0
for path in [run / "run.ndjson", *sorted((run / "evidence").glob("*.ndjson"))]:
    for line in path.read_text(encoding="utf-8").splitlines():
        json.loads(line)
        n += 1
print(n)
"""


def _suite(run_dir: Path) -> float:
    shutil.rmtree(run_dir, ignore_errors=True)
    command = [PYTHON, "-m", "harness.cli", "run", "--target", "reference://", "--out", str(run_dir)]
    command += ["--report", "none"]
    started = time.perf_counter()
    measured = run_measured(command, cwd=ROOT)
    if measured.returncode != 0:
        raise SystemExit(f"the suite run failed (exit {measured.returncode}):\n{measured.stderr}")
    return time.perf_counter() - started


def _median(name: str, command: list[str], runs: int) -> tuple[float, int]:
    results: list[Measured] = []
    for _ in range(runs):
        measured = run_measured(command, cwd=ROOT)
        if measured.returncode != 0:
            raise SystemExit(f"{name} failed (exit {measured.returncode}):\n{measured.stderr}")
        results.append(measured)
    seconds = statistics.median(m.seconds for m in results)
    peak = max(m.peak_largest for m in results)
    each = ", ".join(f"{m.seconds:.2f}" for m in results)
    print(f"  {name:<28} {seconds:7.2f} s   peak {peak / 2**20:6.0f} MiB   ({each})")
    return seconds, peak


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions of each measurement (default 3)")
    args = parser.parse_args()
    run_dir = CACHE / "run"
    CACHE.mkdir(parents=True, exist_ok=True)
    print("report_render: the whole suite against reference:// (once) …", flush=True)
    suite = _suite(run_dir)
    evidence = sum(p.stat().st_size for p in (run_dir / "evidence").glob("*.ndjson"))
    scenarios = sum(1 for _ in (run_dir / "run.ndjson").open(encoding="utf-8"))
    print(f"  suite run                    {suite:7.2f} s   {scenarios} scenarios, evidence {evidence / 2**20:.1f} MiB")
    report = [PYTHON, "-m", "harness.cli", "report", str(run_dir)]
    base, base_peak = _median("baseline: read run folder", [PYTHON, "-c", _READ, str(run_dir)], args.runs)
    html, html_peak = _median("html nb+en, json, junit", [*report, "--format", "html,json,junit"], args.runs)
    pdf, pdf_peak = _median("pdf (en)", [*report, "--format", "pdf", "--lang", "en"], args.runs)
    written = {p.name: p.stat().st_size for p in sorted((run_dir / "report").iterdir())}
    print("  written: " + ", ".join(f"{name} {size / 2**20:.1f} MiB" for name, size in written.items()))
    print(
        f"report_render: html+json+junit {html / base:.1f}× the baseline, {100 * html / suite:.0f} % of the suite run; "
        f"pdf {pdf / base:.1f}× the baseline, {100 * pdf / suite:.0f} % of the suite run; "
        f"peak memory {base_peak / 2**20:.0f} / {html_peak / 2**20:.0f} / {pdf_peak / 2**20:.0f} MiB "
        "(baseline / html / pdf)"
    )


if __name__ == "__main__":
    main()
