"""DaitApp: the state machine behind ABCI 2.0 (specs/app.md).

    app = DaitApp()
    app.init_chain(genesis)                       # -> app hash of the genesis state
    res = app.finalize_block(FinalizeBlockRequest(height, time_ms, proposer, txs))
    res.tx_results, res.app_hash                  # the block is committed

FinalizeBlock runs, on one branch of the committed store: PreBlock (modules claiming
leading pseudo-txs), BeginBlock of every module in order, every tx in order (each on its
own branches: ante, then messages), EndBlock of every module in order; then it writes the
branch to the root store and returns the new app hash. An exception other than a
registered tx refusal (a bug, or a BeginBlock/EndBlock failure) aborts the block and
leaves the committed state untouched, as a Cosmos chain halts on a panic there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from dait_chain.app.abci import (
    ExtendVoteRequest,
    FinalizeBlockRequest,
    FinalizeBlockResult,
    PrepareProposalRequest,
    ProcessProposalRequest,
    TxResult,
    VerifyVoteExtensionRequest,
)
from dait_chain.app.ante import BlockPrecheck, Route, ante, precheck_block
from dait_chain.app.context import Context, ExecMode
from dait_chain.app.errors import ErrInvalidBlock, ErrInvalidGenesis, ErrVoteExtension
from dait_chain.app.events import EventManager
from dait_chain.app.genesis import (
    GOV_AUTHORITY_FIELD,
    gov_authority_export,
    read_gov_authority,
    set_gov_authority,
)
from dait_chain.app.module import NOTHING_DUE, Due, Keepers, Module, ModuleFactory, overrides
from dait_chain.errors import DaitError
from dait_chain.store.commitment import CommitKVStore
from dait_chain.store.kv import CacheKV, Pair
from dait_chain.x.staking.keeper import ValidatorPower

GENESIS_HEADER = ("chain_id", "genesis_time_ms", "initial_height", GOV_AUTHORITY_FIELD)
_UINT = re.compile(r"^(0|[1-9][0-9]*)\Z")
UINT64_MAX = (1 << 64) - 1


def build_routes(modules: Sequence[Module]) -> dict[type[Any], Route]:
    """Message type -> (module, handler, signer field); a type handled twice is a bug."""
    routes: dict[type[Any], Route] = {}
    for module in modules:
        signers = module.signer_fields()
        for msg_type, handler in module.msg_handlers().items():
            if msg_type in routes:
                raise TypeError(f"{msg_type.__name__} handled by two modules")
            routes[msg_type] = Route(module.name, handler, signers[msg_type], msg_type.type_url())
    return routes


def genesis_uint(value: object, what: str) -> int:
    """A uint64 genesis field: a decimal string (proto3 JSON) or a non-negative int."""
    if isinstance(value, bool):
        raise ErrInvalidGenesis(f"{what}: not an integer")
    if isinstance(value, str) and _UINT.match(value):
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        raise ErrInvalidGenesis(f"{what}: {value!r} is not a uint64")
    if not 0 <= number <= UINT64_MAX:
        raise ErrInvalidGenesis(f"{what}: {number} is not a uint64")
    return number


def _drop(branch: CacheKV, events: EventManager) -> None:
    """Discard a failed tx's writes and events (its branch is reused by the next tx)."""
    branch.discard()
    events.clear()


