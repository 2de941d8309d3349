"""The signature chain: Skatteetaten's HMAC test vector, HMAC and RSA chains, key handling, key rotation.

The RSA cases use :mod:`bench.saft_synth`, which signs independently of the verifier and
switches from ``keyVersion`` 1 to 2 halfway through each register; the HMAC cases re-sign
Skatteetaten's example export with Skatteetaten's published HMAC test key.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import re
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from harness.cli import main
from harness.saft_spec import NAMESPACE
from harness.verify import FileResult, KeyRing, KeySpecError, Severity, VerifyOptions, verify_file
from harness.verify.signatures import SigJob, verify_batch

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "example_999999999_20210330104000.xml"
NAME = "SAF-T Cash Register_999999999_20210330104000.xml"
NS = {"s": NAMESPACE}

#: Skatteetaten's HMAC-SHA1 example (signature requirements, § 2.3.3)
VECTOR_DATA = "0;2016-11-24;10:39:00;2;1.00;0.96"
VECTOR_KEY = b"SkatteetatenSign"
VECTOR_KEY_B64 = "U2thdHRlZXRhdGVuU2lnbg=="
VECTOR_SIGNATURE = "iHh68DWCU3G42eL/7vOGUMSkvMM="
WHERE = ("K1", "2", "T2", 10, True)


def _verify(path: Path, ring: KeyRing, workers: int = 0) -> FileResult:
    return verify_file(path, VerifyOptions(keys=ring, workers=workers))


def _ids(result: FileResult) -> set[str]:
    return {f.rule.id for f in result.findings}


def _serious(result: FileResult) -> list[str]:
    return sorted(f.rule.id for f in result.findings if f.severity in (Severity.FATAL, Severity.ERROR))


def _sig_findings(result: FileResult) -> list[str]:
    return sorted(f.rule.id for f in result.findings if f.rule.id.startswith("SIG-"))


# --- Skatteetaten's test vector --------------------------------------------------------


def test_vector_is_what_hmac_sha1_gives() -> None:
    digest = hmac.new(VECTOR_KEY, VECTOR_DATA.encode(), hashlib.sha1).digest()
    assert base64.b64encode(digest).decode() == VECTOR_SIGNATURE
    assert base64.b64decode(VECTOR_KEY_B64) == VECTOR_KEY


def test_vector_verifies() -> None:
    ring = KeyRing()
    ring.add_hmac_key(VECTOR_KEY_B64)
    assert verify_batch(ring, [SigJob(VECTOR_DATA, "", VECTOR_SIGNATURE, "1", WHERE)]) == []


@pytest.mark.parametrize(
    ("data", "signature"),
    [
        ("0;2016-11-24;10:39:00;2;1.00;0.97", VECTOR_SIGNATURE),  # amount changed
        ("0;2016-11-24;10:39:01;2;1.00;0.96", VECTOR_SIGNATURE),  # time changed
        (VECTOR_DATA, "jHh68DWCU3G42eL/7vOGUMSkvMM="),  # signature changed
    ],
)
def test_vector_with_a_change_is_bad(data: str, signature: str) -> None:
    ring = KeyRing()
    ring.add_hmac_key(VECTOR_KEY_B64)
    [outcome] = verify_batch(ring, [SigJob(data, "", signature, "1", WHERE)])
    assert outcome.kind == "bad"
    assert outcome.detail == data
    assert outcome.where == WHERE and outcome.key_version == "1"


def test_batch_reports_form_missing_key_and_restart() -> None:
    ring = KeyRing()
    ring.add_hmac_key(f"1={VECTOR_KEY_B64}")
    restart_sig = VECTOR_SIGNATURE  # signed with previous "0" although the job's previous is another signature
    jobs = [
        SigJob(VECTOR_DATA, "", "not base64!", "1", WHERE),
        SigJob(VECTOR_DATA, "", base64.b64encode(b"x" * 19).decode(), "1", WHERE),
        SigJob(VECTOR_DATA, "", VECTOR_SIGNATURE, "2", WHERE),
        SigJob("abc" + VECTOR_DATA[1:], VECTOR_DATA, restart_sig, "1", WHERE),
    ]
    outcomes = verify_batch(ring, jobs)
    assert [o.kind for o in outcomes] == ["format", "format", "nokey", "restart"]
    assert "19 bytes" in outcomes[1].detail


# --- an HMAC-signed chain: Skatteetaten's example re-signed -----------------------------


def _resign(secret: bytes, edit: str = "") -> bytes:
    """The example with its four transactions signed in order with ``secret`` (HMAC-SHA1)."""
    tree = etree.parse(str(EXAMPLE))
    previous = "0"
    for tx in tree.findall(".//s:cashtransaction", NS):
        fields = [str(tx.findtext(f"s:{name}", namespaces=NS)).strip() for name in ("transDate", "transTime", "nr")]
        amounts = [
            f"{float(str(tx.findtext(f's:{name}', namespaces=NS))):.2f}" for name in ("transAmntIn", "transAmntEx")
        ]
        data = ";".join([previous, *fields, *amounts])
        signature = base64.b64encode(hmac.new(secret, data.encode(), hashlib.sha1).digest()).decode()
        node = tx.find("s:signature", NS)
        assert node is not None
        node.text = signature
        previous = signature
    if edit == "time of 1001":
        tx = tree.find(".//s:cashtransaction[s:nr='1001']", NS)
        assert tx is not None
        time_node = tx.find("s:transTime", NS)
        assert time_node is not None and time_node.text == "09:15:00"
        time_node.text = "09:15:01"
    elif edit == "remove 1001":
        tx = tree.find(".//s:cashtransaction[s:nr='1001']", NS)
        assert tx is not None
        parent = tx.getparent()
        assert parent is not None
        parent.remove(tx)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


@pytest.fixture(scope="module")
def hmac_signed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hmac") / NAME
    path.write_bytes(_resign(VECTOR_KEY))
    return path


def test_first_resigned_signature_matches_an_independent_computation(hmac_signed: Path) -> None:
    first = etree.parse(str(hmac_signed)).find(".//s:cashtransaction", NS)
    assert first is not None
    data = "0;2020-01-01;09:00:00;1000;86.40;75.12"
    expected = base64.b64encode(hmac.new(VECTOR_KEY, data.encode(), hashlib.sha1).digest()).decode()
    assert first.findtext("s:signature", namespaces=NS) == expected


@pytest.mark.parametrize("spec", [VECTOR_KEY_B64, f"1={VECTOR_KEY_B64}"])
def test_hmac_chain_verifies(hmac_signed: Path, spec: str) -> None:
    ring = KeyRing()
    ring.add_hmac_key(spec)
    result = _verify(hmac_signed, ring)
    assert result.usable
    assert _sig_findings(result) == []
    assert _serious(result) == []
    assert _ids(result) == {"Z-COUNT"}  # the example's counting convention, see docs/verify-example.md


def test_hmac_chain_with_another_key_does_not_verify(hmac_signed: Path) -> None:
    ring = KeyRing()
    ring.add_hmac_key(base64.b64encode(b"AnotherSecret16b").decode())
    result = _verify(hmac_signed, ring)
    by_rule = {f.rule.id: f for f in result.findings}
    assert by_rule["SIG-VERIFY"].count == 3
    assert by_rule["SIG-VERIFY"].severity is Severity.ERROR
    assert by_rule["SIG-START"].location.nr == "1000"  # the first nr is 1000, so the chain may start earlier


def test_hmac_chain_from_the_command_line(hmac_signed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", str(hmac_signed), "--hmac-key", VECTOR_KEY_B64, "--json", "--workers", "0"])
    document = json.loads(capsys.readouterr().out)
    rules = [f["rule"] for f in document["files"][0]["findings"]]
    assert code == 1  # the example's Z-COUNT warnings
    assert not [r for r in rules if r.startswith("SIG-")]
    code = main(["verify", str(hmac_signed), "--hmac-key", "QW5vdGhlclNlY3JldDE2Yg==", "--json", "--workers", "0"])
    document = json.loads(capsys.readouterr().out)
    assert code == 1
    assert "SIG-VERIFY" in [f["rule"] for f in document["files"][0]["findings"]]


@pytest.mark.parametrize(("edit", "nr"), [("time of 1001", "1001"), ("remove 1001", "1002")])
def test_hmac_chain_finds_the_changed_transaction(tmp_path: Path, edit: str, nr: str) -> None:
    """A changed field breaks its own signature; a removed transaction breaks the next one's."""
    path = tmp_path / NAME
    path.write_bytes(_resign(VECTOR_KEY, edit))
    ring = KeyRing()
    ring.add_hmac_key(VECTOR_KEY_B64)
    result = _verify(path, ring)
    [finding] = [f for f in result.findings if f.rule.id.startswith("SIG-")]
    assert finding.rule.id == "SIG-VERIFY"
    assert finding.count == 1
    assert finding.location.nr == nr


