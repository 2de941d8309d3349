"""Fixtures for the SAF-T verifier tests: the reference till's demo export, made once per session."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from reference_till.demo import run_demo

#: The demo day is fixed so the export (dates, times, file name) is the same on every run.
DEMO_DAY = date(2026, 11, 22)
_DATA = resources.files("reference_till") / "data"


@dataclass(frozen=True, slots=True)
class DemoExport:
    """The demo day's signed SAF-T export and the key to verify it.

    Attributes:
        path: ``SAF-T Cash Register_999999999_<timestamp>.xml`` written by the demo day.
        public_key: PEM public key of the demo's RSA signing key (keyVersion 1).
        private_key: PEM private key of the same key (to re-sign mutated transactions).
    """

    path: Path
    public_key: Path
    private_key: Path


@pytest.fixture(scope="session")
def demo_export(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoExport]:
    """Run the reference till's demo day once (in-memory devices) and yield its export."""
    out = tmp_path_factory.mktemp("demo_export")
    result = run_demo(out, devices="memory", day=DEMO_DAY)
    path = result.saft.path
    assert path is not None and path.is_file()
    yield DemoExport(
        path=path,
        public_key=Path(str(_DATA / "demo_signing_key.pub.pem")),
        private_key=Path(str(_DATA / "demo_signing_key.pem")),
    )


@pytest.fixture(scope="session")
def pool() -> Iterator[ProcessPoolExecutor]:
    """One pool of two forked workers, shared as ``verify_files`` shares one."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as executor:
        yield executor
