"""x/distribution event types and attribute keys."""

from __future__ import annotations

# Cosmos x/distribution emits "rewards" (amount, validator) per validator on allocation.
EVENT_REWARDS = "rewards"
EVENT_COMMUNITY_POOL = "community_pool"

ATTR_VALIDATOR = "validator"
ATTR_AMOUNT = "amount"
