"""specs/crypto.md §3-§4: bech32 strings and dait1... addresses.

Expected values: BIP-173 and BIP-350 test vectors, cosmos-sdk's secp256k1 address vector,
cosmjs's pubkey-to-address vector, and well-known Cosmos Hub module account addresses.
"""

from __future__ import annotations

import base64
import hashlib

import bech32 as bip173
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.crypto.address import (
    BIP173_LIMIT,
    COSMOS_BECH32_LIMIT,
    HRP,
    address_bytes_from_pubkey,
    address_from_pubkey,
    bech32_decode,
    bech32_encode,
    decode_address,
    encode_address,
    module_address,
    module_address_bytes,
    normalize_address,
    validate_address,
)
from dait_chain.crypto.errors import (
    CryptoError,
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
    ErrInvalidPubKeySize,
    ErrWrongAddressPrefix,
)

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"  # BIP-173

# BIP-173 "Test vectors": valid Bech32 strings.
BIP173_VALID = [
    "A12UEL5L",
    "a12uel5l",
    "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
    "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
    "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
    "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    "?1ezyfcl",
]

# BIP-173 invalid Bech32 strings, each with the error its stated reason maps to.
AN84 = "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx"
BIP173_INVALID = [
    ("\x20" + "1nwldj5", ErrBech32InvalidCharacter),  # HRP character out of range
    ("\x7f" + "1axkwrx", ErrBech32InvalidCharacter),  # HRP character out of range
    ("\x80" + "1eym55h", ErrBech32InvalidCharacter),  # HRP character out of range
    (AN84, ErrBech32TooLong),  # overall max length exceeded
    ("pzry9x0s0muk", ErrBech32MissingSeparator),  # no separator character
    ("1pzry9x0s0muk", ErrBech32EmptyHRP),  # empty HRP
    ("x1b4n0q5v", ErrBech32InvalidCharacter),  # invalid data character
    ("li1dgmt3", ErrBech32ChecksumTooShort),  # too short checksum
    ("de1lg7wt" + "\xff", ErrBech32InvalidCharacter),  # invalid character in checksum
    ("A1G7SGD8", ErrBech32InvalidChecksum),  # checksum calculated with uppercase HRP
    ("10a06t8", ErrBech32EmptyHRP),  # empty HRP
    ("1qzzfhee", ErrBech32EmptyHRP),  # empty HRP
    # BIP-173 segwit list: mixed case; invalid checksum.
    (
        "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",
        ErrBech32MixedCase,
    ),
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", ErrBech32InvalidChecksum),
]

# BIP-350 valid Bech32m strings: valid bech32m is exactly what an address must not be.
BIP350_VALID = [
    "A1LQFN3A",
    "a1lqfn3a",
    "an83characterlonghumanreadablepartthatcontainsthetheexcludedcharactersbioandnumber11sg7hg6",
    "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
    "11llllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllllludsr8",
    "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    "?1v759aa",
]

# cosmos-sdk crypto/keys/secp256k1 secp256k1_test.go: pubkey and its base58check address.
COSMOS_SDK_PUB = "02950e1cdfcb133d6024109fd489f734eeb4502418e538c28481f22bce276f248c"
COSMOS_SDK_B58 = "1CKZ9Nx4zgds8tU7nJHotKSDr4a9bYJCa3"
# cosmjs amino addresses.spec.ts: "works for Secp256k1".
COSMJS_PUB_B64 = "AtQaCqFnshaZQp6rIkvAPyzThvCvXSDO+9AzbxVErqJP"
COSMJS_ADDRESS = "cosmos1h806c7khnvmjlywdrkdgk2vrayy2mmvf9rxk2r"
# Cosmos Hub module accounts (authtypes.NewModuleAddress).
COSMOS_MODULE_ACCOUNTS = [
    ("gov", "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn"),
    ("fee_collector", "cosmos17xpfvakm2amg962yls6f84z3kell8c5lserqta"),
    ("mint", "cosmos1m3h30wlvsf8llruxtpukdvsy0km2kum8g38c8q"),
    ("distribution", "cosmos1jv65s3grqf6v6jl3dp4t6c9t9rk99cd88lyufl"),
    ("bonded_tokens_pool", "cosmos1fl48vsnmsdzcv85q5d2q4z5ajdha8yu34mf0eh"),
    ("not_bonded_tokens_pool", "cosmos1tygms3xhhs3yv487phx3dw4a95jn7t7lpm470r"),
]

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58check_payload(text: str) -> bytes:
    # Base58Check: big-endian base-58 number, one 0x00 byte per leading '1', 4-byte
    # double-SHA-256 checksum, then a 1-byte version.
    value = 0
    for char in text:
        value = value * 58 + B58_ALPHABET.index(char)
    body = value.to_bytes((value.bit_length() + 7) // 8, "big")
    raw = b"\x00" * (len(text) - len(text.lstrip("1"))) + body
    payload, checksum = raw[:-4], raw[-4:]
    assert hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] == checksum
    return payload[1:]


