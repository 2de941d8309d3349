"""A compact set of identifiers, for uniqueness and reference checks over millions of records.

Cash-register identifiers are nearly always a fixed text followed by a running number
(``K1-S000042``, ``1000``, ``2012``). :class:`IdSet` stores those as one bit per
number in 64 Ki-number chunks per prefix, so a million transaction ids take about
128 KiB instead of the ~100 MB of a Python ``set`` of strings; identifiers without a
trailing number go to an ordinary set. This keeps the verifier's memory flat however
large the export (the benchmark's goal: peak memory ≤ 200 MB, growth from 100 000 to
1 000 000 transactions ≤ 1.3×).
"""

from __future__ import annotations

from collections.abc import Iterator

__all__ = ["IdSet", "split_id"]

_DIGITS = "0123456789"
_CHUNK_BITS = 16
_CHUNK = 1 << _CHUNK_BITS
_MASK = _CHUNK - 1


def split_id(text: str) -> tuple[str, int] | None:
    """Split ``K1-S000042`` into ``("K1-S", 42)``; ``None`` without a trailing number."""
    prefix = text.rstrip(_DIGITS)
    digits = text[len(prefix) :]
    if not digits or len(digits) > 18 or not digits.isascii():
        return None
    if len(digits) > 1 and digits[0] == "0":  # keep the width: "0042" and "42" differ
        prefix = f"{prefix}\x00{len(digits)}"
    return prefix, int(digits)


class IdSet:
    """A set of identifier strings, one bit per numbered identifier."""

    def __init__(self) -> None:
        self._chunks: dict[tuple[str, int], bytearray] = {}
        self._other: set[str] = set()

    def add(self, ident: str) -> bool:
        """Add ``ident``; return True if it was already present."""
        parts = split_id(ident)
        if parts is None:
            if ident in self._other:
                return True
            self._other.add(ident)
            return False
        prefix, number = parts
        key = (prefix, number >> _CHUNK_BITS)
        chunk = self._chunks.get(key)
        if chunk is None:
            chunk = self._chunks[key] = bytearray(_CHUNK // 8)
        low = number & _MASK
        byte, bit = low >> 3, 1 << (low & 7)
        if chunk[byte] & bit:
            return True
        chunk[byte] |= bit
        return False

    def __contains__(self, ident: object) -> bool:
        if not isinstance(ident, str):
            return False
        parts = split_id(ident)
        if parts is None:
            return ident in self._other
        prefix, number = parts
        chunk = self._chunks.get((prefix, number >> _CHUNK_BITS))
        if chunk is None:
            return False
        low = number & _MASK
        return bool(chunk[low >> 3] & (1 << (low & 7)))

    def missing_from(self, other: IdSet, limit: int = 50) -> Iterator[str]:
        """Yield up to ``limit`` identifiers of this set that ``other`` lacks."""
        found = 0
        for ident in self._other:
            if ident not in other._other:
                yield ident
                found += 1
                if found >= limit:
                    return
        for (prefix, high), chunk in self._chunks.items():
            theirs = other._chunks.get((prefix, high))
            mine = int.from_bytes(chunk, "little")
            rest = mine & ~int.from_bytes(theirs, "little") if theirs is not None else mine
            while rest:
                low = (rest & -rest).bit_length() - 1
                rest &= rest - 1
                yield _join(prefix, (high << _CHUNK_BITS) | low)
                found += 1
                if found >= limit:
                    return

    def overlaps(self, other: IdSet) -> bool:
        """Return True if the two sets have an identifier in common."""
        if not self._other.isdisjoint(other._other):
            return True
        for key, chunk in self._chunks.items():
            theirs = other._chunks.get(key)
            if theirs is not None and int.from_bytes(chunk, "little") & int.from_bytes(theirs, "little"):
                return True
        return False

    def update(self, other: IdSet) -> None:
        """Add every identifier of ``other``."""
        self._other |= other._other
        for key, chunk in other._chunks.items():
            mine = self._chunks.get(key)
            if mine is None:
                self._chunks[key] = bytearray(chunk)
            else:
                merged = int.from_bytes(mine, "little") | int.from_bytes(chunk, "little")
                mine[:] = merged.to_bytes(len(mine), "little")

    def __len__(self) -> int:
        return len(self._other) + sum(int.from_bytes(c, "little").bit_count() for c in self._chunks.values())


def _join(prefix: str, number: int) -> str:
    if "\x00" in prefix:
        text, width = prefix.split("\x00")
        return f"{text}{number:0{int(width)}d}"
    return f"{prefix}{number}"
