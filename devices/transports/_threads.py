"""Thread helpers for transports: daemon threads and a waker for prompt shutdown.

Reader threads block in ``select`` on their file descriptor plus a :class:`Waker`;
closing a link wakes them at once instead of waiting for a poll interval.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

__all__ = ["Waker", "start_daemon"]


def start_daemon(name: str, target: Callable[[], None]) -> threading.Thread:
    """Start ``target`` on a daemon thread named ``name``."""
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


class Waker:
    """A pipe whose read end becomes readable once :meth:`wake` is called."""

    def __init__(self) -> None:
        self._read_fd, self._write_fd = os.pipe()
        self._lock = threading.Lock()
        self._woken = False
        self._closed = False

    def fileno(self) -> int:
        """The read end, for ``select``."""
        return self._read_fd

    def wake(self) -> None:
        """Make :meth:`fileno` readable (idempotent)."""
        with self._lock:
            if self._woken or self._closed:
                return
            self._woken = True
            os.write(self._write_fd, b"x")

    def close(self) -> None:
        """Release both pipe ends; idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            os.close(self._read_fd)
            os.close(self._write_fd)
