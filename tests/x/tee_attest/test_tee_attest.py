"""x/tee_attest: the on-chain trust policy and the verdict on SPUR-IC receipts
(specs/tee_attest.md).

The verdict follows seed 002 §7 steps 4-5 under the chain's policy; each refusal names
SPUR-IC's registered error. Root rotation and revocation are gov param changes, sent here
as real signed txs by the test chain's authority.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from pouw.scene import assert_refused, events, make_world, ok

from dait_chain.app.errors import ErrInvalidGenesis
from dait_chain.crypto.hashing import sha256
from dait_chain.crypto.secp256k1 import privkey_from_seed, pubkey_from_privkey
from dait_chain.errors import DaitError
from dait_chain.spurc.attestation import SimVendor
from dait_chain.spurc.errors import (
    ErrBadHostSignature,
    ErrModelHashNotAttested,
    ErrQuoteReportDataMismatch,
    ErrQuoteTypeUnsupported,
    ErrQuoteUntrusted,
)
from dait_chain.spurc.headers import QuoteType
from dait_chain.spurc.simworld import ROGUE_VENDOR_SEED, sim_host_identity, sim_vendor
from dait_chain.x.pouw.simulation import PouwWorld, evidence_receipts
from dait_chain.x.pouw.types import SpurcReceipt
from dait_chain.x.tee_attest.errors import ErrInvalidParams, ErrUnauthorized
from dait_chain.x.tee_attest.genesis import parse_genesis
from dait_chain.x.tee_attest.keeper import TeeAttestKeeper
from dait_chain.x.tee_attest.params import Params
from dait_chain.x.tee_attest.queries import TeeAttestQueries
from dait_chain.x.tee_attest.types import GenesisState, MsgUpdateParams


def keeper_of(world: PouwWorld) -> TeeAttestKeeper:
    keeper = world.app.module("tee_attest").keeper
    assert isinstance(keeper, TeeAttestKeeper)
    return keeper


def verdict(world: PouwWorld, receipt: SpurcReceipt) -> tuple[bool, str, int]:
    answer = TeeAttestQueries(keeper_of(world)).attest(world.app.query_context(), receipt)
    assert keeper_of(world).is_attested(world.app.query_context(), receipt) == answer.attested
    return answer.attested, answer.codespace, answer.code


def code_of(error: type[DaitError]) -> tuple[bool, str, int]:
    return False, error.codespace, error.code


def host_receipt(world: PouwWorld, **identity_kwargs: object) -> SpurcReceipt:
    host = world.hosts[0]
    identity = sim_host_identity(host.party.name, **identity_kwargs)  # type: ignore[arg-type]
    [receipt] = evidence_receipts(identity, host.channel_id, 1, [5], world.app.time_ms)
    return receipt


def update(world: PouwWorld, params: Params) -> None:
    msg = MsgUpdateParams(world.gov.address, params)
    result = ok(world.block([world.sign(world.gov, (msg,))]))
    [event] = events(result, "TeeAttestParamsUpdated")
    assert event["trusted_roots"] == ",".join(k.hex() for k in params.trusted_roots)


# --- the verdict (specs §4) -------------------------------------------------------------------


def test_receipt_from_a_trusted_vendor_is_attested() -> None:
    world = make_world()
    assert verdict(world, host_receipt(world)) == (True, "", 0)


def test_receipt_whose_quote_chains_to_an_untrusted_root_is_not_attested() -> None:
    world = make_world()
    receipt = host_receipt(world, vendor=SimVendor.from_seed(ROGUE_VENDOR_SEED))
    assert verdict(world, receipt) == code_of(ErrQuoteUntrusted)


def test_receipt_with_a_broken_host_signature_is_not_attested() -> None:
    world = make_world()
    receipt = host_receipt(world)
    forged = replace(receipt, tokens_out=receipt.tokens_out + 1)  # the signature no longer fits
    assert verdict(world, forged) == code_of(ErrBadHostSignature)


def test_quote_not_binding_the_tee_key_is_not_attested() -> None:
    """Seed 002 §7 step 5: the quote's report-data field must hash to tee_pubkey."""
    world = make_world()
    host = world.hosts[0]
    identity = host.identity
    ak = sim_vendor().attestation_key(b"dait-sim/spurc/ak/" + host.party.name.encode())
    quote = ak.quote_with_report_data(QuoteType.TDX, identity.terms.model_hash, sha256(b"other"))
    identity = replace(identity, quote=quote)
    [receipt] = evidence_receipts(identity, host.channel_id, 1, [5], world.app.time_ms)
    assert verdict(world, receipt) == code_of(ErrQuoteReportDataMismatch)


