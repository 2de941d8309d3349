"""USB link (POS side): talk to a USB printer-class device through pyusb, as its host.

For a lab with a real USB receipt printer, and for harness code paths that use USB.
:func:`connect` finds the device (``usb.core.find``), detaches a kernel driver
(``usblp``) if one is bound, claims the printer-class interface (class 07) and finds its
bulk OUT and bulk IN endpoints (devices.md §2.2). ``write`` is a bulk OUT transfer,
``read`` a bulk IN transfer (a timeout returns ``b""``); :meth:`UsbPrinterConnection.device_id`
and :meth:`UsbPrinterConnection.port_status` issue the printer-class requests
GET_DEVICE_ID and GET_PORT_STATUS.

Device side USB emulation is not possible without kernel support; tests inject an
:class:`~devices.transports.usb_backend.EmulatedUsbPrinterBackend` with
:func:`set_backend` (or ``connect(..., backend=...)``). Without one, pyusb picks libusb
(Debian ``libusb-1.0-0``, or PyPI ``libusb-package``).

URL format: ``usb://VID:PID[?serial=S&interface=N&out_ep=E&in_ep=E]``

* ``VID:PID``: hexadecimal vendor and product id, e.g. ``usb://04b8:0202`` (Epson TM-T88).
* ``serial=S``: pick the device whose serial-number string is ``S`` (several identical printers).
* ``interface=N``: use interface number N instead of the first printer-class one (needed for
  printers reporting a vendor-specific class, like the TM-T88IV).
* ``out_ep=E``, ``in_ep=E``: endpoint addresses (hex ``0x01`` or decimal) instead of the first
  bulk OUT / bulk IN endpoint of the interface (endpoint numbers differ by model).
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import usb.core
import usb.util

from devices.link import HostConnection, TransportError
from devices.transports._urls import UrlGrammar

__all__ = [
    "URL_FORMAT",
    "PortStatus",
    "UsbPrinterConnection",
    "connect",
    "is_usable",
    "parse_device_id",
    "set_backend",
]

URL_FORMAT = (
    "usb://VID:PID[?serial=S&interface=N&out_ep=E&in_ep=E]  (VID:PID in hex, e.g. usb://04b8:0202; "
    "endpoints as 0x01 or decimal)"
)
_GRAMMAR = UrlGrammar("usb", URL_FORMAT)
_VID_PID = re.compile(r"^([0-9A-Fa-f]{1,4}):([0-9A-Fa-f]{1,4})$")
_PRINTER_CLASS = 7
_backend: Any = None


def is_usable() -> bool:
    """Always usable (pyusb is a dependency); whether a libusb backend exists is checked on connect."""
    return True


def set_backend(backend: Any) -> None:
    """Use ``backend`` (a pyusb backend object) for every later :func:`connect`; ``None`` restores libusb."""
    global _backend
    _backend = backend


@dataclass(frozen=True)
class PortStatus:
    """The GET_PORT_STATUS byte (USB printer class; devices.md §2.2).

    Attributes:
        raw: The byte as received (healthy = ``0x18``).
    """

    raw: int

    @property
    def not_error(self) -> bool:
        """Bit 3 (``0x08``): no error."""
        return bool(self.raw & 0x08)

    @property
    def selected(self) -> bool:
        """Bit 4 (``0x10``): selected (online)."""
        return bool(self.raw & 0x10)

    @property
    def paper_empty(self) -> bool:
        """Bit 5 (``0x20``): paper empty."""
        return bool(self.raw & 0x20)


def parse_device_id(text: str) -> dict[str, str]:
    """Split an IEEE 1284 device ID (``MFG:EPSON;CMD:ESC/POS;...``) into its keys and values."""
    fields: dict[str, str] = {}
    for item in text.split(";"):
        key, sep, value = item.partition(":")
        if sep and key.strip():
            fields[key.strip()] = value.strip()
    return fields


def _endpoint_filter(direction: int) -> Any:
    def match(endpoint: Any) -> bool:
        return bool(
            usb.util.endpoint_direction(endpoint.bEndpointAddress) == direction
            and usb.util.endpoint_type(endpoint.bmAttributes) == usb.util.ENDPOINT_TYPE_BULK
        )

    return match


class UsbPrinterConnection(HostConnection):
    """The host end of a USB printer; see the module docstring.

    Attributes:
        device: The pyusb ``Device``.
        interface_number: The claimed interface.
        out_ep: Bulk OUT endpoint address.
        in_ep: Bulk IN endpoint address (``None`` for a unidirectional printer).
    """

    def __init__(self, url: str, options: dict[str, Any], timeout: float, backend: Any) -> None:
        self.url = url
        self._timeout_ms = max(1, int(timeout * 1000))
        self._lock = threading.Lock()
        self._pending = bytearray()
        self._closed = False
        self._detached = False
        self.device = self._find(options, backend)
        try:
            self._claim(options)
        except BaseException:
            usb.util.dispose_resources(self.device)
            raise

    def _find(self, options: dict[str, Any], backend: Any) -> Any:
        wanted_serial = options.get("serial")

        def serial_matches(device: Any) -> bool:
            if wanted_serial is None:
                return True
            try:
                return bool(device.serial_number == wanted_serial)
            except (usb.core.USBError, ValueError):
                return False

        try:
            device = usb.core.find(
                idVendor=options["vid"], idProduct=options["pid"], backend=backend, custom_match=serial_matches
            )
        except usb.core.NoBackendError:
            raise TransportError(
                "pyusb found no USB backend: install libusb (apt-get install libusb-1.0-0, or pip install "
                "libusb-package)"
            ) from None
        if device is None:
            which = f"{options['vid']:04x}:{options['pid']:04x}"
            serial = f" with serial {wanted_serial!r}" if wanted_serial else ""
            raise TransportError(
                f"no USB device {which}{serial} found for {self.url}; check the cable and `lsusb`, "
                f"and that this user may open it (udev rule)"
            )
        return device

    def _claim(self, options: dict[str, Any]) -> None:
        device = self.device
        try:
            try:
                config = device.get_active_configuration()
            except usb.core.USBError:
                device.set_configuration()
                config = device.get_active_configuration()
            if options.get("interface") is not None:
                interface = usb.util.find_descriptor(config, bInterfaceNumber=options["interface"])
            else:
                interface = usb.util.find_descriptor(config, bInterfaceClass=_PRINTER_CLASS)
            if interface is None:
                classes = ", ".join(f"{i.bInterfaceNumber}: class {i.bInterfaceClass:#04x}" for i in config)
                raise TransportError(
                    f"{self.url}: no printer-class interface (class 07) found (interfaces {classes}); "
                    f"name one with ?interface=N"
                )
            self.interface_number = int(interface.bInterfaceNumber)
            self._alternate = int(interface.bAlternateSetting)
            try:
                if device.is_kernel_driver_active(self.interface_number):
                    device.detach_kernel_driver(self.interface_number)
                    self._detached = True
            except NotImplementedError:
                pass  # backends without kernel drivers (Windows, emulated)
            usb.util.claim_interface(device, self.interface_number)
            self.out_ep = self._endpoint(interface, options.get("out_ep"), usb.util.ENDPOINT_OUT, "out_ep")
            self.in_ep = self._endpoint(interface, options.get("in_ep"), usb.util.ENDPOINT_IN, "in_ep", optional=True)
        except usb.core.USBError as error:
            raise TransportError(
                f"cannot claim the printer interface of {self.url}: {error}; close other programs using "
                f"the printer and check permissions"
            ) from None

    def _endpoint(self, interface: Any, wanted: int | None, direction: int, option: str, optional: bool = False) -> Any:
        if wanted is not None:
            found = usb.util.find_descriptor(interface, bEndpointAddress=wanted)
            if found is None:
                addresses = ", ".join(f"{e.bEndpointAddress:#04x}" for e in interface)
                raise TransportError(f"{self.url}: {option}={wanted:#04x} does not exist (endpoints: {addresses})")
            return int(found.bEndpointAddress)
        found = usb.util.find_descriptor(interface, custom_match=_endpoint_filter(direction))
        if found is None:
            if optional:
                return None
            raise TransportError(f"{self.url}: the printer interface has no bulk OUT endpoint; name one with {option}")
        return int(found.bEndpointAddress)

    def write(self, data: bytes) -> None:
        """Bulk OUT: send all of ``data`` to the printer."""
        view = bytes(data)
        with self._lock:
            self._check_open()
            try:
                while view:
                    written = int(self.device.write(self.out_ep, view, self._timeout_ms))
                    view = view[written:]
            except usb.core.USBTimeoutError:
                raise TransportError(
                    f"{self.url} did not accept data within {self._timeout_ms} ms (offline, paper out or cover open?)"
                ) from None
            except usb.core.USBError as error:
                raise TransportError(f"writing to {self.url} failed: {error}") from None

    def read(self, size: int, timeout: float) -> bytes:
        """Bulk IN: up to ``size`` bytes; ``b""`` on timeout (or after ``timeout`` for a unidirectional printer)."""
        with self._lock:
            self._check_open()
            if self._pending:
                chunk = bytes(self._pending[:size])
                del self._pending[:size]
                return chunk
            if self.in_ep is None:
                time.sleep(max(0.0, timeout))
                return b""
            # libusb: 0 means no limit, so never pass 0; read whole packets and keep any excess
            try:
                data = bytes(self.device.read(self.in_ep, max(size, 64), max(1, int(timeout * 1000))))
            except usb.core.USBTimeoutError:
                return b""
            except usb.core.USBError as error:
                raise TransportError(f"reading from {self.url} failed: {error}") from None
            self._pending += data[size:]
            return data[:size]

    def device_id(self) -> str:
        """GET_DEVICE_ID: the IEEE 1284 device ID string (see :func:`parse_device_id`)."""
        with self._lock:
            self._check_open()
            raw = self._control(0, 0, (self.interface_number << 8) | self._alternate, 1024)
        if len(raw) < 2:
            raise TransportError(f"{self.url} sent a malformed GET_DEVICE_ID reply ({raw.hex()})")
        length = int.from_bytes(raw[:2], "big")  # includes the two length bytes
        return raw[2:length].decode("latin-1")

    def port_status(self) -> PortStatus:
        """GET_PORT_STATUS: the coarse status byte (not-error, selected, paper empty)."""
        with self._lock:
            self._check_open()
            raw = self._control(1, 0, self.interface_number, 1)
        if not raw:
            raise TransportError(f"{self.url} sent an empty GET_PORT_STATUS reply")
        return PortStatus(raw[0])

    def _control(self, request: int, value: int, index: int, length: int) -> bytes:
        try:
            return bytes(self.device.ctrl_transfer(0xA1, request, value, index, length, self._timeout_ms))
        except usb.core.USBError as error:
            raise TransportError(f"class request {request} to {self.url} failed: {error}") from None

    def _check_open(self) -> None:
        if self._closed:
            raise TransportError(f"{self.url} is closed")

    def close(self) -> None:
        """Release the interface, re-attach the kernel driver if it was detached; idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                usb.util.release_interface(self.device, self.interface_number)
                if self._detached:
                    self.device.attach_kernel_driver(self.interface_number)
            except (usb.core.USBError, NotImplementedError):
                pass  # unplugged meanwhile
            finally:
                usb.util.dispose_resources(self.device)


