"""``kassakontroll run``: run the compliance suite against a till and keep everything it observed.

Usage::

    kassakontroll run --target URL [--profile FILE] --out DIR [--printer URL]... [--terminal URL]...
                      [-k EXPR] [-m MARKEXPR] [--expectations FILE] [--lang nb|en]
                      [--lab NAME] [--operator NAME] [--report html,json,junit,pdf|none]

It runs the suite shipped in the installed package (``features/``) with pytest in a
child process and writes

* ``DIR/run.ndjson``: one verdict per scenario (:mod:`harness.pytest_plugin`, ``--run-log``);
* ``DIR/evidence/<scenario id>.ndjson``: what the devices saw during each scenario --
  printer documents (raw bytes base64 and decoded text), drawer, terminal, a technician's
  prompts and answers (``--evidence-dir``);
* ``DIR/pytest.txt``: pytest's own report (tracebacks of failures);
* ``DIR/profile.json``: the capability profile the run used (:meth:`harness.profile.Profile.to_json`),
  so the run folder can be re-rendered without the profile's files;
* ``DIR/summary.json`` and ``DIR/summary.txt``: when and by whom (``--lab``, ``--operator``),
  counts per verdict, the profile's contradictions with what the till did
  (:mod:`harness.profile_check`, each with the scenarios that showed it) and the exit code;
* ``DIR/report/``: the compliance report (:mod:`harness.cli_report`; ``--report`` chooses the
  formats, ``--report none`` leaves it out) and ``manifest.sha256`` over every file of the run.

An earlier run's files in ``DIR`` are removed first, so the evidence, the report and its
manifest are this run's only; other files stay (a ``fuzz.json`` written just before, for one).

While it runs, one line per finished scenario goes to standard error
(``[ 12/143] PASS   id_ksf_2_6_l4_001  …``, :mod:`harness.run_progress`); the summary goes
to standard output. ``--printer URL`` and ``--terminal URL`` add the target's device links
to its URL (:mod:`harness.target_devices`: ``manual://`` takes one printer per kassapunkt,
``http://`` a printer and a terminal for all kassapunkter or ``K1=URL`` for one);
``--lang`` is the language of the summary and of a ``manual://`` technician's prompts.

Why a child process: a run against a real POS can last hours, and whatever happens to
the suite (a crash, a hung device thread, Ctrl-C) the parent still reads the run log and
writes the summary of what finished; the suite also runs with its own pytest
configuration (``-c`` the null device, ``--rootdir`` the suite), never the caller's
``pytest.ini``/``pyproject.toml``. The child inherits the terminal, so a technician's
prompts (``/dev/tty``) and the progress lines reach the user directly.

Exit codes of ``run``:

=====  ==========================================================================
0      every applicable scenario passed (not applicable and known deviations allowed)
1      at least one scenario failed (a known deviation that passes counts as failed), or
       the profile contradicts what the till did (listed in the summary)
2      usage: bad ``--target``, ``--profile``, ``--printer``, ``--terminal``, ``--expectations`` or a
       ``-k``/``-m`` that selects nothing; the message says what to write
3      the target could not be opened (the message says why)
4      the suite itself could not run (a collection or internal error; see ``DIR/pytest.txt``)
8      none failed, but some were not automated on this target (or skipped)
130    interrupted (Ctrl-C); the summary covers the scenarios that finished
=====  ==========================================================================
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness import version
from harness.expectations import ExpectationsError, load_expectations
from harness.profile import ProfileError, profile_for
from harness.profile_check import Contradiction, merge
from harness.pytest_plugin import EXIT_TARGET_UNAVAILABLE, VERDICTS
from harness.report.words import VERDICT_WORDS
from harness.target_devices import DeviceOptionError, with_devices
from harness.targets import schemes

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_AUTOMATED",
    "EXIT_PASSED",
    "EXIT_SUITE_BROKEN",
    "EXIT_TARGET",
    "EXIT_USAGE",
    "add_run_command",
    "main",
    "run_run_command",
]

EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_TARGET = 3
EXIT_SUITE_BROKEN = 4
EXIT_NOT_AUTOMATED = 8
EXIT_INTERRUPTED = 130

# pytest's own exit codes (pytest.ExitCode), as the child process returns them
_PYTEST_INTERRUPTED, _PYTEST_INTERNAL, _PYTEST_USAGE, _PYTEST_NO_TESTS = 2, 3, 4, 5

_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "head": "kassakontroll run: {n} scenarios against {target} in {seconds:.1f} s",
        "result": "Result: {result} (exit {code})",
        "files": "Run log {log}, evidence {evidence}/, pytest's report {pytest}",
        "PASSED": "PASSED",
        "FAILED": "FAILED",
        "CONTRADICTED": "FAILED: the profile contradicts what the till did",
        "contradictions": "The profile contradicts what the till did ({n}):",
        "seen": "seen in {n} scenario(s), first {first}",
        "NOT AUTOMATED": "INCOMPLETE (not every scenario automated)",
        "TARGET": "THE TARGET COULD NOT BE OPENED",
        "BROKEN": "THE SUITE COULD NOT RUN",
        "INTERRUPTED": "INTERRUPTED",
        "USAGE": "NOTHING RUN",
    },
    "nb": {
        "head": "kassakontroll run: {n} scenarioer mot {target} på {seconds:.1f} s",
        "result": "Resultat: {result} (avslutningskode {code})",
        "files": "Kjørelogg {log}, bevis {evidence}/, pytest-rapport {pytest}",
        "PASSED": "BESTÅTT",
        "FAILED": "FEILET",
        "CONTRADICTED": "FEILET: profilen stemmer ikke med det kassen gjorde",
        "contradictions": "Profilen stemmer ikke med det kassen gjorde ({n}):",
        "seen": "sett i {n} scenario(er), først {first}",
        "NOT AUTOMATED": "UFULLSTENDIG (ikke alle scenarioer automatisert)",
        "TARGET": "MÅLET KUNNE IKKE ÅPNES",
        "BROKEN": "TESTSAMLINGEN KUNNE IKKE KJØRES",
        "INTERRUPTED": "AVBRUTT",
        "USAGE": "INGENTING KJØRT",
    },
}


def add_run_command(commands: Any) -> None:
    """Register ``run`` on the top-level subparsers."""
    run = commands.add_parser(
        "run", help="run the compliance suite against a till; write the run log, evidence and a summary"
    )
    run.add_argument("--target", required=True, metavar="URL", help="reference://, http://HOST:PORT, manual://?…")
    run.add_argument(
        "--profile", type=Path, metavar="FILE", help="the till's capability profile (required unless reference://)"
    )
    run.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder (created)")
    run.add_argument(
        "--printer", action="append", default=[], metavar="URL",
        help="http://, manual://: serve a kassapunkt's printer on URL (tcp://0.0.0.0:9100, pty://) or K1=URL; "
        "manual:// takes one per kassapunkt",
    )  # fmt: skip
    run.add_argument(
        "--terminal", action="append", default=[], metavar="URL",
        help="http:// only: serve a kassapunkt's payment terminal on URL (http://0.0.0.0:8443) or K1=URL",
    )  # fmt: skip
    run.add_argument("-k", dest="keyword", metavar="EXPR", help="select scenarios by id or name (pytest -k)")
    run.add_argument(
        "-m", dest="markexpr", metavar="MARKEXPR", help="select scenarios by clause (pytest -m ksf_2_6_l4)"
    )
    run.add_argument(
        "--expectations", type=Path, metavar="FILE",
        help="known deviations (default: expectations/<scheme>.toml in the current folder, if it exists)",
    )  # fmt: skip
    run.add_argument("--lang", choices=("nb", "en"), default="en", help="language of the summary and of prompts")
    run.add_argument("--lab", default="", help="the lab's name, for the report's identity")
    run.add_argument("--operator", default="", help="who runs the tests, for the report's identity")
    run.add_argument(
        "--report", dest="report_formats", type=_report_formats, default=("html", "json", "junit", "pdf"),
        metavar="LIST", help="report formats to render at the end: html,json,junit,pdf (default all) or none",
    )  # fmt: skip


def _report_formats(value: str) -> tuple[str, ...]:
    if value.strip() == "none":
        return ()
    from harness.cli_report import formats_arg

    return formats_arg(value)


class _Usage(Exception):
    """A usage error; the message says what to write."""


def _target_url(args: argparse.Namespace) -> str:
    url: str = args.target
    scheme = urlsplit(url).scheme
    if "://" not in url or scheme not in schemes():
        known = ", ".join(f"{s}://" for s in schemes())
        raise _Usage(f"--target {url!r}: no target serves it; write one of {known} (e.g. --target reference://)")
    try:
        url = with_devices(url, args.printer, args.terminal)
    except DeviceOptionError as exc:
        raise _Usage(str(exc)) from exc
    if scheme == "manual" and "lang=" not in urlsplit(url).query:
        url += ("&" if urlsplit(url).query else ("" if url.endswith("?") else "?")) + f"lang={args.lang}"
    return url


def _check_files(args: argparse.Namespace, scheme: str) -> None:
    if args.profile is not None or scheme != "reference":
        try:
            profile_for(args.target, args.profile)
        except ProfileError as exc:
            raise _Usage(f"--profile: {exc}") from exc
    if args.expectations is not None:
        try:
            load_expectations(args.expectations)
        except ExpectationsError as exc:
            raise _Usage(f"--expectations: {exc}") from exc


def _command(args: argparse.Namespace, url: str, out: Path) -> list[str]:
    suite = Path(str(resources.files("features")))
    command = [
        sys.executable, "-m", "pytest", str(suite), "-c", os.devnull, "--rootdir", str(suite),
        "-p", "no:cacheprovider", "-p", "harness.run_progress", "--strict-markers", "-ra", "--tb=short",
        "--target", url, "--run-log", str(out / "run.ndjson"), "--evidence-dir", str(out / "evidence"),
    ]  # fmt: skip
    if args.profile is not None:
        command += ["--profile", str(args.profile.resolve())]
    if args.expectations is not None:
        command += ["--expectations", str(args.expectations.resolve())]
    else:  # the caller's expectations/<scheme>.toml, not the suite folder's
        default = Path.cwd() / "expectations" / f"{urlsplit(url).scheme}.toml"
        if default.is_file():
            command += ["--expectations", str(default)]
    if args.keyword:
        command += ["-k", args.keyword]
    if args.markexpr:
        command += ["-m", args.markexpr]
    return command


def _verdicts(log: Path) -> list[dict[str, Any]]:
    if not log.is_file():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


def _contradictions(records: list[dict[str, Any]]) -> list[tuple[Contradiction, list[str]]]:
    """The run's profile contradictions, one per kind, with the scenarios that showed it."""
    return merge(
        (str(record.get("scenario_id") or record.get("nodeid", "")), Contradiction.from_json(found))
        for record in records
        for found in record.get("contradictions") or []
    )


