"""Open a kassapunkt's devices from the URLs in its configuration.

Each ``[[registers]]`` entry may name where its devices are::

    [[registers]]
    id = "K1"
    printer = "tcp://127.0.0.1:9100"          # any URL of devices.transports.connect
    drawer = "printer"                        # on the printer's kick connector (pin 2)
    terminal = "http://127.0.0.1:8443/nexo"   # a nexo Sale-to-POI terminal over HTTP

=============  ====================================================================
field          values
=============  ====================================================================
``printer``    empty or ``memory://``: the in-memory printer; otherwise a link URL:
               ``tcp://HOST:PORT``, ``serial://<device or pyserial URL>``,
               ``usb://VID:PID``, ``loop://NAME`` (an in-process emulator)
``drawer``     empty: on the printer's kick connector when the printer is a real
               link, else in memory; ``printer`` or ``printer://pin5`` (drawer 2),
               optionally ``?open_level=low``; ``memory://``
``terminal``   empty or ``memory://``: the in-memory terminal; ``http://HOST:PORT/PATH``:
               nexo JSON over HTTP
=============  ====================================================================

The same URLs can be given on the command line (``kassakontroll till demo --printer …``).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from devices.terminal import NexoClient
from devices.transports import connect
from reference_till.config import ConfigError, Register
from reference_till.device_ports import EscposDrawerPort, EscposPrinterPort, NexoTerminalPort
from reference_till.ports import (
    DrawerPort,
    MemoryDrawer,
    MemoryPrinter,
    MemoryTerminal,
    PaymentTerminalPort,
    PrinterPort,
)
from reference_till.till_base import RegisterDevices

__all__ = ["DeviceConfigError", "open_devices"]

_GRAMMAR = (
    "printer: memory:// | tcp://HOST:PORT | serial://… | usb://VID:PID | loop://NAME; "
    "drawer: printer[://pin2|pin5][?open_level=high|low] | memory://; "
    "terminal: memory:// | http://HOST:PORT/PATH"
)


class DeviceConfigError(ConfigError):
    """A device URL in the configuration cannot be used; the message gives the grammar."""


def _is_memory(url: str) -> bool:
    return url in ("", "memory://", "memory:")


def _printer(url: str, timeout: float) -> PrinterPort:
    if _is_memory(url):
        return MemoryPrinter()
    return EscposPrinterPort(connect(url, timeout=timeout), timeout=timeout)


def _drawer_spec(url: str, printer_url: str) -> tuple[int, str] | None:
    """``(pin, open_level)`` for a drawer on the printer, ``None`` for the in-memory drawer."""
    if url == "memory://" or (url == "" and _is_memory(printer_url)):
        return None
    parts = urlsplit(url if url else "printer://pin2")
    scheme = parts.scheme or parts.path
    if scheme != "printer":
        raise DeviceConfigError(f"drawer URL {url!r} is not understood; {_GRAMMAR}")
    if _is_memory(printer_url):
        raise DeviceConfigError(
            f"drawer {url!r} is on the printer's kick connector, but the printer is in memory; "
            "give the printer a link URL or use drawer = 'memory://'"
        )
    pin = {"": 2, "pin2": 2, "pin5": 5}.get(parts.netloc)
    if pin is None:
        raise DeviceConfigError(f"drawer URL {url!r}: the connector is pin2 or pin5; {_GRAMMAR}")
    query = parse_qs(parts.query)
    unknown = set(query) - {"open_level"}
    if unknown:
        raise DeviceConfigError(f"drawer URL {url!r}: unknown option(s) {', '.join(sorted(unknown))}; {_GRAMMAR}")
    level = query.get("open_level", ["high"])[-1]
    if level not in ("high", "low"):
        raise DeviceConfigError(f"drawer URL {url!r}: open_level is high or low")
    return pin, level


def _terminal(url: str, register_id: str, timeout: float) -> PaymentTerminalPort:
    if _is_memory(url):
        return MemoryTerminal()
    return NexoTerminalPort(NexoClient(url, sale_id=register_id, timeout=timeout))


def open_devices(
    register: Register,
    *,
    printer: str | None = None,
    drawer: str | None = None,
    terminal: str | None = None,
    timeout: float = 5.0,
) -> RegisterDevices:
    """Open the devices of a kassapunkt.

    Args:
        register: The kassapunkt; its URLs are used unless overridden.
        printer: Printer URL overriding the configuration.
        drawer: Drawer URL overriding the configuration.
        terminal: Terminal URL overriding the configuration.
        timeout: Seconds to wait for a device to answer.

    Raises:
        DeviceConfigError: A URL is not understood.
        devices.link.TransportError: A link could not be opened (the message says why).
    """
    printer_url = register.printer if printer is None else printer
    terminal_url = register.terminal if terminal is None else terminal
    # Check every URL before opening anything, so a typo costs no half-open links.
    drawer_spec = _drawer_spec(register.drawer if drawer is None else drawer, printer_url)
    if not _is_memory(terminal_url) and urlsplit(terminal_url).scheme not in ("http", "https"):
        raise DeviceConfigError(f"terminal URL {terminal_url!r} is not understood; {_GRAMMAR}")
    printer_port = _printer(printer_url, timeout)
    drawer_port: DrawerPort
    if drawer_spec is None:
        drawer_port = MemoryDrawer()
    else:
        assert isinstance(printer_port, EscposPrinterPort)
        drawer_port = EscposDrawerPort(printer_port, pin=drawer_spec[0], open_level=drawer_spec[1])
    return RegisterDevices(
        printer=printer_port,
        drawer=drawer_port,
        terminal=_terminal(terminal_url, register.id, timeout),
    )
