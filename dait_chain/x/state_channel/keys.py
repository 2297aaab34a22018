"""Store layout of x/state_channel (specs/state_channel.md §3, §8, §13).

Every key lives under the module namespace `state_channel/`, then one collection prefix
byte, then the collection's key codec (dait_chain.store.collections).
"""

from __future__ import annotations

from typing import Final

MODULE_NAME: Final = "state_channel"
STORE_KEY: Final = MODULE_NAME

PARAMS_PREFIX: Final = 0x01  # Item[Params]
CHANNELS_PREFIX: Final = 0x02  # Map[channel_id (32 bytes) -> Channel]
USER_SEQUENCES_PREFIX: Final = 0x03  # Map[user address -> next channel sequence]
BY_PARTY_PREFIX: Final = 0x04  # KeySet[(party address, channel_id)]
SCHEDULE_PREFIX: Final = 0x05  # Schedule[(due unix ms, channel_id)]
SETTLED_COUNT_PREFIX: Final = 0x06  # Item[uint64]: channels settled so far
NEXT_DUE_PREFIX: Final = 0x07  # Item[uint64]: the earliest due time in the schedule

# Domain tag of the channel id preimage (specs §4).
CHANNEL_ID_DOMAIN: Final = b"DAIT-CHANNEL-v1\x00"
CHANNEL_ID_SIZE: Final = 32
# Domain tag of the counterparty's close consent (specs §7.3, D17); distinct from
# DAIT-STATE-v1 so a state co-signature can never be read as consent to close.
DOMAIN_CLOSE: Final = b"DAIT-CLOSE-v1\x00"

# Query page sizes (specs §13).
DEFAULT_QUERY_LIMIT: Final = 100
MAX_QUERY_LIMIT: Final = 1_000
