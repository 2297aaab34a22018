"""x/pouw read queries (specs/pouw.md §9): decayed to the query height, nothing written."""

from __future__ import annotations

from dait_chain.math import LegacyDec
from dait_chain.x.pouw.keeper import commit_hash_of
from dait_chain.x.pouw.module import PouwModule
from dait_chain.x.pouw.queries import PouwQueries
from dait_chain.x.pouw.simulation import PouwWorld
from dait_chain.x.pouw.types import MsgReportAudit, MsgRevealReceipt, MsgSetCreditTarget

from .scene import make_world, ok


def queries(world: PouwWorld) -> PouwQueries:
    module = world.app.module("pouw")
    assert isinstance(module, PouwModule)
    return module.queries()


def test_queries_report_credits_targets_effective_stake_commits_and_audits() -> None:
    world = make_world()
    host = world.hosts[0]
    smallest = world.validators[3]  # power 1000
    ok(
        world.block(
            [world.sign(host.party, (MsgSetCreditTarget(host.party.address, smallest.address),))]
        )
    )
    audit = MsgReportAudit(world.auditor.address, host.party.address, False)
    ok(world.block([world.sign(world.auditor, (audit,))]))
    receipt, evidence = world.job(host, [2_000])
    ok(world.block([world.commit_tx(host, receipt)]))
    q = queries(world)
    before = world.app.state_pairs()
    ctx = world.app.query_context()
    pending = q.commit(ctx, host.party.address, commit_hash_of(receipt.encode()))
    assert pending is not None and pending.commit_height == world.app.height
    counter = q.audit_counter(ctx, host.party.address)
    assert (counter.counter.audits, counter.counter.failures, counter.audit_fail_rate) == (
        1,
        0,
        "0.000000000000000000",
    )
    assert q.params(ctx).commit_reveal_window == 5
    assert [m.model_id for m in q.models(ctx)] == [world.model_id]
    assert q.model(ctx, "nope") is None
    assert world.app.state_pairs() == before  # queries write nothing

    ok(
        world.block(
            [world.sign(host.party, (MsgRevealReceipt(host.party.address, receipt, evidence),))]
        )
    )
    ctx = world.app.query_context()
    credits = q.credits(ctx, host.party.address)
    assert credits.validator == smallest.address and credits.height == world.app.height
    held = LegacyDec.from_str(credits.credits)
    assert abs(held.raw - LegacyDec.from_int(2_000).raw) <= 2  # §5.3 read-back
    vc = q.validator_credits(ctx, smallest.address)
    assert (vc.credits, vc.host_count) == (credits.credits, 1)
    eff = q.effective_stake(ctx, smallest.address)
    # ratio = ~2000 / 1000 = ~2 (below K = 4): effective = 1000 x (1 + ratio)
    assert eff.stake == 1_000
    expected = LegacyDec.one().add(held.quo_int64(1_000)).mul_int64(1_000)
    assert eff.effective_stake == str(expected)
    outsider = q.effective_stake(ctx, world.user.address)
    assert (outsider.stake, outsider.effective_stake) == (0, "0.000000000000000000")


def test_credits_are_soulbound_by_construction() -> None:
    """Seed 003: "Soulbound credits (no bank seam exists by construction)": the pouw keeper
    holds no bank keeper and x/pouw has no module account, so no pouw code path can move
    coins; its messages never name a second account that credits could move to."""
    from dait_chain.crypto.address import module_address
    from dait_chain.x.bank.keeper import BankKeeper

    world = make_world()
    keeper = world.keeper
    assert not [v for v in vars(keeper).values() if isinstance(v, BankKeeper)]
    assert world.app.auth.account(world.app.query_context(), module_address("pouw")) is None
    module = world.app.module("pouw")
    for msg_type in module.msg_handlers():
        names = set(msg_type.__dataclass_fields__)
        assert not names & {"to", "to_address", "recipient", "amount"}, msg_type
