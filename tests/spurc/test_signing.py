"""Signatures with domain tags (seed 002 §6; specs/spurc.md "Signatures")."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import coincurve
import pytest
from coincurve.ecdsa import cdata_to_der, deserialize_compact
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.crypto.secp256k1 import (
    DOMAIN_RECEIPT,
    DOMAIN_STATE,
    pubkey_from_privkey,
    sign_with_domain,
)
from dait_chain.spurc.errors import (
    ErrBadHostSignature,
    ErrBadHostStateSignature,
    ErrBadUserStateSignature,
    ErrSignerNotParty,
    ErrStateNotCosigned,
)
from dait_chain.spurc.signing import (
    _ADDRESS_KEYS,
    check_receipt_signature,
    check_state_host_signature,
    check_state_user_signature,
    receipt_signing_payload,
    sign_receipt,
    sign_state_as_host,
    sign_state_as_user,
    state_signing_payload,
    verify_state_signature,
)
from dait_chain.spurc.simworld import (
    account_address,
    account_privkey,
    sim_host_identity,
    sim_open_state,
)
from dait_chain.spurc.values import ChannelState, Receipt

from .strategies import receipts, states

HOST = sim_host_identity()
STATE = sim_open_state(HOST)


def _receipt(**kw: object) -> Receipt:
    base = Receipt(
        channel_id=STATE.channel_id,
        call_seq=1,
        request_hash=b"\x01" * 32,
        response_hash=b"\x02" * 32,
        model_hash=HOST.terms.model_hash,
        tokens_in=3,
        tokens_out=5,
        price_uDAIT=23,
        tee_quote=HOST.quote,
        tee_pubkey=HOST.tee_pubkey,
        timestamp=1_800_000_000_000,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def _independent_verify(pub: bytes, message: bytes, sig64: bytes) -> bool:
    """coincurve's own API: DER signature over sha256(message)."""
    der = cdata_to_der(deserialize_compact(sig64))
    return coincurve.PublicKey(pub).verify(
        der, message, hasher=lambda m: hashlib.sha256(m).digest()
    )


def test_receipt_signature_is_over_the_domain_tag_and_the_receipt_minus_sig() -> None:
    r = sign_receipt(_receipt(), HOST.tee_privkey)
    payload = replace(r, sig_host=b"").encode()
    assert _independent_verify(HOST.tee_pubkey, b"DAIT-RCPT-v1\x00" + payload, r.sig_host)
    check_receipt_signature(r)


def test_state_signatures_are_over_the_state_domain_and_the_state_minus_sigs() -> None:
    s = sign_state_as_user(sign_state_as_host(STATE, HOST.account_privkey), account_privkey("user"))
    payload = replace(s, sig_user=b"", sig_host=b"").encode()
    user_pub = pubkey_from_privkey(account_privkey("user"))
    host_pub = pubkey_from_privkey(HOST.account_privkey)
    assert _independent_verify(host_pub, b"DAIT-STATE-v1\x00" + payload, s.sig_host)
    assert _independent_verify(user_pub, b"DAIT-STATE-v1\x00" + payload, s.sig_user)
    check_state_host_signature(s)
    check_state_user_signature(s)


def test_domain_tags_prevent_cross_protocol_rebinding() -> None:
    """A receipt signature over bytes B does not verify as a state signature over B."""
    r = sign_receipt(_receipt(), HOST.tee_privkey)
    payload = r.without_sig().encode()
    assert not _independent_verify(HOST.tee_pubkey, DOMAIN_STATE + payload, r.sig_host)
    assert _independent_verify(HOST.tee_pubkey, DOMAIN_RECEIPT + payload, r.sig_host)


@given(
    st.sampled_from(["call_seq", "price_uDAIT", "tokens_out", "timestamp"]), st.integers(1, 1000)
)
def test_any_change_to_a_signed_receipt_breaks_its_signature(field: str, delta: int) -> None:
    """For every signed receipt and every changed integer field, check_receipt_signature refuses."""
    r = sign_receipt(_receipt(), HOST.tee_privkey)
    changed = replace(r, **{field: getattr(r, field) + delta})
    with pytest.raises(ErrBadHostSignature):
        check_receipt_signature(changed)


def test_empty_or_malformed_host_signature_is_refused() -> None:
    with pytest.raises(ErrBadHostSignature, match="empty"):
        check_receipt_signature(_receipt())
    high_s = b"\x01" * 32 + b"\xff" * 32
    with pytest.raises(ErrBadHostSignature):
        check_receipt_signature(_receipt(sig_host=high_s))


def test_signing_with_a_key_that_is_not_the_party_is_refused() -> None:
    with pytest.raises(ErrSignerNotParty):
        sign_receipt(_receipt(), account_privkey("mallory"))
    with pytest.raises(ErrSignerNotParty):
        sign_state_as_host(STATE, account_privkey("user"))
    with pytest.raises(ErrSignerNotParty):
        sign_state_as_user(STATE, HOST.account_privkey)


def test_state_signature_by_another_key_is_refused() -> None:
    mallory = sign_state_as_user(
        replace(STATE, user_addr=account_address("mallory")), account_privkey("mallory")
    )
    forged = replace(STATE, sig_user=mallory.sig_user, sig_host=mallory.sig_user)
    with pytest.raises(ErrBadUserStateSignature):
        check_state_user_signature(forged)
    with pytest.raises(ErrBadHostStateSignature):
        check_state_host_signature(forged)


def test_missing_user_signature_is_not_cosigned() -> None:
    with pytest.raises(ErrStateNotCosigned):
        check_state_user_signature(sign_state_as_host(STATE, HOST.account_privkey))


@given(st.integers(0, 10**6), st.booleans())
def test_remembered_address_keys_never_change_a_verdict(spent: int, right_key: bool) -> None:
    """verify_state_signature gives the same answer with the address key remembered or
    not, for signatures by the right key and by another key."""
    s = replace(STATE, spent_amount=spent)
    signer = account_privkey("user") if right_key else account_privkey("mallory")
    sig = sign_with_domain(signer, DOMAIN_STATE, s.without_sigs().encode())
    _ADDRESS_KEYS._keys.clear()
    cold = verify_state_signature(s.user_addr, s, sig)
    warm_setup = sign_state_as_user(STATE, account_privkey("user"))
    assert verify_state_signature(STATE.user_addr, STATE, warm_setup.sig_user)
    warm = verify_state_signature(s.user_addr, s, sig)
    assert cold == warm == right_key


@given(receipts)
def test_receipt_payload_cut_from_the_wire_equals_re_encoding(r: Receipt) -> None:
    """For every receipt: the payload cut from its canonical bytes is the canonical
    encoding of the receipt without sig_host."""
    assert receipt_signing_payload(r, r.encode()) == r.without_sig().encode()


@given(states)
def test_state_payload_cut_from_the_wire_equals_re_encoding(s: ChannelState) -> None:
    """For every state: the payload cut from its canonical bytes is the canonical encoding
    of the state without sig_user and sig_host."""
    assert state_signing_payload(s, s.encode()) == s.without_sigs().encode()
