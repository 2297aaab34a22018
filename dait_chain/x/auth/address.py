"""The address rule every message field follows (specs/app.md "Addresses").

An address in a message or in state is the canonical bech32 string of 20 bytes with the
"dait" prefix, lowercase: exactly what `dait_chain.crypto.address.encode_address` writes.
A valid but non-canonical spelling (upper case) is refused rather than normalised, so one
account never has two spellings in the store.
"""

from __future__ import annotations

from dait_chain.app.errors import ErrInvalidAddress
from dait_chain.crypto.address import decode_address, encode_address
from dait_chain.crypto.errors import CryptoError

ADDRESS_SIZE = 20  # RIPEMD160(SHA256(pubkey)) and sha256(module name)[:20]


def check_address(address: str, what: str = "address") -> str:
    """Return address if it is a canonical dait1... account address; else ErrInvalidAddress."""
    if not address:
        raise ErrInvalidAddress(f"{what}: empty")
    try:
        raw = decode_address(address)
    except CryptoError as exc:
        raise ErrInvalidAddress(f"{what} {address!r}: {exc.log}") from None
    if len(raw) != ADDRESS_SIZE:
        raise ErrInvalidAddress(f"{what} {address!r}: {len(raw)} bytes, not {ADDRESS_SIZE}")
    canonical = encode_address(raw)
    if canonical != address:
        raise ErrInvalidAddress(f"{what} {address!r} is not canonical (expected {canonical})")
    return address
