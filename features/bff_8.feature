Feature: The end-of-day Z report and the sector groups (bokføringsforskrifta § 5-3-14 første ledd, § 8-3, § 8-5)
  At the end of the day a «Z-rapport» is taken from each kassapunkt, with the figures the
  day's cash is reconciled against, per operator where operators have their own drawers
  (§ 5-3-14 første ledd). Serving places specify their turnover in the sector's goods and
  service groups (§ 8-5; SAF-T article-group codes 04006–04018), and hairdressers and
  beauty businesses per goods and treatment group and per employee (§ 8-3; codes
  04001–04005). Whether the shop is such a business is read from the article groups its
  journal declares: a till whose groups carry no code of the sector is "not applicable".

  Background:
    Given kassapunkt "K1" is open with operator "1001"

  @bff_5_3_14_l1
  Rule: § 5-3-14 første ledd: a Z report from each kassapunkt at the end of the day, with the reconciliation figures

    @id_bff_5_3_14_l1_001
    Scenario: Each kassapunkt takes its own Z report at the end of the day
      Given a concluded cash sale of 1 × article "1001"
      And kassapunkt "K2" is open with operator "1002"
      And a concluded cash sale of 1 × article "1201"
      When the operator asks for a Z report
      And the operator turns to kassapunkt "K1"
      And the operator asks for a Z report
      Then kassapunkt "K1" and kassapunkt "K2" have each printed and journaled their own Z report
      And the Z report of kassapunkt "K1" shows 1 payment by cash (g) for 1 × "1001"
      And the Z report of kassapunkt "K2" shows 1 payment by cash (g) for 1 × "1201"

    @id_bff_5_3_14_l1_002 @needs_per_operator
    Scenario: Where operators have their own drawers the Z report reconciles each of them
      Given an opening float of 500,00 kr is registered
      And a concluded cash sale of 1 × article "1001"
      When operator "1002" logs in
      And the operator registers an opening float of 300,00 kr
      And the operator registers 1 × article "1201"
      And the customer pays the total in cash
      And the operator concludes the sale
      And the cashier pushes the drawer shut
      And the operator asks for a Z report
      Then the Z report shows an opening float of operator "1001" (k) of 500,00 kr
      And the Z report shows an opening float of operator "1002" (k) of 300,00 kr
      And the Z report shows 1 payment by cash of operator "1001" (h) for 1 × "1001"
      And the Z report shows 1 payment by cash of operator "1002" (h) for 1 × "1201"

    @id_bff_5_3_14_l1_003 @needs_cash_in_out
    Scenario: The Z report gives the cash the drawer must hold at the end of the day
      Given an opening float of 1 000,00 kr is registered
      And a concluded cash sale of 1 × article "1201"
      When the operator registers a cash pay-in of 50,00 kr
      And the cashier pushes the drawer shut
      And the operator registers a cash pay-out of 20,00 kr
      And the cashier pushes the drawer shut
      And the operator asks for a Z report
      Then the cash the Z report expects in the drawer is 1 000,00 kr + 1 × "1201" + 50,00 kr − 20,00 kr
      And the Z report shows an opening float (k) of 1 000,00 kr
      And the Z report shows 1 payment by cash (g) for 1 × "1201"

  @bff_8_5
  Rule: § 8-5: serving places specify their turnover in the sector's groups

    @id_bff_8_5_001
    Scenario: The café's food and coffee are filed under the serving-place groups
      Given a concluded cash sale of 1 × article "1001"
      And a concluded card sale of 1 × article "1201"
      When the operator asks for a Z report
      Then the Z report files article "1001" under serving-place code "04006" (food)
      And the Z report files article "1201" under serving-place code "04012" (other drinks: coffee, tea)
      And the Z report shows the article groups (f) of the sales 1 × "1001" and 1 × "1201"

    @id_bff_8_5_002
    Scenario: Every article group with sales on the Z report has a code of the sector
      Given a concluded cash sale of 1 × article "1001"
      And a concluded card sale of 1 × article "1201"
      And a concluded card sale of 1 × article "4001"
      When the operator asks for a Z report
      Then every article group with sales on the Z report has a serving-place code (04006–04018)

  @bff_8_3
  Rule: § 8-3: hairdressers and beauty businesses specify turnover per group and per employee

    @id_bff_8_3_001 @needs_per_operator
    Scenario: Each employee's turnover in the hairdresser groups is specified
      Given a concluded cash sale of 1 × article "1001"
      When operator "1002" logs in
      And the operator registers 1 × article "1002"
      And the customer pays the total by card
      And the operator concludes the sale
      And the operator asks for a Z report
      Then the Z report specifies the hairdresser groups (04001–04005) per employee for the sales 1 × "1001" by "1001" and 1 × "1002" by "1002"
