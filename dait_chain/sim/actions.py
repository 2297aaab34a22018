"""Scenario actions: a registry of compilers from YAML arguments to signed txs.

specs/harness.md "Actions". A module makes its messages usable in scenarios by
registering an action from its `simulation.py`:

    from dait_chain.sim.actions import ActionContext, register_action

    def compile_open_channel(ctx: ActionContext) -> None:
        user = ctx.actor_arg("user")
        ctx.submit(user, MsgOpenChannel(user.address, ...), after=remember_channel_id)

    register_action("open_channel", compile_open_channel, module="state_channel",
                    summary="open a channel from user to host")

A compiler reads its arguments through the context (every argument must be read, so a
misspelt one is an error at its line), may read the committed state (`ctx.query()`,
`ctx.keeper(...)`), keeps named objects for later actions (`ctx.remember` / `ctx.recall`),
and submits zero or more txs. Off-chain actions (SPUR-IC sessions) submit nothing and only
remember what they produced. The core actions send, delegate and undelegate are here.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from dait_chain.app.abci import TxResult
from dait_chain.app.app import DaitApp
from dait_chain.app.context import Context
from dait_chain.codec.tx import MsgSend
from dait_chain.codec.value import ProtoValue
from dait_chain.crypto.address import address_from_pubkey, validate_address
from dait_chain.crypto.errors import CryptoError
from dait_chain.crypto.secp256k1 import privkey_from_seed, pubkey_from_privkey
from dait_chain.sim.errors import ErrActionCompile, ErrActionRegistered
from dait_chain.sim.scenario import YDict, parse_amount_value, parse_duration_ms
from dait_chain.spurc.simworld import account_privkey
from dait_chain.x.bank.coins import coin
from dait_chain.x.staking.types import MsgDelegate, MsgUndelegate

T = TypeVar("T")

# The seed namespace of validators' consensus keys (accounts use spurc.simworld's, so a
# scenario's hosts are the same parties as SPUR-IC's simulated world).
CONSENSUS_SEED_PREFIX = b"dait-sim/consensus/"

# Modules whose simulation.py may register actions; imported by load_module_actions.
MODULE_SIMULATIONS = (
    "state_channel",
    "compute_market",
    "staking_tiers",
    "tee_attest",
    "pouw",
)
# The harness's own plugins for modules whose simulation.py registers none.
BUILTIN_PLUGINS = ("dait_chain.sim.plugins.state_channel", "dait_chain.sim.plugins.pouw")


@dataclass(frozen=True, slots=True)
class Actor:
    """A named scenario actor: its account key and address."""

    name: str
    key_seed: str
    privkey: bytes
    pubkey: bytes
    address: str
    consensus_privkey: bytes


def make_actor(name: str, key_seed: str | None = None) -> Actor:
    """The actor `name`: account key privkey_from_seed("dait-sim/spurc/account/" + seed)
    (spurc.simworld.account_privkey), consensus key privkey_from_seed("dait-sim/consensus/"
    + seed); the seed is the name unless key_seed is given."""
    seed = key_seed if key_seed is not None else name
    privkey = account_privkey(seed)
    pubkey = pubkey_from_privkey(privkey)
    return Actor(
        name,
        seed,
        privkey,
        pubkey,
        address_from_pubkey(pubkey),
        privkey_from_seed(CONSENSUS_SEED_PREFIX + seed.encode()),
    )


@dataclass(frozen=True, slots=True)
class TxPlan:
    """A tx an action wants in the block: its signer, messages, and a result callback."""

    signer: Actor
    msgs: tuple[ProtoValue, ...]
    fee: int | None = None
    memo: str = ""
    after: Callable[[TxResult], None] | None = None


@dataclass
class CompileWorld:
    """What actions share while a scenario compiles: actors and named objects.

    Named objects are keyed (kind, name), e.g. ("channel", "c1") -> channel id bytes,
    ("session", "s1") -> an off-chain session. Values are whatever the module stores.
    """

    actors: dict[str, Actor]
    seed: int
    objects: dict[tuple[str, str], Any] = field(default_factory=dict)


ActionCompiler = Callable[["ActionContext"], None]


@dataclass(frozen=True, slots=True)
class RegisteredAction:
    """An action name, its compiler, the module it belongs to and a one-line summary."""

    name: str
    compiler: ActionCompiler
    module: str
    summary: str


_ACTIONS: dict[str, RegisteredAction] = {}


def register_action(
    name: str, compiler: ActionCompiler, *, module: str = "", summary: str = ""
) -> None:
    """Register a scenario action. Registering the same compiler again is a no-op (a
    module imported twice); another compiler under a taken name is ErrActionRegistered."""
    existing = _ACTIONS.get(name)
    if existing is not None:
        if existing.compiler is compiler:
            return
        raise ErrActionRegistered(f"{name!r} is already registered by {existing.module!r}")
    _ACTIONS[name] = RegisteredAction(name, compiler, module, summary)


def get_action(name: str) -> RegisteredAction | None:
    """The registered action called name, or None."""
    return _ACTIONS.get(name)


def registered_actions() -> tuple[RegisteredAction, ...]:
    """Every registered action, by name."""
    return tuple(_ACTIONS[name] for name in sorted(_ACTIONS))


def load_module_actions() -> tuple[str, ...]:
    """Import every module's simulation.py (which registers its actions) and the harness's
    own plugins; a module that does not exist yet is skipped. Returns what was imported."""
    loaded: list[str] = []
    for module in MODULE_SIMULATIONS:
        name = f"dait_chain.x.{module}.simulation"
        if _import_if_present(name):
            loaded.append(name)
    for name in BUILTIN_PLUGINS:
        if _import_if_present(name):
            loaded.append(name)
    return tuple(loaded)


def _import_if_present(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as exc:
        # Only the module itself (or its package) missing counts as "not yet available";
        # a broken import inside an existing module must surface.
        if exc.name is not None and name.startswith(exc.name):
            return False
        raise
    return True


# ---- the context a compiler works in -------------------------------------------------------


class ActionContext:
    """One action occurrence being compiled into the block at `height`."""

    def __init__(
        self,
        *,
        action: str,
        args: YDict,
        path: str,
        line: int,
        height: int,
        time_ms: int,
        app: DaitApp,
        world: CompileWorld,
        rng: random.Random,
        fee: int | None = None,
        memo: str = "",
    ) -> None:
        self.action = action
        self.args = args
        self.path = path
        self.line = line
        self.height = height
        self.time_ms = time_ms
        self.app = app
        self.world = world
        self.rng = rng
        self.fee = fee
        self.memo = memo
        self.plans: list[TxPlan] = []
        self._read: set[str] = set()

    @property
    def chain_id(self) -> str:
        """The chain's id."""
        return self.app.chain_id

    # ---- errors and arguments ------------------------------------------------------------

    def fail(self, what: str, key: str | None = None) -> ErrActionCompile:
        """An ErrActionCompile located at the action (or at one of its arguments)."""
        line = self.args.line_of(key) if key is not None else self.line
        return ErrActionCompile(f"{self.action}: {what}", path=self.path, line=line)

    def check_all_read(self) -> None:
        """Refuse arguments the compiler never read (a misspelt name)."""
        for key in self.args:
            if key not in self._read:
                raise self.fail(f"unknown argument {key!r}", key)

    def has(self, key: str) -> bool:
        """Whether the argument is given."""
        self._read.add(key)
        return key in self.args

    def arg(self, key: str, default: T) -> Any | T:
        """The raw argument value, or default."""
        self._read.add(key)
        return self.args.get(key, default)

    def _required(self, key: str) -> Any:
        self._read.add(key)
        if key not in self.args:
            raise self.fail(f"missing argument {key!r}")
        return self.args[key]

    def str_arg(self, key: str, default: str | None = None) -> str:
        """A string argument."""
        value = self._required(key) if default is None else self.arg(key, default)
        if not isinstance(value, str):
            raise self.fail(f"{key}: expected a string, got {value!r}", key)
        return value

    def int_arg(
        self, key: str, default: int | None = None, *, low: int = 0, high: int = (1 << 64) - 1
    ) -> int:
        """An integer argument in [low, high]."""
        value = self._required(key) if default is None else self.arg(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{key}: expected an integer, got {value!r}", key)
        if not low <= value <= high:
            raise self.fail(f"{key}: {value} outside [{low}, {high}]", key)
        return value

    def bool_arg(self, key: str, default: bool) -> bool:
        """A boolean argument."""
        value = self.arg(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{key}: expected true or false, got {value!r}", key)
        return value

    def amount_arg(self, key: str, default: int | None = None) -> int:
        """An amount in uDAIT (an int, or "1.5 DAIT", "300 uDAIT")."""
        value = self._required(key) if default is None else self.arg(key, default)
        try:
            return parse_amount_value(value)
        except ValueError as exc:
            raise self.fail(f"{key}: {exc}", key) from None

    def duration_arg(self, key: str, default: int | None = None) -> int:
        """A duration in ms (an int, or "90s", "2h", "1d12h")."""
        value = self._required(key) if default is None else self.arg(key, default)
        try:
            return parse_duration_ms(value)
        except ValueError as exc:
            raise self.fail(f"{key}: {exc}", key) from None

    def actor(self, name: str, key: str | None = None) -> Actor:
        """The actor called name."""
        actor = self.world.actors.get(name)
        if actor is None:
            raise self.fail(f"unknown actor {name!r}", key)
        return actor

    def actor_arg(self, key: str) -> Actor:
        """The actor named by an argument."""
        return self.actor(self.str_arg(key), key)

    def address_arg(self, key: str) -> str:
        """An address argument: an actor's name, or a dait1... address."""
        value = self.str_arg(key)
        if value in self.world.actors:
            return self.world.actors[value].address
        try:
            validate_address(value)
        except CryptoError:
            raise self.fail(f"{key}: {value!r} is neither an actor nor an address", key) from None
        return value

    # ---- state ---------------------------------------------------------------------------

    def query(self) -> Context:
        """A read-only context on the state committed before this block."""
        return self.app.query_context()

    def keeper(self, module: str, cls: type[T]) -> T:
        """The keeper of a module of the app, checked to be a cls."""
        try:
            return self.app.keepers.get(module, cls)
        except KeyError:
            raise self.fail(f"module {module!r} is not in this app") from None

    def remember(self, kind: str, name: str, value: object) -> None:
        """Keep a named object for later actions (a later remember replaces it)."""
        self.world.objects[(kind, name)] = value

    def recall(self, kind: str, name: str, key: str | None = None) -> Any:
        """A named object an earlier action kept."""
        try:
            return self.world.objects[(kind, name)]
        except KeyError:
            raise self.fail(f"no {kind} named {name!r} (yet)", key) from None

    # ---- output --------------------------------------------------------------------------

    def submit(
        self,
        signer: Actor,
        *msgs: ProtoValue,
        after: Callable[[TxResult], None] | None = None,
    ) -> None:
        """Put a tx signed by signer with msgs into this block (after: called with its
        result once the block ran)."""
        if not msgs:
            raise self.fail("a tx needs at least one message")
        self.plans.append(TxPlan(signer, tuple(msgs), self.fee, self.memo, after))


# ---- core actions ----------------------------------------------------------------------------


def compile_send(ctx: ActionContext) -> None:
    """send {from, to, amount}: bank MsgSend."""
    sender = ctx.actor_arg("from")
    to = ctx.address_arg("to")
    ctx.submit(sender, MsgSend(sender.address, to, (coin(ctx.amount_arg("amount")),)))


def compile_delegate(ctx: ActionContext) -> None:
    """delegate {delegator, validator, amount}: staking MsgDelegate."""
    delegator = ctx.actor_arg("delegator")
    validator = ctx.address_arg("validator")
    amount = coin(ctx.amount_arg("amount"))
    ctx.submit(delegator, MsgDelegate(delegator.address, validator, amount))


def compile_undelegate(ctx: ActionContext) -> None:
    """undelegate {delegator, validator, amount}: staking MsgUndelegate."""
    delegator = ctx.actor_arg("delegator")
    validator = ctx.address_arg("validator")
    amount = coin(ctx.amount_arg("amount"))
    ctx.submit(delegator, MsgUndelegate(delegator.address, validator, amount))


register_action("send", compile_send, module="bank", summary="send {from, to, amount}")
register_action(
    "delegate",
    compile_delegate,
    module="staking",
    summary="delegate {delegator, validator, amount}",
)
register_action(
    "undelegate",
    compile_undelegate,
    module="staking",
    summary="undelegate {delegator, validator, amount}",
)


__all__ = [
    "ActionCompiler",
    "ActionContext",
    "Actor",
    "CompileWorld",
    "RegisteredAction",
    "TxPlan",
    "get_action",
    "load_module_actions",
    "make_actor",
    "register_action",
    "registered_actions",
]
