"""Registers checked in parallel: the byte scan, its refusals, and the fall-back to one stream.

A file with two or more registers is cut into ``cashregister`` byte ranges
(:mod:`harness.verify.layout`) that worker processes check on their own; the main process
merges what only the whole file can decide. These tests hold the split to two promises:
it finds exactly what reading the file in one stream finds (same rules, counts, messages
and line numbers), and wherever it could be fooled it does not split at all.
"""

from __future__ import annotations

import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from harness.verify import KeyRing, VerifyOptions, verify_file
from harness.verify import layout as layout_module
from harness.verify.layout import scan
from tests.unit.verify.split_and_stream import split_and_stream

NAME = "SAF-T Cash Register_999999999_20261122000000.xml"


@pytest.fixture(scope="module")
def raw(demo_export: Any) -> bytes:
    data: bytes = demo_export.path.read_bytes()
    assert data.count(b"<cashregister>") == 2
    return data


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / NAME
    path.write_bytes(data)
    return path


def _register_bounds(data: bytes, index: int) -> tuple[int, int]:
    starts = [m.start() for m in re.finditer(rb"<cashregister>", data)]
    ends = [m.end() for m in re.finditer(rb"</cashregister>", data)]
    return starts[index], ends[index]


# --- the scan ----------------------------------------------------------------------------


@pytest.mark.parametrize("chunk", [80, 97, 1000, 4096, 1 << 20])
def test_scan_finds_each_register_whatever_the_read_size(
    raw: bytes, tmp_path: Path, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(layout_module, "_CHUNK", chunk)
    found = scan(_write(tmp_path, raw))
    assert found is not None
    assert found.declaration.startswith(b"<?xml")
    assert found.spans == (_register_bounds(raw, 0), _register_bounds(raw, 1))
    for (start, end), line in zip(found.spans, found.lines, strict=True):
        assert raw[start:end].startswith(b"<cashregister>") and raw[start:end].endswith(b"</cashregister>")
        assert line == raw[:start].count(b"\n") + 1


def test_the_word_cashregister_in_a_text_does_not_stop_the_split(raw: bytes, tmp_path: Path) -> None:
    data = raw.replace(b"<regDesc>Kasse 1 ved inngangen", b"<regDesc>cashregister ved inngangen", 1)
    assert data != raw
    found = scan(_write(tmp_path, data))
    assert found is not None and len(found.spans) == 2


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"<eventID>2</eventID>", b"<eventID>2</eventID><!-- a comment -->"),
        (b"<eventID>2</eventID>", b"<eventID>2</eventID><?pi data?>"),
        (b"<regDesc>Kasse 1 ved inngangen", b"<regDesc><![CDATA[Kasse 1]]>"),
        (b"<cashregister>", b'<cashregister xmlns="urn:StandardAuditFile-Taxation-CashRegister:NO">'),
        (b"</cashregister>", b"</cashregister >"),
    ],
    ids=["comment", "processing-instruction", "cdata", "attribute-on-register", "space-in-end-tag"],
)
def test_scan_refuses_what_a_byte_search_could_misread(raw: bytes, tmp_path: Path, old: bytes, new: bytes) -> None:
    data = raw.replace(old, new, 1)
    assert data != raw
    if new.endswith(b" >"):  # harmless, and still split
        assert scan(_write(tmp_path, data)) is not None
    else:
        assert scan(_write(tmp_path, data)) is None


def test_scan_refuses_prefixed_tags_and_single_registers(raw: bytes, tmp_path: Path) -> None:
    prefixed = re.sub(rb"<(/?)([A-Za-z])", rb"<\1s:\2", raw.split(b"?>", 1)[1])
    prefixed = prefixed.replace(b'xmlns="urn:', b'xmlns:s="urn:', 1)
    assert scan(_write(tmp_path, prefixed)) is None
    first_end = _register_bounds(raw, 0)[1]
    second = _register_bounds(raw, 1)
    single = raw[:first_end] + raw[second[1] :]
    assert scan(_write(tmp_path, single)) is None
    assert scan(_write(tmp_path, single), minimum=1) is not None


