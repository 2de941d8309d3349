"""Emulated devices for the demo day: a printer, drawer and terminal per kassapunkt.

:class:`EmulatedShop` starts one :class:`devices.station.DeviceStation` per kassapunkt
(printer with its drawer on an in-process ``loop://`` link, or on the link URL given; a
nexo terminal on 127.0.0.1) and opens the till's ports to them through the same URLs a
shop's configuration would hold, so the demo exercises the whole path: the till's
ESC/POS port, the link, the printer emulator's decoder and status replies, the drawer's
kick and sensor, the terminal's HTTP API.
"""

from __future__ import annotations

import uuid

from devices.station import DeviceStation
from devices.transports import transport_usb
from devices.transports.usb_backend import EmulatedUsbBus, EmulatedUsbPrinterBackend
from harness.evidence import EvidenceLog
from reference_till.config import TillConfig
from reference_till.device_ports import EscposPrinterPort
from reference_till.device_setup import open_devices
from reference_till.till_base import RegisterDevices

__all__ = ["EmulatedShop"]


class EmulatedShop:
    """Emulated devices for the first ``registers`` kassapunkter of a configuration.

    Args:
        config: The shop.
        registers: How many kassapunkter get devices (the demo uses two).
        printer_link: Link URL template for the printers; ``{register}`` is replaced
            (default: a private ``loop://`` link per kassapunkt). ``usb://`` plugs each
            printer in as an emulated USB device (serial number = kassapunkt id) and
            installs a pyusb backend holding them while the shop is open.
    """

    def __init__(self, config: TillConfig, *, registers: int = 2, printer_link: str | None = None) -> None:
        self.log = EvidenceLog()
        self.stations: dict[str, DeviceStation] = {}
        self.devices: dict[str, RegisterDevices] = {}
        tag = uuid.uuid4().hex[:8]
        self._usb: list[EmulatedUsbPrinterBackend] = []
        usb = printer_link == "usb://"
        try:
            for register in config.registers[:registers]:
                link = (printer_link or "loop://demo-{tag}-{register}").format(tag=tag, register=register.id)
                backend = EmulatedUsbPrinterBackend(serial=register.id) if usb else None
                if backend is not None:
                    self._usb.append(backend)
                    transport_usb.set_backend(EmulatedUsbBus(*self._usb))
                station = DeviceStation(
                    register.id,
                    printer_link=None if usb else link,
                    printer_usb=backend,
                    terminal=True,
                    log=self.log,
                )
                self.stations[register.id] = station
                self.devices[register.id] = open_devices(
                    register,
                    printer=station.pos_printer_url,
                    drawer="printer",
                    terminal=station.pos_terminal_url,
                )
        except BaseException:
            self.close()
            raise

    def close_drawer(self, register_id: str) -> None:
        """The cashier pushes the drawer of a kassapunkt shut if it is open.

        The till's port waits until the printer has executed a kick, so an opening the
        till asked for has happened by the time the till returns.
        """
        self.stations[register_id].drawer.close(cause="manual")

    def printed(self, register_id: str) -> list[tuple[bytes, str]]:
        """Every document the kassapunkt's printer received: raw bytes and decoded text."""
        return [
            (record.raw, str(record.data.get("text", "")))
            for record in self.log.since(0, kind="printer.document", source=f"{register_id}/printer")
        ]

    def close(self) -> None:
        """Close the till's links, then the emulators."""
        for devices in self.devices.values():
            if isinstance(devices.printer, EscposPrinterPort):
                devices.printer.close()
        for station in self.stations.values():
            station.close()
        if self._usb:
            transport_usb.set_backend(None)
            for backend in self._usb:
                backend.close()

    def __enter__(self) -> EmulatedShop:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
