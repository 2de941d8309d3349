Feature: Marking of receipts that are not sales receipts (kassasystemforskrifta § 2-8-6)
  A «kopikvittering» must be marked «KOPI», so that nobody can take it for the
  «salskvittering» of a new sale.

  Background:
    Given kassapunkt "K1" is open with operator "1001"

  @ksf_2_8_6
  Rule: § 2-8-6: a «kopikvittering» is marked «KOPI»

    @id_ksf_2_8_6_001
    Scenario: The kopikvittering carries the word «KOPI»
      Given a concluded cash sale of 2 × article "1003"
      When the operator asks for a copy receipt of the sale
      Then the till accepts
      And the document the step printed is marked "KOPI"
