"""A small deterministic chain for tests, benchmarks and examples (specs/app.md "Genesis").

    chain = TestChain.start()                     # alice, bob, carol funded; one validator
    res = chain.block(chain.tx(chain.alice, MsgSend(...)))
    assert res.tx_results[0].ok

Actors' keys come from their names (sha256 of the name as the seed), block times follow
the harness default `time(h) = genesis_time + (h - 1) * 999` (decisions.md), and the
account number and sequence of a tx are read from the committed state unless given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from dait_chain.app.abci import FinalizeBlockRequest, FinalizeBlockResult
from dait_chain.app.app import DaitApp
from dait_chain.app.context import Context
from dait_chain.app.genesis import GenesisSpec, GenesisValidator, build_genesis
from dait_chain.app.module import ModuleFactory
from dait_chain.app.tx import build_tx
from dait_chain.codec.value import ProtoValue
from dait_chain.crypto import secp256k1
from dait_chain.crypto.address import address_from_pubkey
from dait_chain.crypto.hashing import sha256
from dait_chain.x.auth.module import new_module as new_auth
from dait_chain.x.bank.module import new_module as new_bank
from dait_chain.x.distribution.module import new_module as new_distribution
from dait_chain.x.staking.module import new_module as new_staking

BLOCK_INTERVAL_MS = 999  # decisions.md: blocks are nominally 999 ms apart

# The base modules alone (specs/app.md §2 rows 1-4), for tests that must not depend on the
# rest of the default set.
BASE_MODULES: tuple[ModuleFactory, ...] = (new_auth, new_bank, new_staking, new_distribution)


@dataclass(frozen=True, slots=True)
class Actor:
    """A named key pair and its address."""

    name: str
    privkey: bytes
    pubkey: bytes
    address: str


def actor(name: str) -> Actor:
    """The actor whose key is derived from its name."""
    priv = secp256k1.privkey_from_seed(sha256(b"dait-testkit/" + name.encode()))
    pub = secp256k1.pubkey_from_privkey(priv)
    return Actor(name, priv, pub, address_from_pubkey(pub))


@dataclass
class TestChain:
    """A DaitApp with named actors and helpers to sign txs and run blocks."""

    app: DaitApp
    spec: GenesisSpec
    actors: dict[str, Actor] = field(default_factory=dict)

    __test__ = False  # not a pytest test class

    @classmethod
    def start(
        cls,
        *,
        users: Sequence[str] = ("alice", "bob", "carol"),
        balance: int = 1_000_000_000_000,
        validators: Sequence[tuple[str, int]] = (("val0", 10_000_000_000),),
        modules: Sequence[ModuleFactory] | None = None,
        sections: Mapping[str, dict[str, Any]] | None = None,
        **spec_fields: Any,
    ) -> TestChain:
        """A chain whose users hold `balance` uDAIT each and whose validators (name,
        self-bond) hold only their bond; extra GenesisSpec fields pass through."""
        actors = {name: actor(name) for name in users}
        vals = []
        for name, bond in validators:
            a = actor(name)
            actors[name] = a
            vals.append(GenesisValidator(a.address, a.pubkey, bond))
        spec = GenesisSpec(
            accounts=tuple((actors[n].address, balance) for n in users),
            validators=tuple(vals),
            sections=dict(sections or {}),
            **spec_fields,
        )
        app = DaitApp(modules)
        app.init_chain(build_genesis(spec))
        return cls(app, spec, actors)

    def __getattr__(self, name: str) -> Actor:
        actors = self.__dict__.get("actors", {})
        if name in actors:
            return actors[name]  # type: ignore[no-any-return]
        raise AttributeError(name)

    # ---- txs -----------------------------------------------------------------------------

    def account(self, who: Actor) -> tuple[int, int]:
        """(account_number, sequence) of an actor's account in the committed state."""
        acc = self.app.auth.account(self.ctx(), who.address)
        if acc is None:
            return 0, 0
        return acc.account_number, acc.sequence

    def tx(
        self,
        who: Actor,
        *msgs: ProtoValue,
        fee: int | None = None,
        sequence: int | None = None,
        account_number: int | None = None,
        chain_id: str | None = None,
        **options: Any,
    ) -> bytes:
        """A tx of msgs signed by who (fee defaults to min_fee)."""
        number, seq = self.account(who)
        return build_tx(
            list(msgs),
            who.privkey,
            self.app.chain_id if chain_id is None else chain_id,
            number if account_number is None else account_number,
            seq if sequence is None else sequence,
            self.spec.auth_params.min_fee if fee is None else fee,
            **options,
        )

    # ---- blocks --------------------------------------------------------------------------

    def time_of(self, height: int) -> int:
        """The default block time of height."""
        return self.spec.genesis_time_ms + (height - 1) * BLOCK_INTERVAL_MS

    def block(
        self,
        *txs: bytes,
        height: int | None = None,
        time_ms: int | None = None,
        proposer: str | None = None,
    ) -> FinalizeBlockResult:
        """Finalize the next block (or the given height) with txs."""
        h = self.app.height + 1 if height is None else height
        req = FinalizeBlockRequest(
            h,
            self.time_of(h) if time_ms is None else time_ms,
            self.spec.validators[0].operator if proposer is None else proposer,
            tuple(txs),
        )
        return self.app.finalize_block(req)

    def ctx(self) -> Context:
        """A query context on the committed state."""
        return self.app.query_context()

    def balance(self, who: Actor | str) -> int:
        """The uDAIT balance of an actor or address."""
        address = who.address if isinstance(who, Actor) else who
        return self.app.bank.balance(self.ctx(), address)

    def with_spec(self, **changes: Any) -> GenesisSpec:
        """This chain's genesis spec with some fields changed."""
        return replace(self.spec, **changes)


__all__ = ["BASE_MODULES", "BLOCK_INTERVAL_MS", "Actor", "TestChain", "actor"]
