"""The gov authority is app configuration carried by the genesis document (specs/app.md
§6 `gov_authority`): every gov-gated keeper (x/tee_attest, x/pouw) takes it at InitChain;
absent, the keepers keep what the wiring gave them (the gov module account by default).
"""

from __future__ import annotations

from typing import Any

import pytest

from dait_chain.app.app import DaitApp
from dait_chain.app.errors import ErrInvalidGenesis
from dait_chain.app.genesis import DEFAULT_GOV_AUTHORITY, GOV_AUTHORITY_FIELD, build_genesis
from dait_chain.app.testkit import TestChain, actor
from dait_chain.crypto.address import encode_address
from dait_chain.crypto.hashing import sha256
from dait_chain.spurc.simworld import sim_vendor
from dait_chain.x.pouw.keeper import PouwKeeper
from dait_chain.x.pouw.simulation import app_modules
from dait_chain.x.tee_attest.errors import ErrUnauthorized
from dait_chain.x.tee_attest.keeper import TeeAttestKeeper
from dait_chain.x.tee_attest.params import Params
from dait_chain.x.tee_attest.types import MsgUpdateParams

GOV = actor("gov-signer")


def authorities(app: DaitApp) -> tuple[str, str]:
    tee = app.module("tee_attest").keeper
    pouw = app.module("pouw").keeper
    assert isinstance(tee, TeeAttestKeeper) and isinstance(pouw, PouwKeeper)
    return tee.authority, pouw.authority


def new_policy() -> Params:
    return Params(trusted_roots=(sim_vendor().root_pubkey,))


def test_default_authority_is_the_gov_module_account() -> None:
    # Cosmos: authtypes.NewModuleAddress("gov") = sha256("gov")[:20].
    assert encode_address(sha256(b"gov")[:20]) == DEFAULT_GOV_AUTHORITY
    chain = TestChain.start()
    assert authorities(chain.app) == (DEFAULT_GOV_AUTHORITY, DEFAULT_GOV_AUTHORITY)
    assert GOV_AUTHORITY_FIELD not in chain.app.export_genesis()


def test_genesis_gov_authority_is_handed_to_every_gov_gated_keeper() -> None:
    chain = TestChain.start(users=("alice", "gov-signer"), gov_authority=GOV.address)
    assert authorities(chain.app) == (GOV.address, GOV.address)


def test_the_configured_authority_signs_a_gov_gated_message() -> None:
    chain = TestChain.start(users=("alice", "gov-signer"), gov_authority=GOV.address)
    result = chain.block(chain.tx(GOV, MsgUpdateParams(GOV.address, new_policy()))).tx_results[0]
    assert result.ok, result.log
    keeper = chain.app.module("tee_attest").keeper
    assert isinstance(keeper, TeeAttestKeeper)
    assert keeper.get_params(chain.ctx()) == new_policy()


def test_without_the_field_the_same_signer_is_refused_as_unauthorized() -> None:
    chain = TestChain.start(users=("alice", "gov-signer"))
    result = chain.block(chain.tx(GOV, MsgUpdateParams(GOV.address, new_policy()))).tx_results[0]
    assert (result.codespace, result.code) == (ErrUnauthorized.codespace, ErrUnauthorized.code)


@pytest.mark.parametrize(
    "value",
    [
        "dait1nope",  # not bech32
        GOV.address.upper(),  # a valid but non-canonical spelling
        "cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnrql8a",  # valid bech32, another prefix
        7,  # not a string
        "",
    ],
)
def test_gov_authority_that_is_not_a_canonical_address_is_refused_and_changes_nothing(
    value: Any,
) -> None:
    doc = build_genesis(TestChain.start().spec)
    doc[GOV_AUTHORITY_FIELD] = value
    app = DaitApp()
    before = app.app_hash
    with pytest.raises(ErrInvalidGenesis):
        app.init_chain(doc)
    assert app.app_hash == before and app.chain_id == ""
    assert authorities(app) == (DEFAULT_GOV_AUTHORITY, DEFAULT_GOV_AUTHORITY)


def test_a_refused_section_leaves_the_keepers_authority_unchanged() -> None:
    doc = build_genesis(TestChain.start().spec)
    doc[GOV_AUTHORITY_FIELD] = GOV.address
    doc["tee_attest"] = {"params": {"trusted_roots": ["AA=="]}}  # not a public key
    app = DaitApp()
    with pytest.raises(ErrInvalidGenesis):
        app.init_chain(doc)
    assert authorities(app) == (DEFAULT_GOV_AUTHORITY, DEFAULT_GOV_AUTHORITY)


def test_export_carries_the_authority_and_its_import_continues_the_chain() -> None:
    chain = TestChain.start(users=("alice", "gov-signer"), gov_authority=GOV.address)
    chain.block()
    exported = chain.app.export_genesis()
    assert exported[GOV_AUTHORITY_FIELD] == GOV.address
    fresh = DaitApp()
    assert fresh.init_chain(exported) == chain.app.app_hash
    assert authorities(fresh) == (GOV.address, GOV.address)
    assert fresh.export_genesis() == exported


def test_module_factory_authority_applies_when_the_genesis_is_silent() -> None:
    doc = build_genesis(TestChain.start().spec)
    app = DaitApp(app_modules(GOV.address))
    app.init_chain(doc)
    assert authorities(app) == (GOV.address, GOV.address)
    # The export states it, so a default-wired app importing it gets the same authority.
    assert app.export_genesis()[GOV_AUTHORITY_FIELD] == GOV.address


def test_genesis_authority_overrides_the_factory_authority() -> None:
    other = actor("other-gov")
    doc = build_genesis(TestChain.start().spec)
    doc[GOV_AUTHORITY_FIELD] = other.address
    app = DaitApp(app_modules(GOV.address))
    app.init_chain(doc)
    assert authorities(app) == (other.address, other.address)


def test_explicit_default_authority_is_accepted_and_omitted_on_export() -> None:
    doc = build_genesis(TestChain.start().spec)
    doc[GOV_AUTHORITY_FIELD] = DEFAULT_GOV_AUTHORITY
    app = DaitApp()
    app.init_chain(doc)
    assert GOV_AUTHORITY_FIELD not in app.export_genesis()
