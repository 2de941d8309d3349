Feature: Registration per operator (bokføringsforskrifta § 5-3-2 andre ledd)
  Cash sales are registered per operator where the system can do it and the operator
  keeps the cash apart (a «pengebelte» or a drawer of their own). Figures per operator
  need the operator to log in: logging in and out is journaled (13003, 13004), every
  transaction carries the empID of the operator who made it, and the X and Z reports
  give the figures per operator and means of payment (reportEmpPayments).

  Background:
    Given kassapunkt "K1" is open with operator "1001"

  @bff_5_3_2_l2 @needs_per_operator
  Rule: § 5-3-2 andre ledd: cash sales are registered per operator

    @id_bff_5_3_2_l2_001
    Scenario: Operators logging in and out in turn are journaled
      When the operator logs out
      And operator "1002" logs in
      And the operator logs out
      And operator "1001" logs in
      Then the till accepts
      And the journal's log-ins and log-outs at kassapunkt "K1" read "in 1001, out 1001, in 1002, out 1002, in 1001"

    @id_bff_5_3_2_l2_002
    Scenario: Every transaction carries the operator who made it
      Given a concluded cash sale of 1 × article "4001"
      When operator "1002" logs in
      And the operator registers 1 × article "1201"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the journal's sale of 49,00 kr carries operator "1001"
      And the journal's sale of 39,00 kr carries operator "1002"

    @id_bff_5_3_2_l2_003 @needs_integrated_terminal
    Scenario: The X report gives each operator's payments per means of payment
      Given a concluded cash sale of 1 × article "4001"
      When operator "1002" logs in
      And the operator registers 1 × article "1002"
      And the customer pays the total by card
      And the operator concludes the sale
      And the operator asks for an X report
      Then the till accepts
      And the X report of kassapunkt "K1" gives operator "1001" 1 payment of 49,00 kr in cash
      And the X report of kassapunkt "K1" gives operator "1001" 0 payments of 0,00 kr by card
      And the X report of kassapunkt "K1" gives operator "1002" 1 payment of 39,90 kr by card
      And the X report of kassapunkt "K1" gives operator "1002" 0 payments of 0,00 kr in cash

    @id_bff_5_3_2_l2_004
    Scenario: The Z report gives each operator's cash payments
      Given a concluded cash sale of 1 × article "4001"
      When operator "1002" logs in
      And the operator registers 2 × article "1201"
      And the customer pays the total in cash
      And the operator concludes the sale
      And the cashier pushes the drawer shut
      And the operator asks for a Z report
      Then the till accepts
      And the Z report of kassapunkt "K1" gives operator "1001" 1 payment of 49,00 kr in cash
      And the Z report of kassapunkt "K1" gives operator "1002" 1 payment of 78,00 kr in cash

    @id_bff_5_3_2_l2_005
    Scenario: Nothing is registered while no operator is logged in
      When the operator logs out
      And the operator registers 1 × article "1001"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till refuses
      And the journal holds no sale of kassapunkt "K1"
