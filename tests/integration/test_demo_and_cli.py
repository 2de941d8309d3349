from __future__ import annotations

import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from harness.cli import main
from harness.saft_spec import NAMESPACE, schema_path
from reference_till.demo import run_demo
from reference_till.money import parse_amount

NS = {"s": NAMESPACE}
DAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("demo")
    return run_demo(out, day=DAY)


def test_demo_export_validates_against_the_official_xsd(demo) -> None:
    assert demo.saft.path is not None
    assert re.fullmatch(r"SAF-T Cash Register_999999999_\d{14}\.xml", demo.saft.path.name)
    schema = etree.XMLSchema(file=str(schema_path()))
    doc = etree.parse(str(demo.saft.path))
    assert schema.validate(doc), schema.error_log


def test_demo_exercises_every_receipt_kind_and_report_letter(demo) -> None:
    k1 = demo.z_reports[0]
    assert k1.report_type == "Z" and k1.number == 1
    assert k1.copies.count == 2  # one print_copy, one paper twin of an e-receipt
    assert k1.voids.count == 1  # the parked sale that was cancelled
    assert k1.drawer_openings == 1  # the one nullinnslag
    assert k1.training.count == 1 and k1.deliveries.count == 1
    assert k1.discounts.count == 1  # the manual discount; the campaign discount is not counted
    assert k1.line_corrections and k1.line_corrections[0].count == 1
    assert k1.price_lookups[0].key == "100"
    assert k1.returns.count == 2  # a return receipt and a sale with a return on it
    assert k1.pay_outs[0].amount == parse_amount("1000")
    assert k1.grand_total_sales - k1.grand_total_returns == k1.grand_total_net == k1.total_cash_sales


def test_demo_settlement_reconciles_with_the_z_report(demo) -> None:
    k1, k2 = demo.settlements
    assert k1.difference == -parse_amount("20") and k1.explanation
    assert k2.difference == 0
    for settlement in demo.settlements:
        assert settlement.expected_cash == (
            settlement.opening_float + settlement.cash_sales - settlement.pay_outs + settlement.pay_ins
        )
        assert settlement.counted_total == sum(c.amount for c in settlement.counted)


def test_demo_writes_receipts_posting_and_summary(demo) -> None:
    out = demo.out_dir
    receipts = sorted((out / "receipts" / "K1").glob("*.txt"))
    assert len(receipts) >= 15
    first = receipts[0].read_text(encoding="utf-8")
    # Decoded by the printer emulator: "[...]" lines are drawer pulses and cuts; the
    # receipt's name is its first printed text, at double height (§ 2-8-4).
    printed = [line for line in first.splitlines() if not (line.startswith("[") and line.endswith("]"))]
    assert printed[0] == "[1x2] Salgskvittering"
    assert first.rstrip().endswith("[cut full]")
    texts = "\n".join(p.read_text(encoding="utf-8") for p in receipts)
    for expected in (
        "KOPI",
        "Returkvittering",
        "Utleveringskvittering",
        "X-rapport",
        "Z-rapport",
        "Dagsoppgjør",
        "Nordmann Kafé AS",
        "TRENINGSKVITTERING",
    ):
        assert expected in texts, expected
    posting = (out / "posting_K1.csv").read_text(encoding="utf-8").splitlines()
    assert posting[0] == "dato;bilag;konto;tekst;mvakode;debet;kredit"
    debit = sum(parse_amount(row.split(";")[5]) for row in posting[1:])
    credit = sum(parse_amount(row.split(";")[6]) for row in posting[1:])
    assert debit == credit > 0
    assert "K1: Z report K1-Z0001" in (out / "summary.txt").read_text(encoding="utf-8")


def test_demo_z_report_in_the_export_matches_the_journal(demo) -> None:
    assert demo.saft.path is not None
    doc = etree.parse(str(demo.saft.path))
    report = doc.find(".//s:eventReport[s:reportID='K1-Z0001']", NS)
    assert report is not None
    z = demo.z_reports[0]
    assert report.findtext("s:reportType", namespaces=NS) == "Z report"
    assert parse_amount(report.findtext("s:reportTotalCashSales/s:totalCashSaleAmnt", namespaces=NS)) == (
        z.total_cash_sales
    )
    assert int(report.findtext("s:reportReceiptNum", namespaces=NS)) == z.receipts
    assert int(report.findtext("s:reportOpenCashBoxNum", namespaces=NS)) == z.drawer_openings
    assert parse_amount(report.findtext("s:reportGrandTotalSalesNet", namespaces=NS)) == z.grand_total_net


def test_cli_export_of_the_demo_journal(demo, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "till",
            "export",
            "--journal",
            str(demo.journal),
            "--from",
            DAY.isoformat(),
            "--to",
            DAY.isoformat(),
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    files = list(tmp_path.glob("SAF-T Cash Register_*.xml"))
    assert len(files) == 1
    assert "transactions" in capsys.readouterr().out


def test_cli_errors_have_exit_codes_and_messages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "till",
                "export",
                "--journal",
                str(tmp_path / "missing.sqlite"),
                "--from",
                "2026-01-01",
                "--to",
                "2026-01-02",
                "--out",
                str(tmp_path),
            ]
        )
        == 4
    )
    assert "does not exist" in capsys.readouterr().err
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database" * 100)
    assert (
        main(
            [
                "till",
                "export",
                "--journal",
                str(garbage),
                "--from",
                "2026-01-01",
                "--to",
                "2026-01-02",
                "--out",
                str(tmp_path),
            ]
        )
        == 4
    )
    assert "not a usable journal" in capsys.readouterr().err
    bad_config = tmp_path / "shop.toml"
    bad_config.write_text("[company]\nname = 'x'\norgnr = '12'\n", encoding="utf-8")
    assert main(["till", "demo", "--out", str(tmp_path / "o"), "--config", str(bad_config)]) == 3
    assert "9-digit" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["till", "export", "--journal", "j", "--from", "21.11.2026", "--to", "2026-11-21", "--out", "x"])
    assert exc.value.code == 2


def test_console_script_runs_as_a_module(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "harness.cli", "till", "--help"], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0
    assert "demo" in result.stdout and "export" in result.stdout


def test_emulated_printer_received_exactly_what_the_till_rendered(demo, tmp_path: Path) -> None:
    # The same day with in-memory devices keeps the till's rendered documents; the printer
    # emulator must have received each of them byte for byte (after any kick or status
    # bytes the till sent in between). Documents with card details differ by design: the
    # in-memory terminal rotates brands and ids, the nexo emulator uses its own.
    memory = run_demo(tmp_path / "memory", day=DAY, devices="memory")
    assert memory.documents == demo.documents
    for register in ("K1", "K2"):
        rendered = sorted((memory.out_dir / "receipts" / register).glob("*.bin"))
        received = sorted((demo.out_dir / "receipts" / register).glob("*.bin"))
        assert len(rendered) == len(received) > 0
        compared = 0
        for mine, theirs in zip(rendered, received, strict=True):
            if any(word in mine.read_bytes() for word in (b"Transaksjons-ID", b"BankAxept", b"Visa", b"Mastercard")):
                continue
            assert theirs.read_bytes().endswith(mine.read_bytes()), mine.name
            compared += 1
        assert compared >= len(rendered) // 3
