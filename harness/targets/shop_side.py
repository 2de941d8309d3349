"""The harness's side of a target: the printer, drawer and terminal the harness plays.

Whatever drives the till (in process, over the upper-tester API, or a lab technician),
the devices it prints to, kicks and pays through are the harness's emulators. This mixin
puts them into the states scenarios need -- paper out or cover open (also mid-document), a
drawer stuck open, a terminal that declines -- and pushes the drawer shut the way a cashier's hand would. It
needs ``self.shop``, an :class:`~reference_till.demo_devices.EmulatedShop` (or anything with
the same ``stations``).
"""

from __future__ import annotations

from devices.station import DeviceStation
from devices.terminal import outcomes
from harness.targets.base import TargetError, TillDriver
from reference_till.demo_devices import EmulatedShop

__all__ = ["ShopSide"]

_OUTCOMES = ("approve", "decline", "timeout", "abort")


class ShopSide(TillDriver):
    """Device-side verbs of a target whose devices are emulated by the harness (see module doc)."""

    shop: EmulatedShop

    def _station(self, register: str) -> DeviceStation:
        try:
            return self.shop.stations[register]
        except KeyError:
            known = ", ".join(self.shop.stations)
            raise TargetError(f"{self.name}: no emulated devices for kassapunkt {register!r}; known: {known}") from None

    def close_drawer(self, register: str) -> None:
        """Push the emulated drawer shut (a stuck drawer stays open)."""
        self._station(register).drawer.close(cause="manual")

    def set_printer(
        self, register: str, *, paper_out: bool = False, cover_open: bool = False, after_lines: int = 0
    ) -> None:
        """Put the emulated printer into paper-out or cover-open state (or back to ready), now or mid-document."""
        printer = self._station(register).printer
        if after_lines < 0 or (after_lines and paper_out == cover_open):
            raise TargetError(
                f"set_printer({register!r}, after_lines={after_lines}): give after_lines ≥ 1 with exactly one of "
                "paper_out=True or cover_open=True, or after_lines=0 for a state that holds from now on"
            )
        if after_lines:
            printer.fail_after_lines(after_lines, paper_out=paper_out, cover_open=cover_open)
            return
        printer.fail_after_lines(0)  # the state the scenario sets now replaces a fault still waiting
        printer.set_state(paper="out" if paper_out else "ok", cover_open=cover_open)

    def set_drawer(self, register: str, *, stuck_open: bool = False) -> None:
        """Make the emulated drawer stick open, or work again."""
        self._station(register).drawer.set_fault("stuck_open" if stuck_open else None)

    def script_terminal(self, register: str, outcome: str, seconds: float = 0.0) -> None:
        """Script the emulated terminal's answer to the next payment request."""
        if outcome not in _OUTCOMES:
            raise TargetError(f"terminal outcome {outcome!r} is not one of {', '.join(_OUTCOMES)}")
        made = {
            "approve": lambda: outcomes.approve(),
            "decline": lambda: outcomes.decline(),
            "timeout": lambda: outcomes.timeout(seconds or 8.0),
            "abort": lambda: outcomes.abort(),
        }[outcome]()
        self._station(register).terminal.script(made)
