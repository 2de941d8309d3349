"""Incremental ESC/POS tokenizer: bytes in, :class:`Token` list out, independent of chunking.

:class:`EscposDecoder` consumes a byte stream in arbitrary chunks and cuts it into tokens
using the command table of :mod:`devices.escpos.commands`:

* ``text``: a run of printable bytes (``20–FF``), consumed as one slice by a regular
  expression (the hot path: no per-byte Python loop for text);
* ``command``: a buffered command, with its parameter bytes in ``args`` and its variable
  data (image, barcode, 2-D code, framed function body) in ``data``;
* ``realtime``: ``DLE EOT``, ``DLE ENQ``, ``DLE DC4``, executed on arrival by the printer;
* ``anomaly``: what Epson's exception processing discards (devices.md §1.1): an undefined
  control byte (1 byte), ``ESC``/``FS``/``GS`` with an undefined second byte (2 bytes), a
  parameter out of range (the command up to the bad parameter; the rest is processed as
  normal data, or the whole command with the profile's ``"whole"`` policy), a command left
  incomplete by :meth:`EscposDecoder.close`, and real-time sequences found inside another
  command's data.

Chunking invariance: the token list is the same however the stream is split, because a
token is only emitted when its extent is decided by bytes already seen (a text run waits
for the next non-text byte, or is cut at fixed :data:`MAX_TEXT` boundaries), and real-time
commands embedded in a data block are always emitted just before that block's token.

Embedded real-time commands (§1.1): real printers execute ``DLE EOT``/``DLE DC4`` even inside
image data, so in *faithful* mode (default) each one found in a data block is emitted as a
``realtime`` token with ``embedded=True`` (as soon as its bytes have arrived, like the
hardware) followed by an anomaly token; in *semantic* mode only the anomaly is emitted.
Real-time bytes used as a fixed parameter of another command are not scanned.

Cost: every byte is examined a bounded number of times (pending commands remember their
length; a pending text run remembers how far it was scanned), so arbitrary input is
consumed in linear time. A data command's bytes are buffered until it is complete.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal, NamedTuple

from devices.escpos.commands import (
    COMMANDS,
    DLE,
    GROUPS,
    PREFIX_BYTES,
    CommandSpec,
    Computed,
    Fixed,
    LengthPrefixed,
    Measured,
    NulTerminated,
    Reject,
    byte_name,
)

__all__ = ["MAX_TEXT", "EscposDecoder", "ExceptionPolicy", "RealtimeMode", "Token", "TokenKind", "tokenize"]

TokenKind = Literal["text", "command", "realtime", "anomaly"]
#: ``faithful``: real-time commands inside data blocks are executed; ``semantic``: data is opaque.
RealtimeMode = Literal["faithful", "semantic"]
#: ``epson``: an out-of-range parameter discards the command up to that parameter and the
#: remaining bytes are processed as normal data; ``whole``: the whole command is discarded.
ExceptionPolicy = Literal["epson", "whole"]

#: Longest text token; longer runs are cut at multiples of this from the run's start.
MAX_TEXT = 4096

_TEXT = re.compile(rb"[\x20-\xff]*")
_SINGLE = {spec.prefix[0]: spec for spec in COMMANDS.values() if len(spec.prefix) == 1}
_DOUBLE = {int.from_bytes(spec.prefix): spec for spec in COMMANDS.values() if len(spec.prefix) == 2}
_TRIPLE = {int.from_bytes(spec.prefix): spec for spec in COMMANDS.values() if len(spec.prefix) == 3}
_GROUPS = frozenset(int.from_bytes(prefix) for prefix in GROUPS)
# Two-byte-prefix fixed-length commands: key → (total length, name, parameter ranges), the common case.
_FIXED2 = {
    key: (2 + spec.rule.count, spec.name, spec.params)
    for key, spec in _DOUBLE.items()
    if isinstance(spec.rule, Fixed) and not spec.realtime
}
_REALTIME = {spec.prefix: spec for spec in COMMANDS.values() if spec.realtime}


class Token(NamedTuple):
    """One piece of the stream.

    Attributes:
        kind: ``text``, ``command``, ``realtime`` or ``anomaly``.
        offset: Stream offset of the first byte.
        raw: The bytes of the token (for an embedded real-time command: its own bytes).
        name: Command name (``ESC @``, ``GS !``, ``LF``, ``DLE EOT``); for anomalies the command
            concerned or ``undefined``/``incomplete``; empty for text.
        args: Parameter bytes after the prefix (for data commands: the header before the data).
        data: Variable payload of data-carrying commands (without a NUL terminator).
        note: Explanation of an anomaly.
        embedded: A real-time command found inside another command's data.
    """

    kind: TokenKind
    offset: int
    raw: bytes
    name: str = ""
    args: tuple[int, ...] = ()
    data: bytes = b""
    note: str = ""
    embedded: bool = False

    @property
    def end(self) -> int:
        """Stream offset just after the token (for an embedded token: after its own bytes)."""
        return self.offset + len(self.raw)


def _realtime_at(buf: bytes | bytearray, i: int, end: int) -> tuple[CommandSpec, Measured] | Literal[False] | None:
    """A complete, valid real-time command at ``buf[i]`` within ``end``; ``None`` if undecided yet."""
    if i + 1 >= end:
        return None
    spec = _REALTIME.get(bytes(buf[i : i + 2]))
    if spec is None:
        return False
    if isinstance(spec.rule, Computed):
        res = spec.rule.measure(buf, i, end)
    else:  # DLE ENQ n
        res = None if i + 2 >= end else Measured(3, 1) if buf[i + 2] in (spec.params[0] or ()) else Reject(0, "")
    if res is None:
        return None
    if isinstance(res, Reject) or i + res.total > end:
        return False if isinstance(res, Reject) else None
    return spec, res


class EscposDecoder:
    r"""Incremental tokenizer for one connection's byte stream.

    Args:
        realtime_in_data: ``faithful`` (default) or ``semantic``, see the module docstring.
        exceptions: Out-of-range parameter policy, ``epson`` (default) or ``whole``.

    Example:
        >>> dec = EscposDecoder()
        >>> [t.name or t.raw for t in dec.feed(b"\x1b@Hei\n\x1dV")]
        ['ESC @', b'Hei', 'LF']
        >>> [t.name for t in dec.feed(b"\x00")]
        ['GS V']
    """

    def __init__(self, *, realtime_in_data: RealtimeMode = "faithful", exceptions: ExceptionPolicy = "epson") -> None:
        if realtime_in_data not in ("faithful", "semantic"):
            raise ValueError(f"realtime_in_data={realtime_in_data!r}; use 'faithful' or 'semantic'")
        if exceptions not in ("epson", "whole"):
            raise ValueError(f"exceptions={exceptions!r}; use 'epson' or 'whole'")
        self.realtime_in_data: RealtimeMode = realtime_in_data
        self.exceptions: ExceptionPolicy = exceptions
        self._buf = bytearray()
        self._base = 0  # stream offset of _buf[0]
        self._text_to = 0  # stream offset up to which the pending text run was scanned
        self._rt_to = 0  # stream offset up to which a pending data block was scanned for real-time
        self._closed = False

    @property
    def offset(self) -> int:
        """Stream offset of the next byte to be fed."""
        return self._base + len(self._buf)

    @property
    def pending(self) -> int:
        """Bytes received but not yet emitted as tokens."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[Token]:
        """Add bytes; returns the tokens they complete."""
        if self._closed:
            raise ValueError("this decoder was closed; create a new EscposDecoder for a new stream")
        self._buf += data
        return self._run(final=False)

    def close(self) -> list[Token]:
        """End of stream: returns the remaining tokens; an incomplete command becomes an anomaly."""
        if self._closed:
            return []
        tokens = self._run(final=True)
        self._closed = True
        return tokens

    # ------------------------------------------------------------------ tokenizer

    def _run(self, *, final: bool) -> list[Token]:
        buf, base = self._buf, self._base
        out: list[Token] = []
        append, text_match = out.append, _TEXT.match
        n = len(buf)
        pos = 0
        while pos < n:
            b = buf[pos]
            if b >= 0x20:  # hot path: a run of printable bytes in one regex call
                resume = self._text_to - base
                stop = text_match(buf, resume if resume > pos else pos).end()  # type: ignore[union-attr]
                while stop - pos >= MAX_TEXT:
                    append(Token("text", base + pos, bytes(buf[pos : pos + MAX_TEXT])))
                    pos += MAX_TEXT
                if stop == n and not final:
                    self._text_to = base + n
                    break
                if stop > pos:
                    append(Token("text", base + pos, bytes(buf[pos:stop])))
                pos = stop
                continue
            if b == 0x0A:
                append(Token("command", base + pos, b"\n", "LF"))
                pos += 1
                continue
            if b not in PREFIX_BYTES:
                spec = _SINGLE.get(b)
                if spec is None:
                    append(self._anomaly(base + pos, buf[pos : pos + 1], "undefined", _undefined_note(b)))
                else:
                    append(Token("command", base + pos, spec.prefix, spec.name))
                pos += 1
                continue
            # A multi-byte command.
            if pos + 1 >= n:
                if final:
                    out.append(self._anomaly(base + pos, buf[pos:n], "incomplete", "stream ended after a prefix byte"))
                    pos = n
                break
            key = b << 8 | buf[pos + 1]
            fixed = _FIXED2.get(key)
            if fixed is not None and pos + fixed[0] <= n:  # fast path: complete fixed-length command
                total, name, ranges = fixed
                params = tuple(buf[pos + 2 : pos + total])
                if not ranges or all(r is None or v in r for v, r in zip(params, ranges, strict=True)):
                    append(Token("command", base + pos, bytes(buf[pos : pos + total]), name, params))
                    pos += total
                    continue
            if key in _GROUPS:
                if pos + 2 >= n:
                    if final:
                        note = f"stream ended inside {byte_name(b)} {byte_name(buf[pos + 1])}"
                        out.append(self._anomaly(base + pos, buf[pos:n], "incomplete", note))
                        pos = n
                    break
                found = _TRIPLE.get(key << 8 | buf[pos + 2])
            else:
                found = _DOUBLE.get(key)
            if found is None:
                width = 1 if b == DLE else 2
                name = " ".join(byte_name(x) for x in buf[pos : pos + width])
                note = f"undefined command {name}: {width} byte(s) discarded (devices.md §1.1)"
                out.append(self._anomaly(base + pos, buf[pos : pos + width], "undefined", note))
                pos += width
                continue
            step = self._command(found, buf, pos, n, final, out)
            if step == 0:
                break
            pos += step
        if pos:
            del buf[:pos]
            self._base = base + pos
        return out

    def _command(self, spec: CommandSpec, buf: bytearray, pos: int, n: int, final: bool, out: list[Token]) -> int:
        """Emit the command at ``pos``; returns bytes consumed, 0 when more bytes are needed."""
        base = self._base
        plen = len(spec.prefix)
        rule = spec.rule
        res: Measured | Reject | None
        if isinstance(rule, Fixed):
            total = plen + rule.count
            if n - pos < total:
                res = None
            else:
                res = Measured(total, rule.count)
                for i, allowed in enumerate(spec.params):
                    if allowed is not None and buf[pos + plen + i] not in allowed:
                        value = buf[pos + plen + i]
                        res = Reject(i, f"{spec.name} parameter {i + 1} = {value} is out of range", total)
                        break
        elif isinstance(rule, LengthPrefixed):
            head = plen + rule.width
            if n - pos < head:
                res = None
            else:
                size = int.from_bytes(buf[pos + plen : pos + head], "little")
                res = Measured(head + size, rule.width)
        elif isinstance(rule, NulTerminated):
            stop = buf.find(b"\x00", pos + plen, min(n, pos + plen + rule.max_len + 1))
            if stop >= 0:
                res = Measured(stop - pos + 1, stop - pos - plen, terminator=1)
            elif n - pos > plen + rule.max_len:
                # More than max_len parameters: take max_len, process the rest as normal data.
                note = f"{spec.name}: no NUL within {rule.max_len} parameters; the rest is processed as data"
                out.append(self._anomaly(base + pos, buf[pos : pos + plen + rule.max_len], spec.name, note))
                return plen + rule.max_len
            else:
                res = None
        else:
            res = rule.measure(buf, pos, n)

        if isinstance(res, Reject):
            take = plen + res.index + 1
            if self.exceptions == "whole" and res.whole is not None:
                take = res.whole
            take = min(take, n - pos)
            note = f"{res.note}: command ignored, {take} byte(s) discarded (devices.md §1.1)"
            out.append(self._anomaly(base + pos, buf[pos : pos + take], spec.name, note))
            return take
        if res is None or n - pos < res.total:
            data_from = pos + plen + (res.header if res is not None else 0)
            if res is not None and spec.carries_data:
                self._scan_data(spec, buf, max(data_from, self._rt_to - base), pos + res.total, n, out)
            if final:
                if spec.carries_data and res is not None:
                    self._scan_data(spec, buf, max(data_from, self._rt_to - base), n, n, out)
                wanted = f"{res.total} bytes" if res is not None else "more bytes"
                note = f"stream ended inside {spec.name}: it needs {wanted}, got {n - pos}; dropped (devices.md §1.1)"
                out.append(self._anomaly(base + pos, buf[pos:n], "incomplete", note))
                self._rt_to = 0
                return n - pos
            return 0
        total = res.total
        data_from = pos + plen + res.header
        data_to = pos + total - res.terminator
        if spec.carries_data:
            self._scan_data(spec, buf, max(data_from, self._rt_to - base), data_to, data_to, out)
        self._rt_to = 0
        kind: TokenKind = "realtime" if spec.realtime else "command"
        out.append(
            Token(
                kind,
                base + pos,
                bytes(buf[pos : pos + total]),
                spec.name,
                tuple(buf[pos + plen : data_from]),
                bytes(buf[data_from:data_to]) if data_to > data_from else b"",
            )
        )
        return total

    def _scan_data(self, host: CommandSpec, buf: bytearray, start: int, stop: int, n: int, out: list[Token]) -> None:
        """Find real-time commands in ``buf[start:stop]`` whose bytes have all arrived (up to ``n``)."""
        base = self._base
        limit = min(stop, n)
        i = buf.find(DLE, start, limit)
        scanned = limit
        while i >= 0:
            found = _realtime_at(buf, i, limit)
            if found is None and limit < stop:  # may complete with more bytes: resume here later
                scanned = i
                break
            if found:
                spec, measured = found
                raw = bytes(buf[i : i + measured.total])
                if self.realtime_in_data == "faithful":
                    args = tuple(raw[len(spec.prefix) :])
                    out.append(Token("realtime", base + i, raw, spec.name, args, embedded=True))
                    action = "executed (faithful mode)"
                else:
                    action = "not executed (semantic mode)"
                note = f"real-time {spec.name} inside {host.name} data: {action}; hosts must not embed them (§1.1)"
                out.append(self._anomaly(base + i, raw, spec.name, note, embedded=True))
                i = buf.find(DLE, i + measured.total, limit)
            else:
                i = buf.find(DLE, i + 1, limit)
        self._rt_to = base + scanned

    @staticmethod
    def _anomaly(offset: int, raw: bytes | bytearray, name: str, note: str, *, embedded: bool = False) -> Token:
        return Token("anomaly", offset, bytes(raw), name, note=note, embedded=embedded)


def _undefined_note(b: int) -> str:
    what = "Star drawer kick (BEL)?" if b == 0x07 else "US: customer display data?" if b == 0x1F else "undefined"
    return f"undefined control code 0x{b:02x} ({what}): 1 byte discarded (devices.md §1.1)"


def tokenize(data: bytes | Iterable[bytes], **options: str) -> list[Token]:
    """Decode a whole stream (bytes or an iterable of chunks) with a fresh :class:`EscposDecoder`."""
    decoder = EscposDecoder(**options)  # type: ignore[arg-type]
    chunks = [data] if isinstance(data, bytes | bytearray) else data
    tokens: list[Token] = []
    for chunk in chunks:
        tokens += decoder.feed(bytes(chunk))
    tokens += decoder.close()
    return tokens
