"""Context: what a keeper sees while it runs (Cosmos sdk.Context).

specs/app.md "Context". A Context is a value: the block's header facts (chain id, height,
time, proposer), the store branch to read and write, and the event manager to emit into.
Keepers never keep a Context; they receive one per call.

There is no gas meter: DAIT charges a flat fee per tx (x/auth param `min_fee`), so a
keeper's cost is not metered (specs/app.md "Decisions").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum

from dait_chain.app.events import EventManager
from dait_chain.store.kv import KV, CacheKV


class ExecMode(Enum):
    """Where in the ABCI flow the code runs (Cosmos baseapp execMode)."""

    GENESIS = "genesis"
    BEGIN_BLOCK = "begin_block"
    TX = "tx"
    END_BLOCK = "end_block"
    # ABCI++ hooks and queries run on a throwaway branch of the committed state.
    PROPOSAL = "proposal"
    VOTE_EXTENSION = "vote_extension"
    QUERY = "query"


@dataclass(frozen=True, slots=True)
class Context:
    """The execution context of one call into a module."""

    chain_id: str
    height: int
    time_ms: int  # block time, unix milliseconds
    proposer: str  # operator address of the block's proposer ("" at genesis)
    store: KV
    events: EventManager = field(default_factory=EventManager)
    mode: ExecMode = ExecMode.TX

    def child(self) -> tuple[Context, CacheKV]:
        """A context on a new cache branch of this one's store, with an empty event
        manager, and that branch: what `branch` commits, and what the app runs each tx in
        (emptied between txs)."""
        cache = CacheKV(self.store)
        context = Context(
            self.chain_id,
            self.height,
            self.time_ms,
            self.proposer,
            cache,
            EventManager(),
            self.mode,
        )
        return context, cache

    def branch(self) -> tuple[Context, Callable[[], None]]:
        """A cache branch of this context and the function that commits it.

        The branch has its own store overlay and its own event manager. Calling the
        returned function writes the branch's store writes into this context's store and
        appends its events to this context's events; not calling it discards both. Use it
        to make one EndBlocker item atomic:

            item_ctx, write = ctx.branch()
            try:
                settle(item_ctx, item)
            except ModuleError:
                ...  # nothing of the item remains
            else:
                write()
        """
        child, cache = self.child()

        def write() -> None:
            cache.write()
            self.events.extend(child.events.take())

        return child, write

    def with_events(self, events: EventManager) -> Context:
        """The same context with another event manager (and the same store)."""
        return Context(
            self.chain_id, self.height, self.time_ms, self.proposer, self.store, events, self.mode
        )

    def with_store(self, store: KV) -> Context:
        """The same context over another store (and the same event manager)."""
        return replace(self, store=store)

    def with_mode(self, mode: ExecMode) -> Context:
        """The same context in another execution mode."""
        return replace(self, mode=mode)


__all__ = ["Context", "ExecMode"]
