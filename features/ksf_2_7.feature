Feature: The electronic journal (kassasystemforskrifta § 2-7, and § 2-5 on continuous use)
  All continuous use of the system, printing of receipts and reports included, is stored in the
  electronic journal as it happens, and the system produces a SAF-T Cash Register file directly
  from it. The journal cannot be altered or deleted; corrections are new registrations. Price
  changes and price look-ups («prisundersøking») are journaled. Verdicts come from the journal's
  export, read and verified by the harness, held against what the printer received.

  Background:
    Given kassapunkt "K1" is open with operator "1001"

  @ksf_2_7_l1
  Rule: § 2-7 første ledd: all continuous use, printing included, is stored in the journal

    @id_ksf_2_7_l1_001
    Scenario: What the operator does in a session is journaled in the order it happened
      Given an opening float of 1 000,00 kr is registered
      And a concluded cash sale of 2 × article "1001"
      When the operator asks for a copy receipt of the sale
      And the operator opens the drawer without a sale
      And the cashier pushes the drawer shut
      And the operator asks for an X report
      And the operator logs out
      Then the journal of kassapunkt "K1" records, in this order:
        | code  | what                               |
        | 13003 | operator 1001 logged in            |
        | 13005 | drawer opened for the float        |
        | 13012 | salskvittering printed             |
        | 13014 | kopikvittering printed             |
        | 13005 | drawer opened without a sale       |
        | 13008 | X report                           |
        | 13004 | operator 1001 logged out           |
      And every printed receipt matches its journal transaction

    @id_ksf_2_7_l1_002
    Scenario: Every receipt and report the printer received has its journal event
      Given a concluded cash sale of 1 × article "1002"
      And a concluded return of 1 × article "1001" paid back in cash
      When the operator asks for a copy receipt of the sale
      And the operator asks for an X report
      And the operator asks for a Z report
      Then every printed document has its journal event

    @id_ksf_2_7_l1_003
    Scenario: The X report is stored in full, not only the time it was taken
      Given a concluded cash sale of 2 × article "1003"
      And a concluded card sale of 1 × article "1201"
      When the operator asks for an X report
      Then the journal holds the X report in full, with total cash sales of 2 × article "1003" and 1 × article "1201"
      And the printed X report shows the same totals

    @id_ksf_2_7_l1_004
    Scenario: What was journaled before the till process died is still in the journal
      Given a concluded cash sale of 1 × article "1002"
      When the operator asks for an X report
      And the till process is killed and started again
      Then the journal of kassapunkt "K1" records, in this order:
        | code  | what                               |
        | 13012 | salskvittering printed             |
        | 13008 | X report                           |
        | 13003 | operator logged in after restart   |
      And every printed receipt matches its journal transaction

  @ksf_2_5_journal
  Rule: § 2-5: the system is set up so that all continuous use goes to the journal

    @id_ksf_2_5_journal_001 @needs_training_mode
    Scenario: A training session is journaled from switching on to switching off
      When the operator switches training mode on
      And the operator registers 1 × article "1001"
      And the customer pays the total in cash
      And the operator concludes the sale
      And the operator switches training mode off
      Then the journal of kassapunkt "K1" records, in this order:
        | code  | what                               |
        | 13023 | training mode on                   |
        | 13017 | training receipt printed           |
        | 13024 | training mode off                  |
      And the sale is in the journal as a training transaction of 1 × article "1001"

    @id_ksf_2_5_journal_002 @needs_parked_sales
    Scenario: Parking and resuming a sale is journaled
      Given a parked sale of 1 × article "1002"
      When the operator resumes the parked sale
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the journal of kassapunkt "K1" records, in this order:
        | code  | what                               |
        | 13010 | sale parked                        |
        | 13011 | sale resumed                       |
        | 13012 | salskvittering printed             |
      And every printed receipt matches its journal transaction

  @ksf_2_7_l2
  Rule: § 2-7 andre ledd: the journal cannot be altered or deleted; corrections are new registrations

    @id_ksf_2_7_l2_001 @needs_line_corrections
    Scenario: Lines corrected and deleted before conclusion stay in the journal
      When the operator registers 3 × article "1003"
      And the operator corrects line 1 to quantity 1
      And the operator registers 1 × article "1004"
      And the operator deletes line 2
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the sale's journal transaction holds only 1 × article "1003"
      And the journal still names article "1004" before the sale's transaction

    @id_ksf_2_7_l2_002
    Scenario: A voided sale is kept in the journal and in the signature chain
      Given a concluded cash sale of 1 × article "1001"
      When the operator registers 1 × article "1003"
      And the operator voids the sale
      Then the journal keeps the voided sale of 1 × article "1003" as a void transaction
      And the journal of kassapunkt "K1" records, in this order:
        | code  | what                               |
        | 13012 | salskvittering printed             |
        | 13028 | sale voided                        |
      And the signature chain of every kassapunkt verifies

    @id_ksf_2_7_l2_003
    Scenario: Exporting the journal copies it and leaves it as it was
      Given a concluded cash sale of 1 × article "1001"
      And a concluded return of 1 × article "1001" paid back in cash
      When the journal is exported
      And the journal is exported again
      Then every transaction of the first export is unchanged in the last export
      And every event of the first export is unchanged in the last export

    @id_ksf_2_7_l2_004
    Scenario: A return after the sale is a new transaction; the sale's record stays untouched
      Given a concluded cash sale of 2 × article "1002"
      When the journal is exported
      And the operator registers a return of 1 × article "1002"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then every transaction of the first export is unchanged in the last export
      And the last export adds 1 transaction on kassapunkt "K1" after them

  @ksf_2_7_l3 @needs_price_changes
  Rule: § 2-7 tredje ledd: the journal shows when prices were changed; current prices can be retrieved

    @id_ksf_2_7_l3_001
    Scenario: A price change is journaled with the time it was made
      Given a concluded cash sale of 1 × article "1002"
      When the operator changes the price of article "1001" to 25,90 kr
      And the operator registers 1 × article "1002"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the journal records 1 price change, made between the two receipts

    @id_ksf_2_7_l3_002
    Scenario: After a price change the new price is the current price
      When the operator changes the price of article "1001" to 25,90 kr
      And the operator registers 2 × article "1001"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the receipt and the journal price article "1001" at 25,90 kr

    @id_ksf_2_7_l3_003 @needs_price_lookup
    Scenario: A price look-up after a price change finds the new price
      When the operator changes the price of article "1001" to 25,90 kr
      And the operator looks up the price of article "1001"
      And the operator asks for an X report
      Then the X report in the journal counts 1 price look-up for 25,90 kr in the group of article "1001"

  @ksf_2_7_l4 @needs_price_lookup
  Rule: § 2-7 fjerde ledd: price look-ups are journaled

    @id_ksf_2_7_l4_001
    Scenario: A price look-up is journaled and sells nothing
      When the operator looks up the price of article "1101"
      Then the journal of kassapunkt "K1" records, in this order:
        | code  | what                               |
        | 13022 | price look-up                      |
      And the price look-up event names article "1101"
      And the journal holds no cash transaction

    @id_ksf_2_7_l4_002
    Scenario: Price look-ups are counted per goods group with their amount
      When the operator looks up the price of article "1101"
      And the operator looks up the price of article "1001"
      And the operator looks up the price of article "1002"
      And the operator asks for an X report
      Then the X report in the journal counts 1 price look-up for 24,90 kr in the group of article "1101"
      And the X report in the journal counts 2 price look-ups for 61,80 kr in the group of article "1001"
