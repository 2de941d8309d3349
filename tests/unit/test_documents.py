"""What a printed document is (harness.documents): headings, copies and markings as a customer reads them."""

from __future__ import annotations

import pytest

from harness.documents import canonical, heading_of, is_copy, is_headed, is_report, marked
from harness.observe import Printed


def _doc(*lines: str) -> Printed:
    return Printed("\n".join(lines), tuple((line, 1, 1) for line in lines), b"", 1)


@pytest.mark.parametrize(
    ("heading", "name"),
    [
        ("Salskvittering", "Salskvittering"),
        ("SALGSKVITTERING", "Salskvittering"),  # bokmål, any letter case
        ("  Returkvittering nr. 4", "Returkvittering"),
        ("Foreløpig kvittering – IKKJE KVITTERING FOR KJØP", "Foreløpig kvittering"),
        ("x-rapport", "X-rapport"),
        ("Z rapport nr. 7", "Z-rapport"),
        ("Z report", "Z-rapport"),
    ],
)
def test_a_heading_names_the_document(heading: str, name: str) -> None:
    document = _doc("", heading, "TineMelk 21,90")
    assert heading_of(document) == name
    assert is_headed(document, name)


def test_the_name_comes_from_the_first_text_line_only() -> None:
    assert heading_of(_doc("Kassakontroll Demobutikk AS", "Salskvittering")) is None
    assert heading_of(_doc("Kvittering", "X-rapport")) is None
    assert not is_report(_doc("Rapport over dagens salg"))  # a report only by the X/Z name (§ 2-8-3)
    assert is_report(_doc("X-RAPPORT")) and not is_report(_doc("Salskvittering"))


def test_a_scenario_may_use_either_form_and_an_unknown_name_lists_the_known() -> None:
    assert canonical("Salgskvittering") == "Salskvittering"
    assert is_headed(_doc("Salskvittering"), "Salgskvittering")
    with pytest.raises(KeyError, match="no document is called 'Byttelapp'; known: Salskvittering, Returkvittering"):
        canonical("Byttelapp")


def test_copies_are_marked_as_printed_and_markings_found_anywhere() -> None:
    assert is_copy(_doc("Salskvittering", "", "KOPI"))
    assert not is_copy(_doc("Salskvittering", "kopi av bong"))  # «KOPI» as printed (§ 2-8-6)
    assert marked("Bord 4\nFORELØPIG\nKVITTERING", "provisional")  # a marking wrapped over lines
    assert marked("TRENINGSKVITTERING – IKKJE KVITTERING FOR KJØP", "training")
    assert not marked("Salskvittering", "training")
    with pytest.raises(KeyError, match=r"no marking .tips.; known: training, provisional, delivery, exchange_slip"):
        marked("x", "tips")
