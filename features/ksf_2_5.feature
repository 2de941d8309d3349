Feature: Functions a cash register system must have (kassasystemforskrifta § 2-5)
  The system must be able to register the opening float («inngåande vekselbehaldning»)
  and payment by different means of payment, keep a clock in Norwegian standard time
  adjusted for summer time, tell positive from negative amounts on receipts, in reports
  and in the electronic journal, and produce X and Z reports and sales and return
  receipts for each kassapunkt. Verdicts come from the printed documents and from the
  journal export, whose X and Z reports the verifier has recomputed from the
  transactions.

  @ksf_2_5_float
  Rule: § 2-5: the opening float («vekselkasse») is registered before the first sale

    @id_ksf_2_5_float_001
    Scenario: The float registered before the first sale is journaled and shown in the X report
      Given kassapunkt "K1" is open with operator "1001"
      And an opening float of 1 000,00 kr is registered
      And a concluded cash sale of 1 × article "4001"
      When the operator asks for an X report
      Then the till accepts
      And the journal holds the opening float of 1 000,00 kr of kassapunkt "K1" before its first sale
      And the X report of kassapunkt "K1" shows an opening float of 1 000,00 kr

    @id_ksf_2_5_float_002 @needs_per_operator
    Scenario: Operators with drawers of their own each register a float at the start of the shift
      Given kassapunkt "K1" is open with operator "1001"
      And an opening float of 1 000,00 kr is registered
      When operator "1002" logs in
      And the operator registers an opening float of 500,00 kr
      And the operator asks for an X report
      Then the till accepts
      And the X report of kassapunkt "K1" shows an opening float of 1 500,00 kr
      And the X report of kassapunkt "K1" shows an opening float of 1 000,00 kr for operator "1001"
      And the X report of kassapunkt "K1" shows an opening float of 500,00 kr for operator "1002"

  @ksf_2_5_payment
  Rule: § 2-5: payment by different means of payment is registered, each reported on its own

    @id_ksf_2_5_payment_001 @needs_integrated_terminal
    Scenario: Cash and card are reported each on its own
      Given kassapunkt "K1" is open with operator "1001"
      And a concluded cash sale of 1 × article "4001"
      And a concluded card sale of 1 × article "1002"
      When the operator asks for an X report
      Then the till accepts
      And the X report of kassapunkt "K1" counts 1 payment of 49,00 kr in cash
      And the X report of kassapunkt "K1" counts 1 payment of 39,90 kr by card

    @id_ksf_2_5_payment_002 @needs_other_means
    Scenario: Gift card and mobile payment are reported each on its own
      Given kassapunkt "K1" is open with operator "1001"
      When the operator registers 1 × article "1201"
      And the customer pays the total with a gift card
      And the operator concludes the sale
      And the operator registers 1 × article "4002"
      And the customer pays the total by mobile payment
      And the operator concludes the sale
      And the operator asks for an X report
      Then the till accepts
      And the X report of kassapunkt "K1" counts 1 payment of 39,00 kr by gift card
      And the X report of kassapunkt "K1" counts 1 payment of 140,00 kr by mobile payment
      And the X report of kassapunkt "K1" counts 0 payments of 0,00 kr in cash

    @id_ksf_2_5_payment_003 @needs_integrated_terminal
    Scenario: A sale paid partly in cash and partly by card keeps both means apart
      Given kassapunkt "K1" is open with operator "1001"
      When the operator registers 1 × article "4002"
      And the customer pays 100,00 kr in cash
      And the customer pays the rest by card
      And the operator concludes the sale
      And the operator asks for an X report
      Then the till accepts
      And the journal's last sale is paid with 100,00 kr in cash
      And the journal's last sale is paid with 40,00 kr by card
      And the X report of kassapunkt "K1" counts 1 payment of 100,00 kr in cash
      And the X report of kassapunkt "K1" counts 1 payment of 40,00 kr by card

  @ksf_2_5_clock
  Rule: § 2-5: the clock runs in Norwegian standard time and is adjusted for summer time
    The reference target's simulated clock starts its business day at 08:00 Europe/Oslo
    (23 November 2026 unless the target URL chooses another day), so a sale's moment is
    known from the scenario; on another target it is the moment the harness's printer
    received the receipt. At 08:00 on the day summer time begins Oslo is already two
    hours ahead of UTC, on the day it ends one hour: a till on UTC or on a fixed offset
    prints the wrong hour.

    @id_ksf_2_5_clock_001
    Scenario: The receipt and the journal give a sale the same date and time
      Given kassapunkt "K1" is open with operator "1001"
      When the operator registers 1 × article "1001"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the journal gives the sale the date and time its receipt shows

    @id_ksf_2_5_clock_002
    Scenario: The receipt shows the Norwegian local time of the sale
      Given kassapunkt "K1" is open with operator "1001"
      When the operator registers 1 × article "1002"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the receipt shows the Norwegian local time of the sale
      And the journal gives the sale the date and time its receipt shows

    @id_ksf_2_5_clock_003
    Scenario: On the day summer time begins the receipt and the journal show summer time
      Given the till's business day is 2026-03-29, the day summer time begins
      And kassapunkt "K1" is open with operator "1001"
      When the operator registers 1 × article "1003"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the receipt shows the Norwegian local time of the sale
      And the journal gives the sale the date and time its receipt shows

    @id_ksf_2_5_clock_004
    Scenario: On the day summer time ends the receipt and the journal show standard time again
      Given the till's business day is 2026-10-25, the day summer time ends
      And kassapunkt "K1" is open with operator "1001"
      When the operator registers 1 × article "1003"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the receipt shows the Norwegian local time of the sale
      And the journal gives the sale the date and time its receipt shows

    @id_ksf_2_5_clock_005
    Scenario: The X report gives the same date and time on paper and in the journal
      Given the till's business day is 2026-03-29, the day summer time begins
      And kassapunkt "K1" is open with operator "1001"
      When the operator asks for an X report
      Then the till accepts
      And the report shows the Norwegian local time it was made
      And the journal gives the X report the date and time its printout shows

  @ksf_2_5_negative
  Rule: § 2-5: positive and negative amounts are told apart on receipts, in reports and in the journal

    @id_ksf_2_5_negative_001
    Scenario: A returkvittering shows the returned amount as negative
      Given kassapunkt "K1" is open with operator "1001"
      When the operator registers a return of 1 × article "1003"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the receipt shows article "1003" at -27,80 kr

    @id_ksf_2_5_negative_002
    Scenario: The journal holds a return with negative amounts
      Given kassapunkt "K1" is open with operator "1001"
      When the operator registers a return of 1 × article "1003"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the journal's last sale has the amount -27,80 kr
      And the journal's last sale has a line of -27,80 kr for article "1003"

    @id_ksf_2_5_negative_003
    Scenario: A sale and a return on one receipt keep their signs on paper and in the journal
      Given kassapunkt "K1" is open with operator "1001"
      When the operator registers 1 × article "4001"
      And the operator registers a return of 1 × article "1003"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the receipt shows article "4001" at 49,00 kr
      And the receipt shows article "1003" at -27,80 kr
      And the journal's last sale has a line of 49,00 kr for article "4001"
      And the journal's last sale has a line of -27,80 kr for article "1003"

    @id_ksf_2_5_negative_004
    Scenario: The X report counts the return apart and takes it off the cash sales
      Given kassapunkt "K1" is open with operator "1001"
      And a concluded cash sale of 1 × article "4001"
      And a concluded return of 1 × article "1003" paid back in cash
      When the operator asks for an X report
      Then the till accepts
      And the X report of kassapunkt "K1" shows returns of 27,80 kr
      And the X report of kassapunkt "K1" shows cash sales of 21,20 kr

  @ksf_2_5_reports
  Rule: § 2-5: X and Z reports, sales and return receipts for each kassapunkt

    @id_ksf_2_5_reports_001
    Scenario: The X report of K1 counts the sales of K1 only
      Given kassapunkt "K2" is open with operator "1002"
      And a concluded cash sale of 1 × article "1201"
      And kassapunkt "K1" is open with operator "1001"
      And a concluded cash sale of 2 × article "4001"
      When the operator asks for an X report
      Then the till accepts
      And the X report of kassapunkt "K1" shows cash sales of 98,00 kr

    @id_ksf_2_5_reports_002
    Scenario: The Z report of K2 counts the sales of K2 only
      Given kassapunkt "K1" is open with operator "1001"
      And a concluded cash sale of 2 × article "4001"
      And kassapunkt "K2" is open with operator "1002"
      And a concluded cash sale of 1 × article "1201"
      When the operator asks for a Z report
      Then the till accepts
      And the Z report of kassapunkt "K2" shows cash sales of 39,00 kr

    @id_ksf_2_5_reports_003
    Scenario: K2 produces a salskvittering and a returkvittering of its own
      Given kassapunkt "K2" is open with operator "1002"
      And a concluded cash sale of 1 × article "1201"
      And a concluded return of 1 × article "1201" paid back in cash
      Then kassapunkt "K2" has printed 2 receipts and journaled them as a sales and a return receipt
