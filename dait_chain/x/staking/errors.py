"""x/staking errors, with Cosmos x/staking's numbers (specs/staking.md "Errors")."""

from __future__ import annotations

from dait_chain.errors import DaitError


class StakingError(DaitError, codespace="staking"):
    """Family of x/staking errors."""


class ErrNoValidatorFound(StakingError, code=3, description="validator does not exist"):
    pass


class ErrNoDelegation(
    StakingError, code=19, description="no delegation for (address, validator) tuple"
):
    pass


class ErrNotEnoughDelegationShares(
    StakingError, code=24, description="not enough delegation shares"
):
    pass
