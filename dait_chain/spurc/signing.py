"""Signatures with domain tags (seed 002 §6; specs/spurc.md "Signatures").

    Receipt:        sig_host = sign(sha256("DAIT-RCPT-v1\\x00"  || canonical_receipt_minus_sig))
    User cosign:    sig_user = sign(sha256("DAIT-STATE-v1\\x00" || canonical_state_minus_sigs))
    Host on state:  sig_host = sign(sha256("DAIT-STATE-v1\\x00" || canonical_state_minus_sigs))

"canonical" is the strict protobuf encoding with the signature fields emptied (so absent,
proto3 omits empty bytes). The receipt key is the TEE-bound `tee_pubkey`; the state keys
are the parties' account keys, recovered from the signature and matched against the
bech32 `host_addr` / `user_addr` (decisions.md x/state_channel).

Recovery tries up to four candidate keys; once an address's key is known, verifying with
it gives the same verdict (a key has one address, so a signature verifies under the
recovered key of `addr` exactly when it verifies under the known key of `addr`), so the
key is remembered in a bounded map and later states cost one verification.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from dait_chain.crypto.address import address_from_pubkey
from dait_chain.crypto.errors import CryptoError, ErrNoRecoveredKeyMatchesAddress
from dait_chain.crypto.secp256k1 import (
    DOMAIN_RECEIPT,
    DOMAIN_STATE,
    pubkey_from_privkey,
    recover_pubkey_for_address,
    sign_with_domain,
    verify_with_domain,
)
from dait_chain.spurc.errors import (
    ErrBadHostSignature,
    ErrBadHostStateSignature,
    ErrBadUserStateSignature,
    ErrSignerNotParty,
    ErrStateNotCosigned,
)
from dait_chain.spurc.values import ChannelState, Receipt, with_fields

ADDRESS_KEY_CACHE_SIZE = 1024


@dataclass(frozen=True, slots=True)
class Signer:
    """A private key with its public key and bech32 address, derived once (a session signs
    every turn; deriving the address each time would cost a point multiplication)."""

    privkey: bytes = field(repr=False)
    pubkey: bytes
    address: str

    @classmethod
    def of(cls, privkey: bytes) -> Signer:
        pubkey = pubkey_from_privkey(privkey)
        return cls(privkey, pubkey, address_from_pubkey(pubkey))


def _signer(key: bytes | Signer) -> Signer:
    return key if isinstance(key, Signer) else Signer.of(key)


# Field numbers of the signatures: the highest of each message, so canonical encoding
# writes them last (state: sig_user, then sig_host).
_RECEIPT_SIG_HOST_FIELD = 12
_STATE_SIG_USER_FIELD = 12
_STATE_SIG_HOST_FIELD = 13
_SIGNATURE_SIZE = 64
# A present signature field: the tag byte (field << 3 | 2), the length 0x40, r || s.
SIGNATURE_FIELD_SIZE = 2 + _SIGNATURE_SIZE


def cut_signature_field(wire: bytes, field_number: int, signature: bytes) -> bytes | None:
    """`wire` without its trailing field `field_number` carrying `signature`; None if
    `wire` does not end with exactly that field.

    For canonical bytes whose last field is that signature this is the canonical encoding
    with the signature emptied (proto3 omits empty bytes), without re-encoding. Only for
    field numbers below 16 (one tag byte), as every signature field here is.
    """
    if len(signature) != _SIGNATURE_SIZE:
        return None
    if wire[-SIGNATURE_FIELD_SIZE:] != _SIGNATURE_FIELD_HEADS[field_number] + signature:
        return None
    return wire[:-SIGNATURE_FIELD_SIZE]


# Tag and length bytes of a present signature field, by field number (built once).
_SIGNATURE_FIELD_HEADS = {n: bytes((n << 3 | 2, _SIGNATURE_SIZE)) for n in range(1, 16)}


def receipt_signing_payload(receipt: Receipt, wire: bytes | None = None) -> bytes:
    """canonical_receipt_minus_sig: the strict encoding with sig_host emptied (§6).

    Given `wire`, the canonical bytes `receipt` was decoded from, the payload is cut from
    them instead of re-encoding: fields are in tag order and sig_host has the highest tag,
    so a present sig_host is the encoding's last 66 bytes.
    """
    if wire is not None and receipt.sig_host:
        payload = cut_signature_field(wire, _RECEIPT_SIG_HOST_FIELD, receipt.sig_host)
        if payload is not None:
            return payload
    return receipt.without_sig().encode()


def state_signing_payload(state: ChannelState, wire: bytes | None = None) -> bytes:
    """canonical_state_minus_sigs: the strict encoding with both signatures emptied (§6).

    Given `wire`, the canonical bytes `state` was decoded from, the payload is cut from
    them: sig_user (tag 12) and sig_host (tag 13) are the last fields when present.
    """
    payload = wire
    if payload is not None and state.sig_host:
        payload = cut_signature_field(payload, _STATE_SIG_HOST_FIELD, state.sig_host)
    if payload is not None and state.sig_user:
        payload = cut_signature_field(payload, _STATE_SIG_USER_FIELD, state.sig_user)
    if payload is not None:
        return payload
    return state.without_sigs().encode()


def sign_receipt(receipt: Receipt, tee_key: bytes | Signer) -> Receipt:
    """The receipt with sig_host by the TEE key; the key must be the receipt's tee_pubkey."""
    signer = _signer(tee_key)
    if signer.pubkey != receipt.tee_pubkey:
        raise ErrSignerNotParty("TEE key is not the receipt's tee_pubkey")
    sig = sign_with_domain(signer.privkey, DOMAIN_RECEIPT, receipt_signing_payload(receipt))
    return with_fields(receipt, sig_host=sig)


