Feature: Delivery receipts and payment terminal receipts (kassasystemforskrifta § 2-8-7 and § 2-8-8)
  A credit sale invoiced later gets an «Utleveringskvittering» instead of a «salskvittering»:
  its own number series, what was delivered, when, and as a rule the amount. A receipt from a
  payment terminal that is not integrated with the system must be marked «IKKJE KVITTERING FOR
  KJØP» at least 50 % larger than the amount; with an integrated terminal, nothing the payment
  prints may pass for a receipt of purchase except the salskvittering itself.

  Background:
    Given kassapunkt "K1" is open with operator "1001"

  @ksf_2_8_7 @needs_credit_sales
  Rule: § 2-8-7: a credit sale prints an «Utleveringskvittering», not a «salskvittering»

    @id_ksf_2_8_7_001 @bff_5_3_5_l1
    Scenario: A credit sale's receipt is headed «Utleveringskvittering»
      When the operator registers 1 × article "1002"
      And the operator concludes the sale as a credit sale to customer "KUNDE-1"
      Then the till accepts
      And the step printed one document, headed "Utleveringskvittering"
      And the step printed no salskvittering

    @id_ksf_2_8_7_002
    Scenario: The delivery receipt shows what was delivered, its number, date and time and the amount
      When the operator registers 2 × article "1002"
      And the operator registers 1 × article "4001"
      And the operator concludes the sale as a credit sale to customer "KUNDE-1"
      Then the till accepts
      And the receipt lists 2 × article "1002" and 1 × article "4001"
      And the receipt shows the total of 2 × article "1002" and 1 × article "4001"
      And the receipt's number, date and time are those of the sale in the journal

    @id_ksf_2_8_7_003
    Scenario: Delivery receipts have their own number series, apart from the sales receipts
      Given a concluded cash sale of 1 × article "1001"
      When the operator registers 1 × article "1002"
      And the operator concludes the sale as a credit sale to customer "KUNDE-1"
      And the operator registers 1 × article "1003"
      And the operator concludes the sale as a credit sale to customer "KUNDE-2"
      And the operator registers 1 × article "1004"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the salskvitteringar of the scenario are numbered consecutively
      And the utleveringskvitteringar of the scenario are numbered consecutively

    @id_ksf_2_8_7_004
    Scenario: The delivery receipt is journaled as one
      When the operator registers 1 × article "4001"
      And the operator concludes the sale as a credit sale to customer "KUNDE-1"
      Then the till accepts
      And the journal records a delivery receipt for the sale
      And the journal counts the sale as delivered on a delivery receipt

    @id_ksf_2_8_7_005 @ksf_2_8_6_font
    Scenario: The delivery receipt's marking is at least 50 % larger than the amounts
      When the operator registers 1 × article "1201"
      And the operator concludes the sale as a credit sale to customer "KUNDE-1"
      Then the till accepts
      And the marking "Utleveringskvittering" is printed at least 50 % larger than the amounts

  @ksf_2_8_8 @needs_integrated_terminal
  Rule: § 2-8-8: no payment-terminal slip passes for a receipt of purchase without «IKKJE KVITTERING FOR KJØP»

    @id_ksf_2_8_8_001
    Scenario: A card sale prints its salskvittering and no unmarked terminal slip
      When the operator registers 1 × article "2001"
      And the customer pays the total by card
      And the operator concludes the sale
      Then the till accepts
      And every slip of the card payment other than the sales or return receipt is marked "IKKJE KVITTERING FOR KJØP" at least 50 % larger than the amount

    @id_ksf_2_8_8_002
    Scenario: A declined card payment prints nothing that passes for a receipt of purchase
      When the operator registers 1 × article "1201"
      And the payment terminal will decline the next payment
      And the customer pays the total by card
      Then the till refuses
      And the step printed no receipt
      And every slip of the card payment other than the sales or return receipt is marked "IKKJE KVITTERING FOR KJØP" at least 50 % larger than the amount

    @id_ksf_2_8_8_003
    Scenario: A card refund prints its returkvittering and no unmarked terminal slip
      Given a concluded card sale of 1 × article "1002"
      When the operator registers a return of 1 × article "1002"
      And the customer pays the total by card
      And the operator concludes the sale
      Then the till accepts
      And every slip of the card payment other than the sales or return receipt is marked "IKKJE KVITTERING FOR KJØP" at least 50 % larger than the amount
