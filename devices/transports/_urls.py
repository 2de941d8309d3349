"""Parsing helpers shared by the transport modules' URL grammars.

Every transport documents its grammar (``URL format:``) at the top of its module and
passes it to :class:`UrlGrammar`; every problem with a URL raises
:class:`~devices.link.TransportConfigError` whose message names the problem and repeats
that grammar, so the fix is on the screen (pyserial's URL handlers do the same).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from devices.link import TransportConfigError

__all__ = ["UrlGrammar"]

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)$")


@dataclass(frozen=True)
class UrlGrammar:
    """The documented grammar of one scheme, and the parsing steps that report against it.

    Attributes:
        scheme: The scheme without ``://`` (``tcp``, ``tcp-proxy`` ...).
        text: The grammar as documented (``tcp://HOST:PORT[?max_sessions=N&idle_timeout=S]`` and options).
    """

    scheme: str
    text: str

    def error(self, url: str, problem: str) -> TransportConfigError:
        """An error naming ``problem`` in ``url`` and repeating the grammar."""
        return TransportConfigError(f"{problem} in {url!r}.\nURL format: {self.text}")

    def split(self, url: str, *, query: bool = True) -> tuple[str, dict[str, str]]:
        """Split ``SCHEME://BODY?k=v&...`` into the body and the options (values percent-decoded).

        Args:
            url: The URL to split.
            query: Whether this scheme takes ``?options`` at all.

        Raises:
            TransportConfigError: Wrong scheme, a repeated or empty option name, or options where none are allowed.
        """
        prefix = f"{self.scheme}://"
        if not url.lower().startswith(prefix):
            raise self.error(url, f"the URL must start with {prefix!r}")
        rest = url[len(prefix) :]
        body, sep, raw_query = rest.partition("?")
        if not sep:
            return body, {}
        if not query:
            raise self.error(url, f"{self.scheme}:// takes no options")
        return body, self.parse_query(url, raw_query)

    def parse_query(self, url: str, raw_query: str) -> dict[str, str]:
        """Parse ``k=v&k2=v2`` (a bare ``k`` means ``k=1``); names are case-insensitive."""
        options: dict[str, str] = {}
        for item in raw_query.split("&"):
            if not item:
                continue
            name, eq, value = item.partition("=")
            name = unquote(name).strip().lower()
            if not name:
                raise self.error(url, f"empty option name in {item!r}")
            if name in options:
                raise self.error(url, f"option {name!r} is given twice")
            options[name] = unquote(value) if eq else "1"
        return options

    def check_known(self, url: str, options: dict[str, str], allowed: tuple[str, ...]) -> None:
        """Raise for any option not in ``allowed``."""
        for name in options:
            if name not in allowed:
                known = ", ".join(allowed) if allowed else "none"
                raise self.error(url, f"unknown option {name!r} (known options: {known})")

    def integer(self, url: str, name: str, value: str, *, minimum: int, maximum: int | None = None) -> int:
        """Parse an integer option within ``[minimum, maximum]``."""
        try:
            number = int(value, 10)
        except ValueError:
            raise self.error(url, f"option {name}={value!r} is not a whole number") from None
        if number < minimum or (maximum is not None and number > maximum):
            upper = f" and {maximum}" if maximum is not None else ""
            raise self.error(url, f"option {name}={number} must be at least {minimum}{upper}")
        return number

    def number(self, url: str, name: str, value: str, *, minimum: float = 0.0) -> float:
        """Parse a decimal option (seconds and the like) that is at least ``minimum``."""
        try:
            number = float(value)
        except ValueError:
            raise self.error(url, f"option {name}={value!r} is not a number") from None
        if not number >= minimum or number == float("inf"):
            raise self.error(url, f"option {name}={value} must be a finite number of at least {minimum}")
        return number

    def boolean(self, url: str, name: str, value: str) -> bool:
        """Parse ``1/0``, ``true/false``, ``yes/no``, ``on/off``."""
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise self.error(url, f"option {name}={value!r} is not a yes/no value (use 1 or 0)")

    def host_port(self, url: str, body: str, *, allow_zero: bool) -> tuple[str, int]:
        """Parse ``HOST:PORT`` (IPv6 in brackets: ``[::1]:9100``); returns the host without brackets."""
        host, colon, port_text = body.rpartition(":")
        if not colon or not host:
            raise self.error(url, f"expected HOST:PORT, got {body!r}")
        if not _HOST.match(host):
            raise self.error(url, f"bad host {host!r}")
        if not port_text.isdigit():
            raise self.error(url, f"bad port {port_text!r} (a number from {0 if allow_zero else 1} to 65535)")
        port = int(port_text)
        if port > 65535 or (port == 0 and not allow_zero):
            raise self.error(url, f"bad port {port} (a number from {0 if allow_zero else 1} to 65535)")
        return host.strip("[]"), port
