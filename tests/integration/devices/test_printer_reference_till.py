"""Every receipt the reference till prints in its demo day decodes cleanly, with markings at double height."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from devices.escpos import Receipt, decode_bytes

CLI = Path(sys.executable).with_name("kassakontroll")


@pytest.fixture(scope="module")
def demo_receipts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bytes, list[Receipt]]]:
    out = tmp_path_factory.mktemp("demo")
    subprocess.run(
        [str(CLI), "till", "demo", "--out", str(out), "--date", "2026-11-20"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    files = sorted((out / "receipts").glob("**/*.bin"))
    assert files, "the demo printed no receipts"
    return {str(f.relative_to(out)): (f.read_bytes(), decode_bytes(f.read_bytes())) for f in files}


def test_every_demo_document_decodes_without_anomalies(demo_receipts: dict[str, tuple[bytes, list[Receipt]]]) -> None:
    for name, (raw, receipts) in demo_receipts.items():
        assert len(receipts) == 1, name
        (receipt,) = receipts
        assert receipt.anomalies == (), (name, receipt.anomalies)
        assert receipt.cut is not None, name
        assert receipt.raw == raw, name


def test_sales_documents_carry_the_org_nr_line(demo_receipts: dict[str, tuple[bytes, list[Receipt]]]) -> None:
    receipts = [receipts[0] for _, receipts in demo_receipts.values()]
    with_org = [r for r in receipts if "Org.nr 999 999 999 MVA" in r.text_lines]
    assert with_org, "no document carries the org.nr line"
    sales = [r for r in receipts if r.text_lines and r.text_lines[0] == "Salgskvittering"]
    assert sales and all(r in with_org for r in sales)


def test_copy_receipts_print_kopi_at_double_height(demo_receipts: dict[str, tuple[bytes, list[Receipt]]]) -> None:
    copies = [receipts[0] for _, receipts in demo_receipts.values() if receipts[0].find("KOPI")]
    assert copies, "the demo day has no copy receipt"
    for receipt in copies:
        assert receipt.height_of("KOPI") == 48
        amount = next(line.text.split()[-1] for line in receipt.lines if line.text.startswith("Totalt"))
        assert receipt.max_glyph_height(amount) == 24
        assert receipt.is_larger("KOPI", amount)
        assert "[2x2] KOPI" in receipt.to_text()
