"""secp256k1 ECDSA over SHA-256, Cosmos rules (specs/crypto.md §2).

Seed 002 §6: curve secp256k1, hash sha256, 64-byte raw r||s, no recovery byte; the
leading domain tag is mandatory. Cosmos SDK adds: compressed 33-byte public keys and
low-S only. Everything runs inside libsecp256k1 through coincurve's cffi bindings, so a
verify costs what a bare libsecp256k1 verify costs plus a few byte comparisons.

libsecp256k1's context is randomized by coincurve at import (side-channel blinding);
blinding changes no output, so every function here is a pure function of its inputs.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any, Final

from coincurve._libsecp256k1 import ffi, lib
from coincurve.context import GLOBAL_CONTEXT

from dait_chain.crypto.errors import (
    ErrInvalidDomainTag,
    ErrInvalidPrivateKey,
    ErrInvalidPubKeySize,
    ErrInvalidSignatureSize,
    ErrNoRecoveredKeyMatchesAddress,
    ErrPubKeyNotCompressed,
    ErrPubKeyNotOnCurve,
    ErrSignatureHighS,
    ErrSignatureScalarOutOfRange,
)

PRIVKEY_SIZE: Final = 32
PUBKEY_SIZE: Final = 33
SIGNATURE_SIZE: Final = 64

# Seed 002 §6 domain tags; the digest signed is sha256(tag || payload).
DOMAIN_RECEIPT: Final = b"DAIT-RCPT-v1\x00"
DOMAIN_STATE: Final = b"DAIT-STATE-v1\x00"

# Order of the secp256k1 group (SEC 2 §2.4.1).
CURVE_ORDER: Final = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
HALF_ORDER: Final = CURVE_ORDER // 2

# Equal-length big-endian byte strings compare like the integers they encode, so the
# range checks below are plain byte comparisons (no int conversion on the hot path).
_ORDER_BYTES: Final = CURVE_ORDER.to_bytes(32, "big")
_HALF_ORDER_BYTES: Final = HALF_ORDER.to_bytes(32, "big")
_ZERO_SCALAR: Final = bytes(32)
_COMPRESSED_PREFIXES: Final = (0x02, 0x03)
_RECOVERY_IDS: Final = (0, 1, 2, 3)

# Bounded cache of parsed public keys; parsing is a pure function of the 33 bytes, so the
# cache changes timing only, never results.
PUBKEY_CACHE_SIZE: Final = 4096

_CTX: Final[Any] = GLOBAL_CONTEXT.ctx
_EC_COMPRESSED: Final[int] = lib.SECP256K1_EC_COMPRESSED


# --- keys (§2.1) --------------------------------------------------------------------------


def validate_privkey(privkey: bytes) -> None:
    """Refuse anything but 32 bytes encoding a scalar k with 1 <= k < n."""
    if len(privkey) != PRIVKEY_SIZE or privkey == _ZERO_SCALAR or privkey >= _ORDER_BYTES:
        raise ErrInvalidPrivateKey(f"got {len(privkey)} bytes")


def rehash_to_scalar(digest: bytes) -> bytes:
    """`digest` if it encodes a scalar 1 <= k < n, else the first sha256 iterate that does."""
    candidate = digest
    while len(candidate) != PRIVKEY_SIZE or candidate == _ZERO_SCALAR or candidate >= _ORDER_BYTES:
        candidate = hashlib.sha256(candidate).digest()
    return candidate


def privkey_from_seed(seed: bytes) -> bytes:
    """Deterministic private key for simulations and tests (§2.1).

    k = sha256(seed), re-hashed (k = sha256(k)) until 1 <= k < n. sha256(seed) falls
    outside [1, n-1] with probability about 2^-128, so in practice k = sha256(seed).
    """
    return rehash_to_scalar(hashlib.sha256(seed).digest())


def _serialize_compressed(pubkey_cdata: Any) -> bytes:
    out = ffi.new("unsigned char[33]")
    out_len = ffi.new("size_t *", PUBKEY_SIZE)
    lib.secp256k1_ec_pubkey_serialize(_CTX, out, out_len, pubkey_cdata, _EC_COMPRESSED)
    return bytes(ffi.buffer(out, PUBKEY_SIZE))


def pubkey_from_privkey(privkey: bytes) -> bytes:
    """The 33-byte SEC1-compressed public key k·G of a private key k."""
    validate_privkey(privkey)
    pubkey_cdata = ffi.new("secp256k1_pubkey *")
    if not lib.secp256k1_ec_pubkey_create(_CTX, pubkey_cdata, privkey):
        raise ErrInvalidPrivateKey("libsecp256k1 refused the scalar")
    return _serialize_compressed(pubkey_cdata)


@lru_cache(maxsize=PUBKEY_CACHE_SIZE)
def _parse_pubkey(pubkey: bytes) -> Any:
    if len(pubkey) != PUBKEY_SIZE:
        raise ErrInvalidPubKeySize(f"got {len(pubkey)} bytes")
    if pubkey[0] not in _COMPRESSED_PREFIXES:
        raise ErrPubKeyNotCompressed(f"prefix 0x{pubkey[0]:02x}")
    pubkey_cdata = ffi.new("secp256k1_pubkey *")
    if not lib.secp256k1_ec_pubkey_parse(_CTX, pubkey_cdata, pubkey, PUBKEY_SIZE):
        raise ErrPubKeyNotOnCurve(f"x = {pubkey[1:].hex()}")
    return pubkey_cdata


def validate_pubkey(pubkey: bytes) -> None:
    """Refuse a public key that is not 33 bytes, not compressed, or not on the curve."""
    _parse_pubkey(bytes(pubkey))


# --- signatures (§2.2) --------------------------------------------------------------------


def validate_signature(signature: bytes) -> None:
    """Refuse a signature that is not 64 bytes, has r or s outside [1, n-1], or is high-S.

    Cosmos (crypto/keys/secp256k1) rejects s > n/2 so that a signature cannot be
    malleated into a second valid one (§2.2).
    """
    if len(signature) != SIGNATURE_SIZE:
        raise ErrInvalidSignatureSize(f"got {len(signature)} bytes")
    r = signature[:32]
    s = signature[32:]
    if r == _ZERO_SCALAR or r >= _ORDER_BYTES or s == _ZERO_SCALAR or s >= _ORDER_BYTES:
        raise ErrSignatureScalarOutOfRange(f"r={r.hex()} s={s.hex()}")
    if s > _HALF_ORDER_BYTES:
        raise ErrSignatureHighS(f"s={s.hex()}")


def _parse_signature(signature: bytes) -> Any:
    validate_signature(signature)
    sig_cdata = ffi.new("secp256k1_ecdsa_signature *")
    # Cannot fail: validate_signature already proved 0 < r, s < n.
    lib.secp256k1_ecdsa_signature_parse_compact(_CTX, sig_cdata, signature)
    return sig_cdata


def sign(privkey: bytes, message: bytes) -> bytes:
    """64-byte r||s over sha256(message); RFC 6979 nonce, always low-S (§2.2)."""
    validate_privkey(privkey)
    sig_cdata = ffi.new("secp256k1_ecdsa_signature *")
    # NULL nonce function = secp256k1_nonce_function_rfc6979 with no extra entropy;
    # libsecp256k1 always emits the low-S form.
    if not lib.secp256k1_ecdsa_sign(
        _CTX, sig_cdata, hashlib.sha256(message).digest(), privkey, ffi.NULL, ffi.NULL
    ):
        raise ErrInvalidPrivateKey("libsecp256k1 refused to sign")
    out = ffi.new("unsigned char[64]")
    lib.secp256k1_ecdsa_signature_serialize_compact(_CTX, out, sig_cdata)
    return bytes(ffi.buffer(out, SIGNATURE_SIZE))


def verify(pubkey: bytes, message: bytes, signature: bytes) -> bool:
    """True iff `signature` is a valid low-S r||s by `pubkey` over sha256(message).

    Malformed inputs (pubkey or signature shape, r/s range, high-S) raise their typed
    error; a well-formed signature that does not verify returns False (§2.2).
    """
    pubkey_cdata = _parse_pubkey(bytes(pubkey))
    sig_cdata = _parse_signature(signature)
    return bool(
        lib.secp256k1_ecdsa_verify(_CTX, sig_cdata, hashlib.sha256(message).digest(), pubkey_cdata)
    )


# --- public key recovery (§2.3) -----------------------------------------------------------


def _recover_with_id(signature: bytes, digest: bytes, recovery_id: int) -> bytes | None:
    rsig = ffi.new("secp256k1_ecdsa_recoverable_signature *")
    if not lib.secp256k1_ecdsa_recoverable_signature_parse_compact(
        _CTX, rsig, signature, recovery_id
    ):
        return None
    pubkey_cdata = ffi.new("secp256k1_pubkey *")
    # Fails when R has no point for this id (ids 2, 3 need r + n < p) or Q is infinity.
    if not lib.secp256k1_ecdsa_recover(_CTX, pubkey_cdata, rsig, digest):
        return None
    return _serialize_compressed(pubkey_cdata)


def _candidates(message: bytes, signature: bytes) -> tuple[tuple[bytes, ...], Any, bytes]:
    sig_cdata = _parse_signature(signature)
    digest = hashlib.sha256(message).digest()
    found = tuple(
        pub
        for recovery_id in _RECOVERY_IDS
        if (pub := _recover_with_id(signature, digest, recovery_id)) is not None
    )
    return found, sig_cdata, digest


def _verifies(pubkey: bytes, sig_cdata: Any, digest: bytes) -> bool:
    return bool(lib.secp256k1_ecdsa_verify(_CTX, sig_cdata, digest, _parse_pubkey(pubkey)))


def recover_pubkeys(message: bytes, signature: bytes) -> tuple[bytes, ...]:
    """The compressed public keys for which `signature` verifies over sha256(message).

    Tries recovery ids 0..3 in order (decisions.md: "try the recovery ids and match the
    address") and keeps each recovered key that verifies. The signature must pass
    `validate_signature` (high-S is refused, as in `verify`).
    """
    found, sig_cdata, digest = _candidates(message, signature)
    return tuple(pub for pub in found if _verifies(pub, sig_cdata, digest))


def recover_pubkey_for_address(message: bytes, signature: bytes, address: str) -> bytes:
    """The recovered public key whose bech32 address is `address` (seed 002 §6).

    Raises ErrNoRecoveredKeyMatchesAddress when no recovery id yields that address.
    """
    # Imported here because address.py validates keys with this module (import cycle).
    from dait_chain.crypto.address import address_bytes_from_pubkey, decode_address

    want = decode_address(address)
    found, sig_cdata, digest = _candidates(message, signature)
    for pub in found:
        if address_bytes_from_pubkey(pub) == want and _verifies(pub, sig_cdata, digest):
            return pub
    raise ErrNoRecoveredKeyMatchesAddress(address)


# --- domain separation (§2.4) -------------------------------------------------------------


def validate_domain(domain: bytes) -> None:
    """Refuse a domain tag that is empty or whose only 0x00 is not its last byte.

    A tag ending in its only NUL makes tag || payload unambiguous: two different tags
    can never produce the same signed bytes (seed 002 §6: no cross-protocol re-binding).
    """
    if not domain or domain[-1] != 0 or domain.index(0) != len(domain) - 1:
        raise ErrInvalidDomainTag(repr(domain))


def sign_with_domain(privkey: bytes, domain: bytes, payload: bytes) -> bytes:
    """Seed 002 §6 signature: sign over sha256(domain || payload)."""
    validate_domain(domain)
    return sign(privkey, domain + payload)


def verify_with_domain(pubkey: bytes, domain: bytes, payload: bytes, signature: bytes) -> bool:
    """Verify a seed 002 §6 signature over sha256(domain || payload)."""
    validate_domain(domain)
    return verify(pubkey, domain + payload, signature)
