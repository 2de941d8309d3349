Feature: The SAF-T Cash Register export (Skatteetaten's format, XSD v1.00 and code lists)
  kassasystemforskrifta § 2-7 første ledd: the journal is exported in the standard format the
  Directorate of Taxes has set, SAF-T Cash Register. The file validates against
  Norwegian_SAF-T_Cash_Register_Schema_v_1.00.xsd, is named after the business and the moment
  of export, and maps the till's own codes to Skatteetaten's predefined codes. Expected values
  come from the capability profile and from what the printer received.

  Background:
    Given kassapunkt "K1" is open with operator "1001"

  @saft_fmt
  Rule: The export is SAF-T Cash Register XML that validates against the official schema

    @id_saft_fmt_001
    Scenario: A day's export validates against the schema
      Given an opening float of 500,00 kr is registered
      And a concluded cash sale of 2 × article "1001"
      And a concluded card sale of 1 × article "1201"
      And a concluded return of 1 × article "1001" paid back in cash
      When the operator asks for an X report
      And the operator asks for a Z report
      Then the export is an XML document in the namespace "urn:StandardAuditFile-Taxation-CashRegister:NO"
      And the export passes the verifier's "FILE-READ, XML, XSD-INVALID" checks

    @id_saft_fmt_002
    Scenario: Every code, employee, article and VAT code the records use is declared in the masterfiles
      Given kassapunkt "K2" is open with operator "1002"
      And a concluded card sale of 1 × article "1002"
      And the scenario goes on at kassapunkt "K1"
      And a concluded cash sale of 1 × article "4001"
      And a concluded return of 1 × article "5001" paid back in cash
      Then every reference in the records is declared in the masterfiles
      And the export passes the verifier's "REF" checks

  @saft_fmt_filename
  Rule: The file is named «SAF-T Cash Register_<orgnr>_<yyyymmddhhmmss>.xml»

    @id_saft_fmt_filename_001
    Scenario: The export is named after the business's organisation number and the moment of export
      Given a concluded cash sale of 1 × article "1002"
      Then the export's file name has the profile's organisation number and the header's time of creation
      And the export passes the verifier's "FILE-NAME" checks

  @saft_fmt_header
  Rule: The header states the exported period and the software

    @id_saft_fmt_header_001
    Scenario: The header states the day exported and the system that made the file
      Given a concluded cash sale of 1 × article "1003"
      Then the header's period is the day the receipt was printed
      And the header names the system, its producer and version as the profile declares them
      And the export passes the verifier's "HDR-PERIOD" checks

  @saft_fmt_company
  Rule: company identifies the business and holds one cashregister per kassapunkt

    @id_saft_fmt_company_001
    Scenario: The company is the profile's shop, with each kassapunkt used and its operators
      Given kassapunkt "K2" is open with operator "1002"
      And a concluded cash sale of 1 × article "1002"
      And the scenario goes on at kassapunkt "K1"
      And a concluded cash sale of 1 × article "1001"
      Then the company is the profile's shop with kassapunkter "K1" and "K2"
      And the employees include operators "1001" and "1002"
      And the export passes the verifier's "HDR-ORGNR" checks

  @saft_fmt_event
  Rule: Each event has eventID, eventType, eventDate and eventTime; its type is a declared event code

    @id_saft_fmt_event_001
    Scenario: Every event is complete, typed by a declared event code and in time order
      Given a concluded cash sale of 1 × article "1001"
      When the operator opens the drawer without a sale
      And the cashier pushes the drawer shut
      And the operator asks for an X report
      Then every event has an id, a declared event type, a date and a time on the day printed
      And the export passes the verifier's "REF-EVENTTYPE, NUM-EVENTID-DUP, ORD-EVENT" checks

    @id_saft_fmt_event_002
    Scenario: Events are filed under the kassapunkt where they happened
      Given kassapunkt "K2" is open with operator "1002"
      And a concluded cash sale of 1 × article "1002"
      Then the journal of kassapunkt "K2" has the login of operator "1002" and the sale's receipt event
      And the journal of kassapunkt "K1" has no event of operator "1002"

  @saft_fmt_transaction
  Rule: cashtransaction has nr, transID, amounts with and without VAT, amntTp, date, time, signature and keyVersion

    @id_saft_fmt_transaction_001
    Scenario: A cash sale is exported with the amounts, time and operator of its receipt
      When the operator registers 2 × article "1001"
      And the operator registers 1 × article "1201"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the sale's transaction amounts to 2 × article "1001" and 1 × article "1201" at the profile's prices and VAT rates
      And the sale's transaction has its receipt's date and time, operator "1001" and a signature
      And the sale's transaction is paid with payment code "12001"

    @id_saft_fmt_transaction_002
    Scenario: A return is exported with negative amounts marked as debit
      Given a concluded return of 1 × article "1002" paid back in cash
      Then the sale's transaction amounts to -1 × article "1002" at the profile's prices and VAT rates
      And the sale's transaction is marked "D"
      And the export passes the verifier's "MNY-SIGN" checks

    @id_saft_fmt_transaction_003
    Scenario: A card sale is exported with its card payment of the whole total
      Given a concluded card sale of 1 × article "4002"
      Then the sale's transaction amounts to 1 × article "4002" at the profile's prices and VAT rates
      And the sale's transaction is paid with payment code "12002" or "12003"
      And the export passes the verifier's "MNY-PAYMENT, MNY-ROUNDING" checks

  @saft_fmt_line
  Rule: ctLine has nr, lineID, lineType, amounts with and without VAT and amntTp; the lines add up

    @id_saft_fmt_line_001
    Scenario: Each article of the sale is a line with its amount and VAT at the profile's rate
      When the operator registers 3 × article "1002"
      And the operator registers 1 × article "2001"
      And the operator registers 1 × article "4002"
      And the operator registers 1 × article "5001"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the sale's lines are 3 × article "1002", 1 × article "2001", 1 × article "4002" and 1 × article "5001" with the profile's prices and VAT rates
      And the sale's lines add up to the transaction's amounts
      And the export passes the verifier's "MNY-LINES, MNY-LINE-VAT, MNY-VAT-RATE, MNY-TRANS-VAT, REF-LINETYPE" checks

    @id_saft_fmt_line_002
    Scenario: A returned article is a line of its own type with negative amounts
      Given a concluded cash sale of 1 × article "1003"
      When the operator registers a return of 1 × article "1003"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the return's line type differs from the sale's and both are declared line types
      And the sale's lines are -1 × article "1003" with the profile's prices and VAT rates

  @saft_codes
  Rule: The till's own codes map to Skatteetaten's predefined codes

    @id_saft_codes_001
    Scenario: Every predefined code in the export is in its official code list
      Given a concluded cash sale of 1 × article "1001"
      And a concluded card sale of 1 × article "2001"
      And a concluded return of 1 × article "1001" paid back in cash
      When the operator asks for a Z report
      Then every basic's type and predefined code is in Skatteetaten's code lists
      And the sale's transaction type maps to "11006"
      And the export passes the verifier's "CODE" checks

    @id_saft_codes_002
    Scenario: A cash sale is transaction code 11001 paid with payment code 12001
      Given a concluded cash sale of 1 × article "1002"
      Then the sale's transaction type maps to "11001"
      And the sale's transaction is paid with payment code "12001"

    @id_saft_codes_003 @needs_other_means
    Scenario: A gift card and a mobile payment map to their payment codes
      When the operator registers 1 × article "1001"
      And the customer pays the total with a gift card
      And the operator concludes the sale
      And the operator registers 1 × article "1002"
      And the customer pays the total by mobile payment
      And the operator concludes the sale
      Then the first sale's transaction is paid with payment code "12005"
      And the sale's transaction is paid with payment code "12011"

  @saft_codes_events
  Rule: The events of the scenario carry their PredefinedBasicID-13 codes

    @id_saft_codes_events_001
    Scenario: Start, login and logout of operators
      When the operator logs out
      And operator "1002" logs in
      Then the journal of kassapunkt "K1" records, in this order:
        | code  | what                               |
        | 13001 | POS application start              |
        | 13003 | operator 1001 logged in            |
        | 13004 | operator 1001 logged out           |
        | 13003 | operator 1002 logged in            |

    @id_saft_codes_events_002
    Scenario: Receipts and reports
      Given a concluded cash sale of 1 × article "1001"
      And a concluded return of 1 × article "1002" paid back in cash
      When the operator asks for a copy receipt of the sale
      And the operator asks for an X report
      And the operator asks for a Z report
      Then the journal of kassapunkt "K1" records, in this order:
        | code  | what                               |
        | 13012 | sales receipt printed              |
        | 13013 | return receipt printed             |
        | 13014 | copy receipt printed               |
        | 13008 | X report                           |
        | 13009 | Z report                           |

    @id_saft_codes_events_003
    Scenario: The drawer's openings and closings as its sensor reported them
      When the operator opens the drawer without a sale
      And the cashier pushes the drawer shut
      And the operator asks for an X report
      Then the journal of kassapunkt "K1" records, in this order:
        | code  | what                               |
        | 13005 | drawer opened without a sale       |
        | 13006 | drawer closed                      |
        | 13008 | X report                           |
      And every opening and closing the drawer's sensor reported is journaled

    @id_saft_codes_events_004 @needs_training_mode
    Scenario: Training mode on, a training receipt, training mode off
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

    @id_saft_codes_events_005 @needs_parked_sales
    Scenario: A sale parked, resumed and voided
      Given a parked sale of 1 × article "1003"
      When the operator resumes the parked sale
      And the operator voids the sale
      Then the journal of kassapunkt "K1" records, in this order:
        | code  | what                               |
        | 13010 | sale parked                        |
        | 13011 | sale resumed                       |
        | 13028 | sale voided                        |

    @id_saft_codes_events_006 @needs_price_lookup @needs_price_changes
    Scenario: A price look-up and a price change
      When the operator looks up the price of article "1101"
      And the operator changes the price of article "1101" to 26,90 kr
      Then the journal of kassapunkt "K1" records, in this order:
        | code  | what                               |
        | 13022 | price look-up                      |
        | 13021 | price change                       |
