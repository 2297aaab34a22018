"""crypto: secp256k1 (Cosmos rules), bech32 addresses, RFC 6962 merkle, hashes.

See specs/crypto.md. Submodules: hashing, secp256k1, address, merkle, errors.
"""

from __future__ import annotations

from dait_chain.crypto.address import (
    HRP,
    address_bytes_from_pubkey,
    address_from_pubkey,
    decode_address,
    encode_address,
    module_address,
    normalize_address,
    validate_address,
)
from dait_chain.crypto.hashing import hash160, ripemd160, sha256
from dait_chain.crypto.merkle import (
    EMPTY_ROOT,
    MerkleAccumulator,
    MerkleProof,
    inclusion_proof,
    inner_hash,
    leaf_hash,
    merkle_root,
    verify_inclusion,
)
from dait_chain.crypto.secp256k1 import (
    DOMAIN_RECEIPT,
    DOMAIN_STATE,
    PRIVKEY_SIZE,
    PUBKEY_SIZE,
    SIGNATURE_SIZE,
    privkey_from_seed,
    pubkey_from_privkey,
    recover_pubkey_for_address,
    recover_pubkeys,
    sign,
    sign_with_domain,
    verify,
    verify_with_domain,
)

__all__ = [
    "DOMAIN_RECEIPT",
    "DOMAIN_STATE",
    "EMPTY_ROOT",
    "HRP",
    "PRIVKEY_SIZE",
    "PUBKEY_SIZE",
    "SIGNATURE_SIZE",
    "MerkleAccumulator",
    "MerkleProof",
    "address_bytes_from_pubkey",
    "address_from_pubkey",
    "decode_address",
    "encode_address",
    "hash160",
    "inclusion_proof",
    "inner_hash",
    "leaf_hash",
    "merkle_root",
    "module_address",
    "normalize_address",
    "privkey_from_seed",
    "pubkey_from_privkey",
    "recover_pubkey_for_address",
    "recover_pubkeys",
    "ripemd160",
    "sha256",
    "sign",
    "sign_with_domain",
    "validate_address",
    "verify",
    "verify_inclusion",
    "verify_with_domain",
]
