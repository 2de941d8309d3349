"""The ``http://`` target and the upper-tester API, over real sockets and real processes.

* The API over loopback: the reference server started by the target (``spawn=1``), a verb
  accepted with the receipt on the harness's own printer, a refusal with its rule, a verb
  the till lacks, malformed requests, and a server that is not there.
* The contract: ``docs/upper-tester.openapi.yaml`` is valid OpenAPI 3.1 and documents
  exactly the endpoints of :mod:`harness.upper_tester.api` (paths, methods, request
  members), which are the ones the target uses -- checked statically and on the wire.
* Kill-and-restart really ``SIGKILL``s the process that holds the till mid-sale; the new
  process recovers the journal and its export holds the interrupted sale as cancelled.
* Devices are reset per scenario and the spawned server stops when the harness exits.
* The whole compliance suite through ``http://`` (printer on TCP, then on a pty) gives
  every scenario the same verdict as ``reference://``.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import textwrap
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.journal_export import export_and_read
from harness.observe import printed
from harness.profile import load_profile, reference_profile_path
from harness.targets import NotSupportedByTarget, Refused, TargetError, TillDriver, open_target
from harness.targets import http as http_target
from harness.targets.base import TillDriver as TillDriverBase
from harness.targets.http import HttpTarget
from harness.upper_tester import api
from harness.upper_tester.client import ApiClient

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "docs" / "upper-tester.openapi.yaml"
TCP_URL = "http://127.0.0.1:0/?spawn=1&printer=tcp://127.0.0.1:0"
SPAWN_URL = "http://127.0.0.1:0/?spawn=1"
#: Why a scenario may be "not automated" on http:// only: the suite picks its business day on reference:// alone.
BUSINESS_DAY_ONLY_ON_REFERENCE = "only reference:// lets the harness choose the business day"


@pytest.fixture(scope="module", autouse=True)
def _stop_servers() -> Iterator[None]:
    yield
    http_target.close_all()


@pytest.fixture
def till() -> Iterator[HttpTarget]:
    driver = HttpTarget(TCP_URL)
    try:
        yield driver
    finally:
        driver.close()


def _server_url(till: HttpTarget) -> str:
    server = till._setup.server
    assert server is not None
    return server.url


def _raw(url: str, method: str = "POST", body: bytes | None = None) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read() or b"{}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the API over loopback ------------------------------------------------------------------


def test_a_concluded_sale_is_printed_on_the_harness_printer(till: HttpTarget) -> None:
    start = till.evidence.cursor()
    till.open_register("K1", "1001")
    till.add_item("K1", "1001", 2)
    till.pay_cash("K1")
    sale = till.conclude("K1")
    assert sale.amount == 2 * 2190 and sale.trans_id
    documents = printed(till.evidence, "K1", start)
    assert [d.first_text_line() for d in documents][-1].startswith(("Salskvittering", "Salgskvittering"))
    assert "43,80" in documents[-1].text  # what the till printed reached the harness's printer over TCP


def test_a_refusal_is_refused_with_the_rule(till: HttpTarget) -> None:
    till.open_register("K1", "1001")
    till.add_item("K1", "1002")
    till.pay_cash("K1")
    sale = till.conclude("K1")
    till.close_drawer("K1")
    till.copy_receipt("K1", sale.trans_id)
    with pytest.raises(Refused) as refused:
        till.copy_receipt("K1", sale.trans_id)
    assert refused.value.rule == "ksf_2_6_l4"
    assert refused.value.verb == "print a copy receipt" and refused.value.reason


def test_a_verb_the_till_lacks_is_not_supported(till: HttpTarget) -> None:
    till.open_register("K1", "1001")
    with pytest.raises(NotSupportedByTarget, match="exchange slip"):
        till.exchange_slip("K1", "K1-S000001")
    # asked directly, the server answers 501 with the verb (the target never asks: capabilities omit it)
    status, body = _raw(_server_url(till) + "/registers/K1/exchange-slip", body=b'{"trans_id": "1"}')
    assert (status, body["verb"]) == (501, "exchange_slip")


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        ("POST", "/registers/K1/sale/items", b'{"article": 1001}', 400, "must be a string"),
        ("POST", "/registers/K1/sale/items", b"{}", 400, "'article' is missing; send e.g."),
        ("POST", "/registers/K1/sale/items", b'{"article": "1001", "colour": "red"}', 400, "unknown member"),
        ("POST", "/registers/K1/sale/items", b"[1]", 400, "must be a JSON object"),
        ("POST", "/registers/K1/float", b'{"amount": 100.5}', 400, "øre as integers"),
        ("POST", "/registers/K9/open", b'{"operator": "1001"}', 400, "K9"),
        ("POST", "/registers/K1/teleport", b"{}", 404, "GET /capabilities"),
        ("GET", "/registers/K1/open", None, 405, "use POST"),
    ],
)
def test_malformed_requests_are_answered_with_what_to_send(
    till: HttpTarget, method: str, path: str, body: bytes | None, status: int, message: str
) -> None:
    got, answer = _raw(_server_url(till) + path, method, body)
    assert got == status
    assert message in answer["error"]


def test_the_server_down_is_a_target_error_saying_what_to_check() -> None:
    port = _free_port()  # nothing listens there any more
    with pytest.raises(TargetError) as error:
        open_target(f"http://127.0.0.1:{port}/")
    message = str(error.value)
    assert f"127.0.0.1:{port}" in message and "connection refused" in message and "spawn=1" in message


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:8700/?colour=red", "unknown option 'colour'"),
        ("http://127.0.0.1:0/", "port 0, any free one, only with spawn=1"),
        ("http://127.0.0.1:0/?spawn=1&printer=tcp://127.0.0.1:9100", "would share the printer"),
        ("http://127.0.0.1:0/?spawn=1&timeout=soon", "timeout is seconds"),
    ],
)
def test_bad_urls_say_what_to_write(url: str, message: str) -> None:
    with pytest.raises(TargetError, match=message):
        HttpTarget(url)


def test_a_printer_the_server_cannot_reach_stops_it_with_the_address() -> None:
    port = _free_port()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness.upper_tester",
            "--listen",
            "127.0.0.1:0",
            "--printer",
            f"K1=tcp://127.0.0.1:{port}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 7, result.stderr
    assert f"127.0.0.1:{port}" in result.stderr and "listening" not in result.stdout


# --- the contract ---------------------------------------------------------------------------


def _spec() -> dict[str, Any]:
    yaml = pytest.importorskip("yaml")
    loaded = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _documented(spec: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    }


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def test_the_openapi_file_is_valid_openapi() -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    spec = _spec()
    assert spec["openapi"].startswith("3.1")
    validator.validate(spec)


def test_every_endpoint_is_documented_and_every_documented_path_is_an_endpoint() -> None:
    spec = _spec()
    documented = _documented(spec)
    served = {(r.method, r.path): r for r in api.ROUTES}
    assert set(documented) == set(served), (
        f"only in the OpenAPI file: {sorted(set(documented) - set(served))}; "
        f"only in harness/upper_tester/api.py: {sorted(set(served) - set(documented))}"
    )
    for key, route in served.items():
        operation = documented[key]
        assert operation["operationId"] == route.verb, key
        if route.method != "POST":
            continue
        body = _resolve(spec, operation.get("requestBody", {"content": {}}))
        schema = _resolve(spec, body["content"]["application/json"]["schema"]) if body["content"] else {}
        members = set(schema.get("properties", {}))
        assert members == {f.name for f in route.fields}, f"{key}: documented {members}"
        assert set(schema.get("required", [])) == {f.name for f in route.fields if f.required}, key
        assert bool(body.get("required")) == any(f.required for f in route.fields), f"{key}: requestBody.required"
        assert {"200", "400", "503"} <= set(operation["responses"]), key


def test_the_target_performs_every_verb_through_its_endpoint() -> None:
    # Each TillDriver verb the target implements is a route of the API, and the other way round.
    verbs = {
        name
        for name in vars(TillDriverBase)
        if not name.startswith("_") and callable(getattr(TillDriverBase, name)) and name in vars(HttpTarget)
    }
    shop_side = {"close_drawer", "set_printer", "set_drawer", "script_terminal", "close"}
    assert verbs - shop_side == set(api.TILL_VERBS)
    documented_verbs = set(_spec()["components"]["schemas"]["Capabilities"]["properties"]["verbs"]["items"]["enum"])
    assert documented_verbs == set(api.TILL_VERBS)


def test_every_request_the_target_sends_is_documented(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sent: set[tuple[str, str]] = set()
    original = ApiClient.request

    def record(self: ApiClient, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        route, _register = api.match(method, path)
        sent.add((route.method, route.path))
        return original(self, method, path, body)

    monkeypatch.setattr(ApiClient, "request", record)
    driver = HttpTarget(TCP_URL + "&timeout=59")  # a URL of its own: its set-up (capabilities) is recorded too
    try:
        _every_verb(driver, tmp_path)
    finally:
        driver.close()
    documented = set(_documented(_spec()))
    assert sent <= documented, f"sent but not documented: {sorted(sent - documented)}"
    unsent = {(r.method, r.path) for r in api.ROUTES} - sent
    assert unsent == {("POST", "/registers/{register}/exchange-slip")}  # the reference till has none


def _every_verb(till: TillDriver, out: Path) -> None:
    """Call every verb once (refusals are answers too)."""
    calls = [
        lambda: till.open_register("K1", "1001"),
        lambda: till.register_float("K1", 100000),
        lambda: till.close_drawer("K1"),
        lambda: till.login("K1", "1002"),
        lambda: till.price_lookup("K1", "1001"),
        lambda: till.change_price("K1", "1101", 2590),
        lambda: till.add_item("K1", "1001", 3),
        lambda: till.add_campaign_item("K1", "1004", 3, 3490),
        lambda: till.correct_line("K1", 1, 2),
        lambda: till.discount("K1", 1, 100),
        lambda: till.return_item("K1", "1002"),
        lambda: till.remove_line("K1", 2),
        lambda: till.provisional_receipt("K1"),
        lambda: till.set_buyer("K1", "Kari Nordmann"),
        lambda: till.park("K1"),
        lambda: till.resume("K1", "no such sale"),
        lambda: till.add_item("K1", "1003"),
        lambda: till.pay_card("K1", 1000),
        lambda: till.pay_other("K1", "giftcard", 500),
        lambda: till.pay_cash("K1"),
        lambda: till.conclude("K1"),
        lambda: till.close_drawer("K1"),
        lambda: till.add_item("K1", "1004"),
        lambda: till.conclude_credit("K1", "10001"),
        lambda: till.add_item("K1", "1004"),
        lambda: till.void("K1"),
        lambda: till.copy_receipt("K1", "K1-S000001"),
        lambda: till.exchange_slip("K1", "K1-S000001"),
        lambda: till.training("K1", True),
        lambda: till.training("K1", False),
        lambda: till.open_drawer("K1"),
        lambda: till.close_drawer("K1"),
        lambda: till.cash_in("K1", 5000),
        lambda: till.close_drawer("K1"),
        lambda: till.cash_out("K1", 5000),
        lambda: till.close_drawer("K1"),
        lambda: till.x_report("K1"),
        lambda: till.z_report("K1"),
        lambda: till.settle("K1", 100000),
        lambda: till.next_business_day("K1"),
        lambda: till.logout("K1"),
        lambda: till.close_register("K1"),
        lambda: till.export_journal(out),
        lambda: till.kill_and_restart(),
    ]
    for call in calls:
        with contextlib.suppress(Refused, NotSupportedByTarget):
            call()


# --- kill-and-restart -----------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _journal_holder(server_pid: int) -> tuple[int, str]:
    """The child of the server that has a journal open, and the journal's path."""
    for pid in _children(server_pid):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.endswith("journal.sqlite"):
                    return pid, target
        except OSError:
            continue
    raise AssertionError(f"no child of the server {server_pid} holds a journal open")


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see which process holds the journal")
def test_kill_and_restart_kills_the_till_mid_sale_and_the_new_till_cancels_the_sale(
    till: HttpTarget, tmp_path: Path
) -> None:
    server = till._setup.server
    assert server is not None
    till.open_register("K1", "1001")
    till.add_item("K1", "1002", 2)  # a sale of 79,80 kr is open
    victim, journal = _journal_holder(server.pid)

    till.kill_and_restart()

    assert not Path(f"/proc/{victim}").exists(), "the till's process is still there"
    survivor, same_journal = _journal_holder(server.pid)
    assert survivor != victim and same_journal == journal
    till.open_register("K1", "1001")
    till.add_item("K1", "1003")
    till.pay_cash("K1")
    assert till.conclude("K1").amount == 2780
    export = export_and_read(till, tmp_path, load_profile(reference_profile_path()))
    cancelled = [t.amount_in for t in export.transactions_of("K1") if t.void]
    assert cancelled == [7980], f"the interrupted sale is not cancelled in {export.path.name}: {cancelled}"
    assert not export.findings(), [str(f) for f in export.findings()]  # the journal is consistent after the kill


