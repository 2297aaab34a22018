"""Scenario actions for x/pouw: commit and reveal receipts, point credits at a validator.

specs/harness.md "Actions". A host commits to a job (MsgCommitReceipt: the hash of a pouw
Receipt over SPUR-IC receipts of consecutive calls on one of its channels) and later
reveals it with that evidence (MsgRevealReceipt); x/tee_attest checks the evidence, so the
chain's genesis must trust the simulated vendor's root and register the model (see
scenarios/pouw.yaml). The evidence is built by x/pouw.simulation.evidence_receipts, signed
with the host's simulated TEE key. Names already registered by x/pouw's own
simulation.py are left to it.
"""

from __future__ import annotations

from dait_chain.sim.actions import ActionContext, get_action, register_action
from dait_chain.sim.plugins.state_channel import CHANNEL, ChannelRef
from dait_chain.spurc.simworld import sim_host_identity
from dait_chain.x.pouw.keeper import commit_hash_of
from dait_chain.x.pouw.simulation import evidence_receipts, job_receipt
from dait_chain.x.pouw.types import MsgCommitReceipt, MsgRevealReceipt, MsgSetCreditTarget

JOB = "pouw_job"  # (JOB, name) -> (host actor, Receipt, evidence)
NEXT_CALL = "pouw_next_call"  # (NEXT_CALL, channel name) -> the next call_seq to use


def compile_commit(ctx: ActionContext) -> None:
    """pouw_commit {name, channel, tokens_out: [n, ...]}: the channel's host commits to a
    job of one call per entry (call_seq continuing on the channel)."""
    name = ctx.str_arg("name")
    channel_name = ctx.str_arg("channel")
    ref = ctx.recall(CHANNEL, channel_name, "channel")
    assert isinstance(ref, ChannelRef)
    if ref.channel_id is None:
        raise ctx.fail(f"channel {channel_name!r} was not opened", "channel")
    tokens = ctx.arg("tokens_out", None)
    if (
        not isinstance(tokens, list)
        or not tokens
        or not all(isinstance(t, int) and not isinstance(t, bool) and t > 0 for t in tokens)
    ):
        raise ctx.fail("tokens_out: a non-empty list of positive integers", "tokens_out")
    first = ctx.world.objects.get((NEXT_CALL, channel_name), 1)
    assert isinstance(first, int)
    ctx.remember(NEXT_CALL, channel_name, first + len(tokens))
    identity = sim_host_identity(ref.host.key_seed, model_id=ref.model_id)
    evidence = evidence_receipts(identity, ref.channel_id, first, tokens, ctx.time_ms)
    receipt = job_receipt(ref.host.address, ref.model_id, evidence, ctx.app.height)
    ctx.remember(JOB, name, (ref.host, receipt, evidence))
    msg = MsgCommitReceipt(ref.host.address, commit_hash_of(receipt.encode()), 0)
    ctx.submit(ref.host, msg)


def compile_reveal(ctx: ActionContext) -> None:
    """pouw_reveal {job}: the host reveals a committed job with its evidence."""
    host, receipt, evidence = ctx.recall(JOB, ctx.str_arg("job"), "job")
    ctx.submit(host, MsgRevealReceipt(host.address, receipt, tuple(evidence)))


def compile_credit_target(ctx: ActionContext) -> None:
    """set_credit_target {host, validator}: point the host's credits at a validator
    ("" for none)."""
    host = ctx.actor_arg("host")
    validator = ctx.str_arg("validator")
    target = "" if validator == "" else ctx.address_arg("validator")
    ctx.submit(host, MsgSetCreditTarget(host.address, target))


for _name, _compiler, _summary in (
    ("pouw_commit", compile_commit, "pouw_commit {name, channel, tokens_out: [...]}"),
    ("pouw_reveal", compile_reveal, "pouw_reveal {job}"),
    ("set_credit_target", compile_credit_target, "set_credit_target {host, validator}"),
):
    if get_action(_name) is None:
        register_action(_name, _compiler, module="pouw", summary=_summary)
