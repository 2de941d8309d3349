"""Start the reference till's upper-tester server as a child process, and stop it.

:class:`SpawnedServer` runs ``python -m harness.upper_tester`` (``kassakontroll till
serve``) with the options given, reads the first line of its standard output --
``listening on http://HOST:PORT`` -- for the address (so ``--listen 127.0.0.1:0`` works)
and keeps reading the rest in the background so the child never blocks on a full pipe.
The child is started with ``--stop-on-stdin-eof``: if this process dies without
stopping it, the child sees its standard input close and stops too.
"""

from __future__ import annotations

import collections
import contextlib
import queue
import re
import shlex
import subprocess
import sys
import threading
from typing import IO

from harness.targets.base import TargetError
from harness.upper_tester.processes import child_env

__all__ = ["SpawnedServer"]

_LISTENING = re.compile(r"^listening on (http://\S+)\s*$")


class SpawnedServer:
    """The reference server in a child process (see module doc).

    Args:
        options: ``till serve`` options (``--listen``, ``--printer K1=…`` …).
        start_timeout: Seconds to wait for the ``listening on`` line.

    Raises:
        TargetError: The server did not start; the message has its exit code and last messages.
    """

    def __init__(self, options: list[str], *, start_timeout: float = 60.0) -> None:
        self.command = [sys.executable, "-m", "harness.upper_tester", *options, "--stop-on-stdin-eof"]
        self.tail: collections.deque[str] = collections.deque(maxlen=30)
        self._lines: queue.Queue[str | None] = queue.Queue()
        self.process = subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_env(),
            text=True,
            encoding="utf-8",
            errors="replace",
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self._readers = [
            threading.Thread(target=self._read, args=(self.process.stdout, True), daemon=True, name="server-stdout"),
            threading.Thread(target=self._read, args=(self.process.stderr, False), daemon=True, name="server-stderr"),
        ]
        for reader in self._readers:
            reader.start()
        try:
            self.url = self._wait_for_address(start_timeout)
        except BaseException:
            self.stop()
            raise

    def _read(self, stream: IO[str], announce: bool) -> None:
        for line in stream:
            self.tail.append(line.rstrip("\n"))
            if announce:
                self._lines.put(line)
        if announce:
            self._lines.put(None)

    def _wait_for_address(self, timeout: float) -> str:
        try:
            first = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise TargetError(
                f"the reference till's server printed no address within {timeout:g} s; {self._story()}"
            ) from None
        if first is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5.0)
            for reader in self._readers:
                reader.join(timeout=1.0)
            raise TargetError(
                f"the reference till's server did not start (exit code {self.process.poll()}); {self._story()}"
            )
        match = _LISTENING.match(first)
        if match is None:
            raise TargetError(f"the reference till's server began with {first.strip()!r}, not 'listening on http://…'")
        return match.group(1)

    def _story(self) -> str:
        last = " | ".join(self.tail) or "(it printed nothing)"
        return f"its last messages: {last}; command: {shlex.join(self.command)}"

    @property
    def pid(self) -> int:
        """The server's process id."""
        return self.process.pid

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the server to stop (its standard input closes), then terminate or kill it; idempotent."""
        process = self.process
        if process.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                assert process.stdin is not None
                process.stdin.close()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.terminate()
                try:
                    process.wait(timeout=5.0)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        for reader in self._readers:
            reader.join(timeout=2.0)
        for stream in (process.stdin, process.stdout, process.stderr):
            if stream is not None:
                with contextlib.suppress(OSError, ValueError):
                    stream.close()
