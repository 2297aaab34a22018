"""The module contract: what every `x/<module>` gives the app (Cosmos AppModule).

specs/app.md "Writing a module". A module is an object with a `name` (its store
namespace, its codespace and its genesis section) and a `keeper`, built by a factory
`new_module(keepers: Keepers) -> Module` listed in `dait_chain/app/modules.py`. The base
class `Module` has a no-op default for every hook, so a module overrides only what it
does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from dait_chain.app.abci import (
    ExtendVoteRequest,
    PrepareProposalRequest,
    ProcessProposalRequest,
    VerifyVoteExtensionRequest,
)
from dait_chain.app.context import Context

if TYPE_CHECKING:
    from dait_chain.x.auth.keeper import AuthKeeper
    from dait_chain.x.bank.keeper import BankKeeper
    from dait_chain.x.distribution.keeper import DistributionKeeper
    from dait_chain.x.staking.keeper import StakingKeeper

T = TypeVar("T")

# Genesis sections are JSON objects: str keys, and values that json.dumps writes as proto3
# JSON does (uint64 and big ints as decimal strings, bytes as base64).
GenesisSection = dict[str, Any]

# A message handler runs one message on the tx's branch; it raises a registered error to
# refuse (the app then discards the whole branch). The message is the module's own type.
MsgHandler = Callable[[Context, Any], None]


@dataclass(frozen=True, slots=True)
class Due:
    """The earliest height and/or block time at which a module's begin/end block has work.

    None means "nothing scheduled on that clock". The harness may skip every block whose
    height < height and whose time < time_ms (specs/app.md "Sparse time").
    """

    height: int | None = None
    time_ms: int | None = None

    def earliest(self, other: Due) -> Due:
        """The field-wise minimum of two Dues (None is +infinity)."""
        return Due(_min_opt(self.height, other.height), _min_opt(self.time_ms, other.time_ms))

    def is_due(self, height: int, time_ms: int) -> bool:
        """Whether a block at (height, time_ms) has work."""
        return (self.height is not None and height >= self.height) or (
            self.time_ms is not None and time_ms >= self.time_ms
        )


def _min_opt(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


NOTHING_DUE = Due()


@dataclass(frozen=True, slots=True)
class Invariant:
    """A state invariant (Cosmos x/crisis): check(ctx) -> (message, broken)."""

    module: str
    name: str
    check: Callable[[Context], tuple[str, bool]]


def signer_field(msg_type: type[Any]) -> str:
    """The name of the field of msg_type that holds its signer's address.

    A Msg declares it as a class variable, `SIGNER_FIELD: ClassVar[str] = "signer"`; a
    module whose message types come from elsewhere maps them in `Module.signer_fields`.
    """
    name = getattr(msg_type, "SIGNER_FIELD", None)
    if not isinstance(name, str):
        raise TypeError(f"{msg_type.__name__} declares no SIGNER_FIELD")
    return name


class Module:
    """Base class of every module. Override what the module does; the rest is a no-op."""

    name: ClassVar[str] = ""

    #: The module's keeper (other modules receive it through `Keepers`).
    keeper: object = None

    # ---- transactions --------------------------------------------------------------------

    def msg_handlers(self) -> Mapping[type[Any], MsgHandler]:
        """The messages this module handles (ProtoValue types) and their handlers."""
        return {}

    def signer_fields(self) -> Mapping[type[Any], str]:
        """For each handled message type, the field naming its single signer."""
        return {t: signer_field(t) for t in self.msg_handlers()}

    # ---- genesis -------------------------------------------------------------------------

    def default_genesis(self) -> GenesisSection:
        """The module's genesis section for a fresh chain."""
        return {}

    def init_genesis(self, ctx: Context, data: GenesisSection) -> None:
        """Validate the section and write it to the store (refuse invalid data)."""

    def export_genesis(self, ctx: Context) -> GenesisSection:
        """The module's whole state as a canonical genesis section.

        Importing the export into a fresh app must recreate exactly the same KV pairs, so
        the app hash after import equals the exporting app's (specs/app.md "Genesis").
        """
        return {}

    # ---- blocks --------------------------------------------------------------------------

    def begin_block(self, ctx: Context) -> None:
        """Work at the start of every block, before its txs."""

    def end_block(self, ctx: Context) -> None:
        """Work at the end of every block, after its txs (settle what is due)."""

    def next_due(self, ctx: Context) -> Due:
        """The earliest height/time at which begin_block or end_block has work; O(log n)."""
        return NOTHING_DUE

    def invariants(self) -> Sequence[Invariant]:
        """The module's state invariants."""
        return ()

    # ---- ABCI++ (optional; the app calls only modules that override them) -----------------

    def pre_block(self, ctx: Context, txs: tuple[bytes, ...]) -> int:
        """How many leading txs of the block are this module's pseudo-txs (e.g. the
        extended commit a proposer injects); the app does not run them as txs. Called
        before begin_block with the txs the previous modules did not claim."""
        return 0

    def prepare_proposal(
        self, ctx: Context, req: PrepareProposalRequest, txs: tuple[bytes, ...]
    ) -> tuple[bytes, ...]:
        """Rewrite the proposal's txs (txs: what the app and earlier modules chose)."""
        return txs

    def process_proposal(self, ctx: Context, req: ProcessProposalRequest) -> bool:
        """Whether this module accepts the proposed block."""
        return True

    def extend_vote(self, ctx: Context, req: ExtendVoteRequest) -> bytes:
        """This validator's vote extension for the block at req.height."""
        return b""

    def verify_vote_extension(self, ctx: Context, req: VerifyVoteExtensionRequest) -> bool:
        """Whether another validator's vote extension is acceptable."""
        return True

    # ---- queries -------------------------------------------------------------------------

    def queries(self) -> object | None:
        """An object whose public methods `(ctx, ...) -> value` answer read-only queries."""
        return None


