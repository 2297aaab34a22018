"""The address rule every message field follows (specs/app.md "Addresses").

An address in a message or in state is the canonical bech32 string of 20 bytes with the
"dait" prefix, lowercase: exactly what `dait_chain.crypto.address.encode_address` writes.
A valid but non-canonical spelling (upper case) is refused rather than normalised, so one
account never has two spellings in the store.
"""

from __future__ import annotations

from functools import lru_cache

from dait_chain.app.errors import ErrInvalidAddress
from dait_chain.crypto.address import decode_address, encode_address
from dait_chain.crypto.errors import CryptoError

ADDRESS_SIZE = 20  # RIPEMD160(SHA256(pubkey)) and sha256(module name)[:20]


def address_problem(address: str) -> str | None:
    """Why address is not a canonical dait1... account address, or None if it is."""
    if not address:
        return "empty"
    try:
        raw = decode_address(address)
    except CryptoError as exc:
        return exc.log
    if len(raw) != ADDRESS_SIZE:
        return f"{len(raw)} bytes, not {ADDRESS_SIZE}"
    canonical = encode_address(raw)
    if canonical != address:
        return f"not canonical (expected {canonical})"
    return None


# A pure function of the string, called several times per tx on the same few addresses:
# caching it changes no result and saves the bech32 round trip.
_cached_problem = lru_cache(maxsize=1 << 16)(address_problem)


def check_address(address: str, what: str = "address") -> str:
    """Return address if it is a canonical dait1... account address; else ErrInvalidAddress."""
    problem = _cached_problem(address)
    if problem is not None:
        raise ErrInvalidAddress(f"{what} {address!r}: {problem}")
    return address
