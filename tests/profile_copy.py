"""Copies of the reference till's capability profile with some lines changed, for the tests."""

from __future__ import annotations

from pathlib import Path

from harness.profile import reference_profile_path

__all__ = ["reference_profile_with"]


def reference_profile_with(folder: Path, *changes: tuple[str, str], name: str = "p.toml") -> Path:
    """``folder/name``: the reference profile with each ``(old, new)`` replaced once, keys still found.

    The key paths, relative to the reference profile, are made absolute so the copy works
    from any folder. Every ``old`` must be in the profile (a test that changes nothing fails).
    """
    original = reference_profile_path().read_text(encoding="utf-8")
    text = original
    for old, new in changes:
        assert old in original, f"{old!r} is not in {reference_profile_path().name}"
        text = text.replace(old, new, 1)
    root = reference_profile_path().parent.parent.parent
    text = text.replace('"../../reference_till/', f'"{root}/reference_till/')
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
