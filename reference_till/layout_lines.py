"""Line layout of the till's printed documents: columns, wrapping and text sizes on ESC/POS.

:class:`Layout` lays a document out on a :class:`~reference_till.escpos_sink.SinkPrinter`
in ``width`` columns of normal-size text (48 for Font A on 80 mm paper, 32 on 58 mm):
plain and wrapped lines, label/amount rows, the document name at double height and
markings at double width and height (see :mod:`reference_till.receipt_layout` for what
a verifier can rely on). The small formatting helpers are shared by the receipt and the
report layouts.
"""

from __future__ import annotations

import textwrap
from datetime import datetime

from reference_till.escpos_sink import SinkPrinter
from reference_till.money import format_nok

__all__ = ["MIN_WIDTH", "Layout", "clean_text", "count_amount", "format_orgnr", "percent", "stamp", "wrap_text"]

#: Narrowest paper the layouts support, in columns of normal-size text.
MIN_WIDTH = 24


def clean_text(text: str) -> str:
    """Collapse whitespace so data can never break the line accounting."""
    return " ".join(str(text).split())


def wrap_text(text: str, width: int) -> list[str]:
    """Split text into lines of at most ``width`` columns at spaces (at least one line)."""
    cleaned = clean_text(text)
    if len(cleaned) <= width and cleaned.isprintable():
        # What textwrap.wrap returns for a line that fits, without its cost (most lines fit).
        return [cleaned.rstrip()] if cleaned.strip() else [""]
    return textwrap.wrap(cleaned, width, break_on_hyphens=False) or [""]


def stamp(at: datetime) -> str:
    """Date and time as printed: ``20.11.2026 09:03:56``."""
    return at.strftime("%d.%m.%Y %H:%M:%S")


def percent(rate_bp: int) -> str:
    """2500 -> ``25 %``, 1250 -> ``12,5 %``."""
    whole, frac = divmod(rate_bp, 100)
    return f"{whole} %" if frac == 0 else f"{whole},{frac:02d}".rstrip("0") + " %"


def format_orgnr(orgnr: str) -> str:
    """``999999999`` -> ``999 999 999`` (as printed after «Org.nr»)."""
    return f"{orgnr[:3]} {orgnr[3:6]} {orgnr[6:]}" if len(orgnr) == 9 else orgnr


def count_amount(count: int, amount: int) -> str:
    """Right-hand side of a count-and-amount row: count and amount in fixed columns."""
    return f"{count:>4} {format_nok(amount):>12}"


class Layout:
    """A document being laid out on a :class:`SinkPrinter` in ``width`` columns."""

    def __init__(self, width: int) -> None:
        if width < MIN_WIDTH:
            raise ValueError(
                f"width {width} is too narrow; give at least {MIN_WIDTH} columns "
                "(48 for Font A on 80 mm paper, 32 on 58 mm paper)"
            )
        self.width = width
        self.p = SinkPrinter()
        self._pending: list[str] = []  # lines not yet given to the printer (see _command)
        self.p.initialize()
        # Amounts are printed at normal size: GS ! 0x00 (devices.md §1.4).
        self.p.size(1, 1)

    # ---------------------------------------------------------------- primitives

    def _line(self, line: str) -> None:
        """Queue one line of text in the current style (see :meth:`_command`)."""
        self._pending.append(line)

    def _command(self) -> SinkPrinter:
        """The printer, after the queued lines were sent in one ``text`` call.

        Text is encoded a run at a time rather than a line at a time; the bytes are the
        same as ``textln`` per line, since every style change goes through here first.
        """
        if self._pending:
            self._pending.append("")
            self.p.text("\n".join(self._pending))
            self._pending.clear()
        return self.p

    def raw(self, data: bytes) -> None:
        """Append bytes rendered earlier (by another layout of the same width)."""
        self._command()._raw(data)

    def text(self, line: str) -> None:
        """Print a normal-size line; wrapped (keeping its indent) if it is too long."""
        if len(line) <= self.width:
            self._line(line)
            return
        indent = " " * (len(line) - len(line.lstrip()))
        for part in wrap_text(line, self.width - len(indent)):
            self._line(indent + part)

    def blank(self) -> None:
        """An empty line."""
        self._line("")

    def rule(self, char: str = "-") -> None:
        """A full-width line of ``char``."""
        self.text(char * self.width)

    def wrapped(self, text: str, indent: str = "") -> None:
        """Normal-size text wrapped to the width, every line indented by ``indent``."""
        for part in wrap_text(text, self.width - len(indent)):
            self._line(indent + part)

    def center(self, text: str, *, bold: bool = False) -> None:
        """Centred (``ESC a 1``) normal-size text, optionally bold."""
        self._command().set(align="center", bold=bold)
        self.wrapped(text)
        self._command().set(align="left", bold=False)

    def row(self, left: str, right: str, *, bold: bool = False) -> None:
        """Label on the left, amount right-aligned at the last column."""
        indent = " " * (len(left) - len(left.lstrip()))
        # The right side keeps its inner spacing: count and amount columns stay apart.
        left, right = indent + clean_text(left), " ".join(right.splitlines()).strip()
        if bold:
            self._command().set(bold=True)
        if len(left) + 1 + len(right) <= self.width:
            self.text(left + " " * (self.width - len(left) - len(right)) + right)
        else:
            parts = wrap_text(left, self.width - len(indent))
            for part in parts[:-1]:
                self.text(indent + part)
            last = indent + parts[-1]
            if len(last) + 1 + len(right) <= self.width:
                self.text(last + " " * (self.width - len(last) - len(right)) + right)
            else:
                self.text(last)
                if len(right) <= self.width:
                    self.text(right.rjust(self.width))
                else:
                    for part in wrap_text(right, self.width):
                        self.text(part.rjust(self.width))
        if bold:
            self._command().set(bold=False)

    def kv(self, label: str, value: str, indent: str = "") -> None:
        """``label: value`` on one line, or the value on its own line(s) if it is long."""
        value = clean_text(value)
        one = f"{indent}{label}: {value}"
        if len(one) <= self.width:
            self.text(one)
            return
        self.wrapped(f"{label}:", indent)
        self.wrapped(value, indent + "  ")

    # ---------------------------------------------------------------- sizes

    def title(self, text: str) -> None:
        """Document name: double height, normal width, centred."""
        self._command().set(align="center", bold=True)
        self._command().size(1, 2)
        for part in wrap_text(text, self.width):
            self._line(part)
        self._command().size(1, 1)
        self._command().set(align="left", bold=False)

    def mark(self, text: str) -> None:
        """A marking, at least twice the height of amount text (§ 2-8-8 applied to all).

        Printed ``GS ! 0x11`` (double width and height), split at `` – `` and wrapped in
        ``width // 2`` columns; if a word does not fit half the width, ``GS ! 0x01``.
        """
        half = self.width // 2
        pieces = [p.strip() for p in text.split(" – ")]
        double_width = all(len(word) <= half for word in text.split())
        cols = half if double_width else self.width
        self._command().set(align="center", bold=True)
        self._command().size(2 if double_width else 1, 2)
        for piece in pieces:
            for part in wrap_text(piece, cols):
                self._line(part)
        self._command().size(1, 1)
        self._command().set(align="left", bold=False)

    def finish(self, *, cut: bool = True) -> bytes:
        """End the document (with a cut unless ``cut`` is false) and return its bytes."""
        if cut:
            # GS V: the cut delimits the document on the paper and in the byte stream.
            self._command().cut()
        return self._command().output
