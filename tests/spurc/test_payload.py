"""request_hash and response_hash (seed 002 §3; decisions.md SPUR-IC; specs/spurc.md "Payloads")."""

from __future__ import annotations

import hashlib
import json

import pytest
import rfc8785
from hypothesis import example, given
from hypothesis import strategies as st

from dait_chain.codec.errors import CodecError, ErrJcsUnsupportedType
from dait_chain.codec.jcs import canonicalize
from dait_chain.spurc.errors import ErrRequestMalformed, ErrResponseMalformed
from dait_chain.spurc.payload import (
    InferRequest,
    JsonValue,
    canonical_output,
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
        # an integer literal beyond the doubles is infinite, which JCS cannot carry
        b'{"prompt":"p","params":{"t":1' + b"0" * 400 + b'},"nonce":"n"}',
        b'{"prompt":"\xff","params":{},"nonce":"n"}',
    ],
)
def test_request_that_is_not_a_spurc_request_object_is_refused(body: bytes) -> None:
    with pytest.raises(ErrRequestMalformed):
        request_hash_of_body(body)


def test_request_numbers_are_read_as_rfc8785_reads_them_as_doubles() -> None:
    """specs/spurc.md §5 "Numbers are doubles": 2^53 written as an integer is canonical
    and hashed as sent; 2^53 + 1 is the double 2^53 (round half to even), so its request
    hashes as the one spelling 2^53; a Python int beyond 2^53 - 1 has no exact JCS form
    and an InferRequest holding one is refused."""
    exact = b'{"nonce":"n","params":{"t":9007199254740992},"prompt":"p"}'
    assert request_hash_of_body(exact) == hashlib.sha256(exact).digest()
    rounded = b'{"nonce":"n","params":{"t":9007199254740993},"prompt":"p"}'
    assert request_hash_of_body(rounded) == hashlib.sha256(exact).digest()
    assert rfc8785.dumps(float(2**53 + 1)) == b"9007199254740992"  # the same reading
    with pytest.raises(ErrRequestMalformed):
        InferRequest("p", {"t": 2**53 + 1}, "n").encode()


def test_response_hash_is_sha256_of_jcs_output() -> None:
    out: dict[str, JsonValue] = {"text": "héllo", "a": 1}
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


def _cyclic_values() -> list[object]:
    in_list: list[object] = [1]
    in_list.append(in_list)
    in_dict: dict[str, object] = {"a": "x"}
    in_dict["b"] = in_dict
    # The cycle sits behind a member the fast path does not take (a non-ASCII key), and
    # behind a shared, acyclic container met first.
    behind_non_ascii: dict[str, object] = {"é": 1}
    behind_non_ascii["z"] = [behind_non_ascii]
    shared: list[object] = ["s"]
    behind_shared: list[object] = [shared, shared]
    behind_shared.append({"c": behind_shared})
    return [in_list, in_dict, behind_non_ascii, behind_shared]


@pytest.mark.parametrize("value", _cyclic_values())
def test_cyclic_value_has_no_jcs_form_and_is_refused_with_a_typed_error(value: object) -> None:
    with pytest.raises(ErrJcsUnsupportedType):
        jcs(value)
    with pytest.raises(ErrResponseMalformed):
        canonical_output(value)  # type: ignore[arg-type]


def test_shared_container_is_written_at_each_place_it_occurs() -> None:
    shared = {"k": [1, "v"]}
    assert jcs([shared, {"x": shared}]) == b'[{"k":[1,"v"]},{"x":{"k":[1,"v"]}}]'


_requests = st.fixed_dictionaries(
    {
        "prompt": st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
        "params": st.dictionaries(st.text(max_size=4), _json_values, max_size=3),
        "nonce": st.text(max_size=4),
    }
)


_SAFE = 2**53 - 1


def _as_rfc8785_reads(value: object) -> object:
    """`value` as an RFC 8785 reader reads its JSON text back: numbers are IEEE-754
    doubles, so an integer beyond ±(2^53 - 1) is the nearest double (Python's int to
    float conversion rounds as a JSON reader does), or infinite beyond the doubles."""
    if isinstance(value, dict):
        return {k: _as_rfc8785_reads(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_rfc8785_reads(v) for v in value]
    if type(value) is int and not -_SAFE <= value <= _SAFE:
        try:
            return float(value)
        except OverflowError:
            return float("inf") if value > 0 else float("-inf")
    return value


@given(_requests, st.sampled_from(["jcs", "spaced", "ascii", "unsorted"]))
# Found by the nightly profile: a float whose JCS text is an integer literal beyond 2^53 - 1
# (2^53 itself) was refused, where RFC 8785 hashes it. Beside it, an int beyond the range,
# whose text an RFC 8785 reader rounds to 2^53, and one beyond the doubles.
@example({"prompt": "", "params": {"": [9007199254740992.0]}, "nonce": ""}, "jcs")
@example({"prompt": "", "params": {"x": 2**53 + 1}, "nonce": ""}, "spaced")
@example({"prompt": "", "params": {"x": 10**400}, "nonce": ""}, "unsorted")
def test_request_hash_of_any_spelling_is_sha256_of_the_rfc8785_form(
    request_object: dict[str, object], spelling: str
) -> None:
    """The hash of a request body, canonical (hashed as sent) or not (re-canonicalized),
    is sha256 of the rfc8785 package's bytes of the request as RFC 8785 reads the body
    (numbers are doubles); a request JCS cannot carry is refused."""
    try:
        read = _as_rfc8785_reads(request_object)
        want: object = hashlib.sha256(rfc8785.dumps(read)).digest()  # type: ignore[arg-type]
    except (rfc8785.CanonicalizationError, UnicodeEncodeError, ValueError):
        want = ErrRequestMalformed
    body = _spell(request_object, spelling)
    try:
        got: object = request_hash_of_body(body)
    except ErrRequestMalformed:
        got = ErrRequestMalformed
    assert got == want


@given(_json_values, st.sampled_from(["jcs", "spaced", "ascii", "unsorted"]))
@example([9007199254740992.0], "jcs")  # "[9007199254740992]": canonical, accepted
@example(2.259484295568277e16, "jcs")  # "22594842955682770": read back as that double
def test_response_body_is_accepted_exactly_when_it_is_the_rfc8785_form(
    output: object, spelling: str
) -> None:
    try:
        canonical = rfc8785.dumps(output)  # type: ignore[arg-type]
    except (rfc8785.CanonicalizationError, UnicodeEncodeError, ValueError):
        return  # no JCS form: nothing to spell
    body = _spell(output, spelling)
    if body == canonical:
        assert check_body_is_canonical_json(body) == _as_rfc8785_reads(json.loads(body))
    else:
        with pytest.raises(ErrResponseMalformed):
            check_body_is_canonical_json(body)


def _spell(value: object, spelling: str) -> bytes:
    """A JSON text of `value`: the rfc8785 package's, or one of json.dumps's others."""
    if spelling == "jcs":
        try:
            return rfc8785.dumps(value)  # type: ignore[arg-type]
        except (rfc8785.CanonicalizationError, UnicodeEncodeError, ValueError):
            spelling = "spaced"
    text = json.dumps(
        value,
        ensure_ascii=spelling == "ascii",
        sort_keys=spelling != "unsorted",
        separators=(", ", ": ") if spelling == "spaced" else (",", ":"),
    )
    return text.encode("utf-8", "surrogatepass")
