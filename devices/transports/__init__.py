"""Transports: open a link a device is served on, or connect to a device, from a URL.

``open_link(url)`` is the device side (the harness plays a printer on a port);
``connect(url)`` is the POS side (the reference till or a proxy reaches a device). The
scheme picks the module ``transport_<scheme>.py`` in this package (``tcp-proxy`` →
``transport_tcp_proxy``), then third-party modules registered under the entry-point
group ``kassakontroll.transports`` (``<scheme> = "pkg.module"``); built-ins win
(style-anchors §3.4, pyserial's ``serial_for_url``).

Built-in schemes (each module documents its ``URL format:``):

==============  ===========  =======================================================
scheme          sides        what
==============  ===========  =======================================================
``loop``        both         in-process, named endpoints (tests, ``reference://``)
``pty``         device       a pseudo-terminal whose slave path the POS opens
``serial``      both         any pyserial port or URL (``/dev/ttyUSB0``, ``socket://``)
``tcp``         both         a listener like a network printer (raw 9100) / a client
``tcp-proxy``   device       between a POS and a real printer, recording both ways
``usb``         POS          a USB printer-class device through pyusb
``pcap``        device       replays TCP streams from a capture file (observe only)
==============  ===========  =======================================================

A transport module exports ``open_link(url) -> Link`` and/or
``connect(url, timeout) -> HostConnection``, and ``is_usable() -> bool``.
"""

from __future__ import annotations

import importlib
import re
from importlib.metadata import entry_points
from types import ModuleType

from devices.link import HostConnection, Link, TransportConfigError, TransportError
from devices.transports.tap import TappedLink
from harness.evidence import EvidenceLog

__all__ = ["BUILTIN_SCHEMES", "connect", "known_schemes", "open_link", "resolve"]

#: Schemes served by modules of this package, in resolution order.
BUILTIN_SCHEMES = ("loop", "pty", "serial", "tcp", "tcp-proxy", "usb", "pcap")
ENTRY_POINT_GROUP = "kassakontroll.transports"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def _plugin_schemes() -> dict[str, str]:
    return {ep.name.lower(): ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}


def known_schemes() -> list[str]:
    """Built-in schemes followed by those registered by installed packages."""
    plugins = [name for name in sorted(_plugin_schemes()) if name not in BUILTIN_SCHEMES]
    return [*BUILTIN_SCHEMES, *plugins]


def resolve(url: str) -> ModuleType:
    """The transport module serving ``url``'s scheme.

    Raises:
        TransportConfigError: The URL has no scheme or an unknown one (the message lists the known ones).
        TransportError: The module exists but cannot be used here (missing dependency or platform).
    """
    match = _SCHEME.match(url)
    if match is None:
        raise TransportConfigError(
            f"{url!r} is not a link URL: expected SCHEME://..., e.g. tcp://127.0.0.1:9100 or loop://printer; "
            f"known schemes: {', '.join(known_schemes())}"
        )
    scheme = match.group(1).lower()
    if scheme in BUILTIN_SCHEMES:
        module = importlib.import_module(f"{__name__}.transport_{scheme.replace('-', '_')}")
    else:
        plugins = _plugin_schemes()
        if scheme not in plugins:
            raise TransportConfigError(
                f"unknown link scheme {scheme!r} in {url!r}; known schemes: {', '.join(known_schemes())} "
                f"(third-party transports register under the entry-point group {ENTRY_POINT_GROUP!r})"
            )
        module = importlib.import_module(plugins[scheme])
    usable = getattr(module, "is_usable", None)
    if callable(usable) and not usable():
        raise TransportError(
            f"the {scheme}:// transport ({module.__name__}) cannot be used here: a dependency or the "
            f"platform support is missing; see that module's documentation"
        )
    return module


def open_link(url: str, *, log: EvidenceLog | None = None) -> Link:
    """Open a link a device is served on (device side).

    Args:
        url: The link URL, e.g. ``tcp://127.0.0.1:0``, ``pty://?link=/run/kk/ttyPRN``, ``loop://printer``.
        log: When given, the link is wrapped in a :class:`~devices.transports.tap.TappedLink`
            recording all its traffic.

    Raises:
        TransportConfigError: Malformed URL, unknown scheme or option, or a scheme that only connects.
        TransportError: The link could not be opened (port in use, device missing ...).
    """
    module = resolve(url)
    opener = getattr(module, "open_link", None)
    if not callable(opener):
        raise TransportConfigError(
            f"{url.split('://', 1)[0]}:// cannot serve a device (it only connects to one); "
            f"use connect({url!r}) to reach a device, or one of loop, pty, serial, tcp to serve one"
        )
    link = opener(url)
    if not isinstance(link, Link):
        raise TransportError(f"{module.__name__}.open_link returned {type(link).__name__}, not a Link")
    return TappedLink(link, log) if log is not None else link


def connect(url: str, *, timeout: float = 5.0) -> HostConnection:
    """Connect to a device, emulated or real (POS side).

    Args:
        url: The device URL, e.g. ``tcp://127.0.0.1:9100``, ``serial:///dev/pts/3``, ``usb://04b8:0202``.
        timeout: Seconds to wait for the connection to be established.

    Raises:
        TransportConfigError: Malformed URL, unknown scheme or option, or a scheme that only serves devices.
        TransportError: The device could not be reached.
    """
    module = resolve(url)
    connector = getattr(module, "connect", None)
    if not callable(connector):
        raise TransportConfigError(
            f"{url.split('://', 1)[0]}:// cannot connect to a device (it only serves one); "
            f"a POS reaches a pty:// link with serial://<slave path> and a tcp-proxy:// with tcp://HOST:PORT"
        )
    connection = connector(url, timeout)
    if not isinstance(connection, HostConnection):
        raise TransportError(f"{module.__name__}.connect returned {type(connection).__name__}, not a HostConnection")
    return connection
