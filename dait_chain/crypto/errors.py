"""Registered errors of the `crypto` codespace (specs/crypto.md §7).

Codes are published: never renumber, only append.
"""

from __future__ import annotations

from dait_chain.errors import DaitError


class CryptoError(DaitError, codespace="crypto"):
    """Family of every refusal raised by dait_chain.crypto."""


# --- keys and signatures (specs/crypto.md §2) ---------------------------------------------


class ErrInvalidPrivateKey(
    CryptoError, code=2, description="private key must be 32 bytes encoding a scalar in [1, n-1]"
):
    pass


class ErrInvalidPubKeySize(CryptoError, code=3, description="public key must be 33 bytes"):
    pass


class ErrPubKeyNotCompressed(
    CryptoError, code=4, description="public key is not SEC1-compressed (prefix 0x02 or 0x03)"
):
    pass


class ErrPubKeyNotOnCurve(
    CryptoError, code=5, description="public key is not a point on secp256k1"
):
    pass


class ErrInvalidSignatureSize(CryptoError, code=6, description="signature must be 64 bytes r||s"):
    pass


class ErrSignatureScalarOutOfRange(
    CryptoError, code=7, description="signature r or s is zero or not below the group order n"
):
    pass


class ErrSignatureHighS(CryptoError, code=8, description="signature s is above n/2 (not low-S)"):
    pass


class ErrNoRecoveredKeyMatchesAddress(
    CryptoError,
    code=9,
    description="no public key recovered from the signature matches the address",
):
    pass


class ErrInvalidDomainTag(
    CryptoError,
    code=10,
    description="domain tag must be non-empty and end with its only 0x00 byte",
):
    pass


# --- bech32 strings (specs/crypto.md §3) --------------------------------------------------


class ErrEmptyAddress(CryptoError, code=11, description="empty address string is not allowed"):
    pass


class ErrBech32TooLong(CryptoError, code=12, description="bech32 string exceeds the length limit"):
    pass


class ErrBech32InvalidCharacter(
    CryptoError, code=13, description="bech32 string contains an invalid character"
):
    pass


class ErrBech32MixedCase(
    CryptoError, code=14, description="bech32 string mixes upper and lower case"
):
    pass


class ErrBech32MissingSeparator(
    CryptoError, code=15, description="bech32 string has no separator '1'"
):
    pass


class ErrBech32EmptyHRP(CryptoError, code=16, description="bech32 human-readable part is empty"):
    pass


class ErrBech32ChecksumTooShort(
    CryptoError, code=17, description="bech32 data part is shorter than the 6-character checksum"
):
    pass


class ErrBech32InvalidChecksum(CryptoError, code=18, description="bech32 checksum is invalid"):
    pass


class ErrBech32mChecksum(
    CryptoError, code=19, description="string carries a bech32m checksum; addresses use bech32"
):
    pass


# --- addresses (specs/crypto.md §4) -------------------------------------------------------


class ErrInvalidHRP(
    CryptoError, code=20, description="human-readable part must be non-empty lowercase ASCII 33-126"
):
    pass


class ErrWrongAddressPrefix(
    CryptoError, code=21, description="address has the wrong human-readable prefix"
):
    pass


class ErrInvalidAddressPadding(
    CryptoError, code=22, description="address data is not a whole number of bytes (bad padding)"
):
    pass


class ErrInvalidAddressLength(
    CryptoError, code=23, description="address must decode to 20 or 32 bytes"
):
    pass


# --- merkle (specs/crypto.md §5) ----------------------------------------------------------


class ErrMerkleIndexOutOfRange(CryptoError, code=24, description="leaf index is outside the tree"):
    pass


class ErrInvalidMerkleProof(CryptoError, code=25, description="merkle proof is malformed"):
    pass


class ErrInvalidFrontier(
    CryptoError, code=26, description="merkle frontier does not match the accumulator size"
):
    pass
