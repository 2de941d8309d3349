"""The printer emulator behind a real TCP socket on loopback, driven by python-escpos' Network printer.

The test carries its own tiny TCP listener (the transports package is not needed): every
accepted connection gets ``printer.session()``, replies go back on the same socket.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from escpos.printer import Network

from devices.drawer import DrawerEmulator
from devices.escpos import PrinterEmulator
from devices.link import Channel, ProtocolFactory
from harness.evidence import EvidenceLog

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # python-escpos profile notices


class SocketChannel(Channel):
    def __init__(self, sock: socket.socket, name: str) -> None:
        self.sock = sock
        self.name = name

    def write(self, data: bytes) -> None:
        self.sock.sendall(data)

    def close(self) -> None:
        self.sock.close()


class TinyListener:
    """Accepts loopback connections and feeds each to its own device protocol."""

    def __init__(self, factory: ProtocolFactory) -> None:
        self.factory = factory
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.conns: list[socket.socket] = []
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()
        self.threads.append(accept)

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, peer = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(0.2)
            self.conns.append(conn)
            worker = threading.Thread(target=self._serve, args=(conn, f"tcp#{len(self.conns)} {peer[1]}"), daemon=True)
            worker.start()
            self.threads.append(worker)

    def _serve(self, conn: socket.socket, name: str) -> None:
        protocol = self.factory()
        protocol.connection_made(SocketChannel(conn, name))
        while not self.stop.is_set():
            try:
                data = conn.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                break
            if not data:
                break
            protocol.data_received(data)
        protocol.connection_lost(None)

    def close(self) -> None:
        self.stop.set()
        self.server.close()
        for thread in self.threads:
            thread.join(timeout=5)
        for conn in self.conns:
            conn.close()


@pytest.fixture
def station() -> Iterator[tuple[PrinterEmulator, DrawerEmulator, int]]:
    log = EvidenceLog()
    drawer = DrawerEmulator(log)
    printer = PrinterEmulator(log=log, drawer=drawer)
    listener = TinyListener(printer.session)
    try:
        yield printer, drawer, listener.port
    finally:
        listener.close()


def test_python_escpos_network_printer_prints_a_receipt(station: tuple[PrinterEmulator, DrawerEmulator, int]) -> None:
    printer, drawer, port = station
    pos = Network("127.0.0.1", port=port, timeout=5)
    try:
        pos.charcode("CP865")
        pos.set(align="center", double_height=True, double_width=True)
        pos.textln("KOPI")
        pos.set(normal_textsize=True, align="left")
        pos.textln("Brød 750 g                 39,90")
        pos.qr("https://kvittering.example/42", native=True)
        pos.cashdraw(2)
        pos.cut()
        (receipt,) = printer.wait_for_documents(1, timeout=5)
    finally:
        pos.close()
    assert receipt.text_lines[:2] == ["KOPI", "Brød 750 g                 39,90"]
    assert receipt.is_larger("KOPI", "39,90")
    assert receipt.codes_2d[0].text == "https://kvittering.example/42"
    assert drawer.is_open


def test_status_queries_from_python_escpos_over_the_same_socket(
    station: tuple[PrinterEmulator, DrawerEmulator, int],
) -> None:
    printer, _, port = station
    pos = Network("127.0.0.1", port=port, timeout=5)
    try:
        assert pos.is_online() is True
        assert pos.paper_status() == 2
        printer.set_state(paper="near_end")
        assert pos.paper_status() == 1
        printer.set_state(paper="out")
        assert pos.paper_status() == 0
        assert pos.is_online() is False
    finally:
        pos.close()


def test_two_connections_share_paper_state_but_not_asb(station: tuple[PrinterEmulator, DrawerEmulator, int]) -> None:
    printer, drawer, port = station
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as monitor,
        socket.create_connection(("127.0.0.1", port), timeout=5) as job,
    ):
        monitor.sendall(b"\x1da\x0f")
        assert monitor.recv(4) == bytes.fromhex("10 00 00 00")
        printer.set_state(paper="out")
        assert monitor.recv(4) == bytes.fromhex("18 00 0F 00")
        job.sendall(b"Held until paper is back\n\x1dV\x00\x10\x04\x04")
        assert job.recv(1) == b"\x7e"  # real-time answer while offline
        assert printer.documents == []
        printer.set_state(paper="ok")
        assert monitor.recv(4) == bytes.fromhex("10 00 00 00")
        (receipt,) = printer.wait_for_documents(1, timeout=5)
        assert receipt.text_lines == ["Held until paper is back"]
        job.sendall(b"\x1bp\x00\x32\x32")
        assert monitor.recv(4) == bytes.fromhex("14 00 00 00")  # ASB on the drawer change
        assert drawer.is_open
