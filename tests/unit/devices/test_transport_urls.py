from __future__ import annotations

import sys
import types

import pytest

import devices.transports as transports
from devices.link import Link, ProtocolFactory, TransportConfigError, TransportError
from devices.transports import connect, known_schemes, open_link


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("tcp://127.0.0.1", "expected HOST:PORT"),
        ("tcp://127.0.0.1:http", "bad port"),
        ("tcp://127.0.0.1:70000", "bad port"),
        ("tcp://bad host:9100", "bad host"),
        ("tcp://127.0.0.1:0?max_sessions=0", "at least 1"),
        ("tcp://127.0.0.1:0?idle_timeout=soon", "not a number"),
        ("tcp://127.0.0.1:0?sessions=2", "unknown option 'sessions'"),
        ("tcp://127.0.0.1:0?max_sessions=1&max_sessions=2", "given twice"),
        ("loop://bad name", "bad NAME"),
        ("loop://printer?x=1", "takes no options"),
    ],
)
def test_open_link_grammar_errors_repeat_the_grammar(url, message):
    with pytest.raises(TransportConfigError, match=message) as caught:
        open_link(url)
    assert "URL format: " + url.split("://")[0] + "://" in str(caught.value)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("tcp://127.0.0.1:0", "bad port"),
        ("tcp://127.0.0.1:9100?max_sessions=1", "unknown option 'max_sessions'"),
        ("loop://", "needs the NAME"),
    ],
)
def test_connect_grammar_errors(url, message):
    with pytest.raises(TransportConfigError, match=message):
        connect(url)


def test_unknown_or_missing_scheme_lists_the_known_ones():
    with pytest.raises(TransportConfigError, match="unknown link scheme 'gopher'") as caught:
        open_link("gopher://printer")
    for scheme in ("loop", "pty", "serial", "tcp", "tcp-proxy", "usb", "pcap"):
        assert scheme in str(caught.value)
    with pytest.raises(TransportConfigError, match="known schemes"):
        connect("/dev/ttyUSB0")


def test_wrong_side_is_explained():
    with pytest.raises(TransportConfigError, match="only connects"):
        open_link("usb://04b8:0202")
    with pytest.raises(TransportConfigError, match="serial://<slave path>"):
        connect("pty://")


def test_third_party_transport_from_entry_point(monkeypatch):
    class NullLink(Link):
        def __init__(self, url: str) -> None:
            self.url = url

        def attach(self, factory: ProtocolFactory) -> None:
            self.factory = factory

        def close(self) -> None:
            pass

    plugin = types.ModuleType("kk_fake_transport")
    plugin.open_link = NullLink  # type: ignore[attr-defined]
    plugin.is_usable = lambda: True  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "kk_fake_transport", plugin)
    monkeypatch.setattr(transports, "_plugin_schemes", lambda: {"fake": "kk_fake_transport", "tcp": "ignored"})
    assert known_schemes()[-1] == "fake" and known_schemes().count("tcp") == 1  # built-ins first
    link = open_link("fake://thing")
    assert isinstance(link, NullLink) and link.url == "fake://thing"
    plugin.is_usable = lambda: False  # type: ignore[attr-defined]
    with pytest.raises(TransportError, match="cannot be used here"):
        open_link("fake://thing")
