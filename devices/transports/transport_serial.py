"""Serial link: a real serial port or any pyserial URL, always through ``serial_for_url``.

Going through :func:`serial.serial_for_url` (never ``serial.Serial(port=...)``) means
every pyserial URL handler works for free: ``loop://``, ``socket://host:port``,
``rfc2217://``, ``spy://`` (hex dump), ``hwgrep://`` (find an adapter by VID:PID or
description) — style-anchors §3.4 point 4. Two sides:

* :func:`open_link`: the harness plays a serial device on a port wired to a POS (a
  USB-serial adapter with a null-modem cable); a reader thread feeds the device.
* :func:`connect`: the POS side; the reference till reaches a ``pty://`` link with
  ``connect("serial:///dev/pts/N")``.

Line settings a real printer expects (devices.md §2.1): Epson TM-T88 default 9600 baud,
8 data bits, no parity, 1 stop bit, DTR/DSR or XON/XOFF handshake. On a pty, modem lines
do not exist, so ``rtscts``/``dsrdtr`` are accepted but have no effect there.

URL format: ``serial://<PORT or pyserial URL>[#OPTIONS]``

* ``PORT``: ``/dev/ttyUSB0``, ``/dev/pts/3``, ``COM3`` …; or a pyserial URL with its own
  ``?query``, e.g. ``serial://socket://10.0.0.5:9100``, ``serial://spy:///dev/ttyS0?file=x.txt``.
* ``OPTIONS`` follow the **last** ``#``, as ``name=value`` pairs joined by ``&``, so they never
  mix with the inner URL's query: ``baud`` (default 9600), ``bytesize`` (5-8, default 8),
  ``parity`` (N, E, O, M, S; default N), ``stopbits`` (1, 1.5, 2; default 1), ``xonxoff``,
  ``rtscts``, ``dsrdtr`` (0/1, default 0). If the inner URL itself contains ``#``, end the
  URL with ``#`` (empty options). Example: ``serial:///dev/ttyUSB0#baud=19200&dsrdtr=1``.
"""

from __future__ import annotations

import threading
from typing import Any

import serial

from devices.link import Channel, HostConnection, ProtocolFactory, TransportError
from devices.transports._events import EventSource
from devices.transports._session import Session, line_session
from devices.transports._threads import start_daemon
from devices.transports._urls import UrlGrammar

__all__ = ["URL_FORMAT", "SerialConnection", "SerialLink", "connect", "is_usable", "open_link", "parse_url"]

URL_FORMAT = (
    "serial://<PORT or pyserial URL>[#OPTIONS]  (OPTIONS after the last '#': baud=N, bytesize=5-8, "
    "parity=N|E|O|M|S, stopbits=1|1.5|2, xonxoff=0|1, rtscts=0|1, dsrdtr=0|1; "
    "e.g. serial:///dev/ttyUSB0#baud=19200&dsrdtr=1, serial://socket://host:9100)"
)
_GRAMMAR = UrlGrammar("serial", URL_FORMAT)
_OPTIONS = ("baud", "bytesize", "parity", "stopbits", "xonxoff", "rtscts", "dsrdtr")
_POLL = 0.05  # reader thread: seconds per read, bounds how long close() waits


def is_usable() -> bool:
    """Always usable: pyserial is a dependency."""
    return True


def parse_url(url: str) -> tuple[str, dict[str, Any]]:
    """Split a ``serial://`` URL into the pyserial port/URL and ``serial_for_url`` keyword arguments.

    Raises:
        TransportConfigError: Empty port, unknown option or a bad value.
    """
    prefix = "serial://"
    if not url.lower().startswith(prefix):
        raise _GRAMMAR.error(url, f"the URL must start with {prefix!r}")
    rest = url[len(prefix) :]
    port, sep, raw_options = rest.rpartition("#")
    if not sep:
        port, raw_options = rest, ""
    if not port:
        raise _GRAMMAR.error(url, "no port given (a device path such as /dev/ttyUSB0 or a pyserial URL)")
    options = _GRAMMAR.parse_query(url, raw_options)
    _GRAMMAR.check_known(url, options, _OPTIONS)
    kwargs: dict[str, Any] = {
        "baudrate": 9600,
        "bytesize": 8,
        "parity": "N",
        "stopbits": 1,
        "xonxoff": False,
        "rtscts": False,
        "dsrdtr": False,
    }
    if "baud" in options:
        kwargs["baudrate"] = _GRAMMAR.integer(url, "baud", options["baud"], minimum=1)
    if "bytesize" in options:
        kwargs["bytesize"] = _GRAMMAR.integer(url, "bytesize", options["bytesize"], minimum=5, maximum=8)
    if "parity" in options:
        parity = options["parity"].upper()
        if parity not in ("N", "E", "O", "M", "S"):
            raise _GRAMMAR.error(url, f"option parity={options['parity']!r} must be one of N, E, O, M, S")
        kwargs["parity"] = parity
    if "stopbits" in options:
        stopbits = {"1": 1, "1.5": 1.5, "2": 2}.get(options["stopbits"])
        if stopbits is None:
            raise _GRAMMAR.error(url, f"option stopbits={options['stopbits']!r} must be 1, 1.5 or 2")
        kwargs["stopbits"] = stopbits
    for flag in ("xonxoff", "rtscts", "dsrdtr"):
        if flag in options:
            kwargs[flag] = _GRAMMAR.boolean(url, flag, options[flag])
    return port, kwargs


