"""Configuration of the reference till, read from TOML with an embedded default.

``load_config()`` without a path returns the embedded default shop
(``reference_till/data/default_config.toml``): two kassapunkter, two operators,
articles in the 25/15/12/0 % VAT rates, six means of payment and a demo RSA key.
A vendor or tester writes their own file in the same shape; every error names the
key and says what to write.
"""

from __future__ import annotations

import base64
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

from harness.saft_spec import code_list
from reference_till.money import parse_amount

__all__ = [
    "Accounts",
    "Article",
    "ArticleGroup",
    "Company",
    "ConfigError",
    "Employee",
    "PaymentKind",
    "PaymentMeans",
    "Register",
    "SigningConfig",
    "SystemInfo",
    "TillConfig",
    "VatCode",
    "load_config",
]

PaymentKind = Literal["cash", "card", "giftcard", "mobile", "credit"]
_PAYMENT_KINDS = ("cash", "card", "giftcard", "mobile", "credit")


class ConfigError(ValueError):
    """The till configuration is incomplete or wrong; the message says which key and how to fix it."""


@dataclass(frozen=True, slots=True)
class Company:
    """The business that owns the till (§ 2-8-2 bokstav b, § 2-8-4)."""

    name: str
    orgnr: str
    mva_registered: bool
    street: str = ""
    postal_code: str = ""
    city: str = ""


@dataclass(frozen=True, slots=True)
class Register:
    """A kassapunkt (kassasystemforskrifta § 1-2 bokstav b) and where its devices are.

    The device fields are URLs (see :mod:`reference_till.device_setup`): empty means the
    in-memory device, ``printer`` for the drawer means "on the printer's kick connector".
    """

    id: str
    description: str = ""
    printer: str = ""  #: e.g. tcp://127.0.0.1:9100, serial:///dev/pts/4, usb://04b8:0202, loop://printer
    drawer: str = ""  #: "" (on the printer if it is a real one, else in memory), printer, memory://
    terminal: str = ""  #: e.g. http://127.0.0.1:8443/nexo; "" for the in-memory terminal


@dataclass(frozen=True, slots=True)
class Employee:
    """An operator who logs in and registers sales."""

    id: str
    first_name: str
    surname: str
    role: str = "Employee"

    @property
    def display_name(self) -> str:
        """First name and surname as printed on receipts."""
        return f"{self.first_name} {self.surname}".strip()


@dataclass(frozen=True, slots=True)
class VatCode:
    """A VAT code and its rate, mapped to a standard VAT code."""

    code: str
    rate_bp: int  #: basis points, 2500 = 25 %
    standard_code: str
    description: str = ""

    @property
    def percent(self) -> Decimal:
        """The rate in percent (``Decimal('25')``)."""
        return Decimal(self.rate_bp) / 100


@dataclass(frozen=True, slots=True)
class ArticleGroup:
    """A goods group (hovudgruppe) mapped to PredefinedBasicID-04."""

    id: str
    description: str
    predefined: str


@dataclass(frozen=True, slots=True)
class Article:
    """An article with its current price (øre incl. VAT)."""

    id: str
    description: str
    group_id: str
    price: int
    vat_code: str


@dataclass(frozen=True, slots=True)
class PaymentMeans:
    """A means of payment mapped to PredefinedBasicID-12."""

    id: str
    description: str
    predefined: str
    kind: PaymentKind


@dataclass(frozen=True, slots=True)
class SigningConfig:
    """Signing key of the journal (SAF-T signature: RSA-SHA1-1024 or HMAC-SHA1-128)."""

    method: Literal["rsa", "hmac"]
    key_version: str
    private_key_pem: bytes = b""
    hmac_key: bytes = b""


@dataclass(frozen=True, slots=True)
class SystemInfo:
    """Identity of the cash register system (kassasystemlova § 3 første ledd)."""

    producer: str
    name: str
    version: str
    system_id: str


@dataclass(frozen=True, slots=True)
class Accounts:
    """Bookkeeping accounts for the daily posting."""

    cash: str
    card_clearing: str
    giftcard_liability: str
    mobile_clearing: str
    customer_receivable: str
    output_vat: str
    cash_difference: str
    rounding: str  #: øreavrunding on cash payments
    cash_transfer: str  #: where pay-outs go to and pay-ins come from (bank/safe)
    sales: dict[int, str]  #: VAT rate in basis points -> sales account


