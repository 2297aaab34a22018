"""x/compute_market store layout (specs/compute_market.md §12).

Every key lives under the namespace `compute_market/`, then one collection prefix byte.
Numbers are big-endian uint64 (so key order is numeric order); strings are
self-delimiting (dait_chain.store.collections.StrKey).
"""

from __future__ import annotations

MODULE_NAME = "compute_market"
# The module account that holds deployment escrows (specs §5.2).
ESCROW_ACCOUNT = "compute_market"
# The module account that holds open bids' deposits (specs §7.3).
DEPOSIT_ACCOUNT = "compute_market_deposits"

PARAMS_PREFIX = 0x01  # Item[Params]
PROVIDERS_PREFIX = 0x02  # Map[address -> Provider]
DEPLOYMENTS_PREFIX = 0x03  # Map[deployment id -> Deployment]
DEPLOYMENT_SEQ_PREFIX = 0x04  # Sequence: the last deployment id handed out
ORDERS_PREFIX = 0x05  # Map[deployment id -> Order]
BIDS_PREFIX = 0x06  # Map[(deployment id, provider) -> Bid]
OPEN_BID_RANK_PREFIX = 0x07  # KeySet[(deployment id, (price, bid height, provider))], open bids
ORDER_CHECKS_PREFIX = 0x08  # Schedule[(next check height, deployment id)], open orders
LEASES_PREFIX = 0x09  # Map[deployment id -> Lease]
LEASE_ENDS_PREFIX = 0x0A  # Schedule[(end height, deployment id)], active leases
# Item[uint64]: the earliest due height of both schedules (absent when both are empty), so
# an idle EndBlocker and next_due cost one key read (specs §6.6).
NEXT_WORK_PREFIX = 0x0B
