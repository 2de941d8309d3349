"""What the ``manual://`` target says to the lab technician, in English and Norwegian bokmål.

One template per verb of :class:`~harness.targets.base.TillDriver` and per question the
target asks (:mod:`harness.targets.manual`). Amounts are written as a Norwegian receipt
shows them (``21,90 kr``). English texts are also the verbs of the exceptions the target
raises, so reports read the same whatever language the technician chose.
"""

from __future__ import annotations

__all__ = ["LANGUAGES", "money", "say"]

#: The languages prompts exist in.
LANGUAGES = ("en", "nb")

_TEXTS: dict[str, tuple[str, str]] = {
    # --- headings and answer instructions
    "register": ("Kassapunkt {register}: {instruction}.", "Kassapunkt {register}: {instruction}."),
    "till": ("The till: {instruction}.", "Kassen: {instruction}."),
    "step": ("Step {step}", "Steg {step}"),
    "answer": (
        "Press Enter when done, or type r if the till refused, s to skip (cannot do this on this till). > ",
        "Trykk Enter når det er gjort, eller skriv r hvis kassen nektet, "
        "s for å hoppe over (kassen kan ikke dette). > ",
    ),
    "answer_again": ("Answer with Enter, r or s. > ", "Svar med Enter, r eller s. > "),
    "reason": (
        "What did the till say? Type its message (Enter to leave it out). > ",
        "Hva sa kassen? Skriv meldingen (Enter for å la være). > ",
    ),
    "receipt_number": (
        "Receipt number on the receipt, if you can read one (optional, Enter to leave it out). > ",
        "Kvitteringsnummer på kvitteringen, hvis du ser et (valgfritt, Enter for å la være). > ",
    ),
    "parked_ref": (
        "The reference the till shows for the parked sale (optional, Enter to leave it out). > ",
        "Referansen kassen viser for det parkerte salget (valgfritt, Enter for å la være). > ",
    ),
    "export_path": (
        "Type the full path of the exported file, or r if the till refused, s to skip. > ",
        "Skriv hele stien til den eksporterte fila, eller r hvis kassen nektet, s for å hoppe over. > ",
    ),
    "no_such_file": (
        "{path} is not a file on this machine; copy the export here and type its full path.",
        "{path} er ikke en fil på denne maskinen; kopier eksporten hit og skriv hele stien.",
    ),
    "banner": (
        "kassakontroll manual target: you operate the till, the harness plays its devices.\n"
        "Point the till's devices at:\n{devices}\n"
        "Verdicts come from what these devices receive, not from your answers.",
        "kassakontroll manuelt mål: du betjener kassen, testriggen spiller utstyret dens.\n"
        "Sett opp kassens utstyr mot:\n{devices}\n"
        "Resultatene avgjøres av det utstyret mottar, ikke av svarene dine.",
    ),
    "scenario": ("=== Scenario {title} ===", "=== Scenario {title} ==="),
    "harness": ("(the harness: {what})", "(testriggen: {what})"),
    # --- what the harness does itself
    "paper_out": (
        "kassapunkt {register}'s printer now reports paper out",
        "skriveren på {register} melder nå tomt for papir",
    ),
    "cover_open": (
        "kassapunkt {register}'s printer now reports its cover open",
        "skriveren på {register} melder nå åpent deksel",
    ),
    "paper_out_after": (
        "kassapunkt {register}'s printer will run out of paper after {lines} printed lines of the next document",
        "skriveren på {register} går tom for papir etter {lines} utskrevne linjer av neste dokument",
    ),
    "cover_open_after": (
        "kassapunkt {register}'s printer will report its cover open after {lines} printed lines of the next document",
        "skriveren på {register} melder åpent deksel etter {lines} utskrevne linjer av neste dokument",
    ),
    "printer_ready": ("kassapunkt {register}'s printer is ready again", "skriveren på {register} er klar igjen"),
    "drawer_stuck": ("kassapunkt {register}'s drawer now sticks open", "kasseskuffen på {register} henger nå åpen"),
    "drawer_repaired": ("kassapunkt {register}'s drawer works again", "kasseskuffen på {register} virker igjen"),
    "terminal": (
        "kassapunkt {register}'s payment terminal will {outcome} the next payment",
        "betalingsterminalen på {register} vil {outcome} neste betaling",
    ),
    # --- the verbs
    "open_register": (
        "start the kassapunkt and log in operator {operator}",
        "start kassapunktet og logg inn operatør {operator}",
    ),
    "close_register": ("log the operator out and stop the kassapunkt", "logg ut operatøren og steng kassapunktet"),
    "register_float": ("register an opening float (vekselkasse) of {amount}", "registrer vekselkasse på {amount}"),
    "login": (
        "log in operator {operator} (the operator logged in now logs out)",
        "logg inn operatør {operator} (operatøren som er logget inn, logges ut)",
    ),
    "logout": (
        "log the operator out; the kassapunkt stays started",
        "logg ut operatøren; kassapunktet står fortsatt åpent",
    ),
    "add_item": ("sell {quantity} × {article}", "selg {quantity} × {article}"),
    "return_item": ("register a return of {quantity} × {article}", "registrer retur av {quantity} × {article}"),
    "discount": (
        "give a manual discount of {amount} on sale line {line}",
        "gi en manuell rabatt på {amount} på varelinje {line}",
    ),
    "correct_line": (
        "change the quantity of sale line {line} to {quantity}",
        "endre antallet på varelinje {line} til {quantity}",
    ),
    "remove_line": ("delete sale line {line}", "slett varelinje {line}"),
    "set_buyer": ('enter the buyer\'s name "{name}" on the sale', "registrer kjøperens navn «{name}» på salget"),
    "park": ("park the open sale", "parker det åpne salget"),
    "resume": ("resume {sale}", "hent fram {sale}"),
    "pay_cash": ("take {amount} in cash", "ta imot {amount} kontant"),
    "pay_card": (
        "take {amount} by card through the payment terminal",
        "ta imot {amount} med kort via betalingsterminalen",
    ),
    "pay_giftcard": ("take {amount} as a gift card payment", "ta imot {amount} med gavekort"),
    "pay_mobile": ("take {amount} as a mobile payment", "ta imot {amount} med mobilbetaling"),
    "the_total": ("the sale's total", "hele beløpet"),
    "conclude": (
        "conclude the sale (the till prints its salskvittering)",
        "avslutt salget (kassen skriver ut salgskvittering)",
    ),
    "conclude_electronic": (
        "conclude the sale and send the receipt to {address}",
        "avslutt salget og send kvitteringen til {address}",
    ),
    "conclude_credit": (
        "conclude the sale as a credit sale to customer {customer} (the till prints an utleveringskvittering)",
        "avslutt salget som kredittsalg til kunde {customer} (kassen skriver ut utleveringskvittering)",
    ),
    "void": ("cancel (void) the open sale", "annuller det åpne salget"),
    "copy_receipt": ("print a copy receipt (kopikvittering) of {sale}", "skriv ut kopikvittering av {sale}"),
    "provisional_receipt": (
        "print a provisional receipt (foreløpig kvittering) of the open sale",
        "skriv ut foreløpig kvittering av det åpne salget",
    ),
    "training_on": ("switch training mode (treningsmodus) on", "slå på treningsmodus"),
    "training_off": ("switch training mode (treningsmodus) off", "slå av treningsmodus"),
    "price_lookup": (
        "look up the price of {article} without selling it",
        "slå opp prisen på {article} uten å selge den",
    ),
    "open_drawer": ("open the cash drawer without a sale (nullinnslag)", "åpne kasseskuffen uten salg (nullinnslag)"),
    "exchange_slip": ("print an exchange slip (byttelapp) for {sale}", "skriv ut byttelapp for {sale}"),
    "cash_in": ("register a cash pay-in (innbetaling) of {amount}", "registrer en innbetaling på {amount}"),
    "cash_out": ("register a cash pay-out (utbetaling) of {amount}", "registrer en utbetaling på {amount}"),
    "change_price": ("change the price of {article} to {amount}", "endre prisen på {article} til {amount}"),
    "x_report": ("produce an X report", "ta ut en X-rapport"),
    "z_report": ("produce a Z report", "ta ut en Z-rapport"),
    "next_business_day": (
        "go on to the next business day: set the till's date to tomorrow, 08:00 (or end the day as your till does)",
        "gå videre til neste forretningsdag: sett kassens dato til i morgen kl. 08.00 (eller avslutt dagen slik "
        "kassen gjør det)",
    ),
    "settle": (
        "settle the day (dagsoppgjør) against the last Z report with {amount} counted in cash",
        "gjør dagsoppgjør mot siste Z-rapport med {amount} opptalt kontant",
    ),
    "export_journal": (
        "export the electronic journal as SAF-T Cash Register XML for {period}",
        "eksporter den elektroniske journalen som SAF-T Kassasystem-XML for {period}",
    ),
    "kill_and_restart": (
        "kill the till's program without warning (end its process or cut its power), then start it again",
        "drep kasseprogrammet uten forvarsel (avslutt prosessen eller kutt strømmen), og start det igjen",
    ),
    # --- pieces
    "article": ("article {id}", "vare {id}"),
    "article_known": ("article {id} ({description}, {price})", "vare {id} ({description}, {price})"),
    "sale_number": ("the sale with receipt number {number}", "salget med kvitteringsnummer {number}"),
    "sale_step": ("the sale concluded in step {step}", "salget som ble avsluttet i steg {step}"),
    "parked_ref_known": ("the parked sale {ref}", "det parkerte salget {ref}"),
    "parked_step": ("the sale parked in step {step}", "salget som ble parkert i steg {step}"),
    "today": ("the day of the test", "testdagen"),
    "period": ("{start} to {end}", "{start} til {end}"),
}


def say(key: str, lang: str, **fields: object) -> str:
    """The text ``key`` in ``lang`` (``en`` or ``nb``) with ``fields`` filled in."""
    english, norwegian = _TEXTS[key]
    return (norwegian if lang == "nb" else english).format(**fields)


def money(ore: int) -> str:
    """Øre as a Norwegian receipt writes kroner: ``2190`` -> ``21,90 kr``, ``100000`` -> ``1 000,00 kr``."""
    sign = "-" if ore < 0 else ""
    kroner, rest = divmod(abs(ore), 100)
    return f"{sign}{kroner:,}".replace(",", " ") + f",{rest:02d} kr"
