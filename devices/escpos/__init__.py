"""ESC/POS receipt printer emulation: tokenizer, code pages, document model, status replies.

Layers (devices.md §1.7 "Parser design"): :mod:`~devices.escpos.commands` (the command table
as data) → :mod:`~devices.escpos.decoder` (chunking-invariant tokenizer) →
:mod:`~devices.escpos.builder` (print state → :class:`Receipt`) → :mod:`~devices.escpos.printer`
(a device behind a link: status replies, offline holding, drawer kicks, evidence).
Profiles (:mod:`~devices.escpos.profiles`) hold everything model-specific.

Example::

    from devices.escpos import decode_bytes
    for receipt in decode_bytes(open("receipt.bin", "rb").read()):
        print(receipt.to_text())
        assert receipt.is_larger("KOPI", "84,00")   # kassasystemforskrifta § 2-8-8
"""

from __future__ import annotations

from devices.escpos.builder import ReceiptBuilder
from devices.escpos.decoder import EscposDecoder, Token, tokenize
from devices.escpos.printer import PrinterEmulator
from devices.escpos.profiles import EPSON_TM_T88, GENERIC_58, PROFILES, PrinterProfile, get_profile
from devices.escpos.receipt import Receipt, ReceiptLine, Run
from devices.escpos.status import PrinterState

__all__ = [
    "EPSON_TM_T88",
    "GENERIC_58",
    "PROFILES",
    "PROFILE_NAMES",
    "EscposDecoder",
    "PrinterEmulator",
    "PrinterProfile",
    "PrinterState",
    "Receipt",
    "ReceiptBuilder",
    "ReceiptLine",
    "Run",
    "Token",
    "decode_bytes",
    "get_profile",
    "tokenize",
]

#: Names of the built-in printer profiles.
PROFILE_NAMES: tuple[str, ...] = tuple(PROFILES)


def decode_bytes(data: bytes, profile: str | PrinterProfile = "epson-tm-t88") -> list[Receipt]:
    """Decode a captured byte stream into documents (cuts delimit them; a trailing uncut part is the last).

    Args:
        data: The bytes a POS sent to its printer.
        profile: Printer profile name or object.

    Returns:
        The documents, in order.
    """
    chosen = get_profile(profile)
    decoder = EscposDecoder(realtime_in_data=chosen.realtime_in_data, exceptions=chosen.exceptions)
    builder = ReceiptBuilder(chosen)
    receipts = builder.feed(decoder.feed(data))
    receipts += builder.feed(decoder.close())
    return receipts + builder.close()
