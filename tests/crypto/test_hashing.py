"""specs/crypto.md §1: SHA-256, RIPEMD-160 and hash160 against published vectors."""

from __future__ import annotations

import pytest

from dait_chain.crypto.hashing import hash160, ripemd160, sha256

# FIPS 180-2 Appendix B (SHA-256 examples) and the empty string.
SHA256_VECTORS = [
    (b"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    (b"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (
        b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    ),
]

# Dobbertin, Bosselaers, Preneel: "RIPEMD-160: A Strengthened Version of RIPEMD",
# test vectors table.
RIPEMD160_VECTORS = [
    (b"", "9c1185a5c5e9fc54612808977ee8f548b2258d31"),
    (b"a", "0bdc9d2d256b3ee9daae347be6f4dc835a467ffe"),
    (b"abc", "8eb208f7e05d987a9b044a8e98c6b087f15a0bfc"),
    (b"message digest", "5d0689ef49d2fae572b881b123a85ffa21595f36"),
    (
        b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "12a053384a9c0c88e405a06c27dcf49ada62eb2b",
    ),
    (b"1234567890" * 8, "9b752e45573d4b39f4dbd3323cab82bf63326bfb"),
]


@pytest.mark.parametrize(("data", "digest"), SHA256_VECTORS)
def test_sha256_matches_fips_180_vectors(data: bytes, digest: str) -> None:
    assert sha256(data).hex() == digest


@pytest.mark.parametrize(("data", "digest"), RIPEMD160_VECTORS)
def test_ripemd160_matches_published_vectors(data: bytes, digest: str) -> None:
    assert ripemd160(data).hex() == digest


def test_ripemd160_of_a_million_a_matches_published_vector() -> None:
    assert ripemd160(b"a" * 1_000_000).hex() == "52783243c1697bdbe16d37f97f68f08325dc1528"


def test_hash160_is_ripemd160_of_sha256() -> None:
    # Derivation: hash160("abc") = RIPEMD160(SHA256("abc")); SHA256("abc") from FIPS 180-2,
    # and the composition is checked against the Bitcoin-style vector for the empty string,
    # RIPEMD160(SHA256("")) = b472a266d0bd89c13706a4132ccfb16f7c3b9fcb.
    assert hash160(b"") == bytes.fromhex("b472a266d0bd89c13706a4132ccfb16f7c3b9fcb")
    assert hash160(b"abc") == ripemd160(
        bytes.fromhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    )