# --- devices per scenario, and the end of the run ----------------------------------------


def test_each_scenario_starts_with_a_ready_printer_and_a_working_drawer() -> None:
    first = HttpTarget(TCP_URL)
    try:
        first.set_printer("K1", paper_out=True)
        first.set_drawer("K1", stuck_open=True)
        first.script_terminal("K1", "decline")
    finally:
        first.close()
    second = HttpTarget(TCP_URL)
    try:
        start = second.evidence.cursor()
        second.open_register("K1", "1001")
        second.add_item("K1", "1001")
        second.pay_card("K1")  # the decline scripted before is gone
        second.conclude("K1")
        assert len(printed(second.evidence, "K1", start)) == 1  # the printer is ready again
        second.add_item("K1", "1001")
        second.pay_cash("K1")
        second.conclude("K1")
        second.close_drawer("K1")  # the drawer is not stuck: it shuts, so the next line is accepted
        second.add_item("K1", "1002")
    finally:
        second.close()


def test_the_spawned_server_stops_when_the_harness_exits(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        from harness.targets import open_target
        till = open_target({TCP_URL!r})
        print(till._setup.server.pid, flush=True)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    pid = int(result.stdout.split()[0])
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


# --- the whole suite ------------------------------------------------------------------------


def _run_suite(target: str, log: Path, *options: str) -> dict[str, dict[str, Any]]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "features",
        "-p",
        "no:cacheprovider",
        "-q",
        "--target",
        target,
        "--profile",
        str(reference_profile_path()),
        "--run-log",
        str(log),
        *options,
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=540)
    assert result.returncode in (0, 1), f"pytest --target {target} could not run:\n{result.stdout[-3000:]}"
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert records, f"pytest --target {target} ran no scenario:\n{result.stdout[-3000:]}"
    return {r["nodeid"]: r for r in records}  # outline examples share a scenario id


