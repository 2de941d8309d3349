"""A scripted lab technician at the other end of a real pseudo-terminal (for the ``manual://`` tests).

The harness's ``manual://`` target prompts on the pty's slave (``tty=/dev/pts/N``); the
technician reads what appears on the master side and types answers there, exactly as a
person at a terminal would (the line discipline echoes them back, as on any terminal).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time


class Technician:
    """Reads the prompts on a pty's master and types answers into it."""

    def __init__(self) -> None:
        self.master, self._slave = os.openpty()
        self.tty = os.ttyname(self._slave)
        self._text = ""
        self._seen = 0
        self._changed = threading.Condition()
        self._closed = False
        self._reader = threading.Thread(target=self._read, name="technician-reads", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                chunk = b""
            with self._changed:
                if not chunk:
                    self._closed = True
                    self._changed.notify_all()
                    return
                self._text += chunk.decode("utf-8", errors="replace").replace("\r\n", "\n")
                self._changed.notify_all()

    @property
    def screen(self) -> str:
        """Everything shown on the terminal so far."""
        with self._changed:
            return self._text

    def wait_for(self, words: str, timeout: float = 10.0) -> str:
        """Wait until ``words`` appear anywhere on the screen; return the screen."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while words not in self._text:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    raise TimeoutError(f"{words!r} did not appear within {timeout} s; the screen shows:\n{self._text}")
                self._changed.wait(remaining)
            return self._text

    def next_prompt(self, timeout: float = 30.0) -> str:
        """Wait for the next prompt (text ending in ``> ``); return what was shown since the last one."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while (end := self._text.find("> ", self._seen)) < 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    raise TimeoutError(f"no prompt within {timeout} s; the screen shows:\n{self._text[self._seen :]}")
                self._changed.wait(remaining)
            shown, self._seen = self._text[self._seen : end + 2], end + 2
            return shown

    def type(self, line: str) -> None:
        """Type ``line`` and press Enter."""
        os.write(self.master, line.encode("utf-8") + b"\n")

    def answer(self, *answers: tuple[str, str], timeout: float = 30.0) -> threading.Thread:
        """In a thread: for each ``(words, reply)``, wait for a prompt showing ``words`` and type ``reply``."""
        failures: list[BaseException] = []

        def run() -> None:
            try:
                for words, reply in answers:
                    shown = self.next_prompt(timeout)
                    assert words in shown, f"expected a prompt about {words!r}, got:\n{shown}"
                    self.type(reply)
            except BaseException as exc:  # reported by join_answers
                failures.append(exc)

        thread = threading.Thread(target=run, name="technician-answers", daemon=True)
        thread.failures = failures  # type: ignore[attr-defined]
        thread.start()
        return thread

    def close(self) -> None:
        """Hang up the terminal (after whoever prompts on it has closed it: the reader then sees EIO)."""
        with contextlib.suppress(OSError):
            os.close(self._slave)
        self._reader.join(timeout=5)
        with contextlib.suppress(OSError):
            os.close(self.master)


def join_answers(thread: threading.Thread, timeout: float = 30.0) -> None:
    """Wait for a scripted technician; re-raise what went wrong in it."""
    thread.join(timeout)
    assert not thread.is_alive(), "the technician is still waiting for a prompt"
    failures: list[BaseException] = thread.failures  # type: ignore[attr-defined]
    if failures:
        raise failures[0]
