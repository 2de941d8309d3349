"""Signing and chaining of cash transactions (SAF-T Cash Register signature specification).

Skatteetaten's "Requirements and guidelines for implementing digital signatures in Cash
Register Systems" (§ 2.2.4 RSA, § 2.3.3 HMAC, as cited by its validator.js): every
``cashtransaction`` is signed over the string::

    previousSignature;transDate;transTime;nr;transAmntIn;transAmntEx

with ``transDate`` ``YYYY-MM-DD``, ``transTime`` ``HH:MM:SS``, amounts with ``.`` and two
decimals, and the literal ``0`` as previous signature of the first transaction of a
register. Methods: RSA-SHA1 with a 1024-bit key (PKCS#1 v1.5) or HMAC-SHA1 with a
128-bit key; the signature is base64. ``keyVersion`` names the key used, so a key can be
replaced and the chain goes on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from abc import ABC, abstractmethod
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from reference_till.config import ConfigError, SigningConfig
from reference_till.money import format_amount

__all__ = [
    "FIRST_PREVIOUS",
    "HmacSigner",
    "RsaSigner",
    "Signer",
    "signature_data",
    "signer_from_config",
    "verify_hmac",
    "verify_rsa",
]

#: previousSignature of the first transaction of a register (SIG-3: the literal "0").
FIRST_PREVIOUS = "0"


def signature_data(previous: str, at: datetime, nr: int | str, amount_in: int, amount_ex: int) -> str:
    """Build the string to sign for one transaction.

    Args:
        previous: Base64 signature of the register's previous transaction, or ``"0"``.
        at: Transaction date and time (local Norwegian time, seconds precision).
        nr: The transaction's ``nr`` (at most 35 characters).
        amount_in: transAmntIn in øre.
        amount_ex: transAmntEx in øre.
    """
    return f"{previous};{at:%Y-%m-%d};{at:%H:%M:%S};{nr};{format_amount(amount_in)};{format_amount(amount_ex)}"


class Signer(ABC):
    """Signs transaction data strings with one key version."""

    def __init__(self, key_version: str) -> None:
        self.key_version = key_version

    @abstractmethod
    def sign(self, data: str) -> str:
        """Return the base64 signature of ``data`` (UTF-8)."""


class RsaSigner(Signer):
    """RSA-SHA1 (PKCS#1 v1.5) with a 1024-bit private key."""

    def __init__(self, private_key_pem: bytes, key_version: str) -> None:
        super().__init__(key_version)
        key = serialization.load_pem_private_key(private_key_pem, password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ConfigError("[signing] the key file does not hold an RSA private key")
        if key.key_size != 1024:
            raise ConfigError(
                f"[signing] the RSA key has {key.key_size} bits; the SAF-T signature "
                "specification requires 1024 bits (openssl genrsa 1024)"
            )
        self._key = key

    @property
    def public_key_pem(self) -> bytes:
        """The public key in PEM (SubjectPublicKeyInfo), for the product declaration and verifiers."""
        return self._key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, data: str) -> str:
        """Return the base64 RSA-SHA1 signature of ``data``."""
        raw = self._key.sign(data.encode("utf-8"), padding.PKCS1v15(), hashes.SHA1())
        return base64.b64encode(raw).decode("ascii")


class HmacSigner(Signer):
    """HMAC-SHA1 with a 128-bit secret key."""

    def __init__(self, key: bytes, key_version: str) -> None:
        super().__init__(key_version)
        if len(key) != 16:
            raise ConfigError(f"[signing] HMAC key is {len(key)} bytes; HMAC-SHA1-128 needs 16")
        self._key = key

    def sign(self, data: str) -> str:
        """Return the base64 HMAC-SHA1 of ``data``."""
        return base64.b64encode(hmac.new(self._key, data.encode("utf-8"), hashlib.sha1).digest()).decode("ascii")


def signer_from_config(config: SigningConfig) -> Signer:
    """Create the signer a configuration describes."""
    if config.method == "rsa":
        return RsaSigner(config.private_key_pem, config.key_version)
    return HmacSigner(config.hmac_key, config.key_version)


def verify_rsa(public_key_pem: bytes, data: str, signature: str) -> bool:
    """Check an RSA-SHA1 signature against a PEM public key."""
    key = serialization.load_pem_public_key(public_key_pem)
    if not isinstance(key, rsa.RSAPublicKey):
        return False
    try:
        key.verify(base64.b64decode(signature), data.encode("utf-8"), padding.PKCS1v15(), hashes.SHA1())
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_hmac(key: bytes, data: str, signature: str) -> bool:
    """Check an HMAC-SHA1 signature."""
    expected = base64.b64encode(hmac.new(key, data.encode("utf-8"), hashlib.sha1).digest()).decode("ascii")
    return hmac.compare_digest(expected, signature)
