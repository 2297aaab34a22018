"""Every refusal of x/compute_market, through a signed tx in a block: the registered error,
and nothing changed but the fee and the sequence (specs/compute_market.md §13).

The SDL errors (codes 2-6) arise only in the parser (test_sdl.py); ErrInvalidParams and
ErrInvalidGenesis only at genesis (test_market_genesis.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypedDict, Unpack

import pytest

from dait_chain.app.errors import ErrInsufficientFunds, ErrUnauthorized
from dait_chain.app.testkit import Actor, TestChain
from dait_chain.codec.value import ProtoValue
from dait_chain.errors import DaitError
from dait_chain.x.compute_market import errors as e
from dait_chain.x.compute_market.params import Params
from dait_chain.x.compute_market.types import (
    Attribute,
    MsgCloseBid,
    MsgCloseDeployment,
    MsgCloseLease,
    MsgCreateBid,
    MsgCreateDeployment,
    MsgWithdrawLease,
)

from .chain import as_update, deploy_msg, job, ok, refusal_leaves_no_trace, register_msg, start

Setup = Callable[[], tuple[TestChain, Actor, ProtoValue]]


def with_providers(*names: str, params: Params | None = None) -> TestChain:
    chain = start(params)
    for name in names:
        ok(chain, chain.actors[name], register_msg(chain, name))
    return chain


def with_order(*bidders: str, params: Params | None = None) -> TestChain:
    """p1..p3 registered; the tenant's deployment 1 (seed SDL, ceiling 50) open; each of
    `bidders` bid 50 on it."""
    chain = with_providers("p1", "p2", "p3", params=params)
    ok(chain, chain.tenant, deploy_msg(chain))
    for name in bidders:
        ok(chain, chain.actors[name], MsgCreateBid(chain.actors[name].address, 1, 50))
    return chain


def with_lease() -> TestChain:
    """Deployment 1 leased to p1 at price 1 (the clock reaches 1 at h0 + 1)."""
    chain = with_order()
    ok(chain, chain.p1, MsgCreateBid(chain.p1.address, 1, 1))
    chain.block()
    return chain


class _JobChanges(TypedDict, total=False):
    """JobSpec's fields."""

    model: str
    attributes: tuple[Attribute, ...]
    replayable: bool
    price_ceiling_uDAIT: int
    duration_blocks: int


class _ProviderChanges(TypedDict, total=False):
    """MsgRegisterProvider's fields."""

    provider: str
    host_uri: str
    tee_pubkey: bytes
    capacity: int
    attributes: tuple[Attribute, ...]


def _deploy(escrow_uDAIT: int | None = None, **job_changes: Unpack[_JobChanges]) -> Setup:
    def setup() -> tuple[TestChain, Actor, ProtoValue]:
        chain = start()
        msg = deploy_msg(chain)
        msg = replace(msg, job=replace(msg.job, **job_changes))
        if escrow_uDAIT is not None:
            msg = replace(msg, escrow_uDAIT=escrow_uDAIT)
        return chain, chain.tenant, msg

    return setup


def _provider_msg(**changes: Unpack[_ProviderChanges]) -> Setup:
    def setup() -> tuple[TestChain, Actor, ProtoValue]:
        chain = start()
        return chain, chain.p1, replace(register_msg(chain, "p1"), **changes)

    return setup


def _bid(price: int, who: str = "p1", deployment_id: int = 1, **order: object) -> Setup:
    def setup() -> tuple[TestChain, Actor, ProtoValue]:
        chain = with_order(**order)  # type: ignore[arg-type]
        actor = chain.actors[who]
        return chain, actor, MsgCreateBid(actor.address, deployment_id, price)

    return setup


def _exists() -> tuple[TestChain, Actor, ProtoValue]:
    chain = with_providers("p1")
    return chain, chain.p1, register_msg(chain, "p1")


def _update_unknown() -> tuple[TestChain, Actor, ProtoValue]:
    chain = start()
    m = register_msg(chain, "p1")
    return chain, chain.p1, as_update(m)


def _capacity_below_leases() -> tuple[TestChain, Actor, ProtoValue]:
    chain = with_lease()
    m = replace(register_msg(chain, "p1"), capacity=0)
    return chain, chain.p1, as_update(m)


