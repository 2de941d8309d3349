"""``python -m harness.upper_tester [OPTIONS]``: the same as ``kassakontroll till serve [OPTIONS]``.

The ``http://`` target starts the reference server this way (``sys.executable -m
harness.upper_tester``), so it works wherever the package can be imported, with or
without the ``kassakontroll`` console script on the PATH.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from harness.cli_till_serve import add_till_serve_command, run_till_serve_command

__all__ = ["main"]


class _OneCommand:
    """Stands in for the ``till`` sub-parsers: the ``serve`` options go on the top-level parser."""

    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self.parser = parser

    def add_parser(self, name: str, **_kwargs: Any) -> argparse.ArgumentParser:
        return self.parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the ``till serve`` options and run the server; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m harness.upper_tester", description="The reference till behind the upper-tester API."
    )
    add_till_serve_command(_OneCommand(parser))
    return run_till_serve_command(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
