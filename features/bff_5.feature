Feature: Sales documents and receipts of the bokføringsforskrifta (kapittel 5)
  A cash payment of NOK 40 000 or more needs the buyer's name on the sales document
  (§ 5-1-2). Every sale gets a «salskvittering» for the customer, whatever the means of
  payment (§ 5-3-5 første ledd), and the system must be able to print one for every sale
  (§ 5-3-12 første ledd).

  Background:
    Given kassapunkt "K1" is open with operator "1001"

  @bff_5_1_2
  Rule: § 5-1-2: a cash payment of NOK 40 000 or more names the buyer

    @id_bff_5_1_2_001
    Scenario: A cash sale of 41 990 kr is not concluded without the buyer's name
      When the operator registers 1 × article "4010"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till refuses
      And the step printed no receipt
      And the exported journal holds no sale of the kassapunkt

    @id_bff_5_1_2_002
    Scenario: The buyer's name is printed on the receipt of a cash sale of 41 990 kr
      When the operator registers 1 × article "4010"
      And the operator enters the buyer's name "Ola Nordmann"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the step printed one receipt for the sale
      And the sale's receipt names the buyer "Ola Nordmann"

    @id_bff_5_1_2_003
    Scenario: Once refused, the sale is concluded when the buyer's name is given
      When the operator registers 1 × article "4010"
      And the customer pays the total in cash
      And the operator concludes the sale
      And the operator enters the buyer's name "Kari Hansen"
      And the operator concludes the sale
      Then the till accepts
      And the step printed one receipt for the sale
      And the sale's receipt names the buyer "Kari Hansen"

    @id_bff_5_1_2_004
    Scenario: A card payment of 41 990 kr needs no buyer's name
      When the operator registers 1 × article "4010"
      And the customer pays the total by card
      And the operator concludes the sale
      Then the till accepts
      And the step printed one receipt for the sale

    @id_bff_5_1_2_005 @needs_price_changes
    Scenario: A cash sale of exactly 40 000 kr needs the buyer's name
      When the operator changes the price of article "4010" to 40 000,00 kr
      And the operator registers 1 × article "4010"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till refuses
      And the step printed no receipt

    @id_bff_5_1_2_006 @needs_price_changes
    Scenario: A cash sale just below 40 000 kr needs no buyer's name
      When the operator changes the price of article "4010" to 39 999,00 kr
      And the operator registers 1 × article "4010"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the step printed one receipt for the sale

  @bff_5_3_5_l1
  Rule: § 5-3-5 første ledd: a «salskvittering» for every sale, whatever the means of payment

    @id_bff_5_3_5_l1_001
    Scenario: A card sale gets its salskvittering
      When the operator registers 1 × article "1002"
      And the customer pays the total by card
      And the operator concludes the sale
      Then the till accepts
      And the step printed one receipt for the sale

    @id_bff_5_3_5_l1_002 @needs_other_means
    Scenario: A gift card sale gets its salskvittering
      When the operator registers 1 × article "4002"
      And the customer pays the total with a gift card
      And the operator concludes the sale
      Then the till accepts
      And the step printed one receipt for the sale

    @id_bff_5_3_5_l1_003 @needs_other_means
    Scenario: A mobile payment sale gets its salskvittering
      When the operator registers 1 × article "1101"
      And the customer pays the total by mobile payment
      And the operator concludes the sale
      Then the till accepts
      And the step printed one receipt for the sale

    @id_bff_5_3_5_l1_004 @needs_electronic_receipts
    Scenario: With an electronic receipt the paper receipt is the copy, marked «KOPI»
      When the operator registers 1 × article "1003"
      And the customer pays the total in cash
      And the operator concludes the sale with the receipt sent to "kunde@example.no"
      Then the till accepts
      And the step printed one document, the sale's paper receipt, marked "KOPI"

  @bff_5_3_12_l1
  Rule: § 5-3-12 første ledd: the system can print a salskvittering for every sale

    @id_bff_5_3_12_l1_001
    Scenario: Every sale of a run of sales has its own salskvittering
      Given a concluded cash sale of 1 × article "1001"
      And a concluded card sale of 2 × article "1002"
      And a concluded cash sale of 1 × article "5001"
      When the operator registers 1 × article "1201"
      And the operator registers 1 × article "1004"
      And the customer pays the total by card
      And the operator concludes the sale
      Then the till accepts
      And every sale of the scenario has its own receipt

    @id_bff_5_3_12_l1_002
    Scenario: The second kassapunkt prints its own salskvittering
      Given kassapunkt "K2" is open with operator "1002"
      When the operator registers 1 × article "3001"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the step printed one receipt for the sale
