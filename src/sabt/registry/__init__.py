"""The population register: persons, marriages, offices, mobile ownership and the ledger."""
