"""Reading a SAF-T file safely and in bounded memory.

:func:`preflight` looks at a file before anything parses it in full: that it can be read,
that it is not empty, that it has no document type declaration (a DOCTYPE is refused
outright, so no entity is ever defined: no XXE, no "billion laughs"), and that its root
element is ``auditfile`` in the SAF-T Cash Register namespace.

:func:`read` then streams it with :func:`lxml.etree.iterparse`: network access, DTD
loading and entity resolution are off, comments and processing instructions are dropped,
and libxml2's size limits stay on (no ``huge_tree``), so one hostile text node cannot
exhaust memory. Each finished ``event`` and ``cashtransaction`` is read into a record
(:mod:`harness.verify.records`), handed to the :class:`Handler` and freed together with
the siblings before it, so memory does not grow with the file.

A parse error ends the reading with a fatal finding that says what and where: a file that
stops in the middle is ``XML-TRUNCATED``; a wrong or mixed encoding is ``XML-ENCODING``;
anything else that is not well-formed is ``XML-SYNTAX``. Everything read before the
error has been checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from lxml import etree

from harness.saft_spec import NAMESPACE
from harness.verify.findings import FindingLog, Location
from harness.verify.layout import CutReader, Layout, RangeReader
from harness.verify.records import NS, Basic, Event, Transaction, read_basic, read_event, read_transaction

__all__ = ["PARSER_OPTIONS", "Handler", "preflight", "read", "read_outside", "read_register"]

_FILE_NAME = re.compile(r"^SAF-T Cash Register_\d{9}_\d{14}(_\d+_\d+)?\.xml$")
#: How every reader of an export parses it: no network, DTD or entities, libxml2's limits on (hostile XML).
PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


class _Source(Protocol):
    def read(self, size: int = -1) -> bytes: ...


class Handler(Protocol):
    """What the reader calls, in document order."""

    def header(self, values: dict[str, str], line: int) -> None:
        """The ``header`` element's simple children."""

    def company(self, ident: str, name: str) -> None:
        """``companyIdent`` and ``companyName`` of ``company``."""

    def masterfile(self, kind: str, values: dict[str, str], line: int) -> None:
        """A ``vatCodeDetail``, ``period``, ``employee`` or ``article``."""

    def basic(self, basic: Basic) -> None:
        """A ``basic``."""

    def register(self, register_id: str, line: int) -> None:
        """A ``cashregister`` begins (its ``registerID`` was read)."""

    def event(self, event: Event) -> None:
        """An ``event`` of the current register."""

    def transaction(self, transaction: Transaction) -> None:
        """A ``cashtransaction`` of the current register."""

    def register_end(self) -> None:
        """The current ``cashregister`` ended."""


def preflight(path: Path, log: FindingLog) -> bool:
    """Check that ``path`` can be read as a SAF-T file at all; report why not.

    Returns:
        True if reading can go on; False after a fatal finding.
    """
    where = Location(path=str(path.name))
    try:
        size = path.stat().st_size
        if not path.is_file():
            log.add("FILE-READ", where, path=str(path), reason="not a regular file")
            return False
        with path.open("rb") as handle:
            handle.read(1)  # readable, not only present
    except OSError as exc:
        log.add("FILE-READ", where, path=str(path), reason=exc.strerror or str(exc))
        return False
    if size == 0:
        log.add("FILE-READ", where, path=str(path), reason="the file is empty")
        return False
    if not _FILE_NAME.match(path.name):
        log.add("FILE-NAME", Location(), name=path.name)
    try:
        with path.open("rb") as handle:
            return _check_root(etree.iterparse(handle, events=("start",), **PARSER_OPTIONS), log)
    except etree.XMLSyntaxError as exc:
        _syntax(exc, path, log)
        return False
    except OSError as exc:
        log.add("FILE-READ", where, path=str(path), reason=exc.strerror or str(exc))
        return False


