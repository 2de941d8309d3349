"""The capability profile: what a vendor declares about the till under test, machine-readable.

A profile is a TOML file (``features/profiles/template.toml`` is the commented template,
``features/profiles/reference.toml`` the reference till's own). It says

* who made the system and which version is tested (``[identity]``: producer, system name,
  version, the system's ID number -- kassasystemlova § 3 første ledd);
* optionally, who files the product declaration (``[supplier]``: name, organisation number,
  role and the date the version was first offered -- kassasystemlova § 2 bokstav e and § 5);
  what is missing is left blank, for the supplier to fill in on the declaration;
* the test shop the till is set up with (``[shop]``: name, organisation number) and the
  kassapunkter and operators the suite may use;
* which optional functions the till has (``[capabilities]``); scenarios tagged
  ``@needs_<capability>`` run only where the profile declares it, and are reported as
  *not applicable* elsewhere -- the law asks for these functions' figures and markings
  only "if the system has the function" (kassasystemforskrifta § 2-8-2 bokstav h, i, t …);
* the signature method and public keys (``[signature]``, the SAF-T signature specification);
* the test articles the scenarios sell (``[[articles]]``): price and VAT rate as configured
  in the till, so the Then steps can compute what the receipts and reports must show from
  the declaration rather than from what the till says.

A missing or empty profile is an error that says what to write, never "test nothing".
"""

from __future__ import annotations

import datetime
import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "CAPABILITIES",
    "SUPPLIER_ROLES",
    "Profile",
    "ProfileArticle",
    "ProfileError",
    "load_profile",
    "profile_for",
    "reference_profile_path",
    "template_path",
]

#: Optional functions a profile declares, with what each means (the tag is ``@needs_<name>``).
CAPABILITIES: dict[str, str] = {
    "integrated_drawer": "a cash drawer the till opens itself (kassasystemforskrifta § 2-2)",
    "integrated_terminal": "a payment terminal the till drives and whose transaction id it prints (§ 2-8-4)",
    "training_mode": "treningsmodus (§ 2-6 tredje ledd)",
    "price_lookup": "prisundersøking, looking a price up without selling (§ 2-7 fjerde ledd)",
    "price_changes": "changing prices at the till (§ 2-7 tredje ledd)",
    "parked_sales": "parking and resuming a sale",
    "provisional_receipts": "foreløpig kvittering, e.g. a table bill before payment (§ 2-8-6)",
    "credit_sales": "credit sales invoiced later, with an utleveringskvittering (§ 2-8-7)",
    "electronic_receipts": "sending the receipt electronically (the paper one is then the copy)",
    "per_operator": "operator login and figures per operator (§ 2-8-2 bokstav h)",
    "tips": "registering tips (§ 2-8-2 bokstav i)",
    "cash_in_out": "cash pay-ins and pay-outs at the kassapunkt (§ 2-8-2 andre ledd)",
    "line_corrections": "correcting or deleting a line before the sale is concluded (§ 2-8-2 bokstav s)",
    "manual_discounts": "discounts given at the kassapunkt (§ 2-8-2 bokstav q)",
    "campaigns": "automatic campaign prices such as «3 for 2» (not counted in § 2-8-2 bokstav q)",
    "other_means": "means of payment besides cash and card: gift card, mobile payment (§ 2-5)",
    "exchange_slips": "byttelapp printed on the receipt printer (kassasystemlova § 3 andre ledd)",
    "daily_settlement": "dagsoppgjør against the Z report (bokføringsforskrifta § 5-3-14)",
}

#: Who may file the product declaration: the "leverandør" of kassasystemlova § 2 bokstav e
#: (the manufacturer or importer, and dealers and others who adapt the system).
SUPPLIER_ROLES: tuple[str, ...] = ("manufacturer", "importer", "dealer", "adapter")

_SIGNATURE_METHODS = ("RSA-SHA1-1024", "HMAC-SHA1-128")
_SUPPLIER_KEYS = ("name", "orgnr", "role", "first_offered")
_PUBLIC_KEY_PEM = re.compile(r"-----BEGIN (RSA PUBLIC KEY|PUBLIC KEY)-----\r?\n[A-Za-z0-9+/=\r\n]+-----END \1-----")
_VAT_RATES = ("25", "15", "12", "0")


class ProfileError(ValueError):
    """The profile is missing, empty or malformed; the message says what to write."""


