"""The devices the harness plays for a till in another process: fixed addresses, fresh emulators per scenario.

A POS behind the upper-tester API is configured once with where its printer and payment
terminal are (``tcp://harness:9100``, ``/dev/pts/7``, ``http://harness:8443/nexo``), so
those addresses must stay put for a whole test run. A scenario, on the other hand, must
start with a ready printer, a closed drawer, a terminal with no scripted answers and no
totals from earlier sales, and an evidence log of its own -- what ``reference://`` gets by
building everything anew.

:class:`DeviceBench` keeps the addresses (per kassapunkt a printer link -- a TCP listener or
a pseudo-terminal, tapped into the evidence log -- and a nexo terminal server) and swaps
what is behind them: :meth:`DeviceBench.new_scenario` builds a fresh
:class:`~devices.station.DeviceStation` (printer, drawer, terminal emulators) per
kassapunkt with a new :class:`~harness.evidence.EvidenceLog`, points the links' taps at
that log, rebinds every open printer connection to the new printer (a serial line
stays open across scenarios; a TCP connection may) and puts the new terminal behind the
terminal server.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from devices.link import Channel, DeviceProtocol
from devices.station import DeviceStation, pos_url
from devices.terminal import TerminalEmulator, TerminalServer
from devices.transports import open_link
from devices.transports.tap import TappedLink
from harness.evidence import EvidenceLog

__all__ = ["DeviceBench"]


class _PrinterHub:
    """The printer behind a link for the current scenario, and the connections that reach it."""

    def __init__(self, printer_of: DeviceStation) -> None:
        self.station = printer_of
        self._relays: set[_Relay] = set()
        self._lock = threading.Lock()

    def protocol(self) -> DeviceProtocol:
        """Protocol factory for :meth:`Link.attach`: one relay per connection."""
        return _Relay(self)

    def add(self, relay: _Relay) -> None:
        with self._lock:
            self._relays.add(relay)

    def discard(self, relay: _Relay) -> None:
        with self._lock:
            self._relays.discard(relay)

    def switch(self, station: DeviceStation) -> None:
        """Put ``station``'s printer behind the link; open connections are handed over to it."""
        with self._lock:
            self.station = station
            relays = list(self._relays)
        for relay in relays:
            relay.rebind(station)


class _Relay(DeviceProtocol):
    """One connection from the POS, passed to the current scenario's printer."""

    def __init__(self, hub: _PrinterHub) -> None:
        self._hub = hub
        self._lock = threading.RLock()
        self._channel: Channel | None = None
        self._inner: DeviceProtocol | None = None

    def connection_made(self, channel: Channel) -> None:
        with self._lock:
            self._channel = channel
            self._inner = self._hub.station.printer.session()
            self._inner.connection_made(channel)
        self._hub.add(self)

    def data_received(self, data: bytes) -> None:
        with self._lock:
            if self._inner is not None:
                self._inner.data_received(data)

    def connection_lost(self, exc: BaseException | None) -> None:
        self._hub.discard(self)
        with self._lock:
            inner, self._inner = self._inner, None
            if inner is not None:
                inner.connection_lost(exc)

    def rebind(self, station: DeviceStation) -> None:
        """End the connection's session with the old printer and start one with ``station``'s."""
        with self._lock:
            if self._inner is None or self._channel is None:
                return
            self._inner.connection_lost(None)
            self._inner = station.printer.session()
            self._inner.connection_made(self._channel)


class _TerminalSwitch(TerminalEmulator):
    """The terminal server's emulator: passes every request to the current scenario's terminal."""

    def __init__(self, first: TerminalEmulator) -> None:
        super().__init__(first.log, name=first.name)
        self.current = first

    def switch(self, terminal: TerminalEmulator) -> None:
        """Answer with ``terminal`` from now on."""
        self.current, self.log, self.name = terminal, terminal.log, terminal.name

    def handle(self, raw: bytes) -> bytes | None:
        """Served by the current terminal."""
        return self.current.handle(raw)

    def close(self) -> None:
        """Release the current terminal's held answers."""
        self.current.close()