def test_quote_vouching_for_other_weights_is_not_attested() -> None:
    world = make_world()
    host = world.hosts[0]
    [receipt] = evidence_receipts(
        host.identity, host.channel_id, 1, [5], world.app.time_ms, model_hash=sha256(b"other")
    )
    assert verdict(world, receipt) == code_of(ErrModelHashNotAttested)


# --- gov: rotation, revocation, quote types (specs §2, §4) ------------------------------------


def test_root_rotation_trusts_the_new_vendor_and_drops_the_old() -> None:
    world = make_world()
    rogue = SimVendor.from_seed(ROGUE_VENDOR_SEED)
    update(world, Params(trusted_roots=(rogue.root_pubkey,)))
    assert verdict(world, host_receipt(world, vendor=rogue)) == (True, "", 0)
    assert verdict(world, host_receipt(world)) == code_of(ErrQuoteUntrusted)


def test_revoking_the_root_refuses_its_quotes() -> None:
    world = make_world()
    root = sim_vendor().root_pubkey
    update(world, Params(trusted_roots=(root,), revoked_keys=(root,)))
    assert verdict(world, host_receipt(world)) == code_of(ErrQuoteUntrusted)


def test_revoking_one_attestation_key_spares_the_others() -> None:
    world = make_world()
    host, other = world.hosts
    ak = sim_vendor().attestation_key(b"dait-sim/spurc/ak/" + host.party.name.encode())
    root = sim_vendor().root_pubkey
    update(world, Params(trusted_roots=(root,), revoked_keys=(ak.cert.attestation_pubkey,)))
    assert verdict(world, host_receipt(world)) == code_of(ErrQuoteUntrusted)
    [fine] = evidence_receipts(other.identity, other.channel_id, 1, [5], world.app.time_ms)
    assert verdict(world, fine) == (True, "", 0)


def test_dropping_a_quote_type_refuses_its_quotes() -> None:
    world = make_world()
    root = sim_vendor().root_pubkey
    update(world, Params(trusted_roots=(root,), quote_types=("nras-jwt", "sev-snp")))
    assert verdict(world, host_receipt(world)) == code_of(ErrQuoteTypeUnsupported)


def test_update_params_by_a_non_authority_is_refused() -> None:
    world = make_world()
    host = world.hosts[0]
    msg = MsgUpdateParams(host.party.address, Params())
    assert_refused(world, host.party, (msg,), ErrUnauthorized)


def test_update_params_with_unsorted_roots_is_refused() -> None:
    world = make_world()
    keys = sorted(pubkey_from_privkey(privkey_from_seed(bytes([i]))) for i in (1, 2))
    msg = MsgUpdateParams(world.gov.address, Params(trusted_roots=(keys[1], keys[0])))
    assert_refused(world, world.gov, (msg,), ErrInvalidParams)


def test_update_params_with_an_invalid_key_is_refused() -> None:
    world = make_world()
    msg = MsgUpdateParams(world.gov.address, Params(trusted_roots=(b"\x02" + b"\xff" * 32,)))
    assert_refused(world, world.gov, (msg,), ErrInvalidParams)


def test_update_params_with_an_unknown_quote_type_is_refused() -> None:
    world = make_world()
    msg = MsgUpdateParams(world.gov.address, Params(quote_types=("sgx",)))
    assert_refused(world, world.gov, (msg,), ErrInvalidParams)


# --- genesis (specs §3) -----------------------------------------------------------------------


def test_default_genesis_trusts_no_root() -> None:
    state = parse_genesis(GenesisState(Params()).to_json())
    assert state.params.trusted_roots == ()
    assert state.params.quote_types == ("nras-jwt", "sev-snp", "tdx")


def test_genesis_with_duplicate_roots_is_refused() -> None:
    root = sim_vendor().root_pubkey
    with pytest.raises(ErrInvalidGenesis):
        parse_genesis(GenesisState(Params(trusted_roots=(root, root))).to_json())


def test_export_returns_the_policy_as_stored() -> None:
    world = make_world()
    exported = world.app.export_genesis()["tee_attest"]
    assert parse_genesis(exported).params.trusted_roots == (sim_vendor().root_pubkey,)
