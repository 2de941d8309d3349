Feature: The sales receipt and the return receipt (kassasystemforskrifta § 2-8-4 and § 2-8-5)
  A «salskvittering» carries its name at the top and tells the customer who sold what, when,
  for how much and with how much VAT; with an integrated payment terminal it also carries the
  terminal's transaction ID. A «returkvittering» is the same document for goods taken back,
  named «Returkvittering» and with negative amounts. Every fact is compared with the profile
  (shop, articles, prices, VAT rates), the journal export and the terminal's own answers.

  Background:
    Given kassapunkt "K1" is open with operator "1001"

  @ksf_2_8_4
  Rule: § 2-8-4: the receipt's name «Salskvittering» stands at the top

    @id_ksf_2_8_4_001
    Scenario: A cash sale's receipt is headed «Salskvittering»
      When the operator registers 2 × article "1001"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the step printed one document, headed "Salskvittering"

    @id_ksf_2_8_4_002
    Scenario: A card sale's receipt is headed «Salskvittering»
      When the operator registers 1 × article "1201"
      And the customer pays the total by card
      And the operator concludes the sale
      Then the till accepts
      And the step printed one document, headed "Salskvittering"

    @id_ksf_2_8_4_003
    Scenario: Sale and return on one receipt: both names at the top, counted apart in the X report
      When the operator registers 1 × article "1201"
      And the operator registers a return of 1 × article "1001"
      And the customer pays the total in cash
      And the operator concludes the sale
      And the operator asks for an X report
      Then the till accepts
      And the heading of the scenario's salskvittering also names "Returkvittering"
      And the X report counts 1 salskvittering and 1 return of 1 × article "1001"

  @ksf_2_8_4_content
  Rule: § 2-8-4 (content inferred from bokføringsforskrifta § 5-1-1): who sold what, when, for how much

    @id_ksf_2_8_4_content_001
    Scenario: The receipt names the seller and its organisation number followed by «MVA»
      When the operator registers 1 × article "1002"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the receipt shows the shop's name and organisation number followed by "MVA"

    @id_ksf_2_8_4_content_002
    Scenario: The receipt lists the goods with quantity and amount, and the total
      When the operator registers 2 × article "1001"
      And the operator registers 1 × article "1201"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the receipt lists 2 × article "1001" and 1 × article "1201"
      And the receipt shows the total of 2 × article "1001" and 1 × article "1201"

    @id_ksf_2_8_4_content_003
    Scenario: The receipt shows the VAT of each rate
      When the operator registers 2 × article "1001"
      And the operator registers 1 × article "1201"
      And the operator registers 1 × article "4002"
      And the customer pays the total by card
      And the operator concludes the sale
      Then the till accepts
      And the receipt shows the VAT per rate of 2 × article "1001" and 1 × article "1201" and 1 × article "4002"

    @id_ksf_2_8_4_content_004
    Scenario: The receipt's number, date and time are those the journal holds for the sale
      Given a concluded cash sale of 1 × article "1003"
      When the operator registers 1 × article "1004"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the receipt's number, date and time are those of the sale in the journal

    @id_ksf_2_8_4_content_005
    Scenario: Sales receipts are numbered in one series without gaps
      Given a concluded cash sale of 1 × article "1001"
      And a concluded card sale of 1 × article "1002"
      And a concluded cash sale of 2 × article "1003"
      Then the salskvitteringar of the scenario are numbered consecutively
      And every sale of the scenario has its own receipt

    @id_ksf_2_8_4_content_006
    Scenario: The receipt names the kassapunkt, the operator and the means of payment
      When the operator registers 1 × article "1101"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the receipt names the kassapunkt, the operator and the means of payment "cash"

  @ksf_2_8_4_terminal @needs_integrated_terminal
  Rule: § 2-8-4: with an integrated payment terminal the receipt carries the terminal's transaction ID

    @id_ksf_2_8_4_terminal_001
    Scenario: The card sale's receipt carries the transaction ID the terminal issued
      When the operator registers 1 × article "2001"
      And the customer pays the total by card
      And the operator concludes the sale
      Then the till accepts
      And the receipt carries the transaction ID the payment terminal issued

    @id_ksf_2_8_4_terminal_002
    Scenario: The journal's card payment holds the terminal's transaction ID
      Given a concluded card sale of 2 × article "1002"
      Then the journal's payment of the sale holds the transaction ID the payment terminal issued

    @id_ksf_2_8_4_terminal_003
    Scenario: After a declined attempt the receipt carries the approved payment's ID only
      When the operator registers 1 × article "1201"
      And the payment terminal will decline the next payment
      And the customer pays the total by card
      And the customer pays the total by card
      And the operator concludes the sale
      Then the till accepts
      And the receipt carries the transaction ID the payment terminal issued

    @id_ksf_2_8_4_terminal_004
    Scenario: A card refund's receipt carries the refund's transaction ID from the terminal
      Given a concluded card sale of 1 × article "4001"
      When the operator registers a return of 1 × article "4001"
      And the customer pays the total by card
      And the operator concludes the sale
      Then the till accepts
      And the receipt carries the transaction ID the payment terminal issued

  @ksf_2_8_5
  Rule: § 2-8-5: the «Returkvittering» is named at the top and shows negative amounts

    @id_ksf_2_8_5_001
    Scenario: Goods taken back give a receipt headed «Returkvittering»
      Given a concluded cash sale of 1 × article "1002"
      When the operator registers a return of 1 × article "1002"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the step printed one document, headed "Returkvittering"
      And the step printed no salskvittering

    @id_ksf_2_8_5_002
    Scenario: The return receipt has the sales receipt's content with negative amounts
      When the operator registers a return of 2 × article "1003"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the receipt lists a return of 2 × article "1003"
      And the receipt shows the total of a return of 2 × article "1003"
      And the receipt shows the shop's name and organisation number followed by "MVA"
      And the receipt's number, date and time are those of the sale in the journal

    @id_ksf_2_8_5_003
    Scenario: The return receipt is journaled as one
      When the operator registers a return of 1 × article "1001"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the journal records a return receipt for the sale

    @id_ksf_2_8_5_004 @needs_integrated_terminal
    Scenario: Goods refunded to the card give a «Returkvittering»
      Given a concluded card sale of 1 × article "1201"
      When the operator registers a return of 1 × article "1201"
      And the customer pays the total by card
      And the operator concludes the sale
      Then the till accepts
      And the step printed one document, headed "Returkvittering"