def _exit_code(returncode: int, counts: Counter[str], interrupted: bool, contradicted: bool) -> tuple[int, str]:
    if interrupted:
        return EXIT_INTERRUPTED, "INTERRUPTED"
    if returncode == EXIT_TARGET_UNAVAILABLE:
        return EXIT_TARGET, "TARGET"
    if returncode in (_PYTEST_USAGE, _PYTEST_NO_TESTS):
        return EXIT_USAGE, "USAGE"
    if returncode in (_PYTEST_INTERRUPTED, _PYTEST_INTERNAL) or returncode not in (0, 1):
        return EXIT_SUITE_BROKEN, "BROKEN"
    if counts["failed"]:
        return EXIT_FAILED, "FAILED"
    if contradicted:
        return EXIT_FAILED, "CONTRADICTED"
    if returncode == 1:
        return EXIT_FAILED, "FAILED"
    if counts["not automated"] or counts["skipped"]:
        return EXIT_NOT_AUTOMATED, "NOT AUTOMATED"
    return EXIT_PASSED, "PASSED"


def _summary(
    args: argparse.Namespace, url: str, out: Path, returncode: int, started: datetime, seconds: float, interrupted: bool
) -> int:
    records = _verdicts(out / "run.ndjson")
    counts = Counter(str(r.get("verdict", "")) for r in records)
    contradictions = _contradictions(records)
    code, result = _exit_code(returncode, counts, interrupted, bool(contradictions))
    words = {**VERDICT_WORDS[args.lang], **_WORDS[args.lang]}  # the scenario verdicts as the report words them
    lines = [words["head"].format(n=len(records), target=url, seconds=seconds)]
    lines += [f"  {words[v]:<18} {counts[v]:>5}" for v in VERDICTS if counts[v] or v in ("passed", "failed")]
    if contradictions:
        lines.append(words["contradictions"].format(n=len(contradictions)))
        for c, ids in contradictions:
            lines.append(f"  - {c.describe()}; " + words["seen"].format(n=len(ids), first=ids[0]))
    lines.append(words["result"].format(result=words[result], code=code))
    lines.append(words["files"].format(log=out / "run.ndjson", evidence=out / "evidence", pytest=out / "pytest.txt"))
    if returncode == _PYTEST_NO_TESTS:
        selection = " and ".join(
            f"{flag} {value!r}" for flag, value in (("-k", args.keyword), ("-m", args.markexpr)) if value
        )
        lines.append(
            f"kassakontroll run: no scenario matches {selection or 'the suite'}; see the ids in features/*.feature"
        )
    text = "\n".join(lines) + "\n"
    (out / "summary.txt").write_text(text, encoding="utf-8")
    summary = {
        "target": url,
        "profile": str(args.profile) if args.profile else None,
        "keyword": args.keyword,
        "markexpr": args.markexpr,
        "lab": args.lab,
        "operator": args.operator,
        "harness_version": version(),
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 3),
        "scenarios": len(records),
        "counts": {v: counts[v] for v in VERDICTS},
        "contradictions": [{**c.to_json(), "scenarios": ids} for c, ids in contradictions],
        "result": result.lower(),
        "exit_code": code,
        "pytest_exit_code": returncode,
    }
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(text, end="", flush=True)
    _report(args, out)
    return code


