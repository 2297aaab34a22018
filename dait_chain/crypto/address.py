"""Bech32 account addresses `dait1...` (specs/crypto.md §3, §4).

Seed 002 §4: `host_addr` / `user_addr` are "bech32 dait1...". Addresses follow Cosmos
SDK: 20 bytes = RIPEMD160(SHA256(compressed pubkey)) for secp256k1 accounts,
sha256(name)[:20] for module accounts, bech32 (BIP-173, not bech32m) with a length
limit of 1023 characters as cosmos/btcutil's `bech32.Decode(s, 1023)` applies.

The codec is our own checked code rather than the `bech32` package's decoder: that
decoder reports every failure as (None, None), caps the hrp at 83 characters, and runs
the checksum bit by bit. Ours applies Cosmos's 1023 limit, raises one typed error per
failure, and computes the same BIP-173 polymod with a 32-entry table. The tests
cross-check it against the package (the BIP-173 reference code) on every vector.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from dait_chain.crypto.errors import (
    ErrBech32ChecksumTooShort,
    ErrBech32EmptyHRP,
    ErrBech32InvalidCharacter,
    ErrBech32InvalidChecksum,
    ErrBech32mChecksum,
    ErrBech32MissingSeparator,
    ErrBech32MixedCase,
    ErrBech32TooLong,
    ErrEmptyAddress,
    ErrInvalidAddressLength,
    ErrInvalidAddressPadding,
    ErrInvalidHRP,
    ErrWrongAddressPrefix,
)
from dait_chain.crypto.hashing import hash160, sha256
from dait_chain.crypto.secp256k1 import validate_pubkey

HRP: Final = "dait"

# cosmos-sdk types/bech32: DecodeAndConvert calls bech32.Decode(bech, 1023).
COSMOS_BECH32_LIMIT: Final = 1023
# BIP-173: "the total length is at most 90 characters".
BIP173_LIMIT: Final = 90

# 20 bytes: secp256k1 accounts and module accounts; 32 bytes: ADR-028 derived addresses.
ADDRESS_LENGTHS: Final = (20, 32)
ACCOUNT_ADDRESS_SIZE: Final = 20

CHARSET: Final = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"  # BIP-173
_CHARSET_INDEX: Final = {c: i for i, c in enumerate(CHARSET)}
_CHECKSUM_LENGTH: Final = 6
_BECH32_CONST: Final = 1
# BIP-350: the polymod residue of a valid bech32m string.
_BECH32M_CONST: Final = 0x2BC830A3


# --- bech32 strings (§3) ------------------------------------------------------------------

# BIP-173 checksum generator. The polymod step xors GENERATOR[i] for each set bit i of
# the 5 bits shifted out; the table holds that xor for all 32 values of those bits.
_GENERATOR: Final = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _generator_xor(top: int) -> int:
    xor = 0
    for i, generator in enumerate(_GENERATOR):
        if top >> i & 1:
            xor ^= generator
    return xor


_POLYMOD_TABLE: Final = tuple(_generator_xor(top) for top in range(32))


def _polymod_step(chk: int, values: list[int] | tuple[int, ...]) -> int:
    for value in values:
        chk = ((chk & 0x1FFFFFF) << 5) ^ value ^ _POLYMOD_TABLE[chk >> 25]
    return chk


@lru_cache(maxsize=64)
def _hrp_polymod(hrp: str) -> int:
    # Polymod state after the expanded hrp (high bits, 0, low bits), reused per hrp.
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    return _polymod_step(1, expanded)


def _bytes_from_five_bit(groups: tuple[int, ...]) -> bytes | None:
    # BIP-173 5->8 regrouping without padding: the incomplete group left at the end must
    # be at most 4 bits and all zero (cosmos/btcutil ConvertBits(data, 5, 8, false)).
    value = 0
    for group in groups:
        value = (value << 5) | group
    size, leftover = divmod(len(groups) * 5, 8)
    if leftover > 4 or value & ((1 << leftover) - 1):
        return None
    return (value >> leftover).to_bytes(size, "big")


def _validate_hrp(hrp: str) -> None:
    if not hrp or any(not 33 <= ord(c) <= 126 for c in hrp) or hrp.lower() != hrp:
        raise ErrInvalidHRP(repr(hrp))


def _five_bit_groups(data: bytes) -> list[int]:
    # BIP-173 8->5 regrouping with zero padding: read the bytes as one big-endian
    # integer, pad it with zero bits to a multiple of 5, and cut it into 5-bit groups.
    groups = (len(data) * 8 + 4) // 5
    value = int.from_bytes(data, "big") << (groups * 5 - len(data) * 8)
    return [(value >> (5 * (groups - 1 - i))) & 31 for i in range(groups)]


def bech32_encode(hrp: str, data: bytes, limit: int = COSMOS_BECH32_LIMIT) -> str:
    """BIP-173 string for `hrp` and `data` regrouped 8->5 bits with zero padding."""
    _validate_hrp(hrp)
    five_bit = _five_bit_groups(data)
    polymod = _polymod_step(_hrp_polymod(hrp), [*five_bit, 0, 0, 0, 0, 0, 0]) ^ _BECH32_CONST
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(_CHECKSUM_LENGTH)]
    encoded = hrp + "1" + "".join(CHARSET[g] for g in five_bit + checksum)
    if len(encoded) > limit:
        raise ErrBech32TooLong(f"{len(encoded)} > {limit}")
    return encoded


def bech32_decode(bech: str, limit: int = COSMOS_BECH32_LIMIT) -> tuple[str, tuple[int, ...]]:
    """Split a bech32 string into (lowercase hrp, 5-bit data without the checksum).

    Checks, in cosmos/btcutil's order: length limit, characters in 33..126, no mixed
    case, separator (the last '1') with a non-empty hrp and >= 6 characters after it,
    data characters in the bech32 charset, then the bech32 (not bech32m) checksum.
    """
    # btcutil measures Go string length, i.e. UTF-8 bytes.
    size = len(bech.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise ErrBech32TooLong(f"{size} > {limit}")
    has_lower = has_upper = False
    for c in bech:
        if not 33 <= ord(c) <= 126:
            raise ErrBech32InvalidCharacter(f"code point {ord(c)}")
        has_lower = has_lower or "a" <= c <= "z"
        has_upper = has_upper or "A" <= c <= "Z"
        if has_lower and has_upper:
            raise ErrBech32MixedCase(bech)
    lower = bech.lower()
    separator = lower.rfind("1")
    if separator < 0:
        raise ErrBech32MissingSeparator(bech)
    if separator == 0:
        raise ErrBech32EmptyHRP(bech)
    if len(lower) - separator - 1 < _CHECKSUM_LENGTH:
        raise ErrBech32ChecksumTooShort(bech)
    hrp = lower[:separator]
    data: list[int] = []
    for c in lower[separator + 1 :]:
        value = _CHARSET_INDEX.get(c)
        if value is None:
            raise ErrBech32InvalidCharacter(repr(c))
        data.append(value)
    residue = _polymod_step(_hrp_polymod(hrp), data)
    if residue == _BECH32M_CONST:
        raise ErrBech32mChecksum(bech)
    if residue != _BECH32_CONST:
        raise ErrBech32InvalidChecksum(bech)
    return hrp, tuple(data[:-_CHECKSUM_LENGTH])


# --- addresses (§4) -----------------------------------------------------------------------


def _validate_address_bytes(raw: bytes) -> None:
    if len(raw) not in ADDRESS_LENGTHS:
        raise ErrInvalidAddressLength(f"got {len(raw)} bytes")


def encode_address(raw: bytes, hrp: str = HRP) -> str:
    """The bech32 string of a 20- or 32-byte address under `hrp`."""
    _validate_address_bytes(raw)
    return bech32_encode(hrp, raw)


def decode_address(address: str, hrp: str = HRP) -> bytes:
    """The address bytes of a bech32 `address` whose prefix must be `hrp` (§4.2).

    Refuses: empty, over 1023 characters, bad characters, mixed case, missing
    separator, empty hrp, short checksum, bad or bech32m checksum, other prefix,
    non-zero or overlong padding, and lengths other than 20 or 32 bytes. An all-uppercase
    string decodes as its lowercase form (BIP-173; Cosmos does the same).
    """
    _validate_hrp(hrp)
    if not address.strip():
        raise ErrEmptyAddress()
    got_hrp, five_bit = bech32_decode(address)
    if got_hrp != hrp:
        raise ErrWrongAddressPrefix(f"expected {hrp}, got {got_hrp}")
    raw = _bytes_from_five_bit(five_bit)
    if raw is None:
        raise ErrInvalidAddressPadding(address)
    _validate_address_bytes(raw)
    return raw


def validate_address(address: str, hrp: str = HRP) -> None:
    """Refuse any string `decode_address` refuses."""
    decode_address(address, hrp)


def normalize_address(address: str, hrp: str = HRP) -> str:
    """The canonical (lowercase) string of a valid address."""
    return encode_address(decode_address(address, hrp), hrp)


def address_bytes_from_pubkey(pubkey: bytes) -> bytes:
    """RIPEMD160(SHA256(pubkey)) of a valid 33-byte compressed secp256k1 key (Cosmos)."""
    validate_pubkey(pubkey)
    return hash160(bytes(pubkey))


def address_from_pubkey(pubkey: bytes, hrp: str = HRP) -> str:
    """The bech32 account address of a 33-byte compressed secp256k1 public key."""
    return encode_address(address_bytes_from_pubkey(pubkey), hrp)


def module_address_bytes(name: str) -> bytes:
    """sha256(name)[:20]: Cosmos authtypes.NewModuleAddress = crypto.AddressHash(name)."""
    return sha256(name.encode("utf-8"))[:ACCOUNT_ADDRESS_SIZE]


def module_address(name: str, hrp: str = HRP) -> str:
    """The bech32 address of the module account `name` (e.g. "state_channel")."""
    return encode_address(module_address_bytes(name), hrp)