def _check_root(events: Any, log: FindingLog) -> bool:
    """Look at the root element: no DOCTYPE, ``auditfile`` in the SAF-T namespace."""
    for _event, root in events:
        docinfo = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:
            log.add("XML-DTD", Location(line=1), line=1)
            return False
        if root.tag != NS + "auditfile":
            log.add("XML-NOT-SAFT", Location(line=root.sourceline or 1), root=root.tag)
            return False
        return True
    log.add("XML-SYNTAX", Location(), detail="the file has no root element")
    return False


_NOT_TRUNCATION = ("extra content", "start tag expected", "excessive depth", "document is empty", "not defined")


def _syntax(exc: etree.XMLSyntaxError, path: Path, log: FindingLog) -> None:
    """Turn a parse error into the fatal finding that says most."""
    message = str(exc.msg if hasattr(exc, "msg") and exc.msg else exc)
    line = exc.lineno or 0
    entries: Any = getattr(exc, "error_log", None)
    last = entries.last_error if entries is not None else None
    if last is not None and (line == 0 or message.startswith("no element found")):
        message, line = last.message, last.line  # the generic wrapper hides the real error
    where = Location(line=line)
    lowered = message.lower()
    if "doctype" in lowered or ("entity" in lowered and "not defined" not in lowered):
        log.add("XML-DTD", where, line=line)
    elif "encoding" in lowered or "utf-8" in lowered or "char 0x" in lowered or "bytes:" in lowered:
        log.add("XML-ENCODING", where, detail=f"line {line}: {message}")
    elif not any(marker in lowered for marker in _NOT_TRUNCATION) and (
        "premature end" in lowered or "end of data" in lowered or _at_end(path, line)
    ):
        log.add("XML-TRUNCATED", where, line=line, detail=message)
    else:
        log.add("XML-SYNTAX", where, detail=f"line {line}: {message}")