class DaitApp:
    """The DAIT chain's application: modules, store, ABCI entry points."""

    def __init__(self, modules: Sequence[ModuleFactory] | None = None) -> None:
        if modules is None:
            # Imported here so that the app core does not import every module at load time.
            from dait_chain.app.modules import DEFAULT_MODULES

            modules = DEFAULT_MODULES
        self.keepers = Keepers()
        built: list[Module] = []
        for factory in modules:
            module = factory(self.keepers)
            if not module.name:
                raise TypeError(f"{type(module).__name__} has no name")
            self.keepers.add(module.name, module.keeper)
            built.append(module)
        self.modules: tuple[Module, ...] = tuple(built)
        self.routes = build_routes(self.modules)
        self.auth = self.keepers.auth
        self.bank = self.keepers.bank
        self._pre_blockers = [m for m in self.modules if overrides(m, "pre_block")]
        self._begin_blockers = [m for m in self.modules if overrides(m, "begin_block")]
        self._end_blockers = [m for m in self.modules if overrides(m, "end_block")]
        self._schedulers = [m for m in self.modules if overrides(m, "next_due")]
        extenders = [m for m in self.modules if overrides(m, "extend_vote")]
        if len(extenders) > 1:
            raise TypeError("at most one module may implement extend_vote")
        self._extender = extenders[0] if extenders else None
        self.store = CommitKVStore()
        # (block context, its tx context, that context's store): see _tx_context
        self._tx_ctx: tuple[Context, Context, CacheKV] | None = None
        self.chain_id = ""
        self.height = 0
        self.time_ms = 0
        self.app_hash = self.store.app_hash()

    # ---- contexts ------------------------------------------------------------------------

    def module(self, name: str) -> Module:
        """The module called name."""
        for module in self.modules:
            if module.name == name:
                return module
        raise KeyError(name)

    def query_context(self, mode: ExecMode = ExecMode.QUERY) -> Context:
        """A context on a throwaway branch of the committed state, at the last block."""
        return Context(self.chain_id, self.height, self.time_ms, "", CacheKV(self.store), mode=mode)

    def _branch_at(self, height: int, time_ms: int, proposer: str, mode: ExecMode) -> Context:
        return Context(self.chain_id, height, time_ms, proposer, CacheKV(self.store), mode=mode)

    # ---- genesis -------------------------------------------------------------------------

    def init_chain(self, genesis: Mapping[str, Any]) -> bytes:
        """Import a genesis document and return the app hash of the genesis state."""
        if self.chain_id:
            raise ErrInvalidGenesis("chain already initialized")
        chain_id = genesis.get("chain_id")
        if not isinstance(chain_id, str) or not chain_id:
            raise ErrInvalidGenesis("chain_id must be a non-empty string")
        genesis_time = genesis_uint(genesis.get("genesis_time_ms", "0"), "genesis_time_ms")
        initial_height = genesis_uint(genesis.get("initial_height", "1"), "initial_height")
        if initial_height < 1:
            raise ErrInvalidGenesis("initial_height must be >= 1")
        authority = read_gov_authority(genesis)
        names = {m.name for m in self.modules}
        unknown = sorted(k for k in genesis if k not in names and k not in GENESIS_HEADER)
        if unknown:
            raise ErrInvalidGenesis(f"unknown genesis sections {unknown}")
        block = CacheKV(self.store)
        ctx = Context(chain_id, initial_height, genesis_time, "", block, mode=ExecMode.GENESIS)
        for module in self.modules:
            section = genesis.get(module.name)
            if section is None:
                section = module.default_genesis()
            if not isinstance(section, dict):
                raise ErrInvalidGenesis(f"{module.name}: section must be an object")
            module.init_genesis(ctx, section)
        if authority is not None:
            # App configuration: applied only once every section is accepted (specs §6).
            set_gov_authority(self.modules, authority)
        block.write()
        self.chain_id = chain_id
        self.height = initial_height - 1
        self.time_ms = genesis_time
        self.app_hash = self.store.app_hash()
        return self.app_hash

    def export_genesis(self) -> dict[str, Any]:
        """The committed state as a genesis document that continues this chain: importing it
        gives the same app hash, and the same blocks then give the same results."""
        ctx = self.query_context()
        out: dict[str, Any] = {
            "chain_id": self.chain_id,
            "genesis_time_ms": str(self.time_ms),
            "initial_height": str(self.height + 1),
            **gov_authority_export(self.modules),
        }
        for module in self.modules:
            out[module.name] = module.export_genesis(ctx)
        return out

    def state_pairs(self) -> list[Pair]:
        """Every (key, value) of the committed state in key order (what the app hash commits)."""
        return list(self.store.iterate())

    # ---- blocks --------------------------------------------------------------------------

    def next_due(self) -> Due:
        """The earliest height or block time at which some module's block hooks have work."""
        ctx = self.query_context()
        due = NOTHING_DUE
        for module in self._schedulers:
            due = due.earliest(module.next_due(ctx))
        return due

    def _check_block(self, req: FinalizeBlockRequest) -> None:
        if not self.chain_id:
            raise ErrInvalidBlock("init_chain has not run")
        if req.height <= self.height:
            raise ErrInvalidBlock(f"height {req.height} <= last height {self.height}")
        if req.time_ms < self.time_ms:
            raise ErrInvalidBlock(f"time {req.time_ms} < last block time {self.time_ms}")
        if req.height > self.height + 1:
            # Sparse time: the skipped heights must have been idle.
            due = self.next_due().height
            if due is not None and due < req.height:
                raise ErrInvalidBlock(f"height {due} has work and cannot be skipped")

    def finalize_block(self, req: FinalizeBlockRequest) -> FinalizeBlockResult:
        """Execute and commit one block (specs/app.md "FinalizeBlock")."""
        self._check_block(req)
        block = CacheKV(self.store)
        ctx = Context(
            self.chain_id, req.height, req.time_ms, req.proposer, block, mode=ExecMode.BEGIN_BLOCK
        )
        txs = req.txs
        results: list[TxResult] = []
        claimed = 0
        for module in self._pre_blockers:
            n = module.pre_block(ctx, txs[claimed:])
            if not 0 <= n <= len(txs) - claimed:
                raise ErrInvalidBlock(f"{module.name} claimed {n} pseudo-txs")
            results.extend(TxResult(0, "", f"{module.name} pseudo-tx") for _ in range(n))
            claimed += n
        for module in self._begin_blockers:
            module.begin_block(ctx)
        begin_events = ctx.events.take()
        tx_ctx = replace(ctx, mode=ExecMode.TX)
        block_txs = txs[claimed:]
        precheck = precheck_block(tx_ctx, block_txs, self.routes, self.auth)
        for tx_bytes in block_txs:
            results.append(self.deliver_tx(tx_ctx, tx_bytes, precheck))
        self._tx_ctx = None
        end_ctx = replace(ctx, mode=ExecMode.END_BLOCK, events=EventManager())
        for module in self._end_blockers:
            module.end_block(end_ctx)
        block.write()
        self.height = req.height
        self.time_ms = req.time_ms
        self.app_hash = self.store.app_hash()
        return FinalizeBlockResult(
            tuple(results), begin_events, end_ctx.events.events, self.app_hash
        )

    def deliver_tx(
        self, block_ctx: Context, tx_bytes: bytes, precheck: BlockPrecheck | None = None
    ) -> TxResult:
        """Run one tx on block_ctx's store (specs/app.md "Tx execution").

        Ante on a branch: on refusal nothing of the tx remains. Messages on a second branch:
        on refusal the fee and the sequence bump stay, with the ante's events, and nothing
        else does. precheck: the block's decoded txs and signature checks (same results).
        """
        # One branch and one context serve the whole tx: once the ante's writes are
        # flushed the branch is empty again and becomes the messages' branch. Dropping the
        # branch unwritten (and the manager's events) discards a failed message.
        ctx, branch = self._tx_context(block_ctx)
        events = ctx.events
        try:
            outcome = ante(ctx, tx_bytes, self.routes, self.auth, self.bank, precheck)
        except DaitError as err:
            _drop(branch, events)
            return TxResult(err.code, err.codespace, err.log)
        except BaseException:
            _drop(branch, events)  # the block aborts; leave the reused context clean
            raise
        branch.write()
        ante_events = events.take()
        try:
            for index, (msg, route) in enumerate(outcome.msgs):
                # Cosmos runMsgs: a "message" event, then the handler's events, each of
                # them ending with msg_index.
                events.set_trailing_attribute("msg_index", str(index))
                events.emit_flat(
                    (
                        "message",
                        "action",
                        route.type_url,
                        "sender",
                        outcome.signer,
                        "module",
                        route.module,
                    )
                )
                route.handler(ctx, msg)
        except DaitError as err:
            _drop(branch, events)
            return TxResult(err.code, err.codespace, err.log, ante_events)
        except BaseException:
            _drop(branch, events)
            raise
        finally:
            events.clear_trailing_attribute()
        branch.write()
        return TxResult(0, "", "", ante_events + events.take())

    def _tx_context(self, block_ctx: Context) -> tuple[Context, CacheKV]:
        """The context every tx of block_ctx's block runs in, and its store: a branch of
        the block's store and an event manager, both empty between txs (built once per
        block; keepers never keep a context)."""
        cached = self._tx_ctx
        if cached is not None and cached[0] is block_ctx:
            return cached[1], cached[2]
        ctx, branch = block_ctx.child()
        self._tx_ctx = (block_ctx, ctx, branch)
        return ctx, branch

    # ---- invariants and views ------------------------------------------------------------

    def check_invariants(self) -> list[tuple[str, str, str]]:
        """(module, name, message) of every broken invariant, in module order."""
        ctx = self.query_context()
        broken: list[tuple[str, str, str]] = []
        for module in self.modules:
            for inv in module.invariants():
                message, is_broken = inv.check(ctx)
                if is_broken:
                    broken.append((inv.module, inv.name, message))
        return broken

    def validators(self) -> tuple[ValidatorPower, ...]:
        """The active validator set of the committed state."""
        return self.keepers.staking.validator_set(self.query_context())

    # ---- ABCI++ --------------------------------------------------------------------------

    def _check_next(self, height: int) -> None:
        if height <= self.height:
            raise ErrVoteExtension(f"height {height} is not above the last height {self.height}")

    def prepare_proposal(self, req: PrepareProposalRequest) -> tuple[bytes, ...]:
        """The proposer's block: its mempool txs in order within max_tx_bytes, then rewritten
        by each module implementing prepare_proposal, in module order."""
        self._check_next(req.height)
        ctx = self._branch_at(req.height, req.time_ms, req.proposer, ExecMode.PROPOSAL)
        chosen: list[bytes] = []
        size = 0
        for tx in req.txs:
            if size + len(tx) > req.max_tx_bytes:
                break
            chosen.append(tx)
            size += len(tx)
        txs = tuple(chosen)
        for module in self.modules:
            if overrides(module, "prepare_proposal"):
                txs = module.prepare_proposal(ctx, req, txs)
        return txs

    def process_proposal(self, req: ProcessProposalRequest) -> bool:
        """Whether every module accepts the proposed block."""
        self._check_next(req.height)
        ctx = self._branch_at(req.height, req.time_ms, req.proposer, ExecMode.PROPOSAL)
        return all(
            module.process_proposal(ctx, req)
            for module in self.modules
            if overrides(module, "process_proposal")
        )

    def extend_vote(self, req: ExtendVoteRequest) -> bytes:
        """This validator's vote extension (empty when no module extends votes)."""
        self._check_next(req.height)
        if self._extender is None:
            return b""
        ctx = self._branch_at(req.height, req.time_ms, "", ExecMode.VOTE_EXTENSION)
        return self._extender.extend_vote(ctx, req)

    def verify_vote_extension(self, req: VerifyVoteExtensionRequest) -> bool:
        """Whether another validator's extension is acceptable (only empty ones are, when
        no module extends votes)."""
        self._check_next(req.height)
        if self._extender is None:
            return req.vote_extension == b""
        ctx = self._branch_at(req.height, self.time_ms, "", ExecMode.VOTE_EXTENSION)
        return self._extender.verify_vote_extension(ctx, req)


__all__ = ["DaitApp", "build_routes", "genesis_uint"]
