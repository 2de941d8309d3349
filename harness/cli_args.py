"""Argument types shared by the command-line modules."""

from __future__ import annotations

import argparse
from datetime import date

__all__ = ["iso_date"]


def iso_date(text: str) -> date:
    """``YYYY-MM-DD`` -> date, or an argparse error that shows how to write it."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write YYYY-MM-DD, e.g. 2026-11-23") from None
