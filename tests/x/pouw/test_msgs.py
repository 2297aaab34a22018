"""x/pouw messages through real signed txs in blocks (specs/pouw.md §8).

Every refusal test sends the bad tx in a block and checks, with `assert_refused`, that it
fails with exactly its registered error, that the exported state equals the state before
plus the fee and the sequence bump, and that no module event was emitted.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from dait_chain.app.errors import ErrInvalidAddress
from dait_chain.crypto.hashing import sha256
from dait_chain.spurc.attestation import SimVendor
from dait_chain.spurc.simworld import ROGUE_VENDOR_SEED, sim_host_identity
from dait_chain.x.pouw.errors import (
    ErrChannelHostMismatch,
    ErrChannelModelMismatch,
    ErrChannelNotFound,
    ErrCommitExists,
    ErrCommitHeightAfterCommit,
    ErrCommitNotFound,
    ErrCreditOverflow,
    ErrCreditTargetUnchanged,
    ErrEvidenceCount,
    ErrEvidenceNotContiguous,
    ErrInvalidModel,
    ErrInvalidParams,
    ErrJobAlreadyCredited,
    ErrJobIdMismatch,
    ErrModelHashMismatch,
    ErrModelNotApproved,
    ErrNotAuditor,
    ErrReceiptHostMismatch,
    ErrRevealByMismatch,
    ErrRevealTooEarly,
    ErrTeeAttestedMismatch,
    ErrTokensOutMismatch,
    ErrUnauthorized,
    ErrUnknownModel,
    ErrUnknownValidator,
)
from dait_chain.x.pouw.keeper import commit_hash_of, job_id_for
from dait_chain.x.pouw.params import DEFAULT_HALF_LIFE_BLOCKS, Params
from dait_chain.x.pouw.simulation import (
    HostState,
    PouwWorld,
    evidence_receipts,
    job_receipt,
    party,
)
from dait_chain.x.pouw.types import (
    GenesisState,
    HostCredits,
    Model,
    MsgCommitReceipt,
    MsgRegisterModel,
    MsgReportAudit,
    MsgRevealReceipt,
    MsgSetCreditTarget,
    MsgUpdateParams,
    Receipt,
    SpurcReceipt,
)
from dait_chain.x.state_channel.rules import derive_channel_id
from dait_chain.x.state_channel.types import MsgOpenChannel

from .scene import (
    AUDIT_WINDOW,
    WINDOW,
    assert_refused,
    events,
    make_world,
    ok,
    short_params,
)

HL = DEFAULT_HALF_LIFE_BLOCKS


def commit(world: PouwWorld, host: HostState, receipt: Receipt) -> int:
    """Commit in the next block; returns that block's height."""
    ok(world.block([world.commit_tx(host, receipt)]))
    return world.app.height


def reveal_msg(
    host: HostState, receipt: Receipt, evidence: tuple[SpurcReceipt, ...]
) -> MsgRevealReceipt:
    return MsgRevealReceipt(host.party.address, receipt, evidence)


def credits_of(world: PouwWorld, address: str) -> str:
    return str(world.keeper.get_decayed_credits(world.app.query_context(), address))


