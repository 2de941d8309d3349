"""Where each ``cashregister`` lies in a file, so that registers can be checked in parallel.

Each register's chain (numbering, signatures, Z reports) depends only on its own
``event`` and ``cashtransaction`` elements and on the masterfiles before them, so the
registers of an export can be read by separate worker processes
(:mod:`harness.verify.engine`). :func:`scan` finds each ``<cashregister>…</cashregister>``
byte range with plain byte searches, without parsing.

The scan is deliberately strict and gives up (returns ``None``, and the file is read
the ordinary way, in one stream) whenever a byte search could be fooled or a register
could not be read on its own:

* the root does not declare the SAF-T namespace as its default (prefixed tags);
* a comment, CDATA section, processing instruction or DOCTYPE anywhere after the
  XML declaration (``<!`` or ``<?``), which could hide a register tag;
* a ``cashregister`` start tag with attributes, nested or unbalanced tags;
* fewer than two registers (nothing to share out).

:class:`RangeReader` serves one range as a document of its own; :class:`CutReader`
serves the file with every range left out (the header and the masterfiles).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from harness.saft_spec import NAMESPACE

__all__ = ["CutReader", "Layout", "RangeReader", "scan"]

_DECLARATION = re.compile(rb"\A\s*<\?xml[^>]*\?>")
_ROOT = re.compile(rb"<auditfile\b[^>]*?\sxmlns\s*=\s*([\"'])" + re.escape(NAMESPACE.encode()) + rb"\1")
_NAME = b"cashregister"
_CHUNK = 1 << 20
_OVERLAP = 64


@dataclass(frozen=True)
class Layout:
    """The registers of one file.

    Attributes:
        declaration: The file's XML declaration (kept so a range is decoded as the file is).
        spans: Byte range ``[start, end)`` of each ``cashregister`` element, in file order.
        lines: The line on which each range begins.
    """

    declaration: bytes
    spans: tuple[tuple[int, int], ...]
    lines: tuple[int, ...]


class _Unsplittable(Exception):
    """The file cannot be split safely; it is read in one stream."""


def scan(path: Path, minimum: int = 2) -> Layout | None:
    """Find the ``cashregister`` ranges of ``path``; ``None`` if it cannot be split safely.

    One pass over the file in 1 MiB reads (no memory map, so the file's pages do not
    count against this process's memory), with single-byte searches where it can.

    Args:
        path: A file that passed :func:`~harness.verify.stream.preflight`.
        minimum: Fewest registers worth splitting for.
    """
    try:
        with path.open("rb") as handle:
            layout = _scan(handle)
    except (OSError, _Unsplittable):
        return None
    return layout if len(layout.spans) >= minimum else None


def _scan(handle: BinaryIO) -> Layout:
    head = handle.read(1 << 16)
    if _ROOT.search(head) is None:
        raise _Unsplittable("the root does not declare the SAF-T namespace as its default")
    declaration = _DECLARATION.match(head)
    body = declaration.end() if declaration else 0
    tags: list[tuple[bool, int, int]] = []  # (start tag?, offset, line)
    chunk, base, line, skip = head, 0, 1, body  # chunk holds the file from offset base
    while True:
        more = handle.read(_CHUNK)
        chunk += more
        limit = len(chunk) if not more else len(chunk) - _OVERLAP  # tags beginning before limit
        _no_markup(chunk, skip, limit)
        found = chunk.find(_NAME, skip, limit + len(_NAME) - 1)
        while found >= 0:
            before = chunk[found - 2 : found]
            is_start = before[1:] == b"<"
            if not is_start and before != b"</":
                if before[1:] == b":":
                    raise _Unsplittable("a prefixed cashregister tag")
                found = chunk.find(_NAME, found + 1, limit + len(_NAME) - 1)
                continue  # the word in a text ("<" cannot appear there unescaped)
            after = chunk[found + len(_NAME) : found + len(_NAME) + _OVERLAP // 2]
            if after.lstrip()[:1] != b">" or (is_start and after[:1] != b">"):
                raise _Unsplittable("a cashregister tag with attributes, or a longer name")
            close = found + len(_NAME) + after.index(b">") + 1
            offset = found - 1 if is_start else close
            tags.append((is_start, base + offset, line + chunk.count(b"\n", 0, found)))
            found = chunk.find(_NAME, found + 1, limit + len(_NAME) - 1)
        if not more:
            break
        keep = limit - 2  # with the two bytes before the limit: the "</" or "<" before a name, "!" or "?"
        line += chunk.count(b"\n", 0, keep)
        base += keep
        chunk, skip = chunk[keep:], 2
    return Layout(declaration.group(0) if declaration else b"", *_pairs(tags))  # found in file order


def _pairs(tags: list[tuple[bool, int, int]]) -> tuple[tuple[tuple[int, int], ...], tuple[int, ...]]:
    """Pair start and end tags: strictly alternating, never nested."""
    if len(tags) % 2:
        raise _Unsplittable("unbalanced cashregister tags")
    spans, lines = [], []
    for (opens, start, line), (closes, end, _line) in zip(tags[::2], tags[1::2], strict=True):
        if not opens or closes:
            raise _Unsplittable("nested or unbalanced cashregister tags")
        spans.append((start, end))
        lines.append(line)
    return tuple(spans), tuple(lines)


def _no_markup(chunk: bytes, skip: int, limit: int) -> None:
    """Refuse comments, CDATA sections, DOCTYPEs and processing instructions (``<!``, ``<?``)."""
    for mark in (b"!", b"?"):
        found = chunk.find(mark, max(skip, 1), limit)
        while found >= 0:
            if chunk[found - 1 : found] == b"<":
                raise _Unsplittable("a comment, CDATA section or processing instruction")
            found = chunk.find(mark, found + 1, limit)


class RangeReader:
    """Serves one register range as a document: declaration, ``<auditfile>``, the range, end tag.

    The range's first byte lands on line 1, so a line number read from this document plus
    the range's own line number less one is the line in the file.
    """

    def __init__(self, handle: BinaryIO, declaration: bytes, span: tuple[int, int]) -> None:
        self._handle = handle
        self._pending = declaration + b"<auditfile>"
        self._left = span[1] - span[0]
        self._tail = b"</auditfile>"
        handle.seek(span[0])

    def read(self, size: int = -1) -> bytes:
        """Return the next bytes (``b""`` at the end)."""
        if self._pending:
            data, self._pending = self._pending, b""
            return data
        if self._left > 0:
            data = self._handle.read(min(self._left, size if size and size > 0 else 1 << 16))
            if not data:
                self._left = 0
                return self._tail
            self._left -= len(data)
            return data
        data, self._tail = self._tail, b""
        return data


class CutReader:
    """Serves a file with the given byte ranges left out (what remains is still well-formed XML).

    Line numbers of what is read after the first range are smaller than in the file.
    """

    def __init__(self, handle: BinaryIO, spans: tuple[tuple[int, int], ...]) -> None:
        self._handle = handle
        self._spans = list(spans)
        self._position = 0

    def read(self, size: int = -1) -> bytes:
        """Return the next bytes outside the ranges (``b""`` at the end)."""
        want = size if size and size > 0 else 1 << 16
        while self._spans and self._position >= self._spans[0][0]:
            self._position = max(self._position, self._spans.pop(0)[1])
        limit = self._spans[0][0] - self._position if self._spans else want
        self._handle.seek(self._position)
        data = self._handle.read(min(want, limit))
        self._position += len(data)
        return data