def _with_checksum(hrp: str, groups: list[int], const: int) -> str:
    # BIP-173/350 checksum creation written out: polymod over hrp-expansion, data and six
    # zero groups, xor the variant's constant.
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + groups + [0] * 6
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= generator[i] if (top >> i) & 1 else 0
    polymod = chk ^ const
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[g] for g in groups + checksum)


def _groups_of(raw: bytes) -> list[int]:
    groups = bip173.convertbits(raw, 8, 5, True)
    assert groups is not None
    return groups


addresses_20 = st.binary(min_size=20, max_size=20)
addresses_any = st.one_of(addresses_20, st.binary(min_size=32, max_size=32))


# --- BIP-173 / BIP-350 vectors ------------------------------------------------------------


@pytest.mark.parametrize("text", BIP173_VALID)
def test_bip173_valid_strings_decode_and_reencode(text: str) -> None:
    hrp, data = bech32_decode(text, limit=BIP173_LIMIT)
    assert hrp == text.lower()[: text.rfind("1")]
    assert bip173.bech32_encode(hrp, list(data)) == text.lower()


@pytest.mark.parametrize(("text", "error"), BIP173_INVALID)
def test_bip173_invalid_strings_are_refused_with_their_reason(
    text: str, error: type[CryptoError]
) -> None:
    with pytest.raises(error):
        bech32_decode(text, limit=BIP173_LIMIT)


def test_cosmos_length_limit_accepts_what_bip173_limit_refuses() -> None:
    # anchors.md: Cosmos decodes with a 1023-character limit, not BIP-173's 90; the
    # 91-character BIP-173 vector has a valid checksum and is only too long.
    assert len(AN84) == 91
    hrp, data = bech32_decode(AN84)
    assert hrp == AN84[: AN84.rfind("1")]
    assert data == ()


@pytest.mark.parametrize("text", BIP350_VALID)
def test_bip350_bech32m_strings_are_refused_as_bech32m(text: str) -> None:
    with pytest.raises(ErrBech32mChecksum):
        bech32_decode(text, limit=BIP173_LIMIT)


def test_bip173_segwit_vector_payload_regroups_to_its_program() -> None:
    # BIP-173: BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4 -> 0014751e76...; data[0] is the
    # witness version 0, the rest the 20-byte program.
    hrp, data = bech32_decode("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4")
    program = bip173.convertbits(list(data[1:]), 5, 8, False)
    assert program is not None
    assert (hrp, data[0], bytes(program).hex()) == (
        "bc",
        0,
        "751e76e8199196d454941c45d1b3a323f1433bd6",
    )


# --- Cosmos address vectors -----------------------------------------------------------------


def test_address_bytes_match_cosmos_sdk_vector() -> None:
    pubkey = bytes.fromhex(COSMOS_SDK_PUB)
    assert address_bytes_from_pubkey(pubkey) == _base58check_payload(COSMOS_SDK_B58)


def test_address_string_matches_cosmjs_vector() -> None:
    pubkey = base64.b64decode(COSMJS_PUB_B64)
    assert address_from_pubkey(pubkey, hrp="cosmos") == COSMJS_ADDRESS


def test_dait_address_carries_the_same_bytes_as_the_cosmos_address() -> None:
    pubkey = base64.b64decode(COSMJS_PUB_B64)
    dait = address_from_pubkey(pubkey)
    assert dait.startswith("dait1")
    assert decode_address(dait) == decode_address(COSMJS_ADDRESS, hrp="cosmos")


