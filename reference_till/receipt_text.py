"""Plain text of the documents the reference till prints (for files a person reads).

This is not a general ESC/POS decoder (the device emulators have one); it reads the
small command set :mod:`reference_till.receipt_layout` emits (``ESC @``, ``ESC t``,
``ESC E``, ``ESC a``, ``ESC d``, ``ESC !``, ``ESC -``, ``GS !``, ``GS V``) and turns the
PC865 text between them into lines. Other commands are skipped by Epson's exception
rule (an unknown ``ESC``/``GS`` sequence is two bytes).
"""

from __future__ import annotations

__all__ = ["document_text", "split_documents"]

_THREE_BYTE = {0x1B: set(b"tEa!d-JR"), 0x1D: set(b"!BH")}


def split_documents(stream: bytes) -> list[bytes]:
    """Split a printer byte stream into documents at each paper cut (``GS V``)."""
    docs: list[bytes] = []
    start = 0
    i = stream.find(b"\x1dV")
    while i != -1:
        end = i + 3
        if end <= len(stream) and stream[i + 2] in (65, 66):
            end += 1  # GS V m n: feed-and-cut has an extra byte
        docs.append(stream[start:end])
        start = end
        i = stream.find(b"\x1dV", start)
    if stream[start:].strip(b"\x00\n"):
        docs.append(stream[start:])
    return docs


def document_text(data: bytes) -> str:
    """Return the printed text of one document, one line per printed line."""
    out = bytearray()
    i = 0
    n = len(data)
    while i < n:
        b = data[i]
        if b in (0x1B, 0x1D) and i + 1 < n:
            cmd = data[i + 1]
            if b == 0x1B and cmd == 0x40:  # ESC @
                i += 2
            elif b == 0x1D and cmd == ord("V"):  # GS V m [n]
                i += 4 if i + 2 < n and data[i + 2] in (65, 66) else 3
            elif cmd in _THREE_BYTE[b]:
                if b == 0x1B and cmd == ord("d"):
                    out += b"\n" * min(data[i + 2] if i + 2 < n else 0, 2)
                i += 3
            else:
                i += 2
        elif b == 0x0A:
            out.append(b)
            i += 1
        elif b < 0x20:
            i += 1
        else:
            out.append(b)
            i += 1
    return out.decode("cp865").rstrip("\n") + "\n"