@dataclass(frozen=True, slots=True)
class ProfileArticle:
    """A test article as the till is set up with it.

    Attributes:
        id: Article number the scenarios use (``"1001"``).
        description: Its name on the receipt.
        price: Price in øre including VAT.
        vat_rate: VAT rate in percent (``"15"``).
        group: The goods group (hovudgruppe) it belongs to.
    """

    id: str
    description: str
    price: int
    vat_rate: str
    group: str


@dataclass(frozen=True, slots=True)
class Profile:
    """A target's declaration (see the module docstring).

    Attributes:
        path: The file it was read from.
        producer: Producer of the cash register system.
        system: The system's name.
        version: The version under test.
        system_id: The system's ID number.
        shop_name: The test shop's name (on receipts and reports).
        shop_orgnr: The test shop's organisation number (9 digits).
        registers: Kassapunkt ids the suite may use, the first one by default.
        operators: Operator ids; the first operates by default, the second is another operator.
        capabilities: Every name of :data:`CAPABILITIES`, declared or not.
        signature_method: ``RSA-SHA1-1024`` or ``HMAC-SHA1-128``.
        keys: Key version -> path of the public key (RSA) or base64 secret file (HMAC).
        articles: The test articles by id.
        supplier_name: Who files the product declaration; ``""`` if not declared.
        supplier_orgnr: Its organisation number (9 digits); ``""`` if not declared.
        supplier_role: One of :data:`SUPPLIER_ROLES`; ``""`` if not declared.
        supplier_first_offered: ISO date (``2026-01-01``) the version was first offered;
            ``""`` if not declared.
    """

    path: Path
    producer: str
    system: str
    version: str
    system_id: str
    shop_name: str
    shop_orgnr: str
    registers: tuple[str, ...]
    operators: tuple[str, ...]
    capabilities: Mapping[str, bool]
    signature_method: str
    keys: Mapping[str, Path]
    articles: Mapping[str, ProfileArticle]
    supplier_name: str = ""
    supplier_orgnr: str = ""
    supplier_role: str = ""
    supplier_first_offered: str = ""

    def has(self, capability: str) -> bool:
        """Whether the profile declares ``capability``.

        Raises:
            ProfileError: ``capability`` is not one of :data:`CAPABILITIES` (a typo in a tag).
        """
        if capability not in CAPABILITIES:
            raise ProfileError(f"no capability {capability!r}; known: {', '.join(CAPABILITIES)}")
        return self.capabilities[capability]

    def article(self, art_id: str) -> ProfileArticle:
        """A test article by id.

        Raises:
            ProfileError: The profile does not list it.
        """
        try:
            return self.articles[art_id]
        except KeyError:
            raise ProfileError(
                f"{self.path}: the suite sells article {art_id!r}, which [[articles]] does not list; "
                f"add it with its price and VAT rate as set up in the till"
            ) from None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready snapshot of the declaration, to archive with a run.

        The key files are described, not copied: each key version gets its file name, the
        SHA-256 of the file's bytes (``None`` if it cannot be read now) and, for RSA, the
        public key as PEM text. An HMAC secret is never put in the snapshot, only its hash.

        Returns:
            ``{"path", "identity": {producer, system, version, system_id}, "supplier": {name,
            orgnr, role, first_offered}, "shop": {name, orgnr}, "registers", "operators",
            "capabilities": {name: bool}, "signature": {"method", "keys": {version: {"file",
            "sha256", "public_key_pem"}}}, "articles": [{id, description, price, vat_rate,
            group}]}`` with prices in øre.
        """
        rsa = self.signature_method.startswith("RSA")
        return {
            "path": str(self.path),
            "identity": {
                "producer": self.producer,
                "system": self.system,
                "version": self.version,
                "system_id": self.system_id,
            },
            "supplier": {
                "name": self.supplier_name,
                "orgnr": self.supplier_orgnr,
                "role": self.supplier_role,
                "first_offered": self.supplier_first_offered,
            },
            "shop": {"name": self.shop_name, "orgnr": self.shop_orgnr},
            "registers": list(self.registers),
            "operators": list(self.operators),
            "capabilities": {name: bool(self.capabilities.get(name, False)) for name in CAPABILITIES},
            "signature": {
                "method": self.signature_method,
                "keys": {version: _key_json(file, rsa=rsa) for version, file in self.keys.items()},
            },
            "articles": [
                {"id": a.id, "description": a.description, "price": a.price, "vat_rate": a.vat_rate, "group": a.group}
                for a in self.articles.values()
            ],
        }


def _key_json(file: Path, *, rsa: bool) -> dict[str, Any]:
    """File name, SHA-256 and (RSA only) the public key PEM of a declared key file."""
    try:
        data = file.read_bytes()
    except OSError:
        return {"file": file.name, "sha256": None, "public_key_pem": None}
    pem: str | None = None
    if rsa:
        # Only the PUBLIC KEY block: whatever else the file holds stays out of the snapshot.
        found = _PUBLIC_KEY_PEM.search(data.decode("ascii", errors="replace"))
        pem = found.group(0).replace("\r\n", "\n") + "\n" if found else None
    return {"file": file.name, "sha256": hashlib.sha256(data).hexdigest(), "public_key_pem": pem}


def template_path() -> Path:
    """The commented template to copy."""
    return Path(str(resources.files("features") / "profiles" / "template.toml"))


def reference_profile_path() -> Path:
    """The reference till's own profile."""
    return Path(str(resources.files("features") / "profiles" / "reference.toml"))