# --- key handling ----------------------------------------------------------------------


def _public_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def test_rsa_2048_is_refused(tmp_path: Path) -> None:
    pem = tmp_path / "big.pem"
    pem.write_bytes(_public_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)))
    with pytest.raises(KeySpecError, match="1024") as caught:
        KeyRing().add_public_key(str(pem))
    assert "2048" in str(caught.value)


def test_missing_key_file(tmp_path: Path) -> None:
    with pytest.raises(KeySpecError, match="cannot read"):
        KeyRing().add_public_key(str(tmp_path / "nope.pem"))
    with pytest.raises(KeySpecError, match="cannot read"):
        KeyRing().add_public_key(f"1={tmp_path / 'nope.pem'}")


@pytest.mark.parametrize(
    "content",
    [b"hello", b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", b""],
)
def test_not_a_pem(tmp_path: Path, content: bytes) -> None:
    pem = tmp_path / "key.pem"
    pem.write_bytes(content)
    with pytest.raises(KeySpecError, match="not a PEM"):
        KeyRing().add_public_key(str(pem))


def test_ec_key_is_refused(tmp_path: Path) -> None:
    pem = tmp_path / "ec.pem"
    pem.write_bytes(_public_pem(ec.generate_private_key(ec.SECP256R1())))
    with pytest.raises(KeySpecError, match="not an RSA key"):
        KeyRing().add_public_key(str(pem))


def test_certificate_is_accepted_and_odd_exponent_noted(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=3, key_size=1024)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kasse")])
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = tmp_path / "cert.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    ring = KeyRing()
    ring.add_public_key(f"3={pem}")
    assert list(ring.rsa) == ["3"] and len(ring.rsa["3"]) == 1
    assert len(ring.warnings) == 1 and "exponent 3" in ring.warnings[0]


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        (base64.b64encode(b"0123456789").decode(), "10 bytes"),
        ("1=" + base64.b64encode(b"0123456789").decode(), "10 bytes"),
        (base64.b64encode(b"x" * 32).decode(), "32 bytes"),
        ("not base64!", "not base64"),
        ("", "0 bytes"),
    ],
)
def test_bad_hmac_key(spec: str, match: str) -> None:
    with pytest.raises(KeySpecError, match=match):
        KeyRing().add_hmac_key(spec)


