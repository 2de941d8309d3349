"""The draft product declaration (produktfråsegn, Altinn form RF-1348) in the compliance report.

Before a cash register system is offered, its supplier files a produktfråsegn with the
tax office stating that the system meets kassasystemlova and kassasystemforskrifta
(kassasystemlova § 5, kassasystemforskrifta kapittel 3), in Altinn as form RF-1348; only
suppliers (kassasystemlova § 2 bokstav e) file it, and a new version that changes
functionality or structure needs a new one. :func:`draft` prepares what the supplier
copies into the form, from the capability profile the run archived
(:meth:`harness.profile.Profile.to_json`) and the run's clause verdicts:

* **fields**: what RF-1348 asks (supplier, producer, model, version, the system's ID
  number, integration with a cash drawer, signature method and keys, and the declaration
  of compliance itself). Each says where its value comes from: ``"profile"`` (declared),
  ``"evidence"`` (declared and borne out by the run's verdicts) or ``"supplier"`` (blank,
  to be filled in by hand).
* **statements**: what the declaration asserts about the system, one sentence per
  functional requirement, each linked to the clauses of ``features/clauses.toml`` and the
  scenarios that back it, with the worst verdict among them.

The result is plain JSON (no dates, no sets), the same for the same input, so an archived
run renders the same draft again.

The form's exact wording is not verified here (requirements catalogue PD-2, PD-3): the
field list follows what the catalogue says RF-1348 holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from harness.clauses import Registry

__all__ = ["ROLES", "draft"]

#: The supplier roles of kassasystemlova § 2 bokstav e (``[supplier] role`` in the profile),
#: with how the report names them.
ROLES: dict[str, dict[str, str]] = {
    "manufacturer": {"nb": "produsent", "en": "manufacturer"},
    "importer": {"nb": "importør", "en": "importer"},
    "dealer": {"nb": "forhandler", "en": "dealer"},
    "adapter": {
        "nb": "annen som tilpasser kassasystemet for en bestemt virksomhet",
        "en": "other party adapting the system for a particular business",
    },
}

# Worst first; a statement takes the worst verdict of its clauses.
_RANK = {
    "FAIL": 6,
    "KNOWN DEVIATION": 5,
    "NOT AUTOMATED": 4,
    "NOT TESTED": 3,
    "DOCUMENTATION REVIEW": 2,
    "PASS": 1,
    "NOT APPLICABLE": 0,
}
# The verdicts a supplier may still declare compliance on (documentation review is the
# supplier's own check of the systembeskriving, produktfråsegn and statements).
_ALLOWS = frozenset({"PASS", "NOT APPLICABLE", "DOCUMENTATION REVIEW"})

_TITLE = {
    "nb": "Systemleverandørens produktfråsegn for kassasystem",
    "en": "System supplier's product declaration for cash register systems",
}
_TO_FILL = {"nb": "Fylles ut av leverandøren.", "en": "To be filled in by the supplier."}


@dataclass(frozen=True, slots=True)
class _Statement:
    id: str
    nb: str
    en: str
    clauses: tuple[str, ...]


_X_LETTERS = tuple(f"ksf_2_8_2_{letter}" for letter in "abcdefghijklmnopqrstuvwxyz")

#: What the declaration asserts, in the order of the regulation.
_STATEMENTS: tuple[_Statement, ...] = (
    # kassasystemlova § 3 første ledd, § 2 bokstav f; kassasystemforskrifta § 2-8-2 bokstav d.
    _Statement(
        "identification",
        "Modell, type, versjon og «kassasystemet sitt ID-nummer» er lett tilgjengelige, "
        "og ID-nummeret står på X- og Z-rapportene.",
        "Model, type, version and the system's ID number («kassasystemet sitt ID-nummer») are "
        "easily accessible, and the ID number is shown on the X and Z reports.",
        ("ksl_3_l1", "ksl_2_f", "ksf_2_8_2_d"),
    ),
    # kassasystemlova § 3 andre ledd; kassasystemforskrifta § 2-6 første ledd.
    _Statement(
        "documentation",
        "Det finnes en «systembeskriving» av kassasystemets oppbygning og alle funksjoner, som "
        "følger systemet, og programvaren har ingen funksjoner utover dem som er beskrevet der.",
        "A system description («systembeskriving») of the system's structure and all its "
        "functions exists and accompanies the system, and the software has no functions "
        "beyond those it describes.",
        ("ksl_3_l2", "ksf_2_6_l1"),
    ),
    # kassasystemforskrifta § 2-3 første ledd, § 2-6 fjerde ledd, § 2-8-4;
    # bokføringsforskrifta § 5-3-5 første ledd, § 5-3-12 første ledd.
    _Statement(
        "sales_receipt",
        "Kassasystemet skriver ut «salskvittering» for hvert salg, og et salg kan ikke avsluttes "
        "uten at den skrives ut; hvert kassapunkt har en skriver til kvitteringer og rapporter.",
        "The system prints a sales receipt («salskvittering») for every sale, and a sale cannot "
        "be concluded without it; every kassapunkt has a printer for its receipts and reports.",
        ("ksf_2_3_l1", "ksf_2_6_l4", "ksf_2_8_4", "ksf_2_8_4_content", "bff_5_3_5_l1", "bff_5_3_12_l1"),
    ),
    # kassasystemforskrifta § 2-6 fjerde ledd («meir enn éi kopikvittering»), § 2-8-6.
    _Statement(
        "copy_receipt",
        "Det kan skrives ut høyst én «kopikvittering» per salg, papir og elektronisk til sammen, "
        "og den er merket «KOPI» med minst 50 % større skrift enn beløpet.",
        "At most one copy receipt («kopikvittering») can be printed per sale, paper and "
        "electronic together, and it is marked «KOPI» in a font at least 50 % larger than the amount.",
        ("ksf_2_6_l4", "ksf_2_8_6", "ksf_2_8_6_font"),
    ),
    # kassasystemforskrifta § 2-8-5, § 2-5 (positive and negative amounts).
    _Statement(
        "return_receipt",
        "Returer skrives ut på «returkvittering», og positive og negative beløp holdes atskilt "
        "på kvitteringer, rapporter og i journalen.",
        "Returns are printed on a return receipt («returkvittering»), and positive and negative "
        "amounts are kept apart on receipts, reports and in the journal.",
        ("ksf_2_8_5", "ksf_2_5_negative"),
    ),
    # kassasystemforskrifta § 2-8-6 (foreløpig kvittering, STEB), § 2-8-7; kassasystemlova
    # § 3 andre ledd (byttelapp, Skatteetaten's FAQ).
    _Statement(
        "other_receipts",
        "Dokumenter som ikke er «salskvittering» – «foreløpig kvittering», «utleveringskvittering» "
        "ved kredittsal, byttelapp og STEB-kvittering – er tydelig merket og kan ikke forveksles "
        "med en salskvittering.",
        "Documents other than the sales receipt – provisional receipts («foreløpig kvittering»), "
        "delivery receipts for credit sales («utleveringskvittering»), exchange slips («byttelapp») "
        "and STEB receipts – are clearly marked and cannot be confused with a sales receipt.",
        ("ksf_2_8_6_provisional", "ksf_2_8_7", "ksl_3_l2_exchange", "ksf_2_8_6_steb"),
    ),
    # kassasystemforskrifta § 2-6 tredje ledd, § 2-8-6 (treningskvittering).
    _Statement(
        "training_mode",
        "Treningsmodus slås av og på med journalføring, «treningskvittering» er merket som ikke "
        "kvittering for kjøp, og treningssal har egen nummerserie og telles aldri som salg.",
        "Training mode is switched on and off with a journal entry, training receipts "
        "(«treningskvittering») are marked as not a receipt for purchase, and training sales have "
        "their own number series and never count as sales.",
        ("ksf_2_6_l3", "ksf_2_6_l3_separate", "ksf_2_8_6_training"),
    ),
    # kassasystemforskrifta § 2-5, § 2-8-4 (terminal transaction ID), § 2-8-8;
    # bokføringsforskrifta § 5-3-2 andre ledd.
    _Statement(
        "payments",
        "Kassasystemet registrerer «inngåande vekselbehaldning» og hvert betalingsmiddel for seg, "
        "per operatør der det brukes; med integrert betalingsterminal står terminalens "
        "transaksjons-ID på salskvitteringen, og kvittering fra en terminal som ikke er integrert, "
        "er merket «IKKJE KVITTERING FOR KJØP».",
        "The system registers the opening float («inngåande vekselbehaldning») and each means of "
        "payment separately, per operator where used; with an integrated payment terminal the "
        "terminal's transaction ID is on the sales receipt, and a receipt from a terminal that is "
        "not integrated is marked «IKKJE KVITTERING FOR KJØP».",
        ("ksf_2_5_float", "ksf_2_5_payment", "bff_5_3_2_l2", "ksf_2_8_4_terminal", "ksf_2_8_8"),
    ),
    # kassasystemforskrifta § 2-2, § 2-6 femte ledd, § 2-8-2 bokstav m (nullinnslag, § 1-2 bokstav c).
    _Statement(
        "drawer",
        "Den integrerte kassaskuffen åpnes bare av kassasystemet ved registrert salg eller "
        "tilbakebetaling; andre åpninger («nullinnslag») journalføres og telles, og ingenting kan "
        "registreres mens skuffen er åpen.",
        "The integrated cash drawer opens only through the system with a registered sale or "
        "repayment; any other opening («nullinnslag») is journaled and counted, and nothing can be "
        "registered while the drawer is open.",
        ("ksf_2_2", "ksf_2_2_exception", "ksf_2_6_l5", "ksf_2_8_2_m"),
    ),
    # kassasystemforskrifta § 2-5, § 2-8-1, § 2-8-2 første ledd bokstav a til z and andre ledd.
    _Statement(
        "x_report",
        "Kassasystemet lager «X-rapport» for hvert kassapunkt med alle opplysningene "
        "kassasystemforskrifta § 2-8-2 krever (første ledd bokstav a til z og andre ledd).",
        "The system produces an X report («X-rapport») for each kassapunkt with every figure "
        "kassasystemforskrifta § 2-8-2 prescribes (first paragraph letters a to z and the second paragraph).",
        ("ksf_2_5_reports", "ksf_2_8_1", "ksf_2_8_2", *_X_LETTERS, "ksf_2_8_2_l2", "ksf_2_8_2_l2_credit"),
    ),
    # kassasystemforskrifta § 2-8-3; bokføringsforskrifta § 5-3-14 første ledd.
    _Statement(
        "z_report",
        "«Z-rapport» har samme innhold som X-rapporten, er fortløpende nummerert og merket som "
        "Z-rapport, og kan ikke lages før alle salg er avsluttet.",
        "The Z report («Z-rapport») has the same content as the X report, is sequentially "
        "numbered and labelled as a Z report, and cannot be produced until every sale is concluded.",
        ("ksf_2_8_3_l1", "ksf_2_8_3_l2", "bff_5_3_14_l1"),
    ),
    # kassasystemforskrifta § 2-5, § 2-6 andre ledd, § 2-7 første og andre ledd; retention
    # (bokføringsloven); the event codes of PredefinedBasicID-13.
    _Statement(
        "journal",
        "All «kontinuerleg bruk» av kassasystemet lagres fortløpende i den «elektroniske "
        "journalen», som er vernet mot endring og sletting og kan oppbevares og overføres; "
        "registrerte data kan ikke endres eller slettes.",
        "All continuous use («kontinuerleg bruk») of the system is stored as it happens in the "
        "electronic journal («elektronisk journal»), which is protected against alteration and "
        "deletion and can be kept and transferred; registered data cannot be changed or deleted.",
        ("ksf_2_5_journal", "ksf_2_7_l1", "ksf_2_7_l2", "ksf_2_6_l2", "saft_codes_events", "ksf_2_7_retention"),
    ),
    # kassasystemforskrifta § 2-7 tredje og fjerde ledd, § 2-8-2 bokstav t.
    _Statement(
        "prices",
        "Endringer av priser og andre «faste opplysningar» journalføres med tidspunkt, og "
        "«prisundersøking» journalføres og telles på X- og Z-rapporten.",
        "Changes of prices and other fixed data («faste opplysningar») are journaled with their "
        "time, and price look-ups («prisundersøking») are journaled and counted on the X and Z reports.",
        ("ksf_2_7_l3", "ksf_2_7_l4", "ksf_2_8_2_t"),
    ),
    # kassasystemforskrifta § 2-7 første ledd (the standard format); Skatteetaten's SAF-T
    # Cash Register documentation, schema and code lists.
    _Statement(
        "saft_export",
        "Kassasystemet lager på forespørsel en fil direkte fra journalen i standardformatet "
        "SAF-T Cash Register, gyldig mot Skatteetatens skjema og kodelister.",
        "On request the system produces a file straight from the journal in the standard "
        "SAF-T Cash Register format, valid against Skatteetaten's schema and code lists.",
        (
            "ksf_2_7_l1",
            "saft_fmt",
            "saft_fmt_filename",
            "saft_fmt_header",
            "saft_fmt_company",
            "saft_fmt_event",
            "saft_fmt_transaction",
            "saft_fmt_line",
            "saft_codes",
        ),
    ),
    # Skatteetaten: Requirements and guidelines for implementing digital signatures in Cash
    # Register Systems (legal basis kassasystemforskrifta § 2-7).
    _Statement(
        "signature",
        "Hver kontanttransaksjon er signert med den deklarerte nøkkelen (RSA-SHA1-1024 eller "
        "HMAC-SHA1-128), og signaturene er kjedet per kassapunkt.",
        "Every cash transaction is signed with the declared key (RSA-SHA1-1024 or HMAC-SHA1-128), "
        "and the signatures are chained per kassapunkt.",
        ("saft_sig", "saft_sig_data", "saft_sig_start", "saft_sig_chain", "saft_sig_method", "saft_sig_key"),
    ),
    # kassasystemforskrifta § 2-5 (klokke), § 2-8-2 bokstav c.
    _Statement(
        "clock",
        "Klokka i kassasystemet går etter norsk normaltid med sommertid, og kvitteringer, "
        "rapporter og journal viser norsk tid.",
        "The system's clock runs on Norwegian standard time with daylight saving time, and "
        "receipts, reports and the journal show Norwegian time.",
        ("ksf_2_5_clock", "ksf_2_8_2_c"),
    ),
)

# The clauses behind each field (the rule each rests on is cited where the field is built).
_IDENTITY_CLAUSES = ("ksl_3_l1", "ksl_5")
_SYSTEM_ID_CLAUSES = ("ksl_2_f", "ksl_3_l1", "ksf_2_8_2_d")
_DRAWER_CLAUSES = ("ksf_2_2", "ksf_2_2_exception", "ksf_1_2_a")
_METHOD_CLAUSES = ("saft_sig_method",)
_KEY_CLAUSES = ("saft_sig_key",)
_COMPLIANCE_CLAUSES = ("ksl_5",)


class _Verdicts:
    """The run's clause verdicts, with the registry's default for a clause the run did not judge."""

    def __init__(self, verdicts: Mapping[str, Mapping[str, Any]], registry: Registry) -> None:
        self._verdicts = verdicts
        self._registry = registry

    def testable(self, clause_id: str) -> bool:
        try:
            return self._registry[clause_id].testable
        except KeyError:
            raise ValueError(f"the declaration refers to clause {clause_id!r}, which the registry lacks") from None

    def verdict(self, clause_id: str) -> str:
        entry = self._verdicts.get(clause_id)
        if entry is None or "verdict" not in entry:
            return "NOT TESTED" if self.testable(clause_id) else "DOCUMENTATION REVIEW"
        verdict = str(entry["verdict"])
        if verdict not in _RANK:
            raise ValueError(f"clause {clause_id}: verdict {verdict!r} is not one of {', '.join(_RANK)}")
        return verdict

    def worst(self, clause_ids: Iterable[str]) -> str:
        return max((self.verdict(c) for c in clause_ids), key=_RANK.__getitem__, default="NOT APPLICABLE")

    def passed(self, clause_id: str) -> bool:
        return self.verdict(clause_id) == "PASS"

    def scenarios(self, clause_ids: Iterable[str]) -> list[str]:
        found: set[str] = set()
        for clause_id in clause_ids:
            found.update(str(s) for s in self._verdicts.get(clause_id, {}).get("scenarios", ()) or ())
        return sorted(found)


def _pair(nb: str, en: str) -> dict[str, str]:
    return {"nb": nb, "en": en}


def _join(*notes: dict[str, str] | None) -> dict[str, str] | None:
    """The notes that are there, one after the other; None if none is."""
    present = [n for n in notes if n]
    if not present:
        return None
    return {lang: " ".join(n[lang] for n in present) for lang in ("nb", "en")}


def _unconfirmed(verdicts: _Verdicts, clause_id: str) -> dict[str, str]:
    verdict = verdicts.verdict(clause_id)
    return _pair(
        f"Oppgitt i profilen; ikke bekreftet av testene ({clause_id}: {verdict}).",
        f"Declared in the profile; not confirmed by the tests ({clause_id}: {verdict}).",
    )


def _field(
    field_id: str,
    label: dict[str, str],
    value: str,
    source: str,
    clauses: tuple[str, ...],
    verdicts: _Verdicts,
    note: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "id": field_id,
        "label": label,
        "value": value,
        "source": source,
        "clauses": list(clauses),
        "scenarios": verdicts.scenarios(clauses),
        "note": note,
    }


def _declared(
    field_id: str,
    label: dict[str, str],
    value: Any,
    clauses: tuple[str, ...],
    verdicts: _Verdicts,
    *,
    backed_by: str | None = None,
    note: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A field the profile fills: ``"evidence"`` when ``backed_by`` passed, blank -> the supplier."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return _field(field_id, label, "", "supplier", clauses, verdicts, _join(_TO_FILL, note))
    if backed_by is None:
        return _field(field_id, label, text, "profile", clauses, verdicts, note)
    if verdicts.passed(backed_by):
        return _field(field_id, label, text, "evidence", clauses, verdicts, note)
    return _field(field_id, label, text, "profile", clauses, verdicts, _join(note, _unconfirmed(verdicts, backed_by)))


def _table(profile: Mapping[str, Any] | None, key: str) -> Mapping[str, Any]:
    value = profile.get(key) if profile is not None else None
    return value if isinstance(value, Mapping) else {}


def _supplier_fields(profile: Mapping[str, Any] | None, verdicts: _Verdicts) -> list[dict[str, Any]]:
    # kassasystemlova § 5 and § 2 bokstav e: the supplier files the declaration before the
    # system is offered (requirements catalogue KSL-1, KSL-2-e, PD-1).
    supplier = _table(profile, "supplier")
    role = supplier.get("role", "")
    return [
        _declared(
            "supplier.name",
            _pair("Leverandørens navn", "Supplier's name"),
            supplier.get("name"),
            ("ksl_2_e", "ksl_5"),
            verdicts,
        ),
        _declared(
            "supplier.orgnr",
            _pair("Leverandørens organisasjonsnummer", "Supplier's organisation number"),
            supplier.get("orgnr"),
            ("ksl_5",),
            verdicts,
        ),
        _declared(
            "supplier.role",
            _pair(
                "Leverandørens rolle (kassasystemlova § 2 bokstav e)", "Supplier's role (kassasystemlova § 2 bokstav e)"
            ),
            role if role in ROLES else "",
            ("ksl_2_e", "ksl_5"),
            verdicts,
            note=_pair(
                "Bare leverandører (produsent, importør, forhandler eller andre som tilpasser kassasystemet) "
                "sender produktfråsegn, ikke brukerne.",
                "Only suppliers (manufacturer, importer, dealer or others adapting the system) file the "
                "declaration, not its users.",
            ),
        ),
        _declared(
            "supplier.first_offered",
            _pair("Dato versjonen først ble tilbudt", "Date the version was first offered"),
            supplier.get("first_offered"),
            ("ksl_1", "ksl_5"),
            verdicts,
            note=_pair(
                "Produktfråsegna skal sendes før systemet tilbys (kassasystemlova § 5).",
                "The declaration is filed before the system is offered (kassasystemlova § 5).",
            ),
        ),
    ]


def _system_fields(profile: Mapping[str, Any] | None, verdicts: _Verdicts) -> list[dict[str, Any]]:
    # kassasystemlova § 3 første ledd: model, type, version and ID number easily accessible;
    # the suite compares them with the till (id_ksl_3_l1_*), so a PASS there backs them.
    identity = _table(profile, "identity")
    return [
        _declared(
            "system.producer",
            _pair("Produsent", "Producer (manufacturer)"),
            identity.get("producer"),
            _IDENTITY_CLAUSES,
            verdicts,
            backed_by="ksl_3_l1",
        ),
        _declared(
            "system.name",
            _pair("Kassasystemets navn (modell)", "System name (model)"),
            identity.get("system"),
            _IDENTITY_CLAUSES,
            verdicts,
            backed_by="ksl_3_l1",
        ),
        _declared(
            "system.version",
            _pair("Versjon", "Version"),
            identity.get("version"),
            _IDENTITY_CLAUSES,
            verdicts,
            backed_by="ksl_3_l1",
            # kassasystemlova § 5: renewed for versions that change functionality or structure (PD-4).
            note=_pair(
                "En ny versjon som endrer funksjonalitet eller oppbygning, krever ny produktfråsegn.",
                "A new version that changes functionality or structure needs a new declaration.",
            ),
        ),
        # kassasystemlova § 2 bokstav f: «ein unik identifikator for kassasystemet».
        _declared(
            "system.id",
            _pair("Kassasystemet sitt ID-nummer", "The system's ID number"),
            identity.get("system_id"),
            _SYSTEM_ID_CLAUSES,
            verdicts,
            backed_by="ksl_3_l1",
        ),
    ]


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _drawer_field(profile: Mapping[str, Any] | None, verdicts: _Verdicts) -> dict[str, Any]:
    # kassasystemforskrifta § 2-2 (and § 1-2 bokstav a): integrated drawer at each kassapunkt,
    # or the exception of § 2-2 andre punktum. RF-1348 asks for it; Skatteetaten's public list
    # of declared systems shows it as a tick (PD-2).
    label = _pair("Integrasjon med kassaskuff", "Integration with a cash drawer")
    declared = _table(profile, "capabilities").get("integrated_drawer")
    if not isinstance(declared, bool):
        return _field("system.integrated_drawer", label, "", "supplier", _DRAWER_CLAUSES, verdicts, _TO_FILL)
    backing = "ksf_2_2" if declared else "ksf_2_2_exception"
    exception = None
    if not declared:
        exception = _pair(
            "Uten integrert kassaskuff må unntaket i kassasystemforskrifta § 2-2 andre punktum gjelde "
            "(pengebelte og salg per operatør, eller ingen kontanter).",
            "Without an integrated drawer the exception of kassasystemforskrifta § 2-2 andre punktum must "
            "apply (money belt and sales per operator, or no cash at all).",
        )
    if verdicts.passed(backing):
        return _field(
            "system.integrated_drawer", label, _yes_no(declared), "evidence", _DRAWER_CLAUSES, verdicts, exception
        )
    return _field(
        "system.integrated_drawer",
        label,
        _yes_no(declared),
        "profile",
        _DRAWER_CLAUSES,
        verdicts,
        _join(exception, _unconfirmed(verdicts, backing)),
    )


def _signature_fields(profile: Mapping[str, Any] | None, verdicts: _Verdicts) -> list[dict[str, Any]]:
    # Skatteetaten's signature requirements: RSA-SHA1-1024 or HMAC-SHA1-128 with keyVersion;
    # RF-1348 takes the HMAC secret (base64), presumably the RSA public key (PD-3).
    signature = _table(profile, "signature")
    method = signature.get("method")
    keys = signature.get("keys")
    keys = keys if isinstance(keys, Mapping) else {}
    versions = sorted((str(v) for v in keys), key=lambda v: (len(v), v))
    fields = [
        _declared(
            "signature.method",
            _pair("Signaturmetode", "Signature method"),
            method,
            _METHOD_CLAUSES,
            verdicts,
            backed_by="saft_sig_method",
        ),
        _declared(
            "signature.key_versions",
            _pair("Nøkkelversjoner (keyVersion)", "Key versions (keyVersion)"),
            ", ".join(versions),
            _KEY_CLAUSES,
            verdicts,
            backed_by="saft_sig_key",
        ),
    ]
    if not versions:
        label = _pair("Nøkkel for signaturkontroll", "Key to verify the signatures")
        fields.append(_field("signature.key", label, "", "supplier", _KEY_CLAUSES, verdicts, _TO_FILL))
        return fields
    for version in versions:
        entry = keys[version] if isinstance(keys[version], Mapping) else {}
        fields.append(_key_field(version, entry, hmac=_hmac(profile), verdicts=verdicts))
    return fields


def _key_field(version: str, entry: Mapping[str, Any], *, hmac: bool, verdicts: _Verdicts) -> dict[str, Any]:
    field_id = f"signature.key.{version}"
    digest = entry.get("sha256")
    if hmac:
        # The secret is entered in the form itself and never copied into a report (PD-3).
        label = _pair(f"Hemmelig nøkkel (HMAC), nøkkelversjon {version}", f"Secret key (HMAC), key version {version}")
        fingerprint = (
            _pair(f"SHA-256 av nøkkelfila i profilen: {digest}.", f"SHA-256 of the key file in the profile: {digest}.")
            if isinstance(digest, str)
            else None
        )
        note = _join(
            _pair(
                "Den hemmelige nøkkelen (base64) oppgis i selve skjemaet RF-1348 og gjengis ikke i rapporten.",
                "The secret key (base64) is entered in form RF-1348 itself and is not reproduced in the report.",
            ),
            fingerprint,
        )
        return _field(field_id, label, "", "supplier", _KEY_CLAUSES, verdicts, note)
    label = _pair(f"Offentlig nøkkel (PEM), nøkkelversjon {version}", f"Public key (PEM), key version {version}")
    pem = entry.get("public_key_pem")
    if not isinstance(pem, str) or not pem.strip():
        unreadable = _pair(
            "Nøkkelfila kunne ikke leses da kjøringen ble arkivert; lim inn den offentlige nøkkelen.",
            "The key file could not be read when the run was archived; paste the public key.",
        )
        return _field(field_id, label, "", "supplier", _KEY_CLAUSES, verdicts, unreadable)
    return _declared(field_id, label, pem, _KEY_CLAUSES, verdicts, backed_by="saft_sig_key")


def _compliance_field(
    profile: Mapping[str, Any] | None, statements: list[dict[str, Any]], verdicts: _Verdicts
) -> dict[str, Any]:
    # kassasystemlova § 5: the declaration states that the system meets the Act and the regulation.
    label = _pair(
        "Kassasystemet oppfyller kravene i kassasystemlova og kassasystemforskrifta",
        "The system meets the requirements of kassasystemlova and kassasystemforskrifta",
    )
    field_id = "declaration.compliant"
    if profile is None:
        note = _pair(
            "Kjøringen hadde ingen kapabilitetsprofil, så systemet fråsegna gjelder, er ikke identifisert.",
            "The run had no capability profile, so the system the declaration is about is not identified.",
        )
        return _field(field_id, label, "", "supplier", _COMPLIANCE_CLAUSES, verdicts, note)
    blocking = [s for s in statements if s["verdict"] not in _ALLOWS]
    if blocking:
        named = ", ".join(f"{s['id']} ({s['verdict']})" for s in blocking)
        blocked = _pair(
            f"Kan ikke krysses av før disse utsagnene holder: {named}.",
            f"Cannot be declared until these statements hold: {named}.",
        )
        return _field(field_id, label, "", "supplier", _COMPLIANCE_CLAUSES, verdicts, blocked)
    review = [s["id"] for s in statements if s["verdict"] == "DOCUMENTATION REVIEW"]
    assumed: dict[str, str] | None = None
    if review:
        named = ", ".join(review)
        assumed = _pair(
            f"Forutsetter at leverandøren har gjort dokumentgjennomgangen for: {named}.",
            f"Assumes the supplier has done the documentation review for: {named}.",
        )
    return _field(field_id, label, "yes", "evidence", _COMPLIANCE_CLAUSES, verdicts, assumed)


def _statement(statement: _Statement, verdicts: _Verdicts) -> dict[str, Any]:
    return {
        "id": statement.id,
        "text": _pair(statement.nb, statement.en),
        "clauses": list(statement.clauses),
        "scenarios": verdicts.scenarios(statement.clauses),
        "verdict": verdicts.worst(statement.clauses),
        "basis": "evidence" if any(verdicts.testable(c) for c in statement.clauses) else "documentation",
    }


def _hmac(profile: Mapping[str, Any] | None) -> bool:
    method = _table(profile, "signature").get("method")
    return isinstance(method, str) and method.startswith("HMAC")


#: The field a contradiction's subject (:mod:`harness.profile_check`) says is wrong.
_CONTRADICTED_FIELDS = {
    "identity.producer": "system.producer",
    "identity.system": "system.name",
    "identity.version": "system.version",
    "integrated_drawer": "system.integrated_drawer",
    "signature.method": "signature.method",
}


def _contradicted(fields: list[dict[str, Any]], contradictions: Iterable[Mapping[str, Any]]) -> bool:
    """Mark the fields the till contradicted (source ``contradicted``, a note saying what it did); any at all?"""
    found = False
    by_id = {f["id"]: f for f in fields}
    for contradiction in contradictions:
        found = True
        field = by_id.get(_CONTRADICTED_FIELDS.get(str(contradiction.get("subject", "")), ""))
        if field is None:
            continue
        observed, where = contradiction.get("observed", ""), contradiction.get("where", "")
        field["source"] = "contradicted"
        field["note"] = _join(
            field["note"],
            _pair(
                f"Kassen motsier profilen: {observed} ({where}).",
                f"The till contradicts the profile: {observed} ({where}).",
            ),
        )
    return found


def draft(
    profile: Mapping[str, Any] | None,
    verdicts: Mapping[str, Mapping[str, Any]],
    registry: Registry,
    contradictions: Iterable[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The draft RF-1348 declaration of a finished run.

    Args:
        profile: The run's capability profile as :meth:`harness.profile.Profile.to_json`
            archived it; None when the run had no profile (every field is then left to the supplier).
        verdicts: Clause id -> ``{"verdict": …, "scenarios": [scenario ids]}``, the verdict one of
            ``PASS``, ``FAIL``, ``KNOWN DEVIATION``, ``NOT AUTOMATED``, ``NOT TESTED``,
            ``DOCUMENTATION REVIEW``, ``NOT APPLICABLE``. A clause missing here counts as
            ``NOT TESTED`` (testable) or ``DOCUMENTATION REVIEW`` (not testable).
        registry: The clause registry (:func:`harness.clauses.load_clauses`).
        contradictions: The run's contradictions between the profile and the till
            (:mod:`harness.profile_check`, as ``summary.json`` lists them). A field one of them
            concerns gets source ``contradicted`` and a note; any contradiction keeps the draft
            from being ready and the compliance field empty (the declaration would be wrong).

    Returns:
        ``{"form": "RF-1348", "title": {nb, en}, "ready": bool, "fields": [{"id", "label": {nb, en},
        "value", "source", "clauses", "scenarios", "note": {nb, en} | None}], "statements": [{"id",
        "text": {nb, en}, "clauses", "scenarios", "verdict", "basis"}]}``. Yes/no values are
        ``"yes"``/``"no"``; a supplier role is a key of :data:`ROLES`. ``ready`` is true when
        every field is filled (an HMAC secret excepted: it is entered in the form only) and
        every statement is ``PASS``, ``NOT APPLICABLE`` or ``DOCUMENTATION REVIEW``.

    Raises:
        ValueError: A verdict is not one of the seven, or the registry lacks a clause the
            declaration refers to.
    """
    judged = _Verdicts(verdicts, registry)
    statements = [_statement(s, judged) for s in _STATEMENTS]
    fields = [
        *_supplier_fields(profile, judged),
        *_system_fields(profile, judged),
        _drawer_field(profile, judged),
        *_signature_fields(profile, judged),
        _compliance_field(profile, statements, judged),
    ]
    if _contradicted(fields, contradictions):
        compliant = fields[-1]
        compliant["note"] = _join(
            None if compliant["value"] else compliant["note"],
            _pair(
                "Kan ikke krysses av: kassen motsier profilen (se motsigelsene i rapporten).",
                "Cannot be declared: the till contradicts the profile (see the contradictions in the report).",
            ),
        )
        compliant.update(value="", source="supplier")
    # An HMAC secret is blank by design: the supplier types it into the form (PD-3).
    blank_by_design = {f["id"] for f in fields if f["id"].startswith("signature.key.")} if _hmac(profile) else set()
    filled = all(f["value"] or f["id"] in blank_by_design for f in fields)
    ready = filled and all(s["verdict"] in _ALLOWS for s in statements) and fields[-1]["value"] == "yes"
    return {"form": "RF-1348", "title": dict(_TITLE), "ready": ready, "fields": fields, "statements": statements}