class _Point:
    """The fixed addresses of one kassapunkt."""

    def __init__(self, station: DeviceStation, printer_url: str, terminal: tuple[str, int]) -> None:
        self.hub = _PrinterHub(station)
        self.link: TappedLink | None = None
        self.server: TerminalServer | None = None
        self.switch = _TerminalSwitch(station.terminal)
        try:
            self.link = TappedLink(open_link(printer_url), station.log)
            self.link.attach(self.hub.protocol)
            host, port = terminal
            loopback = host in ("127.0.0.1", "localhost", "::1")
            self.server = TerminalServer(self.switch, host, port, allow_remote=not loopback).start()
        except BaseException:
            self.close()
            raise

    def show(self, station: DeviceStation) -> None:
        assert self.link is not None
        self.link.log = station.log
        self.hub.switch(station)
        self.switch.switch(station.terminal)

    def close(self) -> None:
        if self.link is not None:
            self.link.close()
        if self.server is not None:
            self.server.close()


class DeviceBench:
    """Printer links and terminal servers per kassapunkt for a whole run (see module doc).

    Args:
        printers: Printer link URL per kassapunkt (``tcp://127.0.0.1:9100``, ``pty://``, ``tcp://0.0.0.0:0`` …).
        terminals: Address ``(host, port)`` of the nexo terminal server per kassapunkt (port 0: any free one).

    Raises:
        devices.link.TransportError: A printer link cannot be opened (the message says why).
        OSError: A terminal address cannot be bound.
    """

    def __init__(self, printers: Mapping[str, str], terminals: Mapping[str, tuple[str, int]]) -> None:
        self.registers = tuple(printers)
        self._points: dict[str, _Point] = {}
        self._stations = self._build(EvidenceLog())
        try:
            for register in self.registers:
                self._points[register] = _Point(self._stations[register], printers[register], terminals[register])
        except BaseException:
            self.close()
            raise

    def _build(self, log: EvidenceLog) -> dict[str, DeviceStation]:
        return {r: DeviceStation(r, printer_link=None, terminal=False, log=log) for r in self.registers}

    def pos_printer_url(self, register: str) -> str:
        """What the POS opens to reach the printer (``tcp://127.0.0.1:40123``, ``serial:///dev/pts/7``)."""
        link = self._points[register].link
        assert link is not None
        return pos_url(link)

    def pos_terminal_url(self, register: str) -> str:
        """What the POS posts nexo messages to (``http://127.0.0.1:40124/nexo``)."""
        server = self._points[register].server
        assert server is not None
        return server.url

    def describe(self) -> str:
        """One line per device, for messages and the vendor's set-up."""
        lines = []
        for register, point in self._points.items():
            if point.link is not None:
                lines.append(f"{register} printer: {point.link.describe()} (POS: {self.pos_printer_url(register)})")
            if point.server is not None:
                lines.append(f"{register} terminal: nexo JSON over HTTP at {point.server.url}")
        return "\n".join(lines)

    def new_scenario(self) -> tuple[EvidenceLog, dict[str, DeviceStation]]:
        """Fresh emulators behind the fixed addresses; returns their evidence log and stations."""
        log = EvidenceLog()
        stations = self._build(log)
        for register, point in self._points.items():
            point.show(stations[register])
        self._end(self._stations)
        self._stations = stations
        return log, stations

    @staticmethod
    def _end(stations: Mapping[str, DeviceStation]) -> None:
        for station in stations.values():
            station.terminal.close()  # a payment answer still held back (a scripted time-out) is released
            station.close()

    def end_scenario(self) -> None:
        """Release what the scenario's emulators still hold (pending timers, held terminal answers)."""
        self._end(self._stations)

    def close(self) -> None:
        """Stop serving: close every link and terminal server; idempotent."""
        points, self._points = self._points, {}
        for point in points.values():
            point.close()
        self._end(self._stations)