def _bid_unregistered() -> tuple[TestChain, Actor, ProtoValue]:
    chain = with_order()
    return chain, chain.outsider, MsgCreateBid(chain.outsider.address, 1, 10)


def _bid_on_closed_order() -> tuple[TestChain, Actor, ProtoValue]:
    chain = with_lease()
    return chain, chain.p2, MsgCreateBid(chain.p2.address, 1, 10)


def _bid_twice() -> tuple[TestChain, Actor, ProtoValue]:
    chain = with_order("p1")
    return chain, chain.p1, MsgCreateBid(chain.p1.address, 1, 40)


def _bid_mismatch() -> tuple[TestChain, Actor, ProtoValue]:
    chain = start()
    ok(chain, chain.p1, register_msg(chain, "p1", gpu_class="ampere"))
    ok(chain, chain.tenant, deploy_msg(chain))
    return chain, chain.p1, MsgCreateBid(chain.p1.address, 1, 10)


def _bid_over_cap() -> tuple[TestChain, Actor, ProtoValue]:
    chain = with_order("p1", "p2", params=Params(max_bids_per_order=2))
    return chain, chain.p3, MsgCreateBid(chain.p3.address, 1, 10)


def _close_unknown_bid() -> tuple[TestChain, Actor, ProtoValue]:
    chain = with_order()
    return chain, chain.p1, MsgCloseBid(chain.p1.address, 1)


def _close_lost_bid() -> tuple[TestChain, Actor, ProtoValue]:
    chain = with_order("p2")
    ok(chain, chain.p1, MsgCreateBid(chain.p1.address, 1, 1))
    chain.block()  # p1 wins at h0 + 1, p2's bid is lost
    return chain, chain.p2, MsgCloseBid(chain.p2.address, 1)


def _close_deployment_of_other() -> tuple[TestChain, Actor, ProtoValue]:
    chain = with_order()
    return chain, chain.heavy, MsgCloseDeployment(chain.heavy.address, 1)


def _close_leased_deployment() -> tuple[TestChain, Actor, ProtoValue]:
    chain = with_lease()
    return chain, chain.tenant, MsgCloseDeployment(chain.tenant.address, 1)


def _close_unknown_deployment() -> tuple[TestChain, Actor, ProtoValue]:
    chain = start()
    return chain, chain.tenant, MsgCloseDeployment(chain.tenant.address, 7)


def _withdraw_unknown_lease() -> tuple[TestChain, Actor, ProtoValue]:
    chain = with_order("p1")
    return chain, chain.p1, MsgWithdrawLease(chain.p1.address, 1)


def _withdraw_by_other() -> tuple[TestChain, Actor, ProtoValue]:
    chain = with_lease()
    return chain, chain.p2, MsgWithdrawLease(chain.p2.address, 1)


def _close_lease_by_other() -> tuple[TestChain, Actor, ProtoValue]:
    chain = with_lease()
    return chain, chain.p1, MsgCloseLease(chain.p1.address, 1)


def _withdraw_closed_lease() -> tuple[TestChain, Actor, ProtoValue]:
    chain = with_lease()
    ok(chain, chain.tenant, MsgCloseLease(chain.tenant.address, 1))
    return chain, chain.p1, MsgWithdrawLease(chain.p1.address, 1)


def _close_closed_lease() -> tuple[TestChain, Actor, ProtoValue]:
    chain = with_lease()
    ok(chain, chain.tenant, MsgCloseLease(chain.tenant.address, 1))
    return chain, chain.tenant, MsgCloseLease(chain.tenant.address, 1)


def _escrow_beyond_balance() -> tuple[TestChain, Actor, ProtoValue]:
    chain = start()
    spec = job(ceiling=10**9, duration=10**4)
    return chain, chain.tenant, MsgCreateDeployment(chain.tenant.address, spec, 10**13)


