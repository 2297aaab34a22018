"""x/pouw keeper: credits, the model registry, commits, audits, the allocation override
(specs/pouw.md §4-§8).

Credits are soulbound by construction: they live in this module's store only, the
keeper holds no bank keeper, and no method moves a balance from one account to another
(a host's credits can only grow by its own reveals and shrink by decay).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from dait_chain.app.context import Context
from dait_chain.crypto.address import module_address
from dait_chain.crypto.hashing import sha256
from dait_chain.math import UINT64_MAX, LegacyDec, max_dec
from dait_chain.store.collections import (
    BytesKey,
    Item,
    Map,
    PairKey,
    ProtoValueCodec,
    Schema,
    StrKey,
    Uint64Key,
    Uint64Value,
)
from dait_chain.store.collections import (
    Sequence as StoreSequence,
)
from dait_chain.store.schedule import Schedule
from dait_chain.x.pouw import events as ev
from dait_chain.x.pouw.allocation import ValidatorWeight, allocate_by_effective_stake
from dait_chain.x.pouw.credits import (
    MAX_CREDITS,
    ZERO_BALANCE,
    Balance,
    checkpoint,
    credit_for_job,
    effective_stake_for,
    epoch_start,
    gross_up,
    read_balance,
)
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
    ErrJobAlreadyCredited,
    ErrJobIdMismatch,
    ErrModelHashMismatch,
    ErrModelNotApproved,
    ErrReceiptHostMismatch,
    ErrRevealByMismatch,
    ErrRevealTooEarly,
    ErrTeeAttestedMismatch,
    ErrTokensOutMismatch,
    ErrUnknownModel,
    ErrUnknownValidator,
)
from dait_chain.x.pouw.expected_keepers import (
    ActiveValidator,
    ChannelKeeper,
    StakingKeeper,
    TeeAttestKeeper,
)
from dait_chain.x.pouw.keys import (
    AUDIT_COUNTERS_PREFIX,
    AUDIT_EXPIRY_PREFIX,
    AUDITS_PREFIX,
    COMMIT_EXPIRY_PREFIX,
    COMMITS_PREFIX,
    HOST_CREDITS_PREFIX,
    MODELS_PREFIX,
    MODULE_NAME,
    NEXT_AUDIT_ID_PREFIX,
    PARAMS_PREFIX,
    VALIDATOR_CREDITS_PREFIX,
    VOTE_EXTENSIONS_ENABLE_HEIGHT_PREFIX,
    VOTER_HISTORY_PREFIX,
    WATERMARKS_PREFIX,
)
from dait_chain.x.pouw.params import Params, parse_canonical_dec
from dait_chain.x.pouw.types import (
    AuditCounter,
    AuditRecord,
    ChannelWatermark,
    Commit,
    HostCredits,
    Model,
    MsgRevealReceipt,
    SpurcReceipt,
    ValidatorCredits,
    Voter,
    VoterHistory,
    VoterSet,
)

# The module authority: the gov module account (Cosmos x/gov's address).
AUTHORITY: Final = module_address("gov")

CommitKey = tuple[str, bytes]
_DEFAULT_PARAMS: Final = Params()
_MEMO_SIZE: Final = 1024


def job_id_for(channel_id: bytes, first_call_seq: int) -> bytes:
    """sha256(channel_id || u64_be(first call_seq)): a job's id (specs §8.2 step 8, D8)."""
    return sha256(channel_id + first_call_seq.to_bytes(8, "big"))


def commit_hash_of(receipt_bytes: bytes) -> bytes:
    """Seed 003: commit_hash = sha256(canonicalize(Receipt{...}))."""
    return sha256(receipt_bytes)


def _hex(b: bytes) -> str:
    return b.hex()


def _bool(b: bool) -> str:
    return "true" if b else "false"


