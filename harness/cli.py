"""The ``kassakontroll`` command line.

Commands::

    kassakontroll till demo --out DIR [--config FILE] [--date YYYY-MM-DD]
                            [--devices emulated|memory] [--printer-link URL]
    kassakontroll till export --journal FILE --from YYYY-MM-DD --to YYYY-MM-DD --out DIR [--config FILE]
    kassakontroll till serve [--listen HOST:PORT] --printer K1=URL [--drawer K1=printer] --terminal K1=URL
                             [--config FILE] [--day YYYY-MM-DD]
    kassakontroll run --target URL [--profile FILE] --out DIR [--printer URL]... [-k EXPR] [-m MARKEXPR]
                      [--expectations FILE] [--lang nb|en] [--lab NAME] [--operator NAME] [--report LIST]
    kassakontroll report RUN_DIR [--format html,pdf,json,junit] [--lang nb,en] [--lab NAME] [--operator NAME]
    kassakontroll fuzz --target URL [--profile FILE] [--examples N] [--seed N] [--steps N] [--no-shrink]
    kassakontroll escpos decode FILE|- [--json] [--html OUT] [--profile NAME]
    kassakontroll devices serve [--printer URL]... [--terminal URL] [--record DIR] [--duration S]
    kassakontroll capture FILE.pcap --out DIR [--port 9100]
    kassakontroll verify FILE… [--public-key [VERSION=]PEM]… [--hmac-key [VERSION=]BASE64]… [--json] [--lang nb|en]

The device commands are described in :mod:`harness.cli_devices`, ``verify`` in
:mod:`harness.cli_verify` (its exit codes: 0 clean, 1 findings, 2 usage, 6 unusable input),
``till serve`` (the upper-tester API of the reference till) in :mod:`harness.cli_till_serve`,
``run`` (the compliance suite; exit codes by verdict) in :mod:`harness.run_command`, ``report``
(the compliance report of a run folder) in :mod:`harness.cli_report`.

Exit codes:

=====  ==============================================================
0      success
2      usage error (bad arguments; argparse prints the usage)
3      configuration error (the message names the key to fix)
4      the journal file cannot be used (missing, damaged, newer schema)
5      the till refused an operation (the message names the rule)
6      an input file cannot be read or is not what the command expects
7      a device link or server could not be opened
=====  ==============================================================
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from harness.cli_args import iso_date
from harness.cli_devices import add_device_commands, run_device_command
from harness.cli_fuzz import add_fuzz_command, run_fuzz_command
from harness.cli_report import add_report_command, run_report_command
from harness.cli_till_serve import add_till_serve_command, run_till_serve_command
from harness.cli_verify import add_verify_command, run_verify_command
from harness.run_command import add_run_command, run_run_command

__all__ = ["entry", "main"]

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_CONFIG = 3
EXIT_JOURNAL = 4
EXIT_REFUSED = 5


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kassakontroll", description="Compliance harness and reference till for Norwegian cash register systems."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_device_commands(commands)
    add_verify_command(commands)
    add_run_command(commands)
    add_report_command(commands)
    add_fuzz_command(commands)
    till = commands.add_parser("till", help="the reference till")
    till_commands = till.add_subparsers(dest="till_command", required=True, metavar="TILL_COMMAND")
    add_till_serve_command(till_commands)

    demo = till_commands.add_parser("demo", help="run a business day on two kassapunkter and write every artefact")
    demo.add_argument("--out", required=True, type=Path, help="output folder (created)")
    demo.add_argument("--config", type=Path, help="till configuration TOML (default: the embedded demo shop)")
    demo.add_argument("--date", type=iso_date, help="business day, YYYY-MM-DD (default: today in Norway)")
    demo.add_argument(
        "--devices",
        choices=("emulated", "memory"),
        default="emulated",
        help="emulated: printer, drawer and terminal emulators over real links (default); memory: in-memory devices",
    )
    demo.add_argument(
        "--printer-link",
        metavar="URL",
        help="with emulated devices, serve the printers on this link (tcp://127.0.0.1:0, pty://; default loop://)",
    )

    export = till_commands.add_parser("export", help="export a period of a journal as SAF-T Cash Register XML")
    export.add_argument("--journal", required=True, type=Path, help="the till's journal.sqlite")
    export.add_argument("--from", dest="start", required=True, type=iso_date, help="first day, YYYY-MM-DD")
    export.add_argument("--to", dest="end", required=True, type=iso_date, help="last day, YYYY-MM-DD")
    export.add_argument("--out", required=True, type=Path, help="output folder (created)")
    export.add_argument("--config", type=Path, help="the till configuration the journal was written with")
    return parser


def _demo(args: argparse.Namespace) -> int:
    from reference_till.config import load_config
    from reference_till.demo import run_demo

    config = load_config(args.config)
    result = run_demo(
        args.out,
        config=config,
        day=args.date,
        progress=lambda m: print(f"  … {m}", flush=True),
        devices=args.devices,
        printer_link=args.printer_link,
    )
    print((result.out_dir / "summary.txt").read_text(encoding="utf-8"), end="")
    print(
        f"Output written to {result.out_dir}/ (receipts/, SAF-T XML, settlement_*.json, posting_*.csv, "
        "evidence.ndjson, journal.sqlite)"
    )
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from reference_till.config import load_config
    from reference_till.journal import Journal, JournalCorrupt
    from reference_till.saft_export import export_saft

    if args.end < args.start:
        print(f"kassakontroll: --to {args.end} is before --from {args.start}", file=sys.stderr)
        return EXIT_USAGE
    if not args.journal.is_file():
        print(f"kassakontroll: journal {args.journal} does not exist", file=sys.stderr)
        return EXIT_JOURNAL
    config = load_config(args.config)
    try:
        journal = Journal(args.journal)
    except JournalCorrupt as exc:
        print(f"kassakontroll: {exc}", file=sys.stderr)
        return EXIT_JOURNAL
    with journal:
        summary = export_saft(journal, config, args.out, start=args.start, end=args.end)
    print(
        f"{summary.path}: {summary.registers} kassapunkter, {summary.transactions} transactions, "
        f"{summary.events} events"
    )
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (see the module docstring)."""
    from reference_till.config import ConfigError
    from reference_till.errors import TillError

    args = _parser().parse_args(argv)
    code = run_device_command(args)
    if code is None:
        code = run_verify_command(args)
    if code is None:
        code = run_run_command(args)
    if code is None:
        code = run_fuzz_command(args)
    if code is None:
        code = run_report_command(args)
    if code is not None:
        return code
    try:
        if args.command == "till" and args.till_command == "serve":
            return run_till_serve_command(args)
        if args.command == "till" and args.till_command == "demo":
            return _demo(args)
        if args.command == "till" and args.till_command == "export":
            return _export(args)
    except ConfigError as exc:
        print(f"kassakontroll: configuration: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except TillError as exc:
        print(f"kassakontroll: refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    return EXIT_USAGE


def entry() -> int:
    """Console entry point: :func:`main`, quiet when the reader of the output goes away (``| head``)."""
    try:
        return main()
    except BrokenPipeError:
        # the reader closed the pipe: point stdout at /dev/null so the exit flush cannot fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(entry())
