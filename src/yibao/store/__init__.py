"""The settlement store: persons, coverage, accounts, keys, the ledger and its accumulators."""
