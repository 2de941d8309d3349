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

  @ksf_2_8_6_font
  Rule: § 2-8-6 (inferred from § 2-8-8): the marking is at least 50 % larger than the amounts

    @id_ksf_2_8_6_font_001
    Scenario: «KOPI» is printed at least 50 % larger than the amounts
      Given a concluded cash sale of 1 × article "1002"
      When the operator asks for a copy receipt of the sale
      Then the till accepts
      And the marking "KOPI" is printed at least 50 % larger than the amounts

    @id_ksf_2_8_6_font_002 @needs_provisional_receipts
    Scenario: The provisional receipt's marking is at least 50 % larger than the amounts
      When the operator registers 2 × article "1201"
      And the operator prints a provisional receipt
      Then the till accepts
      And the not-for-purchase marking is printed at least 50 % larger than the amounts

    @id_ksf_2_8_6_font_003 @needs_training_mode
    Scenario: The training receipt's marking is at least 50 % larger than the amounts
      Given training mode is on
      When the operator registers 1 × article "1003"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the not-for-purchase marking is printed at least 50 % larger than the amounts

  @ksf_2_8_6_provisional @needs_provisional_receipts
  Rule: § 2-8-6: a «foreløpig kvittering» is clearly marked as not a receipt for purchase

    @id_ksf_2_8_6_provisional_001
    Scenario: The provisional receipt calls itself so and says it is not a receipt for purchase
      When the operator registers 1 × article "1201"
      And the operator registers 1 × article "1101"
      And the operator prints a provisional receipt
      Then the till accepts
      And the document the step printed names itself "Foreløpig kvittering"
      And the document the step printed is marked as not a receipt for purchase
      And the document the step printed is not headed as a salskvittering

    @id_ksf_2_8_6_provisional_002
    Scenario: The provisional receipt is journaled and counted as one
      When the operator registers 1 × article "1201"
      And the operator prints a provisional receipt
      And the operator asks for an X report
      Then the till accepts
      And the journal records 1 provisional receipt of 1 × article "1201"

    @id_ksf_2_8_6_provisional_003
    Scenario: The sale's receipt after a provisional one is an unmarked salskvittering
      When the operator registers 1 × article "1201"
      And the operator prints a provisional receipt
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the step printed one receipt for the sale
      And the document the step printed says nothing about not being a receipt for purchase

  @ksf_2_8_6_training @needs_training_mode
  Rule: § 2-8-6 (FOR-2016-07-06-901): a training receipt is marked as such and not a receipt for purchase

    @id_ksf_2_8_6_training_001
    Scenario: The training receipt calls itself so and says it is not a receipt for purchase
      Given training mode is on
      When the operator registers 2 × article "1002"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the document the step printed names itself "Treningskvittering"
      And the document the step printed is marked as not a receipt for purchase
      And the document the step printed is not headed as a salskvittering

    @id_ksf_2_8_6_training_002
    Scenario: The training receipt is journaled as a training transaction
      Given training mode is on
      When the operator registers 1 × article "1004"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the journal records a training receipt for the sale
      And the journal marks the sale as a training transaction

    @id_ksf_2_8_6_training_003
    Scenario: Once training mode is off the receipt is an unmarked salskvittering again
      Given training mode is on
      And a concluded cash sale of 1 × article "1001"
      When the operator switches training mode off
      And the operator registers 1 × article "1001"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the step printed one receipt for the sale
      And the document the step printed says nothing about not being a receipt for purchase
