"""The lab bench of the ``manual://`` target: the devices a real POS is wired to, for a whole run.

A real POS is configured once with its printer port (``tcp://…:9100``, a pty's slave path,
a serial line) and keeps it open. The suite opens a fresh target per scenario, so the
devices must not come and go with each target: a :class:`Bench` -- one
:class:`~devices.station.DeviceStation` (printer with its drawer, payment terminal) per
kassapunkt and one evidence log -- is opened on first use and shared by every
``manual://`` target with the same device URLs in this process. Each new target puts the
devices back into their normal state (paper in, cover shut, drawer working and shut);
the benches are closed when the process exits (or by :func:`close_benches`).
"""

from __future__ import annotations

import atexit
import threading
from dataclasses import dataclass

from devices.link import TransportError
from devices.station import DeviceStation
from harness.evidence import EvidenceLog
from harness.targets.base import TargetError

__all__ = ["Bench", "BenchSpec", "acquire_bench", "close_benches"]


@dataclass(frozen=True, slots=True)
class BenchSpec:
    """What a bench serves.

    Attributes:
        printers: ``(kassapunkt id, link URL)`` per kassapunkt, in order.
        terminal_port: TCP port of the first kassapunkt's payment terminal on 127.0.0.1 (the
            next kassapunkt gets the next port); 0 picks free ports.
    """

    printers: tuple[tuple[str, str], ...]
    terminal_port: int = 0


class Bench:
    """The devices of a :class:`BenchSpec`, recording into one evidence log.

    Raises:
        TargetError: A link or the terminal server cannot be opened (the message names the URL).
    """

    def __init__(self, spec: BenchSpec) -> None:
        self.spec = spec
        self.log = EvidenceLog()
        self.stations: dict[str, DeviceStation] = {}
        try:
            for index, (register, url) in enumerate(spec.printers):
                port = spec.terminal_port + index if spec.terminal_port else 0
                try:
                    self.stations[register] = DeviceStation(
                        register, printer_link=url, terminal=True, log=self.log, terminal_port=port
                    )
                except (TransportError, OSError) as exc:
                    raise TargetError(
                        f"kassapunkt {register}: cannot serve the printer on {url} or the terminal on port {port}: "
                        f"{exc}; is another program using it? choose another printer=URL or terminal_port"
                    ) from exc
        except BaseException:
            self.close()
            raise

    def reset(self) -> None:
        """Paper in, cover shut, drawer working and pushed shut: the state a scenario starts from."""
        for station in self.stations.values():
            station.printer.fail_after_lines(0)  # a mid-document fault the last scenario left armed
            station.printer.set_state(paper="ok", cover_open=False, offline=False, error=None)
            station.drawer.set_fault(None)
            station.drawer.close(cause="manual")

    def describe(self) -> str:
        """One line per device, with the URL the POS must use."""
        return "\n".join(f"  {station.describe()}".replace("\n", "\n  ") for station in self.stations.values())

    def close(self) -> None:
        """Stop serving every device; idempotent."""
        stations, self.stations = list(self.stations.values()), {}
        for station in stations:
            station.close()


_benches: dict[BenchSpec, Bench] = {}
_lock = threading.Lock()


def acquire_bench(spec: BenchSpec) -> tuple[Bench, bool]:
    """The bench for ``spec``, opened if needed (then ``True``), else reset for a new scenario.

    Raises:
        TargetError: Its devices cannot be served.
    """
    with _lock:
        bench = _benches.get(spec)
        if bench is not None:
            bench.reset()
            return bench, False
        bench = Bench(spec)
        _benches[spec] = bench
        return bench, True


def close_benches() -> None:
    """Close every open bench (at process exit, or when a test is done with its devices)."""
    with _lock:
        benches = list(_benches.values())
        _benches.clear()
    for bench in benches:
        bench.close()


atexit.register(close_benches)
