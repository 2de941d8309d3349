"""The cash drawer emulator: kicks, sensor polarity, faults, auto-close and a standalone trigger."""

from __future__ import annotations

import threading

import pytest

from devices.drawer import DrawerEmulator
from devices.link import Channel
from harness.evidence import EvidenceLog


class _NullChannel(Channel):
    name = "test"

    def write(self, data: bytes) -> None:
        raise AssertionError("a drawer never answers")

    def close(self) -> None:
        pass


def test_kick_opens_and_is_recorded_with_timing() -> None:
    log = EvidenceLog()
    drawer = DrawerEmulator(log)
    assert drawer.pulse(pin=2, on_ms=100, off_ms=100, source="ESC p") is True
    assert drawer.is_open and drawer.pin3_high()
    # A second kick while open does not "open" it again but is still evidence.
    assert drawer.pulse(pin=5, on_ms=200, off_ms=200, source="DLE DC4") is False
    kicks = log.since(0, kind="drawer.kick")
    assert [(k.data["pin"], k.data["on_ms"], k.data["opened"], k.data["was_open"]) for k in kicks] == [
        (2, 100, True, False),
        (5, 200, False, True),
    ]
    assert [s.data["cause"] for s in log.since(0, kind="drawer.sensor")] == ["kick"]
    assert drawer.close() and not drawer.is_open
    assert drawer.kicks == 2 and drawer.openings == 1


@pytest.mark.parametrize(("open_level", "high_when_open"), [("high", True), ("low", False)])
def test_sensor_polarity(open_level: str, high_when_open: bool) -> None:
    drawer = DrawerEmulator(open_level=open_level)  # type: ignore[arg-type]
    assert drawer.pin3_high() is (not high_when_open)
    drawer.open_manually()
    assert drawer.pin3_high() is high_when_open


def test_faults() -> None:
    log = EvidenceLog()
    drawer = DrawerEmulator(log)
    drawer.set_fault("will_not_open")
    assert drawer.pulse(pin=2, on_ms=50, off_ms=500, source="ESC p") is False
    assert not drawer.is_open
    drawer.set_fault("stuck_open")
    drawer.pulse(pin=2, on_ms=50, off_ms=500, source="ESC p")
    assert drawer.is_open
    assert drawer.close() is False and drawer.is_open  # stuck open
    drawer.set_fault(None)
    assert drawer.close() is True
    with pytest.raises(ValueError, match="unknown drawer fault"):
        drawer.set_fault("on_fire")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="pin 2 or pin 5"):
        drawer.pulse(pin=3, on_ms=1, off_ms=1, source="ESC p")


def test_auto_close_and_change_listener() -> None:
    closed = threading.Event()
    drawer = DrawerEmulator(auto_close_after=0.01)
    changes: list[bool] = []

    def listener(is_open: bool) -> None:
        changes.append(is_open)
        if not is_open:
            closed.set()

    drawer.on_change(listener)
    drawer.pulse(pin=2, on_ms=50, off_ms=500, source="ESC p")
    assert closed.wait(5.0)
    assert changes == [True, False]
    assert drawer.log.since(0, kind="drawer.sensor")[-1].data["cause"] == "timer"
    drawer.shutdown()


def test_standalone_drawer_opens_on_trigger_split_across_chunks() -> None:
    drawer = DrawerEmulator(trigger=b"[[")
    protocol = drawer.session()
    protocol.connection_made(_NullChannel())
    protocol.data_received(b"xx[")
    assert not drawer.is_open
    protocol.data_received(b"[yy")
    assert drawer.is_open
    drawer.close()
    protocol.data_received(b"[[[[")
    assert drawer.kicks == 3  # two triggers in the last chunk, one before
