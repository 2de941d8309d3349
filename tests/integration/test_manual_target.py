"""``manual://``: prompts on a real pseudo-terminal, answered by a scripted technician.

The prompt tests open a real pty pair, point the target's ``tty`` at the slave and answer
from the master side (:mod:`tests.integration.technician`), so the bytes go through the
terminal's line discipline as a person's keystrokes would. The end-to-end test runs
scenarios of the suite with ``kassakontroll run --target manual://…`` in a child process:
the technician reads each prompt and performs it on a real reference till in this
process, whose printer port is the TCP port the child's harness serves -- so the
verdicts come from what that till printed, exactly as they would for a vendor's POS.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

import pytest

from harness.evidence import EvidenceLog, EvidenceRecord
from harness.profile import Profile, load_profile, reference_profile_path
from harness.targets import NotSupportedByTarget, Refused, TargetError, open_target
from harness.targets.manual import ManualTarget
from harness.targets.manual_bench import close_benches
from reference_till.config import load_config
from reference_till.demo import SimulatedClock
from reference_till.device_ports import EscposPrinterPort
from reference_till.device_setup import open_devices
from reference_till.errors import ReceiptNotPrinted, TillError
from reference_till.till import OSLO, Till
from reference_till.till_base import RegisterDevices
from tests.integration.technician import Technician, join_answers

ROOT = Path(__file__).resolve().parents[2]
PRINTER = "tcp://127.0.0.1:0"


@pytest.fixture
def technician() -> Iterator[Technician]:
    person = Technician()
    try:
        yield person
    finally:
        close_benches()
        person.close()


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile(reference_profile_path())


def _target(technician: Technician, profile: Profile | None, options: str = "") -> ManualTarget:
    return ManualTarget(f"manual://?printer={PRINTER}&tty={technician.tty}{options}", profile=profile)


def _answers(target: ManualTarget) -> list[EvidenceRecord]:
    return target.evidence.since(0, kind="manual.answer")


def test_enter_accepts_r_refuses_s_skips(technician: Technician, profile: Profile) -> None:
    target = _target(technician, profile)
    try:
        answering = technician.answer(
            ("sell 2 × article 1001 (TineMelk Lett 1 l, 21,90 kr)", ""),
            ("take the sale's total in cash", ""),
            ("conclude the sale", ""),
            ("Receipt number", "K1-S000007"),
            ("print a copy receipt (kopikvittering) of the sale with receipt number K1-S000007", ""),
            ("print a copy receipt", "r Kopi er allerede skrevet ut"),
            ("switch training mode (treningsmodus) on", "s"),
        )
        target.add_item("K1", "1001", 2)
        target.pay_cash("K1")
        sale = target.conclude("K1")
        target.copy_receipt("K1", sale.trans_id)
        with pytest.raises(Refused) as refused:
            target.copy_receipt("K1", sale.trans_id)
        with pytest.raises(NotSupportedByTarget) as skipped:
            target.training("K1", True)
        join_answers(answering)
    finally:
        target.close()
    assert sale.trans_id == "K1-S000007"
    assert sale.amount == 2 * 2190  # from the profile's price, never typed
    assert refused.value.reason == "Kopi er allerede skrevet ut"
    assert "print a copy receipt" in refused.value.verb
    assert "cannot switch training mode (treningsmodus) on" in str(skipped.value)
    prompts = target.evidence.since(0, kind="manual.prompt")
    assert "Kassapunkt K1: sell 2 × article 1001 (TineMelk Lett 1 l, 21,90 kr)." in prompts[0].data["text"]
    assert [(r.data["verb"], r.data["answer"]) for r in _answers(target)] == [
        ("add_item", "done"),
        ("pay_cash", "done"),
        ("conclude", "done"),
        ("conclude", "given"),
        ("copy_receipt", "done"),
        ("copy_receipt", "refused"),
        ("training", "skipped"),
    ]
    assert all(r.source == "manual" and r.data["register"] == "K1" for r in _answers(target))
    assert _answers(target)[5].data["reason"] == "Kopi er allerede skrevet ut"


def test_r_alone_asks_for_the_message_and_nonsense_is_asked_again(technician: Technician) -> None:
    target = _target(technician, None, "&lang=nb")
    try:
        answering = technician.answer(
            ("selg 1 × vare 4711", "ja"),
            ("Svar med Enter, r eller s", "r"),
            ("Hva sa kassen?", "Ukjent vare"),
        )
        with pytest.raises(Refused) as refused:
            target.add_item("K1", "4711")
        join_answers(answering)
    finally:
        target.close()
    assert refused.value.reason == "Ukjent vare"
    assert refused.value.verb == "sell 1 × article 4711"  # reports read in English whatever the prompts' language


def test_an_enter_pressed_before_the_prompt_does_not_answer_it(technician: Technician) -> None:
    target = _target(technician, None)
    try:
        shown = technician.wait_for("not from your answers.\n")
        technician.type("")  # pressed too early: the terminal echoes it once the line discipline has it
        technician.wait_for(shown + "\n")
        answering = technician.answer(("sell 1 × article 1001", "r Ukjent vare"))
        with pytest.raises(Refused, match="Ukjent vare"):
            target.add_item("K1", "1001")
        join_answers(answering)
    finally:
        target.close()


def test_no_answer_within_the_timeout_is_a_clear_error(technician: Technician) -> None:
    target = _target(technician, None, "&timeout=0.3")
    try:
        with pytest.raises(TargetError, match=r"no answer on /dev/pts/\d+ within 0.3 s.*timeout=SECONDS"):
            target.open_register("K1", "1001")
    finally:
        target.close()
    assert [r.data["answer"] for r in _answers(target)] == ["timeout"]


def test_the_journal_export_asks_for_a_file_that_exists(technician: Technician, tmp_path: Path) -> None:
    export = tmp_path / "till" / "SAF-T Cash Register_999999999_20261123080000.xml"
    export.parent.mkdir()
    export.write_text("<AuditFile/>", encoding="utf-8")
    target = _target(technician, None)
    try:
        answering = technician.answer(
            ("export the electronic journal as SAF-T Cash Register XML for the day of the test", "/no/such/file.xml"),
            ("/no/such/file.xml is not a file on this machine", str(export)),
        )
        copy = target.export_journal(tmp_path / "scene")
        join_answers(answering)
    finally:
        target.close()
    assert copy == tmp_path / "scene" / export.name
    assert copy.read_text(encoding="utf-8") == "<AuditFile/>"
    assert [r.data["answer"] for r in _answers(target)] == ["no such file", "done"]


def test_harness_side_verbs_are_done_without_asking(technician: Technician) -> None:
    target = _target(technician, None)
    try:
        target.set_printer("K1", paper_out=True)
        target.set_drawer("K1", stuck_open=True)
        target.script_terminal("K1", "decline")
        station = target.bench.stations["K1"]
        assert station.printer.state.paper == "out"
        assert station.drawer.fault == "stuck_open"
        assert station.terminal.scripted == 1
    finally:
        target.close()
    assert target.evidence.since(0, kind="manual") == []  # nothing asked, nothing answered
    technician_saw = technician.wait_for("payment terminal will decline the next payment")
    assert "(the harness: kassapunkt K1's printer now reports paper out)" in technician_saw


def test_a_mid_document_fault_is_armed_without_asking_and_the_next_scenario_starts_without_it(
    technician: Technician,
) -> None:
    first = _target(technician, None, "&lang=nb")
    try:
        first.set_printer("K1", cover_open=True, after_lines=4)
        with pytest.raises(TargetError, match="exactly one of"):
            first.set_printer("K1", after_lines=2)
        (armed,) = first.evidence.since(0, kind="printer.armed")
        assert (armed.data["after_lines"], armed.data["cover_open"]) == (4, True)
    finally:
        first.close()
    technician_saw = technician.wait_for("etter 4 utskrevne linjer")
    assert "skriveren på K1 melder åpent deksel etter 4 utskrevne linjer av neste dokument" in technician_saw
    second = _target(technician, None)
    try:
        disarmed = second.evidence.since(0, kind="printer.armed")
        assert disarmed[-1].data["after_lines"] == 0  # the bench's reset calls the fault off
    finally:
        second.close()


def test_the_devices_stay_up_for_the_next_scenario_and_start_it_ready(technician: Technician) -> None:
    first = _target(technician, None)
    first.set_printer("K1", paper_out=True)
    url = first.bench.stations["K1"].pos_printer_url
    first.close()
    second = _target(technician, None)
    try:
        assert second.bench.stations["K1"].pos_printer_url == url  # the POS keeps its printer port
        assert second.bench.stations["K1"].printer.state.paper == "ok"
    finally:
        second.close()
    assert technician.wait_for("Point the till's devices at").count("Point the till's devices at") == 1


def test_any_stream_pair_will_do(tmp_path: Path) -> None:
    """Without a terminal: answers typed ahead into a pipe, prompts written to a file."""
    answers_out, answers_in = os.pipe()
    os.write(answers_in, b"\nr Ugyldig operat\xc3\xb8r\n")
    os.close(answers_in)
    screen = tmp_path / "screen.txt"
    with screen.open("w", encoding="utf-8") as writer:
        target = ManualTarget(f"manual://?printer={PRINTER}", streams=(answers_out, writer))
        try:
            target.open_register("K1", "1001")
            with pytest.raises(Refused, match="Ugyldig operatør"):
                target.login("K1", "1002")
        finally:
            target.close()
            close_benches()
            os.close(answers_out)
    assert "Kassapunkt K1: log in operator 1002" in screen.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("manual://", r"printer=tcp://0\.0\.0\.0:9100"),
        ("manual://?printer=loop://p", "in-process only"),
        ("manual://?printer=tcp://127.0.0.1:0&colour=red", "unknown option colour; known: printer"),
        ("manual://?printer=tcp://127.0.0.1:0&lang=de", "use one of en, nb"),
        ("manual://?printer=tcp://127.0.0.1:0&timeout=soon", "timeout='soon' must be a number"),
        ("manual://?printer=tcp://127.0.0.1:0&registers=K1,K2", "2 registers for 1 printer"),
        ("manual://?printer=tcp://127.0.0.1:0&tty=/no/such/tty", "cannot open the terminal /no/such/tty"),
    ],
)
def test_bad_urls_say_what_to_write(url: str, message: str) -> None:
    with pytest.raises(TargetError, match=message):
        open_target(url)


# --- end to end: the suite's scenarios, a technician, a real till ---------------------------

DAY = date(2026, 11, 23)
SCENARIOS = ("id_ksf_2_6_l4_001", "id_ksf_2_6_l4_003", "id_ksf_2_6_l4_004")


class TillAtTheBench:
    """The technician's till: the reference till, its printer and terminal the child harness's devices."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.config = load_config()
        self.till: Till | None = None
        self.devices: dict[str, RegisterDevices] = {}
        self.printer = self.terminal = ""
        self.scenarios = 0

    def plug_in(self, screen: str) -> None:
        """Read the device URLs from the harness's banner."""
        self.printer = re.search(r"\(POS: (\S+)\)", screen).group(1)  # type: ignore[union-attr]
        self.terminal = re.search(r"nexo JSON over HTTP at (\S+)", screen).group(1)  # type: ignore[union-attr]

    def fresh(self) -> Till:
        """A scenario starts: a till reset to an empty journal (as a lab resets its test till)."""
        self.close()
        self.scenarios += 1
        register = self.config.registers[0]
        self.devices = {
            register.id: open_devices(register, printer=self.printer, drawer="printer", terminal=self.terminal)
        }
        clock = SimulatedClock(datetime.combine(DAY, time(8, 0), OSLO))
        journal = self.folder / f"journal-{self.scenarios}.sqlite"
        self.till = Till(journal, self.config, devices=self.devices, clock=clock)
        return self.till

    def close(self) -> None:
        if self.till is not None:
            self.till.close()
        for devices in self.devices.values():
            if isinstance(devices.printer, EscposPrinterPort):
                devices.printer.close()
        self.till, self.devices = None, {}