CASES: dict[str, tuple[Setup, type[DaitError]]] = {
    "zero price ceiling": (_deploy(price_ceiling_uDAIT=0), e.ErrInvalidAmount),
    "zero duration": (_deploy(duration_blocks=0), e.ErrInvalidAmount),
    "zero escrow": (_deploy(escrow_uDAIT=0), e.ErrInvalidAmount),
    "zero bid price": (_bid(0), e.ErrInvalidAmount),
    "ceiling x duration overflows": (
        _deploy(price_ceiling_uDAIT=2**40, duration_blocks=2**30, escrow_uDAIT=2**64 - 1),
        e.ErrAmountOverflow,
    ),
    "escrow one below ceiling x duration": (
        _deploy(escrow_uDAIT=50 * 3600 - 1),
        e.ErrEscrowBelowMaxCost,
    ),
    "unknown filter key": (
        _deploy(attributes=(Attribute("vram", "80"),)),
        e.ErrUnknownAttributeKey,
    ),
    "unknown provider attribute key": (
        _provider_msg(attributes=(Attribute("vram", "80"),)),
        e.ErrUnknownAttributeKey,
    ),
    "or-newer on an unordered key": (
        _deploy(attributes=(Attribute("region", "na-or-newer"),)),
        e.ErrInvalidAttribute,
    ),
    "provider gpu_class outside the ordered list": (
        _provider_msg(attributes=(Attribute("gpu_class", "mi300"),)),
        e.ErrInvalidAttribute,
    ),
    "empty model": (_deploy(model=""), e.ErrInvalidModel),
    "provider registered twice": (_exists, e.ErrProviderExists),
    "update of an unregistered provider": (_update_unknown, e.ErrProviderNotFound),
    "bid by an unregistered provider": (_bid_unregistered, e.ErrProviderNotFound),
    "capacity below active leases": (_capacity_below_leases, e.ErrCapacityBelowActiveLeases),
    "empty host_uri": (_provider_msg(host_uri=""), e.ErrInvalidHostUri),
    "host_uri with a space": (_provider_msg(host_uri="grpc://a b"), e.ErrInvalidHostUri),
    "tee_pubkey not a point": (
        _provider_msg(tee_pubkey=b"\x05" + bytes(32)),
        e.ErrInvalidTeePubkey,
    ),
    "bid on an unknown deployment": (_bid(10, deployment_id=9), e.ErrDeploymentNotFound),
    "close of an unknown deployment": (_close_unknown_deployment, e.ErrDeploymentNotFound),
    "bid on a settled order": (_bid_on_closed_order, e.ErrOrderNotOpen),
    "close of a leased deployment": (_close_leased_deployment, e.ErrOrderNotOpen),
    "second bid by one provider": (_bid_twice, e.ErrBidExists),
    "close of a bid never made": (_close_unknown_bid, e.ErrBidNotFound),
    "bid above the ceiling": (_bid(51), e.ErrBidAboveCeiling),
    "bid by a non-matching provider": (_bid_mismatch, e.ErrAttributesMismatch),
    "bid beyond max_bids_per_order": (_bid_over_cap, e.ErrTooManyBids),
    "close of a lost bid": (_close_lost_bid, e.ErrBidNotOpen),
    "withdraw before any lease": (_withdraw_unknown_lease, e.ErrLeaseNotFound),
    "withdraw from a closed lease": (_withdraw_closed_lease, e.ErrLeaseNotActive),
    "close of a closed lease": (_close_closed_lease, e.ErrLeaseNotActive),
    "withdraw by another provider": (_withdraw_by_other, ErrUnauthorized),
    "lease closed by its provider": (_close_lease_by_other, ErrUnauthorized),
    "deployment closed by another account": (_close_deployment_of_other, ErrUnauthorized),
    "escrow beyond the tenant's balance": (_escrow_beyond_balance, ErrInsufficientFunds),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_message_changes_nothing_but_fee_and_sequence(case: str) -> None:
    setup, error = CASES[case]
    refusal_leaves_no_trace(setup, error)


def test_every_registered_tx_error_has_a_case() -> None:
    """Codes 7..27 can be raised by a message; each is triggered above."""
    from dait_chain.errors import registered_errors

    tx_codes = {
        info.code
        for info in registered_errors()
        if info.codespace == "compute_market" and 7 <= info.code <= 27
    }
    covered = {err.code for _, err in CASES.values() if err.codespace == "compute_market"}
    assert tx_codes == covered
