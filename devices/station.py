"""A device station: the emulated peripherals of one kassapunkt, served on real links.

One :class:`DeviceStation` is what a lab bench holds for a till: a receipt printer with
a cash drawer on its kick connector, served on a link chosen by URL (``loop://``,
``pty://``, ``tcp://127.0.0.1:0`` …), and a payment terminal speaking nexo over HTTP on
loopback. Everything the POS does to them lands in one evidence log.

:attr:`DeviceStation.pos_printer_url` is the URL the POS opens to reach the printer
(for the reference till: the ``printer`` of its kassapunkt):

==================  ====================================
link URL            URL for the POS
==================  ====================================
``loop://NAME``     ``loop://NAME``
``pty://``          ``serial:///dev/pts/N`` (the slave)
``tcp://H:P``       ``tcp://H:P`` (the real port if 0)
(a USB backend)     ``usb://VID:PID?serial=S``
==================  ====================================

A printer can also be plugged in as an emulated USB device
(:class:`~devices.transports.usb_backend.EmulatedUsbPrinterBackend`, ``printer_usb=``); the
POS then finds it through pyusb with that backend installed.

Used by the demo day (``kassakontroll till demo``), by ``kassakontroll devices serve``
and by the tests that run the reference till through every transport.
"""

from __future__ import annotations

from devices.drawer import DrawerEmulator, SensorLevel
from devices.escpos import PrinterEmulator
from devices.link import Link
from devices.terminal import TerminalEmulator, TerminalServer
from devices.transports import open_link
from devices.transports.tap import TappedLink
from devices.transports.usb_backend import EmulatedUsbPrinterBackend
from harness.evidence import EvidenceLog

__all__ = ["DeviceStation", "pos_url"]


def pos_url(link: Link) -> str:
    """The URL a POS opens to reach a device served on ``link``."""
    slave = getattr(link, "slave_path", None)
    if isinstance(slave, str) and slave:
        return f"serial://{slave}"
    return link.url


class DeviceStation:
    """Printer, drawer and terminal of one kassapunkt, emulated and served.

    Args:
        name: Prefix for evidence sources (``K1`` gives ``K1/printer``, ``K1/drawer`` ...).
        printer_link: Link URL to serve the printer on (``None``: no printer link).
        terminal: Serve a payment terminal over HTTP on 127.0.0.1.
        log: Evidence log shared with other stations (a new one if omitted).
        profile: Printer profile name.
        drawer_open_level: Pin-3 level meaning open.
        terminal_port: TCP port for the terminal (0: any free port).
        printer_usb: Serve the printer as this emulated USB device instead of on a link URL.
    """

    def __init__(
        self,
        name: str,
        *,
        printer_link: str | None = "loop://",
        terminal: bool = True,
        log: EvidenceLog | None = None,
        profile: str = "TM-T88",
        drawer_open_level: SensorLevel = "high",
        terminal_port: int = 0,
        printer_usb: EmulatedUsbPrinterBackend | None = None,
    ) -> None:
        self.name = name
        self.log = log if log is not None else EvidenceLog()
        self.drawer = DrawerEmulator(self.log, name=f"{name}/drawer", open_level=drawer_open_level)
        self.printer = PrinterEmulator(profile=profile, log=self.log, drawer=self.drawer, name=f"{name}/printer")
        self.terminal = TerminalEmulator(self.log, name=f"{name}/terminal")
        self.link: Link | None = None
        self.server: TerminalServer | None = None
        self.usb = printer_usb
        try:
            if printer_usb is not None:
                self.link = TappedLink(printer_usb.as_link(), self.log)
                self.link.attach(self.printer.session)
            elif printer_link is not None:
                self.link = open_link(printer_link, log=self.log)
                self.link.attach(self.printer.session)
            if terminal:
                self.server = TerminalServer(self.terminal, "127.0.0.1", terminal_port)
                self.server.start()
        except BaseException:
            self.close()
            raise

    @property
    def pos_printer_url(self) -> str:
        """The URL the POS uses to reach the printer ("" without a printer link)."""
        if self.usb is not None:
            return f"usb://{self.usb.vid:04x}:{self.usb.pid:04x}?serial={self.usb.serial}"
        return pos_url(self.link) if self.link is not None else ""

    @property
    def pos_terminal_url(self) -> str:
        """The URL the POS uses to reach the terminal ("" without one)."""
        return self.server.url if self.server is not None else ""

    def describe(self) -> str:
        """One line per device for a lab technician."""
        lines = []
        if self.link is not None:
            lines.append(f"{self.name} printer: {self.link.describe()}  (POS: {self.pos_printer_url})")
        if self.server is not None:
            lines.append(f"{self.name} terminal: nexo JSON over HTTP at {self.server.url}")
        return "\n".join(lines)

    def close(self) -> None:
        """Stop serving; idempotent."""
        if self.link is not None:
            self.link.close()
        if self.server is not None:
            self.server.close()
        self.drawer.shutdown()

    def __enter__(self) -> DeviceStation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
