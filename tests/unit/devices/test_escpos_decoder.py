"""Tokenizer: length rules, Epson exception processing, embedded real-time commands, chunking invariance."""

from __future__ import annotations

import itertools
import re

import pytest
from escpos.printer import Dummy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devices.escpos import decoder as decoder_module
from devices.escpos.commands import COMMANDS, Computed, Fixed
from devices.escpos.decoder import MAX_TEXT, EscposDecoder, Token, tokenize


def names(tokens: list[Token]) -> list[str]:
    return [t.name if t.kind != "text" else t.raw.decode("latin-1") for t in tokens]


def test_fixed_nul_count_and_length_prefixed_rules() -> None:
    stream = (
        b"\x1b@"  # F(2)
        b"\x1b!\x38"  # F(3)
        b"\x1bD\x08\x10\x00"  # NUL-terminated
        b"\x1dk\x02400638133393\x00"  # GS k A
        b"\x1dkI\x05{B123"  # GS k B, count byte
        b"\x1d(k\x03\x001E0"  # pL pH
        b"\x1d8L\x04\x00\x00\x000\x32ab"  # p1..p4 (4 data bytes) then text
        b"\x1bp\x00\x19\xfa"  # ESC p
        b"\x1dV\x42\x03"  # GS V function B: F(4)
    )
    tokens = tokenize(stream)
    assert names(tokens) == ["ESC @", "ESC !", "ESC D", "GS k", "GS k", "GS ( k", "GS 8 L", "ESC p", "GS V"]
    assert tokens[2].args == (8, 16)
    assert tokens[3].args == (2,) and tokens[3].data == b"400638133393"
    assert tokens[4].args == (73, 5) and tokens[4].data == b"{B123"
    assert tokens[5].data == b"1E0"
    assert tokens[6].data == b"0\x32ab"
    assert tokens[7].args == (0, 0x19, 0xFA)
    assert tokens[8].args == (0x42, 3)
    assert [t.offset for t in tokens] == [0, 2, 5, 10, 26, 35, 43, 54, 59]
    assert b"".join(t.raw for t in tokens) == stream


def test_computed_image_lengths() -> None:
    raster = b"\x1dv0\x00\x02\x00\x03\x00" + bytes(6)
    column = b"\x1b*\x21\x02\x00" + bytes(6)  # 24-dot: 3 bytes per column
    user_chars = b"\x1b&\x03\x41\x42" + b"\x02" + bytes(6) + b"\x01" + bytes(3)  # 5 + (1+3*2) + (1+3*1)
    downloaded = b"\x1d*\x01\x02" + bytes(16)
    tokens = tokenize(raster + column + user_chars + downloaded + b"X")
    assert names(tokens) == ["GS v 0", "ESC *", "ESC &", "GS *", "X"]
    assert [len(t.raw) for t in tokens[:4]] == [14, 11, 16, 20]
    assert tokens[0].args == (0, 2, 0, 3, 0) and tokens[0].data == bytes(6)


def test_single_byte_controls_and_text() -> None:
    tokens = tokenize(b"A\tB\rC\nD\x0cE\x18")
    assert names(tokens) == ["A", "HT", "B", "CR", "C", "LF", "D", "FF", "E", "CAN"]
    assert all(t.kind in ("text", "command") for t in tokens)


def test_undefined_control_byte_discards_one_byte() -> None:
    tokens = tokenize(b"A\x07B")
    assert [t.kind for t in tokens] == ["text", "anomaly", "text"]
    assert tokens[1].raw == b"\x07" and "1 byte discarded" in tokens[1].note


def test_undefined_escape_discards_two_bytes() -> None:
    tokens = tokenize(b"\x1b\x01AB\x1d\xffC")
    assert [t.raw for t in tokens] == [b"\x1b\x01", b"AB", b"\x1d\xff", b"C"]
    assert tokens[0].kind == tokens[2].kind == "anomaly"


def test_lone_dle_is_one_undefined_byte() -> None:
    tokens = tokenize(b"\x10A")
    assert [(t.kind, t.raw) for t in tokens] == [("anomaly", b"\x10"), ("text", b"A")]


