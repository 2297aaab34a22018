"""x/staking keeper (specs/staking.md).

Tokens bonded to validators sit in the module account "bonded_tokens_pool"; tokens being
unbonded sit in "not_bonded_tokens_pool" until their entry matures (Cosmos names). There
is no slashing, so a delegation's shares always equal its tokens and are stored as tokens.
"""

from __future__ import annotations

from dataclasses import dataclass

from dait_chain.app.context import Context
from dait_chain.crypto.address import decode_address
from dait_chain.store.collections import (
    IntValue,
    Item,
    Map,
    PairKey,
    ProtoValueCodec,
    Schema,
    Sequence,
    StrKey,
    Uint64Key,
)
from dait_chain.store.schedule import Schedule
from dait_chain.x.auth.keeper import BURNER, AuthKeeper
from dait_chain.x.bank.coins import format_amount
from dait_chain.x.bank.keeper import BankKeeper
from dait_chain.x.staking import events as ev
from dait_chain.x.staking.errors import (
    ErrNoDelegation,
    ErrNotEnoughDelegationShares,
    ErrNoValidatorFound,
)
from dait_chain.x.staking.types import DEFAULT_PARAMS, Params, UnbondingEntry, Validator

MODULE_NAME = "staking"
BONDED_POOL = "bonded_tokens_pool"
NOT_BONDED_POOL = "not_bonded_tokens_pool"

# Cosmos sdk.DefaultPowerReduction: 10^6 base units of stake per unit of voting power.
POWER_REDUCTION = 10**6


def voting_power(tokens: int) -> int:
    """Consensus power of tokens: tokens // 10^6 (Cosmos TokensToConsensusPower)."""
    return tokens // POWER_REDUCTION


@dataclass(frozen=True, slots=True)
class ValidatorPower:
    """A member of the active validator set."""

    operator: str
    consensus_pubkey: bytes
    tokens: int
    power: int


