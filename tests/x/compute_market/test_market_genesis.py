"""Genesis of x/compute_market and x/staking_tiers: validation, and export/import giving
the same store (specs/compute_market.md §12, specs/staking_tiers.md §8)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dait_chain.app.app import DaitApp
from dait_chain.app.testkit import TestChain
from dait_chain.errors import DaitError
from dait_chain.x.compute_market.errors import ErrInvalidGenesis, ErrInvalidParams
from dait_chain.x.compute_market.types import MsgCreateBid, OrderState
from dait_chain.x.staking_tiers.types import MsgLock, MsgUnlock

from .chain import deploy_msg, ok, register_msg, start


def busy_chain() -> TestChain:
    """Every kind of record: providers, a leased deployment, an open order with bids, a
    closed one, a Heavy lock and an unbonding entry."""
    chain = start()
    for name, cap in (("p1", 1), ("p2", 2), ("p3", 1)):
        ok(chain, chain.actors[name], register_msg(chain, name, capacity=cap))
    ok(chain, chain.heavy, MsgLock(chain.heavy.address, 400_000_000))
    ok(chain, chain.heavy, MsgUnlock(chain.heavy.address, 10_000_000))
    ok(chain, chain.tenant, deploy_msg(chain))  # 1: leased below
    ok(chain, chain.p2, MsgCreateBid(chain.p2.address, 1, 40))
    ok(chain, chain.p1, MsgCreateBid(chain.p1.address, 1, 1))
    ok(chain, chain.heavy, deploy_msg(chain, "heavy", duration=100))  # 2: stays open
    ok(chain, chain.p3, MsgCreateBid(chain.p3.address, 2, 49))
    ok(chain, chain.tenant, deploy_msg(chain, duration=10))  # 3: closes unfilled
    for _ in range(31):
        chain.block()
    ok(chain, chain.tenant, deploy_msg(chain, ceiling=30))  # 4: open with a bid
    ok(chain, chain.p2, MsgCreateBid(chain.p2.address, 4, 25))
    q = chain.app.module("compute_market").queries()
    states = [q.order(chain.ctx(), i).state for i in (1, 3, 4)]  # type: ignore[attr-defined]
    assert states == [OrderState.ACTIVE, OrderState.CLOSED, OrderState.OPEN]
    return chain


def test_export_imported_into_a_fresh_app_recreates_every_pair() -> None:
    chain = busy_chain()
    exported = chain.app.export_genesis()
    fresh = DaitApp()
    fresh.init_chain(exported)
    assert fresh.app_hash == chain.app.app_hash
    assert fresh.state_pairs() == chain.app.state_pairs()
    assert fresh.export_genesis() == exported


def test_imported_chain_continues_exactly_as_the_original() -> None:
    """The same later blocks give the same results and app hashes on both."""
    chain = busy_chain()
    twin = TestChain(DaitApp(), chain.spec, chain.actors)
    twin.app.init_chain(chain.app.export_genesis())
    for _ in range(40):
        a, b = chain.block(), twin.block()
        assert (a.app_hash, a.end_events) == (b.app_hash, b.end_events)
    assert chain.app.check_invariants() == []


def _init_with(section: str, mutate: Any) -> None:
    exported = busy_chain().app.export_genesis()
    doc = copy.deepcopy(exported)
    mutate(doc[section])
    DaitApp().init_chain(doc)


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (lambda s: s["params"].update(auction_window_blocks="0"), ErrInvalidParams),
        (lambda s: s["params"].update(max_bids_per_order="0"), ErrInvalidParams),
        (lambda s: s["params"].update(attribute_keys=["gpu_class", "gpu_class"]), ErrInvalidParams),
        (
            lambda s: s["params"]["ordered_attributes"][0].update(key="vram"),
            ErrInvalidParams,
        ),
        (lambda s: s["providers"].reverse(), ErrInvalidGenesis),
        (lambda s: s["orders"][0].update(open_bids="5"), ErrInvalidGenesis),
        (lambda s: s["providers"][0].update(active_leases="0"), ErrInvalidGenesis),
        (lambda s: s["deployments"].pop(), ErrInvalidGenesis),
        (lambda s: s.update(next_deployment_id="2"), ErrInvalidGenesis),
        (lambda s: s.update(unknown_field=1), ErrInvalidGenesis),
    ],
)
def test_inconsistent_compute_market_genesis_is_refused(
    mutate: Any, error: type[DaitError]
) -> None:
    with pytest.raises(error):
        _init_with("compute_market", mutate)