def test_versioned_specs(tmp_path: Path, synth: dict[str, Path]) -> None:
    ring = KeyRing()
    ring.add_public_key(f"1={synth['key1']}")
    ring.add_public_key(str(synth["key2"]))
    ring.add_hmac_key(f"2={VECTOR_KEY_B64}")
    ring.add_hmac_key("QW5vdGhlclNlY3JldDE2Yg==")
    assert sorted(ring.rsa) == ["", "1"]
    assert sorted(ring.hmac) == ["", "2"]
    assert ring.hmac["2"] == [VECTOR_KEY]
    assert ring.hmac[""] == [b"AnotherSecret16b"]
    assert [kind for kind, _key in ring.candidates("1")] == ["rsa"]
    assert [kind for kind, _key in ring.candidates("2")] == ["hmac"]
    assert [kind for kind, _key in ring.candidates("7")] == ["rsa", "hmac"]  # the unversioned keys
    assert not KeyRing() and ring


def test_file_named_like_a_version_spec_is_a_file(tmp_path: Path, synth: dict[str, Path]) -> None:
    odd = tmp_path / "5=key.pem"
    odd.write_bytes(synth["key1"].read_bytes())
    ring = KeyRing()
    ring.add_public_key(str(odd))
    assert list(ring.rsa) == [""]


