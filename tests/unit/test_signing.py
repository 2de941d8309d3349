"""Tests of the SAF-T signature and the per-register signature chain (requirements §11.2, SIG-1..9)."""

from __future__ import annotations

import base64
import dataclasses
import shutil
import subprocess
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from reference_till.config import ConfigError, SigningConfig, TillConfig, load_config
from reference_till.model import CashTransaction, TransactionKind
from reference_till.signing import (
    FIRST_PREVIOUS,
    HmacSigner,
    RsaSigner,
    signature_data,
    signer_from_config,
    verify_hmac,
    verify_rsa,
)
from reference_till.till import Till

OSLO = ZoneInfo("Europe/Oslo")
PUBLIC_KEY = Path(str(resources.files("reference_till") / "data" / "demo_signing_key.pub.pem"))
HMAC_KEY = b"0123456789abcdef"

# Skatteetaten's validator.js test vector (SIG-6)
VECTOR_DATA = "0;2016-11-24;10:39:00;2;1.00;0.96"
VECTOR_KEY = b"SkatteetatenSign"
VECTOR_SIGNATURE = "iHh68DWCU3G42eL/7vOGUMSkvMM="


class Clock:
    """An aware Europe/Oslo clock advancing one second per reading."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        self.current += timedelta(seconds=1)
        return self.current


@pytest.fixture(scope="module")
def config() -> TillConfig:
    return load_config()


@pytest.fixture
def make_till(tmp_path: Path) -> Iterator[Callable[..., Till]]:
    tills: list[Till] = []

    def make(config: TillConfig | None = None, name: str = "journal.sqlite") -> Till:
        till = Till(tmp_path / name, config, clock=Clock(datetime(2026, 3, 2, 8, 59, 55, tzinfo=OSLO)))
        tills.append(till)
        return till

    yield make
    for till in tills:
        till.close()


# --------------------------------------------------------------------------- helpers


def amount_text(ore: int) -> str:
    """transAmntIn/Ex as the signature spec writes them, built independently of reference_till.money."""
    return f"{Decimal(ore).scaleb(-2):.2f}"


def rebuild(previous: str, tx: CashTransaction) -> str:
    """The signed string of SIG-2, from the journal record's own fields."""
    return (
        f"{previous};{tx.at.strftime('%Y-%m-%d')};{tx.at.strftime('%H:%M:%S')};{tx.nr};"
        f"{amount_text(tx.amount_in)};{amount_text(tx.amount_ex)}"
    )


def chain(till: Till, register_id: str) -> list[tuple[str, CashTransaction]]:
    """The register's transactions in nr order with their rebuilt data strings."""
    txs = [e.record for e in till.journal.entries(register_id=register_id, kind="transaction")]
    assert all(isinstance(tx, CashTransaction) for tx in txs)
    ordered = sorted(txs, key=lambda tx: tx.nr)  # type: ignore[union-attr]
    assert [tx.nr for tx in ordered] == list(range(1, len(ordered) + 1)), "nr must be 1, 2, 3 ... without gaps"
    out = []
    previous = "0"
    for tx in ordered:
        assert isinstance(tx, CashTransaction)
        out.append((rebuild(previous, tx), tx))
        previous = tx.signature
    return out


