"""How the upper-tester's child processes are started: this interpreter, the package importable."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["child_env"]


def child_env() -> dict[str, str]:
    """This process's environment with the folder holding ``harness`` first on ``PYTHONPATH``.

    A child started as ``sys.executable -m harness.…`` then finds the same package as its
    parent, installed or run from a checkout, whatever its working directory.
    """
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[2])
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    if package_root not in paths:
        env["PYTHONPATH"] = os.pathsep.join([package_root, *paths])
    return env
