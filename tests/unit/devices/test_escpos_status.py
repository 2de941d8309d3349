"""Status replies, ASB, offline holding and drawer kicks of the printer emulator (devices.md §1.5, §3.1)."""

from __future__ import annotations

import pytest
from escpos.printer import Dummy

from devices.drawer import DrawerEmulator
from devices.escpos import PrinterEmulator
from devices.link import Channel, DeviceProtocol
from harness.evidence import EvidenceLog


class RecordingChannel(Channel):
    def __init__(self, name: str = "test") -> None:
        self.name = name
        self.sent = bytearray()

    def write(self, data: bytes) -> None:
        self.sent += data

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        out = bytes(self.sent)
        self.sent.clear()
        return out


class Bench:
    """A printer with a drawer and one connected session."""

    def __init__(self, profile: str = "epson-tm-t88") -> None:
        self.log = EvidenceLog()
        self.drawer = DrawerEmulator(self.log)
        self.printer = PrinterEmulator(profile=profile, log=self.log, drawer=self.drawer)
        self.channel = RecordingChannel()
        self.session: DeviceProtocol = self.printer.session()
        self.session.connection_made(self.channel)

    def ask(self, data: bytes) -> bytes:
        self.session.data_received(data)
        return self.channel.take()

    def kinds(self) -> list[str]:
        return [r.kind for r in self.log if r.kind.startswith("printer.")]


DLE_EOT_ALL = b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04"


@pytest.fixture
def bench() -> Bench:
    return Bench()


def test_idle_printer_answers_12_to_every_dle_eot(bench: Bench) -> None:
    assert bench.ask(DLE_EOT_ALL) == bytes.fromhex("12 12 12 12")


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ({"paper": "near_end"}, "12 12 12 1E"),
        ({"paper": "out"}, "1A 32 12 7E"),
        ({"cover_open": True}, "1A 16 12 12"),
        ({"offline": True}, "1A 12 12 12"),
        ({"error": "autocutter"}, "1A 52 1A 12"),
        ({"error": "auto_recoverable"}, "1A 52 52 12"),
    ],
)
def test_dle_eot_replies_per_state(bench: Bench, state: dict[str, object], expected: str) -> None:
    bench.printer.set_state(**state)  # type: ignore[arg-type]
    assert bench.ask(DLE_EOT_ALL) == bytes.fromhex(expected)


def test_drawer_pin3_high_adds_04_to_dle_eot_1_and_gs_r_2(bench: Bench) -> None:
    bench.drawer.open_manually()
    assert bench.ask(b"\x10\x04\x01\x1dr\x02\x1dr\x32\x1bu\x00") == bytes.fromhex("16 01 01 01")
    bench.drawer.close()
    assert bench.ask(b"\x10\x04\x01\x1dr\x02") == bytes.fromhex("12 00")


@pytest.mark.parametrize(("paper", "expected"), [("ok", "00 00 00"), ("near_end", "03 03 03")])
def test_gs_r_1_and_49_and_esc_v_paper(bench: Bench, paper: str, expected: str) -> None:
    bench.printer.set_state(paper=paper)  # type: ignore[arg-type]
    assert bench.ask(b"\x1dr\x01\x1dr\x31\x1bv") == bytes.fromhex(expected)


def test_gs_r_1_paper_out_is_held_then_answered_0f(bench: Bench) -> None:
    bench.printer.set_state(paper="out")
    assert bench.ask(b"\x1dr\x01") == b""  # buffered command waits while offline
    bench.printer.set_state(paper="ok")
    assert bench.channel.take() == b"\x00"  # answered in order when ready (paper is fine now)


def test_no_near_end_sensor_on_generic_58() -> None:
    clone = Bench("generic-58")
    clone.printer.set_state(paper="near_end")
    assert clone.ask(b"\x10\x04\x04\x1dr\x01") == bytes.fromhex("12 00")
    clone.printer.set_state(paper="out")
    assert clone.ask(b"\x10\x04\x04") == bytes.fromhex("72")