def check_receipt_signature(receipt: Receipt, wire: bytes | None = None) -> None:
    """§7 step 4: sig_host verifies against tee_pubkey over the receipt domain. `wire`:
    the canonical bytes the receipt was decoded from, if at hand (saves a re-encoding)."""
    if not receipt.sig_host:
        raise ErrBadHostSignature("sig_host is empty")
    payload = receipt_signing_payload(receipt, wire)
    try:
        ok = verify_with_domain(receipt.tee_pubkey, DOMAIN_RECEIPT, payload, receipt.sig_host)
    except CryptoError as exc:  # malformed tee_pubkey or signature (high-S, range)
        raise ErrBadHostSignature(exc.log) from exc
    if not ok:
        raise ErrBadHostSignature(f"call_seq {receipt.call_seq}")


class _AddressKeys:
    """Bounded map address -> public key, filled only by successful recoveries."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._keys: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get(self, address: str) -> bytes | None:
        with self._lock:
            return self._keys.get(address)

    def put(self, address: str, pubkey: bytes) -> None:
        with self._lock:
            if address not in self._keys and len(self._keys) >= self._size:
                del self._keys[next(iter(self._keys))]  # oldest first: insertion order
            self._keys[address] = pubkey


_ADDRESS_KEYS = _AddressKeys(ADDRESS_KEY_CACHE_SIZE)


def verify_state_signature(
    address: str, state: ChannelState, signature: bytes, wire: bytes | None = None
) -> bool:
    """True iff `signature` is a state-domain signature of `state` by the key of `address`."""
    payload = state_signing_payload(state, wire)
    known = _ADDRESS_KEYS.get(address)
    if known is not None:
        return verify_with_domain(known, DOMAIN_STATE, payload, signature)
    try:
        pubkey = recover_pubkey_for_address(DOMAIN_STATE + payload, signature, address)
    except ErrNoRecoveredKeyMatchesAddress:
        return False
    _ADDRESS_KEYS.put(address, pubkey)
    return True


def _sign_state(state: ChannelState, key: bytes | Signer, address: str, role: str) -> bytes:
    signer = _signer(key)
    if signer.address != address:
        raise ErrSignerNotParty(f"key is not the {role}'s address {address}")
    return sign_with_domain(signer.privkey, DOMAIN_STATE, state_signing_payload(state))


def sign_state_as_host(state: ChannelState, host_key: bytes | Signer) -> ChannelState:
    """The state with sig_host by the host's account key (seed 002 §6, "Host on state")."""
    return with_fields(state, sig_host=_sign_state(state, host_key, state.host_addr, "host"))


def sign_state_as_user(state: ChannelState, user_key: bytes | Signer) -> ChannelState:
    """The state with sig_user by the user's account key (seed 002 §6, "User cosign")."""
    return with_fields(state, sig_user=_sign_state(state, user_key, state.user_addr, "user"))


def check_state_host_signature(state: ChannelState, wire: bytes | None = None) -> None:
    """The state's sig_host is the host_addr key's signature over the state domain (§6).
    `wire`: the canonical bytes the state was decoded from, if at hand."""
    if not state.sig_host:
        raise ErrBadHostStateSignature(f"turn {state.turn_num}: sig_host is empty")
    try:
        ok = verify_state_signature(state.host_addr, state, state.sig_host, wire)
    except CryptoError as exc:
        raise ErrBadHostStateSignature(exc.log) from exc
    if not ok:
        raise ErrBadHostStateSignature(f"turn {state.turn_num}")


def check_state_user_signature(state: ChannelState) -> None:
    """The state's sig_user is the user_addr key's signature over the state domain (§6).

    ErrStateNotCosigned if sig_user is empty (a provisional state, seed 002 §4).
    """
    if not state.sig_user:
        raise ErrStateNotCosigned(f"turn {state.turn_num}")
    try:
        ok = verify_state_signature(state.user_addr, state, state.sig_user)
    except CryptoError as exc:
        raise ErrBadUserStateSignature(exc.log) from exc
    if not ok:
        raise ErrBadUserStateSignature(f"turn {state.turn_num}")
