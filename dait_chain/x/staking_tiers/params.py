"""x/staking_tiers params and their validation (specs/staking_tiers.md §5)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from dait_chain.codec.value import ProtoValue
from dait_chain.math.ints import UINT64_MAX
from dait_chain.pb.dait.staking_tiers.v1 import staking_tiers_pb2 as pb
from dait_chain.x.staking_tiers.errors import ErrInvalidParams

UDAIT_PER_DAIT = 1_000_000

# Seed 000 "Stake": "The Heavy tier (369 DAIT lock) buys priority queue access".
DEFAULT_HEAVY_THRESHOLD_UDAIT = 369 * UDAIT_PER_DAIT
# 21 days of block time, the Cosmos staking default (specs §11 D2).
DEFAULT_UNBONDING_PERIOD_MS = 21 * 24 * 3600 * 1000
# Cosmos x/staking's MaxEntries default: bounds the entries an account keeps in flight.
DEFAULT_MAX_UNBONDING_ENTRIES = 7


@dataclass(frozen=True, slots=True)
class Params(ProtoValue):
    """The module parameters (specs §5)."""

    PROTO: ClassVar = pb.Params
    heavy_threshold_uDAIT: int = DEFAULT_HEAVY_THRESHOLD_UDAIT
    unbonding_period_ms: int = DEFAULT_UNBONDING_PERIOD_MS
    max_unbonding_entries: int = DEFAULT_MAX_UNBONDING_ENTRIES

    def validate(self) -> None:
        """Every field positive and within uint64 (specs §5)."""
        for name in ("heavy_threshold_uDAIT", "unbonding_period_ms", "max_unbonding_entries"):
            value = getattr(self, name)
            if type(value) is not int or not 1 <= value <= UINT64_MAX:
                raise ErrInvalidParams(f"{name}={value!r} must be in 1..{UINT64_MAX}")


def default_params() -> Params:
    """The genesis defaults (specs §5)."""
    return Params()
