"""Hostile and broken input to the SAF-T verifier: every case ends in a clear finding, never a traceback.

The cases start from Skatteetaten's example export (``tests/data``), copied under a proper
SAF-T file name and then damaged: document type declarations (entity expansion, XXE,
external DTDs), files cut at many byte offsets, wrong encodings, files that are not
SAF-T or not XML at all, resource-exhausting nodes and deep nesting. The last test
streams a synthetic export of 20 000 signed transactions through the command line in a
child process and checks that its memory stays far below what a parsed tree would take.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.verify import FileResult, KeyRing, Severity, VerifyOptions, verify_file

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "example_999999999_20210330104000.xml"
NAME = "SAF-T Cash Register_999999999_20210330104000.xml"
RAW = EXAMPLE.read_bytes()
ROOT = RAW.index(b"<auditfile")
DECL = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def _verify(path: Path, workers: int = 0) -> FileResult:
    return verify_file(path, VerifyOptions(keys=KeyRing(), workers=workers))


def _write(folder: Path, data: bytes, name: str = NAME) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def _fatal(result: FileResult) -> list[str]:
    return [f.rule.id for f in result.findings if f.severity is Severity.FATAL]


def _summary(result: FileResult) -> list[tuple[str, str, int]]:
    return sorted((f.rule.id, f.message("en"), f.location.line) for f in result.findings)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, str, int]]:
    """The findings of the undamaged example under a proper name."""
    result = _verify(_write(tmp_path_factory.mktemp("baseline"), RAW))
    assert result.usable and result.transactions == 4
    assert {f.rule.id for f in result.findings} == {"Z-COUNT", "SIG-NOT-CHECKED"}
    return _summary(result)


# --- document type declarations --------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP socket on 127.0.0.1 that records whether anything connected to it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    server.setblocking(False)
    try:
        yield server
    finally:
        server.close()


def _nobody_connected(server: socket.socket) -> bool:
    try:
        connection, _address = server.accept()
    except BlockingIOError:
        return True
    connection.close()
    return False


LAUGHS = (
    b'<!DOCTYPE auditfile [\n<!ENTITY lol "lol">\n'
    + b"".join(
        b'<!ENTITY lol%d "%s">\n' % (level, (b"&lol%d;" % (level - 1) if level > 1 else b"&lol;") * 10)
        for level in range(1, 10)
    )
    + b"]>\n"
)


@pytest.mark.parametrize(
    ("case", "prolog", "use"),
    [
        ("billion laughs", LAUGHS, b"&lol9;"),
        ("XXE file", b'<!DOCTYPE auditfile [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n', b"&x;"),
        ("external DTD over http", b'<!DOCTYPE auditfile SYSTEM "http://127.0.0.1:{port}/saft.dtd">\n', b""),
        (
            "external parameter entity",
            b'<!DOCTYPE auditfile [<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/evil.dtd"> %p;]>\n',
            b"",
        ),
        ("internal parameter entity", b"<!DOCTYPE auditfile [<!ENTITY % a \"<!ENTITY b 'x'>\"> %a;]>\n", b"&b;"),
        ("bare DOCTYPE", b"<!DOCTYPE auditfile>\n", b""),
        ("DOCTYPE after a comment", b'<!-- export -->\n<!DOCTYPE auditfile [<!ENTITY y "z">]>\n', b"&y;"),
    ],
)
def test_doctype_is_refused_without_being_expanded_or_fetched(
    tmp_path: Path, listener: socket.socket, case: str, prolog: bytes, use: bytes
) -> None:
    port = listener.getsockname()[1]
    body = RAW[ROOT:].replace(b"<softwareDesc>Kassasystemet", b"<softwareDesc>" + use + b"Kassasystemet", 1)
    path = _write(tmp_path, DECL + prolog.replace(b"{port}", str(port).encode()) + body)
    result = _verify(path)
    assert not result.usable, case
    assert _fatal(result) == ["XML-DTD"]
    assert result.transactions == 0
    assert [f.rule.id for f in result.findings] == ["XML-DTD"]  # refused before anything else is read
    assert "root:" not in result.findings[0].message("en")
    assert _nobody_connected(listener), f"{case}: the verifier fetched the DTD"


def test_doctype_refused_through_a_worker_pool_too(tmp_path: Path, listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    prolog = f'<!DOCTYPE auditfile SYSTEM "http://127.0.0.1:{port}/saft.dtd">\n'.encode()
    result = _verify(_write(tmp_path, DECL + prolog + RAW[ROOT:]), workers=2)
    assert _fatal(result) == ["XML-DTD"]
    assert _nobody_connected(listener)


# --- truncated files -------------------------------------------------------------------


def _after(marker: bytes, start: int = 0) -> int:
    return RAW.index(marker, start) + len(marker)


TRUNCATIONS = {
    "in the root's start tag": _after(b"xmlns:xsi="),
    "in the middle of a tag name": RAW.index(b"<cashtransaction>") + len(b"<cash"),
    "in the middle of a text": _after(b"<transAmntIn>86"),
    "in the middle of a basic": _after(b"<basicID>DEB"),
    "inside the Z report": _after(b"<reportEmpArtGroups>"),
    "right after a closing tag": _after(b"</cashtransaction>"),
    "after a closing tag and its line break": _after(b"</cashtransaction>\r\n"),
    "after the last transaction": _after(b"</cashtransaction>", RAW.rindex(b"<cashtransaction>")),
    "in the middle of a closing tag": _after(b"</company>\r\n</audit"),
    "one byte short": len(RAW.rstrip()) - 1,
}


@pytest.mark.parametrize("where", list(TRUNCATIONS))
def test_truncated_file_is_reported_as_truncated(tmp_path: Path, where: str) -> None:
    data = RAW[: TRUNCATIONS[where]]
    result = _verify(_write(tmp_path, data))
    assert not result.usable
    assert _fatal(result) == ["XML-TRUNCATED"], [f.message() for f in result.findings]
    finding = next(f for f in result.findings if f.rule.id == "XML-TRUNCATED")
    last_line = data.count(b"\n") + 1
    assert finding.location.line == last_line
    assert f"line {last_line}" in finding.message("en")


def test_truncated_file_reports_what_was_read_before_the_cut(tmp_path: Path) -> None:
    """Everything before the cut is checked: the Z report's count warnings survive a cut after the register."""
    data = RAW[: _after(b"</cashregister>")]
    result = _verify(_write(tmp_path, data))
    assert _fatal(result) == ["XML-TRUNCATED"]
    assert result.transactions == 4
    assert sum(1 for f in result.findings if f.rule.id == "Z-COUNT") == 3