def overrides(module: Module, hook: str) -> bool:
    """Whether module implements hook itself rather than inheriting Module's no-op."""
    return getattr(type(module), hook) is not getattr(Module, hook)


class Keepers:
    """The keepers built so far, by module name, handed to each module's factory.

    Factories run in module order, so a module can use the keepers of the modules listed
    before it. A later module that must hook into an earlier one (x/pouw replacing the
    distribution allocator) does it from its own factory through the earlier keeper.
    """

    __slots__ = ("_by_name", "chain_id")

    def __init__(self, chain_id: str = "") -> None:
        self.chain_id = chain_id
        self._by_name: dict[str, object] = {}

    def add(self, name: str, keeper: object) -> None:
        """Register a module's keeper."""
        if name in self._by_name:
            raise ValueError(f"keeper {name!r} registered twice")
        self._by_name[name] = keeper

    def get(self, name: str, cls: type[T]) -> T:
        """The keeper of module `name`, checked to be a `cls`."""
        keeper = self._by_name.get(name)
        if not isinstance(keeper, cls):
            raise KeyError(f"no {cls.__name__} registered as {name!r}")
        return keeper

    def has(self, name: str) -> bool:
        """Whether module `name` has been built."""
        return name in self._by_name

    # Typed shortcuts to the base modules' keepers (imported lazily: x/ imports this module).

    @property
    def auth(self) -> AuthKeeper:
        """The x/auth keeper."""
        from dait_chain.x.auth.keeper import AuthKeeper

        return self.get("auth", AuthKeeper)

    @property
    def bank(self) -> BankKeeper:
        """The x/bank keeper."""
        from dait_chain.x.bank.keeper import BankKeeper

        return self.get("bank", BankKeeper)

    @property
    def staking(self) -> StakingKeeper:
        """The x/staking keeper."""
        from dait_chain.x.staking.keeper import StakingKeeper

        return self.get("staking", StakingKeeper)

    @property
    def distribution(self) -> DistributionKeeper:
        """The x/distribution keeper."""
        from dait_chain.x.distribution.keeper import DistributionKeeper

        return self.get("distribution", DistributionKeeper)


ModuleFactory = Callable[[Keepers], Module]


__all__ = [
    "NOTHING_DUE",
    "Due",
    "GenesisSection",
    "Invariant",
    "Keepers",
    "Module",
    "ModuleFactory",
    "MsgHandler",
    "overrides",
    "signer_field",
]