@dataclass(frozen=True, slots=True)
class TillConfig:
    """Everything the reference till needs to know about the shop."""

    company: Company
    location_name: str
    system: SystemInfo
    registers: tuple[Register, ...]
    employees: tuple[Employee, ...]
    vat_codes: tuple[VatCode, ...]
    article_groups: tuple[ArticleGroup, ...]
    articles: tuple[Article, ...]
    payment_means: tuple[PaymentMeans, ...]
    signing: SigningConfig
    accounts: Accounts
    buyer_name_from: int  #: øre; bokføringsforskrifta § 5-1-2
    #: id -> entry per table, built once: look-ups are on the path of every registration.
    _index: dict[str, dict[str, Any]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, dict[str, Any]] = {}
        for table, items, attr in (
            ("registers", self.registers, "id"),
            ("employees", self.employees, "id"),
            ("vat_codes", self.vat_codes, "code"),
            ("articles", self.articles, "id"),
            ("article_groups", self.article_groups, "id"),
            ("payment_means", self.payment_means, "id"),
        ):
            entries: dict[str, Any] = {}
            for item in items:
                entries.setdefault(getattr(item, attr), item)  # the first of a duplicated id, as before
            index[table] = entries
        object.__setattr__(self, "_index", index)

    def register(self, register_id: str) -> Register:
        """Look up a kassapunkt by id."""
        return _find(self._index, self.registers, register_id, "kassapunkt", "registers")

    def employee(self, emp_id: str) -> Employee:
        """Look up an operator by id."""
        return _find(self._index, self.employees, emp_id, "employee", "employees")

    def vat(self, code: str) -> VatCode:
        """Look up a VAT code."""
        return _find(self._index, self.vat_codes, code, "VAT code", "vat_codes", attr="code")

    def article(self, art_id: str) -> Article:
        """Look up an article by id."""
        return _find(self._index, self.articles, art_id, "article", "articles")

    def group(self, group_id: str) -> ArticleGroup:
        """Look up an article group by id."""
        return _find(self._index, self.article_groups, group_id, "article group", "article_groups")

    def means(self, means_id: str) -> PaymentMeans:
        """Look up a means of payment by id."""
        return _find(self._index, self.payment_means, means_id, "payment means", "payment_means")

    def means_of_kind(self, kind: PaymentKind) -> PaymentMeans:
        """The first configured means of payment of a kind (``cash``, ``card`` ...)."""
        for m in self.payment_means:
            if m.kind == kind:
                return m
        raise ConfigError(f"no payment means of kind {kind!r}; add a [[payment_means]] with kind = {kind!r}")


_T = TypeVar("_T")


def _find(
    index: dict[str, dict[str, Any]], items: tuple[_T, ...], key: str, what: str, table: str, attr: str = "id"
) -> _T:
    found = index[table].get(key)
    if found is not None:
        return cast(_T, found)
    known = ", ".join(getattr(i, attr) for i in items)
    raise ConfigError(f"unknown {what} {key!r}; the [[{table}]] in the configuration are: {known}")


def _req(table: dict[str, Any], key: str, where: str) -> Any:
    if key not in table:
        raise ConfigError(f"{where}: missing key {key!r}")
    return table[key]


def _rate_bp(text: str, where: str) -> int:
    try:
        value = Decimal(str(text)) * 100
    except ArithmeticError:
        raise ConfigError(f'{where}: rate {text!r} is not a number of percent, write e.g. rate = "25"') from None
    if value != value.to_integral_value() or value < 0:
        raise ConfigError(f"{where}: rate {text!r} must be a non-negative percent with at most two decimals")
    return int(value)


