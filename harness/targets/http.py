"""``http://``: a till behind the upper-tester API, its devices played by the harness.

The POS (or the reference till in a child process) runs beside an HTTP server that
implements ``docs/upper-tester.openapi.yaml``; :class:`HttpTarget` sends it one request
per verb. What the till really did is judged, as with ``reference://``, from the
harness's own devices: per kassapunkt a printer (with its cash drawer on the kick
connector) served on a link the POS prints to, and a nexo payment terminal served over
HTTP (:class:`~harness.upper_tester.device_bench.DeviceBench`). Those devices keep their
addresses for the whole test run -- the POS is configured with them once -- and are kept
in a process-wide cache keyed by the target URL, closed at interpreter exit. Each
scenario gets fresh emulators behind them (a ready printer, a closed drawer that is not
stuck, a terminal with nothing scripted) and a clean till session (``POST /session``).

URL::

    http://HOST:PORT[/PREFIX]/?[spawn=1][&registers=K1,K2][&printer=LINK][&printer.K1=LINK]
                              [&terminal=http://HOST:PORT][&terminal.K1=…][&drawer=printer]
                              [&config=FILE][&day=YYYY-MM-DD][&timeout=SECONDS]

=================  ===================================================================
``spawn=1``        the harness starts the reference till's server itself (``kassakontroll
                   till serve``) *after* opening its devices, giving it their POS-side
                   URLs, on ``HOST:PORT`` (port 0: any free one); stopped at exit.
                   Without it the URL points at a running server (a vendor's).
``registers``      the kassapunkt ids (default: the server's ``GET /capabilities``;
                   with ``spawn=1`` the first two of the configuration)
``printer``        the printer link for every kassapunkt (``{register}`` is replaced):
                   ``tcp://127.0.0.1:0`` (default; a network printer on a free port),
                   ``tcp://0.0.0.0:9100``, ``pty://`` (a serial port, ``/dev/pts/N``);
                   ``printer.K1=…`` for one kassapunkt
``terminal``       where the nexo terminal listens: ``http://127.0.0.1:0`` (default) or a
                   fixed ``http://0.0.0.0:8443``; ``terminal.K1=…`` for one kassapunkt
``drawer``         ``spawn=1`` only: how the till reaches the drawer (default ``printer``)
``config``         ``spawn=1`` only: the till configuration file (default: the demo shop)
``day``            run each session on a simulated day from 08:00 (sent with ``POST
                   /session``; with ``spawn=1`` also the server's ``--day``); without
                   it the reference server reads the real time in Norway
``timeout``        seconds to wait for an answer (default 60)
=================  ===================================================================

Examples: ``http://127.0.0.1:0/?spawn=1`` (the reference till out of process, printer on
TCP), ``http://127.0.0.1:0/?spawn=1&printer=pty://`` (on a pseudo-terminal),
``http://10.0.0.7:8700/?printer.K1=tcp://0.0.0.0:9100&terminal.K1=http://0.0.0.0:8443&registers=K1``
(a vendor's POS on the lab network).
"""

from __future__ import annotations

import atexit
import threading
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from devices.link import TransportError
from devices.station import DeviceStation
from harness.targets.base import Concluded, TargetError
from harness.targets.shop_side import ShopSide
from harness.upper_tester.api import route
from harness.upper_tester.client import ApiClient
from harness.upper_tester.device_bench import DeviceBench
from harness.upper_tester.spawn import SpawnedServer

__all__ = ["HttpTarget", "close_all"]

_OPTIONS = ("spawn", "registers", "printer", "terminal", "drawer", "config", "day", "timeout")
_PER_REGISTER = ("printer", "terminal", "drawer")
_EXAMPLE = "http://127.0.0.1:0/?spawn=1&printer=tcp://127.0.0.1:0"


def _fix(url: str, problem: str) -> TargetError:
    return TargetError(f"{url}: {problem}; e.g. {_EXAMPLE} (see harness/targets/http.py or docs/upper-tester.md)")


