"""Record the run folders the report tests render (``tests/report/runs/clean`` and ``…/faulty``).

Run it from the project folder after a change to what a run writes, then re-make the golden
files (``KK_UPDATE_GOLDEN=1 python -m pytest tests/report/test_golden.py``) and read the diff::

    python tests/report/record_runs.py

* ``clean``: the reference till on a few scenarios of the receipts and the drawer; all pass.
* ``faulty``: the reference till with two faults (a «KOPI» no larger than the amounts, unsigned
  return transactions), a profile that declares another version and no integrated drawer, and
  one known deviation -- failures, journal findings, contradictions and a known deviation.

The folders keep what the report reads (``run.ndjson``, ``summary.json``, ``profile.json``,
``evidence/``); pytest's own report and the text summary are left out (they name the machine's folders),
``summary.json`` names the profile and expectations files without their folders, and the
scratch folders quoted in failure messages are cut to their last part.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
_MACHINE_PATH = re.compile(r"/(?:tmp|home|root|work|var)/[^'\"\s)]*/([^/'\"\s)]+)")  # a scratch folder in a message
CLEAN = "ksf_2_8_5 or ksf_2_2"
FAULTY = "ksf_2_8_6_font or saft_sig_data or ksf_2_2_exception"
EXCUSED = "id_saft_sig_data_002"


def faulty_inputs(folder: Path, excused: str = EXCUSED) -> tuple[Path, Path]:
    """Into ``folder``: a profile the faulty till contradicts, and expectations excusing ``excused``."""
    if str(HERE.parent.parent) not in sys.path:
        sys.path.insert(0, str(HERE.parent.parent))
    from tests.profile_copy import reference_profile_with

    profile = reference_profile_with(
        folder,
        ('version = "0.1.0"', 'version = "7.0"'),
        ("integrated_drawer = true", "integrated_drawer = false"),
        name="contradicted.toml",
    )
    expectations = folder / "expectations.toml"
    expectations.write_text(
        f'[[deviation]]\nscenario = "{excused}"\nreason = "return signatures are being reworked"\n',
        encoding="utf-8",
    )
    return profile, expectations


def record(into: Path = HERE / "runs") -> None:
    """Run both recordings into ``into/clean`` and ``into/faulty`` (replacing them)."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        profile, expectations = faulty_inputs(folder)
        runs = {
            "clean": ["--target", "reference://", "-m", CLEAN, "--lab", "Testlab AS", "--operator", "Kari Nordmann"],
            "faulty": [
                "--target", "reference://?fault=small_copy_mark,skip_signature", "--profile", str(profile),
                "--expectations", str(expectations), "-m", FAULTY, "--lab", "Testlab AS", "--operator", "Ola",
            ],
        }  # fmt: skip
        for name, args in runs.items():
            out = folder / name
            command = [sys.executable, "-m", "harness.cli", "run", *args, "--out", str(out), "--report", "none"]
            done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
            if done.returncode not in (0, 1):
                raise SystemExit(f"{name}: exit {done.returncode}\n{done.stdout}\n{done.stderr}")
            (out / "pytest.txt").unlink()
            (out / "summary.txt").unlink()
            log = (out / "run.ndjson").read_text(encoding="utf-8")
            (out / "run.ndjson").write_text(_MACHINE_PATH.sub(lambda m: "…/" + m.group(1), log), encoding="utf-8")
            summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
            for key in ("profile", "expectations"):
                if summary.get(key):
                    summary[key] = Path(summary[key]).name
            (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", "utf-8")
            target = into / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(out, target)
            print(f"{name}: exit {done.returncode}, {len(list((target / 'evidence').iterdir()))} evidence files")


if __name__ == "__main__":
    record()