def _perform(till: Till, shown: str, bench: TillAtTheBench, last: list[str]) -> str:
    """Do what the prompt asks on the till; return what to type."""
    try:
        if m := re.search(r"Kassapunkt (\S+): start the kassapunkt and log in operator (\S+)\.", shown):
            till.start(m[1])
            till.login(m[1], m[2])
        elif m := re.search(r"Kassapunkt (\S+): sell (\d+) × article (\d+)", shown):
            till.add_item(m[1], m[3], int(m[2]))
        elif m := re.search(r"Kassapunkt (\S+): take the sale's total in cash", shown):
            till.pay_cash(m[1], None)
        elif m := re.search(r"Kassapunkt (\S+): conclude the sale \(", shown):
            with contextlib.suppress(ReceiptNotPrinted):  # journaled; the printer failed mid-receipt
                last[:] = [till.conclude(m[1]).trans_id]
        elif "Receipt number" in shown:
            return last[0] if last else ""
        elif m := re.search(r"Kassapunkt (\S+): print a copy receipt .* receipt number (\S+)\.\n", shown):
            till.print_copy(m[1], m[2])
        elif "export the electronic journal" in shown:
            export = till.export_saft(bench.folder / f"export-{bench.scenarios}", DAY, DAY)
            return str(export.path)
        else:
            return "s"
    except TillError as refusal:
        return "r " + str(refusal).splitlines()[0]
    return ""


