"""``kassakontroll verify``: check SAF-T Cash Register exports.

Usage::

    kassakontroll verify FILE… [--public-key [VERSION=]PEM]… [--hmac-key [VERSION=]BASE64]…
                         [--json] [--lang nb|en] [--workers N] [--list-rules [--markdown]]

Exit codes of ``verify`` (documented in docs/verify.md):

=====  ==================================================================
0      clean: no errors or warnings (information notes may be printed)
1      findings: at least one error or warning in some file
2      usage error (bad arguments or a key that cannot be used)
6      unusable input: at least one file could not be checked (fatal)
=====  ==================================================================
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["EXIT_CLEAN", "EXIT_FINDINGS", "EXIT_UNUSABLE", "add_verify_command", "run_verify_command"]

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_UNUSABLE = 6

_HEAD = {
    "en": {"fatal": "FATAL", "error": "ERROR", "warning": "WARNING", "info": "INFO", "clean": "no findings"},
    "nb": {"fatal": "KRITISK", "error": "FEIL", "warning": "ADVARSEL", "info": "INFO", "clean": "ingen funn"},
}


def add_verify_command(commands: Any) -> None:
    """Register ``verify`` on the top-level subparsers."""
    verify = commands.add_parser(
        "verify", help="check SAF-T Cash Register exports (schema, signatures, numbering, reports, money)"
    )
    verify.add_argument("files", nargs="*", type=Path, metavar="FILE", help="SAF-T Cash Register XML files")
    verify.add_argument(
        "--public-key", action="append", default=[], metavar="[VERSION=]PEM",
        help="RSA public key (PEM) for keyVersion VERSION; without VERSION it is tried on every key version",
    )  # fmt: skip
    verify.add_argument(
        "--hmac-key", action="append", default=[], metavar="[VERSION=]BASE64",
        help="HMAC-SHA1 secret (16 bytes, base64) for keyVersion VERSION",
    )  # fmt: skip
    verify.add_argument("--json", action="store_true", help="print one JSON document (schema in docs/verify.md)")
    verify.add_argument("--lang", choices=("nb", "en"), default="en", help="language of the explanations")
    verify.add_argument("--workers", type=int, default=None, help="worker processes (default: one per core; 0: none)")
    verify.add_argument("--list-rules", action="store_true", help="print the rules with ids, severities and clauses")
    verify.add_argument(
        "--markdown", action="store_true", help="with --list-rules: as the Markdown of docs/verify-rules.md"
    )


def run_verify_command(args: argparse.Namespace) -> int | None:
    """Run ``verify`` if that is the command; ``None`` otherwise."""
    if args.command != "verify":
        return None
    from harness.verify import KeyRing, KeySpecError, Severity, VerifyOptions, verify_files
    from harness.verify.rules import RULES, rules_markdown

    if args.list_rules:
        if args.markdown:
            print(rules_markdown(), end="")
        else:
            for rule in RULES.values():
                print(f"{rule.id:<24} {rule.severity.value:<8} {rule.clause:<14} {rule.title(args.lang)}")
        return EXIT_CLEAN
    if not args.files:
        print("kassakontroll verify: give at least one FILE (or --list-rules)", file=sys.stderr)
        return EXIT_USAGE
    ring = KeyRing()
    try:
        for spec in args.public_key:
            ring.add_public_key(spec)
        for spec in args.hmac_key:
            ring.add_hmac_key(spec)
    except KeySpecError as exc:
        print(f"kassakontroll verify: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for warning in ring.warnings:
        print(f"kassakontroll verify: note: {warning}", file=sys.stderr)
    if args.workers is not None and args.workers < 0:
        print("kassakontroll verify: --workers must be 0 or more", file=sys.stderr)
        return EXIT_USAGE
    options = VerifyOptions(keys=ring, workers=args.workers)
    lang = args.lang

    def progress(result: Any) -> None:
        if not args.json:
            _print_text(result, lang)

    results = verify_files(args.files, options, progress=progress)
    if args.json:
        document = {
            "files": [
                {
                    "path": str(r.path),
                    "usable": r.usable,
                    "transactions": r.transactions,
                    "seconds": round(r.seconds, 3),
                    "schema_engine": r.schema_engine,
                    "registers_in_parallel": r.registers_in_parallel,
                    "findings": [f.to_json(lang) for f in r.findings],
                }
                for r in results
            ]
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
    if any(not r.usable for r in results):
        return EXIT_UNUSABLE
    serious = (Severity.ERROR, Severity.WARNING)
    return EXIT_FINDINGS if any(f.severity in serious for r in results for f in r.findings) else EXIT_CLEAN


def _print_text(result: Any, lang: str) -> None:
    head = _HEAD[lang]
    print(f"{result.path}: {result.transactions} transactions, {result.seconds:.1f} s")
    if not result.findings:
        print(f"  {head['clean']}")
    for finding in result.findings:
        times = f" ×{finding.count}" if finding.count > 1 else ""
        print(
            f"  {head[finding.severity.value]} {finding.rule.id}{times} [{finding.rule.clause}] {finding.message(lang)}"
        )
        where = finding.location.describe()
        if where:
            print(f"      {where}")
        if finding.count > 1 and len(finding.samples) > 1:
            more = "; ".join(s.describe() for s in finding.samples[1:])
            print(f"      also: {more}")
    print()
