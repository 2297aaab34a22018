"""x/compute_market params and their validation (specs/compute_market.md §9)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from dait_chain.codec.value import ProtoValue
from dait_chain.math.ints import UINT64_MAX
from dait_chain.pb.dait.compute_market.v1 import compute_market_pb2 as pb
from dait_chain.x.compute_market.attributes import OR_NEWER_SUFFIX, is_value_token
from dait_chain.x.compute_market.errors import ErrInvalidParams
from dait_chain.x.compute_market.types import OrderedAttribute

# decisions.md: "An order opens at the deployment's height h0 and runs for W = 30 blocks
# (`auction_window_blocks`)."
DEFAULT_AUCTION_WINDOW_BLOCKS = 30
# Akash's OrderMaxBids default (anchors.md).
DEFAULT_MAX_BIDS_PER_ORDER = 20
# 1 DAIT held per open bid: filling an order's bid slots costs capital (specs §11 D5).
DEFAULT_BID_DEPOSIT_UDAIT = 1_000_000
# Seed 000's SDL uses gpu_class and region.
DEFAULT_ATTRIBUTE_KEYS: tuple[str, ...] = ("gpu_class", "region")
# decisions.md: "volta < turing < ampere < ada < hopper < blackwell".
DEFAULT_GPU_CLASSES: tuple[str, ...] = ("volta", "turing", "ampere", "ada", "hopper", "blackwell")

_MAX_KEY_LEN = 32


@dataclass(frozen=True, slots=True)
class Params(ProtoValue):
    """The module parameters (specs §9)."""

    PROTO: ClassVar = pb.Params
    auction_window_blocks: int = DEFAULT_AUCTION_WINDOW_BLOCKS
    max_bids_per_order: int = DEFAULT_MAX_BIDS_PER_ORDER
    bid_deposit_uDAIT: int = DEFAULT_BID_DEPOSIT_UDAIT
    attribute_keys: tuple[str, ...] = DEFAULT_ATTRIBUTE_KEYS
    ordered_attributes: tuple[OrderedAttribute, ...] = (
        OrderedAttribute(key="gpu_class", values=DEFAULT_GPU_CLASSES),
    )

    def ordered(self) -> Mapping[str, tuple[str, ...]]:
        """The ordered lists by key."""
        return {o.key: o.values for o in self.ordered_attributes}

    def validate(self) -> None:
        """The window and the bid cap are positive, the deposit fits uint64, the keys are
        distinct identifiers, and each ordered list belongs to a known key and holds
        distinct values (specs §9)."""
        for name in ("auction_window_blocks", "max_bids_per_order"):
            value = getattr(self, name)
            if type(value) is not int or not 1 <= value <= UINT64_MAX:
                raise ErrInvalidParams(f"{name}={value!r} must be in 1..{UINT64_MAX}")
        if type(self.bid_deposit_uDAIT) is not int or not (
            0 <= self.bid_deposit_uDAIT <= UINT64_MAX
        ):
            raise ErrInvalidParams(f"bid_deposit_uDAIT={self.bid_deposit_uDAIT!r} not a uint64")
        if len(set(self.attribute_keys)) != len(self.attribute_keys):
            raise ErrInvalidParams("attribute_keys holds a key twice")
        for key in self.attribute_keys:
            if (
                not key
                or len(key) > _MAX_KEY_LEN
                or not key.isascii()
                or not all(c.islower() or c.isdigit() or c == "_" for c in key)
            ):
                raise ErrInvalidParams(f"attribute key {key!r} is not a snake_case identifier")
        seen: set[str] = set()
        for o in self.ordered_attributes:
            if o.key not in self.attribute_keys:
                raise ErrInvalidParams(f"ordered attribute {o.key!r} is not in attribute_keys")
            if o.key in seen:
                raise ErrInvalidParams(f"ordered attribute {o.key!r} given twice")
            seen.add(o.key)
            if not o.values or len(set(o.values)) != len(o.values):
                raise ErrInvalidParams(f"ordered attribute {o.key!r}: values empty or repeated")
            for v in o.values:
                if not is_value_token(v) or v.endswith(OR_NEWER_SUFFIX):
                    raise ErrInvalidParams(f"ordered attribute {o.key!r}: bad value {v!r}")


def default_params() -> Params:
    """The genesis defaults (specs §9)."""
    return Params()
