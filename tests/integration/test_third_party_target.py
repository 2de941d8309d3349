"""A third-party target found through the entry-point group ``kassakontroll.targets``.

A vendor's package registers a factory under the group with its URL scheme as the name.
Here such a package is really installed -- a ``.dist-info`` with ``entry_points.txt`` on
the path, as pip leaves it -- and the real compliance suite runs against ``superpos://``: a
till that can sell but not print copies. Its sale scenario passes; the copy scenarios are
"not automated", never passed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.profile import reference_profile_path
from harness.targets import ENTRY_POINT_GROUP, TargetError, open_target, schemes

ROOT = Path(__file__).resolve().parents[2]

_MODULE = '''
from harness.targets.base import NotSupportedByTarget
from harness.targets.reference import ReferenceTarget


class SuperPos(ReferenceTarget):
    """The reference till, but without copy receipts: a POS whose driver cannot print copies."""

    def __init__(self, url):
        super().__init__("reference://")
        self.name = url

    def copy_receipt(self, register, trans_id):
        raise NotSupportedByTarget(self.name, "print a copy receipt", "SuperPOS has no copy button yet")


def open_target(url):
    return SuperPos(url)


def broken(url):
    return "not a till"
'''


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``superpos_harness`` installed on the path with its entry points (and one that returns no till)."""
    (tmp_path / "superpos_harness.py").write_text(_MODULE, encoding="utf-8")
    info = tmp_path / "superpos_harness-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: superpos-harness\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(
        f"[{ENTRY_POINT_GROUP}]\nsuperpos = superpos_harness:open_target\nbroken = superpos_harness:broken\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_an_installed_scheme_is_listed_and_opened(installed: Path) -> None:
    assert {"superpos", "broken", "reference", "http", "manual"} <= set(schemes())
    till = open_target("superpos://lab-7")
    try:
        assert type(till).__name__ == "SuperPos" and till.name == "superpos://lab-7"
    finally:
        till.close()
    with pytest.raises(TargetError, match=r"the target for broken:// returned str, not a TillDriver"):
        open_target("broken://x")


def test_the_suite_runs_against_it_and_what_it_cannot_do_is_not_automated(installed: Path, tmp_path: Path) -> None:
    log = tmp_path / "run.ndjson"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(installed), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "features"), "-p", "no:cacheprovider", "-q",
         "--target", "superpos://lab-7", "--profile", str(reference_profile_path()), "--run-log", str(log),
         "-k", "id_ksf_2_6_l4_001 or id_ksf_2_6_l4_002 or id_ksf_2_6_l4_003"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    records = {r["scenario_id"]: r for r in map(json.loads, log.read_text(encoding="utf-8").splitlines())}
    verdicts = {sid: r["verdict"] for sid, r in records.items()}
    assert verdicts["id_ksf_2_6_l4_001"] == "passed", done.stdout[-3000:]
    copies = [sid for sid in ("id_ksf_2_6_l4_002", "id_ksf_2_6_l4_003") if sid in verdicts]
    assert copies and all(verdicts[sid] == "not automated" for sid in copies), verdicts
    assert "SuperPOS has no copy button yet" in records[copies[0]]["reason"]