def openssl_verify(tmp_path: Path, data: str, signature: str) -> subprocess.CompletedProcess[str]:
    data_file = tmp_path / "data.txt"
    sig_file = tmp_path / "signature.bin"
    data_file.write_bytes(data.encode("utf-8"))
    sig_file.write_bytes(base64.b64decode(signature, validate=True))
    return subprocess.run(
        ["openssl", "dgst", "-sha1", "-verify", str(PUBLIC_KEY), "-signature", str(sig_file), str(data_file)],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


def close_drawer(till: Till, register_id: str = "K1") -> None:
    till.devices(register_id).drawer.close()  # type: ignore[attr-defined]


def small_day(till: Till) -> None:
    """A day with every kind of signed transaction on K1 and a few on K2."""
    till.start("K1")
    till.login("K1", "1001")
    till.register_float("K1", 150000)
    close_drawer(till)
    till.add_item("K1", "1001", 2)
    till.add_item("K1", "2001")
    till.pay_cash("K1", 20000)
    till.conclude("K1")
    close_drawer(till)
    till.add_item("K1", "4002")
    till.pay_card("K1")
    till.conclude("K1")
    till.return_item("K1", "1001")  # pure return: negative amounts in the signed string
    till.pay_cash("K1")
    till.conclude("K1")
    close_drawer(till)
    till.add_item("K1", "5001")
    till.return_item("K1", "1001")
    till.pay_card("K1")
    till.conclude("K1")
    till.add_item("K1", "2001")
    till.void("K1")
    till.cash_out("K1", 20000)
    close_drawer(till)
    till.add_item("K1", "1001", 3)
    till.conclude_credit("K1", "KUNDE-7")
    till.set_training("K1", True)
    till.add_item("K1", "4002")
    till.pay_cash("K1")
    till.conclude("K1")
    till.set_training("K1", False)
    till.start("K2")
    till.login("K2", "1002")
    till.add_item("K2", "5001")
    till.pay_cash("K2")
    till.conclude("K2")
    close_drawer(till, "K2")
    till.z_report("K1")
    till.settle("K1", counted_by="1001", counts={100000: 1, 20000: 1, 500: 1}, explanation="Telt feil")


# --------------------------------------------------------------------------- the data string


def test_skatteetaten_hmac_test_vector() -> None:
    signer = HmacSigner(VECTOR_KEY, "1")
    assert signer.sign(VECTOR_DATA) == VECTOR_SIGNATURE
    assert verify_hmac(VECTOR_KEY, VECTOR_DATA, VECTOR_SIGNATURE)
    assert not verify_hmac(VECTOR_KEY, VECTOR_DATA.replace("1.00", "1.01"), VECTOR_SIGNATURE)
    assert not verify_hmac(b"SkatteetatenSigm", VECTOR_DATA, VECTOR_SIGNATURE)


def test_signature_data_reproduces_the_test_vector_string() -> None:
    at = datetime(2016, 11, 24, 10, 39, tzinfo=OSLO)
    assert signature_data(FIRST_PREVIOUS, at, 2, 100, 96) == VECTOR_DATA
    assert FIRST_PREVIOUS == "0"


@pytest.mark.parametrize(
    ("at", "nr", "amount_in", "amount_ex", "expected"),
    [
        (datetime(2026, 1, 5, 7, 3, 9, tzinfo=OSLO), 1, 2190, 1904, "P;2026-01-05;07:03:09;1;21.90;19.04"),
        (datetime(2026, 12, 31, 23, 59, 59, tzinfo=OSLO), 35, -1640, -1426, "P;2026-12-31;23:59:59;35;-16.40;-14.26"),
        (datetime(2026, 6, 1, 0, 0, 0, tzinfo=OSLO), "K1-17", 5, -5, "P;2026-06-01;00:00:00;K1-17;0.05;-0.05"),
        (datetime(2026, 6, 1, 13, 0, 0, tzinfo=OSLO), 9, 0, 0, "P;2026-06-01;13:00:00;9;0.00;0.00"),
        (
            datetime(2026, 6, 1, 13, 0, 0, tzinfo=OSLO),
            10,
            4199000,
            3359200,
            "P;2026-06-01;13:00:00;10;41990.00;33592.00",
        ),
    ],
)
def test_signature_data_format(at: datetime, nr: int | str, amount_in: int, amount_ex: int, expected: str) -> None:
    assert signature_data("P", at, nr, amount_in, amount_ex) == expected


def test_signature_data_ignores_microseconds_and_uses_24_hour_time() -> None:
    at = datetime(2026, 3, 2, 15, 4, 5, 999999, tzinfo=OSLO)
    assert signature_data("0", at, 1, 100, 80) == "0;2026-03-02;15:04:05;1;1.00;0.80"


# --------------------------------------------------------------------------- keys


def test_rsa_signer_rejects_a_2048_bit_key() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with pytest.raises(ConfigError, match=r"2048 bits.*1024 bits") as info:
        RsaSigner(pem, "1")
    assert "openssl genrsa 1024" in str(info.value)
    with pytest.raises(ConfigError, match="2048"):
        signer_from_config(SigningConfig("rsa", "1", private_key_pem=pem))


def test_till_with_a_wrong_key_fails_before_creating_a_journal(tmp_path: Path, config: TillConfig) -> None:
    bad = dataclasses.replace(config, signing=SigningConfig("hmac", "2", hmac_key=b"short"))
    with pytest.raises(ConfigError, match="16"):
        Till(tmp_path / "journal.sqlite", bad)
    assert not (tmp_path / "journal.sqlite").exists()


def test_hmac_signer_needs_128_bit_key() -> None:
    with pytest.raises(ConfigError, match="HMAC key is 15 bytes"):
        HmacSigner(b"0123456789abcde", "1")
    with pytest.raises(ConfigError, match="17 bytes"):
        signer_from_config(SigningConfig("hmac", "1", hmac_key=b"0123456789abcdefg"))


def test_demo_public_key_belongs_to_the_demo_private_key(config: TillConfig) -> None:
    signer = signer_from_config(config.signing)
    assert isinstance(signer, RsaSigner)
    assert signer.public_key_pem.strip() == PUBLIC_KEY.read_bytes().strip()
    signature = signer.sign(VECTOR_DATA)
    assert len(base64.b64decode(signature)) == 128  # 1024-bit RSA (SIG-5)
    assert verify_rsa(PUBLIC_KEY.read_bytes(), VECTOR_DATA, signature)
    assert not verify_rsa(PUBLIC_KEY.read_bytes(), VECTOR_DATA + "0", signature)
    assert not verify_rsa(PUBLIC_KEY.read_bytes(), VECTOR_DATA, "not base64!")


# --------------------------------------------------------------------------- the chain of a real journal


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_rsa_chain_of_a_till_day_verifies_with_openssl(make_till: Callable[..., Till], tmp_path: Path) -> None:
    till = make_till()
    small_day(till)
    kinds: set[TransactionKind] = set()
    for register_id, minimum in (("K1", 10), ("K2", 1)):
        links = chain(till, register_id)
        assert len(links) >= minimum
        for data, tx in links:
            assert tx.key_version == "1"
            result = openssl_verify(tmp_path, data, tx.signature)
            assert result.returncode == 0, f"{tx.trans_id} nr {tx.nr}: {data!r}: {result.stdout}{result.stderr}"
            assert "Verified OK" in result.stdout
            kinds.add(tx.kind)
    # every kind of signed transaction took part, including negative amounts
    assert kinds >= {
        TransactionKind.FLOAT,
        TransactionKind.SALE,
        TransactionKind.RETURN,
        TransactionKind.SALE_RETURN,
        TransactionKind.VOID,
        TransactionKind.PAY_OUT,
        TransactionKind.CREDIT_SALE,
        TransactionKind.TRAINING,
        TransactionKind.CASH_COUNT,
    }
    k1 = chain(till, "K1")
    assert any(tx.amount_in < 0 for _, tx in k1)
    assert k1[0][0].startswith("0;")
    assert chain(till, "K2")[0][0].startswith("0;"), "each register's chain starts with the literal 0"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_tampered_amount_fails_openssl_and_verify_rsa(make_till: Callable[..., Till], tmp_path: Path) -> None:
    till = make_till()
    small_day(till)
    public = PUBLIC_KEY.read_bytes()
    links = chain(till, "K1")
    data, tx = links[1]
    assert verify_rsa(public, data, tx.signature)
    tampered = rebuild(links[0][1].signature, dataclasses.replace(tx, amount_in=tx.amount_in + 1))
    assert tampered != data
    assert not verify_rsa(public, tampered, tx.signature)
    result = openssl_verify(tmp_path, tampered, tx.signature)
    assert result.returncode != 0
    assert "Verified OK" not in result.stdout
    # a transaction re-signed with the right data but another predecessor breaks the chain too
    assert not verify_rsa(public, rebuild("0", tx), tx.signature)


def test_hmac_till_chain_verifies(make_till: Callable[..., Till], config: TillConfig) -> None:
    hmac_config = dataclasses.replace(config, signing=SigningConfig("hmac", "2", hmac_key=HMAC_KEY))
    till = make_till(hmac_config)
    small_day(till)
    for register_id in ("K1", "K2"):
        links = chain(till, register_id)
        assert links
        for data, tx in links:
            assert tx.key_version == "2"
            assert len(base64.b64decode(tx.signature)) == 20  # HMAC-SHA1
            assert verify_hmac(HMAC_KEY, data, tx.signature), f"{tx.trans_id}: {data!r}"
            assert not verify_hmac(b"fedcba9876543210", data, tx.signature)
    data, tx = chain(till, "K1")[2]
    tampered = data.replace(f";{amount_text(tx.amount_in)};", f";{amount_text(tx.amount_in + 100)};")
    assert tampered != data
    assert not verify_hmac(HMAC_KEY, tampered, tx.signature)


def test_chain_survives_reopening_the_journal(make_till: Callable[..., Till]) -> None:
    till = make_till()
    till.login("K1", "1001")
    till.add_item("K1", "5001")
    till.pay_card("K1")
    first = till.conclude("K1")
    till.close()
    reopened = make_till()
    reopened.login("K1", "1001")
    reopened.add_item("K1", "5001")
    reopened.pay_card("K1")
    second = reopened.conclude("K1")
    assert second.nr == first.nr + 1
    assert verify_rsa(PUBLIC_KEY.read_bytes(), rebuild(first.signature, second), second.signature)
