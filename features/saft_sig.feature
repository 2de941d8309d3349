Feature: The digital signature of cash transactions (Skatteetaten's signature requirements)
  Every «cashtransaction» is signed over
  previousSignature;transDate;transTime;nr;transAmntIn;transAmntEx, the first transaction of a
  kassapunkt over the literal 0 and each next one over the signature of the kassapunkt's previous
  transaction, with RSA-SHA1-1024 or HMAC-SHA1-128, base64-encoded, and «keyVersion» naming the
  key. The harness rebuilds every signed string from the exported fields and verifies it with the
  key the capability profile declares.

  Background:
    Given kassapunkt "K1" is open with operator "1001"

  @saft_sig
  Rule: Every cash transaction carries a signature and a keyVersion, and the signatures are chained

    @id_saft_sig_001
    Scenario: Float, sale, card sale, return and void are all signed
      Given an opening float of 500,00 kr is registered
      And a concluded cash sale of 2 × article "1001"
      And a concluded card sale of 1 × article "1201"
      And a concluded return of 1 × article "1001" paid back in cash
      When the operator registers 1 × article "1003"
      And the operator voids the sale
      Then every cash transaction carries a signature and a keyVersion, the void included
      And the signature chain of every kassapunkt verifies

    @id_saft_sig_002 @needs_training_mode
    Scenario: Training transactions are signed and chained with the others
      Given a concluded cash sale of 1 × article "1002"
      And training mode is on
      And a concluded cash sale of 1 × article "1001"
      When the operator switches training mode off
      And the operator registers 1 × article "1003"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then every cash transaction carries a signature and a keyVersion, the training sale included
      And the signature chain of every kassapunkt verifies

  @saft_sig_data
  Rule: The signed string is previousSignature;transDate;transTime;nr;transAmntIn;transAmntEx

    @id_saft_sig_data_001
    Scenario: Each signature verifies over the string rebuilt from its transaction's fields
      Given a concluded cash sale of 3 × article "1004"
      And a concluded card sale of 2 × article "4002"
      Then every signed field has the form the signature requirements give it
      And every signature verifies over the string rebuilt from its transaction and the one before

    @id_saft_sig_data_002
    Scenario: A return's negative amounts are signed with their minus sign
      Given a concluded cash sale of 1 × article "1002"
      And a concluded return of 1 × article "1002" paid back in cash
      Then the return is signed over its amounts with a leading minus

  @saft_sig_start
  Rule: The first transaction of a chain is signed over the literal 0

    @id_saft_sig_start_001
    Scenario: Each kassapunkt's first transaction is signed over "0", the next ones are not
      Given a concluded cash sale of 1 × article "1001"
      And a concluded cash sale of 1 × article "1002"
      And kassapunkt "K2" is open with operator "1002"
      And a concluded cash sale of 1 × article "1003"
      And a concluded cash sale of 1 × article "1004"
      Then the first transaction of each kassapunkt verifies with previous signature "0"
      And no later transaction verifies with previous signature "0"

  @saft_sig_chain
  Rule: The chain runs per kassapunkt

    @id_saft_sig_chain_001
    Scenario: Two kassapunkter selling in turn keep one chain each
      Given kassapunkt "K2" is open with operator "1002"
      And the scenario goes on at kassapunkt "K1"
      And a concluded cash sale of 1 × article "1001"
      And the scenario goes on at kassapunkt "K2"
      And a concluded cash sale of 1 × article "1002"
      And the scenario goes on at kassapunkt "K1"
      And a concluded card sale of 1 × article "1003"
      And the scenario goes on at kassapunkt "K2"
      And a concluded cash sale of 1 × article "1004"
      Then each transaction is chained to the previous transaction of its own kassapunkt, not to the other's
      And the signature chain of every kassapunkt verifies

    @id_saft_sig_chain_002
    Scenario: The chain goes on after the till was killed and started again
      Given a concluded cash sale of 1 × article "1001"
      When the till process is killed and started again
      And the operator registers 1 × article "1002"
      And the customer pays the total in cash
      And the operator concludes the sale
      Then the sale after the restart is chained to the sale before it
      And the signature chain of every kassapunkt verifies

  @saft_sig_method
  Rule: RSA-SHA1 with a 1024-bit key or HMAC-SHA1 with a 128-bit key, base64-encoded

    @id_saft_sig_method_001
    Scenario: The signatures are made with an allowed method and key size
      Given a concluded cash sale of 1 × article "1001"
      And a concluded card sale of 2 × article "1002"
      Then the profile declares an allowed signature method with a key of its size
      And every signature is base64 of the method's signature length and verifies with SHA-1
      And the export passes the verifier's "SIG-FORMAT, SIG-VERIFY" checks

  @saft_sig_key
  Rule: keyVersion names the key; every version used can be verified

    @id_saft_sig_key_001
    Scenario: Every keyVersion in the export is a key the profile declares, and verifies with it
      Given a concluded cash sale of 1 × article "1001"
      And kassapunkt "K2" is open with operator "1002"
      And a concluded card sale of 1 × article "1002"
      Then every keyVersion in the export is declared in the profile and verifies its signatures
      And the export passes the verifier's "SIG-NO-KEY, SIG-KEY-ORDER, SIG-NOT-CHECKED" checks