def test_asb_examples_from_devices_md(bench: Bench) -> None:
    assert bench.ask(b"\x1da\x0f") == bytes.fromhex("10 00 00 00")  # at once when enabled
    bench.printer.set_state(paper="near_end")
    assert bench.channel.take() == bytes.fromhex("10 00 03 00")
    bench.printer.set_state(paper="out")
    assert bench.channel.take() == bytes.fromhex("18 00 0F 00")
    bench.printer.set_state(paper="ok", cover_open=True)
    assert bench.channel.take() == bytes.fromhex("38 00 00 00")
    bench.printer.set_state(cover_open=False)
    assert bench.channel.take() == bytes.fromhex("10 00 00 00")
    bench.drawer.open_manually()  # drawer changes come through drawer.on_change
    assert bench.channel.take() == bytes.fromhex("14 00 00 00")


def test_asb_only_for_enabled_items(bench: Bench) -> None:
    assert bench.ask(b"\x1da\x01") == bytes.fromhex("10 00 00 00")  # drawer only
    bench.printer.set_state(paper="near_end")
    assert bench.channel.take() == b""
    bench.drawer.open_manually()
    assert bench.channel.take() == bytes.fromhex("14 00 03 00")
    assert bench.ask(b"\x1da\x00") == b""  # disabled
    bench.drawer.close()
    assert bench.channel.take() == b""


def test_asb_per_connection(bench: Bench) -> None:
    other = RecordingChannel("second")
    session = bench.printer.session()
    session.connection_made(other)
    bench.ask(b"\x1da\x02")
    bench.printer.set_state(offline=True)
    assert bench.channel.take() == bytes.fromhex("18 00 00 00")
    assert other.take() == b""
    session.connection_lost(None)


def test_gs_i_printer_ids_and_info(bench: Bench) -> None:
    assert bench.ask(b"\x1dI\x01\x1dI\x02\x1dI\x31") == bytes.fromhex("20 02 20")
    assert bench.ask(b"\x1dI\x42") == b"\x5fEPSON\x00"
    assert bench.ask(b"\x1dI\x43") == b"\x5fTM-T88V\x00"
    assert bench.ask(b"\x1dI\x45") == b"\x5f\x00"  # a value the printer lacks


def test_gs_paren_h_process_id_after_the_preceding_data(bench: Bench) -> None:
    assert bench.ask(b"Hello\n\x1d(H\x06\x00\x30\x30ABCD") == bytes.fromhex("37 22 41 42 43 44 00")
    bench.printer.set_state(cover_open=True)
    assert bench.ask(b"more\n\x1d(H\x06\x00\x30\x30WXYZ") == b""  # not yet processed
    bench.printer.set_state(cover_open=False)
    assert bench.channel.take() == b"\x37\x22WXYZ\x00"


def test_offline_holding_keeps_documents_back_but_answers_dle_eot(bench: Bench) -> None:
    p = Dummy()
    p.textln("Salgskvittering")
    p.cashdraw(2)
    p.cut()
    bench.printer.set_state(paper="out")
    assert bench.ask(bytes(p.output) + b"\x10\x04\x01") == b"\x1a"
    assert bench.printer.documents == [] and not bench.drawer.is_open  # ESC p is buffered too
    assert bench.printer.held > 0
    bench.printer.set_state(paper="ok")
    (receipt,) = bench.printer.wait_for_documents(1, timeout=1.0)
    assert receipt.text_lines[0] == "Salgskvittering" and bench.drawer.is_open
    assert bench.printer.held == 0
    kinds = bench.kinds()
    assert kinds.index("printer.held") < kinds.index("printer.document") < kinds.index("printer.released")


