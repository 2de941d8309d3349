"""Keys and parallel verification of the signature chain (the SAF-T signature requirements).

Skatteetaten's "Requirements and guidelines for implementing digital signatures in Cash
Register Systems" (§ 2.2.4 RSA, § 2.3.3 HMAC): each ``cashtransaction`` is signed over
``previousSignature;transDate;transTime;nr;transAmntIn;transAmntEx`` with the literal
``0`` before a register's first transaction, RSA-SHA1 with a 1024-bit key (PKCS#1 v1.5)
or HMAC-SHA1 with a 128-bit key, base64, and ``keyVersion`` naming the key.

The reader builds each data string in file order (it needs only the previous
transaction's signature text) and collects :class:`SigJob` batches; :func:`verify_batch`
checks one batch and runs in worker processes, so signatures are verified on every core
while the main process goes on reading. A key given without a version is tried on the
first signature of each key version that has no key of its own, and kept for the
version where it verifies.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from harness.verify.findings import FindingLog, Location

__all__ = ["KeyRing", "KeySpecError", "SigJob", "SigOutcome", "decode_signature", "report_outcomes", "verify_batch"]

_SHA1 = hashes.SHA1()
_PKCS1 = padding.PKCS1v15()


class KeySpecError(ValueError):
    """A key given on the command line cannot be used; the message says how to fix it."""


class SigJob(NamedTuple):
    """One signature to verify."""

    data: str
    first_data: str  #: the same transaction's data with previous "0" (restart diagnosis), or ""
    signature: str
    key_version: str
    where: tuple[str, str, str, int, bool]  #: register, nr, transID, line, first of its register in the file


class SigOutcome(NamedTuple):
    """A signature that did not verify as expected."""

    where: tuple[str, str, str, int, bool]
    kind: str  #: "bad" (does not verify), "restart" (verifies only with "0"), "format", "nokey"
    detail: str  #: the data string ("bad") or what is wrong with the form ("format")
    key_version: str


@dataclass
class KeyRing:
    """The keys to verify with.

    Attributes:
        rsa: PEM public keys per key version (``""`` = any version).
        hmac: HMAC secrets per key version (``""`` = any version).
        warnings: Notes on the keys (public exponent other than 65537).
    """

    rsa: dict[str, list[bytes]] = field(default_factory=dict)
    hmac: dict[str, list[bytes]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.rsa or self.hmac)

    def add_public_key(self, spec: str) -> None:
        """Add ``[VERSION=]FILE`` (a PEM public key or certificate).

        Raises:
            KeySpecError: The file is missing or not an RSA-1024 public key.
        """
        head, sep, tail = spec.partition("=")
        version, name = (head, tail) if sep and not Path(spec).exists() else ("", spec)
        path = Path(name)
        try:
            pem = path.read_bytes()
        except OSError as exc:
            raise KeySpecError(f"--public-key {spec}: cannot read {name}: {exc.strerror or exc}") from None
        key = _load_public(pem, spec)
        if key.key_size != 1024:
            raise KeySpecError(
                f"--public-key {spec}: the key has {key.key_size} bits; the SAF-T signature requirements "
                "specify RSA with a 1024-bit key"
            )
        exponent = key.public_numbers().e
        if exponent != 65537:
            self.warnings.append(f"--public-key {spec}: public exponent {exponent}, 65537 is recommended")
        der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        self.rsa.setdefault(version, []).append(der)

    def add_hmac_key(self, spec: str) -> None:
        """Add ``[VERSION=]BASE64`` (a 16-byte HMAC-SHA1 secret).

        Raises:
            KeySpecError: Not base64, or not 16 bytes.
        """
        head, sep, tail = spec.partition("=")
        version, text = (head, tail) if sep and tail.strip("=") else ("", spec)
        try:
            key = base64.b64decode(text, validate=True)
        except binascii.Error:
            raise KeySpecError(f"--hmac-key {spec}: not base64 (give the 16-byte secret base64-encoded)") from None
        if len(key) != 16:
            raise KeySpecError(f"--hmac-key {spec}: {len(key)} bytes; HMAC-SHA1-128 uses a 16-byte (128-bit) secret")
        self.hmac.setdefault(version, []).append(key)

    def candidates(self, key_version: str) -> list[tuple[str, bytes]]:
        """Keys to try for ``key_version``: its own first, then the unversioned ones."""
        found = [("rsa", k) for k in self.rsa.get(key_version, [])] + [
            ("hmac", k) for k in self.hmac.get(key_version, [])
        ]
        if found:
            return found
        return [("rsa", k) for k in self.rsa.get("", [])] + [("hmac", k) for k in self.hmac.get("", [])]


def _load_public(pem: bytes, spec: str) -> rsa.RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError:
        try:
            from cryptography import x509

            key = x509.load_pem_x509_certificate(pem).public_key()
        except ValueError:
            raise KeySpecError(
                f"--public-key {spec}: not a PEM public key or certificate "
                "(openssl rsa -in private.pem -pubout > public.pem)"
            ) from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise KeySpecError(f"--public-key {spec}: not an RSA key; SAF-T signatures use RSA-SHA1 or HMAC-SHA1")
    return key


class _Verifier:
    """Verifies signatures with the keys of one key version, loaded once per process."""

    def __init__(self, keys: list[tuple[str, bytes]]) -> None:
        self.rsa = [serialization.load_der_public_key(k) for kind, k in keys if kind == "rsa"]
        self.hmac = [k for kind, k in keys if kind == "hmac"]
        self.chosen: tuple[str, object] | None = None

    def check(self, data: str, raw: bytes) -> bool:
        message = data.encode("utf-8")
        if self.chosen is not None:
            return _check_one(self.chosen, message, raw)
        for key in self.rsa:
            if _check_one(("rsa", key), message, raw):
                self.chosen = ("rsa", key)
                return True
        for secret in self.hmac:
            if _check_one(("hmac", secret), message, raw):
                self.chosen = ("hmac", secret)
                return True
        return False


def _check_one(key: tuple[str, object], message: bytes, raw: bytes) -> bool:
    kind, material = key
    if kind == "hmac":
        assert isinstance(material, bytes)
        return hmac.compare_digest(hmac.new(material, message, hashlib.sha1).digest(), raw)
    assert isinstance(material, rsa.RSAPublicKey)
    try:
        material.verify(raw, message, _PKCS1, _SHA1)
    except InvalidSignature:
        return False
    return True


def decode_signature(signature: str) -> bytes | str:
    """Return the signature's bytes, or what is wrong with its form (``SIG-FORMAT``)."""
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return "is not valid base64"
    if len(raw) not in (128, 20):
        return f"decodes to {len(raw)} bytes, not 128 (RSA-1024) or 20 (HMAC-SHA1)"
    return raw


