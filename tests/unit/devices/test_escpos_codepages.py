"""Norwegian text across code tables and the Norway international set (devices.md §1.3)."""

from __future__ import annotations

import pytest
from escpos.printer import Dummy

from devices.escpos import Receipt, decode_bytes
from devices.escpos.codepages import CODE_TABLES, decode_text

NORWEGIAN = "Blåbærsyltetøy ÆØÅ æøå"


def printed(receipt: Receipt) -> list[str]:
    """Text lines without the blank feed lines python-escpos' cut() adds."""
    lines = receipt.text_lines
    while lines and not lines[-1]:
        lines.pop()
    return lines


@pytest.mark.parametrize(
    ("charcode", "table_byte"),
    [("CP865", b"\x1bt\x05"), ("CP850", b"\x1bt\x02"), ("CP1252", b"\x1bt\x10")],
)
def test_python_escpos_norwegian_text_per_code_page(charcode: str, table_byte: bytes) -> None:
    p = Dummy()
    p.charcode(charcode)
    p.textln(NORWEGIAN)
    p.cut()
    assert table_byte in p.output  # python-escpos selected the table we expect
    (receipt,) = decode_bytes(p.output)
    assert printed(receipt) == [NORWEGIAN]
    assert receipt.anomalies == ()


def test_python_escpos_magic_encode_switching_tables() -> None:
    p = Dummy()
    p.textln("Pris: 20 € — smørbrød")  # MagicEncode switches ESC t as needed
    p.cut()
    (receipt,) = decode_bytes(p.output)
    assert printed(receipt) == ["Pris: 20 € — smørbrød"]


def test_norway_international_set_substitutes_ascii_positions() -> None:
    stream = b"\x1bR\x09" + b"Bl}b{rsyltet|y [\\] 100$\n" + b"\x1b@" + b"after reset: {|}\n\x1dV\x00"
    (receipt,) = decode_bytes(stream)
    assert receipt.text_lines == ["Blåbærsyltetøy ÆØÅ 100¤", "after reset: {|}"]


@pytest.mark.parametrize(
    ("n", "expected"),
    [(0, "#$@[\\]^`{|}~"), (4, "#$@ÆØÅ^`æøå~"), (5, "#¤ÉÄÖÅÜéäöåü"), (9, "#¤ÉÆØÅÜéæøåü"), (10, "#$ÉÆØÅÜéæøåü")],
)
def test_international_sets(n: int, expected: str) -> None:
    text, problems = decode_text(b"#$@[\\]^`{|}~", 0, n)
    assert (text, problems) == (expected, [])


def test_pc437_has_no_o_slash_classic_failure() -> None:
    # PC437 active, PC865 bytes sent: ø prints as ¢ and Ø as ¥ (devices.md §1.3).
    (receipt,) = decode_bytes(b"Sm\x9brbr\x9bd \x9d\n\x1dV\x01")
    assert receipt.text_lines == ["Sm¢rbr¢d ¥"]
    assert receipt.cut is not None and receipt.cut.kind == "partial"


def test_unmapped_byte_is_replacement_char_and_anomaly() -> None:
    (receipt,) = decode_bytes(b"\x1bt\x10A\x81B\n\x1dV\x00")  # 0x81 is undefined in WPC1252
    assert receipt.text_lines == ["A\ufffdB"]
    assert len(receipt.anomalies) == 1 and "81" in receipt.anomalies[0].note


def test_unavailable_code_table_is_ignored_with_anomaly() -> None:
    (receipt,) = decode_bytes(b"\x1bt\x05\x1bt\x63\x9b\n\x1dV\x00")  # table 99 does not exist: PC865 stays
    assert receipt.text_lines == ["ø"]
    assert [a.name for a in receipt.anomalies] == ["ESC t"]


def test_pc858_euro_and_pc850_dotless_i() -> None:
    assert decode_text(b"\xd5", 19, 0)[0] == "€"
    assert decode_text(b"\xd5", 2, 0)[0] == "ı"


def test_every_listed_table_decodes_all_high_bytes_without_error() -> None:
    for table in CODE_TABLES:
        text, _ = decode_text(bytes(range(0x20, 0x100)), table, 0)
        assert len(text) == 0xE0
