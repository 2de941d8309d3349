"""A thread-safe byte buffer with blocking reads and an end-of-stream mark.

Used where bytes cross threads inside the process: the host end of ``loop://`` and the
bulk IN endpoint of the emulated USB printer.
"""

from __future__ import annotations

import threading
import time

__all__ = ["ByteQueue"]


class ByteQueue:
    """Bytes written by one side, read in arbitrary chunks by the other."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._cond = threading.Condition()
        self._closed = False

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called (buffered bytes can still be read)."""
        with self._cond:
            return self._closed

    def put(self, data: bytes) -> bool:
        """Append ``data``; returns False (and drops it) when the queue is closed."""
        with self._cond:
            if self._closed:
                return False
            self._data += data
            self._cond.notify_all()
            return True

    def get(self, size: int, timeout: float) -> bytes | None:
        """Take up to ``size`` bytes, waiting at most ``timeout`` seconds for the first.

        Returns:
            The bytes; ``b""`` on timeout; ``None`` when the queue is closed and empty.
        """
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cond:
            while not self._data:
                if self._closed:
                    return None
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return b""
                self._cond.wait(remaining)
            chunk = bytes(self._data[:size])
            del self._data[:size]
            return chunk

    def close(self) -> None:
        """Mark the end of the stream and wake readers."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
