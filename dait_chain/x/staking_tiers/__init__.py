"""x/staking_tiers: locks that buy the Heavy tier (specs/staking_tiers.md)."""