@pytest.mark.parametrize(("name", "address"), COSMOS_MODULE_ACCOUNTS)
def test_module_address_matches_cosmos_hub_module_accounts(name: str, address: str) -> None:
    assert module_address(name, hrp="cosmos") == address
    assert decode_address(address, hrp="cosmos") == hashlib.sha256(name.encode()).digest()[:20]


def test_module_address_is_sha256_of_name_truncated_to_20_bytes() -> None:
    # specs §4.3: crypto.AddressHash(name) = sha256(name)[:20].
    expected = hashlib.sha256(b"state_channel").digest()[:20]
    assert module_address_bytes("state_channel") == expected
    assert decode_address(module_address("state_channel")) == expected


def test_address_of_a_non_compressed_key_is_refused() -> None:
    with pytest.raises(ErrInvalidPubKeySize):
        address_bytes_from_pubkey(b"\x04" + bytes(64))


# --- round trip and tamper detection ------------------------------------------------------


@given(
    st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=20
    ).map(str.lower),
    st.lists(st.integers(0, 31), max_size=80),
)
def test_decoder_agrees_with_the_bip173_reference_encoder(hrp: str, groups: list[int]) -> None:
    """Any string the BIP-173 reference encoder emits decodes back to its hrp and groups."""
    assert bech32_decode(bip173.bech32_encode(hrp, groups)) == (hrp, tuple(groups))


@given(
    st.sampled_from([31, 32, 33, 34, 51, 52, 53]).flatmap(
        lambda n: st.lists(st.integers(0, 31), min_size=n, max_size=n)
    )
)
def test_address_regrouping_agrees_with_the_bip173_reference(groups: list[int]) -> None:
    """decode_address regroups 5->8 exactly as the reference convertbits(pad=False): a
    refusal where it refuses (bad padding), else the same bytes, kept if 20 or 32 long."""
    address = bip173.bech32_encode(HRP, groups)
    expected = bip173.convertbits(groups, 5, 8, False)
    if expected is None:
        with pytest.raises(ErrInvalidAddressPadding):
            decode_address(address)
    elif len(expected) not in (20, 32):
        with pytest.raises(ErrInvalidAddressLength):
            decode_address(address)
    else:
        assert decode_address(address) == bytes(expected)


@given(addresses_any)
def test_encode_decode_round_trip(raw: bytes) -> None:
    """decode_address(encode_address(a)) == a for 20- and 32-byte addresses."""
    address = encode_address(raw)
    assert address.startswith(HRP + "1")
    assert decode_address(address) == raw


@given(addresses_any)
def test_encoding_agrees_with_the_bip173_reference(raw: bytes) -> None:
    """Our 8->5 regrouping and checksum give the BIP-173 reference encoder's string."""
    assert encode_address(raw) == bip173.bech32_encode(HRP, _groups_of(raw))


@given(addresses_any, st.data())
def test_any_single_character_change_is_refused(raw: bytes, data: st.DataObject) -> None:
    """Changing one character of a valid address to any other printable ASCII character
    makes decode_address raise a crypto error (BIP-173 detects every 1-char error)."""
    address = encode_address(raw)
    index = data.draw(st.integers(0, len(address) - 1))
    replacement = data.draw(
        st.characters(min_codepoint=33, max_codepoint=126).filter(lambda c: c != address[index])
    )
    tampered = address[:index] + replacement + address[index + 1 :]
    with pytest.raises(CryptoError):
        decode_address(tampered)


def test_uppercase_address_decodes_and_normalizes_to_lowercase() -> None:
    # BIP-173 allows an all-uppercase string; Cosmos lowercases before decoding.
    address = module_address("state_channel")
    assert decode_address(address.upper()) == decode_address(address)
    assert normalize_address(address.upper()) == address


@given(st.binary(min_size=32, max_size=32))
def test_32_byte_addresses_are_accepted(raw: bytes) -> None:
    """ADR-028 32-byte addresses decode to their 32 bytes."""
    validate_address(encode_address(raw))


# --- one test per refusal -------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_address_is_refused(text: str) -> None:
    with pytest.raises(ErrEmptyAddress):
        decode_address(text)