def _money(text: Any, where: str) -> int:
    try:
        return parse_amount(str(text))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _parse(data: dict[str, Any], base_dir: Path | None) -> TillConfig:
    company_t = _req(data, "company", "top level")
    orgnr = str(_req(company_t, "orgnr", "[company]"))
    if not (orgnr.isdigit() and len(orgnr) == 9):
        raise ConfigError(f"[company] orgnr {orgnr!r} must be the 9-digit organisasjonsnummer")
    company = Company(
        name=str(_req(company_t, "name", "[company]")),
        orgnr=orgnr,
        mva_registered=bool(company_t.get("mva_registered", True)),
        street=str(company_t.get("street", "")),
        postal_code=str(company_t.get("postal_code", "")),
        city=str(company_t.get("city", "")),
    )
    sys_t = _req(data, "system", "top level")
    system = SystemInfo(
        producer=str(_req(sys_t, "producer", "[system]")),
        name=str(_req(sys_t, "name", "[system]")),
        version=str(_req(sys_t, "version", "[system]")),
        system_id=str(_req(sys_t, "system_id", "[system]")),
    )
    registers = tuple(
        Register(
            str(_req(r, "id", "[[registers]]")),
            str(r.get("description", "")),
            printer=str(r.get("printer", "")),
            drawer=str(r.get("drawer", "")),
            terminal=str(r.get("terminal", "")),
        )
        for r in _req(data, "registers", "top level")
    )
    if not registers:
        raise ConfigError("at least one [[registers]] (kassapunkt) is required")
    employees = tuple(
        Employee(
            str(_req(e, "id", "[[employees]]")),
            str(e.get("first_name", "")),
            str(_req(e, "surname", "[[employees]]")),
            str(e.get("role", "Employee")),
        )
        for e in _req(data, "employees", "top level")
    )
    vat_codes = tuple(
        VatCode(
            str(_req(v, "code", "[[vat_codes]]")),
            _rate_bp(_req(v, "rate", "[[vat_codes]]"), "[[vat_codes]]"),
            str(_req(v, "standard_code", "[[vat_codes]]")),
            str(v.get("description", "")),
        )
        for v in _req(data, "vat_codes", "top level")
    )
    predefined_04 = code_list("PredefinedBasicID-04")
    groups = []
    for g in _req(data, "article_groups", "top level"):
        pre = str(_req(g, "predefined", "[[article_groups]]"))
        if pre not in predefined_04:
            raise ConfigError(
                f"[[article_groups]] {g.get('id')!r}: predefined {pre!r} is not in "
                f"PredefinedBasicID-04 (use 04001-04021 or 04999)"
            )
        groups.append(ArticleGroup(str(_req(g, "id", "[[article_groups]]")), str(g.get("description", "")), pre))
    articles = tuple(
        Article(
            str(_req(a, "id", "[[articles]]")),
            str(_req(a, "description", "[[articles]]")),
            str(_req(a, "group", "[[articles]]")),
            _money(_req(a, "price", "[[articles]]"), "[[articles]]"),
            str(_req(a, "vat_code", "[[articles]]")),
        )
        for a in _req(data, "articles", "top level")
    )
    predefined_12 = code_list("PredefinedBasicID-12")
    means = []
    for m in _req(data, "payment_means", "top level"):
        pre = str(_req(m, "predefined", "[[payment_means]]"))
        kind = str(_req(m, "kind", "[[payment_means]]"))
        if pre not in predefined_12:
            raise ConfigError(f"[[payment_means]] {m.get('id')!r}: predefined {pre!r} is not in PredefinedBasicID-12")
        if kind not in _PAYMENT_KINDS:
            raise ConfigError(f"[[payment_means]] {m.get('id')!r}: kind must be one of {', '.join(_PAYMENT_KINDS)}")
        means.append(
            PaymentMeans(
                str(_req(m, "id", "[[payment_means]]")), str(m.get("description", "")), pre, cast(PaymentKind, kind)
            )
        )
    signing = _parse_signing(_req(data, "signing", "top level"), base_dir)
    acc_t = _req(data, "accounts", "top level")
    accounts = Accounts(
        cash=str(_req(acc_t, "cash", "[accounts]")),
        card_clearing=str(_req(acc_t, "card_clearing", "[accounts]")),
        giftcard_liability=str(_req(acc_t, "giftcard_liability", "[accounts]")),
        mobile_clearing=str(_req(acc_t, "mobile_clearing", "[accounts]")),
        customer_receivable=str(_req(acc_t, "customer_receivable", "[accounts]")),
        output_vat=str(_req(acc_t, "output_vat", "[accounts]")),
        cash_difference=str(_req(acc_t, "cash_difference", "[accounts]")),
        rounding=str(_req(acc_t, "rounding", "[accounts]")),
        cash_transfer=str(_req(acc_t, "cash_transfer", "[accounts]")),
        sales={_rate_bp(k, "[accounts] sales"): str(v) for k, v in _req(acc_t, "sales", "[accounts]").items()},
    )
    limits = data.get("limits", {})
    config = TillConfig(
        company=company,
        location_name=str(data.get("location", {}).get("name", company.name)),
        system=system,
        registers=registers,
        employees=employees,
        vat_codes=vat_codes,
        article_groups=tuple(groups),
        articles=articles,
        payment_means=tuple(means),
        signing=signing,
        accounts=accounts,
        buyer_name_from=_money(limits.get("buyer_name_from", "40000.00"), "[limits] buyer_name_from"),
    )
    _cross_check(config)
    return config


