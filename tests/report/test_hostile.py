"""What a till under test prints or journals reaches the report as text, never as markup.

A POS in the lab is not trusted: its receipt text, the SAF-T excerpt of its export and the
reasons its scenarios failed are all shown in the HTML report. Each is escaped, so a till
that prints ``<script>`` or ``<img onerror=…>`` gets those characters shown on the paper,
and the report stays a page without scripts (it must open offline, with no surprises, in
whoever's browser the declaration reaches).
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import lxml.html
from escpos.printer import Dummy

from harness.report.model import build
from harness.report.render import render_html, render_junit

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def _run_folder(folder: Path) -> Path:
    printer = Dummy()  # python-escpos writes the bytes, as an independent producer
    printer.set(double_height=True)
    printer.text(f"Salgskvittering {HOSTILE}\n")
    printer.set(double_height=False)
    printer.text(f"{HOSTILE}\n")
    printer.cut()
    raw = printer.output
    evidence = folder / "evidence"
    evidence.mkdir(parents=True)
    records = [
        {"seq": 1, "source": "K1/printer", "kind": "printer.document", "mono": 1.0, "wall": "",
         "raw": base64.b64encode(raw).decode(), "data": {"number": 1, "text": HOSTILE}},
        {"seq": 2, "source": "journal", "kind": "journal.export", "mono": 1.5, "wall": "", "raw": "",
         "data": {"file": f"{HOSTILE}.xml", "bytes": 1, "sha256": "0" * 64, "transactions": 1, "events": 0,
                  "registers": ["K1"], "excerpt": f"<desc>{HOSTILE}</desc>",
                  "findings": [{"rule": "SIG-VERIFY", "severity": "error", "clause": "saft_sig", "count": 1,
                                "message": {"nb": HOSTILE, "en": HOSTILE}, "where": HOSTILE}]}},
        {"seq": 3, "source": "K1/drawer", "kind": "drawer.sensor", "mono": 2.0, "wall": "",
         "raw": "", "data": {"open": True, "cause": HOSTILE}},
    ]  # fmt: skip
    (evidence / "id_ksf_2_6_l4_001.ndjson").write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    record = {
        "nodeid": "test_ksf_2_6.py::test_x", "scenario_id": "id_ksf_2_6_l4_001", "name": HOSTILE,
        "feature": "ksf_2_6.feature", "clauses": ["ksf_2_6_l4"], "verdict": "failed", "seconds": 0.1,
        "reason": f"AssertionError: {HOSTILE}", "evidence": "evidence/id_ksf_2_6_l4_001.ndjson",
        "steps": [{"keyword": "When", "type": "when", "text": HOSTILE, "line": 3, "outcome": "failed",
                   "seconds": 0.1, "evidence": [1, 3]}],
    }  # fmt: skip
    (folder / "run.ndjson").write_text(json.dumps(record) + "\n", encoding="utf-8")
    return folder


def test_hostile_text_from_the_till_is_shown_not_run(tmp_path: Path) -> None:
    model = build(_run_folder(tmp_path / "run"))
    assert model["scenarios"][0]["evidence"]["receipts"][0]["html"]  # the receipt was decoded and drawn
    for lang in ("nb", "en"):
        page = render_html(model, lang)
        tree = lxml.html.document_fromstring(page)
        assert not tree.xpath("//script | //iframe | //object | //embed")
        handlers = [
            (e.tag, name) for e in tree.iter() if isinstance(e.tag, str) for name in e.attrib if name.startswith("on")
        ]
        assert handlers == []
        assert all(src.startswith("data:") for src in tree.xpath("//img/@src"))
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown, as text, where the till put it
        # on the paper too: the receipt's own text run
        paper = tree.xpath("//div[@class='paper']")[0].text_content()
        assert "<script>alert(1)</script>" in paper
    junit = render_junit(model)
    assert "<script" not in junit and "&lt;script&gt;" in junit
