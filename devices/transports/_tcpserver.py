"""The threaded TCP listener shared by ``tcp://`` and ``tcp-proxy://``.

Like a network printer's raw port 9100 (devices.md §2.3): several simultaneous
connections, each on its own thread with its own handler, replies on the same socket;
connections beyond ``max_sessions`` are reset (TCP RST, as Star's NICs do); an optional
idle timeout ends a session the POS left silent (Star "data reception timeout").
Each socket has one owner thread that closes it; :meth:`TcpServer.close` wakes and joins
every thread, so nothing is left open (and no ResourceWarning is raised).
"""

from __future__ import annotations

import contextlib
import itertools
import select
import socket
import struct
import threading
from collections.abc import Callable
from typing import Any, Protocol

from devices.link import Channel, TransportError
from devices.transports._threads import Waker, start_daemon

__all__ = ["ConnectionHandler", "TcpChannel", "TcpServer"]


class ConnectionHandler(Protocol):
    """What the server drives for one accepted connection."""

    def opened(self) -> bool:
        """The connection started; False ends it."""

    def received(self, data: bytes) -> bool:
        """Bytes from the POS; False ends the connection."""

    def closed(self, exc: BaseException | None) -> None:
        """The connection ended (called once, before the socket is closed)."""


class TcpChannel(Channel):
    """One accepted connection; the device's replies go back on its socket."""

    def __init__(self, sock: socket.socket, name: str, peer: str) -> None:
        self.name = name
        self.peer = peer
        self.sock = sock
        self._lock = threading.Lock()
        self._closed = False

    def write(self, data: bytes) -> None:
        """Send ``data`` to the POS.

        Raises:
            TransportError: The connection is closed or broken.
        """
        with self._lock:
            if self._closed:
                raise TransportError(f"{self.name} is closed; the POS hung up or the link was closed")
            try:
                self.sock.sendall(data)
            except OSError as error:
                raise TransportError(f"sending on {self.name} failed: {error}") from None

    def close(self) -> None:
        """Hang up: the reading thread then ends the session and closes the socket."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            with contextlib.suppress(OSError):  # already disconnected
                self.sock.shutdown(socket.SHUT_RDWR)

    def _release(self) -> None:
        with self._lock:
            self._closed = True
            self.sock.close()


class TcpServer:
    """A listening socket plus one thread per connection.

    Args:
        host: Address to bind (``127.0.0.1``, ``0.0.0.0``, ``::1``).
        port: Port to bind; 0 picks an ephemeral port (see :attr:`port`).
        scheme: URL scheme used in names (``tcp``, ``tcp-proxy``).
        max_sessions: Connections served at once; more are reset. ``None``: no limit.
        idle_timeout: Seconds without data from the POS after which a connection is closed.
        emit: Reports transport events (``link.refused``, ``link.idle``).

    Raises:
        TransportError: The address cannot be bound.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        scheme: str,
        max_sessions: int | None,
        idle_timeout: float | None,
        emit: Callable[..., None],
    ) -> None:
        self.max_sessions = max_sessions
        self.idle_timeout = idle_timeout
        self._emit = emit
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._listener.bind((host, port))
            self._listener.listen(16)
        except OSError as error:
            self._listener.close()
            raise TransportError(
                f"cannot listen on {host}:{port}: {error}; pick a free port (0 = any) or stop what uses it"
            ) from None
        self.host = host
        self.port = int(self._listener.getsockname()[1])
        shown = f"[{host}]" if ":" in host else host
        self.url_base = f"{scheme}://{shown}:{self.port}"
        self._waker = Waker()
        self._lock = threading.Lock()
        self._channels: dict[TcpChannel, threading.Thread] = {}
        self._numbers = itertools.count(1)
        self._closed = False
        self._accept_thread: threading.Thread | None = None
        self._make_handler: Callable[[TcpChannel], ConnectionHandler] | None = None

    def start(self, make_handler: Callable[[TcpChannel], ConnectionHandler]) -> None:
        """Start accepting; ``make_handler(channel)`` is called on the connection's thread."""
        with self._lock:
            if self._closed:
                raise TransportError(f"{self.url_base} is closed; open a new link")
            if self._make_handler is not None:
                raise TransportError(f"{self.url_base} is already serving a device; attach once")
            self._make_handler = make_handler
        self._accept_thread = start_daemon(f"accept {self.url_base}", self._accept_loop)

    def _accept_loop(self) -> None:
        while True:
            ready, _, _ = select.select([self._listener.fileno(), self._waker.fileno()], [], [])
            if self._waker.fileno() in ready:
                return
            try:
                sock, address = self._listener.accept()
            except OSError:
                continue  # the client gave up between select and accept
            self._admit(sock, address)

    def _admit(self, sock: socket.socket, address: Any) -> None:
        peer = f"{address[0]}:{address[1]}"
        with self._lock:
            full = self.max_sessions is not None and len(self._channels) >= self.max_sessions
            if self._closed or full:
                # SO_LINGER 0 makes close() send RST: "excess connections get TCP RST" (devices.md §2.3)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                sock.close()
                if full:
                    self._emit("link.refused", "", peer=peer, max_sessions=self.max_sessions)
                return
            # a printer's replies are small writes (a status byte, then an answer): with Nagle's algorithm
            # the second waits for the POS's delayed ACK of the first, 40 ms on Linux; a network
            # printer's card does not make the POS wait, and neither does the emulator
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            channel = TcpChannel(sock, f"{self.url_base}#{next(self._numbers)} from {peer}", peer)
            thread = threading.Thread(target=self._serve, args=(channel,), name=channel.name, daemon=True)
            self._channels[channel] = thread
        thread.start()

    def _serve(self, channel: TcpChannel) -> None:
        assert self._make_handler is not None
        error: BaseException | None = None
        handler: ConnectionHandler | None = None
        try:
            handler = self._make_handler(channel)
            if handler.opened():
                while True:
                    ready, _, _ = select.select([channel.sock], [], [], self.idle_timeout)
                    if not ready:
                        self._emit("link.idle", channel.name, idle_timeout=self.idle_timeout)
                        break
                    data = channel.sock.recv(65536)
                    if not data or not handler.received(data):
                        break
        except OSError as exc:
            if not self._closed:
                error = exc
        finally:
            try:
                if handler is not None:
                    handler.closed(error)
            finally:
                channel.close()
                channel._release()
                with self._lock:
                    self._channels.pop(channel, None)

    def close(self) -> None:
        """Stop accepting, hang up every connection and wait for the threads; idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            channels = dict(self._channels)
        self._waker.wake()
        if self._accept_thread is not None:
            self._accept_thread.join(timeout=5.0)
        self._listener.close()
        current = threading.current_thread()
        for channel, thread in channels.items():
            channel.close()
            if thread is not current:
                thread.join(timeout=5.0)
        self._waker.close()
