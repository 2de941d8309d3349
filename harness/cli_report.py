"""``kassakontroll report``: render the compliance report of a finished (or archived) run.

Usage::

    kassakontroll report RUN_DIR [--format html,pdf,json,junit] [--lang nb,en] [--lab NAME] [--operator NAME]

Reads what ``kassakontroll run --out RUN_DIR`` wrote (:mod:`harness.report.model`) and writes
``RUN_DIR/report/``: ``report.<lang>.html``, ``report.json``, ``junit.xml``,
``report.<lang>.pdf`` and ``manifest.sha256`` (:mod:`harness.report.render`). Rendering the
same folder again gives identical files, so a run archived years ago can be re-rendered and
compared with the copy the vendor filed. ``--lab`` and ``--operator`` fill in the identity
where the run did not record them. ``kassakontroll run`` renders the report itself at the end.

Exit codes of ``report``:

=====  ==========================================================================
0      the report was written
2      usage: RUN_DIR is not a run folder, or a bad ``--format``/``--lang``
6      the report could not be written or rendered (the message says why)
=====  ==========================================================================
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["EXIT_UNWRITABLE", "add_report_command", "main", "render_run", "run_report_command"]

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_UNWRITABLE = 6


def _choices(value: str, allowed: Sequence[str], option: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in value.split(",") if part.strip())
    wrong = [c for c in chosen if c not in allowed]
    if wrong or not chosen:
        raise argparse.ArgumentTypeError(
            f"{option} {value!r}: write a comma-separated list of {', '.join(allowed)} (e.g. {','.join(allowed)})"
        )
    return tuple(dict.fromkeys(chosen))


def formats_arg(value: str) -> tuple[str, ...]:
    """``--format html,pdf``: some of :data:`harness.report.render.FORMATS`."""
    from harness.report.render import FORMATS

    return _choices(value, FORMATS, "--format")


def languages_arg(value: str) -> tuple[str, ...]:
    """``--lang nb,en``: the report languages."""
    from harness.report.words import LANGUAGES

    return _choices(value, LANGUAGES, "--lang")


def add_report_command(commands: Any) -> None:
    """Register ``report`` on the top-level subparsers."""
    report = commands.add_parser(
        "report", help="render the compliance report (HTML nb/en, PDF, JSON, JUnit) of a run folder"
    )
    report.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="the folder `kassakontroll run --out` wrote")
    report.add_argument(
        "--format", dest="formats", type=formats_arg, default=("html", "json", "junit", "pdf"), metavar="LIST",
        help="formats to write, comma-separated: html,json,junit,pdf (default all)",
    )  # fmt: skip
    report.add_argument(
        "--lang", dest="languages", type=languages_arg, default=("nb", "en"), metavar="LIST",
        help="languages of the HTML and PDF, comma-separated: nb,en (default both)",
    )  # fmt: skip
    report.add_argument("--lab", default="", help="the lab's name, where the run did not record it")
    report.add_argument("--operator", default="", help="who ran the tests, where the run did not record it")


def render_run(
    run_dir: Path,
    formats: Sequence[str],
    languages: Sequence[str],
    *,
    lab: str = "",
    operator: str = "",
) -> list[Path]:
    """Build the model of ``run_dir`` and write the report; returns the files written.

    Raises:
        harness.report.model.ReportError: ``run_dir`` is not a run folder.
        OSError: a file could not be written.
    """
    from harness.report.model import build
    from harness.report.render import write_report

    model = build(run_dir, lab=lab, operator=operator)
    return write_report(model, run_dir, formats, languages)


def run_report_command(args: argparse.Namespace) -> int | None:
    """Run ``report`` if that is the command (its exit code, see the module docstring); ``None`` otherwise."""
    if args.command != "report":
        return None
    from harness.report.model import ReportError

    try:
        written = render_run(args.run_dir, args.formats, args.languages, lab=args.lab, operator=args.operator)
    except ReportError as exc:
        print(f"kassakontroll report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(
            f"kassakontroll report: cannot write the report into {args.run_dir / 'report'}: {exc}; "
            "choose a run folder you may write, or copy it first",
            file=sys.stderr,
        )
        return EXIT_UNWRITABLE
    except Exception as exc:  # what the run folder holds broke a template: say which, exit as documented
        print(
            f"kassakontroll report: the report could not be rendered from {args.run_dir} "
            f"({type(exc).__name__}: {exc}); check the run folder's run.ndjson and evidence, or report this",
            file=sys.stderr,
        )
        return EXIT_UNWRITABLE
    for path in written:
        print(path)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m harness.cli_report RUN_DIR …`` is ``kassakontroll report RUN_DIR …``."""
    parser = argparse.ArgumentParser(prog="kassakontroll")
    add_report_command(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    code = run_report_command(parser.parse_args(["report", *(sys.argv[1:] if argv is None else argv)]))
    return EXIT_USAGE if code is None else code


if __name__ == "__main__":
    sys.exit(main())