@pytest.fixture(scope="module")
def reference_verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return _run_suite("reference://", tmp_path_factory.mktemp("reference") / "run.ndjson")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("target", "options"),
    [(TCP_URL, ()), (SPAWN_URL, ("--printer", "pty://"))],  # pytest --printer adds printer=pty:// to the URL
    ids=["printer-on-tcp", "printer-on-pty"],
)
def test_the_whole_suite_gives_the_same_verdicts_as_reference(
    target: str, options: tuple[str, ...], reference_verdicts: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    verdicts = _run_suite(target, tmp_path / "run.ndjson", *options)
    # The suite itself declines to pick a business day on any target but reference:// (test_ksf_2_5.py).
    day_bound = {
        sid
        for sid, r in verdicts.items()
        if r["verdict"] == "not automated" and BUSINESS_DAY_ONLY_ON_REFERENCE in r["reason"]
    }
    differences = [
        f"{sid}: reference:// {reference_verdicts.get(sid, {}).get('verdict')}, http:// "
        f"{verdicts.get(sid, {}).get('verdict')} {verdicts.get(sid, {}).get('reason', '')[:300]}"
        for sid in sorted(set(reference_verdicts) | set(verdicts))
        if sid not in day_bound
        and reference_verdicts.get(sid, {}).get("verdict") != verdicts.get(sid, {}).get("verdict")
    ]
    assert not differences, "verdicts differ:\n" + "\n".join(differences)
    passed = {sid for sid, r in verdicts.items() if r["verdict"] == "passed"}
    assert passed == {sid for sid, r in reference_verdicts.items() if r["verdict"] == "passed"} - day_bound
    assert len(passed) > 0.9 * len(reference_verdicts)
