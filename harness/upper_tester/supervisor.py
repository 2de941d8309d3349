"""The till process and its keeper: sessions, verbs, exports and a real kill-and-restart.

:class:`Supervisor` runs the reference till in a child process
(:mod:`harness.upper_tester.worker`) and talks to it over a pipe, one JSON line each way.
It owns the sessions' journals (one folder per session under a temporary directory) and
remembers the till's clock from every answer, so that after
:meth:`Supervisor.kill_and_restart` -- ``SIGKILL`` to the till's process, whatever it is
doing, then a new process on the same journal -- the till goes on at the time it had
reached and never goes back. The new till recovers from the journal alone
(:mod:`reference_till.till_recovery`): a sale that was open is cancelled as an *avbrote
sal*. The journal stays consistent because the till commits every state change durably
(SQLite WAL, ``synchronous=FULL``) before it acts on it.

A spare process is kept started (Python and the till's modules imported, nothing opened)
so a kill-and-restart costs one journal opening, not an interpreter start.
"""

from __future__ import annotations

import collections
import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from harness.upper_tester.processes import child_env

__all__ = ["ExportFile", "Supervisor", "TillUnavailable", "WorkerAnswer"]

#: The reference till's time zone (named here so the server process need not import the till).
_OSLO = ZoneInfo("Europe/Oslo")
_START_OF_DAY = time(8, 0)


class TillUnavailable(Exception):
    """The till's process cannot serve (it could not start, or died); the message says why."""


@dataclass(frozen=True, slots=True)
class WorkerAnswer:
    """One answer of the till's process: exactly one of the members is set.

    Attributes:
        ok: The result members (accepted).
        refused: ``{"reason", "rule"}`` (the till refused).
        unsupported: Why the till has no such function.
        bad: What is wrong with the request.
        error: An unexpected failure in the till's process.
    """

    ok: dict[str, Any] | None = None
    refused: dict[str, str] | None = None
    unsupported: str | None = None
    bad: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ExportFile:
    """A journal export: its file name and content."""

    name: str
    data: bytes


def _day_start(day: date) -> str:
    """A session's clock start: 08:00 in Oslo on ``day`` (as ``reference://``)."""
    return datetime.combine(day, _START_OF_DAY, _OSLO).isoformat()


class _Process:
    """One worker process with its pipes; stderr is passed on and its tail kept for messages."""

    def __init__(self, env: dict[str, str]) -> None:
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "harness.upper_tester.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
            encoding="utf-8",
        )
        self.tail: collections.deque[str] = collections.deque(maxlen=20)
        self._stderr = threading.Thread(target=self._pass_on, name=f"till-{self.popen.pid}-stderr", daemon=True)
        self._stderr.start()

    @property
    def pid(self) -> int:
        return self.popen.pid

    def _pass_on(self) -> None:
        stream = self.popen.stderr
        assert stream is not None
        for line in stream:
            self.tail.append(line.rstrip("\n"))
            sys.stderr.write(f"[till {self.popen.pid}] {line}")
            sys.stderr.flush()

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send one request and wait for its answer.

        Raises:
            TillUnavailable: The process has gone (killed, or it crashed).
        """
        stdin, stdout = self.popen.stdin, self.popen.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
            stdin.flush()
            line = stdout.readline()
        except (BrokenPipeError, ValueError, OSError):
            line = ""
        if not line:
            why = self.ended()
            self._close_pipes()
            raise TillUnavailable(why)
        answer = json.loads(line)
        if not isinstance(answer, dict):
            raise TillUnavailable(f"the till's process (pid {self.pid}) answered {line!r}, not a JSON object")
        return answer

    def ended(self) -> str:
        """Why the process is gone, with its last messages."""
        try:
            code = self.popen.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            code = None
        self._stderr.join(timeout=1.0)
        last = " | ".join(self.tail) or "(it printed nothing)"
        return (
            f"the till's process (pid {self.pid}) ended unexpectedly with exit code {code}; its last messages: {last}"
        )

    def kill(self) -> None:
        """SIGKILL, no questions asked, and reap."""
        with contextlib.suppress(ProcessLookupError):
            self.popen.kill()
        self.popen.wait()
        self._close_pipes()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the process to close the till and exit (end of its input); kill it if it does not."""
        if self.popen.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                assert self.popen.stdin is not None
                self.popen.stdin.close()
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._close_pipes()

    def _close_pipes(self) -> None:
        for stream in (self.popen.stdin, self.popen.stdout):
            if stream is not None:
                with contextlib.suppress(OSError, ValueError):
                    stream.close()
        self._stderr.join(timeout=1.0)
        if self.popen.stderr is not None:
            with contextlib.suppress(OSError, ValueError):
                self.popen.stderr.close()