class _Options:
    """The target URL, parsed and checked."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise _fix(url, "not an http://HOST:PORT/ URL")
        try:
            port = parts.port
        except ValueError:
            raise _fix(url, "the port is not a number") from None
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        self.query: dict[str, str] = {}
        for key, value in pairs:
            base = key.split(".", 1)[0]
            if base not in _OPTIONS or ("." in key and base not in _PER_REGISTER):
                raise _fix(url, f"unknown option {key!r}; known: {', '.join(_OPTIONS)} and printer.K1= …")
            self.query[key] = value
        self.spawn = self.query.get("spawn", "0") not in ("", "0", "false", "no")
        if port is None or (port == 0 and not self.spawn):
            raise _fix(url, "give the server's port (port 0, any free one, only with spawn=1)")
        self.host, self.port, self.prefix = parts.hostname, port, parts.path.rstrip("/")
        try:
            self.timeout = float(self.query.get("timeout", "60"))
            self.day = date.fromisoformat(self.query["day"]) if self.query.get("day") else None
        except ValueError as exc:
            raise _fix(url, f"bad option value ({exc}); timeout is seconds, day is YYYY-MM-DD") from None
        if self.timeout <= 0:
            raise _fix(url, "timeout must be a positive number of seconds")
        self.config = Path(self.query["config"]).resolve() if self.query.get("config") else None
        ids = [r.strip() for r in self.query.get("registers", "").split(",") if r.strip()]
        self.registers: tuple[str, ...] = tuple(ids)
        self.key = (parts.scheme, parts.netloc, self.prefix, tuple(sorted(pairs)))
        self.url = url

    def base_url(self, host: str | None = None, port: int | None = None) -> str:
        host = host or self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port if port is None else port}{self.prefix}"

    def per_register(self, option: str, register: str, default: str) -> str:
        return self.query.get(f"{option}.{register}") or self.query.get(option) or default


def _fresh(url: str) -> bool:
    """Whether two kassapunkter may share this link URL: each opening allocates its own port or pty."""
    parts = urlsplit(url)
    if parts.scheme == "pty":
        return "link=" not in parts.query
    try:
        return parts.scheme in ("tcp", "http") and parts.port == 0
    except ValueError:
        return False


def _terminal_address(url: str, option: str) -> tuple[str, int]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme != "http" or not parts.hostname or port is None:
        raise TargetError(f"{option}={url!r}: write http://HOST:PORT, e.g. http://127.0.0.1:0 (any free port)")
    return parts.hostname, port


class _Setup:
    """What a target URL holds for the whole run: the devices, the server (if spawned), the client."""

    def __init__(self, options: _Options) -> None:
        self.options = options
        self.server: SpawnedServer | None = None
        self.devices: DeviceBench | None = None
        self.client: ApiClient | None = None
        url = options.url
        client: ApiClient | None = None
        try:
            registers = options.registers
            if not options.spawn:
                client = self.client = ApiClient(options.base_url(), target=url, timeout=options.timeout)
                capabilities = client.call(route("capabilities")).json()
                registers = registers or tuple(str(r) for r in capabilities.get("registers", []))
            elif not registers:
                registers = self._configured_registers(options)
            if not registers:
                raise _fix(url, "the server lists no kassapunkter in GET /capabilities; give registers=K1,K2")
            self.devices = self._open_devices(options, registers)
            if options.spawn:
                self.server = SpawnedServer(self._serve_options(options, registers))
                spawned = urlsplit(self.server.url)
                client = self.client = ApiClient(
                    options.base_url(spawned.hostname, spawned.port), target=url, timeout=options.timeout
                )
            assert client is not None
            capabilities = client.call(route("capabilities")).json()
            self.verbs = frozenset(str(v) for v in capabilities.get("verbs", []))
            self.registers = registers
        except BaseException:
            self.close()
            raise

    @staticmethod
    def _configured_registers(options: _Options) -> tuple[str, ...]:
        from reference_till.config import ConfigError, load_config

        try:
            config = load_config(options.config)
        except ConfigError as exc:
            raise _fix(options.url, f"config: {exc}") from None
        return tuple(r.id for r in config.registers[:2])

    @staticmethod
    def _open_devices(options: _Options, registers: tuple[str, ...]) -> DeviceBench:
        printers = {r: options.per_register("printer", r, "tcp://127.0.0.1:0").format(register=r) for r in registers}
        terminals = {
            r: _terminal_address(options.per_register("terminal", r, "http://127.0.0.1:0"), f"terminal for {r}")
            for r in registers
        }
        for kind, table in (
            ("printer", printers),
            ("terminal", {r: f"http://{h}:{p}" for r, (h, p) in terminals.items()}),
        ):
            seen: dict[str, str] = {}
            for register, link in table.items():
                if link in seen and not _fresh(link):
                    raise _fix(
                        options.url,
                        f"kassapunkter {seen[link]} and {register} would share the {kind} {link}; give each its own "
                        f"({kind}.{seen[link]}=… and {kind}.{register}=…) or use port 0",
                    )
                seen[link] = register
        try:
            return DeviceBench(printers, terminals)
        except (TransportError, OSError, ValueError) as exc:
            raise TargetError(f"{options.url}: the harness's devices cannot be opened: {exc}") from None

    def _serve_options(self, options: _Options, registers: tuple[str, ...]) -> list[str]:
        assert self.devices is not None
        listen = f"[{options.host}]:{options.port}" if ":" in options.host else f"{options.host}:{options.port}"
        args = ["--listen", listen]
        for register in registers:
            args += ["--printer", f"{register}={self.devices.pos_printer_url(register)}"]
            args += ["--drawer", f"{register}={options.per_register('drawer', register, 'printer')}"]
            args += ["--terminal", f"{register}={self.devices.pos_terminal_url(register)}"]
        if options.config is not None:
            args += ["--config", str(options.config)]
        if options.day is not None:
            args += ["--day", options.day.isoformat()]
        return args

    def check_server(self) -> None:
        """Raise if the server this target started has stopped (with its exit code and last words)."""
        if self.server is not None and self.server.process.poll() is not None:
            raise TargetError(
                f"{self.options.url}: the reference till's server (pid {self.server.pid}) has stopped with exit code "
                f"{self.server.process.returncode}; its last messages: {' | '.join(self.server.tail) or '(none)'}"
            )

    def close(self) -> None:
        """Stop the spawned server (so the till lets go of the devices), then the devices."""
        if self.client is not None:
            self.client.close()
        try:
            if self.server is not None:
                self.server.stop()
        finally:
            self.server = None
            if self.devices is not None:
                self.devices.close()
                self.devices = None


_SETUPS: dict[tuple[Any, ...], _Setup] = {}
_SETUPS_LOCK = threading.Lock()
_AT_EXIT = False


def _setup_for(options: _Options) -> _Setup:
    global _AT_EXIT
    with _SETUPS_LOCK:
        setup = _SETUPS.get(options.key)
        if setup is None or setup.devices is None:
            setup = _Setup(options)
            _SETUPS[options.key] = setup
            if not _AT_EXIT:
                atexit.register(close_all)
                _AT_EXIT = True
        return setup


def close_all() -> None:
    """Stop every spawned server and close every device bench (run at interpreter exit)."""
    with _SETUPS_LOCK:
        setups = list(_SETUPS.values())
        _SETUPS.clear()
    for setup in setups:
        setup.close()


class HttpTarget(ShopSide):
    """A till behind the upper-tester API (see the module docstring for the URL).

    Args:
        url: The target URL.

    Raises:
        TargetError: The URL is malformed, the devices cannot be opened, the server does not
            answer or cannot start a clean session (the message says what to check).
    """

    def __init__(self, url: str) -> None:
        options = _Options(url)
        self.name = url
        self._setup = _setup_for(options)
        devices = self._setup.devices
        assert devices is not None
        self.registers = self._setup.registers
        self.evidence, self._stations = devices.new_scenario()
        self._setup.check_server()
        body = {"day": options.day.isoformat()} if options.day is not None else {}
        session = self._client.call(route("session"), body=body).json()
        if session.get("clean") is False:
            raise TargetError(
                f"{url}: the till could not start a clean test session ({session.get('note', 'no reason given')}); "
                "every scenario needs a fresh journal -- see 'Sessions' in docs/upper-tester.md"
            )

    # --- plumbing
    @property
    def _client(self) -> ApiClient:
        client = self._setup.client
        if client is None:
            raise TargetError(f"{self.name}: the target was closed at the end of the run")
        return client

    def _station(self, register: str) -> DeviceStation:
        try:
            return self._stations[register]
        except KeyError:
            known = ", ".join(self._stations)
            raise TargetError(f"{self.name}: no emulated devices for kassapunkt {register!r}; known: {known}") from None

    def _call(self, verb: str, register: str = "", **body: Any) -> dict[str, Any]:
        endpoint = route(verb)
        if verb not in self._setup.verbs:
            raise self._unsupported(endpoint.action)
        return self._client.call(endpoint, register, body).json()

    # --- session
    def open_register(self, register: str, operator: str) -> None:
        """Start the kassapunkt and log the operator in."""
        self._call("open_register", register, operator=operator)

    def close_register(self, register: str) -> None:
        """Log out and stop the kassapunkt."""
        self._call("close_register", register)

    def register_float(self, register: str, amount: int) -> None:
        """Register the opening change float."""
        self._call("register_float", register, amount=amount)

    def login(self, register: str, operator: str) -> None:
        """Log another operator in."""
        self._call("login", register, operator=operator)

    def logout(self, register: str) -> None:
        """Log the operator out."""
        self._call("logout", register)

    # --- the sale
    def add_item(self, register: str, art_id: str, quantity: int = 1) -> None:
        """Add a sale line."""
        self._call("add_item", register, article=art_id, quantity=quantity)

    def add_campaign_item(self, register: str, art_id: str, quantity: int, discount: int) -> None:
        """Add a sale line with the till's own campaign discount."""
        self._call("add_campaign_item", register, article=art_id, quantity=quantity, discount=discount)

    def return_item(self, register: str, art_id: str, quantity: int = 1) -> None:
        """Add a return line."""
        self._call("return_item", register, article=art_id, quantity=quantity)

    def discount(self, register: str, line: int, amount: int) -> None:
        """Give a manual discount on a line."""
        self._call("discount", register, line=line, amount=amount)

    def correct_line(self, register: str, line: int, quantity: int) -> None:
        """Change a line's quantity."""
        self._call("correct_line", register, line=line, quantity=quantity)

    def remove_line(self, register: str, line: int) -> None:
        """Delete a line."""
        self._call("remove_line", register, line=line)

    def set_buyer(self, register: str, name: str) -> None:
        """Put the buyer's name on the sale."""
        self._call("set_buyer", register, name=name)

    def park(self, register: str) -> str:
        """Park the open sale; returns the till's reference."""
        ref = self._call("park", register).get("ref")
        if not isinstance(ref, str) or not ref:
            raise TargetError(f"{self.name}: POST …/sale/park answered without a 'ref' (the parked sale's reference)")
        return ref

    def resume(self, register: str, ref: str) -> None:
        """Resume a parked sale."""
        self._call("resume", register, ref=ref)

    def pay_cash(self, register: str, tendered: int | None = None) -> None:
        """Take cash (the total when ``tendered`` is None)."""
        self._call("pay_cash", register, tendered=tendered)

    def pay_card(self, register: str, amount: int | None = None) -> None:
        """Take a card payment through the harness's terminal."""
        self._call("pay_card", register, amount=amount)

    def pay_other(self, register: str, kind: str, amount: int | None = None) -> None:
        """Take a gift card or mobile payment."""
        if kind not in ("giftcard", "mobile"):
            raise TargetError(f"payment kind {kind!r}: use giftcard or mobile")
        self._call("pay_other", register, kind=kind, amount=amount)

    def conclude(self, register: str, *, electronic_receipt: str = "") -> Concluded:
        """Conclude the sale."""
        return self._concluded(self._call("conclude", register, electronic_receipt=electronic_receipt))

    def conclude_credit(self, register: str, customer: str) -> Concluded:
        """Conclude as a credit sale."""
        return self._concluded(self._call("conclude_credit", register, customer=customer))

    def _concluded(self, answer: dict[str, Any]) -> Concluded:
        trans_id, amount = answer.get("trans_id"), answer.get("amount")
        if not isinstance(trans_id, str) or not isinstance(amount, int) or isinstance(amount, bool):
            raise TargetError(
                f"{self.name}: a concluded sale must be answered with 'trans_id' (string) and 'amount' (øre), "
                f"got {answer}"
            )
        return Concluded(trans_id, amount)

    def void(self, register: str) -> None:
        """Cancel the open sale."""
        self._call("void", register)

    # --- documents and functions
    def copy_receipt(self, register: str, trans_id: str) -> None:
        """Print a copy receipt."""
        self._call("copy_receipt", register, trans_id=trans_id)

    def provisional_receipt(self, register: str) -> None:
        """Print a provisional receipt."""
        self._call("provisional_receipt", register)

    def exchange_slip(self, register: str, trans_id: str) -> None:
        """Print an exchange slip."""
        self._call("exchange_slip", register, trans_id=trans_id)

    def training(self, register: str, on: bool) -> None:
        """Switch training mode."""
        self._call("training", register, on=on)

    def price_lookup(self, register: str, art_id: str) -> None:
        """Look up a price."""
        self._call("price_lookup", register, article=art_id)

    def change_price(self, register: str, art_id: str, price: int) -> None:
        """Change an article's price."""
        self._call("change_price", register, article=art_id, price=price)

    def open_drawer(self, register: str) -> None:
        """Open the drawer without a sale."""
        self._call("open_drawer", register)

    def cash_in(self, register: str, amount: int) -> None:
        """Register a pay-in."""
        self._call("cash_in", register, amount=amount)

    def cash_out(self, register: str, amount: int) -> None:
        """Register a pay-out."""
        self._call("cash_out", register, amount=amount)

    def x_report(self, register: str) -> None:
        """Produce an X report."""
        self._call("x_report", register)

    def z_report(self, register: str) -> None:
        """Produce a Z report."""
        self._call("z_report", register)

    def next_business_day(self, register: str) -> None:
        """Move the till on to the next business day."""
        self._call("next_business_day", register)

    def settle(self, register: str, counted: int) -> None:
        """Daily settlement with ``counted`` øre of cash counted."""
        self._call("settle", register, counted=counted)

    def export_journal(self, out_dir: Path, start: date | None = None, end: date | None = None) -> Path:
        """Fetch the SAF-T export (``POST /journal/export``) and write it into ``out_dir``."""
        endpoint = route("export_journal")
        if "export_journal" not in self._setup.verbs:
            raise self._unsupported(endpoint.action)
        body = {"from": start.isoformat() if start else None, "to": end.isoformat() if end else None}
        answer = self._client.call(endpoint, body={k: v for k, v in body.items() if v})
        if answer.content_type not in ("application/xml", "text/xml") or not answer.data.lstrip().startswith(b"<"):
            raise TargetError(
                f"{self.name}: POST /journal/export must answer with the SAF-T XML file (application/xml), "
                f"got {answer.content_type or 'no Content-Type'}: {answer.data[:100]!r}"
            )
        name = Path(answer.filename.replace("\\", "/")).name or "journal-export.xml"
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / name
        path.write_bytes(answer.data)
        return path

    def kill_and_restart(self) -> None:
        """Have the server kill the till's process without warning and start it again on the same journal."""
        self._call("kill_and_restart")

    def close(self) -> None:
        """End the scenario: release what its emulators hold (the devices stay for the next scenario)."""
        devices = self._setup.devices
        if devices is not None:
            devices.end_scenario()
