"""x/staking_tiers event types and attribute keys (specs/staking_tiers.md §6).

Every event starts with `module` and `action`; attribute order is part of the contract.
"""

from __future__ import annotations

MODULE = "staking_tiers"

EVENT_LOCKED = "Locked"
EVENT_UNLOCK_STARTED = "UnlockStarted"
EVENT_UNBONDING_COMPLETED = "UnbondingCompleted"

ACTION_LOCKED = "locked"
ACTION_UNLOCK_STARTED = "unlock-started"
ACTION_UNBONDING_COMPLETED = "unbonding-completed"

ATTR_MODULE = "module"
ATTR_ACTION = "action"
ATTR_OWNER = "owner"
ATTR_AMOUNT = "amount_uDAIT"
ATTR_LOCKED = "locked_uDAIT"
ATTR_TIER = "tier"
ATTR_UNBONDING_ID = "unbonding_id"
ATTR_COMPLETION_TIME = "completion_time_ms"

TIER_NAMES = {1: "user", 2: "heavy"}
