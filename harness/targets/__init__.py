"""Targets: the tills the scenarios run against, chosen by URL scheme.

* ``reference://``: the reference till in process (:mod:`harness.targets.reference`);
* ``http://HOST:PORT``: a till behind the upper-tester API (:mod:`harness.targets.http`);
* ``manual://``: a lab technician at a terminal, prompted step by step (:mod:`harness.targets.manual`);
* third-party targets: a factory ``(url: str) -> TillDriver`` registered under the
  entry-point group ``kassakontroll.targets`` with the URL scheme as its name, e.g. in
  a vendor's ``pyproject.toml``::

      [project.entry-points."kassakontroll.targets"]
      superpos = "superpos_harness:open_target"

A URL whose scheme nobody serves is a :class:`~harness.targets.base.TargetError` that
lists the schemes that are available.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from urllib.parse import urlsplit

from harness.targets.base import Concluded, NotSupportedByTarget, Refused, TargetError, TillDriver

__all__ = [
    "ENTRY_POINT_GROUP",
    "Concluded",
    "NotSupportedByTarget",
    "Refused",
    "TargetError",
    "TillDriver",
    "open_target",
    "schemes",
]

#: Entry-point group third-party targets register under.
ENTRY_POINT_GROUP = "kassakontroll.targets"


def _reference(url: str) -> TillDriver:
    from harness.targets.reference import ReferenceTarget

    return ReferenceTarget(url)


def _http(url: str) -> TillDriver:
    from harness.targets.http import HttpTarget

    return HttpTarget(url)


def _manual(url: str) -> TillDriver:
    from harness.targets.manual import ManualTarget

    return ManualTarget(url)


_BUILT_IN: dict[str, Callable[[str], TillDriver]] = {"reference": _reference, "http": _http, "manual": _manual}


def schemes() -> list[str]:
    """The URL schemes a target can be opened with (built-in and installed)."""
    return sorted(set(_BUILT_IN) | {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)})


def open_target(url: str) -> TillDriver:
    """Open the till at ``url``.

    Raises:
        TargetError: No target serves the URL's scheme, or the target cannot be opened.
    """
    scheme = urlsplit(url).scheme
    factory = _BUILT_IN.get(scheme)
    if factory is None:
        found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == scheme]
        if not found:
            known = ", ".join(f"{s}://" for s in schemes())
            raise TargetError(f"no target serves {url!r}: use one of {known}, or install a package that registers "
                              f"'{scheme}' under the entry-point group {ENTRY_POINT_GROUP}")  # fmt: skip
        factory = found[0].load()
    driver = factory(url)
    if not isinstance(driver, TillDriver):
        raise TargetError(f"the target for {scheme}:// returned {type(driver).__name__}, not a TillDriver")
    return driver
