"""The HTML report in a real browser and the PDF report as page images, read back by OCR.

``make test`` installs Debian's chromium, poppler-utils (pdftoppm) and tesseract-ocr. The
HTML report of the recorded faulty run (``tests/report/runs/faulty``) is opened in headless
chromium with no network; screenshots of the summary verdict, the clause matrix and a
rendered receipt are read back with tesseract, so the test fails if any of them is missing,
hidden, blank or unreadable -- and if the page loads anything from outside itself. The PDF
is turned into page images with pdftoppm; its first page must show the verdict.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.clauses import load_clauses
from harness.cli_report import render_run
from tests.report.browser import CHROMIUM, Browser

RECORDED = Path(__file__).parent / "runs" / "faulty"
FAILED_RECEIPT = "#id_ksf_2_8_6_font_001 .paper"  # the scenario whose «KOPI» is too small: sale, then copy
COPY = 1


def _need(program: str | None, package: str) -> str:
    if not program:
        pytest.fail(f"{package} is not installed: `make test` installs it (apt-get install {package})")
    return program


def ocr(image: Path) -> str:
    """The text tesseract reads in ``image`` (one block of text, English model)."""
    tesseract = _need(shutil.which("tesseract"), "tesseract-ocr")
    done = subprocess.run([tesseract, str(image), "-", "--psm", "6"], capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report") / "faulty"
    shutil.copytree(RECORDED, folder)
    render_run(folder, ("html", "pdf"), ("nb", "en"))
    return folder


def test_the_html_report_reads_in_chromium_without_network(run_dir: Path, tmp_path: Path) -> None:
    _need(CHROMIUM, "chromium")
    with Browser() as browser:
        browser.open(run_dir / "report" / "report.en.html")
        # self-contained: nothing fetched, no script, no external style sheet
        assert browser.evaluate("performance.getEntriesByType('resource').length") == 0
        assert browser.evaluate("document.scripts.length + document.querySelectorAll('link').length") == 0

        verdict = browser.box("#verdict")
        assert verdict is not None and verdict["height"] > 40
        text = ocr(browser.screenshot(verdict, tmp_path / "verdict.png"))
        assert "Summary verdict: FAIL" in text, text

        matrix = browser.box("#matrix")
        assert matrix is not None
        top = {**matrix, "height": min(matrix["height"], 700.0)}
        text = ocr(browser.screenshot(top, tmp_path / "matrix.png"))
        assert "Clause matrix" in text and "kassasystemlova" in text, text
        rows = browser.evaluate("document.querySelectorAll('#matrix tr[id^=clause-]').length")
        assert rows == len(load_clauses())  # every clause of the registry has its row

        receipt = browser.box(FAILED_RECEIPT, COPY)
        assert receipt is not None and receipt["height"] > 300, "the rendered receipt is missing or collapsed"
        text = ocr(browser.screenshot(receipt, tmp_path / "receipt.png"))
        for printed in ("KOPI", "Kassapunkt K1", "Kvitteringsnr.: S000001", "40,00"):  # (the English model misreads ø)
            assert printed in text, f"{printed!r} not read from the receipt's screenshot:\n{text}"


def test_the_receipt_keeps_its_print_sizes_in_the_browser(run_dir: Path) -> None:
    """The double-height heading is drawn twice as tall as the lines under it (kassasystemforskrifta § 2-8-5)."""
    _need(CHROMIUM, "chromium")
    with Browser() as browser:
        browser.open(run_dir / "report" / "report.en.html")
        # per element of the paper, top to bottom: its text, tallest glyph, and where its glyphs are drawn
        lines = browser.evaluate(
            f"[...document.querySelectorAll({FAILED_RECEIPT!r})[{COPY}].children].slice(0, 12).map(l => {{"
            " const spans = [...l.querySelectorAll('.run > span')];"
            " const rects = (spans.length ? spans : [l]).map(s => s.getBoundingClientRect());"
            " return [l.textContent.trim(), Math.max(0, ...spans.map(s => s.getBoundingClientRect().height)),"
            " Math.min(...rects.map(r => r.top)), Math.max(...rects.map(r => r.bottom))]; })"
        )
    sizes = {text: height for text, height, _top, _bottom in lines if text}
    # nothing is drawn over what is above it (a double-height heading grows inside its own line)
    drawn = [(text, top, bottom) for text, _height, top, bottom in lines if text]
    for (above, _t, bottom), (text, top, _b) in itertools.pairwise(drawn):
        assert top >= bottom - 1, f"{text!r} is drawn over {above!r} ({top:.1f} < {bottom:.1f})"
    assert sizes["Salgskvittering"] >= 1.8 * sizes["Kassapunkt K1"], sizes
    # the fault under test: «KOPI» printed no larger than the body text, and the report shows it so
    assert sizes["KOPI"] < 1.2 * sizes["Kassapunkt K1"], sizes


def test_the_norwegian_report_reads_in_norwegian(run_dir: Path, tmp_path: Path) -> None:
    _need(CHROMIUM, "chromium")
    with Browser() as browser:
        browser.open(run_dir / "report" / "report.nb.html")
        assert browser.evaluate("document.documentElement.lang") == "nb"
        verdict = browser.box("#verdict")
        assert verdict is not None
        text = ocr(browser.screenshot(verdict, tmp_path / "verdict.png"))
        assert "Samlet vurdering: FEIL" in text, text


def test_the_pdf_report_turns_into_pages_that_show_the_verdict(run_dir: Path, tmp_path: Path) -> None:
    pdf = run_dir / "report" / "report.en.pdf"
    info = subprocess.run(
        [_need(shutil.which("pdfinfo"), "poppler-utils"), str(pdf)], capture_output=True, text=True, check=True
    )
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))  # type: ignore[union-attr]
    assert "A4" in info.stdout and pages >= 5, info.stdout
    pdftoppm = _need(shutil.which("pdftoppm"), "poppler-utils")
    subprocess.run([pdftoppm, "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == pages
    assert all(image.stat().st_size > 2000 for image in images), "a blank page"
    subprocess.run([pdftoppm, "-r", "110", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "first")], check=True)
    text = ocr(next(tmp_path.glob("first-*.png")))
    assert "Cash register compliance report" in text and "Summary verdict: FAIL" in text, text
    assert "Testlab AS" in text  # the identity: the lab