def test_every_cut_of_the_example_is_truncated_never_a_crash(tmp_path: Path) -> None:
    path = tmp_path / NAME
    seen: dict[str, list[int]] = {}
    for cut in range(1, len(RAW.rstrip()), 97):
        path.write_bytes(RAW[:cut])
        result = _verify(path)
        seen.setdefault(",".join(_fatal(result)), []).append(cut)
    assert list(seen) == ["XML-TRUNCATED"], {k: v[:5] for k, v in seen.items()}


# --- encodings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "old", "new", "line"),
    [
        ("in the company address", "Sør-Trøndelag".encode(), "Sør-Trøndelag".encode("latin-1"), 27),
        ("in an article", "Sportsbrød".encode(), "Sportsbrød".encode("latin-1"), 108),
        (
            "in the last transaction",
            b"<paymentRefID>BAX: 568833-84887558",
            "<paymentRefID>BAX: Sørby".encode("latin-1"),
            RAW[: RAW.index(b"BAX: 568833-84887558")].count(b"\n") + 1,
        ),
    ],
)
def test_latin1_bytes_in_a_utf8_file(tmp_path: Path, case: str, old: bytes, new: bytes, line: int) -> None:
    assert RAW.count(old) >= 1 and b"\xf8" in new
    result = _verify(_write(tmp_path, RAW.replace(old, new, 1)))
    assert not result.usable, case
    assert _fatal(result) == ["XML-ENCODING"]
    finding = result.findings[0]
    assert finding.rule.id == "XML-ENCODING"
    assert finding.location.line == line
    assert f"line {line}" in finding.message("en")


def test_nul_byte_is_fatal(tmp_path: Path) -> None:
    result = _verify(_write(tmp_path, RAW.replace(b"<softwareDesc>Kassa", b"<softwareDesc>Kassa\x00", 1)))
    assert not result.usable
    assert _fatal(result) in (["XML-ENCODING"], ["XML-SYNTAX"])
    assert result.findings[0].location.line == 10


def _reencoded(encoding: str, declared: str) -> bytes:
    text = RAW.decode("utf-8").replace('encoding="UTF-8"', f'encoding="{declared}"', 1)
    return text.encode(encoding)


PREFIXED = re.sub(rb"<(/?)(?=[A-Za-z])", rb"<\1s:", RAW).replace(b'xmlns="urn', b'xmlns:s="urn', 1)
SINGLE_QUOTED = RAW.replace(
    b'xmlns="urn:StandardAuditFile-Taxation-CashRegister:NO"', b"xmlns='urn:StandardAuditFile-Taxation-CashRegister:NO'"
)


