"""``--printer`` / ``--terminal`` become the target URL's device options (harness.target_devices)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from harness.target_devices import DeviceOptionError, with_devices

ROOT = Path(__file__).resolve().parents[2]


def _query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def test_printers_and_terminals_become_url_options_in_order() -> None:
    url = with_devices("http://10.0.0.7:8700", ["K1=tcp://0.0.0.0:9100", "pty://"], ["K1=http://0.0.0.0:8443"])
    assert _query(url) == [
        ("printer.K1", "tcp://0.0.0.0:9100"),
        ("printer", "pty://"),
        ("terminal.K1", "http://0.0.0.0:8443"),
    ]
    assert urlsplit(url).netloc == "10.0.0.7:8700"


def test_options_join_an_existing_query_and_leave_a_url_without_devices_alone() -> None:
    url = with_devices("manual://?tty=/dev/pts/3", ["tcp://0.0.0.0:9100", "pty://?link=/tmp/kk"])
    assert _query(url) == [("tty", "/dev/pts/3"), ("printer", "tcp://0.0.0.0:9100"), ("printer", "pty://?link=/tmp/kk")]
    assert with_devices("reference://") == "reference://"
    assert with_devices("manual://?", ["pty://"]) == "manual://?printer=pty://"


@pytest.mark.parametrize(
    ("url", "printers", "terminals", "message"),
    [
        ("reference://", ["tcp://127.0.0.1:0"], [], "--printer applies to http:// and manual:// targets; reference://"),
        ("manual://", [], ["http://0.0.0.0:8443"], "--terminal applies to http:// targets; manual:// does not take it"),
        ("manual://", ["K1=tcp://0.0.0.0:9100"], [], "manual:// takes one --printer URL per kassapunkt"),
        ("http://h:1", ["9100"], [], "--printer '9100': write a link URL such as tcp://0.0.0.0:9100, or K1=URL"),
    ],
)  # fmt: skip
def test_what_a_target_cannot_take_says_what_to_write(
    url: str, printers: list[str], terminals: list[str], message: str
) -> None:
    with pytest.raises(DeviceOptionError, match=re.escape(message)):
        with_devices(url, printers, terminals)


def test_the_http_target_reads_what_the_options_wrote() -> None:
    """The URL is the one the http target parses: its per-kassapunkt printer is the one given."""
    from harness.targets.http import _Options  # the parser the target opens its URL with

    options = _Options(with_devices("http://127.0.0.1:8700", ["K2=pty://"], ["http://127.0.0.1:0"]))
    assert options.per_register("printer", "K2", "tcp://127.0.0.1:0") == "pty://"
    assert options.per_register("printer", "K1", "tcp://127.0.0.1:0") == "tcp://127.0.0.1:0"
    assert options.per_register("terminal", "K1", "") == "http://127.0.0.1:0"


def test_pytest_takes_printer_and_says_when_the_target_cannot(tmp_path: Path) -> None:
    """``pytest --printer`` is a usage error for reference://, with the same message as ``kassakontroll run``."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "features"), "-p", "no:cacheprovider", "-q",
         "-k", "id_ksf_2_6_l4_001", "--printer", "tcp://127.0.0.1:0"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert "--printer applies to http:// and manual:// targets" in done.stderr
