"""JCS (RFC 8785) canonicalization (specs/codec.md §4).

Expected values are RFC 8785's own published examples: §3.2.2 (the sample object),
§3.2.3 (property sorting by UTF-16 code units) and Appendix B (number serialization of
IEEE-754 bit patterns).
"""

from __future__ import annotations

import hashlib
import json
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.codec.errors import (
    ErrJcsIntegerRange,
    ErrJcsKeyNotString,
    ErrJcsLoneSurrogate,
    ErrJcsNonFinite,
    ErrJcsUnsupportedType,
)
from dait_chain.codec.jcs import MAX_SAFE_INTEGER, canonicalize


def test_rfc8785_section_3_2_2_sample_object() -> None:
    """RFC 8785 §3.2.2: the sample input and its canonical output, byte for byte."""
    value = {
        "numbers": [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/",
        "literals": [None, True, False],
    }
    expected = (
        '{"literals":[null,true,false],'
        '"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    ).encode()
    assert canonicalize(value) == expected


def test_rfc8785_section_3_2_3_keys_sort_by_utf16_code_units() -> None:
    """RFC 8785 §3.2.3: U+1F600 (UTF-16 D83D DE00) sorts before U+FB33, although its code
    point is larger; sorting by code point would put it last."""
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    expected_order = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    out = canonicalize(value)
    assert list(json.loads(out)) == expected_order
    assert out.startswith(b'{"\\r":"Carriage Return","1":"One","\xc2\x80":"Control"')
    by_code_point = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert out != by_code_point.encode()  # anchors.md: sort_keys=True is not JCS


# RFC 8785 Appendix B: IEEE-754 double bit patterns and their JCS text.
APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


def _double(bits: str) -> float:
    value: float = struct.unpack(">d", bytes.fromhex(bits))[0]
    return value


@pytest.mark.parametrize(("bits", "text"), APPENDIX_B)
def test_rfc8785_appendix_b_number_serialization(bits: str, text: str) -> None:
    assert canonicalize(_double(bits)) == text.encode()


@pytest.mark.parametrize("bits", ["7fffffffffffffff", "7ff0000000000000", "fff0000000000000"])
def test_nan_and_infinities_are_refused(bits: str) -> None:
    """RFC 8785 Appendix B lists NaN and Infinity as errors."""
    with pytest.raises(ErrJcsNonFinite):
        canonicalize({"x": [_double(bits)]})


def test_integers_within_2_53_are_exact() -> None:
    assert canonicalize(MAX_SAFE_INTEGER) == b"9007199254740991"
    assert canonicalize(-MAX_SAFE_INTEGER) == b"-9007199254740991"


@pytest.mark.parametrize("n", [MAX_SAFE_INTEGER + 1, -MAX_SAFE_INTEGER - 1, 1 << 64])
def test_integers_beyond_2_53_are_refused(n: int) -> None:
    """I-JSON numbers are doubles; 2^53 + 1 has no exact double (uint64 amounts go in
    strings, as the proto3 JSON mapping does)."""
    with pytest.raises(ErrJcsIntegerRange):
        canonicalize([n])


def test_lone_surrogate_in_string_is_refused() -> None:
    with pytest.raises(ErrJcsLoneSurrogate):
        canonicalize({"a": "x\ud800"})


def test_lone_surrogate_in_key_is_refused() -> None:
    """The rfc8785 package raises a bare UnicodeEncodeError here; we raise a typed error."""
    with pytest.raises(ErrJcsLoneSurrogate):
        canonicalize({"\udc00": 1, "b": 2})


@pytest.mark.parametrize("key", [1, None, b"k", (1, 2)])
def test_non_string_key_is_refused(key: object) -> None:
    with pytest.raises(ErrJcsKeyNotString):
        canonicalize({key: 1})


@pytest.mark.parametrize("value", [b"bytes", {1, 2}, object(), 1j])
def test_unsupported_type_is_refused(value: object) -> None:
    with pytest.raises(ErrJcsUnsupportedType):
        canonicalize({"v": [value]})


def test_request_hash_of_decisions_md_payload() -> None:
    """decisions.md: request_hash = sha256(JCS({"prompt", "params", "nonce"})). The JCS
    bytes are derived by hand: keys sorted (nonce < params < prompt), no whitespace, the
    float 0.70 as 0.7, the integer as is."""
    payload = {"prompt": "Hi", "params": {"temperature": 0.70, "max_tokens": 16}, "nonce": "n1"}
    jcs = b'{"nonce":"n1","params":{"max_tokens":16,"temperature":0.7},"prompt":"Hi"}'
    assert canonicalize(payload) == jcs
    assert hashlib.sha256(canonicalize(payload)).digest() == hashlib.sha256(jcs).digest()


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(st.characters(codec="utf-8")),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(st.characters(codec="utf-8"), max_size=4), children, max_size=4)
    ),
    max_leaves=12,
)


@given(JSON_VALUES)
def test_canonical_form_is_a_fixed_point(value: object) -> None:
    """Parsing JCS output and canonicalizing again gives the same bytes (RFC 8785 §3: the
    canonical form of a canonical document is itself). JSON numbers are doubles (I-JSON),
    so they are read back as floats: a float such as 2^53 prints as an integer literal."""
    once = canonicalize(value)
    assert canonicalize(json.loads(once, parse_int=float)) == once


KEYS = st.text(st.characters(codec="utf-8"), max_size=3)


@given(st.dictionaries(KEYS, st.integers(0, 9), min_size=2, max_size=6))
def test_member_order_does_not_change_the_bytes(members: dict[str, int]) -> None:
    """RFC 8785 §3.2.3: the output does not depend on the input's member order."""
    reverse = dict(reversed(list(members.items())))
    assert canonicalize(reverse) == canonicalize(members)