def read_back(credit: Fraction, height: int) -> Fraction:
    """What a fresh balance credited `credit` at `height` reads at `height` (specs §5.3):
    gross-up g = trunc(c * 2HL / (2HL - r)), read = g - trunc(g * r / 2HL), r = height % HL."""
    scale = 10**18
    r = height % HL
    c = int(credit * scale)
    g = c * 2 * HL // (2 * HL - r) if r else c
    return Fraction(g - g * r // (2 * HL), scale)


# --- MsgCommitReceipt (specs §8.1) ---------------------------------------------------------


def test_commit_persists_with_reveal_by_height_block_plus_window() -> None:
    """Seed 003 step 2: reveal_by_height = ctx.BlockHeight() + Params.commit_reveal_window."""
    world = make_world()
    host = world.hosts[0]
    receipt, _ = world.job(host, [10])
    result = ok(world.block([world.commit_tx(host, receipt)]))
    h = world.app.height
    [event] = events(result, "ReceiptCommitted")
    assert event["commit_height"] == str(h)
    assert event["reveal_by_height"] == str(h + WINDOW)
    assert event["source"] == "tx"
    stored = world.keeper.commits.get(
        world.app.query_context(), (host.party.address, commit_hash_of(receipt.encode()))
    )
    assert stored is not None and stored.reveal_by_height == h + WINDOW


def test_commit_naming_the_computed_reveal_by_height_is_accepted() -> None:
    world = make_world()
    host = world.hosts[0]
    h = world.app.height + 1
    msg = MsgCommitReceipt(host.party.address, sha256(b"x"), h + WINDOW)
    ok(world.block([world.sign(host.party, (msg,))]))


def test_commit_with_another_reveal_by_height_is_refused() -> None:
    world = make_world()
    host = world.hosts[0]
    h = world.app.height + 1
    msg = MsgCommitReceipt(host.party.address, sha256(b"x"), h + WINDOW + 1)
    assert_refused(world, host.party, (msg,), ErrRevealByMismatch)


def test_second_commit_of_a_pending_hash_is_refused() -> None:
    world = make_world()
    host = world.hosts[0]
    msg = MsgCommitReceipt(host.party.address, sha256(b"x"), 0)
    ok(world.block([world.sign(host.party, (msg,))]))
    assert_refused(world, host.party, (msg,), ErrCommitExists)


# --- MsgRevealReceipt: the credit (specs §5.1, §8.2) ---------------------------------------------


def test_reveal_credits_tokens_out_times_weight_and_emits_the_seed_factors() -> None:
    """Seed 003: credit = tokens_out x model_weight x tee_attested x (1 - rate); weight 1,
    attested, no audits: the credit is the evidence's 40 + 60 tokens."""
    world = make_world()
    host = world.hosts[0]
    receipt, evidence = world.job(host, [40, 60])
    commit(world, host, receipt)
    result = ok(world.block([world.sign(host.party, (reveal_msg(host, receipt, evidence),))]))
    [event] = events(result, "ReceiptRevealed")
    assert event["credit"] == "100.000000000000000000"
    assert event["tokens_out"] == "100"
    assert event["tee_attested"] == "true"
    assert event["model_weight"] == "1.000000000000000000"
    assert (event["audits"], event["failures"]) == ("0", "0")
    assert event["job_id"] == job_id_for(host.channel_id, 1).hex()
    expected = read_back(Fraction(100), world.app.height)
    assert Fraction(event["credits"]) == expected
    assert Fraction(credits_of(world, host.party.address)) == expected
    # The gross-up and read-back round by at most two ulps (specs §5.3).
    assert abs(expected - 100) <= Fraction(2, 10**18)


def test_reveal_consumes_the_commit_and_advances_the_channel_watermark() -> None:
    world = make_world()
    host = world.hosts[0]
    receipt, evidence = world.job(host, [1, 2, 3])
    commit(world, host, receipt)
    ok(world.block([world.sign(host.party, (reveal_msg(host, receipt, evidence),))]))
    ctx = world.app.query_context()
    assert not world.keeper.is_pending(ctx, host.party.address, commit_hash_of(receipt.encode()))
    mark = world.keeper.watermarks.get(ctx, host.channel_id)
    assert mark is not None and mark.last_credited_call_seq == 3


def test_credit_is_reduced_by_the_audit_fail_rate() -> None:
    """One failed audit in two: credit = 100 x (1 - 1/2) = 50."""
    world = make_world()
    host = world.hosts[0]
    report = [
        world.sign(world.auditor, (MsgReportAudit(world.auditor.address, host.party.address, f),))
        for f in (True, False)
    ]
    ok(world.block(report))
    receipt, evidence = world.job(host, [100])
    commit(world, host, receipt)
    result = ok(world.block([world.sign(host.party, (reveal_msg(host, receipt, evidence),))]))
    [event] = events(result, "ReceiptRevealed")
    assert (event["audits"], event["failures"], event["credit"]) == (
        "2",
        "1",
        "50.000000000000000000",
    )


def test_unattested_job_claimed_unattested_is_credited_zero_and_consumed() -> None:
    """Seed 003: tee_attested_j is 0 when x/tee_attest does not validate the attestation;
    a quote from an untrusted vendor gives credit 0, and the calls are spent."""
    world = make_world()
    host = world.hosts[0]
    rogue = sim_host_identity(host.party.name, vendor=SimVendor.from_seed(ROGUE_VENDOR_SEED))
    evidence = evidence_receipts(rogue, host.channel_id, 1, [50], world.app.time_ms)
    receipt = replace(
        job_receipt(host.party.address, world.model_id, evidence, world.app.height),
        tee_attested=False,
    )
    commit(world, host, receipt)
    result = ok(world.block([world.sign(host.party, (reveal_msg(host, receipt, evidence),))]))
    [event] = events(result, "ReceiptRevealed")
    assert (event["tee_attested"], event["credit"]) == ("false", "0.000000000000000000")
    mark = world.keeper.watermarks.get(world.app.query_context(), host.channel_id)
    assert mark is not None and mark.last_credited_call_seq == 1


# --- the reveal window (specs §8.2, D6) ------------------------------------------------------


def _committed_world() -> tuple[PouwWorld, HostState, Receipt, tuple[SpurcReceipt, ...], int]:
    world = make_world()
    host = world.hosts[0]
    receipt, evidence = world.job(host, [7])
    c = commit(world, host, receipt)
    return world, host, receipt, evidence, c


def _advance_to(world: PouwWorld, height: int) -> None:
    while world.app.height < height:
        ok(world.block())


def test_reveal_in_the_block_after_the_commit_is_accepted() -> None:
    world, host, receipt, evidence, c = _committed_world()
    result = ok(world.block([world.sign(host.party, (reveal_msg(host, receipt, evidence),))]))
    assert world.app.height == c + 1
    assert events(result, "ReceiptRevealed")


def test_reveal_one_block_before_reveal_by_height_is_accepted() -> None:
    world, host, receipt, evidence, c = _committed_world()
    _advance_to(world, c + WINDOW - 2)
    ok(world.block([world.sign(host.party, (reveal_msg(host, receipt, evidence),))]))
    assert world.app.height == c + WINDOW - 1


def test_reveal_at_reveal_by_height_is_accepted() -> None:
    world, host, receipt, evidence, c = _committed_world()
    _advance_to(world, c + WINDOW - 1)
    result = ok(world.block([world.sign(host.party, (reveal_msg(host, receipt, evidence),))]))
    assert world.app.height == c + WINDOW
    assert events(result, "ReceiptRevealed")
    assert not events(result, "ReceiptCommitExpired")


def test_commit_expires_in_the_end_block_of_reveal_by_height() -> None:
    world, _host, receipt, _, c = _committed_world()
    _advance_to(world, c + WINDOW - 1)
    result = ok(world.block())
    [event] = events(result, "ReceiptCommitExpired")
    assert event["reveal_by_height"] == str(c + WINDOW)
    assert event["commit_hash"] == commit_hash_of(receipt.encode()).hex()


def test_reveal_one_block_after_reveal_by_height_is_refused() -> None:
    world, host, receipt, evidence, c = _committed_world()
    _advance_to(world, c + WINDOW)
    assert_refused(world, host.party, (reveal_msg(host, receipt, evidence),), ErrCommitNotFound)
    assert world.app.height == c + WINDOW + 1


def test_reveal_in_the_commits_own_block_is_refused() -> None:
    """Two identical worlds: one runs [commit, reveal], the other [commit]; the first
    must end as the second plus the reveal's fee and sequence bump."""
    twin = make_world()
    world = make_world()
    host, twin_host = world.hosts[0], twin.hosts[0]
    receipt, evidence = world.job(host, [7])
    twin_receipt, _ = twin.job(twin_host, [7])
    assert twin_receipt == receipt
    ok(twin.block([twin.commit_tx(twin_host, receipt)]))
    result = world.block(
        [
            world.commit_tx(host, receipt),
            world.sign(host.party, (reveal_msg(host, receipt, evidence),)),
        ]
    )
    first, second = result.tx_results
    assert first.ok
    assert (second.codespace, second.code) == (ErrRevealTooEarly.codespace, ErrRevealTooEarly.code)
    from .scene import body, expected_after_refusal

    assert body(world.app.export_genesis()) == body(
        expected_after_refusal(twin.app.export_genesis(), host.party)
    )
    assert {e.type for e in second.events} <= {"coin_spent", "coin_received", "transfer", "tx"}


# --- MsgRevealReceipt: refusals, in check order (specs §8.2) -------------------------------------


def test_reveal_of_another_hosts_receipt_is_refused() -> None:
    world = make_world()
    host, other = world.hosts
    receipt, evidence = world.job(other, [5])
    msg = MsgRevealReceipt(host.party.address, receipt, evidence)
    assert_refused(world, host.party, (msg,), ErrReceiptHostMismatch)


def test_reveal_without_a_commit_is_refused() -> None:
    world = make_world()
    host = world.hosts[0]
    receipt, evidence = world.job(host, [5])
    assert_refused(world, host.party, (reveal_msg(host, receipt, evidence),), ErrCommitNotFound)


def test_reveal_whose_commit_height_is_after_the_commit_is_refused() -> None:
    world = make_world()
    host = world.hosts[0]
    receipt, evidence = world.job(host, [5])
    future = replace(receipt, commit_height=world.app.height + 2)
    commit(world, host, future)
    msg = reveal_msg(host, future, evidence)
    assert_refused(world, host.party, (msg,), ErrCommitHeightAfterCommit)


def test_reveal_for_an_unregistered_model_is_refused() -> None:
    world = make_world()
    host = world.hosts[0]
    receipt, evidence = world.job(host, [5])
    receipt = replace(receipt, model_id="not-registered")
    commit(world, host, receipt)
    assert_refused(world, host.party, (reveal_msg(host, receipt, evidence),), ErrUnknownModel)


def _register(world: PouwWorld, model: Model) -> None:
    msg = MsgRegisterModel(
        world.gov.address, model.model_id, model.weight, model.approved, model.model_hash
    )
    ok(world.block([world.sign(world.gov, (msg,))]))


def test_reveal_for_an_unapproved_model_is_refused() -> None:
    world = make_world()
    host = world.hosts[0]
    _register(world, Model("shelved-model", "2.000000000000000000", False, sha256(b"shelved")))
    receipt, evidence = world.job(host, [5])
    receipt = replace(receipt, model_id="shelved-model")
    commit(world, host, receipt)
    assert_refused(world, host.party, (reveal_msg(host, receipt, evidence),), ErrModelNotApproved)


def test_reveal_without_evidence_is_refused() -> None:
    world = make_world()
    host = world.hosts[0]
    receipt, _ = world.job(host, [5])
    commit(world, host, receipt)
    assert_refused(world, host.party, (reveal_msg(host, receipt, ()),), ErrEvidenceCount)


def test_reveal_with_more_evidence_than_the_param_is_refused() -> None:
    params = replace(short_params([party("pouw-auditor").address]), max_evidence_per_reveal=2)
    world = make_world(params=params)
    host = world.hosts[0]
    receipt, evidence = world.job(host, [1, 1, 1])
    commit(world, host, receipt)
    assert_refused(world, host.party, (reveal_msg(host, receipt, evidence),), ErrEvidenceCount)


def test_reveal_with_a_gap_in_call_seq_is_refused() -> None:
    world = make_world()
    host = world.hosts[0]
    first = evidence_receipts(host.identity, host.channel_id, 1, [5], world.app.time_ms)
    third = evidence_receipts(host.identity, host.channel_id, 3, [5], world.app.time_ms)
    evidence = (*first, *third)
    receipt = job_receipt(host.party.address, world.model_id, evidence, world.app.height)
    commit(world, host, receipt)
    msg = reveal_msg(host, receipt, evidence)
    assert_refused(world, host.party, (msg,), ErrEvidenceNotContiguous)


def test_reveal_with_another_job_id_is_refused() -> None:
    world = make_world()
    host = world.hosts[0]
    receipt, evidence = world.job(host, [5])
    receipt = replace(receipt, job_id=sha256(b"my own job id"))
    commit(world, host, receipt)
    assert_refused(world, host.party, (reveal_msg(host, receipt, evidence),), ErrJobIdMismatch)


def test_reveal_with_evidence_from_an_unknown_channel_is_refused() -> None:
    world = make_world()
    host = world.hosts[0]
    unknown = sha256(b"no such channel")
    evidence = evidence_receipts(host.identity, unknown, 1, [5], world.app.time_ms)
    receipt = job_receipt(host.party.address, world.model_id, evidence, world.app.height)
    commit(world, host, receipt)
    msg = reveal_msg(host, receipt, evidence)
    assert_refused(world, host.party, (msg,), ErrChannelNotFound)


def test_reveal_with_evidence_from_another_hosts_channel_is_refused() -> None:
    world = make_world()
    host, other = world.hosts
    evidence = evidence_receipts(other.identity, other.channel_id, 1, [5], world.app.time_ms)
    receipt = job_receipt(host.party.address, world.model_id, evidence, world.app.height)
    commit(world, host, receipt)
    msg = reveal_msg(host, receipt, evidence)
    assert_refused(world, host.party, (msg,), ErrChannelHostMismatch)


def test_reveal_with_evidence_from_a_channel_of_another_model_is_refused() -> None:
    world = make_world()
    host = world.hosts[0]
    seq = world.app.module("state_channel").keeper.next_sequence(  # type: ignore[attr-defined]
        world.app.query_context(), world.user.address
    )
    channel = derive_channel_id(world.app.chain_id, world.user.address, host.party.address, seq)
    deadline = world.app.time_ms + 86_400_000
    opening = MsgOpenChannel(
        world.user.address, host.party.address, "other-model", 100, deadline, 1_000_000
    )
    ok(world.block([world.sign(world.user, (opening,))]))
    evidence = evidence_receipts(host.identity, channel, 1, [5], world.app.time_ms)
    receipt = job_receipt(host.party.address, world.model_id, evidence, world.app.height)
    commit(world, host, receipt)
    msg = reveal_msg(host, receipt, evidence)
    assert_refused(world, host.party, (msg,), ErrChannelModelMismatch)


def test_reveal_with_evidence_of_other_weights_is_refused() -> None:
    world = make_world()
    host = world.hosts[0]
    evidence = evidence_receipts(
        host.identity, host.channel_id, 1, [5], world.app.time_ms, model_hash=sha256(b"tiny")
    )
    receipt = job_receipt(host.party.address, world.model_id, evidence, world.app.height)
    commit(world, host, receipt)
    msg = reveal_msg(host, receipt, evidence)
    assert_refused(world, host.party, (msg,), ErrModelHashMismatch)


def test_second_reveal_of_the_same_job_is_refused() -> None:
    """decisions.md: "A revealed job is credited once; a second reveal of the same job is
    rejected": the host commits the same evidence again (a new commit_height makes a new
    hash) and reveals it."""
    world = make_world()
    host = world.hosts[0]
    receipt, evidence = world.job(host, [5])
    commit(world, host, receipt)
    ok(world.block([world.sign(host.party, (reveal_msg(host, receipt, evidence),))]))
    again = replace(receipt, commit_height=world.app.height)
    commit(world, host, again)
    msg = reveal_msg(host, again, evidence)
    assert_refused(world, host.party, (msg,), ErrJobAlreadyCredited)


def test_reveal_whose_tokens_out_disagree_with_the_evidence_is_refused() -> None:
    """decisions.md: "tokens_out must agree with the evidence"."""
    world = make_world()
    host = world.hosts[0]
    receipt, evidence = world.job(host, [5, 6])
    receipt = replace(receipt, tokens_out=12)
    commit(world, host, receipt)
    msg = reveal_msg(host, receipt, evidence)
    assert_refused(world, host.party, (msg,), ErrTokensOutMismatch)


def test_reveal_claiming_attestation_for_an_untrusted_quote_is_refused() -> None:
    """decisions.md: "tee_attested is computed, not trusted"."""
    world = make_world()
    host = world.hosts[0]
    rogue = sim_host_identity(host.party.name, vendor=SimVendor.from_seed(ROGUE_VENDOR_SEED))
    evidence = evidence_receipts(rogue, host.channel_id, 1, [50], world.app.time_ms)
    receipt = job_receipt(host.party.address, world.model_id, evidence, world.app.height)
    commit(world, host, receipt)
    msg = reveal_msg(host, receipt, evidence)
    assert_refused(world, host.party, (msg,), ErrTeeAttestedMismatch)


def test_reveal_disclaiming_a_valid_attestation_is_refused() -> None:
    world = make_world()
    host = world.hosts[0]
    receipt, evidence = world.job(host, [5])
    receipt = replace(receipt, tee_attested=False)
    commit(world, host, receipt)
    msg = reveal_msg(host, receipt, evidence)
    assert_refused(world, host.party, (msg,), ErrTeeAttestedMismatch)


def test_reveal_that_would_pass_max_credits_is_refused() -> None:
    """A host already at 2^128 - 1 credits (imported at genesis) cannot be credited more."""
    world_probe = make_world()
    host_address = world_probe.hosts[0].party.address
    top = HostCredits(host_address, f"{2**128 - 1}.000000000000000000", 0, "")
    pouw = GenesisState(
        short_params([party("pouw-auditor").address]),
        models=(
            Model(
                world_probe.model_id,
                "1.000000000000000000",
                True,
                world_probe.hosts[0].identity.terms.model_hash,
            ),
        ),
        hosts=(top,),
    )
    world = make_world(extra_sections={"pouw": pouw.to_json()})
    host = world.hosts[0]
    receipt, evidence = world.job(host, [5])
    commit(world, host, receipt)
    assert_refused(world, host.party, (reveal_msg(host, receipt, evidence),), ErrCreditOverflow)


# --- MsgSetCreditTarget (specs §8.3) -----------------------------------------------------------


def test_setting_a_credit_target_moves_the_hosts_credits_to_the_validator() -> None:
    world = make_world()
    host = world.hosts[0]
    receipt, evidence = world.job(host, [100])
    commit(world, host, receipt)
    ok(world.block([world.sign(host.party, (reveal_msg(host, receipt, evidence),))]))
    validator = world.validators[2].address
    msg = MsgSetCreditTarget(host.party.address, validator)
    result = ok(world.block([world.sign(host.party, (msg,))]))
    [event] = events(result, "CreditTargetSet")
    assert (event["validator"], event["previous_validator"]) == (validator, "")
    ctx = world.app.query_context()
    assert world.keeper.get_validator_credits(ctx, validator) == world.keeper.get_decayed_credits(
        ctx, host.party.address
    )


def test_credit_target_must_be_a_validator() -> None:
    world = make_world()
    host = world.hosts[0]
    msg = MsgSetCreditTarget(host.party.address, world.user.address)
    assert_refused(world, host.party, (msg,), ErrUnknownValidator)


def test_credit_target_must_be_an_address() -> None:
    world = make_world()
    host = world.hosts[0]
    msg = MsgSetCreditTarget(host.party.address, "validator-7")
    assert_refused(world, host.party, (msg,), ErrInvalidAddress)


def test_credit_target_unchanged_is_refused() -> None:
    world = make_world()
    host = world.hosts[0]
    assert_refused(
        world, host.party, (MsgSetCreditTarget(host.party.address, ""),), ErrCreditTargetUnchanged
    )


# --- audits (specs §6) ----------------------------------------------------------------------


def test_audit_report_by_a_non_auditor_is_refused() -> None:
    world = make_world()
    host = world.hosts[0]
    msg = MsgReportAudit(host.party.address, host.party.address, False)
    assert_refused(world, host.party, (msg,), ErrNotAuditor)


def test_audit_report_about_a_malformed_host_is_refused() -> None:
    world = make_world()
    msg = MsgReportAudit(world.auditor.address, "host-9", True)
    assert_refused(world, world.auditor, (msg,), ErrInvalidAddress)


def _audit_then_credit_at(offset: int) -> dict[str, str]:
    """A failed audit at height a, then a reveal landing at a + offset; the reveal event."""
    world = make_world()
    host = world.hosts[0]
    audit = MsgReportAudit(world.auditor.address, host.party.address, True)
    ok(world.block([world.sign(world.auditor, (audit,))]))
    a = world.app.height
    _advance_to(world, a + offset - 2)
    receipt, evidence = world.job(host, [10])
    commit(world, host, receipt)
    result = ok(world.block([world.sign(host.party, (reveal_msg(host, receipt, evidence),))]))
    assert world.app.height == a + offset
    [event] = events(result, "ReceiptRevealed")
    return event


def test_audit_counts_in_the_last_block_of_its_window() -> None:
    """A result recorded at height a counts for the txs of blocks a .. a + W - 1."""
    event = _audit_then_credit_at(AUDIT_WINDOW - 1)
    assert (event["audits"], event["failures"], event["credit"]) == (
        "1",
        "1",
        "0.000000000000000000",
    )


def test_audit_no_longer_counts_at_the_end_of_its_window() -> None:
    """BeginBlock of a + W decrements the counter before that block's txs run."""
    event = _audit_then_credit_at(AUDIT_WINDOW)
    assert (event["audits"], event["failures"], event["credit"]) == (
        "0",
        "0",
        "10.000000000000000000",
    )


def test_audit_expiry_emits_its_event_in_begin_block() -> None:
    world = make_world()
    host = world.hosts[0]
    audit = MsgReportAudit(world.auditor.address, host.party.address, False)
    result = ok(world.block([world.sign(world.auditor, (audit,))]))
    [recorded] = events(result, "AuditRecorded")
    a = world.app.height
    assert recorded["expires_height"] == str(a + AUDIT_WINDOW)
    _advance_to(world, a + AUDIT_WINDOW - 1)
    result = ok(world.block())
    assert [e.type for e in result.begin_events if e.type == "AuditExpired"] == ["AuditExpired"]
    assert world.keeper.audit_counters.get(world.app.query_context(), host.party.address) is None


# --- governance (specs §8.5, §8.6) ------------------------------------------------------------


def test_register_model_by_a_non_authority_is_refused() -> None:
    world = make_world()
    host = world.hosts[0]
    msg = MsgRegisterModel(host.party.address, "m", "1.000000000000000000", True, sha256(b"m"))
    assert_refused(world, host.party, (msg,), ErrUnauthorized)


def test_register_model_with_a_non_canonical_weight_is_refused() -> None:
    world = make_world()
    msg = MsgRegisterModel(world.gov.address, "m", "1.5", True, sha256(b"m"))
    assert_refused(world, world.gov, (msg,), ErrInvalidModel)


def test_register_model_with_a_weight_above_the_bound_is_refused() -> None:
    world = make_world()
    msg = MsgRegisterModel(world.gov.address, "m", "1000000.000000000000000001", True, sha256(b"m"))
    assert_refused(world, world.gov, (msg,), ErrInvalidModel)


def test_register_model_with_a_spaced_id_is_refused() -> None:
    world = make_world()
    msg = MsgRegisterModel(
        world.gov.address, "my model", "1.000000000000000000", True, sha256(b"m")
    )
    assert_refused(world, world.gov, (msg,), ErrInvalidModel)


def test_registered_weight_scales_the_credit() -> None:
    world = make_world()
    host = world.hosts[0]
    model = Model(world.model_id, "2.500000000000000000", True, host.identity.terms.model_hash)
    _register(world, model)
    receipt, evidence = world.job(host, [4])
    commit(world, host, receipt)
    result = ok(world.block([world.sign(host.party, (reveal_msg(host, receipt, evidence),))]))
    [event] = events(result, "ReceiptRevealed")
    assert event["credit"] == "10.000000000000000000"


def test_update_params_by_a_non_authority_is_refused() -> None:
    world = make_world()
    host = world.hosts[0]
    msg = MsgUpdateParams(host.party.address, Params())
    assert_refused(world, host.party, (msg,), ErrUnauthorized)


def test_update_params_with_invalid_params_is_refused() -> None:
    world = make_world()
    msg = MsgUpdateParams(world.gov.address, Params(alpha="-1.000000000000000000"))
    assert_refused(world, world.gov, (msg,), ErrInvalidParams)


def test_update_params_cannot_change_the_half_life() -> None:
    """specs §14 D10: balances are anchored on the half-life grid fixed at genesis."""
    world = make_world()
    params = replace(world.keeper.get_params(world.app.query_context()), half_life_blocks=1_000)
    assert_refused(
        world, world.gov, (MsgUpdateParams(world.gov.address, params),), ErrInvalidParams
    )


def test_update_params_by_the_authority_replaces_them() -> None:
    world = make_world()
    params = replace(
        world.keeper.get_params(world.app.query_context()), alpha="0.500000000000000000"
    )
    result = ok(world.block([world.sign(world.gov, (MsgUpdateParams(world.gov.address, params),))]))
    assert events(result, "PouwParamsUpdated") == [
        {"authority": world.gov.address, "msg_index": "0"}
    ]
    assert world.keeper.get_params(world.app.query_context()) == params
