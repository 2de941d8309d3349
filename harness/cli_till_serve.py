"""``kassakontroll till serve``: the reference till behind the upper-tester API.

Command::

    kassakontroll till serve [--listen 127.0.0.1:8700] --printer K1=tcp://127.0.0.1:9100 [--printer K2=…]
                             [--drawer K1=printer] --terminal K1=http://127.0.0.1:PORT/nexo
                             [--config FILE] [--day YYYY-MM-DD] [--workdir DIR] [--stop-on-stdin-eof]

Serves ``docs/upper-tester.openapi.yaml`` for the reference till, the way a vendor serves it
beside their POS. The device URLs are where the till finds the harness's devices, as
the POS opens them (:mod:`reference_till.device_setup`): the harness's network printer
(``tcp://HOST:PORT``) or serial port (``serial:///dev/pts/N``), the drawer on the
printer's kick connector (``printer``) and the harness's nexo terminal
(``http://HOST:PORT/nexo``). A kassapunkt without URLs gets in-memory devices.

The first line on standard output is ``listening on http://HOST:PORT`` (with the real
port when ``--listen`` asked for port 0), printed once the till is open and its devices
answer; the ``http://`` target (:mod:`harness.targets.http`) reads it when it starts the
server itself. Exit codes as :mod:`harness.cli`: 0 stopped (Ctrl-C, SIGTERM, or the end
of standard input with ``--stop-on-stdin-eof``), 2 usage, 3 configuration, 7 the till
could not be opened or the address bound (the message says which device or port).

``python -m harness.upper_tester`` runs the same command without the ``till serve``.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from harness.cli_args import iso_date

__all__ = ["add_till_serve_command", "parse_listen", "run_till_serve_command"]

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_CONFIG = 3
EXIT_DEVICE = 7


def _assignment(text: str) -> tuple[str, str]:
    register, sep, url = text.partition("=")
    if not sep or not register or not url:
        raise argparse.ArgumentTypeError(f"{text!r}: write KASSAPUNKT=URL, e.g. K1=tcp://127.0.0.1:9100")
    return register, url


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[::1]:PORT`` for IPv6) -> ``(host, port)``.

    Raises:
        argparse.ArgumentTypeError: Not a host and a port 0-65535.
    """
    host, sep, port = text.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError(f"--listen {text!r}: write HOST:PORT, e.g. 127.0.0.1:8700 (port 0: any free)")
    return host, int(port)


def add_till_serve_command(till_commands: Any) -> None:
    """Add ``serve`` to the ``kassakontroll till`` sub-commands."""
    serve = till_commands.add_parser(
        "serve", help="serve the reference till over the upper-tester API (docs/upper-tester.md)"
    )
    serve.add_argument(
        "--listen",
        type=parse_listen,
        default=("127.0.0.1", 8700),
        metavar="HOST:PORT",
        help="address of the API (default 127.0.0.1:8700; port 0 picks a free one, printed on the first line)",
    )
    serve.add_argument(
        "--printer",
        type=_assignment,
        action="append",
        default=[],
        metavar="K=URL",
        help="where kassapunkt K's printer is: tcp://127.0.0.1:9100, serial:///dev/pts/5 (repeatable)",
    )
    serve.add_argument(
        "--drawer",
        type=_assignment,
        action="append",
        default=[],
        metavar="K=URL",
        help="kassapunkt K's cash drawer: printer (on the printer's kick connector, the default with a printer)",
    )
    serve.add_argument(
        "--terminal",
        type=_assignment,
        action="append",
        default=[],
        metavar="K=URL",
        help="kassapunkt K's nexo payment terminal: http://127.0.0.1:PORT/nexo (repeatable)",
    )
    serve.add_argument("--config", type=Path, help="till configuration TOML (default: the embedded demo shop)")
    serve.add_argument(
        "--day",
        type=iso_date,
        help="run every session on a simulated clock from 08:00 on this day, each reading 7 s later "
        "(default: the real time in Norway)",
    )
    serve.add_argument(
        "--workdir", type=Path, help="keep the sessions' journals in this folder (default: a temporary one)"
    )
    serve.add_argument(
        "--stop-on-stdin-eof",
        action="store_true",
        help="stop when standard input closes (for a harness that starts the server as its child)",
    )


def _devices(args: argparse.Namespace, known: list[str]) -> dict[str, dict[str, str]]:
    devices: dict[str, dict[str, str]] = {}
    for option in ("printer", "drawer", "terminal"):
        for register, url in getattr(args, option):
            if register not in known:
                raise ValueError(f"--{option} {register}={url}: no kassapunkt {register!r}; known: {', '.join(known)}")
            slot = devices.setdefault(register, {})
            if option in slot:
                raise ValueError(f"--{option} is given twice for kassapunkt {register}")
            slot[option] = url
    return devices


def _fail(message: str, code: int) -> int:
    print(f"kassakontroll: {message}", file=sys.stderr)
    return code


def run_till_serve_command(args: argparse.Namespace) -> int:
    """Run ``till serve`` until stopped; returns the exit code (see the module docstring)."""
    from harness.upper_tester.server import UpperTesterServer
    from harness.upper_tester.supervisor import Supervisor, TillUnavailable
    from reference_till.config import ConfigError, load_config

    try:
        config = load_config(args.config)
    except ConfigError as exc:
        return _fail(f"configuration: {exc}", EXIT_CONFIG)
    try:
        devices = _devices(args, [r.id for r in config.registers])
    except ValueError as exc:
        return _fail(str(exc), EXIT_USAGE)
    host, port = args.listen
    supervisor = Supervisor(
        devices,
        config=args.config.resolve() if args.config else None,
        day=args.day,
        workdir=args.workdir,
    )
    server: UpperTesterServer | None = None
    try:
        try:
            supervisor.start_session()
            server = UpperTesterServer(supervisor, host, port).start()
        except (TillUnavailable, OSError) as exc:
            return _fail(str(exc), EXIT_DEVICE)
        print(f"listening on {server.url}", flush=True)
        for register in supervisor.registers:
            urls = devices.get(register, {})
            where = ", ".join(f"{k} {v}" for k, v in urls.items()) or "in-memory devices"
            print(f"kassapunkt {register}: {where}", flush=True)
        print("API: docs/upper-tester.openapi.yaml; stop with Ctrl-C", flush=True)
        _wait(args.stop_on_stdin_eof)
        return EXIT_OK
    finally:
        if server is not None:
            server.close()
        supervisor.close()


def _wait(stop_on_stdin_eof: bool) -> None:
    """Block until SIGTERM, Ctrl-C or (if asked) the end of standard input."""
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    if stop_on_stdin_eof:

        def watch() -> None:
            for _ in sys.stdin:
                pass
            stop.set()

        threading.Thread(target=watch, name="stdin-eof", daemon=True).start()
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
