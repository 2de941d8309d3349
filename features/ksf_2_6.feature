Feature: Functions a cash register system must not have (kassasystemforskrifta § 2-6)
  The system must not be able to conclude a sale without printing a «salskvittering», nor
  print more than one «kopikvittering» of a sale. Verdicts come from what the harness's
  printer received, not from what the till says.

  Background:
    Given kassapunkt "K1" is open with operator "1001"

  @ksf_2_6_l4
  Rule: § 2-6 fjerde ledd: no sale without a «salskvittering», at most one «kopikvittering»

    @id_ksf_2_6_l4_001
    Scenario: Concluding a cash sale prints its salskvittering
      When the operator registers 2 × article "1001"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And exactly one salskvittering has been printed

    @id_ksf_2_6_l4_002
    Scenario: One kopikvittering may be printed
      Given a concluded cash sale of 1 × article "1002"
      When the operator asks for a copy receipt of the sale
      Then the till accepts
      And the step printed one document marked "KOPI"

    @id_ksf_2_6_l4_003
    Scenario: A second kopikvittering of the same sale is refused
      Given a concluded cash sale of 1 × article "1002"
      When the operator asks for a copy receipt of the sale
      And the operator asks for another copy receipt of the sale
      Then the till refuses
      And exactly one document marked "KOPI" has been printed

    @id_ksf_2_6_l4_004
    Scenario: A sale is not concluded while the printer is out of paper
      When the operator registers 1 × article "1001"
      And the customer pays the total in cash
      And the printer runs out of paper
      And the operator concludes the sale
      Then the till refuses
      And no salskvittering has been printed
      And the exported journal holds no cash transaction

  @ksf_2_6_l5
  Rule: § 2-6 femte ledd: no registrations while the integrated drawer is open

    @id_ksf_2_6_l5_001
    Scenario: A registration is refused while the drawer stands open
      Given a concluded cash sale of 1 × article "1001" with the drawer left open
      When the operator registers 1 × article "1002"
      Then the till refuses

    @id_ksf_2_6_l5_002
    Scenario: Registrations go on once the drawer is shut
      Given a concluded cash sale of 1 × article "1001" with the drawer left open
      When the cashier pushes the drawer shut
      And the operator registers 1 × article "1002"
      Then the till accepts
