"""The technician's console: prompts written to, and answers read from, a terminal.

The ``manual://`` target (:mod:`harness.targets.manual`) talks to the lab technician on
a pair of streams -- by default the process's controlling terminal ``/dev/tty``, which
pytest's output capture does not touch, or any terminal named by path (``/dev/pts/N``).
Answers are read line by line at the file-descriptor level, so a per-prompt timeout works
with :func:`select.select`; on a terminal, input typed before a prompt appeared (a second
Enter) is discarded so it cannot answer a prompt the technician has not read.
"""

from __future__ import annotations

import contextlib
import os
import select
import termios
from typing import IO, Any

from harness.targets.base import TargetError

__all__ = ["Console", "NoAnswer"]


class NoAnswer(TargetError):
    """Nobody answered a prompt: the timeout passed or the terminal closed.

    Attributes:
        why: ``timeout`` or ``closed``.
    """

    def __init__(self, why: str, message: str) -> None:
        self.why = why
        super().__init__(message)


def _fd(stream: IO[Any] | int) -> int:
    return stream if isinstance(stream, int) else stream.fileno()


class Console:
    """Prompts and answers on a stream pair.

    Args:
        reader: Where answers come from: a file object with a ``fileno()`` or a descriptor.
        writer: Where prompts go (may be the same terminal as ``reader``).
        timeout: Seconds to wait for each answer; None waits for ever.
        name: The terminal's name for messages (its path).
        owned: Descriptors this console opened and closes on :meth:`close`.
    """

    def __init__(
        self,
        reader: IO[Any] | int,
        writer: IO[Any] | int,
        *,
        timeout: float | None = None,
        name: str = "",
        owned: tuple[int, ...] = (),
    ) -> None:
        self._in, self._out = _fd(reader), _fd(writer)
        self.timeout = timeout
        self.name = name or f"fd {self._in}"
        self._owned = owned
        self._pending = b""

    @classmethod
    def open_tty(cls, path: str = "/dev/tty", *, timeout: float | None = None) -> Console:
        """A console on the terminal at ``path`` (read and written).

        Raises:
            TargetError: The terminal cannot be opened; the message says what to give instead.
        """
        try:
            fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        except OSError as exc:
            hint = (
                "this process has no controlling terminal (CI, a service, nohup?); run it from a terminal "
                "or name one with manual://?tty=/dev/pts/N"
                if path == "/dev/tty"
                else "check the path (see `tty` in the technician's shell) and that this user may open it"
            )
            raise TargetError(
                f"cannot open the terminal {path} to prompt the technician: {exc.strerror}; {hint}"
            ) from exc
        return cls(fd, fd, timeout=timeout, name=path, owned=(fd,))

    def say(self, text: str) -> None:
        """Write ``text`` and a line break."""
        self._write(text + "\n")

    def ask(self, text: str) -> str:
        """Show ``text`` (the prompt, without a line break) and return the line typed, without its end.

        Raises:
            NoAnswer: No answer within :attr:`timeout`, or the terminal closed.
        """
        self._discard_typeahead()
        self._write(text)
        line = self._read_line()
        return line.rstrip("\r\n")

    def close(self) -> None:
        """Close the descriptors this console opened; idempotent."""
        owned, self._owned = self._owned, ()
        for fd in dict.fromkeys(owned):
            with contextlib.suppress(OSError):
                os.close(fd)

    # --- internals
    def _write(self, text: str) -> None:
        data = text.encode("utf-8")
        try:
            while data:
                data = data[os.write(self._out, data) :]
        except OSError as exc:
            raise NoAnswer("closed", f"cannot write to the technician's terminal {self.name}: {exc.strerror}") from exc

    def _discard_typeahead(self) -> None:
        """On a terminal, drop keys pressed before the prompt; a pipe or file holds scripted answers, kept."""
        if os.isatty(self._in):
            self._pending = b""
            with contextlib.suppress(termios.error):
                termios.tcflush(self._in, termios.TCIFLUSH)

    def _read_line(self) -> str:
        while b"\n" not in self._pending:
            try:
                ready, _, _ = select.select([self._in], [], [], self.timeout)
            except (OSError, ValueError) as exc:
                raise NoAnswer("closed", f"the technician's terminal {self.name} is closed ({exc})") from exc
            if not ready:
                raise NoAnswer(
                    "timeout",
                    f"no answer on {self.name} within {self.timeout:g} s; answer the prompt sooner, raise "
                    f"timeout=SECONDS in the manual:// URL, or leave timeout out to wait for ever",
                )
            try:
                chunk = os.read(self._in, 4096)
            except OSError:
                chunk = b""  # EIO: the other side of a pseudo-terminal went away
            if not chunk:
                raise NoAnswer("closed", f"the technician's terminal {self.name} closed: nobody can answer the prompts")
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return line.decode("utf-8", errors="replace")
