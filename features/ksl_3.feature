Feature: A system that is easy to assess (kassasystemlova § 3)
  The cash register system's model, type, version and ID number must be easily accessible
  (første ledd); the ID number as the till prints it and the identity in its journal export
  are compared with what the vendor declared in the capability profile. A «byttelapp» may be
  printed on the receipt printer if it cannot be confused with a «salskvittering» (andre ledd
  and Skatteetaten's FAQ).

  Background:
    Given kassapunkt "K1" is open with operator "1001"

  @ksl_3_l1
  Rule: § 3 første ledd: model, type, version and ID number are easily accessible

    @id_ksl_3_l1_001
    Scenario: The X report shows the system's ID number
      When the operator asks for an X report
      Then the till accepts
      And the X report the step printed shows the system's ID number declared in the profile

    @id_ksl_3_l1_002
    Scenario: The journal export names the producer, the system and the version
      Given a concluded cash sale of 1 × article "1001"
      Then the journal export names the producer, the system and the version declared in the profile

  @ksl_3_l2_exchange @needs_exchange_slips
  Rule: § 3 andre ledd (Skatteetaten): a «byttelapp» cannot be confused with a «salskvittering»

    @id_ksl_3_l2_exchange_001
    Scenario: The exchange slip is not headed as a receipt
      Given a concluded cash sale of 1 × article "1002"
      When the operator asks for an exchange slip of the sale
      Then the till accepts
      And the exchange slip the step printed is not headed as a receipt

    @id_ksl_3_l2_exchange_002
    Scenario: The exchange slip shows no amount to pay
      Given a concluded cash sale of 2 × article "1004"
      When the operator asks for an exchange slip of the sale
      Then the till accepts
      And the exchange slip the step printed shows no amount to pay for 2 × article "1004"