# --- the split gives the stream's findings, or does not happen ---------------------------


def test_a_comment_hiding_a_register_is_not_split(raw: bytes, tmp_path: Path, pool: ProcessPoolExecutor) -> None:
    start, end = _register_bounds(raw, 1)
    data = raw[:start] + b"<!-- " + raw[start:end] + b" -->" + raw[end:]
    split, _stream = split_and_stream(_write(tmp_path, data), pool)
    assert split.registers_in_parallel == 0
    assert split.transactions < verify_file(_write(tmp_path, raw), VerifyOptions(workers=0)).transactions


def test_transid_repeated_across_registers_is_reported_where_it_is(
    raw: bytes, tmp_path: Path, pool: ProcessPoolExecutor
) -> None:
    start, end = _register_bounds(raw, 1)
    second = raw[start:end]
    first_id = re.search(rb"<cashtransaction>\s*<nr>[^<]*</nr>\s*<transID>([^<]+)</transID>", raw).group(1)  # type: ignore[union-attr]
    own_id = re.search(rb"<transID>([^<]+)</transID>", second[second.index(b"<cashtransaction>") :]).group(1)  # type: ignore[union-attr]
    data = (
        raw[:start]
        + second.replace(b"<transID>" + own_id + b"</transID>", b"<transID>" + first_id + b"</transID>")
        + raw[end:]
    )
    split, _stream = split_and_stream(_write(tmp_path, data), pool)
    assert split.registers_in_parallel == 0  # merged, the id sets overlap: read again in one stream
    duplicates = [f for f in split.findings if f.rule.id == "NUM-TRANSID-DUP"]
    assert duplicates and duplicates[0].location.register == "K2"
    assert duplicates[0].location.line > data[:start].count(b"\n")


def test_eventid_repeated_across_registers_is_reported(raw: bytes, tmp_path: Path, pool: ProcessPoolExecutor) -> None:
    start, end = _register_bounds(raw, 1)
    second = raw[start:end]
    own = re.search(rb"<eventID>([^<]+)</eventID>", second).group(0)  # type: ignore[union-attr]
    data = raw[:start] + second.replace(own, b"<eventID>1</eventID>", 1) + raw[end:]
    split, _stream = split_and_stream(_write(tmp_path, data), pool)
    assert split.registers_in_parallel == 0
    assert "NUM-EVENTID-DUP" in {f.rule.id for f in split.findings}


def test_not_well_formed_second_register_gives_the_streams_fatal_finding(
    raw: bytes, tmp_path: Path, pool: ProcessPoolExecutor
) -> None:
    start, end = _register_bounds(raw, 1)
    broken = raw[start:end].replace(b"</regDesc>", b"</regDescX>", 1)
    data = raw[:start] + broken + raw[end:]
    split, _stream = split_and_stream(_write(tmp_path, data), pool)
    assert split.registers_in_parallel == 0
    assert not split.usable
    syntax = [f for f in split.findings if f.rule.id == "XML-SYNTAX"]
    assert syntax and syntax[0].location.line == data[: data.index(b"</regDescX>")].count(b"\n") + 1


def test_schema_error_in_the_second_register_keeps_the_split_and_its_line(
    raw: bytes, tmp_path: Path, pool: ProcessPoolExecutor
) -> None:
    start, end = _register_bounds(raw, 1)
    data = raw[:start] + raw[start:end].replace(b"</regDesc>", b"</regDesc><colour>red</colour>", 1) + raw[end:]
    split, _stream = split_and_stream(_write(tmp_path, data), pool)
    assert split.registers_in_parallel == 2
    assert split.schema_engine == "libxml2"  # a part was invalid: the full validator gave the messages
    invalid = [f for f in split.findings if f.rule.id == "XSD-INVALID"]
    assert invalid and invalid[0].location.line == data[: data.index(b"<colour>")].count(b"\n") + 1


