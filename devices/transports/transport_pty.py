r"""Pseudo-terminal link: the harness plays a serial device on a pty the POS opens.

``os.openpty()`` gives a master (kept by the harness) and a slave whose path
(``/dev/pts/N``, :attr:`PtyLink.slave_path`) a POS opens as its serial port. Facts this
implements (devices.md §2.1, checked by experiment):

* the slave is put in raw mode (``tty.setraw``) so ``\n`` is not turned into ``\r\n``;
* the link keeps its own slave fd open for its lifetime, otherwise reading the master
  raises EIO whenever no POS has the port open;
* the speed the POS set on the slave is readable from the master's termios
  (:meth:`PtyLink.pos_settings`); with ``baud=`` given, a different speed is reported as a
  ``link.warning`` event (recorded by the tap); ptys enforce neither speed nor parity;
* ptys have no modem lines (DTR/DSR/RTS/CTS): flow control cannot be emulated here.

One channel for the link's lifetime (a serial line has no connections): the device gets
``connection_made`` on :meth:`~PtyLink.attach` and ``connection_lost`` on close.

URL format: ``pty://[?link=PATH&baud=N]``

* ``link=PATH``: also create a symlink ``PATH`` → the slave (a stable name to configure in
  the POS); an existing symlink there is replaced; removed on close.
* ``baud=N``: the speed the POS is expected to use; a mismatch is reported.

An open link's :attr:`~PtyLink.url` names its slave, ``pty:///dev/pts/N``, so evidence
from two pty links can be told apart (like ``tcp://…:0`` becoming the real port). That
form is a name, not something to open again.
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import termios
import threading
import tty
from dataclasses import dataclass
from urllib.parse import quote

from devices.link import Channel, ProtocolFactory, TransportError
from devices.transports._events import EventSource
from devices.transports._session import Session, line_session
from devices.transports._threads import Waker, start_daemon
from devices.transports._urls import UrlGrammar

__all__ = ["URL_FORMAT", "PosSettings", "PtyLink", "is_usable", "open_link"]

URL_FORMAT = "pty://[?link=PATH&baud=N]  (link: symlink to the slave; baud: expected POS speed)"
_GRAMMAR = UrlGrammar("pty", URL_FORMAT)
_SPEEDS = (50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400)
_BAUD_BY_CONSTANT = {getattr(termios, f"B{n}"): n for n in _SPEEDS if hasattr(termios, f"B{n}")}


def is_usable() -> bool:
    """Pseudo-terminals exist on POSIX systems only."""
    return sys.platform != "win32" and hasattr(os, "openpty")


@dataclass(frozen=True)
class PosSettings:
    """The line settings the POS applied to the slave (read from the master's termios).

    The Linux pty driver forces 8 data bits and no parity on every ``tcsetattr``, so
    ``bytesize`` and ``parity`` always read ``8``/``"N"``; speed, stop bits and the
    flow-control flags are what the POS asked for (devices.md §2.1).

    Attributes:
        baud: Output speed in baud (``None`` if not a standard rate).
        bytesize: Data bits (5-8).
        parity: ``"N"``, ``"E"`` or ``"O"``.
        stopbits: 1 or 2.
        xonxoff: Software flow control enabled (IXON).
        rtscts: Hardware flow control requested (CRTSCTS; not emulated by ptys).
    """

    baud: int | None
    bytesize: int
    parity: str
    stopbits: int
    xonxoff: bool
    rtscts: bool


def read_settings(fd: int) -> PosSettings:
    """Decode the termios of ``fd`` (the master reflects what the POS set on the slave)."""
    iflag, _oflag, cflag, _lflag, _ispeed, ospeed, _cc = termios.tcgetattr(fd)
    size = {termios.CS5: 5, termios.CS6: 6, termios.CS7: 7, termios.CS8: 8}[cflag & termios.CSIZE]
    parity = "N" if not cflag & termios.PARENB else ("O" if cflag & termios.PARODD else "E")
    rtscts = bool(cflag & getattr(termios, "CRTSCTS", 0))
    return PosSettings(
        baud=_BAUD_BY_CONSTANT.get(ospeed),
        bytesize=size,
        parity=parity,
        stopbits=2 if cflag & termios.CSTOPB else 1,
        xonxoff=bool(iflag & termios.IXON),
        rtscts=rtscts,
    )


class _PtyChannel(Channel):
    def __init__(self, link: PtyLink) -> None:
        self.name = f"pty:{link.slave_path}"
        self._link = link

    def write(self, data: bytes) -> None:
        self._link._write(bytes(data))

    def close(self) -> None:
        self._link.close()


class PtyLink(EventSource):
    """A pseudo-terminal serving one device; see the module docstring.

    Attributes:
        slave_path: The device path a POS opens (``/dev/pts/N``).
        symlink: The stable symlink created for ``link=PATH``, if any.
        expected_baud: The ``baud=`` option, if given.
    """

    def __init__(self, url: str, *, symlink: str | None, baud: int | None) -> None:
        super().__init__()
        self.url = url
        self.expected_baud = baud
        self._master, self._slave = os.openpty()
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._closed = False
        self._thread: threading.Thread | None = None
        self._session: Session | None = None
        self._warned_baud: int | None = None
        self.symlink: str | None = None
        self._waker = Waker()
        try:
            tty.setraw(self._slave)  # devices.md §2.1: no \n → \r\n post-processing
            self.slave_path = os.ttyname(self._slave)
            if symlink is not None:
                self._make_symlink(symlink)
        except BaseException:
            self._release()
            raise
        # The normalised URL names the slave (see the module docstring).
        self.url = f"pty://{self.slave_path}"
        self.channel = _PtyChannel(self)

    def _make_symlink(self, path: str) -> None:
        if os.path.lexists(path):
            if not os.path.islink(path):
                raise TransportError(f"cannot create the pty symlink {path!r}: a file is in the way; remove it")
            os.unlink(path)
        try:
            os.symlink(self.slave_path, path)
        except OSError as error:
            raise TransportError(f"cannot create the pty symlink {path!r}: {error}; check the folder exists") from None
        self.symlink = path

    def describe(self) -> str:
        """Which device path a POS should open."""
        where = self.symlink or self.slave_path
        speed = f" at {self.expected_baud} baud" if self.expected_baud else ""
        return f"serial port {where}{speed} (pty; a POS opens it like /dev/ttyS0)"

    def pos_settings(self) -> PosSettings:
        """The line settings the POS has applied to the slave."""
        with self._lock:
            if self._closed:
                raise TransportError(f"{self.url} is closed")
            return read_settings(self._master)

    def attach(self, factory: ProtocolFactory) -> None:
        """Start serving: ``factory()`` gets every byte the POS writes to the slave."""
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
        self._thread = start_daemon(f"pty-reader {self.slave_path}", self._read_loop)

    def _read_loop(self) -> None:
        assert self._session is not None
        error: BaseException | None = None
        try:
            while True:
                ready, _, _ = select.select([self._master, self._waker.fileno()], [], [])
                if self._waker.fileno() in ready:
                    break
                data = os.read(self._master, 4096)
                if not data:
                    break
                self._check_baud()
                if not self._session.feed(data):
                    break
        except OSError as exc:
            error = exc
        self._session.end(error)

    def _check_baud(self) -> None:
        if self.expected_baud is None:
            return
        baud = read_settings(self._master).baud
        if baud != self.expected_baud and baud != self._warned_baud:
            self._warned_baud = baud
            self.emit(
                "link.warning",
                self.channel.name,
                problem="baud_mismatch",
                expected_baud=self.expected_baud,
                pos_baud=baud,
                message=f"the POS opened {self.slave_path} at {baud} baud but the link expects "
                f"{self.expected_baud}; a real printer would print garbage (devices.md §2.1)",
            )

    def _write(self, data: bytes) -> None:
        with self._write_lock:
            if self._closed:
                raise TransportError(f"{self.url} is closed")
            view = memoryview(data)
            while view:
                written = os.write(self._master, view)
                view = view[written:]

    def close(self) -> None:
        """Stop the reader, end the device's session, close the pty and remove the symlink."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        thread = self._thread
        if thread is threading.current_thread():
            # The device closed its channel from inside data_received: finish on another thread.
            start_daemon("pty-close", self._finish_close)
            return
        self._finish_close()

    def _finish_close(self) -> None:
        self._waker.wake()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
        if self._session is not None:
            self._session.end(None)
        with self._write_lock:
            self._release()

    def _release(self) -> None:
        if self.symlink is not None:
            try:
                if os.readlink(self.symlink) == self.slave_path:
                    os.unlink(self.symlink)
            except OSError:
                pass
            self.symlink = None
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._waker.close()


def open_link(url: str) -> PtyLink:
    """Create a pseudo-terminal link (see the module docstring for the URL format)."""
    body, options = _GRAMMAR.split(url)
    if body:
        raise _GRAMMAR.error(url, f"pty:// takes no path ({body!r}); the slave path is chosen by the system")
    _GRAMMAR.check_known(url, options, ("link", "baud"))
    baud = _GRAMMAR.integer(url, "baud", options["baud"], minimum=1) if "baud" in options else None
    symlink = options.get("link")
    if symlink is not None and not symlink:
        raise _GRAMMAR.error(url, "option link= needs a PATH")
    query = "&".join(f"{k}={quote(v, safe='/')}" for k, v in sorted(options.items()))
    return PtyLink(f"pty://?{query}" if query else "pty://", symlink=symlink, baud=baud)
