"""Skatteetaten's signature requirements for cash transactions: the checks.

Every step rebuilds the signed string from the exported fields
(:func:`features.steps.reconcile.signed_string`) and verifies it with the key the
capability profile declares (:func:`features.steps.reconcile.verifies`, ``cryptography``);
the harness's verifier is consulted only where a step names its rules.
"""

from __future__ import annotations

import re
from itertools import pairwise

from pytest_bdd import parsers, scenarios, then

from features.steps.operate import Scene
from features.steps.reconcile import *  # noqa: F403  (the journal step family and its fixture)
from features.steps.reconcile import (
    FIRST_PREVIOUS,
    Exports,
    chain_problems,
    profile_key_size,
    signature_bytes,
    signed_string,
    verifies,
)
from harness.journal_export import JournalExport
from harness.profile import Profile
from harness.verify.records import Transaction

scenarios("saft_sig.feature")

#: Skatteetaten's signature requirements: method -> (key size in bits, signature length in bytes).
METHODS = {"RSA-SHA1-1024": (1024, 128), "HMAC-SHA1-128": (128, 20)}
#: The form of each signed field (transDate, transTime 24 h, nr, amounts with a point and two decimals).
FIELD_FORMS = {
    "transDate": re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"),
    "transTime": re.compile(r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$"),
    "nr": re.compile(r"^[^;]{1,35}$"),
    "transAmntIn": re.compile(r"^-?\d+\.\d{2}$"),
    "transAmntEx": re.compile(r"^-?\d+\.\d{2}$"),
}


def _previous(export: JournalExport, t: Transaction) -> str:
    """The signature of the transaction before ``t`` on its kassapunkt, ``"0"`` for the first."""
    chain = export.transactions_of(t.register)
    index = chain.index(t)
    return chain[index - 1].signature if index else FIRST_PREVIOUS


def _profile(scene: Scene) -> Profile:
    assert scene.profile is not None, "the scene has no profile"
    return scene.profile


# --- saft_sig ---------------------------------------------------------------------------------


@then(parsers.parse("every cash transaction carries a signature and a keyVersion, the {kind} included"))
def all_signed(exports: Exports, kind: str) -> None:
    """Signature requirements, XSD: signature and keyVersion are mandatory on every cashtransaction."""
    export = exports.latest()
    flag = {"void": "void", "training sale": "training"}[kind]
    assert any(getattr(t, flag) for t in export.transactions), f"the journal holds no {kind} transaction"
    unsigned = [
        f"{t.register} nr {t.nr} ({t.trans_id}): signature {t.signature[:12]!r}…, keyVersion {t.key_version!r}"
        for t in export.transactions
        if not t.key_version or signature_bytes(t.signature) in (None, b"")
    ]
    assert not unsigned, "transactions without a signature or keyVersion:\n" + "\n".join(unsigned)


# --- saft_sig_data ----------------------------------------------------------------------------


@then("every signed field has the form the signature requirements give it")
def field_forms(exports: Exports) -> None:
    """Signed data: transDate YYYY-MM-DD, transTime HH:MM:SS (24 h), nr ≤ 35 characters, amounts 0.00."""
    export = exports.latest()
    problems = []
    for t in export.transactions:
        values = {
            "transDate": t.date,
            "transTime": t.time,
            "nr": t.nr,
            "transAmntIn": t.raw_in,
            "transAmntEx": t.raw_ex,
        }
        problems += [
            f"{t.register} {t.trans_id}: {name} {value!r}"
            for name, value in values.items()
            if not FIELD_FORMS[name].match(value)
        ]
    assert export.transactions, "the journal holds no cash transaction"
    assert not problems, "fields in another form than the signed string needs:\n" + "\n".join(problems)


@then("every signature verifies over the string rebuilt from its transaction and the one before")
def strings_verify(exports: Exports, scene: Scene) -> None:
    """Signed data: previousSignature;transDate;transTime;nr;transAmntIn;transAmntEx, verified with the profile key."""
    export = exports.latest()
    assert export.transactions, "the journal holds no cash transaction"
    problems = chain_problems(export, _profile(scene))
    assert not problems, "signatures that do not sign their rebuilt string:\n" + "\n".join(problems)


@then("the return is signed over its amounts with a leading minus")
def negative_signed(exports: Exports, scene: Scene) -> None:
    """Signed data: amounts keep their sign (validator pattern ``^-?[0-9]+[.]([0-9]{2})?$``)."""
    export = exports.latest()
    t = export.transaction(scene.last_sale.trans_id)
    assert t.raw_in.startswith("-") and t.raw_ex.startswith("-"), f"{t.trans_id}: amounts {t.raw_in} / {t.raw_ex}"
    data = signed_string(_previous(export, t), t)
    assert verifies(_profile(scene), data, t.signature, t.key_version), f"{t.trans_id} does not sign {data!r}"


# --- saft_sig_start ---------------------------------------------------------------------------


@then(parsers.parse('the first transaction of each kassapunkt verifies with previous signature "{previous}"'))
def first_over_zero(exports: Exports, scene: Scene, previous: str) -> None:
    """Signature requirements (Skatteetaten's validator): a chain starts with the literal ``0``."""
    export = exports.latest()
    registers = list(dict.fromkeys(t.register for t in export.transactions))
    assert len(registers) >= 2, f"transactions on {registers} only; the scenario sells on two kassapunkter"
    for register in registers:
        first = export.transactions_of(register)[0]
        data = signed_string(previous, first)
        assert verifies(_profile(scene), data, first.signature, first.key_version), (
            f"{register}: the first transaction {first.trans_id} does not sign {data!r}"
        )


@then(parsers.parse('no later transaction verifies with previous signature "{previous}"'))
def later_not_over_zero(exports: Exports, scene: Scene, previous: str) -> None:
    """Signature requirements: only the first transaction starts the chain; a restart hides what came before."""
    export = exports.latest()
    later = [t for t in export.transactions if export.transactions_of(t.register).index(t) > 0]
    assert later, "no kassapunkt has a second transaction"
    restarted = [
        t.trans_id for t in later if verifies(_profile(scene), signed_string(previous, t), t.signature, t.key_version)
    ]
    assert not restarted, f"the chain starts again at {', '.join(restarted)}"


# --- saft_sig_chain ---------------------------------------------------------------------------


@then("each transaction is chained to the previous transaction of its own kassapunkt, not to the other's")
def chained_per_register(exports: Exports, scene: Scene) -> None:
    """Signature requirements (vendor documentation): previousSignature is that of the same registerID's last one."""
    export = exports.latest()
    profile = _profile(scene)
    in_time = sorted(export.transactions, key=lambda t: (t.date, t.time))
    interleaved = 0
    for before, t in pairwise(in_time):
        own = _previous(export, t)
        if own != FIRST_PREVIOUS:
            assert verifies(profile, signed_string(own, t), t.signature, t.key_version), (
                f"{t.register} {t.trans_id} is not chained to its kassapunkt's previous transaction"
            )
        if before.register != t.register:
            interleaved += 1
            wrong = signed_string(before.signature, t)
            assert not verifies(profile, wrong, t.signature, t.key_version), (
                f"{t.register} {t.trans_id} is chained to {before.register} {before.trans_id}, another kassapunkt"
            )
    assert interleaved >= 2, "the kassapunkter did not sell in turn: " + ", ".join(t.trans_id for t in in_time)


@then("the sale after the restart is chained to the sale before it")
def chained_over_restart(exports: Exports, scene: Scene) -> None:
    """Signature requirements: a restart of the program does not restart the chain."""
    export = exports.latest()
    assert len(scene.sales) == 2, f"{len(scene.sales)} sales concluded, expected one before and one after"
    before, after = (export.transaction(s.trans_id) for s in scene.sales)
    data = signed_string(before.signature, after)
    assert after.register == before.register and verifies(_profile(scene), data, after.signature, after.key_version), (
        f"{after.trans_id} does not sign {data!r}: the chain did not go on from {before.trans_id}"
    )


# --- saft_sig_method, saft_sig_key --------------------------------------------------------------


@then("the profile declares an allowed signature method with a key of its size")
def method_and_key_size(profile: Profile) -> None:
    """Signature requirements: RSA-SHA1 with a 1024-bit key, or HMAC-SHA1 with a 128-bit key."""
    assert profile.signature_method in METHODS, f"method {profile.signature_method!r}; allowed: {', '.join(METHODS)}"
    bits = METHODS[profile.signature_method][0]
    sizes = {version: profile_key_size(profile, version) for version in profile.keys}
    assert sizes and all(size == bits for size in sizes.values()), f"key sizes {sizes}, {bits} bits required"


@then("every signature is base64 of the method's signature length and verifies with SHA-1")
def signature_length(exports: Exports, scene: Scene) -> None:
    """Signature requirements: the base64 signature decodes to 128 bytes (RSA-1024) or 20 (HMAC-SHA1)."""
    export = exports.latest()
    profile = _profile(scene)
    length = METHODS[profile.signature_method][1]
    wrong = [
        f"{t.trans_id}: {len(raw) if raw is not None else 'not base64'}"
        for t in export.transactions
        if (raw := signature_bytes(t.signature)) is None or len(raw) != length
    ]
    assert export.transactions and not wrong, f"signatures that are not {length} bytes: {', '.join(wrong)}"
    problems = chain_problems(export, profile)
    assert not problems, "\n".join(problems)


@then("every keyVersion in the export is declared in the profile and verifies its signatures")
def key_versions(exports: Exports, scene: Scene) -> None:
    """Signature requirements, produktfråsegn: keyVersion names a declared key, and that key verifies."""
    export = exports.latest()
    profile = _profile(scene)
    used = {t.key_version for t in export.transactions}
    assert used and used <= set(profile.keys), (
        f"keyVersions {sorted(used)}; the profile declares {sorted(profile.keys)}"
    )
    in_time = sorted(export.transactions, key=lambda t: (t.date, t.time))
    # the key question only: the signature verifies with its key over the string chained either way
    unverified = [
        f"{t.trans_id} (keyVersion {t.key_version})"
        for i, t in enumerate(in_time)
        if not any(
            verifies(profile, signed_string(previous, t), t.signature, t.key_version)
            for previous in {_previous(export, t), FIRST_PREVIOUS, in_time[i - 1].signature if i else FIRST_PREVIOUS}
        )
    ]
    assert not unverified, "signatures the declared key does not verify: " + ", ".join(unverified)
