"""x/staking_tiers store layout (specs/staking_tiers.md §8).

Under the namespace `staking_tiers/`, one collection prefix byte each. Numbers are
big-endian uint64, strings self-delimiting (dait_chain.store.collections).
"""

from __future__ import annotations

MODULE_NAME = "staking_tiers"
# The module account holding locked and unbonding funds.
LOCK_ACCOUNT = "staking_tiers"

PARAMS_PREFIX = 0x01  # Item[Params]
LOCKS_PREFIX = 0x02  # Map[owner -> uint64 locked uDAIT] (absent when zero)
UNBONDINGS_PREFIX = 0x03  # Map[id -> UnbondingEntry]
UNBONDING_SEQ_PREFIX = 0x04  # Sequence: the next unbonding id
UNBONDING_QUEUE_PREFIX = 0x05  # Schedule[(completion_time_ms, id)]
UNBONDINGS_BY_OWNER_PREFIX = 0x06  # KeySet[(owner, id)]
