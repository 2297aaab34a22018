"""x/pouw read-only queries (specs/pouw.md §9): every value decayed to the query height,
nothing written (seed 003 "What's wired today": "all read queries")."""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.x.pouw.credits import audit_fail_rate
from dait_chain.x.pouw.keeper import PouwKeeper
from dait_chain.x.pouw.params import Params
from dait_chain.x.pouw.types import (
    Commit,
    Model,
    QueryAuditCounterResponse,
    QueryCreditsResponse,
    QueryEffectiveStakeResponse,
    QueryValidatorCreditsResponse,
)


class PouwQueries:
    """The module's queries, answered on a branch of the committed state."""

    def __init__(self, keeper: PouwKeeper) -> None:
        self.keeper = keeper

    def params(self, ctx: Context) -> Params:
        """The params."""
        return self.keeper.get_params(ctx)

    def model(self, ctx: Context, model_id: str) -> Model | None:
        """One registry entry."""
        return self.keeper.get_model(ctx, model_id)

    def models(self, ctx: Context) -> tuple[Model, ...]:
        """The registry, by model_id."""
        return tuple(self.keeper.models.values(ctx))

    def credits(self, ctx: Context, host: str) -> QueryCreditsResponse:
        """GetDecayedCredits and the host's target."""
        k = self.keeper
        return QueryCreditsResponse(
            str(k.get_decayed_credits(ctx, host)), k.credit_target(ctx, host), ctx.height
        )

    def validator_credits(self, ctx: Context, operator: str) -> QueryValidatorCreditsResponse:
        """credits_i and how many hosts point at the validator."""
        record = self.keeper.validator_credits.get(ctx, operator)
        count = 0 if record is None else record.host_count
        credits = self.keeper.get_validator_credits(ctx, operator)
        return QueryValidatorCreditsResponse(str(credits), count, ctx.height)

    def effective_stake(self, ctx: Context, operator: str) -> QueryEffectiveStakeResponse:
        """EffectiveStakeFor with the validator's current voting power (0 outside the set)."""
        power = next(
            (v.power for v in self.keeper.staking.validator_set(ctx) if v.operator == operator),
            0,
        )
        credits = self.keeper.get_validator_credits(ctx, operator)
        eff = self.keeper.effective_stake(ctx, operator, power)
        return QueryEffectiveStakeResponse(power, str(credits), str(eff))

    def commit(self, ctx: Context, host: str, commit_hash: bytes) -> Commit | None:
        """A pending commit."""
        return self.keeper.commits.get(ctx, (host, commit_hash))

    def audit_counter(self, ctx: Context, host: str) -> QueryAuditCounterResponse:
        """The rolling-window counts and the failure rate."""
        counter = self.keeper.audit_counter(ctx, host)
        rate = audit_fail_rate(counter.audits, counter.failures)
        return QueryAuditCounterResponse(counter, str(rate))