def _at_end(path: Path, line: int) -> bool:
    """True if ``line`` is the file's last line (the parser ran out of input there)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            handle.seek(max(0, size - (1 << 16)))
            tail = handle.read()
    except OSError:
        return False
    if not tail.strip():
        return False
    # count lines only near the end: compare with the number of the last line
    with path.open("rb") as handle:
        total = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return line >= total


_NAMES = (
    "header", "companyIdent", "companyName", "vatCodeDetail", "period", "employee", "article",
    "basic", "registerID", "event", "cashtransaction", "cashregister",
)  # fmt: skip
_MASTER = {"vatCodeDetail", "period", "employee", "article"}
_DEFAULT_NS = re.compile(rb"""(<auditfile\b[^>]*?)\s+xmlns\s*=\s*(["'])""" + re.escape(NAMESPACE.encode()) + rb"\2")


class _Unqualified:
    """Reads a file, dropping the SAF-T default namespace declaration from the root tag.

    Tags then come out as ``nr`` instead of ``{urn:StandardAuditFile-Taxation-CashRegister:NO}nr``,
    which makes reading each element about a quarter cheaper. Only the first 64 KiB are
    looked at, and only when the root declares the namespace as its default (the usual
    form) is anything removed; ``stripped`` says which, so the reader matches tags the
    same way the bytes were served. Line numbers do not change. The schema check reads
    the original file.
    """

    def __init__(self, handle: _Source) -> None:
        self._handle = handle
        self._head, count = _DEFAULT_NS.subn(rb"\1", handle.read(1 << 16), count=1)
        self.stripped = count == 1

    def read(self, size: int = -1) -> bytes:
        if self._head:
            data, self._head = self._head, b""
            return data
        return self._handle.read(size if size and size > 0 else 1 << 16)


def read(path: Path, handler: Handler, log: FindingLog) -> bool:
    """Stream ``path`` through ``handler``; report a parse error as a fatal finding.

    Returns:
        True if the whole file was read.
    """
    return _stream(path, handler, log, _unqualified)


def read_register(
    path: Path, layout: Layout, index: int, handler: Handler, log: FindingLog, schema: etree.XMLSchema | None = None
) -> bool:
    """Stream only register ``index`` of ``layout`` through ``handler`` (line 1 = the range's first line).

    Args:
        path: The file.
        layout: Its registers (:func:`harness.verify.layout.scan`).
        index: Which register.
        handler: Gets the register's events and transactions.
        log: Gets a fatal finding if the range cannot be read.
        schema: Validate the range while reading it (``part_schema("register")``); a
            validity error then ends the reading like a parse error.

    Returns:
        True if the whole register was read (and was valid, if ``schema`` was given).
    """

    def source(handle: BinaryIO) -> tuple[_Source, str]:
        return RangeReader(handle, layout.declaration, layout.spans[index]), ""

    return _stream(path, handler, log, source, schema)


def read_outside(
    path: Path, layout: Layout, handler: Handler, log: FindingLog, schema: etree.XMLSchema | None = None
) -> bool:
    """Stream everything of ``path`` but its registers (header, company, masterfiles) through ``handler``.

    ``schema`` (``part_schema("outside")``) validates what is read, as in :func:`read_register`.

    Returns:
        True if the whole file was read (and was valid, if ``schema`` was given).
    """
    return _stream(path, handler, log, lambda handle: _unqualified(CutReader(handle, layout.spans)), schema)


def _unqualified(handle: _Source) -> tuple[_Source, str]:
    """The reader that drops the default namespace, and the tag prefix it leaves."""
    source = _Unqualified(handle)
    return source, "" if source.stripped else NS


def _stream(
    path: Path,
    handler: Handler,
    log: FindingLog,
    source: Callable[[BinaryIO], tuple[_Source, str]],
    schema: etree.XMLSchema | None = None,
) -> bool:
    """Open ``path``, wrap it with ``source`` (bytes to serve, tag prefix) and read it; report I/O errors."""
    try:
        with path.open("rb") as handle:
            reader, ns = source(handle)
            return _read(reader, ns, path, handler, log, schema)
    except OSError as exc:
        log.add("FILE-READ", Location(), path=str(path), reason=exc.strerror or str(exc))
        return False


def _read(
    source: _Source, ns: str, path: Path, handler: Handler, log: FindingLog, schema: etree.XMLSchema | None = None
) -> bool:
    register = ""
    cut = len(ns)
    header_t = ns + "header"
    company_t = ns + "company"
    register_t = ns + "cashregister"
    event_t = ns + "event"
    trans_t = ns + "cashtransaction"
    tags = tuple(ns + name for name in _NAMES)
    ident = name = ""
    company_done = False
    options = PARSER_OPTIONS if schema is None else {**PARSER_OPTIONS, "schema": schema}
    try:
        for _ev, el in etree.iterparse(source, events=("end",), tag=tags, **options):
            tag = el.tag
            if tag == trans_t:
                handler.transaction(read_transaction(el, register, cut))
            elif tag == event_t:
                handler.event(read_event(el, register, cut))
            else:
                parent = el.getparent()
                parent_tag = parent.tag if parent is not None else ""
                short = tag[cut:]
                if short == "registerID":
                    if parent_tag == register_t:
                        register = (el.text or "").strip()
                        handler.register(register, el.sourceline or 0)
                    continue  # eventReport/registerID is read with its event
                if short in ("companyIdent", "companyName"):
                    if parent_tag == company_t and not company_done:
                        if short == "companyIdent":
                            ident = (el.text or "").strip()
                        else:
                            name = (el.text or "").strip()
                            handler.company(ident, name)
                            company_done = True
                    continue
                if tag == header_t:
                    handler.header(
                        {_name(c.tag, cut): (c.text or "").strip() for c in el if len(c) == 0}, el.sourceline or 0
                    )
                elif short in _MASTER:
                    values = {_name(c.tag, cut): (c.text or "").strip() for c in el}
                    handler.masterfile(short, values, el.sourceline or 0)
                elif short == "basic":
                    handler.basic(read_basic(el, cut))
                elif tag == register_t:
                    handler.register_end()
                    register = ""
            el.clear(keep_tail=False)
            while el.getprevious() is not None:
                del el.getparent()[0]
    except etree.XMLSyntaxError as exc:
        _syntax(exc, path, log)
        return False
    return True


def _name(tag: Any, cut: int) -> str:
    return tag[cut:] if isinstance(tag, str) else ""