def _technician_at_work(person: Technician, bench: TillAtTheBench, stop: threading.Event, log: list[str]) -> None:
    till: Till | None = None
    last: list[str] = []
    while not stop.is_set():
        try:
            shown = person.next_prompt(timeout=1.0)
        except TimeoutError:
            continue
        if not bench.printer:
            bench.plug_in(shown)
        if "=== Scenario" in shown:
            till = bench.fresh()
        assert till is not None, f"a prompt before any scenario began:\n{shown}"
        reply = _perform(till, shown, bench, last)
        log.append(f"{shown!r} -> {reply!r}")
        person.type(reply)


@pytest.mark.slow
def test_the_suite_runs_against_a_technician_and_a_real_till(technician: Technician, tmp_path: Path) -> None:
    bench = TillAtTheBench(tmp_path)
    stop, log = threading.Event(), []
    worker = threading.Thread(target=_technician_at_work, args=(technician, bench, stop, log), daemon=True)
    worker.start()
    out = tmp_path / "run"
    command = [
        sys.executable, "-m", "harness.run_command", "--target", f"manual://?tty={technician.tty}&timeout=60",
        "--printer", PRINTER, "--profile", str(reference_profile_path()), "--out", str(out),
        "-k", " or ".join(SCENARIOS), "--report", "html",
    ]  # fmt: skip
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    finally:
        stop.set()
        worker.join(timeout=10)
        bench.close()
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}\n{(out / 'pytest.txt').read_text()}\n" + "\n".join(log)
    verdicts = {r["scenario_id"]: r["verdict"] for r in map(json.loads, (out / "run.ndjson").read_text().splitlines())}
    assert verdicts == dict.fromkeys(SCENARIOS, "passed")
    # the evidence: the technician's prompts and answers beside what the till really printed
    records = EvidenceLog.read_ndjson((out / "evidence" / "id_ksf_2_6_l4_003.ndjson").read_text().splitlines())
    kinds = [r.kind for r in records]
    assert "manual.prompt" in kinds and "manual.answer" in kinds
    refused = [r for r in records if r.kind == "manual.answer" and r.data["answer"] == "refused"]
    assert len(refused) == 1 and refused[0].data["verb"] == "copy_receipt"
    documents = [r for r in records if r.kind == "printer.document"]
    assert sum("KOPI" in str(d.data["text"]) for d in documents) == 1
    assert all(d.raw for d in documents)
    paper_out = EvidenceLog.read_ndjson((out / "evidence" / "id_ksf_2_6_l4_004.ndjson").read_text().splitlines())
    conclude = [r for r in paper_out if r.kind == "manual.answer" and r.data["verb"] == "conclude"]
    assert [r.data["answer"] for r in conclude] == ["refused"]
    assert not [r for r in paper_out if r.kind == "printer.document" and "Salgskvittering" in str(r.data["text"])]
    # the report shows the technician's side beside the till's: the refusal of the second copy, as answered
    report = (out / "report" / "report.en.html").read_text(encoding="utf-8")
    assert "<strong>manual.answer</strong>" in report and "copy_receipt: refused" in report