def test_out_of_range_parameter_discards_the_command_epson_example() -> None:
    # devices.md §1.1: 1B 52 15 is discarded as a whole because 0x15 is not a valid ESC R value.
    tokens = tokenize(b"\x1bR\x15Hei")
    assert tokens[0].kind == "anomaly" and tokens[0].raw == b"\x1bR\x15" and tokens[0].name == "ESC R"
    assert names(tokens[1:]) == ["Hei"]


def test_bad_parameter_epson_policy_processes_the_rest_as_data() -> None:
    epson = tokenize(b"\x1bp\x07\x41\x42")  # bad m: ESC p m discarded, "AB" printed
    assert [(t.kind, t.raw) for t in epson] == [("anomaly", b"\x1bp\x07"), ("text", b"AB")]
    whole = tokenize(b"\x1bp\x07\x41\x42", exceptions="whole")
    assert [(t.kind, t.raw) for t in whole] == [("anomaly", b"\x1bp\x07AB")]


def test_incomplete_trailing_command_becomes_an_anomaly_at_close() -> None:
    decoder = EscposDecoder()
    assert names(decoder.feed(b"ok\x1dv0\x00\x10\x00\x10\x00abc")) == ["ok"]
    tokens = decoder.close()
    assert names(tokens) == ["incomplete"]
    assert tokens[0].offset == 2 and "needs 264 bytes" in tokens[0].note
    assert decoder.close() == []
    with pytest.raises(ValueError, match="closed"):
        decoder.feed(b"x")


def test_realtime_commands_at_top_level() -> None:
    tokens = tokenize(
        b"\x10\x04\x01\x10\x05\x02\x10\x14\x01\x00\x05\x10\x04\x07\x01\x10\x14\x08\x01\x03\x14\x01\x06\x02\x08"
    )
    assert [(t.kind, t.name, t.args) for t in tokens] == [
        ("realtime", "DLE EOT", (1,)),
        ("realtime", "DLE ENQ", (2,)),
        ("realtime", "DLE DC4", (1, 0, 5)),
        ("realtime", "DLE EOT", (7, 1)),
        ("realtime", "DLE DC4", (8, 1, 3, 20, 1, 6, 2, 8)),
    ]


def test_bad_realtime_parameter() -> None:
    tokens = tokenize(b"\x10\x14\x01\x00\x09X")  # t = 9 is out of 1-8
    assert tokens[0].kind == "anomaly" and tokens[0].name == "DLE DC4"
    assert tokens[0].raw == b"\x10\x14\x01\x00\x09" and names(tokens[1:]) == ["X"]


IMAGE_WITH_KICK = b"\x1dv0\x00\x02\x00\x04\x00" + b"\xff\x00\x10\x14\x01\x00\x05\x00"


def test_realtime_inside_image_data_faithful() -> None:
    tokens = tokenize(IMAGE_WITH_KICK + b"\n")
    assert [(t.kind, t.name, t.embedded) for t in tokens] == [
        ("realtime", "DLE DC4", True),
        ("anomaly", "DLE DC4", True),
        ("command", "GS v 0", False),
        ("command", "LF", False),
    ]
    assert tokens[0].offset == 10 and tokens[0].args == (1, 0, 5)
    assert tokens[2].data == b"\xff\x00\x10\x14\x01\x00\x05\x00"  # data is kept intact


def test_realtime_inside_image_data_semantic_only_flags() -> None:
    tokens = tokenize(IMAGE_WITH_KICK, realtime_in_data="semantic")
    assert [(t.kind, t.name) for t in tokens] == [("anomaly", "DLE DC4"), ("command", "GS v 0")]
    assert "not executed" in tokens[0].note


def test_embedded_realtime_is_emitted_on_arrival() -> None:
    decoder = EscposDecoder()
    first = decoder.feed(IMAGE_WITH_KICK[:-1])  # the pulse bytes are in, the image is not complete
    assert [(t.kind, t.name) for t in first] == [("realtime", "DLE DC4"), ("anomaly", "DLE DC4")]
    assert [t.name for t in decoder.feed(IMAGE_WITH_KICK[-1:])] == ["GS v 0"]