def verify_batch(ring: KeyRing, jobs: list[SigJob]) -> list[SigOutcome]:
    """Verify a batch; return only the signatures that are not in order.

    Runs in a worker process: everything it needs travels with the call.
    """
    verifiers: dict[str, _Verifier | None] = {}
    bad: list[SigOutcome] = []
    for job in jobs:
        raw = decode_signature(job.signature)
        if isinstance(raw, str):
            bad.append(SigOutcome(job.where, "format", raw, job.key_version))
            continue
        verifier = verifiers.get(job.key_version)
        if job.key_version not in verifiers:
            keys = ring.candidates(job.key_version)
            verifier = _Verifier(keys) if keys else None
            verifiers[job.key_version] = verifier
        if verifier is None:
            bad.append(SigOutcome(job.where, "nokey", "", job.key_version))
            continue
        if verifier.check(job.data, raw):
            continue
        if job.first_data and verifier.check(job.first_data, raw):
            bad.append(SigOutcome(job.where, "restart", "", job.key_version))
            continue
        bad.append(SigOutcome(job.where, "bad", job.data, job.key_version))
    return bad


def report_outcomes(outcomes: list[SigOutcome], log: FindingLog) -> None:
    """Turn the signatures that failed into findings (``SIG-FORMAT``, ``SIG-NO-KEY``, ``SIG-RESTART``, …)."""
    for outcome in outcomes:
        register, nr, trans_id, line, first = outcome.where
        loc = Location(register=register, nr=nr, trans_id=trans_id, path="cashtransaction/signature", line=line)
        if outcome.kind == "format":
            log.add("SIG-FORMAT", loc, problem=outcome.detail)
        elif outcome.kind == "nokey":
            log.add("SIG-NO-KEY", loc, group=outcome.key_version, key_version=outcome.key_version)
        elif outcome.kind == "restart":
            log.add("SIG-RESTART", loc, nr=nr)
        elif first and nr.strip() not in ("1", "0"):
            log.add("SIG-START", loc, nr=nr)
        else:
            log.add("SIG-VERIFY", loc, key_version=outcome.key_version, data=outcome.detail)