#: What a run writes into --out; an earlier run's copies go first (a fuzz.json, written beforehand, stays).
_RUN_FILES = ("run.ndjson", "summary.json", "summary.txt", "profile.json", "pytest.txt")
_RUN_FOLDERS = ("evidence", "report")


def _clear_earlier_run(out: Path) -> None:
    """Remove an earlier run's files from ``out``, so the report and its manifest cover this run only."""
    for name in _RUN_FILES:
        (out / name).unlink(missing_ok=True)
    for name in _RUN_FOLDERS:
        shutil.rmtree(out / name, ignore_errors=True)


def _write_profile(args: argparse.Namespace, out: Path) -> None:
    """``DIR/profile.json``: the profile the run uses, archived with its evidence."""
    try:
        profile = profile_for(args.target, args.profile)
    except ProfileError:
        return  # the scenarios that need one say so; the report then shows the identity as not given
    snapshot = profile.to_json()
    snapshot["path"] = profile.path.name  # the report names the file, not the machine it was on
    text = json.dumps(snapshot, ensure_ascii=False, indent=2) + "\n"
    (out / "profile.json").write_text(text, encoding="utf-8")


def _report(args: argparse.Namespace, out: Path) -> None:
    """Render the compliance report of the run (a report that cannot be written never changes the verdict)."""
    if not args.report_formats:
        return
    from harness.cli_report import render_run
    from harness.report.model import ReportError

    try:
        written = render_run(out, args.report_formats, ("nb", "en"))
    except (ReportError, OSError) as exc:
        print(f"kassakontroll run: the report could not be written: {exc}", file=sys.stderr)
        return
    except Exception as exc:  # a rendering bug must not change the run's verdict; the run folder is complete
        print(
            f"kassakontroll run: the report could not be written: rendering failed ({type(exc).__name__}: {exc}); "
            f"the run folder is complete, render it again with: kassakontroll report {out}",
            file=sys.stderr,
        )
        return
    html = [p for p in written if p.name == f"report.{args.lang}.html"]
    print(f"Report {html[0] if html else out / 'report'} (checksums {out / 'report' / 'manifest.sha256'})")