def test_long_text_is_cut_at_fixed_boundaries() -> None:
    text = b"x" * (2 * MAX_TEXT + 5)
    tokens = tokenize(text + b"\n")
    assert [len(t.raw) for t in tokens] == [MAX_TEXT, MAX_TEXT, 5, 1]


def test_every_table_entry_has_consistent_ranges() -> None:
    for prefix, spec in COMMANDS.items():
        assert spec.prefix == prefix and spec.name
        if isinstance(spec.rule, Fixed) and spec.params:
            assert len(spec.params) == spec.rule.count, spec.name
        if spec.realtime:
            assert prefix[0] == 0x10
        assert isinstance(spec.rule, Fixed | Computed) or spec.carries_data or spec.name == "ESC D"


def python_escpos_stream() -> bytes:
    p = Dummy()
    p.charcode("CP865")
    p.set(align="center", bold=True, double_height=True)
    p.textln("Salgskvittering")
    p.set(normal_textsize=True, bold=False, align="left")
    p.textln("Brød 750 g                39,90")
    p.qr("https://example.no/k/1", native=True)
    p.qr("image qr")
    p.barcode("4006381333931", "EAN13")
    p.cashdraw(2)
    p.cut()
    return bytes(p.output) + IMAGE_WITH_KICK + b"\x1b\x1b\x07\x1bR\x15tail\x1dv0\x00"


STREAM = python_escpos_stream()
REFERENCE = tokenize(STREAM)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=40))
def test_chunking_invariance(points: list[int]) -> None:
    cuts = sorted(set(points))
    chunks = [STREAM[a:b] for a, b in zip([0, *cuts], [*cuts, len(STREAM)], strict=True)]
    assert tokenize(chunks) == REFERENCE


@settings(max_examples=300)
@given(st.binary(max_size=600), st.lists(st.integers(min_value=0, max_value=600), max_size=10))
def test_arbitrary_bytes_never_raise_and_are_all_consumed(data: bytes, points: list[int]) -> None:
    cuts = sorted({p for p in points if p <= len(data)})
    chunks = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
    tokens = tokenize(chunks)
    assert tokens == tokenize(data)
    top = [t for t in tokens if not t.embedded]
    # Every byte is in exactly one top-level token, in order.
    assert b"".join(t.raw for t in top) == data
    assert all(a.end == b.offset for a, b in itertools.pairwise(top))


class CountingPattern:
    """Wraps the decoder's text regex and counts how many bytes it is asked to scan."""

    def __init__(self, pattern: re.Pattern[bytes]) -> None:
        self.pattern = pattern
        self.scanned = 0

    def match(self, buf: bytearray, pos: int) -> re.Match[bytes] | None:
        found = self.pattern.match(buf, pos)
        self.scanned += found.end() - pos if found else 0
        return found


def test_text_scanning_is_linear_even_byte_by_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = CountingPattern(decoder_module._TEXT)
    monkeypatch.setattr(decoder_module, "_TEXT", counter)
    data = (b"a" * 3000 + b"\n") * 4
    decoder = EscposDecoder()
    tokens: list[Token] = []
    for i in range(len(data)):
        tokens += decoder.feed(data[i : i + 1])
    tokens += decoder.close()
    assert b"".join(t.raw for t in tokens) == data
    assert counter.scanned <= len(data)  # each text byte scanned once, however it arrives


def test_pending_image_is_not_rescanned_byte_by_byte() -> None:
    image = b"\x1dv0\x00\x40\x00\x40\x00" + bytes(range(256)) * 16  # 4 KiB of data containing 0x10 bytes
    decoder = EscposDecoder()
    out: list[Token] = []
    for i in range(len(image)):
        out += decoder.feed(image[i : i + 1])
        assert decoder.pending <= i + 1
    assert [t.name for t in out if t.kind == "command"] == ["GS v 0"]
