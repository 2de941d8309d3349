"""kassakontroll harness: runner, targets, evidence, SAF-T verifier and command line."""

from __future__ import annotations

__all__: list[str] = []