class StakingKeeper:
    """Validators, delegations and unbonding entries."""

    def __init__(self, auth: AuthKeeper, bank: BankKeeper) -> None:
        self.auth = auth
        self.bank = bank
        auth.register_module_account(BONDED_POOL, BURNER)
        auth.register_module_account(NOT_BONDED_POOL, BURNER)
        schema = Schema(MODULE_NAME)
        self.schema = schema
        self.params: Item[Params] = Item(schema, 0, "params", ProtoValueCodec(Params))
        self.validators: Map[str, Validator] = Map(
            schema, 1, "validators", StrKey, ProtoValueCodec(Validator)
        )
        # (delegator, validator) -> tokens
        self.delegations: Map[tuple[str, str], int] = Map(
            schema, 2, "delegations", PairKey(StrKey, StrKey), IntValue
        )
        self.unbonding: Map[int, UnbondingEntry] = Map(
            schema, 3, "unbonding_entries", Uint64Key, ProtoValueCodec(UnbondingEntry)
        )
        # completion time (unix ms) -> entry id
        self.unbonding_queue: Schedule[int] = Schedule(schema, 4, "unbonding_queue", Uint64Key)
        self.next_unbonding_id = Sequence(schema, 5, "next_unbonding_id")

    # ---- reads ---------------------------------------------------------------------------

    def get_params(self, ctx: Context) -> Params:
        """The current params."""
        params = self.params.get(ctx)
        return DEFAULT_PARAMS if params is None else params

    def validator(self, ctx: Context, operator: str) -> Validator | None:
        """The validator operated by operator, or None."""
        return self.validators.get(ctx, operator)

    def must_validator(self, ctx: Context, operator: str) -> Validator:
        """The validator operated by operator; ErrNoValidatorFound if none."""
        return self.validators.must_get(ctx, operator, ErrNoValidatorFound, operator)

    def tokens(self, ctx: Context, operator: str) -> int:
        """The tokens bonded to a validator (0 if it does not exist)."""
        val = self.validators.get(ctx, operator)
        return 0 if val is None else int(val.tokens)

    def delegation(self, ctx: Context, delegator: str, operator: str) -> int:
        """The tokens delegator has bonded to operator's validator (0 if none)."""
        value = self.delegations.get(ctx, (delegator, operator))
        return 0 if value is None else value

    def validator_set(self, ctx: Context) -> tuple[ValidatorPower, ...]:
        """The active set (specs/staking.md "Active set"): validators with power > 0, by
        power descending then address bytes ascending, at most max_validators of them."""
        members = [
            ValidatorPower(v.operator_address, v.consensus_pubkey, int(v.tokens), p)
            for v in self.validators.values(ctx)
            if (p := voting_power(int(v.tokens))) > 0
        ]
        members.sort(key=lambda m: (-m.power, decode_address(m.operator)))
        return tuple(members[: self.get_params(ctx).max_validators])

    def total_power(self, ctx: Context) -> int:
        """The voting power of the whole active set."""
        return sum(m.power for m in self.validator_set(ctx))

    # ---- delegation ----------------------------------------------------------------------

    def delegate(self, ctx: Context, delegator: str, operator: str, amount: int) -> None:
        """Bond amount of delegator's uDAIT to operator's validator (specs/staking.md)."""
        val = self.must_validator(ctx, operator)
        self.bank.send_to_module(ctx, delegator, BONDED_POOL, amount)
        self.delegations.set(
            ctx, (delegator, operator), self.delegation(ctx, delegator, operator) + amount
        )
        self._set_tokens(ctx, val, int(val.tokens) + amount)
        ctx.events.emit(
            ev.EVENT_DELEGATE,
            validator=operator,
            delegator=delegator,
            amount=format_amount(amount),
        )

    def undelegate(self, ctx: Context, delegator: str, operator: str, amount: int) -> int:
        """Unbond amount from operator's validator; return the entry's completion time.

        The tokens stop counting for voting power at once and return to the delegator at
        block time + unbonding_time_ms (paid by the first EndBlocker at or after it).
        """
        val = self.must_validator(ctx, operator)
        have = self.delegations.get(ctx, (delegator, operator))
        if have is None:
            raise ErrNoDelegation(f"{delegator} has no delegation to {operator}")
        if amount > have:
            raise ErrNotEnoughDelegationShares(f"undelegating {amount} of {have}")
        if amount == have:
            self.delegations.delete(ctx, (delegator, operator))
        else:
            self.delegations.set(ctx, (delegator, operator), have - amount)
        self._set_tokens(ctx, val, int(val.tokens) - amount)
        self.bank.send_module_to_module(ctx, BONDED_POOL, NOT_BONDED_POOL, amount)
        completion = ctx.time_ms + self.get_params(ctx).unbonding_time_ms
        entry_id = self.next_unbonding_id.next(ctx)
        entry = UnbondingEntry(entry_id, delegator, operator, ctx.height, completion, str(amount))
        self.unbonding.set(ctx, entry_id, entry)
        self.unbonding_queue.add(ctx, completion, entry_id)
        ctx.events.emit(
            ev.EVENT_UNBOND,
            validator=operator,
            delegator=delegator,
            amount=format_amount(amount),
            completion_time=completion,
        )
        return completion

    def complete_unbondings(self, ctx: Context) -> None:
        """Pay every entry whose completion time <= block time, in (time, id) order."""
        for entry_id in self.unbonding_queue.pop_due(ctx, ctx.time_ms):
            entry = self.unbonding.get(ctx, entry_id)
            if entry is None:
                continue
            self.unbonding.delete(ctx, entry_id)
            self.bank.send_from_module(
                ctx, NOT_BONDED_POOL, entry.delegator_address, int(entry.amount)
            )
            ctx.events.emit(
                ev.EVENT_COMPLETE_UNBONDING,
                amount=format_amount(int(entry.amount)),
                validator=entry.validator_address,
                delegator=entry.delegator_address,
            )

    def next_unbonding_time(self, ctx: Context) -> int | None:
        """The earliest completion time of any unbonding entry."""
        return self.unbonding_queue.next_due(ctx)

    # ---- internals -----------------------------------------------------------------------

    def set_validator(self, ctx: Context, val: Validator) -> None:
        """Store a validator record."""
        self.validators.set(ctx, val.operator_address, val)

    def _set_tokens(self, ctx: Context, val: Validator, tokens: int) -> None:
        self.validators.set(
            ctx,
            val.operator_address,
            Validator(val.operator_address, val.consensus_pubkey, str(tokens)),
        )
