"""Cash drawer emulator: kicks, the pin-3 sensor, timing and faults.

A receipt printer drives the drawer through its DK port (devices.md §3.1): ``ESC p m t1 t2``
(buffered; pulse ON ``t1 × 2`` ms, OFF ``t2 × 2`` ms) or ``DLE DC4 1 m t`` (real-time; ON
= OFF = ``t × 100`` ms) on connector pin 2 (``m = 0``) or pin 5 (``m = 1``). The printer
emulator calls :meth:`DrawerEmulator.pulse` for each; either pin opens the one drawer
(emupos' model). The drawer reports its state on pin 3, read back through the printer's
status (``DLE EOT 1`` bit 2, ``GS r 2`` bit 0, ASB byte 1 bit 2). Whether pin 3 HIGH means
*open* depends on the drawer's switch, so the polarity is configurable (§3.2).

A standalone drawer (APG SerialPRO style, §3.3) opens on a byte sequence on its own
serial line: :meth:`DrawerEmulator.session` is the protocol factory for such a link.

Why it matters: kassasystemforskrifta § 2-4 (the drawer opens only on a sale or a
journaled "nullinnslag") and § 2-6 femte ledd (no registration while the drawer is
open). Every kick and every sensor change is evidence:

================  ==========================================================
``drawer.kick``   a pulse was commanded: ``pin``, ``on_ms``, ``off_ms``, ``source``
                  (``ESC p`` / ``DLE DC4`` / ``serial``), ``embedded`` (hidden in
                  image data), ``opened`` (false when already open or jammed)
``drawer.sensor`` the sensor changed: ``open``, ``level`` (pin 3 ``high``/``low``),
                  ``cause`` (``kick`` / ``manual`` / ``timer`` / ``command``)
``drawer.fault``  a fault was set or cleared: ``fault``
================  ==========================================================

A sensor change to open without a kick is a key opening; the harness must find a
journaled manual opening for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Literal

from devices.link import Channel, DeviceProtocol
from harness.evidence import EvidenceLog

__all__ = ["DrawerEmulator", "DrawerFault", "SensorLevel"]

SensorLevel = Literal["high", "low"]
DrawerFault = Literal["stuck_open", "will_not_open"]
_FAULTS = ("stuck_open", "will_not_open")


class DrawerEmulator:
    """One cash drawer with a pin-3 sensor.

    Args:
        log: Evidence log for kicks and sensor changes (a private one if omitted).
        name: Source name in the evidence log.
        open_level: Pin-3 level that means *open* (``"high"``, the Epson/emupos default, or ``"low"``).
        auto_close_after: Seconds after which an opened drawer closes by itself (the
            cashier pushing it shut); ``None`` keeps it open until :meth:`close`.
        trigger: Byte sequence that opens a standalone drawer on its own link (APG: ``BEL``).

    Example:
        >>> drawer = DrawerEmulator()
        >>> drawer.pulse(pin=2, on_ms=100, off_ms=100, source="ESC p")
        True
        >>> drawer.is_open, drawer.pin3_high()
        (True, True)
        >>> drawer.close()
        True
    """

    def __init__(
        self,
        log: EvidenceLog | None = None,
        *,
        name: str = "drawer",
        open_level: SensorLevel = "high",
        auto_close_after: float | None = None,
        trigger: bytes = b"\x07",
    ) -> None:
        if open_level not in ("high", "low"):
            raise ValueError(f"open_level is {open_level!r}; use 'high' or 'low' (the pin-3 level meaning open)")
        if auto_close_after is not None and auto_close_after < 0:
            raise ValueError("auto_close_after must be at least 0 seconds, or None to stay open")
        if not trigger:
            raise ValueError("a standalone drawer needs a non-empty trigger sequence")
        self.log = log if log is not None else EvidenceLog()
        self.name = name
        self.open_level: SensorLevel = open_level
        self.auto_close_after = auto_close_after
        self.trigger = bytes(trigger)
        self._lock = threading.RLock()
        self._open = False
        self._fault: DrawerFault | None = None
        self._timer: threading.Timer | None = None
        self._listeners: list[Callable[[bool], None]] = []
        self.kicks = 0  #: pulses commanded so far
        self.openings = 0  #: times the drawer actually opened (kick or manual)

    # ------------------------------------------------------------------ state

    @property
    def is_open(self) -> bool:
        """Whether the drawer is open now."""
        with self._lock:
            return self._open

    @property
    def fault(self) -> DrawerFault | None:
        """The active fault, if any."""
        with self._lock:
            return self._fault

    def pin3_high(self) -> bool:
        """The pin-3 level the printer reads: HIGH when open if ``open_level`` is ``"high"``."""
        with self._lock:
            return self._open == (self.open_level == "high")

    def on_change(self, listener: Callable[[bool], None]) -> None:
        """Call ``listener(is_open)`` after every sensor change (the printer sends ASB on it)."""
        with self._lock:
            self._listeners.append(listener)

    # ------------------------------------------------------------------ actions

    def pulse(self, *, pin: int, on_ms: int, off_ms: int, source: str, embedded: bool = False) -> bool:
        """A kick-out pulse on connector pin 2 or 5; returns whether the drawer opened.

        Args:
            pin: Connector pin, 2 (drawer 1) or 5 (drawer 2); both open this drawer.
            on_ms: Pulse ON time in milliseconds.
            off_ms: Pulse OFF time in milliseconds.
            source: The command that caused it (``ESC p``, ``DLE DC4``, ``serial`` ...).
            embedded: The command was hidden inside another command's data (image bytes).
        """
        if pin not in (2, 5):
            raise ValueError(f"pin {pin}: the drawer kick connector drives pin 2 or pin 5")
        with self._lock:
            self.kicks += 1
            opened = not self._open and self._fault != "will_not_open"
            self.log.append(
                self.name,
                "drawer.kick",
                pin=pin,
                on_ms=on_ms,
                off_ms=off_ms,
                source=source,
                embedded=embedded,
                opened=opened,
                was_open=self._open,
            )
            if opened:
                self._set(True, "kick")
            return opened

    def open_manually(self) -> bool:
        """Open with the key (no kick); returns whether it opened."""
        with self._lock:
            if self._open:
                return False
            self._set(True, "manual")
            return True

    def close(self, cause: str = "command") -> bool:
        """Push the drawer shut; returns whether it closed (not when stuck open)."""
        with self._lock:
            if not self._open or self._fault == "stuck_open":
                return False
            self._set(False, cause)
            return True

    def set_fault(self, fault: DrawerFault | None) -> None:
        """Set (``stuck_open``, ``will_not_open``) or clear (``None``) a fault."""
        if fault is not None and fault not in _FAULTS:
            raise ValueError(f"unknown drawer fault {fault!r}; use one of {', '.join(_FAULTS)} or None")
        with self._lock:
            self._fault = fault
            self.log.append(self.name, "drawer.fault", fault=fault)

    def _set(self, is_open: bool, cause: str) -> None:
        self._open = is_open
        if is_open:
            self.openings += 1
        level = "high" if self.pin3_high() else "low"
        self.log.append(self.name, "drawer.sensor", open=is_open, level=level, cause=cause)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if is_open and self.auto_close_after is not None:
            self._timer = threading.Timer(self.auto_close_after, self.close, kwargs={"cause": "timer"})
            self._timer.daemon = True
            self._timer.start()
        for listener in list(self._listeners):
            listener(is_open)

    def shutdown(self) -> None:
        """Cancel a pending auto-close timer (at the end of a run)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    # ------------------------------------------------------------------ standalone drawer

    def session(self) -> DeviceProtocol:
        """Protocol for a standalone drawer on its own link: opens on :attr:`trigger`."""
        return _TriggerProtocol(self)


class _TriggerProtocol(DeviceProtocol):
    """Watches a serial line for the drawer's opening sequence (APG SerialPRO: ``BEL``)."""

    def __init__(self, drawer: DrawerEmulator) -> None:
        self._drawer = drawer
        self._tail = b""

    def connection_made(self, channel: Channel) -> None:
        self._tail = b""

    def data_received(self, data: bytes) -> None:
        trigger = self._drawer.trigger
        window = self._tail + data
        start = 0
        while (found := window.find(trigger, start)) >= 0:
            self._drawer.pulse(pin=2, on_ms=0, off_ms=0, source="serial")
            start = found + len(trigger)
        # Keep just enough to find a trigger split across chunks.
        keep = max(start, len(window) - (len(trigger) - 1))
        self._tail = window[keep:]