def test_realtime_drawer_kick_fires_while_offline(bench: Bench) -> None:
    bench.printer.set_state(cover_open=True)
    bench.ask(b"\x10\x14\x01\x00\x01")
    assert bench.drawer.is_open
    (kick,) = bench.log.since(0, kind="drawer.kick")
    assert (kick.data["pin"], kick.data["on_ms"], kick.data["off_ms"], kick.data["source"]) == (2, 100, 100, "DLE DC4")


def test_esc_p_timing_and_pin_5(bench: Bench) -> None:
    bench.ask(b"\x1bp\x01\x19\xfa")
    (kick,) = bench.log.since(0, kind="drawer.kick")
    assert (kick.data["pin"], kick.data["on_ms"], kick.data["off_ms"]) == (5, 50, 500)


def test_dle_dc4_ignored_while_a_pulse_runs_on_the_same_pin(bench: Bench) -> None:
    bench.ask(b"\x10\x14\x01\x00\x08\x10\x14\x01\x00\x08")  # 800 ms on + 800 ms off: second one ignored
    assert len(bench.log.since(0, kind="drawer.kick")) == 1
    assert any("still running" in r.data["note"] for r in bench.log.since(0, kind="printer.anomaly"))


def test_drawer_kick_hidden_in_image_data_opens_the_drawer_and_is_flagged(bench: Bench) -> None:
    image = b"\x1dv0\x00\x02\x00\x04\x00" + b"\xff\x00\x10\x14\x01\x00\x05\x00"
    bench.ask(image + b"\n\x1dV\x00")
    assert bench.drawer.is_open
    (kick,) = bench.log.since(0, kind="drawer.kick")
    assert kick.data["embedded"] is True
    anomalies = bench.log.since(0, kind="printer.anomaly")
    assert any("inside GS v 0 data" in r.data["note"] for r in anomalies)


def test_status_request_hidden_in_image_data_is_answered(bench: Bench) -> None:
    assert bench.ask(b"\x1dv0\x00\x01\x00\x03\x00\x10\x04\x01") == b"\x12"


def test_evidence_for_documents_and_replies(bench: Bench) -> None:
    bench.ask(b"\x1b@\x1bt\x05Bl\x9bt\n\x1dV\x00\x10\x04\x01")
    (doc,) = bench.log.since(0, kind="printer.document")
    assert doc.data["text"] == "Bløt\n[cut full]\n"
    assert doc.raw == b"\x1b@\x1bt\x05Bl\x9bt\n\x1dV\x00"
    assert doc.data["summary"]["items"][0]["text"] == "Bløt"
    (reply,) = bench.log.since(0, kind="printer.status_reply")
    assert (reply.data["request"], reply.raw, reply.data["channel"]) == ("DLE EOT", b"\x12", "test")


def test_anomalies_are_recorded_as_evidence(bench: Bench) -> None:
    bench.ask(b"\x1bR\x15\x07")
    notes = [r.data["name"] for r in bench.log.since(0, kind="printer.anomaly")]
    assert notes == ["ESC R", "undefined"]


def test_connection_close_reports_an_incomplete_command_and_keeps_the_document_pending(bench: Bench) -> None:
    bench.ask(b"text\n\x1dv0\x00\x10")
    bench.session.connection_lost(None)
    assert [r.data["name"] for r in bench.log.since(0, kind="printer.anomaly")] == ["incomplete"]
    assert bench.printer.documents == []
    (pending,) = bench.printer.close()
    assert pending.cut is None and pending.text_lines == ["text"]


def test_dle_enq_recovers_from_a_recoverable_error(bench: Bench) -> None:
    bench.printer.set_state(error="recoverable")
    assert bench.ask(b"x\n\x1dV\x00\x10\x04\x03") == b"\x16"
    assert bench.printer.documents == []
    bench.ask(b"\x10\x05\x01")
    assert bench.printer.state.error is None and len(bench.printer.documents) == 1


def test_set_state_rejects_unknown_values(bench: Bench) -> None:
    with pytest.raises(ValueError, match="paper="):
        bench.printer.set_state(paper="empty")  # type: ignore[arg-type]
