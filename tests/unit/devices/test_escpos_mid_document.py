"""A printer fault mid-document: paper out or cover open after N printed lines (devices.md §1.1, §1.5).

The documents are python-escpos output (the independent producer); the printer holds what
follows the fault, keeps answering real-time status requests, and prints the rest as one
document once it is ready again.
"""

from __future__ import annotations

import pytest
from escpos.printer import Dummy

from devices.drawer import DrawerEmulator
from devices.escpos import PrinterEmulator
from devices.link import DeviceProtocol
from harness.evidence import EvidenceLog
from tests.unit.devices.test_escpos_status import RecordingChannel

#: GS ( H fn 48 with process ID "0001": answered once everything before it is processed.
PROCESS_ID = b"\x1d(H\x06\x00\x30\x300001"
PROCESS_ID_ANSWER = b"\x37\x220001\x00"
DLE_EOT_1_2_4 = b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"


def receipt(number: int = 1, *, kick: bool = False) -> bytes:
    """A small salskvittering as python-escpos writes it: five text lines, (a drawer kick,) a cut."""
    p = Dummy()
    p.set(align="center", double_height=True)
    p.textln("Salgskvittering")
    p.set(normal_textsize=True)
    p.textln("Kassakontroll Demobutikk AS")
    p.textln(f"Kvitteringsnr.: S{number:06d}")
    p.textln("TineMelk Lett 1 l        21,90")
    p.textln("Totalt inkl. mva         21,90")
    if kick:
        p.cashdraw(2)
    p.cut()
    return bytes(p.output)


class Bench:
    """A printer with a drawer and one connected session."""

    def __init__(self) -> None:
        self.log = EvidenceLog()
        self.drawer = DrawerEmulator(self.log)
        self.printer = PrinterEmulator(log=self.log, drawer=self.drawer)
        self.channel = RecordingChannel()
        self.session: DeviceProtocol = self.printer.session()
        self.session.connection_made(self.channel)

    def send(self, data: bytes, *, chunk: int = 0) -> bytes:
        for start in range(0, len(data), chunk or len(data) or 1):
            self.session.data_received(data[start : start + (chunk or len(data))])
        return self.channel.take()


@pytest.fixture
def bench() -> Bench:
    return Bench()


@pytest.mark.parametrize("chunk", [0, 1, 7], ids=["whole", "byte-by-byte", "7-byte chunks"])
def test_paper_out_after_two_lines_holds_the_rest_until_a_new_roll(bench: Bench, chunk: int) -> None:
    bench.printer.fail_after_lines(2, paper_out=True)
    assert bench.send(receipt() + PROCESS_ID, chunk=chunk) == b""  # stopped: the process ID is not answered
    assert bench.printer.documents == [] and bench.printer.held > 0
    assert bench.printer.state.paper == "out"
    # real-time status keeps answering: offline; stopped by paper end; roll paper end (§1.5)
    assert bench.send(DLE_EOT_1_2_4) == bytes.fromhex("1A 32 7E")
    (stopped,) = [r for r in bench.log.since(0, kind="printer.state") if r.data.get("mid_document")]
    assert (stopped.data["paper"], stopped.data["online"], stopped.data["after_lines"]) == ("out", False, 2)

    bench.printer.set_state(paper="ok")  # a new roll: the rest is printed
    assert bench.channel.take() == PROCESS_ID_ANSWER
    (document,) = bench.printer.documents
    assert [line for line in document.text_lines if line] == [
        "Salgskvittering",
        "Kassakontroll Demobutikk AS",
        "Kvitteringsnr.: S000001",
        "TineMelk Lett 1 l        21,90",
        "Totalt inkl. mva         21,90",
    ]
    (record,) = bench.log.since(0, kind="printer.document")
    assert record.data["interrupted_after_lines"] == 2
    # one document, both pieces (with the status requests that arrived in between, as received)
    assert record.raw.replace(DLE_EOT_1_2_4, b"") == receipt()
    assert bench.printer.held == 0


def test_cover_opened_mid_document_holds_the_drawer_kick_too(bench: Bench) -> None:
    bench.printer.fail_after_lines(3, cover_open=True)
    bench.send(receipt(kick=True) + PROCESS_ID)
    assert bench.send(DLE_EOT_1_2_4) == bytes.fromhex("1A 16 12")  # offline, cover open, paper fine
    assert not bench.drawer.is_open  # ESC p came after the fault: held with the rest
    bench.send(b"\x10\x14\x01\x00\x01")  # DLE DC4 is real-time: it still kicks
    assert bench.drawer.is_open
    bench.drawer.close()
    bench.printer.set_state(cover_open=False)
    assert bench.channel.take() == PROCESS_ID_ANSWER
    assert bench.drawer.is_open  # the held ESC p is executed with the rest
    (record,) = bench.log.since(0, kind="printer.document")
    assert record.data["interrupted_after_lines"] == 3
    assert "Totalt inkl. mva         21,90" in str(record.data["text"])


def test_the_fault_strikes_once_and_the_next_document_prints_whole(bench: Bench) -> None:
    bench.printer.fail_after_lines(1, paper_out=True)
    bench.send(receipt(1))
    bench.printer.set_state(paper="ok")
    assert bench.send(receipt(2) + PROCESS_ID) == PROCESS_ID_ANSWER
    first, second = bench.log.since(0, kind="printer.document")
    assert first.data["interrupted_after_lines"] == 1
    assert "interrupted_after_lines" not in second.data
    assert "Kvitteringsnr.: S000002" in str(second.data["text"])


def test_lines_are_counted_from_the_call_across_documents(bench: Bench) -> None:
    bench.printer.fail_after_lines(8, paper_out=True)  # a receipt prints 6 lines (5 text lines, ESC d before the cut)
    bench.send(receipt(1) + receipt(2))
    assert len(bench.printer.documents) == 1
    (stopped,) = [r for r in bench.log.since(0, kind="printer.state") if r.data.get("mid_document")]
    assert stopped.data["after_lines"] == 2  # the second document's lines
    bench.printer.set_state(paper="ok")
    first, second = bench.log.since(0, kind="printer.document")
    assert "interrupted_after_lines" not in first.data and second.data["interrupted_after_lines"] == 2


def test_asb_reports_the_fault_when_it_strikes(bench: Bench) -> None:
    assert bench.send(b"\x1da\x0f") == bytes.fromhex("10 00 00 00")
    bench.printer.fail_after_lines(2, paper_out=True)
    assert bench.send(receipt()) == bytes.fromhex("18 00 0F 00")  # paper out (devices.md §1.5)
    bench.printer.set_state(paper="ok")
    assert bench.channel.take() == bytes.fromhex("10 00 00 00")


def test_a_disarmed_fault_does_not_strike(bench: Bench) -> None:
    bench.printer.fail_after_lines(1, cover_open=True)
    bench.printer.fail_after_lines(0)
    assert bench.send(receipt() + PROCESS_ID) == PROCESS_ID_ANSWER
    armed = [r.data["after_lines"] for r in bench.log.since(0, kind="printer.armed")]
    assert armed == [1, 0]


@pytest.mark.parametrize(
    ("lines", "flags", "message"),
    [
        (-1, {"paper_out": True}, "number of lines"),
        (2, {}, "which fault"),
        (2, {"paper_out": True, "cover_open": True}, "which fault"),
        (0, {"paper_out": True}, "set_state"),
    ],
)
def test_fail_after_lines_says_what_to_write(bench: Bench, lines: int, flags: dict[str, bool], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bench.printer.fail_after_lines(lines, **flags)
