"""x/staking_tiers refusals: codespace `staking_tiers` (specs/staking_tiers.md §7).

Codes are stable once published; a new rule gets a new code at the end.
"""

from __future__ import annotations

from dait_chain.errors import DaitError


class StakingTiersError(DaitError, codespace="staking_tiers"):
    """Family of every x/staking_tiers refusal."""


class ErrInvalidAmount(StakingTiersError, code=2, description="amount must be positive"):
    pass


class ErrInsufficientLocked(
    StakingTiersError, code=3, description="unlock amount exceeds the locked amount"
):
    pass


class ErrTooManyUnbondingEntries(
    StakingTiersError, code=4, description="account already has max_unbonding_entries"
):
    pass


class ErrAmountOverflow(StakingTiersError, code=5, description="amount overflows uint64"):
    pass


class ErrInvalidParams(StakingTiersError, code=6, description="invalid staking_tiers params"):
    pass


class ErrInvalidGenesis(StakingTiersError, code=7, description="invalid staking_tiers genesis"):
    pass