def _fix(path: Path, what: str) -> ProfileError:
    return ProfileError(f"{path}: {what} (see the commented template {template_path()})")


def _table(data: Mapping[str, Any], key: str, path: Path) -> Mapping[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise _fix(path, f"a [{key}] table is required")
    return value


def _text(table: Mapping[str, Any], key: str, where: str, path: Path) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _fix(path, f'[{where}] needs {key} = "…" (a non-empty string)')
    return value.strip()


def _ids(data: Mapping[str, Any], key: str, path: Path) -> tuple[str, ...]:
    value = data.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise _fix(path, f'{key} = ["…", …] is required: the ids the suite may use, at least one')
    return tuple(value)


def _price(text: Any, art_id: str, path: Path) -> int:
    try:
        amount = Decimal(str(text))
    except InvalidOperation:
        amount = Decimal(-1)
    if not isinstance(text, str) or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise _fix(path, f'article {art_id!r}: price = "21.90" (kroner as a string, two decimals)')
    return int(amount * 100)


def _articles(data: Mapping[str, Any], path: Path) -> dict[str, ProfileArticle]:
    rows = data.get("articles")
    if not isinstance(rows, list) or not rows:
        raise _fix(path, "[[articles]] are required: the test articles the scenarios sell, with price and VAT")
    found: dict[str, ProfileArticle] = {}
    for row in rows:
        art_id = _text(row, "id", "articles", path)
        rate = str(row.get("vat_rate", ""))
        if rate not in _VAT_RATES:
            raise _fix(path, f"article {art_id!r}: vat_rate must be one of {', '.join(_VAT_RATES)} (percent, a string)")
        found[art_id] = ProfileArticle(
            art_id,
            _text(row, "description", "articles", path),
            _price(row.get("price"), art_id, path),
            rate,
            _text(row, "group", "articles", path),
        )
    return found


def _capabilities(data: Mapping[str, Any], path: Path) -> dict[str, bool]:
    table = _table(data, "capabilities", path)
    unknown = sorted(set(table) - set(CAPABILITIES))
    if unknown:
        raise _fix(path, f"[capabilities] has unknown names {', '.join(unknown)}; known: {', '.join(CAPABILITIES)}")
    missing = [name for name in CAPABILITIES if not isinstance(table.get(name), bool)]
    if missing:
        raise _fix(path, f"[capabilities] must declare each function true or false; missing: {', '.join(missing)}")
    return {name: bool(table[name]) for name in CAPABILITIES}


def _signature(data: Mapping[str, Any], path: Path) -> tuple[str, dict[str, Path]]:
    table = _table(data, "signature", path)
    method = str(table.get("method", ""))
    if method not in _SIGNATURE_METHODS:
        raise _fix(path, f"[signature] method must be one of {', '.join(_SIGNATURE_METHODS)}")
    keys = table.get("keys")
    if not isinstance(keys, dict) or not keys or not all(isinstance(v, str) for v in keys.values()):
        raise _fix(path, '[signature.keys] needs one line per key version: "1" = "keys/public-1.pem"')
    resolved = {str(version): (path.parent / file).resolve() for version, file in keys.items()}
    for version, file in resolved.items():
        if not file.is_file():
            raise _fix(path, f"key version {version}: {file} does not exist (paths are relative to the profile)")
    return method, resolved


def _is_orgnr(text: str) -> bool:
    """An organisation number as Brønnøysundregistrene gives it: 9 digits."""
    return len(text) == 9 and text.isdigit()


def _supplier(data: Mapping[str, Any], path: Path) -> dict[str, str]:
    """The optional ``[supplier]`` table; what is missing is ``""`` (filled in by the supplier)."""
    table = data.get("supplier", {})
    if not isinstance(table, dict):
        raise _fix(path, "supplier must be a [supplier] table: name, orgnr, role, first_offered")
    unknown = sorted(set(table) - set(_SUPPLIER_KEYS))
    if unknown:
        raise _fix(path, f"[supplier] has unknown keys {', '.join(unknown)}; known: {', '.join(_SUPPLIER_KEYS)}")
    found: dict[str, str] = {}
    for key in ("name", "orgnr", "role"):
        value = table.get(key, "")
        if not isinstance(value, str):
            raise _fix(path, f'[supplier] {key} = "…" must be a string (or leave it out)')
        found[key] = value.strip()
    if found["orgnr"] and not _is_orgnr(found["orgnr"]):
        raise _fix(path, f'[supplier] orgnr {found["orgnr"]!r} must be 9 digits, e.g. orgnr = "999999999"')
    if found["role"] and found["role"] not in SUPPLIER_ROLES:
        raise _fix(
            path,
            f"[supplier] role {found['role']!r} must be one of {', '.join(SUPPLIER_ROLES)} "
            f"(kassasystemlova § 2 bokstav e)",
        )
    found["first_offered"] = _first_offered(table.get("first_offered", ""), path)
    return found


def _first_offered(value: Any, path: Path) -> str:
    """``[supplier] first_offered`` as ``YYYY-MM-DD``: a TOML date or a string of one."""
    message = '[supplier] first_offered must be the date the version was first offered: first_offered = "2026-01-01"'
    if isinstance(value, (datetime.datetime, datetime.time)):
        raise _fix(path, message)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise _fix(path, message)
    text = value.strip()
    if not text:
        return ""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise _fix(path, f"{message} (not {text!r})")
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise _fix(path, f"{message} (not {text!r})") from None


def profile_for(target: str, path: Path | str | None) -> Profile:
    """The profile of the till at ``target``: ``path``, or the reference till's own for ``reference://``.

    Raises:
        ProfileError: As :func:`load_profile`; no path for another target is an error too.
    """
    if path is None and urlsplit(target).scheme == "reference":
        path = reference_profile_path()
    return load_profile(path)


def load_profile(path: Path | str | None) -> Profile:
    """Read and check a capability profile.

    Raises:
        ProfileError: No path was given, the file is missing, empty or not TOML, or an entry
            is malformed; the message names the entry and what to write.
    """
    if path is None or str(path) == "":
        raise ProfileError(
            f"no capability profile given: copy {template_path()}, describe your till in it "
            f"and pass it with --profile FILE"
        )
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(f"cannot read the profile {path}: {exc.strerror or exc}; copy {template_path()}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path} is not valid TOML: {exc} (see the commented template {template_path()})") from exc
    if not data:
        raise _fix(path, "the profile is empty; fill in [identity], [shop], [capabilities], [signature], [[articles]]")
    identity = _table(data, "identity", path)
    shop = _table(data, "shop", path)
    orgnr = _text(shop, "orgnr", "shop", path)
    if not _is_orgnr(orgnr):
        raise _fix(path, f"[shop] orgnr {orgnr!r} must be 9 digits")
    method, keys = _signature(data, path)
    supplier = _supplier(data, path)
    return Profile(
        path=path,
        producer=_text(identity, "producer", "identity", path),
        system=_text(identity, "system", "identity", path),
        version=_text(identity, "version", "identity", path),
        system_id=_text(identity, "system_id", "identity", path),
        shop_name=_text(shop, "name", "shop", path),
        shop_orgnr=orgnr,
        registers=_ids(data, "registers", path),
        operators=_ids(data, "operators", path),
        capabilities=_capabilities(data, path),
        signature_method=method,
        keys=keys,
        articles=_articles(data, path),
        supplier_name=supplier["name"],
        supplier_orgnr=supplier["orgnr"],
        supplier_role=supplier["role"],
        supplier_first_offered=supplier["first_offered"],
    )