def _parse(url: str) -> dict[str, Any]:
    body, options = _GRAMMAR.split(url)
    _GRAMMAR.check_known(url, options, ("serial", "interface", "out_ep", "in_ep"))
    match = _VID_PID.match(body)
    if match is None:
        raise _GRAMMAR.error(url, f"bad VID:PID {body!r} (two hex numbers, e.g. 04b8:0202)")
    parsed: dict[str, Any] = {"vid": int(match.group(1), 16), "pid": int(match.group(2), 16)}
    if "serial" in options:
        parsed["serial"] = options["serial"]
    if "interface" in options:
        parsed["interface"] = _GRAMMAR.integer(url, "interface", options["interface"], minimum=0, maximum=255)
    for name in ("out_ep", "in_ep"):
        if name in options:
            try:
                parsed[name] = int(options[name], 0)
            except ValueError:
                raise _GRAMMAR.error(url, f"option {name}={options[name]!r} is not an endpoint address") from None
            if not 0 < parsed[name] <= 0xFF:
                raise _GRAMMAR.error(url, f"option {name}={options[name]} is not an endpoint address (1-0xff)")
    return parsed


def connect(url: str, timeout: float = 5.0, *, backend: Any = None) -> UsbPrinterConnection:
    """Open a USB printer as its host (see the module docstring for the URL format).

    Args:
        url: ``usb://VID:PID[?...]``.
        timeout: Seconds allowed per transfer for writes and control requests.
        backend: A pyusb backend object; default: the one from :func:`set_backend`, else libusb.
    """
    options = _parse(url)
    return UsbPrinterConnection(url, options, timeout, backend if backend is not None else _backend)