class Supervisor:
    """Keeps the reference till in a child process (see module doc).

    Args:
        devices: Device URLs per kassapunkt as the POS opens them:
            ``{"K1": {"printer": "tcp://127.0.0.1:9100", "drawer": "printer", "terminal": "http://…/nexo"}}``.
        config: The till configuration file (``None``: the embedded demo shop).
        day: A business day every session starts at 08:00 on a simulated clock (each reading
            7 s later, as ``reference://``); ``None``: the real time in Norway.
        workdir: Where the session journals go (a temporary directory, removed at :meth:`close`, if omitted).
    """

    def __init__(
        self,
        devices: dict[str, dict[str, str]],
        *,
        config: Path | None = None,
        day: date | None = None,
        workdir: Path | None = None,
    ) -> None:
        self.devices = devices
        self.config = config
        self.day = day
        self._own_dir = workdir is None
        self.root = Path(tempfile.mkdtemp(prefix="kassakontroll-upper-tester-")) if workdir is None else workdir
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._env = child_env()
        self._current: _Process | None = None
        self._spare: _Process | None = None
        self._sessions = 0
        self._exports = 0
        self._session_dir: Path | None = None
        self._clock = ""
        self._touched = False
        self._session_day: date | None = None
        self.registers: list[str] = []
        self.verbs: list[str] = []
        self.restarts = 0

    # --- processes
    def _take_process(self) -> _Process:
        process, self._spare = self._spare, None
        if process is None or process.popen.poll() is not None:
            process = _Process(self._env)
        return process

    def _keep_spare(self) -> None:
        if self._spare is None:
            self._spare = _Process(self._env)

    def _open(self, journal: Path, clock: str, simulated: bool) -> dict[str, Any]:
        """Start a till process on ``journal`` (the current one must be gone)."""
        process = self._take_process()
        request = {
            "op": "open",
            "config": str(self.config) if self.config else "",
            "devices": self.devices,
            "journal": str(journal),
            "clock": clock,
            "simulated": simulated,
        }
        try:
            answer = process.ask(request)
        except TillUnavailable:
            process.kill()
            raise
        if "ok" not in answer:
            process.stop()
            why = answer.get("bad") or answer.get("error") or answer
            raise TillUnavailable(f"the reference till could not be opened: {why}")
        self._current = process
        self._clock = str(answer.get("clock", clock))
        self._keep_spare()
        return dict(answer["ok"])

    @property
    def pid(self) -> int | None:
        """The process id of the till's current process (None before the first session)."""
        return self._current.pid if self._current is not None else None

    # --- the API's operations
    def start_session(self, day: date | None = None) -> dict[str, Any]:
        """Start a clean session: a fresh journal and clock, the devices opened again.

        Args:
            day: Run this session on a simulated clock from 08:00 on ``day`` (default: the
                server's ``day``, or the real time if it has none).

        Raises:
            TillUnavailable: The till could not be opened (the message says why).
        """
        with self._lock:
            day = day or self.day
            if not self._touched and self._current is not None and self._session_day == day:
                return self._session_info()  # nothing happened since the last reset: already clean
            previous = self._session_dir
            self._sessions += 1
            self._session_dir = self.root / f"session-{self._sessions:05d}"
            self._session_dir.mkdir()
            journal, clock = self._session_dir / "journal.sqlite", _day_start(day) if day else ""
            answer: dict[str, Any] | None = None
            if self._current is not None and self._current.popen.poll() is None:
                try:
                    request = {"op": "session", "journal": str(journal), "clock": clock, "simulated": bool(day)}
                    reply = self._current.ask(request)
                except TillUnavailable:
                    self._current.kill()
                    self._current = None
                else:
                    if "ok" not in reply:
                        self._current.stop()  # the next request starts a new process and tries again
                        self._current, self._session_dir = None, None
                        why = reply.get("bad") or reply.get("error") or reply
                        raise TillUnavailable(f"the reference till could not start a clean session: {why}")
                    answer = dict(reply["ok"])
                    self._clock = str(reply.get("clock", clock))
            if answer is None:
                if self._current is not None:
                    self._current.kill()
                answer = self._open(journal, clock, bool(day))
            self.registers = list(answer.get("registers", []))
            self.verbs = list(answer.get("verbs", []))
            self._session_day = day
            self._touched = False
            if previous is not None:
                shutil.rmtree(previous, ignore_errors=True)
            return self._session_info()

    def _session_info(self) -> dict[str, Any]:
        return {"session": f"{self._sessions}", "clean": True, "registers": list(self.registers)}

    def _require(self) -> _Process:
        if self._current is None or self._session_dir is None:
            self.start_session()
        assert self._current is not None
        return self._current

    def call(self, verb: str, register: str, args: dict[str, Any]) -> WorkerAnswer:
        """Perform a till verb.

        Raises:
            TillUnavailable: The till's process is gone; the next session starts a new one.
        """
        with self._lock:
            process = self._require()
            self._touched = True
            try:
                answer = process.ask({"op": "verb", "verb": verb, "register": register, "args": args})
            except TillUnavailable:
                self._current = None
                raise
            self._clock = str(answer.get("clock", self._clock))
            return WorkerAnswer(
                ok=answer.get("ok"),
                refused=answer.get("refused"),
                unsupported=answer.get("unsupported"),
                bad=answer.get("bad"),
                error=answer.get("error"),
            )

    def export(self, start: date | None, end: date | None) -> ExportFile | WorkerAnswer:
        """Export the journal: the file, or the till's refusal or error."""
        with self._lock:
            process = self._require()
            assert self._session_dir is not None
            self._touched = True
            self._exports += 1
            out = self._session_dir / f"export-{self._exports:04d}"
            request = {
                "op": "export",
                "dir": str(out),
                "from": start.isoformat() if start else None,
                "to": end.isoformat() if end else None,
            }
            try:
                answer = process.ask(request)
            except TillUnavailable:
                self._current = None
                raise
            self._clock = str(answer.get("clock", self._clock))
            if "ok" not in answer:
                return WorkerAnswer(
                    refused=answer.get("refused"), bad=answer.get("bad"), error=answer.get("error") or None
                )
            path = Path(answer["ok"]["path"])
            try:
                return ExportFile(path.name, path.read_bytes())
            finally:
                shutil.rmtree(out, ignore_errors=True)

    def kill_and_restart(self) -> int:
        """SIGKILL the till's process and start a new one on the same journal; returns the new pid.

        The kill does not wait for a verb in progress (that verb's caller is told the till
        died); the restart does.

        Raises:
            TillUnavailable: There is no session, or the new till could not open the journal.
        """
        victim = self._current
        if victim is not None:
            victim.kill()
        with self._lock:
            if self._session_dir is None:
                raise TillUnavailable("no session to restart; POST /session first")
            if self._current is victim:
                self._current = None
            self._touched = True
            self.restarts += 1
            self._open(self._session_dir / "journal.sqlite", self._clock, self._session_day is not None)
            assert self._current is not None
            return self._current.pid

    def close(self) -> None:
        """Close the till (and the spare), then remove the session folders."""
        with self._lock:
            for process in (self._current, self._spare):
                if process is not None:
                    process.stop()
            self._current = self._spare = None
            if self._own_dir:
                shutil.rmtree(self.root, ignore_errors=True)
