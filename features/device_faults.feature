Feature: What the law requires when a device fails
  Printers run out of paper, covers are opened, drawers stick, payment terminals decline
  or do not answer, and till processes die. None of this may lead to a sale concluded
  without its «salskvittering» (kassasystemforskrifta § 2-6 fjerde ledd), a registration
  with the drawer open (§ 2-6 femte ledd), a payment registered that was never made or
  one made that was never registered (§ 2-5), or registrations that vanish (§ 2-6 andre
  ledd, § 2-8-2 bokstav r). Each scenario puts the harness's device into the fault and
  judges the outcome from what the devices recorded and from the journal export.

  The harness's printer runs out of paper or has its cover opened before a document, or
  in the middle of one after a number of printed lines. Before it, a till that reads the
  printer's status first refuses the sale, and a till that does not sends the receipt to
  a printer that holds it. In the middle of the «salskvittering» the sale is concluded
  already: the printer holds the rest and prints it once it is ready again, so the till
  must not print a second original (any further receipt is a copy marked «KOPI», § 2-8-6),
  and while the printer stays down the journal must hold the sale and that its receipt
  did not print. Either way the law asks the same: no sale stands in the journal without
  its receipt on paper, and no sale has two.

  Background:
    Given kassapunkt "K1" is open with operator "1001"

  @ksf_2_6_l4
  Rule: § 2-6 fjerde ledd: no sale is concluded without its salskvittering, also when the printer fails

    @id_ksf_2_6_l4_005
    Scenario: The printer is out of paper when the receipt is due
      When the operator registers 1 × article "1001"
      And the customer pays the total in cash
      And the printer runs out of paper
      And the operator concludes the sale
      Then every sale in the journal has its receipt on paper

    @id_ksf_2_6_l4_006
    Scenario: With new paper in the printer the sale is concluded once, with one salskvittering
      When the operator registers 1 × article "1001"
      And the customer pays the total in cash
      And the printer runs out of paper
      And the operator concludes the sale
      And the printer is ready again
      And the operator concludes the sale
      Then the journal holds 1 concluded sale of 21,90 kr
      And the printer has printed 1 receipt
      And every sale in the journal has its receipt on paper

    @id_ksf_2_6_l4_007
    Scenario: The printer's cover is open when the receipt is due
      When the operator registers 1 × article "1002"
      And the customer pays the total in cash
      And the printer's cover is opened
      And the operator concludes the sale
      Then every sale in the journal has its receipt on paper

    @id_ksf_2_6_l4_008
    Scenario: With the cover shut again the sale is concluded once, with one salskvittering
      When the operator registers 1 × article "1002"
      And the customer pays the total in cash
      And the printer's cover is opened
      And the operator concludes the sale
      And the printer is ready again
      And the operator concludes the sale
      Then the journal holds 1 concluded sale of 39,90 kr
      And the printer has printed 1 receipt
      And every sale in the journal has its receipt on paper

    @id_ksf_2_6_l4_009
    Scenario: The paper runs out in the middle of the «salskvittering»: after the new roll it is on paper once
      When the operator registers 1 × article "1001"
      And the customer pays the total in cash
      And the printer will run out of paper after 3 printed lines
      And the operator concludes the sale
      And the printer is ready again
      And the cashier pushes the drawer shut
      And the operator registers 1 × article "1002"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the first sale's «salskvittering» is on paper once, with its receipt number and its total
      And every sale of the scenario has its own receipt
      And every sale in the journal has its receipt on paper

    @id_ksf_2_6_l4_010
    Scenario: The cover is opened in the middle of the «salskvittering»: once it is shut the receipt is on paper once
      When the operator registers 1 × article "1002"
      And the customer pays the total in cash
      And the printer's cover will be opened after 5 printed lines
      And the operator concludes the sale
      And the printer is ready again
      And the cashier pushes the drawer shut
      And the operator registers 1 × article "1001"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the first sale's «salskvittering» is on paper once, with its receipt number and its total
      And every sale of the scenario has its own receipt
      And every sale in the journal has its receipt on paper

    @id_ksf_2_6_l4_011
    Scenario: The paper runs out in the middle of the «salskvittering» and stays out: the journal keeps the sale and the failure
      When the operator registers 1 × article "1001"
      And the customer pays the total in cash
      And the printer will run out of paper after 3 printed lines
      And the operator concludes the sale
      Then the journal holds 1 concluded sale of 21,90 kr
      And the journal records that the sale's «salskvittering» did not print

  @ksf_2_6_l5 @needs_integrated_drawer
  Rule: § 2-6 femte ledd: no registration while the drawer is open, also when it sticks open

    @id_ksf_2_6_l5_003
    Scenario: A drawer stuck open stops the next registration
      When the drawer sticks open
      And the operator registers 1 × article "1001"
      And the customer pays the total in cash
      And the operator concludes the sale
      And the cashier pushes the drawer shut
      And the operator registers 1 × article "1002"
      Then the till refuses
      And the drawer is still open
      And the journal holds 1 concluded sale of 21,90 kr

    @id_ksf_2_6_l5_004
    Scenario: Once the stuck drawer is repaired and shut, registrations go on
      When the drawer sticks open
      And the operator registers 1 × article "1001"
      And the customer pays the total in cash
      And the operator concludes the sale
      And the drawer is repaired
      And the cashier pushes the drawer shut
      And the operator registers 1 × article "1002"
      Then the till accepts

  @ksf_2_5_payment @needs_integrated_terminal
  Rule: § 2-5: a card payment the terminal did not approve is not registered as paid

    @id_ksf_2_5_payment_004
    Scenario: The terminal declines the card: the sale stays open until it is paid in cash
      When the operator registers 1 × article "1002"
      And the payment terminal will decline the next payment
      And the customer pays the total by card
      And the operator concludes the sale
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the printer has printed 1 receipt
      And no printed document claims the card payment the terminal did not approve
      And the journal holds 1 concluded sale of 39,90 kr
      And the journal's sale is paid with 40,00 kr in cash and nothing by card

    @id_ksf_2_5_payment_005
    Scenario: The customer aborts on the terminal: the sale stays open until it is paid in cash
      When the operator registers 1 × article "1002"
      And the payment terminal will abort the next payment
      And the customer pays the total by card
      And the operator concludes the sale
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the printer has printed 1 receipt
      And no printed document claims the card payment the terminal did not approve
      And the journal holds 1 concluded sale of 39,90 kr
      And the journal's sale is paid with 40,00 kr in cash and nothing by card

    @id_ksf_2_5_payment_006
    Scenario: The terminal does not answer in time: the sale stays open until it is paid in cash
      When the operator registers 1 × article "1001"
      And the payment terminal will time out the next payment
      And the customer pays the total by card
      And the operator concludes the sale
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the printer has printed 1 receipt
      And the journal holds 1 concluded sale of 21,90 kr
      And the journal's sale is paid with 22,00 kr in cash and nothing by card

    @id_ksf_2_5_payment_007 @ksf_2_7_l1
    Scenario: A card payment the terminal approved before the till died is not lost
      When the operator registers 1 × article "1002"
      And the customer pays the total by card
      And the till process is killed and started again
      Then the card payment the terminal approved is in the journal or reversed at the terminal

  @ksf_2_8_2_r
  Rule: § 2-8-2 bokstav r: a sale interrupted by a crash is journaled as cancelled, and nothing registered vanishes

    @id_ksf_2_6_l2_006 @ksf_2_6_l2 @saft_sig_chain
    Scenario: The till process dies mid-sale and is started again
      Given a concluded cash sale of 1 × article "1001"
      When the operator registers 2 × article "1002"
      And the till process is killed and started again
      And the operator registers 1 × article "1003"
      And the customer pays the total in cash
      And the operator concludes the sale
      And the cashier pushes the drawer shut
      And the operator asks for an X report
      Then the till accepts
      And the journal holds the interrupted sale of 79,80 kr as cancelled
      And the X report of kassapunkt "K1" counts 1 cancelled sale of 79,80 kr
      And the printer has printed 2 receipts
      And no receipt shows the amount 79,80 kr
      And the signature chain and the numbering run on across the restart