def test_findings_in_the_second_register_carry_file_line_numbers(
    raw: bytes, tmp_path: Path, pool: ProcessPoolExecutor
) -> None:
    start, end = _register_bounds(raw, 1)
    second = raw[start:end]
    nr = re.search(rb"<cashtransaction>\s*<nr>(\d+)</nr>", second)
    assert nr is not None
    changed = second[: nr.start(1)] + str(int(nr.group(1)) + 5).encode() + second[nr.end(1) :]
    data = raw[:start] + changed + raw[end:]
    split, _stream = split_and_stream(_write(tmp_path, data), pool)
    assert split.registers_in_parallel == 2
    gaps = [f for f in split.findings if f.rule.id == "NUM-NR"]
    assert gaps and gaps[0].location.register == "K2"
    where = gaps[0].location
    tx = re.compile(rb"<cashtransaction>\s*<nr>" + where.nr.encode() + rb"</nr>\s*<transID>" + where.trans_id.encode())
    found = tx.search(data, start)
    assert found is not None
    line_of_tx = data[: found.start()].count(b"\n") + 1
    assert gaps[0].location.line == line_of_tx


def test_masterfile_after_a_register_is_read_in_one_stream(
    raw: bytes, tmp_path: Path, pool: ProcessPoolExecutor
) -> None:
    articles = re.search(rb"<articles>.*?</articles>\s*", raw, re.S)
    assert articles is not None
    end = _register_bounds(raw, 1)[1]
    moved = raw[: articles.start()] + raw[articles.end() : end] + b"\n" + raw[articles.start() : articles.end()]
    data = moved + raw[end:]
    split, _stream = split_and_stream(_write(tmp_path, data), pool)
    assert split.registers_in_parallel == 0


# --- a signed four-register export -------------------------------------------------------


@pytest.fixture(scope="module")
def four_registers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from bench.saft_synth import SynthSpec, generate, write_keys

    folder = tmp_path_factory.mktemp("four")
    key1, key2 = write_keys(folder)
    export = folder / "SAF-T Cash Register_999999999_20250101000000.xml"
    generate(export, SynthSpec(transactions=600, per_day=50), folder / "key1.pem", folder / "key2.pem", workers=2)
    return {"export": export, "key1": key1, "key2": key2}


def _ring(keys: dict[str, Path]) -> KeyRing:
    ring = KeyRing()
    ring.add_public_key(f"1={keys['key1']}")
    ring.add_public_key(f"2={keys['key2']}")
    return ring


def test_signed_four_register_export_is_clean_split(four_registers: dict[str, Path], pool: ProcessPoolExecutor) -> None:
    split, stream = split_and_stream(four_registers["export"], pool, _ring(four_registers))
    assert split.registers_in_parallel == 4
    assert split.transactions == stream.transactions == 600
    assert not split.findings, [f.rule.id for f in split.findings]


def test_broken_signature_in_the_last_register_is_found_split(
    four_registers: dict[str, Path], tmp_path: Path, pool: ProcessPoolExecutor
) -> None:
    data = four_registers["export"].read_bytes()
    start = data.index(b"<registerID>K4</registerID>")
    at = data.index(b"<signature>", start) + len(b"<signature>")
    flipped = b"A" if data[at : at + 1] != b"A" else b"B"
    path = tmp_path / four_registers["export"].name
    path.write_bytes(data[:at] + flipped + data[at + 1 :])
    split, _stream = split_and_stream(path, pool, _ring(four_registers))
    assert split.registers_in_parallel == 4
    verify = [f for f in split.findings if f.rule.id == "SIG-VERIFY"]
    assert verify and verify[0].location.register == "K4"
    assert verify[0].location.line == data[:at].count(b"\n") + 1
