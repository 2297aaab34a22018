"""App-level helpers: the market on a real DaitApp, driven by signed txs in blocks.

`refusal_leaves_no_trace` is the check every rejection test makes: the same setup is
built twice; one chain's next block carries the refused tx, the twin's next block is
empty. The refused tx must report exactly the expected (codespace, code), emit none of
the module's events, and the two exports must differ only by the signer's fee (paid to
the fee collector), its sequence bump and, on its first tx, its recorded public key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dait_chain.app.abci import TxResult
from dait_chain.app.testkit import Actor, TestChain
from dait_chain.codec.value import ProtoValue
from dait_chain.crypto.address import module_address
from dait_chain.crypto.secp256k1 import privkey_from_seed, pubkey_from_privkey
from dait_chain.errors import DaitError
from dait_chain.x.compute_market.params import Params
from dait_chain.x.compute_market.types import (
    Attribute,
    JobSpec,
    MsgCreateDeployment,
    MsgRegisterProvider,
    MsgUpdateProvider,
)

USERS = ("tenant", "heavy", "p1", "p2", "p3", "outsider")
MY_MODULES = ("compute_market", "staking_tiers")


def tee_key(name: str) -> bytes:
    return pubkey_from_privkey(privkey_from_seed(b"tee/" + name.encode()))


def start(params: Params | None = None, **kwargs: Any) -> TestChain:
    """A chain with the test users funded, and compute_market params if given."""
    sections: dict[str, dict[str, Any]] = {}
    if params is not None:
        from dait_chain.x.compute_market.genesis import GenesisState

        sections["compute_market"] = GenesisState(params=params).to_json()
    return TestChain.start(users=USERS, sections=sections, **kwargs)


def ok(chain: TestChain, who: Actor, *msgs: ProtoValue) -> TxResult:
    """Run msgs in one tx in the next block; fail the test if the tx is refused."""
    result = chain.block(chain.tx(who, *msgs)).tx_results[0]
    assert result.ok, result.log
    return result


def register_msg(
    chain: TestChain, name: str, capacity: int = 1, gpu_class: str = "hopper"
) -> MsgRegisterProvider:
    return MsgRegisterProvider(
        provider=chain.actors[name].address,
        host_uri=f"grpcs://{name}.example:443",
        tee_pubkey=tee_key(name),
        capacity=capacity,
        attributes=(Attribute("gpu_class", gpu_class), Attribute("region", "na-east")),
    )


def as_update(msg: MsgRegisterProvider) -> MsgUpdateProvider:
    """The MsgUpdateProvider with the same fields."""
    return MsgUpdateProvider(
        provider=msg.provider,
        host_uri=msg.host_uri,
        tee_pubkey=msg.tee_pubkey,
        capacity=msg.capacity,
        attributes=msg.attributes,
    )


def job(ceiling: int = 50, duration: int = 3600) -> JobSpec:
    """Seed 000's minimal SDL job."""
    return JobSpec(
        model="qwen2.5-32b-instruct",
        attributes=(Attribute("gpu_class", "hopper-or-newer"), Attribute("region", "na-east")),
        replayable=True,
        price_ceiling_uDAIT=ceiling,
        duration_blocks=duration,
    )


def deploy_msg(chain: TestChain, who: str = "tenant", **kw: int) -> MsgCreateDeployment:
    spec = job(**kw)
    return MsgCreateDeployment(
        owner=chain.actors[who].address,
        job=spec,
        escrow_uDAIT=spec.price_ceiling_uDAIT * spec.duration_blocks,
    )


def my_event_types(result: TxResult) -> list[str]:
    return [e.type for e in result.events if e.get("module") in MY_MODULES]


def _accounts(export: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["address"]: a for a in export["auth"]["accounts"]}


def _balances(export: dict[str, Any]) -> dict[str, int]:
    return {b["address"]: int(b["amount"]) for b in export["bank"]["balances"]}


def refusal_leaves_no_trace(
    setup: Callable[[], tuple[TestChain, Actor, ProtoValue]],
    error: type[DaitError],
) -> TxResult:
    """Build `setup` twice; refuse its message on one chain, run an empty block on the
    other; the refusal must be exactly `error` and change nothing but fee and sequence."""
    chain, signer, msg = setup()
    twin, _, _ = setup()
    assert chain.app.app_hash == twin.app.app_hash
    fee = chain.spec.auth_params.min_fee
    result = chain.block(chain.tx(signer, msg)).tx_results[0]
    twin.block()
    assert (result.codespace, result.code) == (error.codespace, error.code), result.log
    assert my_event_types(result) == []
    after, without = chain.app.export_genesis(), twin.app.export_genesis()
    for section in after:
        if section not in ("auth", "bank"):
            assert after[section] == without[section], section
    accounts, twin_accounts = _accounts(after), _accounts(without)
    assert int(accounts[signer.address].get("sequence", "0")) == (
        int(twin_accounts[signer.address].get("sequence", "0")) + 1
    )
    # The ante also records the signer's public key on its first tx (Cosmos does too).
    for record in (accounts[signer.address], twin_accounts[signer.address]):
        record.pop("sequence", None)
        record.pop("pub_key", None)
    assert accounts == twin_accounts
    balances, twin_balances = _balances(after), _balances(without)
    collector = module_address("fee_collector")
    assert balances.pop(signer.address, 0) == twin_balances.pop(signer.address, 0) - fee
    assert balances.pop(collector, 0) == twin_balances.pop(collector, 0) + fee
    assert balances == twin_balances
    assert after["bank"]["supply"] == without["bank"]["supply"]
    assert chain.app.check_invariants() == []
    return result
