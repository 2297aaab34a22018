"""x/staking: validators, delegations, unbonding, voting power (specs/staking.md)."""
