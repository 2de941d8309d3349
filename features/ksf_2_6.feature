Feature: Functions a cash register system must not have (kassasystemforskrifta § 2-6)
  The system must have no function that changes or deletes registered data: corrections
  are new registrations. «Treningsmodus» is allowed only on conditions: switched on and
  off in the journal, marked receipts of a number series of their own, counted apart and
  never as sales, no cash moved. The system must not be able to conclude a sale without
  printing a «salskvittering», nor print more than one «kopikvittering» of a sale, nor
  take registrations while the drawer is open. Verdicts come from what the harness's
  printer and drawer recorded and from the journal export, not from what the till says.

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

  @ksf_2_6_l2
  Rule: § 2-6 andre ledd: no function changes or deletes registered data; corrections are new registrations

    @id_ksf_2_6_l2_001 @needs_line_corrections
    Scenario: A quantity corrected before the sale is concluded stays in the journal as a correction
      When the operator registers 3 × article "1001"
      And the operator corrects line 1 to quantity 2
      And the customer pays the total in cash
      And the operator concludes the sale
      And the cashier pushes the drawer shut
      And the operator asks for an X report
      Then the till accepts
      And the journal holds the sale of 43,80 kr
      And the journal keeps the correction of -21,90 kr as a registration of its own
      And the X report of kassapunkt "K1" counts 1 line correction of 21,90 kr

    @id_ksf_2_6_l2_002 @needs_line_corrections
    Scenario: A line deleted before the sale is concluded stays in the journal as a correction
      When the operator registers 1 × article "1001"
      And the operator registers 1 × article "1002"
      And the operator deletes line 1
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the journal holds the sale of 39,90 kr
      And the journal keeps the correction of -21,90 kr as a registration of its own

    @id_ksf_2_6_l2_003
    Scenario: A concluded sale is corrected with a return of its own and is itself left unchanged
      Given a concluded cash sale of 2 × article "1001"
      When the operator registers a return of 1 × article "1001"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the journal holds the first sale unchanged at 43,80 kr
      And the journal holds the return as a transaction of its own of -21,90 kr

    @id_ksf_2_6_l2_004
    Scenario: A concluded sale cannot be voided afterwards
      Given a concluded cash sale of 1 × article "1002"
      When the operator voids the sale
      Then the till refuses
      And the journal holds the first sale unchanged at 39,90 kr
      And the journal holds no cancelled sale

    @id_ksf_2_6_l2_005 @needs_line_corrections
    Scenario: A line of a concluded sale cannot be corrected afterwards
      Given a concluded cash sale of 2 × article "1001"
      When the operator corrects line 1 to quantity 1
      Then the till refuses
      And the journal holds the first sale unchanged at 43,80 kr
      And the journal's signatures and numbering verify

  @ksf_2_6_l3 @needs_training_mode
  Rule: § 2-6 tredje ledd: «treningsmodus» only on conditions: journaled, marked, counted apart, never as sales

    @id_ksf_2_6_l3_001
    Scenario: Switching training mode on and off is journaled
      When the operator switches training mode on
      And the operator switches training mode off
      Then the till accepts
      And the journal holds training mode switched on and then off at kassapunkt "K1"

    @id_ksf_2_6_l3_002
    Scenario: A training receipt is marked as such and journaled as a training receipt
      Given training mode is on
      When the operator registers 1 × article "1001"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the receipt is marked as a training receipt and is not a salskvittering
      And the journal flags the sale as training, with a training receipt event

    @id_ksf_2_6_l3_003
    Scenario: A training sale is counted in letter w and changes no sales figure
      Given training mode is on
      When the operator registers 1 × article "1001"
      And the customer pays the total in cash
      And the operator concludes the sale
      And the operator switches training mode off
      And the operator asks for an X report
      Then the till accepts
      And the X report of kassapunkt "K1" counts 1 training receipt of 21,90 kr
      And the X report of kassapunkt "K1" counts sales of 0,00 kr in 0 sales receipts, paid with 0,00 kr

    @id_ksf_2_6_l3_004
    Scenario: Once training mode is off, sales count again and the training sale still does not
      Given training mode is on
      When the operator registers 1 × article "1001"
      And the customer pays the total in cash
      And the operator concludes the sale
      And the operator switches training mode off
      And the operator registers 1 × article "4001"
      And the customer pays the total in cash
      And the operator concludes the sale
      And the cashier pushes the drawer shut
      And the operator asks for an X report
      Then the till accepts
      And the X report of kassapunkt "K1" counts 1 training receipt of 21,90 kr
      And the X report of kassapunkt "K1" counts sales of 49,00 kr in 1 sales receipt, paid with 49,00 kr

  @ksf_2_6_l3_separate @needs_training_mode
  Rule: § 2-6 tredje ledd: training sales have a number series of their own and move no cash

    @id_ksf_2_6_l3_separate_001 @needs_integrated_drawer
    Scenario: A training sale paid in cash does not open the drawer
      Given training mode is on
      When the operator registers 1 × article "1001"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the drawer has not opened

    @id_ksf_2_6_l3_separate_002
    Scenario: A training receipt takes no number of the sales receipts' series
      Given a concluded cash sale of 1 × article "4001"
      When the operator switches training mode on
      And the operator registers 1 × article "1001"
      And the customer pays the total in cash
      And the operator concludes the sale
      And the operator switches training mode off
      And the operator registers 1 × article "4001"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the training receipt has a number outside the series of the sales receipts, which runs on without a gap
