"""A compute market over a bare store, for keeper-level and property tests.

The keepers are wired as the app wires them (auth -> bank -> staking_tiers ->
compute_market); blocks are stepped by hand: `tx(...)` runs one message on a cache branch
(written on success, discarded on a refusal, as the app does), `end_block()` runs the
EndBlockers of staking_tiers and compute_market and moves to the next height.
The app-level tests (test_market_txs.py) drive the same rules through signed txs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from dait_chain.app.context import Context, ExecMode
from dait_chain.app.events import Event
from dait_chain.crypto.address import address_from_pubkey
from dait_chain.crypto.secp256k1 import privkey_from_seed, pubkey_from_privkey
from dait_chain.errors import DaitError
from dait_chain.store.kv import KVStore
from dait_chain.x.auth.keeper import MINTER, AuthKeeper
from dait_chain.x.bank.keeper import BankKeeper
from dait_chain.x.compute_market import abci
from dait_chain.x.compute_market import genesis as cm_genesis
from dait_chain.x.compute_market.invariants import invariants as cm_invariants
from dait_chain.x.compute_market.keeper import Keeper
from dait_chain.x.compute_market.keys import DEPOSIT_ACCOUNT, ESCROW_ACCOUNT
from dait_chain.x.compute_market.params import Params
from dait_chain.x.compute_market.types import (
    Attribute,
    JobSpec,
    MsgCreateDeployment,
    MsgRegisterProvider,
)
from dait_chain.x.staking_tiers import genesis as st_genesis
from dait_chain.x.staking_tiers.invariants import invariants as st_invariants
from dait_chain.x.staking_tiers.keeper import Keeper as TiersKeeper
from dait_chain.x.staking_tiers.keys import LOCK_ACCOUNT
from dait_chain.x.staking_tiers.params import Params as TiersParams

FAUCET = "test_faucet"
BLOCK_MS = 999
GENESIS_TIME_MS = 1_700_000_000_000


def address(name: str) -> str:
    """A deterministic account address for a test actor."""
    return address_from_pubkey(pubkey_from_privkey(privkey_from_seed(name.encode())))


def tee_key(name: str) -> bytes:
    """A deterministic compressed secp256k1 key for a provider's TEE."""
    return pubkey_from_privkey(privkey_from_seed(b"tee/" + name.encode()))


@dataclass
class Market:
    """Keepers over one store, with a block height and time."""

    params: Params = field(default_factory=Params)
    tier_params: TiersParams = field(default_factory=TiersParams)
    height: int = 1
    store: KVStore = field(default_factory=KVStore)
    end_events: list[Event] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.auth = AuthKeeper()
        self.auth.register_module_account(FAUCET, MINTER)
        self.auth.register_module_account(ESCROW_ACCOUNT)
        self.auth.register_module_account(DEPOSIT_ACCOUNT)
        self.auth.register_module_account(LOCK_ACCOUNT)
        self.bank = BankKeeper(self.auth)
        self.tiers = TiersKeeper(self.bank)
        self.keeper = Keeper(self.bank, self.tiers)
        ctx = self.ctx(ExecMode.GENESIS)
        st_genesis.init_genesis(
            self.tiers, ctx, st_genesis.GenesisState(params=self.tier_params).to_json()
        )
        cm_genesis.init_genesis(
            self.keeper, ctx, cm_genesis.GenesisState(params=self.params).to_json()
        )

    @property
    def time_ms(self) -> int:
        return GENESIS_TIME_MS + (self.height - 1) * BLOCK_MS

    def ctx(self, mode: ExecMode = ExecMode.TX) -> Context:
        return Context("dait-test", self.height, self.time_ms, "", self.store, mode=mode)

    def fund(self, who: str, amount: int) -> None:
        ctx = self.ctx()
        self.bank.mint(ctx, FAUCET, amount)
        self.bank.send_from_module(ctx, FAUCET, who, amount)

    def tx(self, fn: Callable[[Context], object]) -> tuple[Event, ...]:
        """Run one message on a branch; on a refusal nothing of it remains."""
        branch, write = self.ctx().branch()
        fn(branch)
        events = branch.events.events
        write()
        return events

    def try_tx(self, fn: Callable[[Context], object]) -> DaitError | None:
        """Run one message; return its refusal (if any) instead of raising."""
        try:
            self.tx(fn)
        except DaitError as exc:
            return exc
        return None

    def end_block(self) -> tuple[Event, ...]:
        """The EndBlockers of this height, then advance to the next height."""
        ctx = self.ctx(ExecMode.END_BLOCK)
        self.tiers.complete_matured_unbondings(ctx)
        abci.end_blocker(self.keeper, ctx)
        events = ctx.events.events
        self.end_events.extend(events)
        self.height += 1
        return events

    def run_to(self, height: int) -> None:
        """End blocks until the current height is `height` (its txs not yet run)."""
        while self.height < height:
            self.end_block()

    def balance(self, who: str) -> int:
        return self.bank.balance(self.ctx(), who)

    def broken_invariants(self) -> list[str]:
        ctx = self.ctx(ExecMode.QUERY)
        out = []
        for inv in (*cm_invariants(self.keeper), *st_invariants(self.tiers)):
            message, broken = inv.check(ctx)
            if broken:
                out.append(f"{inv.name}: {message}")
        return out

    # --- common actions -----------------------------------------------------------------------

    def register(
        self,
        name: str,
        capacity: int = 1,
        gpu_class: str = "hopper",
        region: str = "na-east",
        fund: int = 100_000_000,
    ) -> str:
        who = address(name)
        self.fund(who, fund)
        msg = MsgRegisterProvider(
            provider=who,
            host_uri=f"grpcs://{name}.example:443",
            tee_pubkey=tee_key(name),
            capacity=capacity,
            attributes=(Attribute("gpu_class", gpu_class), Attribute("region", region)),
        )
        self.tx(lambda c: self.keeper.register_provider(c, msg))
        return who

    def deploy(
        self,
        owner: str,
        ceiling: int = 50,
        duration: int = 3600,
        escrow: int | None = None,
        filters: tuple[Attribute, ...] = (Attribute("gpu_class", "hopper-or-newer"),),
    ) -> int:
        job = JobSpec(
            model="qwen2.5-32b-instruct",
            attributes=filters,
            replayable=True,
            price_ceiling_uDAIT=ceiling,
            duration_blocks=duration,
        )
        msg = MsgCreateDeployment(
            owner=owner, job=job, escrow_uDAIT=ceiling * duration if escrow is None else escrow
        )
        out: list[int] = []
        self.tx(lambda c: out.append(self.keeper.create_deployment(c, msg)))
        return out[0]

    def bid(self, provider: str, deployment_id: int, price: int) -> DaitError | None:
        return self.try_tx(lambda c: self.keeper.create_bid(c, provider, deployment_id, price))

    def events_of(self, type_: str) -> list[dict[str, str]]:
        return [e.as_dict() for e in self.end_events if e.type == type_]