@pytest.mark.parametrize(
    ("case", "data"),
    [
        ("UTF-16 little-endian with BOM", b"\xff\xfe" + _reencoded("utf-16-le", "UTF-16")),
        ("UTF-16 big-endian with BOM", b"\xfe\xff" + _reencoded("utf-16-be", "UTF-16")),
        ("UTF-16 with BOM, declaration still UTF-8", RAW.decode("utf-8").encode("utf-16")),
        ("UTF-8 with BOM", b"\xef\xbb\xbf" + RAW),
        ("ISO-8859-1, declared", _reencoded("latin-1", "ISO-8859-1")),
        ("LF line ends", RAW.replace(b"\r\n", b"\n")),
        ("namespace prefix instead of a default namespace", PREFIXED),
        ("default namespace in single quotes", SINGLE_QUOTED),
    ],
)
def test_other_valid_forms_verify_like_the_utf8_file(
    tmp_path: Path, baseline: list[tuple[str, str, int]], case: str, data: bytes
) -> None:
    assert data != RAW
    result = _verify(_write(tmp_path, data))
    assert result.usable, (case, [f.message() for f in result.findings])
    assert result.transactions == 4
    assert _summary(result) == baseline


# --- not SAF-T, not XML, not a file -----------------------------------------------------


@pytest.mark.parametrize(
    ("case", "data", "root"),
    [
        ("another root", b'<?xml version="1.0"?>\n<invoice/>\n', "invoice"),
        (
            "auditfile in the Swedish namespace",
            b'<?xml version="1.0"?>\n<auditfile xmlns="urn:StandardAuditFile-Taxation-CashRegister:SE"><header/>'
            b"</auditfile>\n",
            "{urn:StandardAuditFile-Taxation-CashRegister:SE}auditfile",
        ),
        (
            "SAF-T Financial",
            b'<?xml version="1.0"?>\n<n1:AuditFile xmlns:n1="urn:StandardAuditFile-Taxation-Financial:NO">'
            b"<n1:Header/></n1:AuditFile>\n",
            "{urn:StandardAuditFile-Taxation-Financial:NO}AuditFile",
        ),
        ("auditfile without namespace", b"<auditfile><header/></auditfile>\n", "auditfile"),
        (
            "the example's content in another namespace",
            RAW.replace(b"CashRegister:NO", b"CashRegister:DK"),
            "{urn:StandardAuditFile-Taxation-CashRegister:DK}auditfile",
        ),
    ],
)
def test_xml_that_is_not_saft(tmp_path: Path, case: str, data: bytes, root: str) -> None:
    result = _verify(_write(tmp_path, data))
    assert not result.usable, case
    assert [f.rule.id for f in result.findings] == ["XML-NOT-SAFT"]
    assert result.findings[0].values["root"] == root
    assert root in result.findings[0].message("en")


