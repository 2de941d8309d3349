"""The upper-tester API as data: every endpoint, its request fields and its answer.

One :class:`Route` per verb of :class:`~harness.targets.base.TillDriver` (plus the session
and capabilities endpoints). The reference server (:mod:`harness.upper_tester.server`)
routes and validates requests with this table, the harness's client
(:class:`~harness.targets.http.HttpTarget`) builds its requests from it, and the tests
check it against ``docs/upper-tester.openapi.yaml`` both ways, so the three cannot drift.

Conventions (the OpenAPI file has the full text):

* every request and answer body is a JSON object; amounts are øre as integers;
* ``{register}`` in a path is the kassapunkt id, percent-encoded;
* ``200`` accepted (the answer carries ``verb`` and the verb's result fields), ``409``
  refused by the till (``{"verb", "reason", "rule"}``), ``501`` the till has no such
  function (``{"verb", "detail"}``), ``400`` a malformed request (``{"error"}``, saying
  what to send), ``503`` the till cannot serve now (``{"error"}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, unquote

__all__ = [
    "ROUTES",
    "SPECIAL_VERBS",
    "TILL_VERBS",
    "Field",
    "FieldKind",
    "Route",
    "RouteError",
    "match",
    "route",
]

FieldKind = Literal["string", "integer", "boolean", "date"]


class RouteError(ValueError):
    """A request does not fit the API; the message says what to send instead.

    Attributes:
        status: The HTTP status to answer with: 400 (a bad body), 404 (no such path) or 405 (wrong method).
    """

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Field:
    """One member of a request body.

    Attributes:
        name: The JSON member name.
        kind: ``string``, ``integer``, ``boolean`` or ``date`` (``YYYY-MM-DD``).
        required: The member must be present.
        nullable: ``null`` is allowed (meaning "the default": e.g. the sale's total).
        choices: The allowed values of a string member, if limited.
        default: The value used when the member is absent.
        example: A value for error messages and the documentation.
    """

    name: str
    kind: FieldKind
    required: bool = True
    nullable: bool = False
    choices: tuple[str, ...] = ()
    default: Any = None
    example: Any = None


@dataclass(frozen=True, slots=True)
class Route:
    """One endpoint.

    Attributes:
        verb: The :class:`~harness.targets.base.TillDriver` method (or ``session``, ``capabilities``).
        method: ``GET`` or ``POST``.
        path: The path template; ``{register}`` is the kassapunkt id.
        fields: The request body's members.
        results: The members of the 200 answer besides ``verb`` and ``note``.
        action: The verb in words, for messages (``"print a copy receipt"``).
    """

    verb: str
    method: str
    path: str
    fields: tuple[Field, ...] = ()
    results: tuple[str, ...] = ()
    action: str = ""

    @property
    def per_register(self) -> bool:
        """Whether the path names a kassapunkt."""
        return "{register}" in self.path

    def url_path(self, register: str = "") -> str:
        """The concrete path, the kassapunkt id percent-encoded."""
        return self.path.replace("{register}", quote(register, safe=""))

    def example(self) -> dict[str, Any]:
        """A request body that would be accepted, for error messages."""
        return {f.name: f.example for f in self.fields if f.required or f.example is not None}

    def check(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Validate a request body; returns it with defaults filled in.

        Raises:
            RouteError: A member is missing, unknown or of the wrong type.
        """
        where = f"{self.method} {self.path}"
        known = {f.name: f for f in self.fields}
        unknown = sorted(set(body) - set(known))
        if unknown:
            accepted = ", ".join(known) or "nothing (send {})"
            raise RouteError(f"{where}: unknown member(s) {', '.join(unknown)}; this endpoint accepts {accepted}")
        checked: dict[str, Any] = {}
        for field in self.fields:
            if field.name not in body:
                if field.required:
                    raise RouteError(f"{where}: member {field.name!r} is missing; send e.g. {self.example()}")
                checked[field.name] = field.default
                continue
            checked[field.name] = _checked_value(where, field, body[field.name])
        return checked


def _checked_value(where: str, field: Field, value: Any) -> Any:
    if value is None:
        if field.nullable or not field.required:
            return field.default if not field.nullable else None
        raise RouteError(f"{where}: {field.name!r} must not be null; e.g. {field.example!r}")
    ok = {
        "string": isinstance(value, str),
        "date": isinstance(value, str) and _is_date(value),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
    }[field.kind]
    if not ok:
        what = {
            "string": "a string",
            "date": "a date YYYY-MM-DD",
            "integer": "a whole number",
            "boolean": "true or false",
        }
        hint = " (amounts are øre as integers: 21,90 kr is 2190)" if field.kind == "integer" else ""
        raise RouteError(f"{where}: {field.name!r} must be {what[field.kind]}, not {value!r}{hint}")
    if field.choices and value not in field.choices:
        raise RouteError(f"{where}: {field.name!r} is {value!r}; use one of {', '.join(field.choices)}")
    return value


def _is_date(text: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _register_route(verb: str, tail: str, action: str, *fields: Field, results: tuple[str, ...] = ()) -> Route:
    return Route(verb, "POST", f"/registers/{{register}}/{tail}", fields, results, action)


_ARTICLE = Field("article", "string", example="1001")
_QUANTITY = Field("quantity", "integer", required=False, default=1, example=1)
_AMOUNT = Field("amount", "integer", example=10000)
_LINE = Field("line", "integer", example=1)
_OPTIONAL_AMOUNT = Field("amount", "integer", required=False, nullable=True)
_TRANS_ID = Field("trans_id", "string", example="1")
_CONCLUDED = ("trans_id", "amount")

#: Every endpoint, in the order of the OpenAPI file.
ROUTES: tuple[Route, ...] = (
    Route("capabilities", "GET", "/capabilities", action="list the verbs"),
    Route(
        "session",
        "POST",
        "/session",
        (Field("day", "date", required=False, example="2026-11-23"),),
        ("session", "clean", "registers"),
        "start a clean test session",
    ),
    _register_route("open_register", "open", "start the kassapunkt", Field("operator", "string", example="1001")),
    _register_route("close_register", "close", "stop the kassapunkt"),
    _register_route("login", "login", "log in", Field("operator", "string", example="1002")),
    _register_route("logout", "logout", "log out"),
    _register_route("register_float", "float", "register an opening float", _AMOUNT),
    _register_route("add_item", "sale/items", "add a line", _ARTICLE, _QUANTITY),
    _register_route(
        "add_campaign_item",
        "sale/campaign-items",
        "add a campaign line",
        _ARTICLE,
        Field("quantity", "integer", example=3),
        Field("discount", "integer", example=3490),
    ),
    _register_route("return_item", "sale/returns", "register a return", _ARTICLE, _QUANTITY),
    _register_route(
        "correct_line", "sale/correct-line", "correct a line", _LINE, Field("quantity", "integer", example=2)
    ),
    _register_route("remove_line", "sale/remove-line", "delete a line", _LINE),
    _register_route("discount", "sale/discount", "give a discount", _LINE, Field("amount", "integer", example=500)),
    _register_route("set_buyer", "sale/buyer", "register the buyer", Field("name", "string", example="Kari Nordmann")),
    _register_route("park", "sale/park", "park the sale", results=("ref",)),
    _register_route("resume", "sale/resume", "resume the sale", Field("ref", "string", example="P1")),
    _register_route(
        "pay_cash", "sale/pay-cash", "take cash", Field("tendered", "integer", required=False, nullable=True)
    ),
    _register_route("pay_card", "sale/pay-card", "take a card payment", _OPTIONAL_AMOUNT),
    _register_route(
        "pay_other",
        "sale/pay-other",
        "take another means of payment",
        Field("kind", "string", choices=("giftcard", "mobile"), example="giftcard"),
        _OPTIONAL_AMOUNT,
    ),
    _register_route(
        "conclude",
        "sale/conclude",
        "conclude the sale",
        Field("electronic_receipt", "string", required=False, default=""),
        results=_CONCLUDED,
    ),
    _register_route(
        "conclude_credit",
        "sale/conclude-credit",
        "conclude a credit sale",
        Field("customer", "string", example="10001"),
        results=_CONCLUDED,
    ),
    _register_route("void", "sale/void", "void the sale"),
    _register_route("provisional_receipt", "sale/provisional-receipt", "print a provisional receipt"),
    _register_route("copy_receipt", "copy-receipt", "print a copy receipt", _TRANS_ID),
    _register_route("exchange_slip", "exchange-slip", "print an exchange slip", _TRANS_ID),
    _register_route("training", "training", "switch training mode", Field("on", "boolean", example=True)),
    _register_route("price_lookup", "price-lookup", "look up a price", _ARTICLE, results=("price",)),
    _register_route(
        "change_price", "change-price", "change a price", _ARTICLE, Field("price", "integer", example=2490)
    ),
    _register_route("open_drawer", "open-drawer", "open the drawer"),
    _register_route("cash_in", "cash-in", "register a pay-in", _AMOUNT),
    _register_route("cash_out", "cash-out", "register a pay-out", _AMOUNT),
    _register_route("x_report", "x-report", "produce an X report"),
    _register_route("z_report", "z-report", "produce a Z report"),
    _register_route("settle", "settle", "settle the day", Field("counted", "integer", example=150000)),
    _register_route("next_business_day", "next-business-day", "move on to the next business day"),
    Route(
        "export_journal",
        "POST",
        "/journal/export",
        (Field("from", "date", required=False, example="2026-11-23"), Field("to", "date", required=False)),
        action="export the journal",
    ),
    Route("kill_and_restart", "POST", "/kill-and-restart", action="kill and restart the till"),
)

#: Endpoints that are not till verbs.
SPECIAL_VERBS = ("capabilities", "session")
#: The till verbs (every route but the special ones), in table order.
TILL_VERBS: tuple[str, ...] = tuple(r.verb for r in ROUTES if r.verb not in SPECIAL_VERBS)

_BY_VERB = {r.verb: r for r in ROUTES}


def route(verb: str) -> Route:
    """The route of ``verb``.

    Raises:
        KeyError: No endpoint serves the verb.
    """
    return _BY_VERB[verb]


def match(method: str, path: str) -> tuple[Route, str]:
    """The route serving ``method path`` and the kassapunkt id in it (``""`` if none).

    Raises:
        RouteError: No such path (the message points at ``GET /capabilities``), or the path
            exists but not for this method.
    """
    segments = path.split("?", 1)[0].rstrip("/").split("/")
    methods: list[str] = []
    for candidate in ROUTES:
        template = candidate.path.split("/")
        if len(template) != len(segments):
            continue
        register = ""
        for want, got in zip(template, segments, strict=True):
            if want == "{register}":
                register = unquote(got)
                if not register:
                    break
            elif want != got:
                break
        else:
            if candidate.method == method:
                return candidate, register
            methods.append(candidate.method)
    if methods:
        raise RouteError(f"{method} {path} is not allowed; use {' or '.join(methods)}", 405)
    raise RouteError(
        f"no endpoint {method} {path}; GET /capabilities lists the verbs and docs/upper-tester.openapi.yaml "
        "every path (e.g. POST /registers/K1/sale/items)",
        404,
    )
