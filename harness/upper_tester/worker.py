"""The process that holds the reference till: JSON lines in on stdin, JSON lines out.

The upper-tester server (:mod:`harness.upper_tester.supervisor`) runs the till in this
child process so that ``POST /kill-and-restart`` can really ``SIGKILL`` it mid-sale and
start a new one on the same journal. The child imports everything before it reads its
first line, so a spare one waits ready while the current one works.

Protocol, one JSON object per line each way (stdout carries nothing else: anything the
process prints goes to stderr):

==========================================================  ===================================
request                                                     answer's ``ok`` member
==========================================================  ===================================
``{"op": "open", "config", "devices", "journal", "clock",   ``{"registers", "verbs"}``
"simulated"}``
``{"op": "session", "journal", "clock", "simulated"}``      the same, for a fresh journal
``{"op": "verb", "verb", "register", "args"}``              the verb's result members
``{"op": "export", "dir", "from", "to"}``                   ``{"path"}``
``{"op": "close"}``                                         ``{}``; the process then exits
==========================================================  ===================================

``clock`` in a request is the time before the till's first reading (``""``: none) and
``simulated`` whether the till runs a simulated day from there or reads the real time
(:class:`~harness.upper_tester.till_session.TillSession`). Every answer carries ``clock``,
the time of the till's last reading, so a till restarted after a kill goes on from there.
A failure is ``{"refused": {"reason", "rule"}}``, ``{"unsupported": detail}``,
``{"bad": message}`` or ``{"error": message}``. At the end of standard input (the server
has gone) the till is closed and the process exits.

Run as ``python -m harness.upper_tester.worker``; it is not meant to be started by hand.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from harness.upper_tester.till_session import BadRequest, DeviceUrls, NotSupported, TillRefused, TillSession
from reference_till.config import ConfigError, TillConfig, load_config

__all__ = ["Worker", "main"]


class Worker:
    """Serves the protocol of the module docstring on a pair of text streams."""

    def __init__(self) -> None:
        self.config: TillConfig | None = None
        self.devices: dict[str, DeviceUrls] = {}
        self.session: TillSession | None = None

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer one request (never raises)."""
        answer: dict[str, Any]
        try:
            answer = {"ok": self._dispatch(request)}
        except TillRefused as exc:
            answer = {"refused": {"reason": exc.reason, "rule": exc.rule}}
        except NotSupported as exc:
            answer = {"unsupported": str(exc)}
        except (BadRequest, ConfigError) as exc:
            answer = {"bad": str(exc)}
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        if self.session is not None:
            answer["clock"] = self.session.clock.last.isoformat()
        return answer

    def _dispatch(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request.get("op")
        if op == "open":
            self.config = load_config(request.get("config") or None)
            self.devices = {r: DeviceUrls(**urls) for r, urls in dict(request.get("devices", {})).items()}
            return self._start(request)
        if op == "session":
            return self._start(request)
        session = self.session
        if session is None:
            raise BadRequest("no till is open; send an 'open' request first")
        if op == "verb":
            return session.run(str(request["verb"]), str(request.get("register", "")), dict(request.get("args", {})))
        if op == "export":
            start, end = (date.fromisoformat(request[k]) if request.get(k) else None for k in ("from", "to"))
            out = Path(request["dir"])
            out.mkdir(parents=True, exist_ok=True)
            return {"path": str(session.export(out, start, end))}
        if op == "close":
            self.close()
            return {}
        raise BadRequest(f"unknown op {op!r}; use open, session, verb, export or close")

    def _start(self, request: dict[str, Any]) -> dict[str, Any]:
        """Close the current session (if any) and open the till on the journal given."""
        if self.config is None:
            raise BadRequest("send an 'open' request first")
        self.close()
        clock = str(request.get("clock") or "")
        session = TillSession(
            self.config,
            self.devices,
            Path(request["journal"]),
            datetime.fromisoformat(clock) if clock else None,
            simulated=bool(request.get("simulated")),
        )
        self.session = session
        return {"registers": [r.id for r in self.config.registers], "verbs": list(session.verbs)}

    def close(self) -> None:
        """Close the open session, if any."""
        session, self.session = self.session, None
        if session is not None:
            session.close()


def serve(requests: IO[str], answers: IO[str]) -> None:
    """Answer requests line by line until ``close`` or the end of ``requests``."""
    worker = Worker()
    try:
        for line in requests:
            if not line.strip():
                continue
            try:
                request = json.loads(line)
                if not isinstance(request, dict):
                    raise ValueError("not a JSON object")
            except ValueError as exc:
                answer: dict[str, Any] = {"error": f"the request line is not a JSON object: {exc}"}
                request = {}
            else:
                answer = worker.handle(request)
            answers.write(json.dumps(answer, ensure_ascii=False) + "\n")
            answers.flush()
            if request.get("op") == "close":
                return
    finally:
        worker.close()


def main() -> int:
    """Run the worker on stdin/stdout; stray output of the till goes to stderr."""
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin, answers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