class PouwKeeper:
    """Store access and state transitions of x/pouw."""

    def __init__(
        self,
        staking: StakingKeeper,
        channels: ChannelKeeper,
        tee: TeeAttestKeeper,
        authority: str = AUTHORITY,
    ) -> None:
        # Cosmos keepers take their authority from app wiring; the default app's is the gov
        # module account, and a genesis `gov_authority` (specs/app.md §6) or a test app may
        # name an account whose key it holds (the app sets it again at InitChain).
        self.authority = authority
        self.staking = staking
        self.channels = channels
        self.tee = tee
        schema = Schema(MODULE_NAME)
        self.schema = schema
        self.params: Item[Params] = Item(schema, PARAMS_PREFIX, "params", ProtoValueCodec(Params))
        self.models: Map[str, Model] = Map(
            schema, MODELS_PREFIX, "models", StrKey, ProtoValueCodec(Model)
        )
        self.hosts: Map[str, HostCredits] = Map(
            schema, HOST_CREDITS_PREFIX, "host_credits", StrKey, ProtoValueCodec(HostCredits)
        )
        self.validator_credits: Map[str, ValidatorCredits] = Map(
            schema,
            VALIDATOR_CREDITS_PREFIX,
            "validator_credits",
            StrKey,
            ProtoValueCodec(ValidatorCredits),
        )
        self.commits: Map[CommitKey, Commit] = Map(
            schema, COMMITS_PREFIX, "commits", PairKey(StrKey, BytesKey), ProtoValueCodec(Commit)
        )
        self.commit_expiry: Schedule[CommitKey] = Schedule(
            schema, COMMIT_EXPIRY_PREFIX, "commit_expiry", PairKey(StrKey, BytesKey)
        )
        self.watermarks: Map[bytes, ChannelWatermark] = Map(
            schema, WATERMARKS_PREFIX, "watermarks", BytesKey, ProtoValueCodec(ChannelWatermark)
        )
        self.audits: Map[int, AuditRecord] = Map(
            schema, AUDITS_PREFIX, "audits", Uint64Key, ProtoValueCodec(AuditRecord)
        )
        self.audit_expiry: Schedule[int] = Schedule(
            schema, AUDIT_EXPIRY_PREFIX, "audit_expiry", Uint64Key
        )
        self.audit_counters: Map[str, AuditCounter] = Map(
            schema, AUDIT_COUNTERS_PREFIX, "audit_counters", StrKey, ProtoValueCodec(AuditCounter)
        )
        self.next_audit_id = StoreSequence(schema, NEXT_AUDIT_ID_PREFIX, "next_audit_id")
        # Memos of pure decodings, keyed on the stored bytes (cost only, never results).
        self._params_memo: tuple[bytes, Params] | None = None
        self._decs_memo: tuple[Params, tuple[LegacyDec, LegacyDec]] | None = None
        self._model_memo: dict[bytes, Model] = {}
        self.voter_history: Item[VoterHistory] = Item(
            schema, VOTER_HISTORY_PREFIX, "voter_history", ProtoValueCodec(VoterHistory)
        )
        self.vote_extensions_enable_height: Item[int] = Item(
            schema,
            VOTE_EXTENSIONS_ENABLE_HEIGHT_PREFIX,
            "vote_extensions_enable_height",
            Uint64Value,
        )

    # --- params and models (specs §3, §8.5, §8.6) -----------------------------------------

    def get_params(self, ctx: Context) -> Params:
        """The params (the defaults before genesis wrote any). Decoding is memoized on the
        stored bytes: a pure function of them, so the memo changes cost only."""
        raw = ctx.store.get(self.params.key)
        if raw is None:
            return _DEFAULT_PARAMS
        cached = self._params_memo
        if cached is not None and cached[0] == raw:
            return cached[1]
        params = Params.decode(raw)
        self._params_memo = (raw, params)
        return params

    def alpha_and_k(self, ctx: Context) -> tuple[LegacyDec, LegacyDec]:
        """alpha and K of the current params as LegacyDecs (memoized with the params)."""
        params = self.get_params(ctx)
        cached = self._decs_memo
        if cached is not None and cached[0] is params:
            return cached[1]
        decs = (params.alpha_dec(), params.k_dec())
        self._decs_memo = (params, decs)
        return decs

    def set_params(self, ctx: Context, params: Params) -> None:
        """Store validated params."""
        params.validate()
        self.params.set(ctx, params)

    def get_model(self, ctx: Context, model_id: str) -> Model | None:
        """A registry entry, or None (decoding memoized on the stored bytes)."""
        raw = ctx.store.get(self.models.store_key(model_id))
        if raw is None:
            return None
        model = self._model_memo.get(raw)
        if model is None:
            if len(self._model_memo) >= _MEMO_SIZE:
                self._model_memo.clear()
            model = Model.decode(raw)
            self._model_memo[raw] = model
        return model

    # --- balances (specs §5.3) ------------------------------------------------------------

    @staticmethod
    def _host_balance(record: HostCredits | None) -> Balance:
        if record is None:
            return ZERO_BALANCE
        return Balance(LegacyDec.from_str(record.credits), record.anchor_height)

    @staticmethod
    def _validator_balance(record: ValidatorCredits | None) -> Balance:
        if record is None:
            return ZERO_BALANCE
        return Balance(LegacyDec.from_str(record.credits), record.anchor_height)

    def get_decayed_credits(self, ctx: Context, host: str) -> LegacyDec:
        """GetDecayedCredits: the host's credits at ctx.height (specs §5.3)."""
        hl = self.get_params(ctx).half_life_blocks
        return read_balance(self._host_balance(self.hosts.get(ctx, host)), ctx.height, hl)

    def credit_target(self, ctx: Context, host: str) -> str:
        """The validator the host points at ("" for none)."""
        record = self.hosts.get(ctx, host)
        return "" if record is None else record.validator

    def get_validator_credits(self, ctx: Context, operator: str) -> LegacyDec:
        """credits_i: the validator's aggregate at ctx.height (specs §5.3)."""
        hl = self.get_params(ctx).half_life_blocks
        record = self.validator_credits.get(ctx, operator)
        return read_balance(self._validator_balance(record), ctx.height, hl)

    def _add_to_validator(
        self, ctx: Context, operator: str, add: LegacyDec, remove: LegacyDec, hosts: int
    ) -> None:
        """Checkpoint the aggregate, add `add`, take `remove` (clamped at 0), and move its
        host count by `hosts`; at host_count 0 the record is deleted (credits_i = 0)."""
        hl = self.get_params(ctx).half_life_blocks
        record = self.validator_credits.get(ctx, operator)
        balance = checkpoint(self._validator_balance(record), ctx.height, hl)
        count = (0 if record is None else record.host_count) + hosts
        if count <= 0:
            self.validator_credits.delete(ctx, operator)
            return
        credits = max_dec(balance.credits.add(add).sub(remove), LegacyDec.zero())
        anchor = epoch_start(ctx.height, hl)
        self.validator_credits.set(
            ctx, operator, ValidatorCredits(operator, str(credits), anchor, count)
        )

    def credit_host(self, ctx: Context, host: str, credit: LegacyDec) -> LegacyDec:
        """Add a job's credit to a host and to its target's aggregate (specs §5.3 "credit");
        returns the host's balance at ctx.height afterwards."""
        hl = self.get_params(ctx).half_life_blocks
        record = self.hosts.get(ctx, host)
        balance = checkpoint(self._host_balance(record), ctx.height, hl)
        added = gross_up(credit, ctx.height, hl)
        total = balance.credits.add(added)
        if total.gt(MAX_CREDITS):
            raise ErrCreditOverflow(f"{host}: {total}")
        validator = "" if record is None else record.validator
        anchor = epoch_start(ctx.height, hl)
        self.hosts.set(ctx, host, HostCredits(host, str(total), anchor, validator))
        if validator:
            self._add_to_validator(ctx, validator, added, LegacyDec.zero(), 0)
        return read_balance(Balance(total, anchor), ctx.height, hl)

    def set_credit_target(self, ctx: Context, host: str, validator: str) -> LegacyDec:
        """Point the host's credits at `validator` ("" = none) (specs §8.3, §5.3
        "retarget"); returns the host's balance that moved."""
        if validator and self.staking.validator(ctx, validator) is None:
            raise ErrUnknownValidator(validator)
        record = self.hosts.get(ctx, host)
        previous = "" if record is None else record.validator
        if validator == previous:
            raise ErrCreditTargetUnchanged(f"{host} -> {validator or 'none'}")
        hl = self.get_params(ctx).half_life_blocks
        balance = checkpoint(self._host_balance(record), ctx.height, hl)
        zero = LegacyDec.zero()
        if previous:
            self._add_to_validator(ctx, previous, zero, balance.credits, -1)
        if validator:
            self._add_to_validator(ctx, validator, balance.credits, zero, 1)
        if balance.credits.is_zero() and not validator:
            self.hosts.delete(ctx, host)
        else:
            anchor = epoch_start(ctx.height, hl)
            self.hosts.set(ctx, host, HostCredits(host, str(balance.credits), anchor, validator))
        ctx.events.emit(
            ev.EVENT_CREDIT_TARGET_SET,
            host=host,
            validator=validator,
            previous_validator=previous,
            credits=str(read_balance(balance, ctx.height, hl)),
        )
        return balance.credits

    # --- effective stake and allocation (specs §5.4, §5.5) --------------------------------

    def effective_stake(self, ctx: Context, operator: str, power: int) -> LegacyDec:
        """EffectiveStakeFor(power, credits_i) with the current params."""
        alpha, k = self.alpha_and_k(ctx)
        credits = self.get_validator_credits(ctx, operator)
        return effective_stake_for(power, credits, alpha, k)

    def allocate_tokens_override(
        self, ctx: Context, pool: LegacyDec, validators: Sequence[ActiveValidator]
    ) -> tuple[tuple[str, LegacyDec], ...]:
        """AllocateTokensOverride: the distribution allocator weighted by effective stake
        (specs §5.5); the remainder is left to x/distribution's community pool."""
        alpha, k = self.alpha_and_k(ctx)
        weights = [
            ValidatorWeight(v.operator, v.power, self.get_validator_credits(ctx, v.operator))
            for v in validators
        ]
        allocation = allocate_by_effective_stake(pool, weights, alpha, k)
        return allocation.rewards

    # --- commits (specs §8.1, §7.4) -------------------------------------------------------

    def is_pending(self, ctx: Context, host: str, commit_hash: bytes) -> bool:
        """Whether (host, commit_hash) is a pending commit."""
        return self.commits.has(ctx, (host, commit_hash))

    def record_commit(
        self, ctx: Context, host: str, commit_hash: bytes, force_included: bool
    ) -> Commit:
        """Store and schedule a commit at this height (seed 003 step 2)."""
        window = self.get_params(ctx).commit_reveal_window
        reveal_by = ctx.height + window
        if reveal_by > UINT64_MAX:
            raise ErrRevealByMismatch(f"height {ctx.height} + {window} overflows uint64")
        commit = Commit(host, commit_hash, ctx.height, reveal_by, force_included)
        self.commits.set(ctx, (host, commit_hash), commit)
        self.commit_expiry.add(ctx, reveal_by, (host, commit_hash))
        ctx.events.emit(
            ev.EVENT_COMMIT_RECORDED,
            host=host,
            commit_hash=_hex(commit_hash),
            commit_height=ctx.height,
            reveal_by_height=reveal_by,
            source=ev.SOURCE_VOTE_EXTENSIONS if force_included else ev.SOURCE_TX,
        )
        return commit

    def commit_receipt(
        self, ctx: Context, host: str, commit_hash: bytes, reveal_by_height: int
    ) -> Commit:
        """MsgCommitReceipt (specs §8.1)."""
        expected = ctx.height + self.get_params(ctx).commit_reveal_window
        if reveal_by_height not in (0, expected):
            raise ErrRevealByMismatch(f"got {reveal_by_height}, block gives {expected}")
        if self.is_pending(ctx, host, commit_hash):
            raise ErrCommitExists(f"{host} {commit_hash.hex()}")
        return self.record_commit(ctx, host, commit_hash, False)

    def prune_expired_commits(self, ctx: Context) -> None:
        """EndBlock: delete the commits whose reveal_by_height is this height or earlier
        (seed 003 "EndBlock commit-expiry pruning"; specs §8.2 reveal window)."""
        for key in self.commit_expiry.pop_due(ctx, ctx.height):
            commit = self.commits.get(ctx, key)
            self.commits.delete(ctx, key)
            if commit is not None:
                ctx.events.emit(
                    ev.EVENT_COMMIT_EXPIRED,
                    host=commit.host,
                    commit_hash=_hex(commit.commit_hash),
                    reveal_by_height=commit.reveal_by_height,
                )

    def next_commit_expiry(self, ctx: Context) -> int | None:
        """The earliest reveal_by_height of a pending commit."""
        return self.commit_expiry.next_due(ctx)

    # --- reveal (specs §8.2) --------------------------------------------------------------

    def reveal_receipt(self, ctx: Context, msg: MsgRevealReceipt) -> LegacyDec:
        """MsgRevealReceipt: check the receipt against its commit and its evidence, then
        credit the host (specs §8.2, checks in order); returns the credit."""
        params = self.get_params(ctx)
        receipt = msg.receipt
        signer = msg.signer
        height = ctx.height
        if receipt.host != signer:
            raise ErrReceiptHostMismatch(f"{receipt.host} != {signer}")
        commit_hash = commit_hash_of(receipt.encode())
        commit = self.commits.get(ctx, (signer, commit_hash))
        if commit is None or commit.reveal_by_height < height:
            raise ErrCommitNotFound(commit_hash.hex())
        if height <= commit.commit_height:
            raise ErrRevealTooEarly(f"commit height {commit.commit_height}")
        if receipt.commit_height > commit.commit_height:
            raise ErrCommitHeightAfterCommit(f"{receipt.commit_height} > {commit.commit_height}")
        model = self.get_model(ctx, receipt.model_id)
        if model is None:
            raise ErrUnknownModel(repr(receipt.model_id))
        if not model.approved:
            raise ErrModelNotApproved(repr(receipt.model_id))
        evidence = msg.evidence
        if not 1 <= len(evidence) <= params.max_evidence_per_reveal:
            raise ErrEvidenceCount(f"{len(evidence)} receipts")
        channel_id, first, last = _contiguous_run(evidence)
        if receipt.job_id != job_id_for(channel_id, first):
            raise ErrJobIdMismatch(receipt.job_id.hex())
        channel = self.channels.get_channel(ctx, channel_id)
        if channel is None:
            raise ErrChannelNotFound(channel_id.hex())
        if channel.state.host_addr != signer:
            raise ErrChannelHostMismatch(f"channel host {channel.state.host_addr}")
        if channel.state.model_id != receipt.model_id:
            raise ErrChannelModelMismatch(f"channel model {channel.state.model_id!r}")
        for e in evidence:
            if e.model_hash != model.model_hash:
                raise ErrModelHashMismatch(f"call {e.call_seq}: {e.model_hash.hex()}")
        watermark = self.watermarks.get(ctx, channel_id)
        credited_upto = 0 if watermark is None else watermark.last_credited_call_seq
        if first <= credited_upto:
            raise ErrJobAlreadyCredited(f"call {first} <= credited {credited_upto}")
        tokens = sum(e.tokens_out for e in evidence)
        if tokens != receipt.tokens_out:
            raise ErrTokensOutMismatch(f"evidence {tokens} != {receipt.tokens_out}")
        attested = all(self.tee.is_attested(ctx, e) for e in evidence)
        if attested != receipt.tee_attested:
            raise ErrTeeAttestedMismatch(f"computed {_bool(attested)}")
        counter = self.audit_counters.get(ctx, signer)
        audits, failures = (0, 0) if counter is None else (counter.audits, counter.failures)
        weight = parse_canonical_dec(model.weight, "weight")
        credit = credit_for_job(receipt.tokens_out, weight, attested, audits, failures)
        balance = self.credit_host(ctx, signer, credit)
        self.commits.delete(ctx, (signer, commit_hash))
        self.commit_expiry.remove(ctx, commit.reveal_by_height, (signer, commit_hash))
        self.watermarks.set(ctx, channel_id, ChannelWatermark(channel_id, last))
        ctx.events.emit(
            ev.EVENT_RECEIPT_REVEALED,
            host=signer,
            commit_hash=_hex(commit_hash),
            job_id=_hex(receipt.job_id),
            model_id=receipt.model_id,
            tokens_out=receipt.tokens_out,
            tee_attested=_bool(attested),
            model_weight=model.weight,
            audits=audits,
            failures=failures,
            credit=str(credit),
            credits=str(balance),
            validator=self.credit_target(ctx, signer),
        )
        return credit

    # --- the voting set (specs §7.3) ------------------------------------------------------

    def active_voters(self, ctx: Context) -> VoterSet:
        """x/staking's active set now, in commit order."""
        return VoterSet(
            tuple(
                Voter(v.operator, v.power, v.consensus_pubkey)
                for v in self.staking.validator_set(ctx)
            )
        )

    def extensions_enabled(self, ctx: Context, height: int) -> bool:
        """Whether block `height` carries the extended commit of the block before (CometBFT:
        height > VoteExtensionsEnableHeight)."""
        enable = self.vote_extensions_enable_height.get(ctx)
        return enable is not None and height > enable

    def voters_of(self, ctx: Context, height: int) -> tuple[Voter, ...]:
        """The set that voted on block `height`, read in the state after it: the set before
        the last change if that change happened in this very block, else the current set."""
        history = self.voter_history.get(ctx)
        if history is None:
            return self.active_voters(ctx).voters
        if history.change_height == height:
            return history.previous.voters
        return history.current.voters

    def track_voter_changes(self, ctx: Context) -> None:
        """EndBlock: if the active set differs from the recorded one, record the change at
        this height (written only on a change, so idle blocks write nothing)."""
        now = self.active_voters(ctx)
        history = self.voter_history.get(ctx)
        recorded = None if history is None else history.current
        if recorded != now:
            previous = recorded if recorded is not None else VoterSet()
            self.voter_history.set(ctx, VoterHistory(ctx.height, previous, now))

    # --- audits (specs §6) ----------------------------------------------------------------

    def audit_counter(self, ctx: Context, host: str) -> AuditCounter:
        """The host's rolling-window counts (zeros when none)."""
        counter = self.audit_counters.get(ctx, host)
        return AuditCounter(host, 0, 0) if counter is None else counter

    def _bump_counter(self, ctx: Context, host: str, failed: bool, step: int) -> None:
        counter = self.audit_counter(ctx, host)
        audits = counter.audits + step
        failures = counter.failures + (step if failed else 0)
        if audits == 0:
            self.audit_counters.delete(ctx, host)
        else:
            self.audit_counters.set(ctx, host, AuditCounter(host, audits, failures))

    def record_audit(self, ctx: Context, host: str, failed: bool, reporter: str) -> int:
        """Count one audit result in the host's rolling window (specs §6.1, §6.2); other
        modules (a lost state-channel dispute) call this too. Returns the audit id."""
        window = self.get_params(ctx).audit_window_blocks
        audit_id = self.next_audit_id.next(ctx)
        expires = ctx.height + window
        self.audits.set(
            ctx, audit_id, AuditRecord(audit_id, host, failed, ctx.height, expires, reporter)
        )
        self.audit_expiry.add(ctx, expires, audit_id)
        self._bump_counter(ctx, host, failed, 1)
        ctx.events.emit(
            ev.EVENT_AUDIT_RECORDED,
            audit_id=audit_id,
            host=host,
            failed=_bool(failed),
            reporter=reporter,
            expires_height=expires,
        )
        return audit_id

    def expire_audits(self, ctx: Context) -> None:
        """BeginBlock: decrement the counters of the results whose window ends here
        (seed 003 "audit-counter rolling-window decrement"; specs §6.2)."""
        for audit_id in self.audit_expiry.pop_due(ctx, ctx.height):
            record = self.audits.get(ctx, audit_id)
            if record is None:
                continue
            self.audits.delete(ctx, audit_id)
            self._bump_counter(ctx, record.host, record.failed, -1)
            ctx.events.emit(
                ev.EVENT_AUDIT_EXPIRED,
                audit_id=audit_id,
                host=record.host,
                failed=_bool(record.failed),
            )

    def next_audit_expiry(self, ctx: Context) -> int | None:
        """The earliest expires_height of an audit in a window."""
        return self.audit_expiry.next_due(ctx)


def _contiguous_run(evidence: Sequence[SpurcReceipt]) -> tuple[bytes, int, int]:
    """(channel_id, first call_seq, last call_seq) of evidence that is one channel's
    consecutive calls in order; ErrEvidenceNotContiguous otherwise (specs §8.2 step 7)."""
    channel_id = evidence[0].channel_id
    first = evidence[0].call_seq
    for offset, e in enumerate(evidence):
        if e.channel_id != channel_id or e.call_seq != first + offset:
            raise ErrEvidenceNotContiguous(f"receipt {offset}: call {e.call_seq}")
    return channel_id, first, first + len(evidence) - 1


__all__ = ["AUTHORITY", "PouwKeeper", "commit_hash_of", "job_id_for"]
