"""x/compute_market event types and attribute keys (specs/compute_market.md §14).

Seed 000: "Standard cosmos-sdk events fire on BidWon, LeaseStarted, LeaseClosed." The event
types are the seed's names; every event starts with `module` and `action` (as Akash's
market events do), then the ids, then the facts. Attribute order is part of the contract.
"""

from __future__ import annotations

MODULE = "compute_market"

# --- event types --------------------------------------------------------------------------
EVENT_PROVIDER_REGISTERED = "ProviderRegistered"
EVENT_PROVIDER_UPDATED = "ProviderUpdated"
EVENT_DEPLOYMENT_CREATED = "DeploymentCreated"
EVENT_ORDER_OPENED = "OrderOpened"
EVENT_BID_CREATED = "BidCreated"
EVENT_BID_CLOSED = "BidClosed"
EVENT_BID_WON = "BidWon"
EVENT_LEASE_STARTED = "LeaseStarted"
EVENT_LEASE_PAID = "LeasePaid"
EVENT_LEASE_CLOSED = "LeaseClosed"
EVENT_ORDER_CLOSED = "OrderClosed"
EVENT_DEPLOYMENT_CLOSED = "DeploymentClosed"

# --- `action` values (kebab-case, as Akash writes them) -------------------------------------
ACTION_PROVIDER_REGISTERED = "provider-registered"
ACTION_PROVIDER_UPDATED = "provider-updated"
ACTION_DEPLOYMENT_CREATED = "deployment-created"
ACTION_ORDER_OPENED = "order-opened"
ACTION_BID_CREATED = "bid-created"
ACTION_BID_CLOSED = "bid-closed"
ACTION_BID_WON = "bid-won"
ACTION_LEASE_STARTED = "lease-started"
ACTION_LEASE_PAID = "lease-paid"
ACTION_LEASE_CLOSED = "lease-closed"
ACTION_ORDER_CLOSED = "order-closed"
ACTION_DEPLOYMENT_CLOSED = "deployment-closed"

# --- attribute keys -------------------------------------------------------------------------
ATTR_MODULE = "module"
ATTR_ACTION = "action"
ATTR_OWNER = "owner"
ATTR_DEPLOYMENT_ID = "deployment_id"
ATTR_PROVIDER = "provider"
ATTR_PRICE = "price_uDAIT"
ATTR_CLOCK = "clock_uDAIT"
ATTR_CAPACITY = "capacity"
ATTR_ATTRIBUTES = "attributes"
ATTR_TIER = "tier"
ATTR_PRICE_CEILING = "price_ceiling_uDAIT"
ATTR_DURATION_BLOCKS = "duration_blocks"
ATTR_ESCROW = "escrow_uDAIT"
ATTR_OPENED_HEIGHT = "opened_height"
ATTR_LAST_HEIGHT = "last_height"
ATTR_DEPOSIT = "deposit_uDAIT"
ATTR_REASON = "reason"
ATTR_START_HEIGHT = "start_height"
ATTR_END_HEIGHT = "end_height"
ATTR_AMOUNT = "amount_uDAIT"
ATTR_BLOCKS = "blocks"
ATTR_SETTLED_HEIGHT = "settled_height"
ATTR_PAID = "paid_uDAIT"
ATTR_REFUND = "refund_uDAIT"

# --- `reason` values --------------------------------------------------------------------------
BID_CLOSED_LOST = "lost"
BID_CLOSED_PROVIDER = "provider_closed"
BID_CLOSED_ORDER = "order_closed"
BID_CLOSED_LEASE = "lease_closed"
LEASE_CLOSED_EXPIRED = "expired"
LEASE_CLOSED_TENANT = "tenant_closed"
ORDER_CLOSED_UNFILLED = "unfilled"
ORDER_CLOSED_CANCELED = "canceled"
ORDER_CLOSED_LEASE = "lease_closed"
