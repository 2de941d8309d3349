"""The stand-alone terminal's own receipt: the § 2-8-8 marking printed at ≥ 1.5 × the amount's height.

The ESC/POS is read here with a deliberately small reader that knows only the commands the
renderer emits; an unknown command fails the test instead of being guessed.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from devices.terminal import NOT_A_SALES_RECEIPT, TerminalEmulator, approve, decline
from devices.terminal.cards import card_for
from devices.terminal.printout import render_escpos
from devices.terminal.receipt import Merchant, ReceiptFacts, build_receipt
from harness.evidence import EvidenceLog

FONT_A_HEIGHT = 24  # dots, Font A on TM-T88-class printers (devices.md §1.4)
ESC_PARAMS = {b"@": 0, b"t": 1, b"a": 1, b"E": 1, b"!": 1, b"d": 1, b"-": 1, b"G": 1, b"M": 1}
FIXED = datetime(2025, 3, 14, 12, 30, 5, tzinfo=ZoneInfo("Europe/Oslo"))


def text_runs(data: bytes) -> list[tuple[str, int]]:
    """Decode ``data`` into lines of (text, glyph height in dots)."""
    lines: list[tuple[str, int]] = []
    height = 1
    current = bytearray()
    current_height = 1
    i = 0
    while i < len(data):
        byte = data[i]
        if byte == 0x1B:  # ESC
            command = data[i + 1 : i + 2]
            assert command in ESC_PARAMS, f"unexpected ESC {command!r} at {i}"
            if command == b"@":
                height = 1
            elif command == b"!":
                height = 2 if data[i + 2] & 0x10 else 1
            i += 2 + ESC_PARAMS[command]
        elif byte == 0x1D:  # GS
            command = data[i + 1 : i + 2]
            if command == b"!":
                height = (data[i + 2] & 0x07) + 1
                i += 3
            elif command == b"V":
                i += 3 if data[i + 2] in (0, 1, 48, 49) else 4
            else:
                raise AssertionError(f"unexpected GS {command!r} at {i}")
        elif byte == 0x0A:
            lines.append((current.decode("cp865"), current_height * FONT_A_HEIGHT))
            current.clear()
            i += 1
        else:
            assert byte >= 0x20, f"unexpected control byte {byte:#04x} at {i}"
            if not current:
                current_height = height
            current_height = max(current_height, height)
            current.append(byte)
            i += 1
    return lines


def _facts(amount_ore: int = 21900) -> ReceiptFacts:
    return ReceiptFacts(
        kind="Payment",
        card=card_for("Visa"),
        amount_ore=amount_ore,
        approved=True,
        timestamp=FIXED,
        stan=1,
        reference="70000001.000001",
        approval_code="123456",
    )


MERCHANT = Merchant(name="Testbutikken AS", orgnr="987654321", bax="7654321", terminal_id="70000001")


def test_marking_is_at_least_half_again_as_tall_as_the_amount() -> None:
    receipt = build_receipt(_facts(), MERCHANT, "CustomerReceipt", standalone=True)
    lines = text_runs(render_escpos(receipt))
    marking_lines = [(text, h) for text, h in lines if text.strip() and h > FONT_A_HEIGHT]
    marking = " ".join(text.strip() for text, _ in marking_lines)
    assert marking == NOT_A_SALES_RECEIPT == "IKKJE KVITTERING FOR KJØP"
    amount_height = next(h for text, h in lines if "NOK 219,00" in text)
    assert amount_height == FONT_A_HEIGHT
    assert min(h for _, h in marking_lines) >= 1.5 * amount_height
    assert render_escpos(receipt).count(b"\x1d!\x11") == 1  # GS ! 0x11: double width and height
    assert render_escpos(receipt).startswith(b"\x1b@\x1bt\x05")  # ESC @, then PC865 Nordic


def test_double_width_marking_fits_the_paper() -> None:
    receipt = build_receipt(_facts(), MERCHANT, "CustomerReceipt", standalone=True)
    for text, height in text_runs(render_escpos(receipt, columns=48)):
        width = 2 if height > FONT_A_HEIGHT else 1
        assert len(text) * width <= 48, text


def test_integrated_receipt_has_no_marking_and_normal_size() -> None:
    receipt = build_receipt(_facts(), MERCHANT, "CustomerReceipt", standalone=False)
    lines = text_runs(render_escpos(receipt))
    assert all(height == FONT_A_HEIGHT for _, height in lines)
    assert not any("KVITTERING FOR" in text for text, _ in lines)


def test_emulator_prints_marked_receipt_for_keyed_and_declined() -> None:
    log = EvidenceLog()
    emulator = TerminalEmulator(log, standalone=True, clock=lambda: FIXED)
    emulator.script(approve("Mastercard"), decline("WrongPIN"))
    approved = emulator.keyed_payment(49900)
    declined = emulator.keyed_payment(100)
    assert approved is not None and approved.approved
    assert declined is not None and not declined.approved
    assert len(emulator.printed) == 2
    for document, amount_text in zip(emulator.printed, ("NOK 499,00", "NOK 1,00"), strict=True):
        lines = text_runs(document)
        amount_height = next(h for text, h in lines if amount_text in text)
        marking_height = next(h for text, h in lines if "IKKJE KVITTERING" in text)
        assert marking_height >= 1.5 * amount_height
    assert "Feil PIN" in [text.strip() for text, _ in text_runs(emulator.printed[1])]
    printouts = log.since(0, kind="terminal.printout")
    assert [r.raw for r in printouts] == emulator.printed
    assert printouts[0].data["marking"] == NOT_A_SALES_RECEIPT