def _open_port(url: str, timeout: float | None) -> Any:
    port, kwargs = parse_url(url)
    try:
        return serial.serial_for_url(port, timeout=timeout, write_timeout=None, **kwargs)
    except ValueError as error:  # unknown pyserial URL scheme or bad setting
        raise _GRAMMAR.error(url, f"pyserial rejected {port!r}: {error}") from None
    except serial.SerialException as error:
        raise TransportError(
            f"cannot open serial port {port!r} for {url}: {error}; check the path exists, "
            f"is not in use, and that this user may open it (group dialout)"
        ) from None


class _SerialChannel(Channel):
    def __init__(self, link: SerialLink) -> None:
        self.name = link.url
        self._link = link

    def write(self, data: bytes) -> None:
        self._link._write(bytes(data))

    def close(self) -> None:
        self._link.close()


class SerialLink(EventSource):
    """A serial port serving one device; see the module docstring.

    Attributes:
        port: The pyserial port object (for settings and, on real ports, modem lines).
    """

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.port = _open_port(url, _POLL)
        self._lock = threading.Lock()
        self._closed = False
        self._stop = threading.Event()
        self._session: Session | None = None
        self._thread: threading.Thread | None = None
        self.channel = _SerialChannel(self)

    def describe(self) -> str:
        """Which port the POS must be wired to."""
        return f"serial port {self.port.port} at {self.port.baudrate} baud ({self.url})"

    def attach(self, factory: ProtocolFactory) -> None:
        """Start the reader thread feeding ``factory()``."""
        with self._lock:
            self._session = line_session(
                self.url,
                closed=self._closed,
                current=self._session,
                factory=factory,
                channel=self.channel,
                on_error=lambda exc: self.emit("link.error", self.channel.name, error=repr(exc)),
            )
        self._session.start()
        self._thread = start_daemon(f"serial-reader {self.url}", self._read_loop)

    def _read_loop(self) -> None:
        assert self._session is not None
        error: BaseException | None = None
        try:
            while not self._stop.is_set():
                data = self.port.read(max(1, min(4096, self.port.in_waiting)))
                if data and not self._session.feed(bytes(data)):
                    break
        except (OSError, serial.SerialException) as exc:
            if not self._stop.is_set():
                error = exc
        self._session.end(error)

    def _write(self, data: bytes) -> None:
        if self._closed:
            raise TransportError(f"{self.url} is closed")
        try:
            self.port.write(data)
        except (OSError, serial.SerialException) as error:
            raise TransportError(f"writing to {self.url} failed: {error}") from None

    def close(self) -> None:
        """Stop the reader, end the session and close the port; idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5.0)
        if self._session is not None:
            self._session.end(None)
        if thread is None or thread is not threading.current_thread():
            self.port.close()
        else:
            start_daemon("serial-close", self._close_port_later)

    def _close_port_later(self) -> None:
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        self.port.close()


class SerialConnection(HostConnection):
    """The POS end of a serial line (a pty slave, an adapter, a pyserial URL)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.port = _open_port(url, 0)
        self._timeout: float | None = 0
        self._closed = False

    def write(self, data: bytes) -> None:
        """Write all of ``data`` to the port."""
        if self._closed:
            raise TransportError(f"{self.url} is closed")
        try:
            self.port.write(bytes(data))
            self.port.flush()
        except (OSError, serial.SerialException) as error:
            raise TransportError(f"writing to {self.url} failed: {error}") from None

    def read(self, size: int, timeout: float) -> bytes:
        """Up to ``size`` bytes; waits at most ``timeout`` seconds for the first; ``b""`` on timeout."""
        if self._closed:
            raise TransportError(f"{self.url} is closed")
        try:
            self._set_timeout(max(0.0, timeout))
            first = bytes(self.port.read(1))
            if not first or size <= 1:
                return first
            self._set_timeout(0)
            return first + bytes(self.port.read(min(size - 1, self.port.in_waiting)))
        except (OSError, serial.SerialException) as error:
            raise TransportError(f"reading from {self.url} failed: {error}") from None

    def _set_timeout(self, timeout: float) -> None:
        if self._timeout != timeout:
            self.port.timeout = timeout
            self._timeout = timeout

    def close(self) -> None:
        """Close the port; idempotent."""
        if not self._closed:
            self._closed = True
            self.port.close()


def open_link(url: str) -> SerialLink:
    """Serve a device on a serial port (see the module docstring for the URL format)."""
    return SerialLink(url)


def connect(url: str, timeout: float = 5.0) -> SerialConnection:
    """Open a serial port as the POS (``timeout`` is unused: opening a port does not wait)."""
    return SerialConnection(url)