@pytest.mark.parametrize(
    ("case", "data"),
    [
        ("JSON, pretty-printed", json.dumps({"auditfile": {"header": {"fiscalYear": 2020}}}, indent=2).encode()),
        ("random bytes", random.Random(20261122).randbytes(4096)),
        ("the example gzipped", gzip.compress(RAW, mtime=0)),
        ("only white space", b"  \n\n "),
        ("a PDF", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"),
    ],
)
def test_not_xml_is_fatal(tmp_path: Path, case: str, data: bytes) -> None:
    result = _verify(_write(tmp_path, data))
    assert not result.usable, case
    assert _fatal(result) in (["FILE-READ"], ["XML-SYNTAX"]), [f.message() for f in result.findings]
    assert len(result.findings) == 1


def test_one_line_json_is_a_syntax_error_not_a_truncation(tmp_path: Path) -> None:
    result = _verify(_write(tmp_path, b'{"auditfile": {"header": 1}}\n'))
    assert _fatal(result) == ["XML-SYNTAX"]


@pytest.mark.parametrize("tail", [b"garbage", b"<auditfile/>"])
def test_content_after_the_root_is_a_syntax_error_not_a_truncation(tmp_path: Path, tail: bytes) -> None:
    result = _verify(_write(tmp_path, RAW + tail))
    assert _fatal(result) == ["XML-SYNTAX"]


def test_undefined_entity_is_a_syntax_error(tmp_path: Path) -> None:
    result = _verify(_write(tmp_path, RAW.replace(b"<softwareDesc>Kassa", b"<softwareDesc>&foo;Kassa", 1)))
    assert not result.usable
    assert _fatal(result) == ["XML-SYNTAX"]


def test_undefined_entity_message_says_what_and_where(tmp_path: Path) -> None:
    result = _verify(_write(tmp_path, RAW.replace(b"<softwareDesc>Kassa", b"<softwareDesc>&foo;Kassa", 1)))
    finding = result.findings[0]
    assert finding.location.line == 10
    assert "foo" in finding.message("en")


def test_empty_file(tmp_path: Path) -> None:
    result = _verify(_write(tmp_path, b""))
    assert [f.rule.id for f in result.findings] == ["FILE-READ"]
    assert "empty" in result.findings[0].message("en")
    assert not result.usable


def test_directory(tmp_path: Path) -> None:
    folder = tmp_path / NAME
    folder.mkdir()
    result = _verify(folder)
    assert [f.rule.id for f in result.findings] == ["FILE-READ"]
    assert not result.usable


def test_missing_file(tmp_path: Path) -> None:
    result = _verify(tmp_path / NAME)
    assert [f.rule.id for f in result.findings] == ["FILE-READ"]
    assert "No such file" in result.findings[0].message("en")
    assert not result.usable


@pytest.mark.timeout(20)
def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / NAME
    os.mkfifo(fifo)
    result = _verify(fifo)
    assert [f.rule.id for f in result.findings] == ["FILE-READ"]
    assert "not a regular file" in result.findings[0].message("en")


# --- resource exhaustion ---------------------------------------------------------------

HUGE = 20_000_000


@pytest.mark.parametrize(
    ("case", "old", "new"),
    [
        ("text node", b"<eventText>Z-report</eventText>", b"<eventText>" + b"A" * HUGE + b"</eventText>"),
        (
            "CDATA section",
            b"<eventText>Z-report</eventText>",
            b"<eventText><![CDATA[" + b"A" * HUGE + b"]]></eventText>",
        ),
        ("attribute value", b"<header>", b'<header note="' + b"A" * HUGE + b'">'),
    ],
)
def test_huge_node_does_not_crash(tmp_path: Path, case: str, old: bytes, new: bytes) -> None:
    path = _write(tmp_path, RAW.replace(old, new, 1))
    result = _verify(path)
    assert isinstance(result, FileResult)
    if result.usable:  # read in full: the schema says what is wrong with it
        assert "XSD-INVALID" in {f.rule.id for f in result.findings}, case
        return
    # libxml2's limits refused it (lxml's push parser reports an over-long attribute some
    # lines later than where it is, so only text nodes are checked for the line)
    assert _fatal(result) == ["XML-SYNTAX"], case
    assert "XML_PARSE_HUGE" in result.findings[0].message("en") or "too big" in result.findings[0].message("en")
    if case != "attribute value":
        assert result.findings[0].location.line == RAW[: RAW.index(old)].count(b"\n") + 1


def test_huge_text_node_through_the_worker_pool(tmp_path: Path) -> None:
    old = b"<eventText>Z-report</eventText>"
    path = _write(tmp_path, RAW.replace(old, b"<eventText>" + b"A" * HUGE + b"</eventText>", 1))
    single = _verify(path)
    pooled = _verify(path, workers=2)
    assert _summary(pooled) == _summary(single)


@pytest.mark.parametrize("depth", [200, 10_000])
def test_deep_nesting_does_not_crash(tmp_path: Path, depth: int) -> None:
    at = RAW.index(b"<header>")
    result = _verify(_write(tmp_path, RAW[:at] + b"<x>" * depth + b"</x>" * depth + RAW[at:]))
    assert isinstance(result, FileResult)
    if result.usable:
        assert "XSD-INVALID" in {f.rule.id for f in result.findings}
    else:
        assert _fatal(result) == ["XML-SYNTAX"]
        assert "depth" in result.findings[0].message("en").lower()


# --- bounded memory --------------------------------------------------------------------

_MEASURE = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


@pytest.mark.slow
def test_memory_stays_bounded_on_a_large_export(tmp_path: Path) -> None:
    """20 000 signed transactions (about 47 MB): a parsed tree would take over 400 MB; the stream stays small."""
    from bench.saft_synth import SynthSpec, generate, write_keys

    public1, public2 = write_keys(tmp_path)
    export = tmp_path / "SAF-T Cash Register_999999999_20250105235959.xml"
    generate(export, SynthSpec(transactions=20_000), tmp_path / "key1.pem", tmp_path / "key2.pem", workers=2)
    assert export.stat().st_size > 40_000_000
    command = [
        sys.executable, "-m", "harness.cli", "verify", str(export),
        "--public-key", f"1={public1}", "--public-key", f"2={public2}",
    ]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True, timeout=300
    )
    code, maxrss_kib = (int(v) for v in done.stdout.split())
    assert code == 0, "the synthetic export should verify clean"
    assert maxrss_kib < 200 * 1024, f"verifier used {maxrss_kib / 1024:.0f} MiB"
