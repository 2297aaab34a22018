"""request_hash and response_hash (seed 002 §3; decisions.md SPUR-IC; specs/spurc.md "Payloads")."""

from __future__ import annotations

import hashlib

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.codec.errors import CodecError
from dait_chain.codec.jcs import canonicalize
from dait_chain.spurc.errors import ErrRequestMalformed, ErrResponseMalformed
from dait_chain.spurc.payload import (
    InferRequest,
    check_body_is_canonical_json,
    jcs,
    parse_request,
    request_hash_of_body,
    response_hash,
)


def test_request_hash_is_sha256_of_jcs_of_prompt_params_nonce() -> None:
    # Independent computation: the rfc8785 package and hashlib, member order by hand.
    body = (
        b'{ "prompt": "Hello, world.", "nonce": "n-1",'
        b' "params": {"temperature": 0.7, "max_tokens": 16} }'
    )
    want = hashlib.sha256(
        b'{"nonce":"n-1","params":{"max_tokens":16,"temperature":0.7},"prompt":"Hello, world."}'
    ).digest()
    assert request_hash_of_body(body) == want
    assert rfc8785.dumps(parse_request(body).as_json()) == (
        b'{"nonce":"n-1","params":{"max_tokens":16,"temperature":0.7},"prompt":"Hello, world."}'
    )


def test_request_encoding_is_its_jcs_form() -> None:
    req = InferRequest("p", {"b": 1, "a": [True, None]}, "z")
    assert req.encode() == b'{"nonce":"z","params":{"a":[true,null],"b":1},"prompt":"p"}'
    assert parse_request(req.encode()) == req


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"prompt":"p","params":{},"nonce":"n","extra":1}',
        b'{"prompt":"p","params":{}}',
        b'{"prompt":1,"params":{},"nonce":"n"}',
        b'{"prompt":"p","params":[],"nonce":"n"}',
        b'{"prompt":"p","prompt":"q","params":{},"nonce":"n"}',
        b'{"prompt":"p","params":{"t":NaN},"nonce":"n"}',
        b'{"prompt":"p","params":{"t":9007199254740993},"nonce":"n"}',
        b'{"prompt":"\xff","params":{},"nonce":"n"}',
    ],
)
def test_request_that_is_not_a_spurc_request_object_is_refused(body: bytes) -> None:
    with pytest.raises(ErrRequestMalformed):
        request_hash_of_body(body)


def test_response_hash_is_sha256_of_jcs_output() -> None:
    out = {"text": "héllo", "a": 1}
    assert response_hash(out) == hashlib.sha256(rfc8785.dumps(out)).digest()


def test_canonical_response_body_is_accepted() -> None:
    assert check_body_is_canonical_json(b'{"a":1,"text":"x"}') == {"a": 1, "text": "x"}


@pytest.mark.parametrize(
    "body",
    [b'{"text": "x"}', b'{"text":"x","a":1}', b'{"text":"\\u0078"}', b"1.0", b"", b'{"a":1,"a":1}'],
)
def test_non_canonical_response_body_is_refused(body: bytes) -> None:
    with pytest.raises(ErrResponseMalformed):
        check_body_is_canonical_json(body)


_json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**60), max_value=2**60),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(alphabet=st.characters(codec=None, exclude_categories=())),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=6), children, max_size=4),
    ),
    max_leaves=12,
)


@given(_json_values)
def test_fast_jcs_agrees_with_the_codecs_jcs(value: object) -> None:
    """For every JSON value (floats, big integers, non-ASCII keys, lone surrogates
    included): payload.jcs gives the codec's bytes, or the codec's error."""
    try:
        want: object = canonicalize(value)
    except CodecError as exc:
        want = type(exc)
    try:
        got: object = jcs(value)
    except CodecError as exc:
        got = type(exc)
    assert got == want
