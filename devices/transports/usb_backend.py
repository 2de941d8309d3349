"""An emulated USB printer-class device, as a pyusb backend object (transfer level).

USB device-side emulation is impossible in an unprivileged container (no configfs, UDC
or kernel modules), but pyusb accepts any object implementing its backend interface
(devices.md §2.2, checked by experiment with pyusb 1.3.1). This backend presents one
printer-class device (interface class 07, subclass 01, protocol 02 bidirectional) with
bulk OUT endpoint 0x01 and bulk IN endpoint 0x82, and answers the class requests
GET_DEVICE_ID (bRequest 0), GET_PORT_STATUS (bRequest 1) and SOFT_RESET (bRequest 2),
plus the string descriptors (manufacturer, product, serial) pyusb reads.

OUT data is handed to the attached :class:`~devices.link.DeviceProtocol` (so a printer
emulator can sit behind it, exactly as on any other link); what that protocol writes to
its channel is served to bulk IN reads. Use it with ``usb.core.find(backend=...)``,
python-escpos' ``Usb(..., usb_args={"backend": backend})``, or
:func:`devices.transports.transport_usb.set_backend`. :meth:`as_link` gives a
:class:`~devices.link.Link` view so a tap can record the traffic.
"""

from __future__ import annotations

import array
import threading
from types import SimpleNamespace
from typing import Any

import usb.backend
import usb.core

from devices.link import Channel, Link, ProtocolFactory, TransportError
from devices.transports._buffer import ByteQueue
from devices.transports._session import Session

__all__ = ["DEFAULT_DEVICE_ID", "EmulatedUsbBus", "EmulatedUsbPrinterBackend"]

DEFAULT_DEVICE_ID = "MFG:EPSON;CMD:ESC/POS;MDL:TM-T88V;CLS:PRINTER;"
OUT_EP = 0x01
IN_EP = 0x82
_PRINTER_CLASS = 7
_ERRNO = {"busy": 16, "pipe": 32, "no_device": 19, "timeout": 110, "invalid": 22}


def _usb_error(message: str, reason: str) -> usb.core.USBError:
    return usb.core.USBError(message, errno=_ERRNO[reason])


class _UsbChannel(Channel):
    def __init__(self, backend: EmulatedUsbPrinterBackend) -> None:
        self.name = f"usb://{backend.vid:04x}:{backend.pid:04x} (emulated)"
        self._backend = backend

    def write(self, data: bytes) -> None:
        if not self._backend._in_queue.put(bytes(data)):
            raise TransportError(f"{self.name} is closed")

    def close(self) -> None:
        self._backend.close()


