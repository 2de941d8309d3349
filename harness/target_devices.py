"""``--printer`` and ``--terminal``: where the harness plays a till's devices, added to the target URL.

The targets take their device links as URL options (``printer=``, ``printer.K1=``,
``terminal=`` …; see :mod:`harness.targets.http` and :mod:`harness.targets.manual`). On a
command line it is easier to give them as options of their own::

    pytest features --target manual:// --printer tcp://0.0.0.0:9100 --printer pty://
    kassakontroll run --target http://10.0.0.7:8700 --printer K1=tcp://0.0.0.0:9100 --terminal K1=http://0.0.0.0:8443

:func:`with_devices` turns them into the URL options, so ``pytest`` and ``kassakontroll
run`` accept the same spelling and the target checks the links as it always does.

* ``--printer URL`` (repeatable): ``printer=URL``. ``manual://`` takes one per kassapunkt,
  in the order of the profile's kassapunkter; ``http://`` takes one for every kassapunkt.
* ``--printer K1=URL``: ``printer.K1=URL``, the printer of kassapunkt K1 (``http://`` only).
* ``--terminal URL`` / ``--terminal K1=URL``: the payment terminal the harness serves
  (``http://`` only; a ``manual://`` technician's terminal is on ``terminal_port=``).

``reference://`` plays its devices in process and takes neither.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote, urlsplit

__all__ = ["DeviceOptionError", "with_devices"]

#: Which targets take which device options.
_TAKES = {"printer": ("http", "manual"), "terminal": ("http",)}
#: ``K1=URL``: a kassapunkt id (no ``:`` or ``/``), then ``=``, then the URL.
_PER_REGISTER = re.compile(r"^(?P<register>[A-Za-z0-9_.-]+)=(?P<url>[a-z][a-z0-9+.-]*://.*)$")


class DeviceOptionError(ValueError):
    """A device option the target cannot take; the message says what to write."""


def _options(scheme: str, name: str, values: Sequence[str]) -> list[str]:
    if values and scheme not in _TAKES[name]:
        takers = " and ".join(f"{s}://" for s in _TAKES[name])
        own = "plays its devices in process" if scheme == "reference" else "does not take it"
        raise DeviceOptionError(f"--{name} applies to {takers} targets; {scheme}:// {own}")
    options = []
    for value in values:
        match = _PER_REGISTER.match(value)
        if match is not None:
            if scheme == "manual":
                raise DeviceOptionError(
                    f"--{name} {value}: manual:// takes one --{name} URL per kassapunkt, in the order of the "
                    f"profile's kassapunkter, without the kassapunkt id"
                )
            options.append(f"{name}.{match['register']}={quote(match['url'], safe=':/?=,{}')}")
        elif "://" in value:
            options.append(f"{name}={quote(value, safe=':/?=,{}')}")
        else:
            raise DeviceOptionError(f"--{name} {value!r}: write a link URL such as tcp://0.0.0.0:9100, or K1=URL")
    return options


def with_devices(url: str, printers: Sequence[str] = (), terminals: Sequence[str] = ()) -> str:
    """``url`` with the ``--printer`` and ``--terminal`` values added as its device options.

    Raises:
        DeviceOptionError: The target does not take the option, or a value is not a URL.
    """
    scheme = urlsplit(url).scheme
    extra = _options(scheme, "printer", printers) + _options(scheme, "terminal", terminals)
    if not extra:
        return url
    joiner = "&" if urlsplit(url).query else ("" if url.endswith("?") else "?")
    return url + joiner + "&".join(extra)
