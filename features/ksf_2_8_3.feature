Feature: The Z report (kassasystemforskrifta § 2-8-3)
  The «Z-rapport» has the X report's content, is numbered, states that it is a Z report,
  and cannot be produced before every sale of the kassapunkt is concluded.

  Background:
    Given kassapunkt "K1" is open with operator "1001"

  @ksf_2_8_3_l1
  Rule: § 2-8-3 første ledd: the report states that it is a «Z-rapport»

    @id_ksf_2_8_3_l1_001
    Scenario: The Z report is printed under its name
      Given a concluded cash sale of 1 × article "1001"
      When the operator asks for a Z report
      Then the till accepts
      And exactly one Z report has been printed

  @ksf_2_8_3_l2
  Rule: § 2-8-3 andre ledd: no Z report until every sale is concluded

    @id_ksf_2_8_3_l2_001
    Scenario: A Z report is refused while a sale is parked
      Given a parked sale of 1 × article "1002"
      When the operator asks for a Z report
      Then the till refuses
      And no Z report has been printed

    @id_ksf_2_8_3_l2_002
    Scenario: A Z report is refused while a sale is open
      When the operator registers 1 × article "1002"
      And the operator asks for a Z report
      Then the till refuses
      And no Z report has been printed

    @id_ksf_2_8_3_l2_003
    Scenario: Once the parked sale is cancelled the Z report is produced
      Given a parked sale of 1 × article "1002"
      When the operator resumes the parked sale
      And the operator voids the sale
      And the operator asks for a Z report
      Then the till accepts
      And exactly one Z report has been printed
