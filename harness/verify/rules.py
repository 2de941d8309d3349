"""The verifier's rules: id, severity, the clause each rests on, and what it says in nb and en.

Every finding names one rule. The table below is the single source: ``kassakontroll
verify --list-rules`` prints it and ``docs/verify-rules.md`` is generated from it (a
test keeps the two in step). Clause ids follow ARCHITECTURE.md
(``ksf_2_8_2_e`` = kassasystemforskrifta § 2-8-2 bokstav e); the SAF-T documents are
``saft_fmt`` (the format: Norwegian_SAF-T_Cash_Register_Schema_v_1.00.xsd and its
technical description), ``saft_codes`` (the code lists) and ``saft_sig`` (the
signature requirements).

Severities: *fatal* -- the file cannot be checked further; *error* -- the file breaks a
rule of the format or the regulation; *warning* -- probably wrong, or a convention the
regulation leaves open (counting conventions, descriptions); *info* -- something
the verifier could not check, and why.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from enum import Enum
from typing import Any

__all__ = ["RULES", "Rule", "Severity", "rules_markdown"]


class Severity(Enum):
    """How bad a finding is."""

    FATAL = "fatal"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class _Values(dict[str, Any]):
    """Template values; a missing key prints as ``?`` instead of failing."""

    def __missing__(self, key: str) -> str:
        return "?"


_FORMATTER = string.Formatter()


@dataclass(frozen=True, slots=True)
class Rule:
    """One check of the verifier.

    Attributes:
        id: Stable id (``SIG-VERIFY``), used in findings, tests and expectations.
        severity: How bad a finding of this rule is.
        clause: Clause id the rule rests on (ARCHITECTURE.md grammar).
        texts: ``{"en": (title, message template, explanation), "nb": (...)}``.
    """

    id: str
    severity: Severity
    clause: str
    texts: dict[str, tuple[str, str, str]]

    def title(self, lang: str = "en") -> str:
        """Short title in ``lang``."""
        return self.texts[_lang(lang)][0]

    def message(self, lang: str, values: dict[str, Any]) -> str:
        """The message template of ``lang`` filled with ``values``."""
        return _FORMATTER.vformat(self.texts[_lang(lang)][1], (), _Values(values))

    def explanation(self, lang: str = "en") -> str:
        """What the rule means and what the law or format says, in ``lang``."""
        return self.texts[_lang(lang)][2]


def _lang(lang: str) -> str:
    return "nb" if lang == "nb" else "en"


RULES: dict[str, Rule] = {}


def _rule(rule_id: str, severity: Severity, clause: str, en: tuple[str, str, str], nb: tuple[str, str, str]) -> None:
    RULES[rule_id] = Rule(rule_id, severity, clause, {"en": en, "nb": nb})


F, E, W, N = Severity.FATAL, Severity.ERROR, Severity.WARNING, Severity.INFO

# --- the file itself -------------------------------------------------------------------
_rule(
    "FILE-READ",
    F,
    "ksf_2_7_l1",
    ("File cannot be read", "{path}: {reason}", "The file must exist and be readable."),
    ("Filen kan ikke leses", "{path}: {reason}", "Filen må finnes og kunne leses."),
)
_rule(
    "FILE-NAME",
    W,
    "ksf_2_7_l1",
    (
        "File name does not follow the SAF-T convention",
        "{name} is not named 'SAF-T Cash Register_<orgnr>_<yyyymmddhhmmss>.xml'",
        "Skatteetaten names exports SAF-T Cash Register_<organisation number>_<date and time>.xml "
        "(optionally _<x>_<y> for file x of y).",
    ),
    (
        "Filnavnet følger ikke SAF-T-konvensjonen",
        "{name} heter ikke 'SAF-T Cash Register_<orgnr>_<ååååmmddttmmss>.xml'",
        "Skatteetaten navngir eksporter SAF-T Cash Register_<organisasjonsnummer>_<dato og tid>.xml "
        "(eventuelt _<x>_<y> for fil x av y).",
    ),
)
_rule(
    "XML-DTD",
    F,
    "ksf_2_7_l1",
    (
        "Document type declaration refused",
        "the file declares a DTD or entities (line {line}); it is not read further",
        "SAF-T files have no DTD. A DOCTYPE can define entities that read local files or expand to "
        "gigabytes (XXE, 'billion laughs'), so the verifier refuses it without parsing it.",
    ),
    (
        "Dokumenttypedeklarasjon avvist",
        "filen deklarerer en DTD eller entiteter (linje {line}); den leses ikke videre",
        "SAF-T-filer har ingen DTD. En DOCTYPE kan definere entiteter som leser lokale filer eller "
        "vokser til gigabyte (XXE, «billion laughs»), så verifikatoren avviser den uten å tolke den.",
    ),
)
_rule(
    "XML-ENCODING",
    F,
    "ksf_2_7_l1",
    (
        "Wrong or mixed character encoding",
        "{detail}",
        "The export must be one consistent encoding, as its XML declaration says (UTF-8 in Skatteetaten's example).",
    ),
    (
        "Feil eller blandet tegnkoding",
        "{detail}",
        "Eksporten må ha én gjennomgående tegnkoding, slik XML-deklarasjonen sier (UTF-8 i Skatteetatens eksempel).",
    ),
)
_rule(
    "XML-SYNTAX",
    F,
    "ksf_2_7_l1",
    (
        "Not well-formed XML",
        "{detail}",
        "The file is not well-formed XML; nothing after this point can be checked.",
    ),
    (
        "Ikke velformet XML",
        "{detail}",
        "Filen er ikke velformet XML; ingenting etter dette punktet kan kontrolleres.",
    ),
)
_rule(
    "XML-TRUNCATED",
    F,
    "ksf_2_7_l1",
    (
        "File ends too early",
        "the file ends at line {line} before the document is complete ({detail})",
        "The export was cut off (an interrupted copy or write). Export the period again.",
    ),
    (
        "Filen slutter for tidlig",
        "filen slutter på linje {line} før dokumentet er komplett ({detail})",
        "Eksporten er avkuttet (avbrutt kopiering eller skriving). Eksporter perioden på nytt.",
    ),
)
_rule(
    "XML-NOT-SAFT",
    F,
    "ksf_2_7_l1",
    (
        "Not a SAF-T Cash Register file",
        "the root element is {root}, not auditfile in namespace urn:StandardAuditFile-Taxation-CashRegister:NO",
        "kassasystemforskrifta § 2-7 første ledd: the export is SAF-T Cash Register v1.00.",
    ),
    (
        "Ikke en SAF-T Cash Register-fil",
        "rotelementet er {root}, ikke auditfile i navnerommet urn:StandardAuditFile-Taxation-CashRegister:NO",
        "Kassasystemforskrifta § 2-7 første ledd: eksporten skal være SAF-T Cash Register v1.00.",
    ),
)
_rule(
    "XSD-INVALID",
    E,
    "ksf_2_7_l1",
    (
        "Schema violation",
        "line {line}: {detail}",
        "The file must validate against Norwegian_SAF-T_Cash_Register_Schema_v_1.00.xsd.",
    ),
    (
        "Brudd på skjemaet",
        "linje {line}: {detail}",
        "Filen skal validere mot Norwegian_SAF-T_Cash_Register_Schema_v_1.00.xsd.",
    ),
)

# --- header and company ----------------------------------------------------------------
_rule(
    "HDR-PERIOD",
    E,
    "ksf_2_7_l1",
    (
        "Record outside the exported period",
        "{what} is dated {date}, outside the header's period {start} – {end}",
        "header/startDate and endDate state the exported period; every event and transaction must fall in it.",
    ),
    (
        "Post utenfor eksportert periode",
        "{what} er datert {date}, utenfor perioden {start} – {end} i header",
        "header/startDate og endDate angir perioden som er eksportert; alle hendelser og "
        "transaksjoner skal ligge innenfor den.",
    ),
)
_rule(
    "HDR-ORGNR",
    W,
    "ksf_2_8_2_b",
    (
        "Organisation number fails its check digit",
        "companyIdent {ident} is not a valid Norwegian organisation number (9 digits, modulus 11)",
        "Reports and receipts carry the business's organisation number (§ 2-8-2 bokstav b).",
    ),
    (
        "Organisasjonsnummeret har feil kontrollsiffer",
        "companyIdent {ident} er ikke et gyldig organisasjonsnummer (9 siffer, modulus 11)",
        "Rapporter og kvitteringer skal ha virksomhetens organisasjonsnummer (§ 2-8-2 bokstav b).",
    ),
)

# --- code lists and masterfiles --------------------------------------------------------
_rule(
    "CODE-BASICTYPE",
    E,
    "saft_codes",
    (
        "Unknown basicType",
        "basic {basic_id} has basicType {basic_type}, which is not in the BasicType code list",
        "basicType must be a code of Skatteetaten's BasicType list (01–16).",
    ),
    (
        "Ukjent basicType",
        "basic {basic_id} har basicType {basic_type}, som ikke finnes i kodelisten BasicType",
        "basicType skal være en kode fra Skatteetatens BasicType-liste (01–16).",
    ),
)
_rule(
    "CODE-PREDEFINED",
    E,
    "saft_codes",
    (
        "predefinedBasicID not in its code list",
        "basic {basic_id} (basicType {basic_type}) maps to {code}, which is not in PredefinedBasicID-{basic_type}",
        "Basics of types 04, 10, 11, 12 and 13 map the system's own codes to Skatteetaten's "
        "predefined codes; the code must exist in the list of that type.",
    ),
    (
        "predefinedBasicID finnes ikke i kodelisten",
        "basic {basic_id} (basicType {basic_type}) er knyttet til {code}, "
        "som ikke finnes i PredefinedBasicID-{basic_type}",
        "Basics av type 04, 10, 11, 12 og 13 knytter systemets egne koder til Skatteetatens "
        "forhåndsdefinerte koder; koden må finnes i listen for typen.",
    ),
)
_rule(
    "CODE-NO-PREDEFINED",
    W,
    "saft_codes",
    (
        "Basic without predefined code",
        "basic {basic_id} of basicType {basic_type} has no predefinedBasicID; its meaning cannot be read",
        "Without the predefined code nobody outside the vendor knows what the code means; the "
        "verifier skips the checks that need it.",
    ),
    (
        "Basic uten forhåndsdefinert kode",
        "basic {basic_id} av basicType {basic_type} mangler predefinedBasicID; betydningen kan ikke leses",
        "Uten forhåndsdefinert kode vet ingen utenfor leverandøren hva koden betyr; verifikatoren "
        "hopper over kontrollene som trenger den.",
    ),
)
_rule(
    "CODE-BASIC-DUP",
    E,
    "saft_codes",
    (
        "basicID declared twice",
        "basicID {basic_id} is declared more than once for basicType {basic_type}",
        "The schema declares basicID unique per basicType (its key is not enforced by validators).",
    ),
    (
        "basicID deklarert to ganger",
        "basicID {basic_id} er deklarert mer enn én gang for basicType {basic_type}",
        "Skjemaet sier at basicID er unik per basicType (nøkkelen håndheves ikke av validatorer).",
    ),
)
_rule(
    "CODE-MEANING",
    W,
    "saft_codes",
    (
        "Code mapped against its description",
        "basic {basic_id} '{desc}' maps to {code} ({code_desc}); its description says {suggested}",
        "A basic must map to the predefined code that means what it is used for; for example a "
        "journal export is 13020, not a session event.",
    ),
    (
        "Kode knyttet mot sin beskrivelse",
        "basic {basic_id} «{desc}» er knyttet til {code} ({code_desc}); beskrivelsen tilsier {suggested}",
        "En basic skal knyttes til den forhåndsdefinerte koden som betyr det den brukes til; for "
        "eksempel er eksport av journal 13020, ikke en økthendelse.",
    ),
)
for _rid, _what_en, _what_nb, _where in (
    ("REF-EMP", "empID", "empID", "employees/employee"),
    ("REF-ART", "artID", "artID", "articles/article"),
    ("REF-VAT", "vatCode", "vatCode", "vatCodeDetails/vatCodeDetail"),
    ("REF-GROUP", "artGroupID", "artGroupID", "basics (basicType 04)"),
    ("REF-PERIOD", "periodNumber", "periodNumber", "periods/period"),
    ("REF-PAYMENT", "paymentType", "paymentType", "basics (basicType 12)"),
    ("REF-TRANSTYPE", "transType", "transType", "basics (basicType 11)"),
    ("REF-LINETYPE", "lineType", "lineType", "basics (basicType 05)"),
    ("REF-EVENTTYPE", "eventType", "eventType", "basics (basicType 13)"),
):
    _rule(
        _rid,
        E,
        "saft_fmt",
        (
            f"{_what_en} not declared",
            f"{{{_what_en}_value}} is used as {_what_en} but not declared in {_where}",
            f"Every {_what_en} used must be declared in the masterfiles ({_where}); the schema's "
            "keyref says so, but validators do not enforce it.",
        ),
        (
            f"{_what_nb} ikke deklarert",
            f"{{{_what_en}_value}} brukes som {_what_nb} men er ikke deklarert i {_where}",
            f"Alle {_what_nb} som brukes skal være deklarert i grunndataene ({_where}); skjemaets "
            "keyref sier det, men validatorer håndhever det ikke.",
        ),
    )

# --- signatures ------------------------------------------------------------------------
_rule(
    "SIG-VERIFY",
    E,
    "saft_sig",
    (
        "Signature does not verify",
        "the signature (keyVersion {key_version}) does not verify over '{data}'",
        "Each cashtransaction is signed over previousSignature;transDate;transTime;nr;transAmntIn;"
        "transAmntEx, chained per register. A signature that does not verify means the "
        "transaction, the one before it or the key is not what was signed: altered, removed or "
        "reordered data.",
    ),
    (
        "Signaturen verifiserer ikke",
        "signaturen (keyVersion {key_version}) verifiserer ikke over «{data}»",
        "Hver cashtransaction signeres over previousSignature;transDate;transTime;nr;transAmntIn;"
        "transAmntEx, kjedet per kassapunkt. En signatur som ikke verifiserer betyr at "
        "transaksjonen, den forrige eller nøkkelen ikke er det som ble signert: endrede, fjernede "
        "eller omstokkede data.",
    ),
)
_rule(
    "SIG-RESTART",
    E,
    "saft_sig",
    (
        "Signature chain restarts",
        "the signature verifies only with '0' as previous signature, but nr {nr} is not the register's first",
        "Only the first transaction of a register is signed with previousSignature '0'; a restart "
        "in the middle hides what came before.",
    ),
    (
        "Signaturkjeden starter på nytt",
        "signaturen verifiserer bare med «0» som forrige signatur, men nr {nr} er ikke kassapunktets første",
        "Bare kassapunktets første transaksjon signeres med previousSignature «0»; en omstart midt "
        "i kjeden skjuler det som kom før.",
    ),
)
_rule(
    "SIG-START",
    N,
    "saft_sig",
    (
        "Chain starts before the export",
        "the first transaction (nr {nr}) does not verify with '0'; its previous signature is outside the "
        "export, so the chain is checked from the next transaction",
        "An export of a later period starts in the middle of the chain.",
    ),
    (
        "Kjeden starter før eksporten",
        "første transaksjon (nr {nr}) verifiserer ikke med «0»; forrige signatur ligger utenfor "
        "eksporten, så kjeden kontrolleres fra neste transaksjon",
        "En eksport av en senere periode starter midt i kjeden.",
    ),
)
_rule(
    "SIG-FORMAT",
    E,
    "saft_sig",
    (
        "Signature has the wrong form",
        "the signature {problem}",
        "Signatures are base64: 128 bytes for RSA-SHA1-1024, 20 bytes for HMAC-SHA1.",
    ),
    (
        "Signaturen har feil form",
        "signaturen {problem}",
        "Signaturer er base64: 128 byte for RSA-SHA1-1024, 20 byte for HMAC-SHA1.",
    ),
)
_rule(
    "SIG-NO-KEY",
    W,
    "saft_sig",
    (
        "No key for a key version",
        "no key was given for keyVersion {key_version}; its signatures are not verified",
        "Give the public key (--public-key VERSION=FILE) or HMAC key (--hmac-key VERSION=BASE64) of "
        "every key version; old key versions must stay verifiable.",
    ),
    (
        "Ingen nøkkel for en nøkkelversjon",
        "ingen nøkkel er oppgitt for keyVersion {key_version}; signaturene kontrolleres ikke",
        "Oppgi offentlig nøkkel (--public-key VERSJON=FIL) eller HMAC-nøkkel (--hmac-key "
        "VERSJON=BASE64) for hver nøkkelversjon; gamle nøkkelversjoner skal fortsatt kunne verifiseres.",
    ),
)
_rule(
    "SIG-NOT-CHECKED",
    N,
    "saft_sig",
    (
        "Signatures not verified",
        "no key was given, so signatures were not verified (use --public-key or --hmac-key)",
        "Without the vendor's public key (RSA) or secret (HMAC) the chain cannot be verified; "
        "the other checks still run.",
    ),
    (
        "Signaturer ikke kontrollert",
        "ingen nøkkel er oppgitt, så signaturene er ikke kontrollert (bruk --public-key eller --hmac-key)",
        "Uten leverandørens offentlige nøkkel (RSA) eller hemmelighet (HMAC) kan kjeden ikke "
        "verifiseres; de andre kontrollene kjøres likevel.",
    ),
)
_rule(
    "SIG-KEY-ORDER",
    W,
    "saft_sig",
    (
        "Key version goes back",
        "keyVersion changes back from {previous} to {key_version}",
        "keyVersion names the key in use; after a key change the old key should not come back.",
    ),
    (
        "Nøkkelversjonen går tilbake",
        "keyVersion skifter tilbake fra {previous} til {key_version}",
        "keyVersion angir nøkkelen i bruk; etter et nøkkelskifte skal den gamle ikke komme tilbake.",
    ),
)

# --- numbering and order ---------------------------------------------------------------
_rule(
    "NUM-NR",
    E,
    "ksf_2_7_l2",
    (
        "Gap or repeat in transaction numbers",
        "nr {nr} follows nr {previous}; expected {expected}",
        "The transactions of a register are numbered without gaps (nr); a gap means a transaction "
        "was removed from the journal, which § 2-7 andre ledd forbids.",
    ),
    (
        "Hull eller gjentakelse i transaksjonsnumre",
        "nr {nr} kommer etter nr {previous}; ventet {expected}",
        "Transaksjonene på et kassapunkt nummereres uten hull (nr); et hull betyr at en transaksjon "
        "er fjernet fra journalen, noe § 2-7 andre ledd forbyr.",
    ),
)
_rule(
    "NUM-SERIES",
    E,
    "ksf_2_8_4",
    (
        "Gap in a receipt number series",
        "receipt number {number} in series '{series}' follows {previous}; expected {expected}",
        "Receipts are numbered in unbroken series (sales, delivery, training ...). The verifier "
        "takes the series from transID: its text before the trailing digits.",
    ),
    (
        "Hull i en kvitteringsnummerserie",
        "kvitteringsnummer {number} i serien «{series}» kommer etter {previous}; ventet {expected}",
        "Kvitteringer nummereres i sammenhengende serier (salg, utlevering, trening ...). "
        "Verifikatoren leser serien fra transID: teksten foran sifrene til slutt.",
    ),
)
_rule(
    "NUM-TRANSID-DUP",
    E,
    "ksf_2_7_l2",
    (
        "transID used twice",
        "transID {trans_id} occurs more than once",
        "Every cash transaction has its own transID.",
    ),
    (
        "transID brukt to ganger",
        "transID {trans_id} forekommer mer enn én gang",
        "Hver kontanttransaksjon har sin egen transID.",
    ),
)
_rule(
    "NUM-EVENTID-DUP",
    E,
    "ksf_2_7_l2",
    ("eventID used twice", "eventID {event_id} occurs more than once", "Every event has its own eventID."),
    ("eventID brukt to ganger", "eventID {event_id} forekommer mer enn én gang", "Hver hendelse har sin egen eventID."),
)
_rule(
    "ORD-TRANS",
    E,
    "ksf_2_7_l1",
    (
        "Transactions out of time order",
        "nr {nr} is dated {at}, before nr {previous_nr} ({previous_at})",
        "The journal is written continuously; transactions in nr order cannot go back in time.",
    ),
    (
        "Transaksjoner i feil tidsrekkefølge",
        "nr {nr} er datert {at}, før nr {previous_nr} ({previous_at})",
        "Journalen skrives fortløpende; transaksjoner i nr-rekkefølge kan ikke gå tilbake i tid.",
    ),
)
_rule(
    "ORD-EVENT",
    E,
    "ksf_2_7_l1",
    (
        "Events out of time order",
        "event {event_id} is dated {at}, before the event before it ({previous_at})",
        "The journal is written continuously; a register's events cannot go back in time.",
    ),
    (
        "Hendelser i feil tidsrekkefølge",
        "hendelse {event_id} er datert {at}, før hendelsen foran ({previous_at})",
        "Journalen skrives fortløpende; et kassapunkts hendelser kan ikke gå tilbake i tid.",
    ),
)

# --- events ----------------------------------------------------------------------------
_rule(
    "EVT-REPORT-MISSING",
    E,
    "ksf_2_7_l1",
    (
        "Report stored without its content",
        "{kind} event {event_id} has no eventReport",
        "X and Z reports are stored in full in the journal, not only their time (Skatteetaten FAQ).",
    ),
    (
        "Rapport lagret uten innhold",
        "{kind}-hendelse {event_id} har ingen eventReport",
        "X- og Z-rapporter lagres i sin helhet i journalen, ikke bare tidspunktet (Skatteetatens FAQ).",
    ),
)
_rule(
    "EVT-REPORT-UNEXPECTED",
    W,
    "saft_codes",
    (
        "Report on an event that is not a report",
        "event {event_id} of type {event_type} ({code}) carries an eventReport",
        "eventReport belongs to X (13008) and Z (13009) report events (or 13018, other reports).",
    ),
    (
        "Rapport på en hendelse som ikke er en rapport",
        "hendelse {event_id} av type {event_type} ({code}) har eventReport",
        "eventReport hører til X- (13008) og Z-rapporter (13009) (eller 13018, andre rapporter).",
    ),
)
_rule(
    "EVT-TRANS-MISSING",
    W,
    "ksf_2_7_l1",
    (
        "Event names a transaction that is not in the export",
        "{event_type} event {event_id} names transID {trans_id}, which is not in the export",
        "Receipt, copy and drawer events name the transaction they belong to; it should be in the same export.",
    ),
    (
        "Hendelse viser til en transaksjon som ikke er i eksporten",
        "{event_type}-hendelse {event_id} viser til transID {trans_id}, som ikke finnes i eksporten",
        "Kvitterings-, kopi- og skuffhendelser viser til transaksjonen de hører til; den bør være i samme eksport.",
    ),
)
_rule(
    "EVT-DRAWER",
    E,
    "ksf_2_8_2_m",
    (
        "Drawer opening is neither part of a sale nor a nullinnslag",
        "drawer opening {event_id} names transID {trans_id}, which is no transaction of this register",
        "A drawer opening (13005) either belongs to a sale or return (it names its transID) or is a "
        "nullinnslag and counted in letter m (§ 1-2 bokstav c, § 2-8-2 bokstav m).",
    ),
    (
        "Skuffåpning er verken del av et salg eller et nullinnslag",
        "skuffåpning {event_id} viser til transID {trans_id}, som ikke er en transaksjon på dette kassapunktet",
        "En skuffåpning (13005) hører enten til et salg eller en retur (den viser til transID) eller "
        "er et nullinnslag og telles i bokstav m (§ 1-2 bokstav c, § 2-8-2 bokstav m).",
    ),
)
_rule(
    "COPY-MULTIPLE",
    E,
    "ksf_2_6_l4",
    (
        "More than one copy receipt",
        "transID {trans_id} has {copies} copy receipts",
        "«Systemet skal ikkje kunne skrive ut meir enn éi kopikvittering» (kassasystemforskrifta § 2-6 fjerde ledd).",
    ),
    (
        "Mer enn én kopikvittering",
        "transID {trans_id} har {copies} kopikvitteringer",
        "«Systemet skal ikkje kunne skrive ut meir enn éi kopikvittering» (kassasystemforskrifta § 2-6 fjerde ledd).",
    ),
)
_rule(
    "COPY-COUNT",
    W,
    "ksf_2_6_l4",
    (
        "receiptCopyNum disagrees with the copy events",
        "receiptCopyNum is {stated}, but {events} copy-receipt events (13014) name this transaction",
        "receiptCopyNum counts the copies printed of the receipt; each copy is also a 13014 event.",
    ),
    (
        "receiptCopyNum stemmer ikke med kopihendelsene",
        "receiptCopyNum er {stated}, men {events} kopihendelser (13014) viser til transaksjonen",
        "receiptCopyNum teller kopiene som er skrevet ut; hver kopi er også en 13014-hendelse.",
    ),
)

# --- money -----------------------------------------------------------------------------
_rule(
    "MNY-LINES",
    E,
    "saft_fmt",
    (
        "Lines do not add up to the transaction",
        "{field} is {stated}, but the lines add up to {computed}",
        "transAmntIn and transAmntEx are the sums of the ctLine amounts (less transaction "
        "discounts); the verifier allows no difference.",
    ),
    (
        "Linjene summerer ikke til transaksjonen",
        "{field} er {stated}, men linjene summerer til {computed}",
        "transAmntIn og transAmntEx er summen av ctLine-beløpene (minus rabatter på transaksjonen); "
        "verifikatoren tillater ingen differanse.",
    ),
)
_rule(
    "MNY-LINE-VAT",
    E,
    "saft_fmt",
    (
        "Line VAT does not match its amounts",
        "line {line_id}: lineAmntIn {amount_in} − lineAmntEx {amount_ex} = {diff}, but its vatAmnt is {vat}",
        "The amount with VAT is the amount without VAT plus the VAT, exactly.",
    ),
    (
        "Mva på linjen stemmer ikke med beløpene",
        "linje {line_id}: lineAmntIn {amount_in} − lineAmntEx {amount_ex} = {diff}, men vatAmnt er {vat}",
        "Beløp med mva er beløp uten mva pluss mva, nøyaktig.",
    ),
)
_rule(
    "MNY-VAT-RATE",
    E,
    "saft_fmt",
    (
        "VAT is not the stated rate of its base",
        "{where}: vatAmnt {vat} is not {perc} % of {base} (expected {expected}, ± 0.01)",
        "VAT is the rate times the base, rounded to øre; the verifier allows 0.01 per line for rounding.",
    ),
    (
        "Mva er ikke oppgitt sats av grunnlaget",
        "{where}: vatAmnt {vat} er ikke {perc} % av {base} (ventet {expected}, ± 0,01)",
        "Mva er satsen ganger grunnlaget, avrundet til øre; verifikatoren tillater 0,01 per linje for avrunding.",
    ),
)
_rule(
    "MNY-TRANS-VAT",
    E,
    "saft_fmt",
    (
        "Transaction VAT does not match its amounts",
        "transAmntIn − transAmntEx = {diff}, but the transaction's vat elements add up to {vat}",
        "The VAT of a transaction is the difference between its amounts with and without VAT.",
    ),
    (
        "Mva på transaksjonen stemmer ikke med beløpene",
        "transAmntIn − transAmntEx = {diff}, men transaksjonens vat-elementer summerer til {vat}",
        "Mva på en transaksjon er differansen mellom beløpene med og uten mva.",
    ),
)
_rule(
    "MNY-PAYMENT",
    E,
    "saft_fmt",
    (
        "Payments do not settle the transaction",
        "payments add up to {paid}, but transAmntIn {amount} plus rounding {rounding} is {expected}",
        "What was paid is the transaction amount plus the cash rounding (øreavrunding).",
    ),
    (
        "Betalingene gjør ikke opp transaksjonen",
        "betalingene summerer til {paid}, men transAmntIn {amount} pluss avrunding {rounding} er {expected}",
        "Det som er betalt er transaksjonsbeløpet pluss øreavrundingen.",
    ),
)
_rule(
    "MNY-ROUNDING",
    E,
    "saft_fmt",
    (
        "Cash rounding out of range",
        "roundingAmnt {rounding} {problem}",
        "Cash is rounded to whole kroner, so the rounding is at most 0.50 either way, and only where cash is paid.",
    ),
    (
        "Øreavrunding utenfor grensene",
        "roundingAmnt {rounding} {problem}",
        "Kontanter avrundes til hele kroner, så avrundingen er høyst 0,50 begge veier, og bare når "
        "det betales kontant.",
    ),
)
_rule(
    "MNY-SIGN",
    W,
    "saft_fmt",
    (
        "Debit/credit mark disagrees with the sign",
        "{field} is {amount} but {tp_field} is {tp}",
        "In Skatteetaten's example amounts keep their sign and amntTp is C for sales (≥ 0) and D for returns (< 0).",
    ),
    (
        "Debet/kredit-merket stemmer ikke med fortegnet",
        "{field} er {amount}, men {tp_field} er {tp}",
        "I Skatteetatens eksempel har beløpene fortegn, og amntTp er C for salg (≥ 0) og D for retur (< 0).",
    ),
)
_rule(
    "MNY-DECIMALS",
    W,
    "saft_sig",
    (
        "Amount with more than two decimals",
        "{field} is {amount}; the signature string uses two decimals",
        "Amounts are in kroner with two decimals; the signed data string formats them so.",
    ),
    (
        "Beløp med mer enn to desimaler",
        "{field} er {amount}; signaturstrengen bruker to desimaler",
        "Beløp er i kroner med to desimaler; den signerte strengen formaterer dem slik.",
    ),
)

# --- reports ---------------------------------------------------------------------------
_rule(
    "Z-NUMBER",
    E,
    "ksf_2_8_3_l1",
    (
        "Z reports not numbered without gaps",
        "Z report {report} follows Z report {previous}; expected number {expected}",
        "«Z-rapporten skal vere fortløpande nummerert» (kassasystemforskrifta § 2-8-3 første ledd).",
    ),
    (
        "Z-rapporter ikke fortløpende nummerert",
        "Z-rapport {report} kommer etter Z-rapport {previous}; ventet nummer {expected}",
        "«Z-rapporten skal vere fortløpande nummerert» (kassasystemforskrifta § 2-8-3 første ledd).",
    ),
)
_rule(
    "Z-PER-DAY",
    W,
    "ksf_2_8_1",
    (
        "More than one Z report a day",
        "{count} Z reports on {date}",
        "Skatteetaten: one Z report per kassapunkt and day.",
    ),
    ("Mer enn én Z-rapport per dag", "{count} Z-rapporter {date}", "Skatteetaten: én Z-rapport per kassapunkt og dag."),
)
_rule(
    "Z-OPEN",
    N,
    "ksf_2_8_3_l1",
    (
        "Activity after the last Z report",
        "{count} transactions come after the register's last Z report; they are not checked against a report",
        "The period after the last Z report was still open when the export was made.",
    ),
    (
        "Aktivitet etter siste Z-rapport",
        "{count} transaksjoner kommer etter kassapunktets siste Z-rapport; de kontrolleres ikke mot en rapport",
        "Perioden etter siste Z-rapport var fortsatt åpen da eksporten ble laget.",
    ),
)
_rule(
    "Z-GRAND",
    E,
    "ksf_2_8_2_x",
    (
        "Grand totals inconsistent",
        "{kind} report {report}: {problem}",
        "Grand totals (bokstav x, y, z) accumulate from the start: they never fall, grow between two "
        "reports by exactly the period's sales and returns, and sales − returns = net.",
    ),
    (
        "Grandtotaler henger ikke sammen",
        "{kind}-rapport {report}: {problem}",
        "Grandtotalene (bokstav x, y, z) akkumuleres fra start: de synker aldri, øker mellom to "
        "rapporter med nøyaktig periodens salg og returer, og salg − returer = netto.",
    ),
)
_rule(
    "Z-COUNT",
    W,
    "ksf_2_8_2",
    (
        "Report count differs by the verifier's counting convention",
        "{kind} report {report}: {figure} count is {reported}; counted from the export: {computed}",
        "The regulation asks for 'antal' per group, means of payment and operator but leaves open "
        "what is counted. The verifier counts transactions (with a sale line in the group, or paid "
        "with the means); a different convention gives this warning, not an error.",
    ),
    (
        "Antall i rapporten avviker fra verifikatorens telleregel",
        "{kind}-rapport {report}: antall for {figure} er {reported}; talt fra eksporten: {computed}",
        "Forskriften krever «antal» per gruppe, betalingsmiddel og operatør, men sier ikke hva som "
        "telles. Verifikatoren teller transaksjoner (med en salgslinje i gruppen, eller betalt med "
        "betalingsmiddelet); en annen telleregel gir denne advarselen, ikke en feil.",
    ),
)

#: letter -> (clause, figure in en, figure in nb)
_LETTERS = {
    "A": ("ksf_2_8_2_a", "the report type (reportType)", "rapporttypen (reportType)"),
    "B": ("ksf_2_8_2_b", "the business (companyIdent/companyName)", "virksomheten (companyIdent/companyName)"),
    "C": ("ksf_2_8_2_c", "the date and time (reportDate/reportTime)", "dato og tid (reportDate/reportTime)"),
    "D": ("ksf_2_8_2_d", "the kassapunkt (registerID)", "kassapunktet (registerID)"),
    "E": ("ksf_2_8_2_e", "total cash sales (e)", "totalt kontantsalg (e)"),
    "F": ("ksf_2_8_2_f", "sales per article group (f)", "salg per varegruppe (f)"),
    "G": ("ksf_2_8_2_g", "sales per means of payment (g)", "salg per betalingsmiddel (g)"),
    "H": ("ksf_2_8_2_h", "means of payment per operator (h)", "betalingsmiddel per operatør (h)"),
    "J": ("ksf_2_8_2_j", "sales and VAT per VAT code (j)", "salg og mva per mva-kode (j)"),
    "K": ("ksf_2_8_2_k", "opening float (k)", "inngående vekselkasse (k)"),
    "L": ("ksf_2_8_2_l", "number of sales receipts (l)", "antall salgskvitteringer (l)"),
    "M": ("ksf_2_8_2_m", "number of nullinnslag (m)", "antall nullinnslag (m)"),
    "N": ("ksf_2_8_2_n", "copy receipts (n)", "kopikvitteringer (n)"),
    "O": ("ksf_2_8_2_o", "provisional receipts (o)", "foreløpige kvitteringer (o)"),
    "P": ("ksf_2_8_2_p", "returns (p)", "returer (p)"),
    "R": ("ksf_2_8_2_r", "voided sales (r)", "annullerte salg (r)"),
    "T": ("ksf_2_8_2_t", "price look-ups (t)", "prisforespørsler (t)"),
    "V": ("ksf_2_8_2_v", "delivery receipts (v)", "utleveringskvitteringer (v)"),
    "W": ("ksf_2_8_2_w", "training receipts (w)", "treningskvitteringer (w)"),
    "CREDIT": ("ksf_2_8_2_l2", "credit sales (second paragraph)", "kredittsalg (andre ledd)"),
    "PAYIO": ("ksf_2_8_2_l2", "cash pay-ins and pay-outs (second paragraph)", "inn- og utbetalinger (andre ledd)"),
}
for _letter, (_clause, _en, _nb) in _LETTERS.items():
    _rule(
        f"Z-{_letter}",
        E,
        _clause,
        (
            f"Report figure wrong: {_en}",
            "{kind} report {report}: {figure} is {reported}; recomputed from the export: {computed}",
            f"kassasystemforskrifta § 2-8-2: the X and Z reports show {_en}. The verifier recomputes it "
            "from the transactions and events the report covers (since the register's previous Z "
            "report); see docs/verify.md for how each figure is counted.",
        ),
        (
            f"Feil tall i rapporten: {_nb}",
            "{kind}-rapport {report}: {figure} er {reported}; beregnet fra eksporten: {computed}",
            f"Kassasystemforskrifta § 2-8-2: X- og Z-rapporten viser {_nb}. Verifikatoren beregner tallet "
            "på nytt fra transaksjonene og hendelsene rapporten dekker (siden kassapunktets forrige "
            "Z-rapport); docs/verify.md forklarer hvordan hvert tall telles.",
        ),
    )
_rule(
    "Z-TRAINING",
    E,
    "ksf_2_8_2_w",
    (
        "Training counted as sales",
        "{kind} report {report}: total cash sales {reported} include training transactions ({training}); "
        "without them: {computed}",
        "Training receipts are counted in letter w only; they are not sales (kassasystemforskrifta "
        "§ 2-8-2 bokstav w, § 2-6 tredje ledd).",
    ),
    (
        "Trening telt som salg",
        "{kind}-rapport {report}: totalt kontantsalg {reported} inkluderer treningstransaksjoner ({training}); "
        "uten dem: {computed}",
        "Treningskvitteringer telles bare i bokstav w; de er ikke salg (kassasystemforskrifta "
        "§ 2-8-2 bokstav w, § 2-6 tredje ledd).",
    ),
)

del F, E, W, N


def rules_markdown() -> str:
    """Return the rule table as Markdown (``docs/verify-rules.md``)."""
    lines = [
        "# SAF-T verifier rules",
        "",
        "Generated by `kassakontroll verify --list-rules --markdown` from `harness/verify/rules.py`; "
        "do not edit by hand.",
        "",
        "| id | severity | clause | rule | what it means |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in RULES.values():
        text = rule.explanation("en").replace("|", "\\|")
        lines.append(f"| `{rule.id}` | {rule.severity.value} | `{rule.clause}` | {rule.title('en')} | {text} |")
    return "\n".join(lines) + "\n"