def test_address_over_1023_characters_is_refused() -> None:
    raw = bytes(range(20))
    longest_hrp = "a" * (COSMOS_BECH32_LIMIT - 1 - 32 - 6)
    at_limit = encode_address(raw, hrp=longest_hrp)
    assert len(at_limit) == COSMOS_BECH32_LIMIT
    assert decode_address(at_limit, hrp=longest_hrp) == raw
    over = bip173.bech32_encode(longest_hrp + "a", _groups_of(raw))
    assert len(over) == COSMOS_BECH32_LIMIT + 1
    with pytest.raises(ErrBech32TooLong):
        decode_address(over, hrp=longest_hrp + "a")
    with pytest.raises(ErrBech32TooLong):
        encode_address(raw, hrp=longest_hrp + "a")


def test_length_limit_counts_utf8_bytes_like_go() -> None:
    # 1023 characters, one of them two bytes in UTF-8: 1024 bytes, over the limit.
    text = "é" + "q" * 1022
    assert len(text) == COSMOS_BECH32_LIMIT
    with pytest.raises(ErrBech32TooLong):
        bech32_decode(text)


@pytest.mark.parametrize("bad", [" ", "é", "b", "i", "o", "\x7f"])
def test_invalid_character_is_refused(bad: str) -> None:
    address = module_address("gov")
    with pytest.raises(ErrBech32InvalidCharacter):
        decode_address(address[:10] + bad + address[11:])


def test_mixed_case_is_refused() -> None:
    address = module_address("gov")
    with pytest.raises(ErrBech32MixedCase):
        decode_address(address[:-1] + address[-1].upper())


def test_missing_separator_is_refused() -> None:
    with pytest.raises(ErrBech32MissingSeparator):
        decode_address(module_address("gov").replace("1", "q", 1))


def test_empty_hrp_is_refused() -> None:
    with pytest.raises(ErrBech32EmptyHRP):
        decode_address("1" + module_address("gov")[5:])


def test_checksum_shorter_than_six_characters_is_refused() -> None:
    with pytest.raises(ErrBech32ChecksumTooShort):
        decode_address("dait1qqqqq")


def test_bad_checksum_is_refused() -> None:
    address = module_address("gov")
    last = CHARSET[(CHARSET.index(address[-1]) + 1) % 32]
    with pytest.raises(ErrBech32InvalidChecksum):
        decode_address(address[:-1] + last)


def test_bech32m_address_is_refused() -> None:
    raw = hashlib.sha256(b"gov").digest()[:20]
    bech32m = _with_checksum(HRP, _groups_of(raw), 0x2BC830A3)
    assert _with_checksum(HRP, _groups_of(raw), 1) == encode_address(raw)
    with pytest.raises(ErrBech32mChecksum):
        decode_address(bech32m)


def test_other_prefix_is_refused() -> None:
    with pytest.raises(ErrWrongAddressPrefix):
        decode_address(COSMJS_ADDRESS)
    with pytest.raises(ErrWrongAddressPrefix):
        decode_address(module_address("gov"), hrp="daitvaloper")


@pytest.mark.parametrize("hrp", ["", "DAIT", "da it", "dait\x80"])
def test_invalid_hrp_is_refused(hrp: str) -> None:
    with pytest.raises(ErrInvalidHRP):
        encode_address(bytes(20), hrp=hrp)
    with pytest.raises(ErrInvalidHRP):
        decode_address(module_address("gov"), hrp=hrp)
    with pytest.raises(ErrInvalidHRP):
        bech32_encode(hrp, bytes(20))


def test_five_extra_bits_are_refused_as_bad_padding() -> None:
    # 33 groups = 165 bits = 20 bytes + a 5-bit incomplete group (BIP-173: at most 4).
    groups = [*_groups_of(bytes(20)), 0]
    with pytest.raises(ErrInvalidAddressPadding):
        decode_address(bip173.bech32_encode(HRP, groups))


def test_non_zero_padding_bits_are_refused() -> None:
    # 32 bytes = 256 bits -> 52 groups = 260 bits: the last 4 bits must be zero.
    groups = _groups_of(bytes(32))
    groups[-1] |= 0b0001
    with pytest.raises(ErrInvalidAddressPadding):
        decode_address(bip173.bech32_encode(HRP, groups))


@pytest.mark.parametrize("size", [0, 1, 19, 21, 31, 33, 64])
def test_address_length_other_than_20_or_32_is_refused(size: int) -> None:
    with pytest.raises(ErrInvalidAddressLength):
        decode_address(bip173.bech32_encode(HRP, _groups_of(bytes(size))))
    with pytest.raises(ErrInvalidAddressLength):
        encode_address(bytes(size))