class EmulatedUsbPrinterBackend(usb.backend.IBackend):  # type: ignore[misc]
    """A pyusb backend holding one emulated USB printer.

    Args:
        vid: idVendor (default Epson ``04b8``).
        pid: idProduct (default TM-T88 ``0202``).
        device_id: The IEEE 1284 device ID returned by GET_DEVICE_ID.
        serial: The serial-number string descriptor.
        kernel_driver_active: Start as if ``usblp`` had bound the interface (claiming then fails until detached).

    Attributes:
        port_status: The GET_PORT_STATUS byte: ``0x08`` not-error, ``0x10`` selected, ``0x20`` paper empty
            (healthy = ``0x18``); set it to simulate faults.
        resets: How many times ``reset_device`` was called.
        soft_resets: How many SOFT_RESET class requests were received.
    """

    def __init__(
        self,
        vid: int = 0x04B8,
        pid: int = 0x0202,
        *,
        device_id: str = DEFAULT_DEVICE_ID,
        serial: str = "KK0001",
        manufacturer: str = "EPSON",
        product: str = "TM-T88V (emulated)",
        kernel_driver_active: bool = False,
    ) -> None:
        self.vid = vid
        self.pid = pid
        self.device_id = device_id
        self.port_status = 0x18
        self.resets = 0
        self.soft_resets = 0
        self.kernel_driver_active = kernel_driver_active
        self.serial = serial
        self._strings = {1: manufacturer, 2: product, 3: serial}
        self._lock = threading.Lock()
        self._configuration = 1  # Linux configures devices on enumeration
        self._claimed: set[int] = set()
        self._in_queue = ByteQueue()
        self._session: Session | None = None
        self._write_lock = threading.Lock()
        self.channel = _UsbChannel(self)
        self._device = SimpleNamespace(
            bLength=18,
            bDescriptorType=1,
            bcdUSB=0x0200,
            bDeviceClass=0,
            bDeviceSubClass=0,
            bDeviceProtocol=0,
            bMaxPacketSize0=64,
            idVendor=vid,
            idProduct=pid,
            bcdDevice=0x0100,
            iManufacturer=1,
            iProduct=2,
            iSerialNumber=3,
            bNumConfigurations=1,
            bus=1,
            address=7,
            port_number=1,
            port_numbers=(1,),
            speed=2,
        )
        self._config = SimpleNamespace(
            bLength=9,
            bDescriptorType=2,
            wTotalLength=32,
            bNumInterfaces=1,
            bConfigurationValue=1,
            iConfiguration=0,
            bmAttributes=0xC0,
            bMaxPower=50,
            extra_descriptors=[],
        )
        self._interface = SimpleNamespace(
            bLength=9,
            bDescriptorType=4,
            bInterfaceNumber=0,
            bAlternateSetting=0,
            bNumEndpoints=2,
            bInterfaceClass=_PRINTER_CLASS,
            bInterfaceSubClass=1,
            bInterfaceProtocol=2,
            iInterface=0,
            extra_descriptors=[],
        )
        self._endpoints = [
            SimpleNamespace(
                bLength=7,
                bDescriptorType=5,
                bEndpointAddress=address,
                bmAttributes=0x02,
                wMaxPacketSize=64,
                bInterval=0,
                bRefresh=0,
                bSynchAddress=0,
                extra_descriptors=[],
            )
            for address in (OUT_EP, IN_EP)
        ]

    # ------------------------------------------------------------------ device side

    def attach(self, factory: ProtocolFactory) -> None:
        """Put a device behind the USB printer: OUT data goes to ``factory()``'s ``data_received``."""
        with self._lock:
            if self._session is not None:
                raise TransportError(f"a device is already attached to {self.channel.name}")
            self._session = Session(factory(), self.channel)
        self._session.start()

    def close(self) -> None:
        """Unplug: end the device's session; later transfers fail with 'no device'."""
        self._in_queue.close()
        if self._session is not None:
            self._session.end(None)

    def as_link(self) -> Link:
        """A :class:`~devices.link.Link` view of this device (for :class:`~devices.transports.tap.TappedLink`)."""
        return _BackendLink(self)

    # ------------------------------------------------------------------ descriptors

    def enumerate_devices(self) -> Any:
        """The one emulated device."""
        yield self._device

    def get_parent(self, dev: Any) -> None:
        """Attached to a root port: no parent."""
        return None

    def get_device_descriptor(self, dev: Any) -> Any:
        """Device descriptor."""
        return self._device

    def get_configuration_descriptor(self, dev: Any, config: int) -> Any:
        """Configuration 0 (the only one)."""
        if config != 0:
            raise IndexError(f"configuration index {config} (the emulated printer has one)")
        return self._config

    def get_interface_descriptor(self, dev: Any, intf: int, alt: int, config: int) -> Any:
        """Interface 0, alternate setting 0 (printer class)."""
        if (intf, alt, config) != (0, 0, 0):
            raise IndexError(f"interface {intf} alt {alt} (the emulated printer has one)")
        return self._interface

    def get_endpoint_descriptor(self, dev: Any, ep: int, intf: int, alt: int, config: int) -> Any:
        """Endpoint 0 = bulk OUT 0x01, endpoint 1 = bulk IN 0x82."""
        if (intf, alt, config) != (0, 0, 0) or not 0 <= ep < len(self._endpoints):
            raise IndexError(f"endpoint index {ep}")
        return self._endpoints[ep]

    # ------------------------------------------------------------------ handles and state

    def open_device(self, dev: Any) -> object:
        """A handle (any object)."""
        if self._in_queue.closed:
            raise _usb_error("No such device (it was unplugged)", "no_device")
        return object()

    def close_device(self, dev_handle: Any) -> None:
        """Nothing to release."""

    def set_configuration(self, dev_handle: Any, config_value: int) -> None:
        """Select configuration 1 (or 0 = unconfigured)."""
        if config_value not in (0, 1):
            raise _usb_error(f"Invalid configuration {config_value}", "invalid")
        with self._lock:
            if self._claimed:
                raise _usb_error("Resource busy (release the interface first)", "busy")
            self._configuration = config_value

    def get_configuration(self, dev_handle: Any) -> int:
        """The active bConfigurationValue."""
        return self._configuration

    def set_interface_altsetting(self, dev_handle: Any, intf: int, altsetting: int) -> None:
        """Only alternate setting 0 exists."""
        if (intf, altsetting) != (0, 0):
            raise _usb_error(f"Invalid alternate setting {intf}/{altsetting}", "invalid")

    def claim_interface(self, dev_handle: Any, intf: int) -> None:
        """Claim interface 0; fails while the kernel driver holds it."""
        with self._lock:
            if intf != 0:
                raise _usb_error(f"Invalid interface {intf}", "invalid")
            if self.kernel_driver_active:
                raise _usb_error("Resource busy (usblp is bound; detach the kernel driver)", "busy")
            self._claimed.add(intf)

    def release_interface(self, dev_handle: Any, intf: int) -> None:
        """Release a claimed interface."""
        with self._lock:
            self._claimed.discard(intf)

    def is_kernel_driver_active(self, dev_handle: Any, intf: int) -> bool:
        """Whether the emulated ``usblp`` holds the interface."""
        return self.kernel_driver_active

    def detach_kernel_driver(self, dev_handle: Any, intf: int) -> None:
        """Unbind the emulated ``usblp``."""
        self.kernel_driver_active = False

    def attach_kernel_driver(self, dev_handle: Any, intf: int) -> None:
        """Re-bind the emulated ``usblp``."""
        self.kernel_driver_active = True

    def reset_device(self, dev_handle: Any) -> None:
        """Count resets (python-escpos resets on open); buffers are kept."""
        self.resets += 1

    def clear_halt(self, dev_handle: Any, ep: int) -> None:
        """Endpoints never halt here."""

    # ------------------------------------------------------------------ transfers

    def _check_claimed(self, intf: int) -> None:
        if self._in_queue.closed:
            raise _usb_error("No such device (it was unplugged)", "no_device")
        if self._configuration != 1 or intf not in self._claimed:
            raise _usb_error(f"interface {intf} is not claimed or the device is not configured", "invalid")

    def bulk_write(self, dev_handle: Any, ep: int, intf: int, data: array.array[int], timeout: int) -> int:
        """OUT transfer: deliver the bytes to the attached device."""
        self._check_claimed(intf)
        if ep != OUT_EP:
            raise _usb_error(f"endpoint {ep:#04x} is not the bulk OUT endpoint", "pipe")
        payload = data.tobytes()
        with self._write_lock:  # keep the order when several threads print
            if self._session is not None:
                self._session.feed(payload)
        return len(payload)

    def bulk_read(self, dev_handle: Any, ep: int, intf: int, buff: array.array[int], timeout: int) -> int:
        """IN transfer: what the device wrote, waiting up to ``timeout`` ms (0 = no limit, as libusb)."""
        self._check_claimed(intf)
        if ep != IN_EP:
            raise _usb_error(f"endpoint {ep:#04x} is not the bulk IN endpoint", "pipe")
        chunk = self._in_queue.get(len(buff), timeout / 1000.0 if timeout else 24 * 3600.0)
        if chunk is None:
            raise _usb_error("No such device (it was unplugged)", "no_device")
        if not chunk:
            raise usb.core.USBTimeoutError("Operation timed out", errno=_ERRNO["timeout"])
        for index, value in enumerate(chunk):  # pyusb buffers are array('B'): fill element-wise
            buff[index] = value
        return len(chunk)

    def ctrl_transfer(
        self,
        dev_handle: Any,
        bmRequestType: int,
        bRequest: int,
        wValue: int,
        wIndex: int,
        data: array.array[int],
        timeout: int,
    ) -> int:
        """Standard GET_DESCRIPTOR (strings) and the printer-class requests (devices.md §2.2)."""
        if self._in_queue.closed:
            raise _usb_error("No such device (it was unplugged)", "no_device")
        request = (bmRequestType, bRequest)
        if request == (0x80, 6) and wValue >> 8 == 3:  # GET_DESCRIPTOR, string
            reply = self._string_descriptor(wValue & 0xFF)
        elif request == (0xA1, 0):  # GET_DEVICE_ID: 2-byte big-endian length (incl. itself) + IEEE 1284 ID
            text = self.device_id.encode("latin-1")
            reply = (len(text) + 2).to_bytes(2, "big") + text
        elif request == (0xA1, 1):  # GET_PORT_STATUS
            reply = bytes([self.port_status & 0xFF])
        elif request in ((0x21, 2), (0x23, 2)):  # SOFT_RESET
            self.soft_resets += 1
            self._in_queue.get(1 << 20, 0.0)
            return 0
        else:
            raise _usb_error(f"Pipe error: request {bmRequestType:#04x}/{bRequest} is not supported", "pipe")
        reply = reply[: len(data)]
        for index, value in enumerate(reply):
            data[index] = value
        return len(reply)

    def _string_descriptor(self, index: int) -> bytes:
        if index == 0:
            return bytes([4, 3, 0x09, 0x04])  # LANGID table: en-US
        if index not in self._strings:
            raise _usb_error(f"Pipe error: no string descriptor {index}", "pipe")
        body = self._strings[index].encode("utf-16-le")
        return bytes([len(body) + 2, 3]) + body


