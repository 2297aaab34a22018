"""x/staking event types and attribute keys (Cosmos x/staking types/events.go)."""

from __future__ import annotations

EVENT_DELEGATE = "delegate"
EVENT_UNBOND = "unbond"
EVENT_COMPLETE_UNBONDING = "complete_unbonding"

ATTR_VALIDATOR = "validator"
ATTR_DELEGATOR = "delegator"
ATTR_AMOUNT = "amount"
ATTR_COMPLETION_TIME = "completion_time"
