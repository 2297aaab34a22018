"""x/bank: one denomination (uDAIT), balances, module accounts, supply (specs/bank.md)."""