class _BackendLink(Link):
    """The emulated USB printer seen as a link (one channel, like a serial line)."""

    def __init__(self, backend: EmulatedUsbPrinterBackend) -> None:
        self._backend = backend
        self.url = f"usb://{backend.vid:04x}:{backend.pid:04x}?serial={backend.serial}"

    def attach(self, factory: ProtocolFactory) -> None:
        self._backend.attach(factory)

    def close(self) -> None:
        self._backend.close()

    def describe(self) -> str:
        return f"emulated USB printer {self.url} (pyusb backend object; in-process only)"


class _BusDevice:
    """A device of an :class:`EmulatedUsbBus`: the backend that owns it and its own object."""

    __slots__ = ("backend", "dev")

    def __init__(self, backend: EmulatedUsbPrinterBackend, dev: Any) -> None:
        self.backend = backend
        self.dev = dev


class _BusHandle:
    __slots__ = ("backend", "handle")

    def __init__(self, backend: EmulatedUsbPrinterBackend, handle: Any) -> None:
        self.backend = backend
        self.handle = handle


class EmulatedUsbBus(usb.backend.IBackend):  # type: ignore[misc]
    """A pyusb backend with several emulated printers plugged in (one per kassapunkt).

    pyusb finds them with ``usb.core.find(..., custom_match=...)`` or, through
    :func:`devices.transports.transport_usb.connect`, by ``usb://VID:PID?serial=…``.
    Every call is passed to the backend of the device (or handle) concerned.

    Args:
        printers: The emulated printers, each with a distinct serial number.
    """

    def __init__(self, *printers: EmulatedUsbPrinterBackend) -> None:
        self.printers = printers

    def enumerate_devices(self) -> Any:
        """Every printer's device."""
        for backend in self.printers:
            for dev in backend.enumerate_devices():
                yield _BusDevice(backend, dev)

    def get_parent(self, dev: _BusDevice) -> None:
        """All on root ports."""
        return None

    def get_device_descriptor(self, dev: _BusDevice) -> Any:
        """Delegated to the device's backend."""
        return dev.backend.get_device_descriptor(dev.dev)

    def get_configuration_descriptor(self, dev: _BusDevice, config: int) -> Any:
        """Delegated to the device's backend."""
        return dev.backend.get_configuration_descriptor(dev.dev, config)

    def get_interface_descriptor(self, dev: _BusDevice, intf: int, alt: int, config: int) -> Any:
        """Delegated to the device's backend."""
        return dev.backend.get_interface_descriptor(dev.dev, intf, alt, config)

    def get_endpoint_descriptor(self, dev: _BusDevice, ep: int, intf: int, alt: int, config: int) -> Any:
        """Delegated to the device's backend."""
        return dev.backend.get_endpoint_descriptor(dev.dev, ep, intf, alt, config)

    def open_device(self, dev: _BusDevice) -> _BusHandle:
        """A handle remembering its backend."""
        return _BusHandle(dev.backend, dev.backend.open_device(dev.dev))

    def close_device(self, dev_handle: _BusHandle) -> None:
        """Delegated."""
        dev_handle.backend.close_device(dev_handle.handle)

    def set_configuration(self, dev_handle: _BusHandle, config_value: int) -> None:
        """Delegated."""
        dev_handle.backend.set_configuration(dev_handle.handle, config_value)

    def get_configuration(self, dev_handle: _BusHandle) -> int:
        """Delegated."""
        return int(dev_handle.backend.get_configuration(dev_handle.handle))

    def set_interface_altsetting(self, dev_handle: _BusHandle, intf: int, altsetting: int) -> None:
        """Delegated."""
        dev_handle.backend.set_interface_altsetting(dev_handle.handle, intf, altsetting)

    def claim_interface(self, dev_handle: _BusHandle, intf: int) -> None:
        """Delegated."""
        dev_handle.backend.claim_interface(dev_handle.handle, intf)

    def release_interface(self, dev_handle: _BusHandle, intf: int) -> None:
        """Delegated."""
        dev_handle.backend.release_interface(dev_handle.handle, intf)

    def is_kernel_driver_active(self, dev_handle: _BusHandle, intf: int) -> bool:
        """Delegated."""
        return bool(dev_handle.backend.is_kernel_driver_active(dev_handle.handle, intf))

    def detach_kernel_driver(self, dev_handle: _BusHandle, intf: int) -> None:
        """Delegated."""
        dev_handle.backend.detach_kernel_driver(dev_handle.handle, intf)

    def attach_kernel_driver(self, dev_handle: _BusHandle, intf: int) -> None:
        """Delegated."""
        dev_handle.backend.attach_kernel_driver(dev_handle.handle, intf)

    def reset_device(self, dev_handle: _BusHandle) -> None:
        """Delegated."""
        dev_handle.backend.reset_device(dev_handle.handle)

    def clear_halt(self, dev_handle: _BusHandle, ep: int) -> None:
        """Delegated."""
        dev_handle.backend.clear_halt(dev_handle.handle, ep)

    def bulk_write(self, dev_handle: _BusHandle, ep: int, intf: int, data: array.array[int], timeout: int) -> int:
        """Delegated."""
        return int(dev_handle.backend.bulk_write(dev_handle.handle, ep, intf, data, timeout))

    def bulk_read(self, dev_handle: _BusHandle, ep: int, intf: int, buff: array.array[int], timeout: int) -> int:
        """Delegated."""
        return int(dev_handle.backend.bulk_read(dev_handle.handle, ep, intf, buff, timeout))

    def ctrl_transfer(
        self,
        dev_handle: _BusHandle,
        bmRequestType: int,
        bRequest: int,
        wValue: int,
        wIndex: int,
        data: Any,
        timeout: int,
    ) -> Any:
        """Delegated."""
        backend = dev_handle.backend
        return backend.ctrl_transfer(dev_handle.handle, bmRequestType, bRequest, wValue, wIndex, data, timeout)
