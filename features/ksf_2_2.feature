Feature: The cash drawer and the printer of each kassapunkt (kassasystemforskrifta §§ 2-2 and 2-3)
  As a main rule every kassapunkt has its own integrated «kassaskuff» (§ 2-2), and every
  kassapunkt has a paper printer that produces its receipts and its X and Z reports
  (§ 2-3 første ledd). The harness gives each kassapunkt its own emulated printer, with
  the drawer on that printer's kick connector, so the verdicts come from what each
  kassapunkt's devices did: drawer kicks and the drawer's sensor, documents on paper.

  Background:
    Given kassapunkt "K1" is open with operator "1001"
    And kassapunkt "K2" is open with operator "1002"

  @ksf_2_2 @needs_integrated_drawer
  Rule: § 2-2 første punktum: each kassapunkt has an integrated cash drawer of its own

    @id_ksf_2_2_001
    Scenario: A cash sale at K1 opens the drawer of K1 and no other
      When the scenario goes on at kassapunkt "K1"
      And the operator registers 2 × article "1001"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the drawer of kassapunkt "K1" has opened 1 time
      And the drawer of kassapunkt "K2" has opened 0 times

    @id_ksf_2_2_002 @ksf_2_6_l5
    Scenario: Each kassapunkt reads its own drawer: an open drawer at K1 does not stop K2
      Given the scenario goes on at kassapunkt "K1"
      And a concluded cash sale of 1 × article "1001" with the drawer left open
      When the scenario goes on at kassapunkt "K2"
      And the operator registers 1 × article "1002"
      And the customer pays the total in cash
      And the operator concludes the sale
      And the scenario goes on at kassapunkt "K1"
      And the operator registers 1 × article "1003"
      Then the till refuses
      And the drawer of kassapunkt "K2" has opened 1 time

  @ksf_2_2_exception
  Rule: § 2-2 andre punktum: the exception (no drawer, cash in a «pengebelte») needs sales registered per operator
    A till with an integrated drawer at every kassapunkt, as the reference till has, does
    not rest on the exception. What can be observed is that no kassapunkt is without its
    drawer, and that every cash sale names the operator who made it: the condition the
    exception sets for a till without a drawer, so that scenario applies to every till.

    @id_ksf_2_2_exception_001 @needs_integrated_drawer
    Scenario: No kassapunkt relies on the exception: each one's cash sale opens its own drawer
      Given the scenario goes on at kassapunkt "K1"
      And a concluded cash sale of 1 × article "4001"
      And the scenario goes on at kassapunkt "K2"
      And a concluded cash sale of 1 × article "1201"
      Then the drawer of kassapunkt "K1" has opened 1 time
      And the drawer of kassapunkt "K2" has opened 1 time

    @id_ksf_2_2_exception_002
    Scenario: Every cash sale is registered on the operator who made it
      Given the scenario goes on at kassapunkt "K1"
      And a concluded cash sale of 1 × article "4001"
      And the scenario goes on at kassapunkt "K2"
      And a concluded cash sale of 1 × article "1201"
      Then every cash sale of kassapunkt "K1" in the journal carries operator "1001"
      And every cash sale of kassapunkt "K2" in the journal carries operator "1002"

  @ksf_2_3_l1
  Rule: § 2-3 første ledd: each kassapunkt has a paper printer for its receipts and its X and Z reports

    @id_ksf_2_3_l1_001
    Scenario: The salskvittering of K1 comes out of the printer of K1
      When the scenario goes on at kassapunkt "K1"
      And the operator registers 1 × article "1002"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the printer of kassapunkt "K1" has printed 1 receipt
      And the printer of kassapunkt "K2" has printed nothing

    @id_ksf_2_3_l1_002
    Scenario: The salskvittering of K2 comes out of the printer of K2
      When the scenario goes on at kassapunkt "K2"
      And the operator registers 1 × article "1201"
      And the customer pays the total by card
      And the operator concludes the sale
      Then the till accepts
      And the printer of kassapunkt "K2" has printed 1 receipt
      And the printer of kassapunkt "K1" has printed nothing

    @id_ksf_2_3_l1_003
    Scenario: Each kassapunkt's X report comes out of its own printer
      When the scenario goes on at kassapunkt "K1"
      And the operator asks for an X report
      And the scenario goes on at kassapunkt "K2"
      And the operator asks for an X report
      Then the till accepts
      And the printer of kassapunkt "K1" has printed 1 × «X-rapport»
      And the printer of kassapunkt "K2" has printed 1 × «X-rapport»

    @id_ksf_2_3_l1_004
    Scenario: The Z report of K2 comes out of the printer of K2
      Given the scenario goes on at kassapunkt "K2"
      And a concluded cash sale of 1 × article "1201"
      When the operator asks for a Z report
      Then the till accepts
      And the printer of kassapunkt "K2" has printed 1 × «Z-rapport»
      And the printer of kassapunkt "K1" has printed nothing

    @id_ksf_2_3_l1_005
    Scenario: The returkvittering of K2 comes out of the printer of K2
      When the scenario goes on at kassapunkt "K2"
      And the operator registers a return of 1 × article "1201"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the till accepts
      And the printer of kassapunkt "K2" has printed 1 receipt
      And the printer of kassapunkt "K1" has printed nothing