def run_run_command(args: argparse.Namespace) -> int | None:
    """Run ``run`` if that is the command (returns its exit code, see the module docstring); ``None`` otherwise."""
    if args.command != "run":
        return None
    try:
        url = _target_url(args)
        _check_files(args, urlsplit(url).scheme)
    except _Usage as exc:
        print(f"kassakontroll run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(
            f"kassakontroll run: cannot create --out {out}: {exc.strerror}; choose a folder you may write",
            file=sys.stderr,
        )
        return EXIT_USAGE
    _clear_earlier_run(out)
    _write_profile(args, out)
    started, began = time.monotonic(), datetime.now(UTC)
    interrupted = False
    with (out / "pytest.txt").open("w", encoding="utf-8") as report:
        child = subprocess.Popen(_command(args, url, out), stdout=report, stderr=None)
        while True:
            try:
                returncode = child.wait()
                break
            except KeyboardInterrupt:  # the child got the same SIGINT: let it finish its report
                interrupted = True
    return _summary(args, url, out, returncode, began, time.monotonic() - started, interrupted)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m harness.run_command …``: the ``run`` command on its own (as ``kassakontroll run …``)."""
    parser = argparse.ArgumentParser(prog="kassakontroll", description="Run the compliance suite against a till.")
    add_run_command(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    code = run_run_command(parser.parse_args(["run", *(sys.argv[1:] if argv is None else argv)]))
    return EXIT_USAGE if code is None else code


if __name__ == "__main__":
    sys.exit(main())
