"""Hash functions of the chain (specs/crypto.md §1).

SHA-256 is the hash of seed 002 §6 and of CometBFT's tmhash; RIPEMD-160 only serves
Cosmos-style account addresses (hash160). RIPEMD-160 comes from the `ripemd-hash`
package because OpenSSL 3 builds of hashlib may not provide it.
"""

from __future__ import annotations

import hashlib

from ripemd.ripemd160 import ripemd160 as _ripemd160

SHA256_SIZE = 32
RIPEMD160_SIZE = 20


def sha256(data: bytes) -> bytes:
    """SHA-256 digest of `data` (32 bytes), FIPS 180-4."""
    return hashlib.sha256(data).digest()


def ripemd160(data: bytes) -> bytes:
    """RIPEMD-160 digest of `data` (20 bytes)."""
    digest: bytes = _ripemd160(bytes(data))
    return digest


def hash160(data: bytes) -> bytes:
    """RIPEMD160(SHA256(data)): the 20-byte hash Cosmos uses for secp256k1 addresses."""
    return ripemd160(sha256(data))
