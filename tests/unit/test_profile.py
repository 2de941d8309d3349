"""The capability profile: the reference till's own, the template, and the errors that say what to write."""

from __future__ import annotations

import hashlib
import json
import shutil
import tomllib
from pathlib import Path

import pytest

from harness.profile import (
    CAPABILITIES,
    SUPPLIER_ROLES,
    ProfileError,
    load_profile,
    profile_for,
    reference_profile_path,
    template_path,
)
from reference_till.config import load_config
from tests.profile_copy import reference_profile_with


def test_the_reference_profile_declares_what_the_reference_till_is() -> None:
    """The declaration matches the till's own configuration: identity, shop, kassapunkter, articles."""
    profile = load_profile(reference_profile_path())
    config = load_config()
    assert (profile.producer, profile.system, profile.version, profile.system_id) == (
        config.system.producer,
        config.system.name,
        config.system.version,
        config.system.system_id,
    )
    assert (profile.shop_name, profile.shop_orgnr) == (config.company.name, config.company.orgnr)
    assert profile.registers == tuple(r.id for r in config.registers)
    assert profile.operators == tuple(e.id for e in config.employees)
    rates = {v.code: str(v.rate_bp // 100) for v in config.vat_codes}
    assert {a.id: (a.price, a.vat_rate, a.group) for a in profile.articles.values()} == {
        a.id: (a.price, rates[a.vat_code], a.group_id) for a in config.articles
    }
    assert profile.signature_method == "RSA-SHA1-1024"
    assert set(profile.keys) == {config.signing.key_version}
    assert profile.has("training_mode") and not profile.has("tips")


def test_the_template_names_every_capability_and_loads_once_its_key_exists(tmp_path: Path) -> None:
    data = tomllib.loads(template_path().read_text(encoding="utf-8"))
    assert set(data["capabilities"]) == set(CAPABILITIES)
    copy = tmp_path / "my-till.toml"
    shutil.copy(template_path(), copy)
    with pytest.raises(ProfileError, match=r"key version 1: .*public-1\.pem does not exist"):
        load_profile(copy)
    (tmp_path / "keys").mkdir()
    shutil.copy(reference_profile_path().parent / "../../reference_till/data/demo_signing_key.pub.pem",
                tmp_path / "keys" / "public-1.pem")  # fmt: skip
    profile = load_profile(copy)
    assert profile.article("1001").price == 2190


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the profile is empty"),
        ("registers = [", "not valid TOML"),
        ('registers = ["K1"]\noperators = ["1"]\n[shop]\nname = "x"\norgnr = "9"\n', r"a \[identity\] table"),
    ],
)
def test_an_empty_or_broken_profile_says_what_to_write(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=message) as caught:
        load_profile(path)
    if "TOML" not in message:
        assert str(template_path()) in str(caught.value)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("tips = false\n", "", "missing: tips"),
        ("tips = false\n", "tips = false\nteleport = true\n", "unknown names teleport"),
        ('orgnr = "999999999"', 'orgnr = "999 999 999"', "must be 9 digits"),
        ('method = "RSA-SHA1-1024"', 'method = "MD5"', "method must be one of"),
        ('price = "21.90"', 'price = "21.905"', "two decimals"),
        ('vat_rate = "15"', 'vat_rate = "14"', "vat_rate must be one of"),
        ('registers = ["K1", "K2"]', "registers = []", "at least one"),
    ],
)
def test_a_malformed_entry_is_named(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        load_profile(reference_profile_with(tmp_path, (old, new)))


def test_no_profile_at_all_points_to_the_template() -> None:
    with pytest.raises(ProfileError, match=r"no capability profile given: copy .*template\.toml"):
        load_profile(None)
    with pytest.raises(ProfileError, match="cannot read the profile"):
        load_profile("does-not-exist.toml")


def test_an_unknown_capability_or_article_is_named() -> None:
    profile = load_profile(reference_profile_path())
    with pytest.raises(ProfileError, match="no capability 'teleport'"):
        profile.has("teleport")
    with pytest.raises(ProfileError, match="article '9999'"):
        profile.article("9999")


def test_the_profile_for_a_target_defaults_only_for_the_reference_till(tmp_path: Path) -> None:
    assert profile_for("reference://?registers=1", None).system_id == "KK-REF-0001"
    with pytest.raises(ProfileError, match=r"no capability profile given: copy .*template\.toml"):
        profile_for("http://127.0.0.1:8700", None)
    broken = tmp_path / "p.toml"
    broken.write_text("registers = [", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"not valid TOML: .*template\.toml"):
        profile_for("reference://", broken)


SECRET = "U2thdHRldGF0ZW5TaWdu"  # base64 of Skatteetaten's 16-byte test key «SkatteetatenSign»
SUPPLIER_BLOCK = 'name = "Kassakontroll"\norgnr = "999999999"\nrole = "manufacturer"\nfirst_offered = "2026-01-01"\n'


def test_the_supplier_table_is_read() -> None:
    profile = load_profile(reference_profile_path())
    assert (
        profile.supplier_name,
        profile.supplier_orgnr,
        profile.supplier_role,
        profile.supplier_first_offered,
    ) == ("Kassakontroll", "999999999", "manufacturer", "2026-01-01")
    assert set(SUPPLIER_ROLES) == {"manufacturer", "importer", "dealer", "adapter"}


def test_a_missing_supplier_table_or_key_is_left_blank(tmp_path: Path) -> None:
    without = load_profile(reference_profile_with(tmp_path, ("[supplier]\n", ""), (SUPPLIER_BLOCK, "")))
    assert without.to_json()["supplier"] == {"name": "", "orgnr": "", "role": "", "first_offered": ""}
    partly = load_profile(reference_profile_with(tmp_path, ('role = "manufacturer"\n', ""), name="q.toml"))
    assert (partly.supplier_name, partly.supplier_role) == ("Kassakontroll", "")


def test_a_toml_date_is_a_first_offered_date_too(tmp_path: Path) -> None:
    path = reference_profile_with(tmp_path, ('first_offered = "2026-01-01"', "first_offered = 2026-03-05"))
    assert load_profile(path).supplier_first_offered == "2026-03-05"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('orgnr = "999999999"\nrole', 'orgnr = "99999999"\nrole', r"\[supplier\] orgnr '99999999' must be 9 digits"),
        ('role = "manufacturer"', 'role = "user"', "role 'user' must be one of manufacturer, importer, dealer"),
        ('role = "manufacturer"', "role = 1", r'\[supplier\] role = "…" must be a string'),
        ('first_offered = "2026-01-01"', 'first_offered = "1.1.2026"', 'first_offered = "2026-01-01"'),
        ('first_offered = "2026-01-01"', 'first_offered = "2026-02-30"', "first offered"),
        ('first_offered = "2026-01-01"', "first_offered = 2026-01-01T10:00:00", "first offered"),
        ('first_offered = "2026-01-01"', 'first_offerd = "2026-01-01"', "unknown keys first_offerd"),
    ],
)
def test_a_malformed_supplier_entry_says_what_to_write(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(ProfileError, match=message) as caught:
        load_profile(reference_profile_with(tmp_path, (old, new)))
    assert str(template_path()) in str(caught.value)


def test_the_snapshot_is_json_with_the_public_key() -> None:
    profile = load_profile(reference_profile_path())
    snapshot = profile.to_json()
    assert json.loads(json.dumps(snapshot)) == snapshot
    assert snapshot["identity"] == {
        "producer": "Kassakontroll",
        "system": "Kassakontroll referansekasse",
        "version": "0.1.0",
        "system_id": "KK-REF-0001",
    }
    assert snapshot["shop"] == {"name": "Kassakontroll Demobutikk AS", "orgnr": "999999999"}
    assert snapshot["registers"] == ["K1", "K2"] and snapshot["operators"] == ["1001", "1002"]
    assert set(snapshot["capabilities"]) == set(CAPABILITIES) and snapshot["capabilities"]["tips"] is False
    key_file = profile.keys["1"]
    key = snapshot["signature"]["keys"]["1"]
    assert snapshot["signature"]["method"] == "RSA-SHA1-1024"
    assert key["file"] == key_file.name
    assert key["sha256"] == hashlib.sha256(key_file.read_bytes()).hexdigest()
    assert key["public_key_pem"].startswith("-----BEGIN PUBLIC KEY-----\n")
    assert key["public_key_pem"].strip() == key_file.read_text(encoding="ascii").strip()
    assert snapshot["articles"][0] == {
        "id": "1001",
        "description": "TineMelk Lett 1 l",
        "price": 2190,
        "vat_rate": "15",
        "group": "100",
    }


def _hmac_profile(folder: Path) -> Path:
    (folder / "hmac-1.b64").write_text(SECRET + "\n", encoding="ascii")
    return reference_profile_with(
        folder,
        ('method = "RSA-SHA1-1024"', 'method = "HMAC-SHA1-128"'),
        ('"1" = "../../reference_till/data/demo_signing_key.pub.pem"', '"1" = "hmac-1.b64"'),
    )


def test_the_snapshot_never_holds_an_hmac_secret(tmp_path: Path) -> None:
    profile = load_profile(_hmac_profile(tmp_path))
    text = json.dumps(profile.to_json())
    assert SECRET not in text and "SkatteetatenSign" not in text
    key = profile.to_json()["signature"]["keys"]["1"]
    assert key == {
        "file": "hmac-1.b64",
        "sha256": hashlib.sha256((SECRET + "\n").encode("ascii")).hexdigest(),
        "public_key_pem": None,
    }


def test_an_unreadable_key_file_is_no_crash(tmp_path: Path) -> None:
    profile = load_profile(_hmac_profile(tmp_path))
    (tmp_path / "hmac-1.b64").unlink()
    assert profile.to_json()["signature"]["keys"]["1"] == {"file": "hmac-1.b64", "sha256": None, "public_key_pem": None}


def test_only_the_public_key_block_of_a_key_file_is_copied(tmp_path: Path) -> None:
    public = (reference_profile_path().parent / "../../reference_till/data/demo_signing_key.pub.pem").read_text()
    (tmp_path / "both.pem").write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" + public)
    path = reference_profile_with(
        tmp_path, ('"1" = "../../reference_till/data/demo_signing_key.pub.pem"', '"1" = "both.pem"')
    )
    pem = load_profile(path).to_json()["signature"]["keys"]["1"]["public_key_pem"]
    assert pem.strip() == public.strip() and "PRIVATE" not in pem
