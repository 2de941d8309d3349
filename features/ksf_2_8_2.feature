Feature: The X and Z reports and their content (kassasystemforskrifta § 2-8-1, § 2-8-2)
  Every kassapunkt can produce an «X-rapport», a «Z-rapport», a «salskvittering» and a
  «returkvittering» (§ 2-8-1). The X report shows the figures of § 2-8-2 første ledd
  bokstav a to z and, where the till has the functions, credit sales and cash pay-ins
  and pay-outs (andre ledd); the Z report has the same content (§ 2-8-3). Each figure is
  judged from the journal's eventReport, which the harness's verifier recomputes from the
  transactions, and from the printed report. Expected figures come from the profile's
  article prices and the operations of the scenario, never from the till.

  Background:
    Given kassapunkt "K1" is open with operator "1001"

  @ksf_2_8_1
  Rule: § 2-8-1: each kassapunkt produces X reports, Z reports, sales receipts and return receipts

    @id_ksf_2_8_1_001
    Scenario: Kassapunkt K1 prints a sales receipt, a return receipt, an X report and a Z report
      Given a concluded cash sale of 1 × article "1001"
      And a concluded return of 1 × article "1002" paid back in cash
      When the operator asks for an X report
      And the operator asks for a Z report
      Then kassapunkt "K1" has printed a «Salgskvittering», a «Returkvittering», an «X-rapport» and a «Z-rapport»
      And the journal holds an X report and a Z report of kassapunkt "K1"

    @id_ksf_2_8_1_002
    Scenario: Kassapunkt K2 prints its own receipts and reports
      Given kassapunkt "K2" is open with operator "1002"
      And a concluded cash sale of 1 × article "1201"
      And a concluded return of 1 × article "1001" paid back in cash
      When the operator asks for an X report
      And the operator asks for a Z report
      Then kassapunkt "K2" has printed a «Salgskvittering», a «Returkvittering», an «X-rapport» and a «Z-rapport»
      And the journal holds an X report and a Z report of kassapunkt "K2"
      And kassapunkt "K1" has printed no receipt and no report

    @id_ksf_2_8_1_003
    Scenario: Each kassapunkt's report covers its own sales only
      Given a concluded cash sale of 1 × article "1001"
      And kassapunkt "K2" is open with operator "1002"
      And a concluded card sale of 1 × article "1201"
      When the operator asks for an X report
      And the operator turns to kassapunkt "K1"
      And the operator asks for an X report
      Then the X report of kassapunkt "K1" shows total cash sales (e) of 1 × "1001"
      And the X report of kassapunkt "K2" shows total cash sales (e) of 1 × "1201"

    @id_ksf_2_8_1_004
    Scenario: After the Z report the counters start again while the grand totals carry on
      Given a concluded cash sale of 2 × article "1001"
      When the operator asks for a Z report
      And the operator asks for an X report
      Then the X report shows total cash sales (e) of 0 kr
      And the X report shows 0 sales receipts (l)
      And the X report shows grand total sales (x) of the Z report's figure

  @ksf_2_8_2
  Rule: § 2-8-2: the report holds the paragraph's content in the journal, and the printout shows it

    @id_ksf_2_8_2_001
    Scenario: The X report of a mixed day is complete in the journal and on paper
      Given a concluded card sale of 1 × article "1201"
      And a concluded cash sale of 2 × article "1001"
      When the operator asks for a copy receipt of the sale
      And the operator registers a return of 1 × article "1002"
      And the customer pays the total in cash
      And the operator concludes the sale
      And the cashier pushes the drawer shut
      And the operator asks for an X report
      Then the journal's X report has every element of § 2-8-2 and the verifier finds no fault in it
      And the printed X report shows every figure of its eventReport

    @id_ksf_2_8_2_002
    Scenario: The Z report of a mixed day is complete in the journal and on paper
      Given a concluded cash sale of 1 × article "1003"
      And a concluded return of 1 × article "1001" paid back in cash
      And a concluded card sale of 1 × article "4002"
      When the operator asks for a Z report
      Then the journal's Z report has every element of § 2-8-2 and the verifier finds no fault in it
      And the printed Z report shows every figure of its eventReport

  @ksf_2_8_2_a
  Rule: § 2-8-2 bokstav a: the report says that it is an X report (a Z report that it is a Z report)

    @id_ksf_2_8_2_a_001
    Scenario: The X report is headed «X-rapport»
      Given a concluded cash sale of 1 × article "1001"
      When the operator asks for an X report
      Then the report the step printed is headed as an X report (a)

    @id_ksf_2_8_2_a_002
    Scenario: The Z report is headed «Z-rapport»
      Given a concluded cash sale of 1 × article "1001"
      When the operator asks for a Z report
      Then the report the step printed is headed as a Z report (a)

  @ksf_2_8_2_b
  Rule: § 2-8-2 bokstav b: the business's name and organisation number

    @id_ksf_2_8_2_b_001
    Scenario: The X report names the business of the profile
      Given a concluded cash sale of 1 × article "1001"
      When the operator asks for an X report
      Then the X report names the business (b)

  @ksf_2_8_2_c
  Rule: § 2-8-2 bokstav c: date and time

    @id_ksf_2_8_2_c_001
    Scenario: The X report states its date and time
      Given a concluded cash sale of 1 × article "1001"
      When the operator asks for an X report
      Then the X report states its date and time (c)

  @ksf_2_8_2_d
  Rule: § 2-8-2 bokstav d: the kassapunkt's ID number

    @id_ksf_2_8_2_d_001
    Scenario: The X report of K1 names kassapunkt K1
      Given a concluded cash sale of 1 × article "1001"
      When the operator asks for an X report
      Then the X report names kassapunkt "K1" (d)

    @id_ksf_2_8_2_d_002
    Scenario: The X report of K2 names kassapunkt K2
      Given kassapunkt "K2" is open with operator "1002"
      And a concluded cash sale of 1 × article "1001"
      When the operator asks for an X report
      Then the X report names kassapunkt "K2" (d)

  @ksf_2_8_2_e
  Rule: § 2-8-2 bokstav e: total cash sales

    @id_ksf_2_8_2_e_001
    Scenario: Cash and card sales make up the total cash sales
      Given a concluded cash sale of 2 × article "1001"
      And a concluded card sale of 1 × article "1201"
      When the operator asks for an X report
      Then the X report shows total cash sales (e) of 2 × "1001" + 1 × "1201"

    @id_ksf_2_8_2_e_002
    Scenario: A return reduces the total cash sales
      Given a concluded cash sale of 1 × article "1201"
      And a concluded return of 1 × article "1001" paid back in cash
      When the operator asks for an X report
      Then the X report shows total cash sales (e) of 1 × "1201" − 1 × "1001"

  @ksf_2_8_2_f
  Rule: § 2-8-2 bokstav f: number and amount of cash sales per goods group

    @id_ksf_2_8_2_f_001
    Scenario: Sales are shown per article group
      Given a concluded cash sale of 1 × article "1001"
      And a concluded card sale of 1 × article "1002"
      And a concluded cash sale of 1 × article "1201"
      When the operator asks for an X report
      Then the X report shows the article groups (f) of the sales 1 × "1001", 1 × "1002" and 1 × "1201"

    @id_ksf_2_8_2_f_002
    Scenario: The article groups add up to the total cash sales
      Given a concluded cash sale of 1 × article "1001"
      And a concluded card sale of 1 × article "4002"
      And a concluded card sale of 1 × article "5001"
      When the operator asks for an X report
      Then the X report's article groups (f) add up to its total cash sales (e) of 1 × "1001" + 1 × "4002" + 1 × "5001"

  @ksf_2_8_2_g
  Rule: § 2-8-2 bokstav g: number and amount of cash sales per means of payment

    @id_ksf_2_8_2_g_001
    Scenario: Cash and card payments are shown apart
      Given a concluded cash sale of 1 × article "1001"
      And a concluded card sale of 1 × article "1201"
      When the operator asks for an X report
      Then the X report shows 1 payment by cash (g) for 1 × "1001"
      And the X report shows 1 payment by card (g) for 1 × "1201"

    @id_ksf_2_8_2_g_002 @needs_other_means
    Scenario: Gift card and mobile payments are shown apart
      When the operator registers 1 × article "1002"
      And the customer pays the total with a gift card
      And the operator concludes the sale
      And the operator registers 1 × article "1003"
      And the customer pays the total by mobile payment
      And the operator concludes the sale
      And the operator asks for an X report
      Then the X report shows 1 payment by gift card (g) for 1 × "1002"
      And the X report shows 1 payment by mobile payment (g) for 1 × "1003"

  @ksf_2_8_2_h
  Rule: § 2-8-2 bokstav h: the means of payment per operator, if the system has that function

    @id_ksf_2_8_2_h_001 @needs_per_operator
    Scenario: Each operator's payments are shown apart
      Given a concluded cash sale of 1 × article "1001"
      When operator "1002" logs in
      And the operator registers 1 × article "1201"
      And the customer pays the total by card
      And the operator concludes the sale
      And the operator asks for an X report
      Then the X report shows 1 payment by cash of operator "1001" (h) for 1 × "1001"
      And the X report shows 1 payment by card of operator "1002" (h) for 1 × "1201"

  @ksf_2_8_2_i
  Rule: § 2-8-2 bokstav i: number and amount of tips, if the system has that function

    @id_ksf_2_8_2_i_001 @needs_tips
    Scenario: A tip is counted on the X report
      When the operator registers 1 × article "1201"
      And the customer adds a tip of 20,00 kr
      And the customer pays the total by card
      And the operator concludes the sale
      And the operator asks for an X report
      Then the X report shows 1 tip (i) for 20,00 kr

  @ksf_2_8_2_j
  Rule: § 2-8-2 bokstav j: taxable and tax-exempt cash sales and the VAT per rate

    @id_ksf_2_8_2_j_001
    Scenario: Sales at 25, 15, 12 and 0 % are shown per rate with their VAT
      Given a concluded cash sale of 1 × article "1001"
      And a concluded card sale of 1 × article "1201"
      And a concluded card sale of 1 × article "4002"
      And a concluded card sale of 1 × article "5001"
      When the operator asks for an X report
      Then the X report shows the cash sales and VAT per rate (j) of the sales 1 × "1001", 1 × "1201", 1 × "4002" and 1 × "5001"

  @ksf_2_8_2_k
  Rule: § 2-8-2 bokstav k: the opening float (inngåande vekselkasse)

    @id_ksf_2_8_2_k_001
    Scenario: The registered vekselkasse is the opening float of the report
      Given an opening float of 1 000,00 kr is registered
      And a concluded cash sale of 1 × article "1001"
      When the operator asks for an X report
      Then the X report shows an opening float (k) of 1 000,00 kr

    @id_ksf_2_8_2_k_002 @needs_per_operator
    Scenario: Each operator's own vekselkasse is shown
      Given an opening float of 500,00 kr is registered
      When operator "1002" logs in
      And the operator registers an opening float of 300,00 kr
      And the operator asks for an X report
      Then the X report shows an opening float of operator "1001" (k) of 500,00 kr
      And the X report shows an opening float of operator "1002" (k) of 300,00 kr
      And the X report shows an opening float (k) of 800,00 kr

  @ksf_2_8_2_l
  Rule: § 2-8-2 bokstav l: number of sales receipts

    @id_ksf_2_8_2_l_001
    Scenario: Three sales and a return are three sales receipts
      Given a concluded cash sale of 1 × article "1001"
      And a concluded card sale of 1 × article "1002"
      And a concluded cash sale of 1 × article "1201"
      And a concluded return of 1 × article "1003" paid back in cash
      When the operator asks for an X report
      Then the X report shows 3 sales receipts (l)

  @ksf_2_8_2_m
  Rule: § 2-8-2 bokstav m: number of drawer openings, counting only nullinnslag

    @id_ksf_2_8_2_m_001 @needs_integrated_drawer
    Scenario: Each nullinnslag is counted
      Given a concluded cash sale of 1 × article "1001"
      When the operator opens the drawer without a sale
      And the cashier pushes the drawer shut
      And the operator opens the drawer without a sale
      And the cashier pushes the drawer shut
      And the operator asks for an X report
      Then the X report shows 2 nullinnslag (m)

    @id_ksf_2_8_2_m_002 @needs_integrated_drawer
    Scenario: Drawer openings by sales and returns are not nullinnslag
      Given a concluded cash sale of 2 × article "1001"
      And a concluded return of 1 × article "1001" paid back in cash
      When the operator asks for an X report
      Then the drawer was opened by the sale and by the return
      And the X report shows 0 nullinnslag (m)

  @ksf_2_8_2_n
  Rule: § 2-8-2 bokstav n: number and amount of copy receipts

    @id_ksf_2_8_2_n_001
    Scenario: A kopikvittering is counted with the amount of its sale
      Given a concluded cash sale of 2 × article "1001"
      When the operator asks for a copy receipt of the sale
      And the operator asks for an X report
      Then the X report shows 1 copy receipt (n) for 2 × "1001"

  @ksf_2_8_2_o
  Rule: § 2-8-2 bokstav o: number and amount of provisional receipts

    @id_ksf_2_8_2_o_001 @needs_provisional_receipts
    Scenario: A foreløpig kvittering is counted with the amount it showed
      When the operator registers 1 × article "1003"
      And the operator prints a provisional receipt
      And the customer pays the total by card
      And the operator concludes the sale
      And the operator asks for an X report
      Then the X report shows 1 provisional receipt (o) for 1 × "1003"

  @ksf_2_8_2_p
  Rule: § 2-8-2 bokstav p: number and amount of returns, on return receipts and on sales receipts

    @id_ksf_2_8_2_p_001
    Scenario: A return receipt is counted as a return
      Given a concluded return of 1 × article "1002" paid back in cash
      When the operator asks for an X report
      Then the X report shows 1 return (p) for 1 × "1002"

    @id_ksf_2_8_2_p_002
    Scenario: A return line on a sales receipt is counted as a return
      When the operator registers 1 × article "1201"
      And the operator registers a return of 1 × article "1001"
      And the customer pays the total by card
      And the operator concludes the sale
      And the operator asks for an X report
      Then the X report shows 1 return (p) for 1 × "1001"
      And the X report shows 1 sales receipt (l)

  @ksf_2_8_2_q
  Rule: § 2-8-2 bokstav q: discounts given at the kassapunkt, not marked-down prices or campaigns

    @id_ksf_2_8_2_q_001 @needs_manual_discounts
    Scenario: A discount given at the kassapunkt is counted
      When the operator registers 1 × article "1201"
      And the operator gives a discount of 5,00 kr on line 1
      And the customer pays the total by card
      And the operator concludes the sale
      And the operator asks for an X report
      Then the X report shows 1 discount given at the kassapunkt (q) for 5,00 kr
      And the X report shows total cash sales (e) of 1 × "1201" − 5,00 kr

    @id_ksf_2_8_2_q_002 @needs_price_changes
    Scenario: A marked-down price is not a discount given at the kassapunkt
      When the operator changes the price of article "1003" to 20,00 kr
      And the operator registers 1 × article "1003"
      And the customer pays the total by card
      And the operator concludes the sale
      And the operator asks for an X report
      Then the X report shows 0 discounts given at the kassapunkt (q) for 0 kr
      And the X report shows total cash sales (e) of 20,00 kr

    @id_ksf_2_8_2_q_003 @needs_campaigns
    Scenario: A campaign price of the till's own rules is not a discount given at the kassapunkt
      When the operator registers 3 × article "1004" with a campaign discount of 34,90 kr
      And the customer pays the total by card
      And the operator concludes the sale
      And the operator asks for an X report
      Then the X report shows 0 discounts given at the kassapunkt (q) for 0 kr
      And the X report shows total cash sales (e) of 3 × "1004" − 34,90 kr

  @ksf_2_8_2_r
  Rule: § 2-8-2 bokstav r: number and amount of cancelled and interrupted sales

    @id_ksf_2_8_2_r_001
    Scenario: A voided sale is counted as cancelled and is no sale
      When the operator registers 1 × article "1003"
      And the operator voids the sale
      And the operator asks for an X report
      Then the X report shows 1 cancelled sale (r) for 1 × "1003"
      And the X report shows total cash sales (e) of 0 kr

    @id_ksf_2_8_2_r_002 @needs_parked_sales
    Scenario: A parked sale that is cancelled is counted as cancelled
      Given a parked sale of 1 × article "1002"
      When the operator resumes the parked sale
      And the operator voids the sale
      And the operator asks for an X report
      Then the X report shows 1 cancelled sale (r) for 1 × "1002"

    @id_ksf_2_8_2_r_003
    Scenario: A sale interrupted by a crash of the till is counted as cancelled
      When the operator registers 1 × article "1003"
      And the till process is killed and started again
      And the operator asks for an X report
      Then the X report shows 1 cancelled sale (r) for 1 × "1003"

  @ksf_2_8_2_s
  Rule: § 2-8-2 bokstav s: line corrections before the sale is concluded, one per corrected line

    @id_ksf_2_8_2_s_001 @needs_line_corrections
    Scenario: Reducing a line from 5 to 1 is one correction of four units
      When the operator registers 5 × article "1003"
      And the operator corrects line 1 to quantity 1
      And the customer pays the total by card
      And the operator concludes the sale
      And the operator asks for an X report
      Then the X report shows 1 line correction (s) for 4 × "1003"

    @id_ksf_2_8_2_s_002 @needs_line_corrections
    Scenario: Two deleted lines are two corrections
      When the operator registers 1 × article "1001"
      And the operator registers 1 × article "1002"
      And the operator registers 1 × article "1201"
      And the operator deletes line 2
      And the operator deletes line 1
      And the customer pays the total by card
      And the operator concludes the sale
      And the operator asks for an X report
      Then the X report shows 2 line corrections (s) for 1 × "1001" + 1 × "1002"

    @id_ksf_2_8_2_s_003
    Scenario: Taking goods back after the sale is a return, not a line correction
      Given a concluded cash sale of 1 × article "1001"
      And a concluded return of 1 × article "1001" paid back in cash
      When the operator asks for an X report
      Then the X report shows 0 line corrections (s) for 0 kr
      And the X report shows 1 return (p) for 1 × "1001"

  @ksf_2_8_2_t
  Rule: § 2-8-2 bokstav t: price look-ups per goods group, with amount

    @id_ksf_2_8_2_t_001 @needs_price_lookup
    Scenario: A price look-up is counted in its article's group
      When the operator looks up the price of article "1201"
      And the operator asks for an X report
      Then the X report shows 1 price look-up in the group of article "1201" (t) for 1 × "1201"

    @id_ksf_2_8_2_t_002 @needs_price_lookup
    Scenario: A price look-up sells nothing
      When the operator looks up the price of article "1001"
      And the operator asks for an X report
      Then the X report shows total cash sales (e) of 0 kr
      And the X report shows 0 sales receipts (l)

  @ksf_2_8_2_u
  Rule: § 2-8-2 bokstav u: other corrections

    @id_ksf_2_8_2_u_001
    Scenario: Returns and voids are not booked as other corrections
      Given a concluded cash sale of 1 × article "1001"
      And a concluded return of 1 × article "1001" paid back in cash
      When the operator registers 1 × article "1003"
      And the operator voids the sale
      And the operator asks for an X report
      Then the X report shows 0 other corrections (u) for 0 kr
      And the X report shows 1 return (p) for 1 × "1001"
      And the X report shows 1 cancelled sale (r) for 1 × "1003"

  @ksf_2_8_2_v
  Rule: § 2-8-2 bokstav v: number and amount of delivery receipts

    @id_ksf_2_8_2_v_001 @needs_credit_sales
    Scenario: An utleveringskvittering is counted with its amount
      When the operator registers 1 × article "4001"
      And the operator concludes the sale as a credit sale to customer "Bedrift AS"
      And the operator asks for an X report
      Then the X report shows 1 delivery receipt (v) for 1 × "4001"

  @ksf_2_8_2_w
  Rule: § 2-8-2 bokstav w: training receipts, which change no sales figure

    @id_ksf_2_8_2_w_001 @needs_training_mode
    Scenario: A training sale is counted as a training receipt
      Given a concluded cash sale of 1 × article "1001"
      When the operator switches training mode on
      And the operator registers 1 × article "1002"
      And the customer pays the total in cash
      And the operator concludes the sale
      And the cashier pushes the drawer shut
      And the operator switches training mode off
      And the operator asks for an X report
      Then the X report shows 1 training receipt (w) for 1 × "1002"

    @id_ksf_2_8_2_w_002 @needs_training_mode
    Scenario: A training sale changes neither total cash sales, groups, payments nor receipts
      Given a concluded cash sale of 1 × article "1001"
      When the operator switches training mode on
      And the operator registers 1 × article "1002"
      And the customer pays the total in cash
      And the operator concludes the sale
      And the cashier pushes the drawer shut
      And the operator switches training mode off
      And the operator asks for an X report
      Then the X report shows total cash sales (e) of 1 × "1001"
      And the X report shows the article groups (f) of the sales 1 × "1001"
      And the X report shows 1 payment by cash (g) for 1 × "1001"
      And the X report shows 1 sales receipt (l)

    @id_ksf_2_8_2_w_003 @needs_training_mode
    Scenario: A training return counts in the training receipts by its size, not against the training sales
      When the operator switches training mode on
      And the operator registers 1 × article "1002"
      And the customer pays the total in cash
      And the operator concludes the sale
      And the cashier pushes the drawer shut
      And the operator registers a return of 1 × article "1002"
      And the customer pays the total in cash
      And the operator concludes the sale
      And the cashier pushes the drawer shut
      And the operator switches training mode off
      And the operator asks for an X report
      Then the X report shows 2 training receipts (w) for 2 × "1002"

  @ksf_2_8_2_x
  Rule: § 2-8-2 bokstav x: grand total sales, accumulated and never reset

    @id_ksf_2_8_2_x_001
    Scenario: Grand total sales carry on past the Z report and grow by the new sales
      Given a concluded cash sale of 1 × article "1001"
      When the operator asks for a Z report
      And the operator registers 1 × article "1201"
      And the customer pays the total by card
      And the operator concludes the sale
      And the operator asks for an X report
      Then the X report shows grand total sales (x) of the Z report's figure + 1 × "1201"

    @id_ksf_2_8_2_x_002
    Scenario: A voided sale and a return do not raise grand total sales
      Given a concluded cash sale of 1 × article "1001"
      When the operator asks for a Z report
      And the operator registers 1 × article "1003"
      And the operator voids the sale
      And the operator registers a return of 1 × article "1002"
      And the customer pays the total by card
      And the operator concludes the sale
      And the operator asks for an X report
      Then the X report shows grand total sales (x) of the Z report's figure

    @id_ksf_2_8_2_x_003
    Scenario: Grand total sales carry over to the next business day's Z report
      Given a concluded cash sale of 1 × article "1001"
      When the operator asks for a Z report
      And the till moves on to the next business day
      And the operator registers 1 × article "1201"
      And the customer pays the total by card
      And the operator concludes the sale
      And the operator asks for a Z report
      Then the Z report shows grand total sales (x) of the previous Z report's figure + 1 × "1201"
      And the Z report shows total cash sales (e) of 1 × "1201"

  @ksf_2_8_2_y
  Rule: § 2-8-2 bokstav y: grand total returns, accumulated and never reset

    @id_ksf_2_8_2_y_001
    Scenario: Grand total returns carry on past the Z report and grow by the new returns
      Given a concluded return of 1 × article "1001" paid back in cash
      When the operator asks for a Z report
      And the operator registers a return of 1 × article "1002"
      And the customer pays the total by card
      And the operator concludes the sale
      And the operator asks for an X report
      Then the X report shows grand total returns (y) of the Z report's figure + 1 × "1002"
      And the X report shows grand total sales (x) of the Z report's figure

  @ksf_2_8_2_z
  Rule: § 2-8-2 bokstav z: grand total net sales, so that x − y = z

    @id_ksf_2_8_2_z_001
    Scenario: Grand total net sales are sales less returns, on the Z report and after it
      Given a concluded cash sale of 1 × article "1201"
      And a concluded return of 1 × article "1003" paid back in cash
      When the operator asks for a Z report
      And the operator registers 1 × article "1001"
      And the customer pays the total by card
      And the operator concludes the sale
      And the operator registers a return of 1 × article "1002"
      And the customer pays the total by card
      And the operator concludes the sale
      And the operator asks for an X report
      Then the X report shows grand total net sales (z) of the Z report's figure + 1 × "1001" − 1 × "1002"
      And the Z report's grand totals satisfy x − y = z
      And the X report's grand totals satisfy x − y = z

    @id_ksf_2_8_2_z_002
    Scenario: Grand totals of returns and net sales carry over to the next business day
      Given a concluded cash sale of 2 × article "1201"
      And a concluded return of 1 × article "1003" paid back in cash
      When the operator asks for a Z report
      And the till moves on to the next business day
      And the operator registers a return of 1 × article "1002"
      And the customer pays the total by card
      And the operator concludes the sale
      And the operator asks for a Z report
      Then the Z report shows grand total returns (y) of the previous Z report's figure + 1 × "1002"
      And the Z report shows grand total net sales (z) of the previous Z report's figure − 1 × "1002"
      And the Z report's grand totals satisfy x − y = z

  @ksf_2_8_2_l2
  Rule: § 2-8-2 andre ledd: cash pay-ins and pay-outs by number, type and amount

    @id_ksf_2_8_2_l2_001 @needs_cash_in_out
    Scenario: A pay-in and a pay-out are shown with their type
      When the operator registers a cash pay-in of 50,00 kr
      And the cashier pushes the drawer shut
      And the operator registers a cash pay-out of 20,00 kr
      And the cashier pushes the drawer shut
      And the operator asks for an X report
      Then the X report shows 1 cash pay-in (andre ledd) for 50,00 kr
      And the X report shows 1 cash pay-out (andre ledd) for 20,00 kr
      And the X report names the type of every pay-in and pay-out (andre ledd)

    @id_ksf_2_8_2_l2_002 @needs_cash_in_out
    Scenario: Pay-ins and pay-outs are not sales
      Given a concluded cash sale of 1 × article "1001"
      When the operator registers a cash pay-in of 100,00 kr
      And the cashier pushes the drawer shut
      And the operator registers a cash pay-out of 30,00 kr
      And the cashier pushes the drawer shut
      And the operator asks for an X report
      Then the X report shows total cash sales (e) of 1 × "1001"
      And the X report shows 1 sales receipt (l)
      And the X report shows 1 payment by cash (g) for 1 × "1001"

  @ksf_2_8_2_l2_credit
  Rule: § 2-8-2 andre ledd: credit sales by number and amount

    @id_ksf_2_8_2_l2_credit_001 @needs_credit_sales
    Scenario: A credit sale is shown as a credit sale, not as a cash sale
      When the operator registers 1 × article "4001"
      And the operator concludes the sale as a credit sale to customer "Bedrift AS"
      And the operator asks for an X report
      Then the X report shows 1 credit sale (andre ledd) for 1 × "4001"
      And the X report shows total cash sales (e) of 0 kr