# --- key rotation and the worker pool: RSA chains from bench/saft_synth.py ---------------


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A signed export of 4 registers x 100 transactions; keyVersion 2 from nr 51 of each register."""
    from bench.saft_synth import SynthSpec, generate, write_keys

    folder = tmp_path_factory.mktemp("synth")
    key1, key2 = write_keys(folder)
    export = folder / "SAF-T Cash Register_999999999_20250101235959.xml"
    generate(export, SynthSpec(transactions=400), folder / "key1.pem", folder / "key2.pem", workers=2)
    return {"export": export, "key1": key1, "key2": key2}


def _ring(*specs: str) -> KeyRing:
    ring = KeyRing()
    for spec in specs:
        ring.add_public_key(spec)
    return ring


def test_synthetic_export_rotates_keys(synth: dict[str, Path]) -> None:
    versions = re.findall(r"<nr>(\d+)</nr><transID>K1-\d+</transID>.*?<keyVersion>(\d)</keyVersion>",
                          synth["export"].read_text(encoding="utf-8"))  # fmt: skip
    assert len(versions) == 100
    assert {nr for nr, v in versions if v == "1"} == {str(n) for n in range(1, 51)}
    assert {nr for nr, v in versions if v == "2"} == {str(n) for n in range(51, 101)}


@pytest.mark.parametrize("how", ["versioned", "unversioned"])
def test_rotation_with_both_keys_is_clean(synth: dict[str, Path], how: str) -> None:
    specs = (f"1={synth['key1']}", f"2={synth['key2']}")
    if how == "unversioned":
        specs = (str(synth["key2"]), str(synth["key1"]))
    result = _verify(synth["export"], _ring(*specs))
    assert result.transactions == 400
    assert result.findings == []


def test_rotation_with_only_the_first_key(synth: dict[str, Path]) -> None:
    result = _verify(synth["export"], _ring(f"1={synth['key1']}"))
    no_key = [f for f in result.findings if f.rule.id == "SIG-NO-KEY"]
    assert _sig_findings(result) == ["SIG-NO-KEY"] * 4  # one per register
    assert sorted(f.location.register for f in no_key) == ["K1", "K2", "K3", "K4"]
    assert all(f.count == 50 and f.values["key_version"] == "2" for f in no_key)
    assert all(f.location.nr == "51" for f in no_key)


def test_rotation_with_the_keys_swapped(synth: dict[str, Path]) -> None:
    result = _verify(synth["export"], _ring(f"1={synth['key2']}", f"2={synth['key1']}"))
    bad = [f for f in result.findings if f.rule.id == "SIG-VERIFY"]
    assert _sig_findings(result) == ["SIG-VERIFY"] * 4
    assert all(f.count == 100 for f in bad)
    assert all(f.location.nr == "1" and f.values["data"].startswith("0;2025-01-01;") for f in bad)


def _corrupted(source: Path, folder: Path, index: int = 10) -> Path:
    text = source.read_text(encoding="utf-8")
    match = list(re.finditer(r"<signature>([^<]+)</signature>", text))[index]
    old = match.group(1)
    new = old[:5] + ("B" if old[5] != "B" else "C") + old[6:]
    folder.mkdir(exist_ok=True)
    path = folder / source.name
    path.write_text(text[: match.start(1)] + new + text[match.end(1) :], encoding="utf-8")
    return path


def _summary(result: FileResult) -> list[tuple[str, str, int, tuple[str, ...]]]:
    return sorted((f.rule.id, f.location.register, f.count, tuple(s.nr for s in f.samples)) for f in result.findings)


@pytest.mark.parametrize("keys", ["both", "only 1", "swapped"])
def test_worker_pool_gives_the_same_findings(synth: dict[str, Path], keys: str) -> None:
    specs = {
        "both": (f"1={synth['key1']}", f"2={synth['key2']}"),
        "only 1": (f"1={synth['key1']}",),
        "swapped": (f"1={synth['key2']}", f"2={synth['key1']}"),
    }[keys]
    inline = _verify(synth["export"], _ring(*specs), workers=0)
    pooled = _verify(synth["export"], _ring(*specs), workers=2)
    assert {f.rule.id for f in pooled.findings} == {f.rule.id for f in inline.findings}
    assert _summary(pooled) == _summary(inline)


@pytest.mark.parametrize("workers", [0, 2])
def test_corrupted_signature_is_found(tmp_path: Path, synth: dict[str, Path], workers: int) -> None:
    """The 11th signature of register K1 altered: it fails, and so does nr 12, chained over it."""
    path = _corrupted(synth["export"], tmp_path / "corrupt")
    result = _verify(path, _ring(f"1={synth['key1']}", f"2={synth['key2']}"), workers=workers)
    [finding] = result.findings
    assert finding.rule.id == "SIG-VERIFY"
    assert finding.location.register == "K1"
    assert [s.nr for s in finding.samples] == ["11", "12"]
    assert finding.count == 2
