"""Streaming validation against the official XSD (kassasystemforskrifta § 2-7 første ledd).

Validation uses libxml2's SAX validator, ``xmlSchemaValidateFile``: the same engine as
``xmllint --stream --schema`` and lxml, fed from the file in a single C call, so it
never builds a tree and its memory does not depend on the file's size. lxml does not
expose that function, so it is reached through :mod:`ctypes` in the system's
``libxml2.so.2`` (Debian package ``libxml2``, installed by ``make setup``). Every
error is collected through a structured-error callback with its line number; repeats
of one message are counted, not listed.

Where the system library is missing, :func:`validate` falls back to
:func:`lxml.etree.iterparse` with the schema attached (also streaming, about half as
fast); lxml stops at the first schema error, which the message then says.

Files reach this module only after :func:`harness.verify.stream.preflight` accepted
them (no DOCTYPE); the parser options forbid network access all the same.
"""

from __future__ import annotations

import copy
import ctypes
import ctypes.util
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from harness.saft_spec import NAMESPACE, schema_path

__all__ = ["SchemaError", "SchemaResult", "part_schema", "validate"]

#: distinct messages kept (each with its count and first line)
MAX_DISTINCT = 200
_XML_PARSE_NONET = 1 << 11
_XML_FROM_PARSER = 1


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One distinct schema message."""

    message: str
    line: int
    count: int


@dataclass(frozen=True, slots=True)
class SchemaResult:
    """The outcome of validating one file.

    Attributes:
        errors: Distinct messages, in order of first occurrence.
        engine: ``"libxml2"`` or ``"lxml"`` (the fallback).
        complete: False if the engine stopped before the end of the file.
    """

    errors: tuple[SchemaError, ...]
    engine: str
    complete: bool


class _XmlError(ctypes.Structure):
    _fields_ = [
        ("domain", ctypes.c_int),
        ("code", ctypes.c_int),
        ("message", ctypes.c_char_p),
        ("level", ctypes.c_int),
        ("file", ctypes.c_char_p),
        ("line", ctypes.c_int),
        ("str1", ctypes.c_char_p),
        ("str2", ctypes.c_char_p),
        ("str3", ctypes.c_char_p),
        ("int1", ctypes.c_int),
        ("int2", ctypes.c_int),
        ("ctxt", ctypes.c_void_p),
        ("node", ctypes.c_void_p),
    ]


_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(_XmlError))


@cache
def _libxml2() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("xml2")
    if not name:
        return None
    try:
        lib = ctypes.CDLL(name)
        lib.xmlSchemaNewParserCtxt.restype = ctypes.c_void_p
        lib.xmlSchemaNewParserCtxt.argtypes = [ctypes.c_char_p]
        lib.xmlSchemaParse.restype = ctypes.c_void_p
        lib.xmlSchemaParse.argtypes = [ctypes.c_void_p]
        lib.xmlSchemaFreeParserCtxt.argtypes = [ctypes.c_void_p]
        lib.xmlSchemaNewValidCtxt.restype = ctypes.c_void_p
        lib.xmlSchemaNewValidCtxt.argtypes = [ctypes.c_void_p]
        lib.xmlSchemaFreeValidCtxt.argtypes = [ctypes.c_void_p]
        lib.xmlSchemaFree.argtypes = [ctypes.c_void_p]
        lib.xmlSchemaSetValidStructuredErrors.argtypes = [ctypes.c_void_p, _HANDLER, ctypes.c_void_p]
        lib.xmlSchemaValidateFile.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        lib.xmlSchemaValidateFile.restype = ctypes.c_int
        lib.xmlSetStructuredErrorFunc.argtypes = [ctypes.c_void_p, _HANDLER]
    except (OSError, AttributeError):
        return None
    return lib


class _Collector:
    def __init__(self) -> None:
        self.errors: dict[str, list[int]] = {}

    def add(self, message: str, line: int) -> None:
        found = self.errors.get(message)
        if found is not None:
            found[1] += 1
        elif len(self.errors) < MAX_DISTINCT:
            self.errors[message] = [line, 1]

    def result(self, engine: str, complete: bool) -> SchemaResult:
        return SchemaResult(tuple(SchemaError(m, line, n) for m, (line, n) in self.errors.items()), engine, complete)


def _with_libxml2(lib: ctypes.CDLL, path: Path, xsd: Path) -> SchemaResult:
    collector = _Collector()

    def on_error(_ctx: int | None, error: ctypes._Pointer[_XmlError]) -> None:
        err = error.contents
        if err.domain == _XML_FROM_PARSER:
            return  # well-formedness: the streaming reader reports it with more context
        text = (err.message or b"").decode("utf-8", "replace").strip()
        collector.add(text, err.line)

    handler = _HANDLER(on_error)
    lib.xmlSetStructuredErrorFunc(None, handler)
    parser = lib.xmlSchemaNewParserCtxt(str(xsd).encode())
    schema = lib.xmlSchemaParse(parser)
    lib.xmlSchemaFreeParserCtxt(parser)
    if not schema:
        raise RuntimeError(f"libxml2 could not read the schema {xsd}")
    valid = lib.xmlSchemaNewValidCtxt(schema)
    try:
        lib.xmlSchemaSetValidStructuredErrors(valid, handler, None)
        status = lib.xmlSchemaValidateFile(valid, str(path).encode(), _XML_PARSE_NONET)
    finally:
        lib.xmlSchemaFreeValidCtxt(valid)
        lib.xmlSchemaFree(schema)
        lib.xmlSetStructuredErrorFunc(None, _HANDLER())
    if status < 0 and not collector.errors:
        collector.add("libxml2 could not validate the file (internal error)", 0)
    return collector.result("libxml2", True)


def _with_lxml(path: Path, xsd: Path) -> SchemaResult:
    collector = _Collector()
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    complete = True
    try:
        for _ev, el in etree.iterparse(
            str(path), events=("end",), schema=schema, resolve_entities=False, no_network=True, load_dtd=False
        ):
            if el.getparent() is not None and len(el) == 0:
                continue
            el.clear(keep_tail=False)
            while el.getprevious() is not None:
                del el.getparent()[0]
    except etree.XMLSyntaxError as exc:
        complete = False
        entries: Any = exc.error_log
        for entry in entries:
            collector.add(entry.message, entry.line)
        if not collector.errors:
            collector.add(str(exc), exc.lineno or 0)
    return collector.result("lxml", complete)


def validate(path: Path, *, engine: str = "auto") -> SchemaResult:
    """Validate ``path`` against the official XSD without loading it into memory.

    Args:
        path: The SAF-T file (already through :func:`~harness.verify.stream.preflight`).
        engine: ``"auto"`` (libxml2 if present, else lxml), ``"libxml2"`` or ``"lxml"``.

    Returns:
        The distinct schema messages with line numbers and counts.
    """
    xsd = schema_path()
    lib = _libxml2() if engine in ("auto", "libxml2") else None
    if lib is not None:
        return _with_libxml2(lib, path, xsd)
    if engine == "libxml2":
        raise RuntimeError("the system libxml2 (libxml2.so.2) was not found; install the Debian package libxml2")
    return _with_lxml(path, xsd)


_XS = "{http://www.w3.org/2001/XMLSchema}"


@cache
def part_schema(part: str) -> etree.XMLSchema:
    """The official XSD rewritten for the parts a split file is read in (:mod:`harness.verify.layout`).

    The parts are read without the SAF-T namespace (see :mod:`harness.verify.stream`), so
    the target namespace is taken out of a copy of the schema. Its identity constraints
    go too: their XPaths name elements without a prefix, which in the original matches
    nothing in the SAF-T namespace, so they were never in force (without the namespace
    they would be). Then:

    * ``"outside"``: the whole document with its registers cut out (``cashregister`` has
      ``minOccurs="0"``, so that is valid exactly when the rest of the file is);
    * ``"register"``: ``auditfile`` holding only ``cashregister`` elements, each as the
      official schema defines it.

    A part is valid against these exactly when the file is valid against the official
    schema; the validation then rides along with the parse that reads the part
    (``iterparse(schema=…)``), so the file is not parsed a second time only to validate
    it. Where a part is not valid, the engine runs :func:`validate` on the file for the
    messages and their lines.
    """
    text = schema_path().read_bytes()
    namespace = re.escape(NAMESPACE.encode())
    text = re.sub(rb'\s(?:xmlns|targetNamespace)="' + namespace + rb'"', b"", text)
    tree = etree.fromstring(text, etree.XMLParser(resolve_entities=False, no_network=True))
    for name in ("key", "keyref", "unique"):
        for constraint in list(tree.iter(_XS + name)):
            parent = constraint.getparent()
            if parent is not None:
                parent.remove(constraint)
    if part == "register":
        root = tree.find(f"{_XS}element[@name='auditfile']")
        register = tree.find(f".//{_XS}element[@name='cashregister']")
        if root is None or register is None:
            raise ValueError("the official schema has no auditfile or cashregister element")
        for child in list(root):
            root.remove(child)
        complex_type = etree.SubElement(root, _XS + "complexType")
        etree.SubElement(complex_type, _XS + "sequence").append(copy.deepcopy(register))
    elif part != "outside":
        raise ValueError(f"unknown part {part!r}: use 'outside' or 'register'")
    return etree.XMLSchema(tree)
