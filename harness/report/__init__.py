"""The compliance report: built from a finished run folder and rendered with jinja2.

:func:`build` reads a run folder (:mod:`harness.report.model`) into one JSON-ready model;
:func:`write_report` renders it (:mod:`harness.report.render`) to HTML in bokmål and English,
JSON, JUnit XML and PDF, with a SHA-256 manifest. The parts: the clause matrix
(:mod:`~harness.report.matrix`), the findings (:mod:`~harness.report.findings`), a scenario's
evidence as the report shows it (:mod:`~harness.report.evidence_view`), the RF-1348 draft
(:mod:`~harness.report.declaration`) and the report's words (:mod:`~harness.report.words`).
The templates, styles and JSON schema are in the ``reports`` package.

Example::

    from pathlib import Path
    from harness.report import build, write_report

    write_report(build(Path("out/run")), Path("out/run"), formats=("html", "json"))
"""

from __future__ import annotations

from harness.report.model import ReportError, build
from harness.report.render import FORMATS, write_report

__all__ = ["FORMATS", "ReportError", "build", "write_report"]
