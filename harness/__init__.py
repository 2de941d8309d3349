"""kassakontroll harness: runner, targets, evidence, SAF-T verifier and command line."""

from __future__ import annotations

from importlib import metadata

__all__ = ["version"]


def version() -> str:
    """The installed kassakontroll's version (``"unknown"`` when it runs from a folder that is not installed)."""
    try:
        return metadata.version("kassakontroll")
    except metadata.PackageNotFoundError:
        return "unknown"
