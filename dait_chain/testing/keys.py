"""Hypothesis strategies for keys and addresses (specs/crypto.md §2, §4).

    from dait_chain.testing.keys import keypairs, addresses
    @given(keypairs())
    def test_my_sdk_derives_the_same_address(kp): assert my_address(kp.pubkey) == kp.address

Every generated key is a valid secp256k1 scalar; every address is the canonical lowercase
bech32 `dait1...` string of 20 (or, with `addresses(lengths=(20, 32))`, 32) bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hypothesis import strategies as st

from dait_chain.crypto.address import address_from_pubkey, encode_address
from dait_chain.crypto.secp256k1 import CURVE_ORDER, pubkey_from_privkey


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A private key, its compressed public key and its dait1 account address."""

    privkey: bytes
    pubkey: bytes
    address: str


def privkeys() -> st.SearchStrategy[bytes]:
    """32-byte private keys: scalars in [1, n - 1], edges included."""
    return st.integers(min_value=1, max_value=CURVE_ORDER - 1).map(lambda k: k.to_bytes(32, "big"))


def keypairs() -> st.SearchStrategy[KeyPair]:
    """Key pairs with their account address (RIPEMD160(SHA256(pubkey)), bech32 "dait")."""

    def pair(priv: bytes) -> KeyPair:
        pub = pubkey_from_privkey(priv)
        return KeyPair(priv, pub, address_from_pubkey(pub))

    return privkeys().map(pair)


def address_bytes(lengths: Sequence[int] = (20,)) -> st.SearchStrategy[bytes]:
    """Raw address bytes of the given lengths (20: accounts; 32: ADR-028 derived)."""
    return st.sampled_from(tuple(lengths)).flatmap(lambda n: st.binary(min_size=n, max_size=n))


def addresses(lengths: Sequence[int] = (20,)) -> st.SearchStrategy[str]:
    """Canonical dait1 addresses (lowercase bech32) of the given byte lengths."""
    return address_bytes(lengths).map(encode_address)


__all__ = ["KeyPair", "address_bytes", "addresses", "keypairs", "privkeys"]
