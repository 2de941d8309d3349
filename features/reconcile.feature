Feature: Reconciling a business day across receipts, journal, SAF-T export, reports and signature chain
  kassasystemforskrifta § 2-7 første ledd keeps all use in the electronic journal; bokføringsforskrifta
  § 5-3-5 gives every sale its «salskvittering»; § 2-8-2 makes the Z report sum up the day; the
  signature requirements chain every transaction per kassapunkt. A till can satisfy each of these
  on its own and still disagree with itself. These scenarios run a whole day and hold every printed
  receipt against its journal transaction and SAF-T record, every printed document against its
  journal event, each report against the transactions it covers and against its printout, and
  every kassapunkt's signature chain against the profile's key.

  Background:
    Given kassapunkt "K1" is open with operator "1001"

  Rule: What the printer, the journal and the reports say about a day agrees

    @id_ksf_2_7_l1_005 @ksf_2_7_l1 @bff_5_3_5_l1 @ksf_2_8_2 @saft_sig_chain
    Scenario: A day on two kassapunkter with sales, a return, a copy, a void and a Z report each
      Given an opening float of 1 000,00 kr is registered
      And kassapunkt "K2" is open with operator "1002"
      And a concluded cash sale of 3 × article "3001"
      And a concluded card sale of 1 × article "4002"
      And the scenario goes on at kassapunkt "K1"
      And a concluded return of 1 × article "1002" paid back in cash
      And a concluded card sale of 1 × article "1201"
      And a concluded cash sale of 2 × article "1001"
      When the operator asks for a copy receipt of the sale
      And the operator registers 1 × article "1003"
      And the operator voids the sale
      And the operator asks for a Z report
      And the scenario goes on at kassapunkt "K2"
      And the operator asks for a Z report
      Then every printed receipt matches its journal transaction
      And every receipt's SAF-T record has the lines and VAT it printed
      And every printed document has its journal event
      And the Z report's totals equal the day's transactions
      And the printed Z report shows the same totals
      And the signature chain of every kassapunkt verifies

    @id_ksf_2_7_l1_006 @ksf_2_7_l1 @ksf_2_8_2
    Scenario: A day that goes on after the till was killed and started again
      Given a concluded cash sale of 1 × article "1002"
      When the till process is killed and started again
      And the operator registers 2 × article "5001"
      And the operator registers 1 × article "2001"
      And the customer pays the total by card
      And the operator concludes the sale
      And the operator asks for an X report
      And the operator registers a return of 1 × article "1002"
      And the customer pays the total in cash
      And the operator concludes the sale
      And the operator asks for a Z report
      Then every printed receipt matches its journal transaction
      And every receipt's SAF-T record has the lines and VAT it printed
      And every printed document has its journal event
      And the X report's totals equal the day's transactions
      And the printed X report shows the same totals
      And the Z report's totals equal the day's transactions
      And the printed Z report shows the same totals
      And the signature chain of every kassapunkt verifies
