"""x/bank event types and attribute keys (Cosmos x/bank types/events.go)."""

from __future__ import annotations

EVENT_TRANSFER = "transfer"
EVENT_COIN_SPENT = "coin_spent"
EVENT_COIN_RECEIVED = "coin_received"
EVENT_COINBASE = "coinbase"
EVENT_BURN = "burn"

ATTR_SENDER = "sender"
ATTR_RECIPIENT = "recipient"
ATTR_SPENDER = "spender"
ATTR_RECEIVER = "receiver"
ATTR_MINTER = "minter"
ATTR_BURNER = "burner"
ATTR_AMOUNT = "amount"
