"""The reverse Dutch auction as pure functions (specs/compute_market.md §6).

Nothing here touches the store: the keeper feeds these functions what it read and applies
what they decide, so the rules can be read, tested and fuzzed on their own.

Seed 000: "The auction window is 30 blocks (~30s) and bids run as a reverse Dutch
auction." "The auction iterator selects the lowest-price bid that matches all attribute
filters. Ties are broken by earliest bid height, then by lexicographic provider_addr."
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


def auction_clock(price_ceiling: int, k: int, window: int) -> int:
    """The tenant's price clock at the EndBlocker of height h0 + k (specs §6.2).

    decisions.md: "at the EndBlocker of height h0 + k (k = 1..W) the clock is
    floor(price_ceiling * k / W)". k = 0 (the deployment's own EndBlocker) gives 0, which
    no bid can meet since bid prices are >= 1.
    """
    if window <= 0:
        raise ValueError("auction window must be positive")
    if not 0 <= k <= window:
        raise ValueError(f"k={k} outside 0..{window}")
    return price_ceiling * k // window


def clock_reach_offset(price: int, price_ceiling: int, window: int) -> int:
    """The smallest k in 1..W whose clock is >= price (specs §6.3).

    floor(C*k/W) >= p  <=>  C*k/W >= p (p is an integer)  <=>  k >= ceil(p*W/C).
    Requires 1 <= price <= price_ceiling, so the answer lies in 1..W (k = W gives C).
    """
    if not 1 <= price <= price_ceiling:
        raise ValueError(f"price {price} outside 1..{price_ceiling}")
    return max(1, -((-price * window) // price_ceiling))


def bid_eligible_height(
    opened_height: int, bid_height: int, price: int, price_ceiling: int, window: int
) -> int:
    """The first height whose EndBlocker may let this bid win on price (specs §6.3).

    A bid placed in block hb is seen by the EndBlocker of hb (txs run before EndBlock), and
    wins on price once the clock reaches it: max(hb, h0 + ceil(p*W/C)).
    """
    return max(bid_height, opened_height + clock_reach_offset(price, price_ceiling, window))


@dataclass(frozen=True, slots=True)
class BidCandidate:
    """What winner selection needs to know of an open bid."""

    provider: str
    price: int
    created_height: int


def bid_rank_key(bid: BidCandidate) -> tuple[int, int, str]:
    """The seed's order on bids: lowest price, earliest bid height, smallest provider_addr.

    Provider addresses compare as strings (bech32 `dait1...`), by code point, which for
    ASCII is byte order, as Go compares strings (specs §6.4).
    """
    return (bid.price, bid.created_height, bid.provider)


def select_winning_bid(
    bids_in_rank_order: Iterable[BidCandidate],
    clock: int,
    has_free_capacity: Callable[[str], bool],
) -> BidCandidate | None:
    """The winner among open bids at a clock value, or None (specs §6.4).

    decisions.md: "The order settles at the first EndBlocker where some matching bid has
    price <= clock and its provider has free capacity. The winner: lowest price, then
    earliest bid height, then the lexicographically smallest provider address."
    `bids_in_rank_order` must be sorted by `bid_rank_key`; the walk stops at the first bid
    priced above the clock, so it reads only the bids that could win.
    """
    for bid in bids_in_rank_order:
        if bid.price > clock:
            return None
        if has_free_capacity(bid.provider):
            return bid
    return None


def order_priority_key(
    heavy: bool, created_height: int, deployment_id: int
) -> tuple[int, int, int]:
    """The order in which orders settling in one EndBlocker are matched (specs §6.5).

    decisions.md: "they are matched Heavy first, then by creation height, then by
    deployment id, so under scarce provider capacity Heavy tenants are served first."
    """
    return (0 if heavy else 1, created_height, deployment_id)
