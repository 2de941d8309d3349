r"""Render a card receipt to ESC/POS bytes, as a stand-alone terminal's own printer prints it.

Uses python-escpos' ``Dummy`` printer. The document starts with ``ESC @`` and selects code page
PC865 Nordic once (``charcode("CP865")`` → ``ESC t 5``, devices.md §1.3) so Æ Ø Å print. Large
lines (the § 2-8-8 marking «IKKJE KVITTERING FOR KJØP») are printed with
``set(custom_size=True, width=2, height=2)``, i.e. ``GS ! 0x11``: 48 dots high in Font A against
24 dots for the amount, which is printed at normal size (``ESC ! 0``) — at least 50 % larger, as
kassasystemforskrifta § 2-8-8 demands (devices.md §1.4 on measuring "printed larger").

A double-width line holds half as many characters, so a large text longer than that is broken
at spaces into several large lines (on 48 columns the marking becomes «IKKJE KVITTERING FOR» /
«KJØP»); a verifier looking for the marking must join the lines of a size run.
"""

from __future__ import annotations

import textwrap

from escpos.printer import Dummy

from devices.terminal.receipt import CardReceipt

__all__ = ["COLUMNS", "render_escpos"]

#: Characters per line at normal width: Font A on 80 mm paper (devices.md §1.4).
COLUMNS = 48

_ALIGN = {"Left": "left", "Centred": "center", "Right": "right"}


def render_escpos(receipt: CardReceipt, *, columns: int = COLUMNS) -> bytes:
    """The receipt as one ESC/POS document ending in a cut.

    Args:
        receipt: The receipt to print.
        columns: Characters per line at normal width (48 for Font A on 80 mm paper).
    """
    printer = Dummy()
    try:
        printer.hw("INIT")  # ESC @: known state (normal size, left aligned)
        printer.charcode("CP865")  # ESC t 5, PC865 Nordic; pins python-escpos' encoder to it
        for line in receipt.lines:
            # Size first: ESC ! also clears emphasis, so bold and alignment are set after it.
            if line.large:
                printer.set(custom_size=True, width=2, height=2)  # GS ! 0x11
            else:
                printer.set(normal_textsize=True)  # ESC ! 0: amounts and all other text at 1 × 1
            printer.set(align=_ALIGN[line.align], bold=line.bold)
            if line.large:
                for part in textwrap.wrap(line.text, width=max(1, columns // 2)) or [""]:
                    printer.textln(part)
            else:
                printer.textln(line.text)
        printer.set(align="left", bold=False, normal_textsize=True)
        printer.cut()
        return bytes(printer.output)
    finally:
        printer.close()
