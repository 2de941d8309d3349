"""The report rendered from recorded runs equals its golden files (volatile fields masked).

The recorded runs (``tests/report/runs``, see ``record_runs.py``) are rendered to HTML in both
languages, JSON and JUnit XML and compared with ``tests/report/golden``. What changes without
the report changing -- the harness version, the clause registry's checksum -- is masked on
both sides. A deliberate change to the templates, the model or the clause texts is accepted
by re-making the golden files and reading their diff::

    KK_UPDATE_GOLDEN=1 python -m pytest tests/report/test_golden.py
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest

from harness.report.model import build
from harness.report.render import json_model, render_html, render_junit

HERE = Path(__file__).parent
RUNS = HERE / "runs"
GOLDEN = HERE / "golden"

_MASKS = [
    (re.compile(r"sha256:[0-9a-f]{12}"), "sha256:<catalogue>"),  # the clause registry's checksum
    (re.compile(r"kassakontroll \d+\.\d+\.\d+[^\s\"<]*"), "kassakontroll <version>"),  # the harness (HTML)
    (re.compile(r'("harness": \{\s*"name": "kassakontroll",\s*"version": ")[^"]*'), r"\1<version>"),  # (JSON)
]


def mask(text: str) -> str:
    """``text`` with the fields that change without the report changing replaced by placeholders."""
    for pattern, placeholder in _MASKS:
        text = pattern.sub(placeholder, text)
    return text


def _renderings(run: str) -> dict[str, str]:
    model = build(RUNS / run)
    return {
        "en.html": render_html(model, "en"),
        "nb.html": render_html(model, "nb"),
        "json": json_model(model),
        "junit.xml": render_junit(model),
    }


@pytest.mark.parametrize("run", ["clean", "faulty"])
def test_the_report_of_a_recorded_run_matches_its_golden_files(run: str) -> None:
    update = os.environ.get("KK_UPDATE_GOLDEN") == "1"
    for suffix, text in _renderings(run).items():
        golden = GOLDEN / f"{run}.{suffix}"
        if update:
            golden.parent.mkdir(exist_ok=True)
            golden.write_text(mask(text), encoding="utf-8")
            continue
        assert golden.is_file(), f"{golden} is missing: make it with KK_UPDATE_GOLDEN=1"
        expected = golden.read_text(encoding="utf-8")
        actual = mask(text)
        if actual != expected:
            diff = difflib.unified_diff(
                expected.splitlines(), actual.splitlines(), f"golden/{golden.name}", "rendered", lineterm="", n=1
            )
            shown = "\n".join(list(diff)[:60])
            pytest.fail(
                f"{run}.{suffix} differs from its golden file (if the change is meant, re-make the golden files "
                f"with KK_UPDATE_GOLDEN=1 and commit the diff):\n{shown}"
            )


def test_the_masks_hide_only_the_volatile_fields() -> None:
    text = render_html(build(RUNS / "clean"), "en")
    masked = mask(text)
    assert "sha256:<catalogue>" in masked and "kassakontroll <version>" in masked
    assert '"version": "<version>"' in mask(json_model(build(RUNS / "clean")))
    assert "Salgskvittering" in masked and "ksf_2_8_5" in masked  # the content itself is compared
    assert mask(masked) == masked