def _parse_signing(sig: dict[str, Any], base_dir: Path | None) -> SigningConfig:
    method = str(_req(sig, "method", "[signing]"))
    version = str(_req(sig, "key_version", "[signing]"))
    if method == "rsa":
        if "private_key_pem" in sig:
            pem = str(sig["private_key_pem"]).encode()
        else:
            key_file = str(_req(sig, "key_file", "[signing]"))
            path = Path(key_file)
            if not path.is_absolute():
                if base_dir is None:
                    pem = (resources.files("reference_till") / "data" / key_file).read_bytes()
                    return SigningConfig("rsa", version, private_key_pem=pem)
                path = base_dir / path
            if not path.is_file():
                raise ConfigError(
                    f"[signing] key_file {str(path)!r} does not exist; create one with "
                    f"'openssl genrsa 1024 | openssl pkcs8 -topk8 -nocrypt -out {key_file}'"
                )
            pem = path.read_bytes()
        return SigningConfig("rsa", version, private_key_pem=pem)
    if method == "hmac":
        try:
            key = base64.b64decode(str(_req(sig, "hmac_key", "[signing]")), validate=True)
        except ValueError:
            raise ConfigError("[signing] hmac_key must be base64 of 16 bytes") from None
        if len(key) != 16:
            raise ConfigError(
                f"[signing] hmac_key is {len(key)} bytes; HMAC-SHA1-128 needs exactly 16 bytes "
                f"(for example 'openssl rand -base64 16')"
            )
        return SigningConfig("hmac", version, hmac_key=key)
    raise ConfigError(f'[signing] method {method!r} is not supported; write method = "rsa" or "hmac"')


def _cross_check(config: TillConfig) -> None:
    for table, items in (
        ("registers", config.registers),
        ("employees", config.employees),
        ("articles", config.articles),
        ("article_groups", config.article_groups),
        ("payment_means", config.payment_means),
    ):
        ids = [i.id for i in items]
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            raise ConfigError(f"[[{table}]]: duplicate id(s) {', '.join(sorted(dupes))}")
    for article in config.articles:
        config.group(article.group_id)
        config.vat(article.vat_code)
        if article.price < 0:
            raise ConfigError(f"[[articles]] {article.id!r}: price must not be negative")
    if not any(m.kind == "cash" for m in config.payment_means):
        raise ConfigError('[[payment_means]]: a means of kind = "cash" is required (kontantar)')
    rates = {v.rate_bp for v in config.vat_codes}
    missing = rates - set(config.accounts.sales)
    if missing:
        raise ConfigError(f"[accounts] sales has no account for VAT rate(s) {sorted(r / 100 for r in missing)} %")


def load_config(path: str | Path | None = None) -> TillConfig:
    """Load a till configuration.

    Args:
        path: A TOML file, or ``None`` for the embedded default shop.

    Returns:
        The validated configuration.

    Raises:
        ConfigError: The file is missing, not TOML, or incomplete; the message names the key.
    """
    if path is None:
        text = (resources.files("reference_till") / "data" / "default_config.toml").read_text(encoding="utf-8")
        base_dir = None
    else:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"configuration file {str(p)!r} does not exist")
        text = p.read_text(encoding="utf-8")
        base_dir = p.parent
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path or 'default configuration'}: not valid TOML: {exc}") from None
    return _parse(data, base_dir)
