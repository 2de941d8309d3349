"""Render the report model to files: HTML (nb, en), JSON, JUnit XML, PDF, and the integrity manifest.

Everything goes to ``RUN_DIR/report/``:

=====================  ======================================================================
``report.<lang>.html`` self-contained HTML (styles inline, receipts as HTML, no script, no network)
``report.json``        the model (:mod:`harness.report.model`), schema ``reports/schema/report.schema.json``
``junit.xml``          JUnit XML for CI: a testsuite per feature file, a testcase per scenario
``report.<lang>.pdf``  the HTML laid out on A4 by WeasyPrint (hexdumps left out; the HTML has them)
``manifest.sha256``    SHA-256 of every file of the run (run log, summary, profile, evidence) and of
                       every report file, in ``sha256sum`` format: ``cd RUN_DIR && sha256sum -c report/manifest.sha256``
=====================  ======================================================================

Rendering the same run twice gives identical files: nothing depends on the time of rendering,
the order of dicts is the model's, and the PDF's dates and identifier are derived from the run.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from devices.escpos.paper_html import PAPER_CSS
from harness.report.declaration import ROLES
from harness.report.words import LANGUAGES, VERDICT_WORDS, WORDS

__all__ = ["FORMATS", "json_model", "render_html", "render_junit", "write_manifest", "write_report"]

#: The formats ``kassakontroll report --format`` knows, in the order they are written.
FORMATS = ("html", "json", "junit", "pdf")

_MANIFEST = "manifest.sha256"
_VIEW_ONLY = ("html", "hexdump")
_DEVICE_EVENTS = ("drawer", "terminal", "manual")


def _environment() -> jinja2.Environment:
    folder = Path(str(resources.files("reports") / "templates"))
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=jinja2.select_autoescape(["html", "xml", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["cls"] = lambda value: str(value).replace(" ", "-")
    # the timeline of a scenario: what the drawer, the terminal and the printer did, and a technician's answers
    environment.tests["device_event"] = lambda kind: (
        str(kind).split(".")[0] in _DEVICE_EVENTS or kind == "printer.document"
    )
    return environment


def _css() -> str:
    return (resources.files("reports") / "static" / "report.css").read_text(encoding="utf-8")


def _view(model: Mapping[str, Any]) -> dict[str, Any]:
    """The model with per-scenario look-ups by evidence seq for the templates."""
    view = copy.copy(dict(model))
    scenarios = []
    for scenario in model["scenarios"]:
        scenario = dict(scenario)
        evidence = dict(scenario["evidence"])
        evidence["events"] = {e["seq"]: e for e in evidence["timeline"]}
        evidence["papers"] = {r["seq"]: r for r in evidence["receipts"]}
        evidence["exports"] = {j["seq"]: j for j in evidence["journal"]}
        scenario["evidence"] = evidence
        scenarios.append(scenario)
    view["scenarios"] = scenarios
    return view


def render_html(model: Mapping[str, Any], lang: str, *, pdf: bool = False) -> str:
    """The HTML report in ``lang`` (``nb`` or ``en``); ``pdf`` lays it out for print (no hexdumps, all open)."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r}: write one of {', '.join(LANGUAGES)}")
    words, verdicts = WORDS[lang], VERDICT_WORDS[lang]

    def tr(pair: Any) -> str:
        if isinstance(pair, Mapping):
            return str(pair.get(lang) or pair.get("en") or "")
        return "" if pair is None else str(pair)

    def field_value(field: Mapping[str, Any]) -> str:
        """A declaration field's value in words: yes/no and the supplier's role in the report's language."""
        value = str(field.get("value") or "")
        if value in ("yes", "no"):
            return words[value]
        if field.get("id") == "supplier.role" and value in ROLES:
            return ROLES[value][lang]
        return value

    template = _environment().get_template("report.html.j2")
    return template.render(
        m=_view(model),
        lang=lang,
        pdf=pdf,
        t=lambda key: words[key],
        v=lambda verdict: verdicts.get(verdict, verdict),
        tr=tr,
        field_value=field_value,
        css=_css(),
        paper_css=PAPER_CSS,
    )


def render_junit(model: Mapping[str, Any]) -> str:
    """JUnit XML of the run's scenarios."""
    return _environment().get_template("junit.xml.j2").render(m=model)


def json_model(model: Mapping[str, Any]) -> str:
    """The JSON report: the model without what only the HTML shows (rendered receipts, hexdumps)."""
    data = copy.deepcopy(dict(model))
    for scenario in data["scenarios"]:
        for receipt in scenario["evidence"]["receipts"]:
            for key in _VIEW_ONLY:
                receipt.pop(key, None)
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _pdf(model: Mapping[str, Any], lang: str, path: Path) -> None:
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # it warns about CSS it ignores (e.g. flex gap)
    run = model["identity"]["run"]
    html = render_html(model, lang, pdf=True)
    identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32]  # the same page, the same PDF
    created = str(run.get("finished") or "")
    if created:  # WeasyPrint takes the PDF's dates from the page: the run's, never the rendering's
        meta = f'<meta name="dcterms.created" content="{created}"><meta name="dcterms.modified" content="{created}">'
        html = html.replace("<head>", "<head>" + meta, 1)
    HTML(string=html).write_pdf(str(path), pdf_identifier=identifier.encode("ascii"), uncompressed_pdf=False)


def _sha256(path: Path) -> str:
    with path.open("rb") as data:
        return hashlib.file_digest(data, "sha256").hexdigest()


def write_manifest(run_dir: Path, report_dir: Path) -> Path:
    """``report_dir/manifest.sha256``: every file of the run and the report, sorted, ``sha256sum`` format."""
    manifest = report_dir / _MANIFEST
    files = sorted(
        p for p in run_dir.rglob("*") if p.is_file() and p != manifest and not p.name.startswith(".")
    )  # fmt: skip
    lines = [f"{_sha256(p)}  {p.relative_to(run_dir).as_posix()}" for p in files]
    manifest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return manifest


def write_report(
    model: Mapping[str, Any],
    run_dir: Path,
    formats: Iterable[str] = FORMATS,
    languages: Sequence[str] = LANGUAGES,
) -> list[Path]:
    """Write the chosen formats into ``run_dir/report/`` and the manifest; returns the files written.

    Args:
        model: The report model (:func:`harness.report.model.build`).
        run_dir: The run folder (the report goes to its ``report/`` folder).
        formats: Some of :data:`FORMATS`.
        languages: The languages of the HTML and PDF reports.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"format {', '.join(unknown)}: write some of {', '.join(FORMATS)}")
    out = run_dir / "report"
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in formats:
        if name == "html":
            for lang in languages:
                path = out / f"report.{lang}.html"
                path.write_text(render_html(model, lang), encoding="utf-8")
                written.append(path)
        elif name == "json":
            path = out / "report.json"
            path.write_text(json_model(model), encoding="utf-8")
            written.append(path)
        elif name == "junit":
            path = out / "junit.xml"
            path.write_text(render_junit(model), encoding="utf-8")
            written.append(path)
        else:
            for lang in languages:
                path = out / f"report.{lang}.pdf"
                _pdf(model, lang, path)
                written.append(path)
    written.append(write_manifest(run_dir, out))
    return written
