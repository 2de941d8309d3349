"""``kassakontroll fuzz``: random operation sequences against a till, checked against a naive model.

Usage::

    kassakontroll fuzz --target URL [--profile FILE] [--examples N] [--seed N] [--steps N] [--no-shrink] [--out DIR]

Runs :func:`harness.fuzz.run_fuzz`: ``N`` random sequences of sales, returns, payments,
voids, copies, parking, nullinnslag and X/Z reports through the till's driver, with the
invariants of :mod:`harness.fuzz` checked after every step. One line per example goes to
standard error; the summary, and on a failure the shrunk steps that reproduce it, go to
standard output. Without ``--seed`` a seed is drawn and printed, so that any run can be
repeated. ``--profile`` may be left out for ``reference://`` (the reference till's own).
``--out DIR`` also writes ``DIR/fuzz.json``: the run's figures and, per failure, the shrunk
steps as a Python program that replays them (:func:`harness.fuzz.reproduction_program`);
given a run folder of ``kassakontroll run``, the compliance report shows them.

Exit codes of ``fuzz``:

=====  ==========================================================================
0      every invariant held in every example
1      an invariant failed (or the fuzz itself broke); the reproduction is printed
2      usage: a bad ``--target``, ``--profile``, ``--examples``, ``--steps``
3      the target could not be opened or used (the message says why)
=====  ==========================================================================
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from harness.profile import Profile, ProfileError, profile_for
from harness.targets import TargetError, open_target, schemes

__all__ = ["EXIT_FAILED", "EXIT_PASSED", "EXIT_TARGET", "EXIT_USAGE", "add_fuzz_command", "main", "run_fuzz_command"]

EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_TARGET = 3


def add_fuzz_command(commands: Any) -> None:
    """Register ``fuzz`` on the top-level subparsers."""
    fuzz = commands.add_parser(
        "fuzz", help="drive a till with random operation sequences and check invariants after every step"
    )
    fuzz.add_argument("--target", required=True, metavar="URL", help="reference://, http://HOST:PORT, …")
    fuzz.add_argument(
        "--profile", type=Path, metavar="FILE", help="the till's capability profile (required unless reference://)"
    )
    fuzz.add_argument("--examples", type=int, default=50, metavar="N", help="random sequences to try (default 50)")
    fuzz.add_argument("--seed", type=int, metavar="N", help="repeat a run (default: a new seed, printed)")
    fuzz.add_argument("--steps", type=int, default=30, metavar="N", help="most steps per sequence (default 30)")
    fuzz.add_argument(
        "--no-shrink", action="store_true", help="report a failing sequence as found, without shrinking it (faster)"
    )
    fuzz.add_argument(
        "--out", type=Path, metavar="DIR", help="also write DIR/fuzz.json with reproduction programs (a run folder)"
    )


def _write_result(args: argparse.Namespace, result: Any, seed: int, repeat: str) -> None:
    """``DIR/fuzz.json``: what the report's "random operation sequences" section shows."""
    from harness.fuzz import reproduction_program

    profile = str(args.profile.resolve()) if args.profile is not None else None
    data = {
        "target": result.target,
        "seed": seed,
        "examples": result.examples,
        "steps": result.steps,
        "seconds": round(result.seconds, 3),
        "failures": [
            {
                "kind": f.kind,
                "message": f.message,
                "steps": f.reproduction,
                "program": reproduction_program(result.target, profile, f),
            }
            for f in result.failures
        ],
        "refusals": dict(sorted(result.refusals.items())),
        "not_supported": dict(sorted(result.not_supported.items())),
        "repeat": repeat,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "fuzz.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _say(message: str) -> None:
    print(f"kassakontroll fuzz: {message}", file=sys.stderr)


def _profile(args: argparse.Namespace) -> Profile:
    """The profile to fuzz with; raises ProfileError naming the template."""
    return profile_for(args.target, args.profile)


def _usage(args: argparse.Namespace) -> str | None:
    """What is wrong with the arguments, or None."""
    url: str = args.target
    if "://" not in url or urlsplit(url).scheme not in schemes():
        known = ", ".join(f"{s}://" for s in schemes())
        return f"--target {url!r}: no target serves it; write one of {known} (e.g. --target reference://)"
    if args.examples < 1:
        return f"--examples {args.examples}: give 1 or more sequences to try"
    if args.steps < 1:
        return f"--steps {args.steps}: give 1 or more steps per sequence"
    return None


def _can_open(url: str) -> str | None:
    """Open and release the target once before the run; the reason it cannot be opened, or None."""
    try:
        open_target(url).close()
    except TargetError as exc:
        return str(exc)
    return None


def run_fuzz_command(args: argparse.Namespace) -> int | None:
    """Run ``fuzz`` if that is the command; ``None`` otherwise."""
    if args.command != "fuzz":
        return None
    from harness.fuzz import run_fuzz

    problem = _usage(args)
    if problem is not None:
        _say(problem)
        return EXIT_USAGE
    try:
        profile = _profile(args)
    except ProfileError as exc:
        _say(f"--profile: {exc}")
        return EXIT_USAGE
    reason = _can_open(args.target)
    if reason is not None:
        _say(f"the target could not be opened: {reason}")
        return EXIT_TARGET
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    _say(f"{args.examples} examples of up to {args.steps} steps against {args.target}, seed {seed}")
    result = run_fuzz(
        args.target,
        profile,
        args.examples,
        seed=seed,
        progress=lambda line: print(f"  … {line}", file=sys.stderr, flush=True),
        steps=args.steps,
        shrink=not args.no_shrink,
    )
    print(
        f"kassakontroll fuzz: {result.examples} examples, {result.steps} steps against {result.target} "
        f"in {result.seconds:.1f} s (seed {seed})"
    )
    if result.refusals:
        print("  refused by the till (lawful as far as the fuzz can tell):")
        for verb, count in sorted(result.refusals.items()):
            print(f"    {verb} ×{count}: {result.reasons.get(verb, '')}")
    if result.not_supported:
        print("  not supported by the target (skipped for the rest of the run):")
        for verb, detail in sorted(result.not_supported.items()):
            print(f"    {verb}: {detail}")
    repeat = f"kassakontroll fuzz --target '{args.target}' --examples {args.examples} --steps {args.steps}"
    repeat += f" --seed {seed}"
    if args.profile is not None:
        repeat += f" --profile {args.profile}"
    if args.out is not None:
        _write_result(args, result, seed, repeat)
    if not result.failures:
        print(f"Result: PASSED (exit {EXIT_PASSED})")
        return EXIT_PASSED
    code = EXIT_TARGET if all(f.kind == "target" for f in result.failures) else EXIT_FAILED
    for failure in result.failures:
        print(f"\nFAILED ({failure.kind}): {failure.text()}")
    print(f"\nRepeat this run: {repeat}")
    print(f"Result: {'THE TARGET COULD NOT BE USED' if code == EXIT_TARGET else 'FAILED'} (exit {code})")
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m harness.cli_fuzz ARGS`` is ``kassakontroll fuzz ARGS``; returns the exit code."""
    parser = argparse.ArgumentParser(prog="kassakontroll")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_fuzz_command(commands)
    args = parser.parse_args(["fuzz", *(sys.argv[1:] if argv is None else argv)])
    code = run_fuzz_command(args)
    return EXIT_USAGE if code is None else code


if __name__ == "__main__":
    sys.exit(main())
