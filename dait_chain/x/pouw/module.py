"""x/pouw as an app module (specs/pouw.md): messages, genesis, the block hooks, the ABCI++
handlers, and the distribution allocator override (seed 003 "Distribution override":
"App wiring wraps distrkeeper.RewardsAllocator so that per-validator shares are rewritten
by PoUW effective_stake before the standard distribution pipeline pays out")."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dait_chain.app.abci import (
    ExtendVoteRequest,
    PrepareProposalRequest,
    ProcessProposalRequest,
    VerifyVoteExtensionRequest,
)
from dait_chain.app.context import Context
from dait_chain.app.module import (
    NOTHING_DUE,
    Due,
    GenesisSection,
    Invariant,
    Keepers,
    Module,
    MsgHandler,
)
from dait_chain.errors import DaitError
from dait_chain.x.distribution.keeper import DistributionKeeper
from dait_chain.x.pouw import abci, genesis, invariants, msg_server
from dait_chain.x.pouw.keeper import AUTHORITY, PouwKeeper
from dait_chain.x.pouw.keys import MODULE_NAME
from dait_chain.x.pouw.queries import PouwQueries
from dait_chain.x.pouw.types import (
    MsgCommitReceipt,
    MsgRegisterModel,
    MsgReportAudit,
    MsgRevealReceipt,
    MsgSetCreditTarget,
    MsgUpdateParams,
)
from dait_chain.x.staking.keeper import StakingKeeper
from dait_chain.x.state_channel.keeper import Keeper as StateChannelKeeper
from dait_chain.x.tee_attest.keeper import TeeAttestKeeper


class PouwModule(Module):
    """Proof-of-Useful-Work credits, commit-reveal and vote extensions."""

    name = MODULE_NAME

    def __init__(self, keeper: PouwKeeper) -> None:
        self.keeper: PouwKeeper = keeper

    def msg_handlers(self) -> Mapping[type[Any], MsgHandler]:
        k = self.keeper
        return {
            MsgCommitReceipt: lambda ctx, msg: msg_server.handle_commit_receipt(k, ctx, msg),
            MsgRevealReceipt: lambda ctx, msg: msg_server.handle_reveal_receipt(k, ctx, msg),
            MsgSetCreditTarget: lambda ctx, msg: msg_server.handle_set_credit_target(k, ctx, msg),
            MsgReportAudit: lambda ctx, msg: msg_server.handle_report_audit(k, ctx, msg),
            MsgRegisterModel: lambda ctx, msg: msg_server.handle_register_model(k, ctx, msg),
            MsgUpdateParams: lambda ctx, msg: msg_server.handle_update_params(k, ctx, msg),
        }

    # ---- genesis -------------------------------------------------------------------------

    def default_genesis(self) -> GenesisSection:
        return genesis.default_genesis()

    def init_genesis(self, ctx: Context, data: GenesisSection) -> None:
        genesis.init_genesis(self.keeper, ctx, data)

    def export_genesis(self, ctx: Context) -> GenesisSection:
        return genesis.export_genesis(self.keeper, ctx)

    # ---- blocks --------------------------------------------------------------------------

    def pre_block(self, ctx: Context, txs: tuple[bytes, ...]) -> int:
        return abci.pre_block(self.keeper, ctx, txs)

    def begin_block(self, ctx: Context) -> None:
        abci.begin_block(self.keeper, ctx)

    def end_block(self, ctx: Context) -> None:
        abci.end_block(self.keeper, ctx)

    def next_due(self, ctx: Context) -> Due:
        commits = self.keeper.next_commit_expiry(ctx)
        audits = self.keeper.next_audit_expiry(ctx)
        due = [h for h in (commits, audits) if h is not None]
        return Due(height=min(due)) if due else NOTHING_DUE

    def invariants(self) -> Sequence[Invariant]:
        k = self.keeper
        return (
            Invariant(
                MODULE_NAME, "commits-scheduled", lambda c: invariants.commits_scheduled(k, c)
            ),
            Invariant(MODULE_NAME, "audit-counters", lambda c: invariants.audit_counters(k, c)),
            Invariant(MODULE_NAME, "host-count", lambda c: invariants.host_count(k, c)),
            Invariant(
                MODULE_NAME,
                "aggregate-tracks-hosts",
                lambda c: invariants.aggregate_tracks_hosts(k, c),
            ),
            Invariant(MODULE_NAME, "credits-bounded", lambda c: invariants.credits_bounded(k, c)),
        )

    # ---- ABCI++ --------------------------------------------------------------------------

    def prepare_proposal(
        self, ctx: Context, req: PrepareProposalRequest, txs: tuple[bytes, ...]
    ) -> tuple[bytes, ...]:
        return abci.prepare_proposal(self.keeper, ctx, req, txs)

    def process_proposal(self, ctx: Context, req: ProcessProposalRequest) -> bool:
        return abci.process_proposal(self.keeper, ctx, req)

    def proposal_error(self, ctx: Context, req: ProcessProposalRequest) -> DaitError | None:
        """The registered error of the first pouw rule a proposal breaks, or None (for
        tests and the simulation's reports; ProcessProposal itself answers yes/no)."""
        try:
            abci.check_proposal(self.keeper, ctx, req)
        except DaitError as exc:
            return exc
        return None

    def extend_vote(self, ctx: Context, req: ExtendVoteRequest) -> bytes:
        return abci.extend_vote(self.keeper, ctx, req)

    def verify_vote_extension(self, ctx: Context, req: VerifyVoteExtensionRequest) -> bool:
        return abci.verify_vote_extension(self.keeper, ctx, req)

    def queries(self) -> PouwQueries:
        return PouwQueries(self.keeper)


def module_factory(authority: str = AUTHORITY) -> Callable[[Keepers], PouwModule]:
    """A factory building x/pouw with `authority` as its gov authority."""

    def factory(keepers: Keepers) -> PouwModule:
        keeper = PouwKeeper(
            keepers.get("staking", StakingKeeper),
            keepers.get("state_channel", StateChannelKeeper),
            keepers.get("tee_attest", TeeAttestKeeper),
            authority,
        )
        distribution = keepers.get("distribution", DistributionKeeper)
        distribution.set_allocator(keeper.allocate_tokens_override)
        return PouwModule(keeper)

    return factory


def new_module(keepers: Keepers) -> PouwModule:
    """Build x/pouw on staking, state_channel and tee_attest (authority: the gov module
    account), and install its allocator as x/distribution's (seed 003
    "distribution-override install in app.go")."""
    return module_factory()(keepers)
