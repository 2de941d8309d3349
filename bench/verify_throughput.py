"""SAF-T verification speed: ``kassakontroll verify`` against ``xmllint --stream --schema`` on the same file.

What is measured
----------------
For each size (default 100 000 and 1 000 000 transactions) a signed export is generated
once with :mod:`bench.saft_synth` and cached in ``bench/.cache/verify/`` (about 2.3 KB per
transaction). Then, alternating which goes first, each run times

* **baseline**: ``xmllint --noout --stream --schema Norwegian_SAF-T_Cash_Register_Schema_v_1.00.xsd FILE``
  -- libxml2's streaming schema validation and nothing else;
* **verify**: ``kassakontroll verify FILE --public-key 1=… --public-key 2=… --json`` --
  the same schema validation plus every other check: every RSA signature of the chain,
  numbering, code lists, references, money, and every Z report recomputed from its
  transactions and events.

Both run as child processes from a cold start (interpreter start-up and imports count
against us). Printed: median wall times, the ratio verify / xmllint (goal ≤ 1.5), and the
peak resident memory of each command's whole process tree (the verifier's worker
processes included; sampled every 20 ms from /proc), with the growth of the verifier's
peak from the smallest to the largest size (goal: ≤ 200 MB and growth ≤ 1.3×).

The verify run must come out clean (exit code 0): the benchmark also proves that the
generated file passes every check, so a verifier that skipped work would not look faster
by accident -- and one that found false errors would fail here.

Run ``python bench/verify_throughput.py [--sizes 100000,1000000] [--runs 3]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.measure import run_measured  # noqa: E402
from bench.saft_synth import SynthSpec, generate, write_keys  # noqa: E402
from harness.saft_spec import schema_path  # noqa: E402

CACHE = ROOT / "bench" / ".cache" / "verify"
FILE_NAME = "SAF-T Cash Register_999999999_20250101000000.xml"


def prepare(size: int) -> Path:
    """Return the cached export of ``size`` transactions, generating it if needed."""
    folder = CACHE / str(size)
    path = folder / FILE_NAME
    stamp = folder / "generator.mtime"
    generator = ROOT / "bench" / "saft_synth.py"
    current = str(generator.stat().st_mtime_ns)
    if path.exists() and stamp.exists() and stamp.read_text() == current:
        return path
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"generating {size:,} transactions into {path.relative_to(ROOT)} …", flush=True)
    started = time.perf_counter()
    write_keys(folder)
    generate(path, SynthSpec(size), folder / "key1.pem", folder / "key2.pem")
    stamp.write_text(current)
    print(f"  {path.stat().st_size / 1e6:,.0f} MB in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="100000,1000000", help="transaction counts, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="runs per size; medians are printed (default 3)")
    args = parser.parse_args(argv)
    xmllint = shutil.which("xmllint")
    if xmllint is None:
        print("xmllint not found: install the Debian package libxml2-utils (make setup does)", file=sys.stderr)
        return 2
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    peaks: dict[int, int] = {}
    for size in sizes:
        path = prepare(size)
        folder = path.parent
        baseline_cmd = [xmllint, "--noout", "--stream", "--schema", str(schema_path()), str(path)]
        verify_cmd = [
            sys.executable, "-m", "harness.cli", "verify", str(path), "--json",
            "--public-key", f"1={folder / 'key1.pub.pem'}", "--public-key", f"2={folder / 'key2.pub.pem'}",
        ]  # fmt: skip
        base_times: list[float] = []
        verify_times: list[float] = []
        base_peak = verify_peak = 0
        for run in range(args.runs):
            order = [("xmllint", baseline_cmd), ("verify", verify_cmd)]
            if run % 2:
                order.reverse()
            for name, command in order:
                measured = run_measured(command)
                elapsed, peak, code, err = measured.seconds, measured.peak_tree, measured.returncode, measured.stderr
                if code != 0:
                    print(f"{name} exited with {code} on {path.name}:\n{err}", file=sys.stderr)
                    return 1
                if name == "xmllint":
                    base_times.append(elapsed)
                    base_peak = max(base_peak, peak)
                else:
                    verify_times.append(elapsed)
                    verify_peak = max(verify_peak, peak)
        base, mine = statistics.median(base_times), statistics.median(verify_times)
        peaks[size] = verify_peak
        print(
            f"{size:>9,} transactions ({path.stat().st_size / 1e6:,.0f} MB): xmllint {base:6.1f} s "
            f"(peak {base_peak / 2**20:5.0f} MiB)   verify {mine:6.1f} s (peak {verify_peak / 2**20:5.0f} MiB, "
            f"all processes)   ratio verify/xmllint {mine / base:4.2f} (goal ≤ 1.5)"
        )
    if len(peaks) > 1:
        low, high = min(peaks), max(peaks)
        print(
            f"verifier peak memory growth {low:,} → {high:,} transactions: {peaks[high] / peaks[low]:.2f}× "
            f"(goal ≤ 1.3×; peak {peaks[high] / 1e6:.0f} MB, goal ≤ 200 MB)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
