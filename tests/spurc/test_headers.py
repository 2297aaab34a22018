"""The X-DAIT-* headers: build and strict parse (seed 002 §2, §8; specs/spurc.md "Headers")."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.spurc.b64 import b64url_encode
from dait_chain.spurc.errors import (
    ErrBadBase64url,
    ErrHeaderMalformed,
    ErrHeaderMissing,
    ErrUnsupportedVersion,
)
from dait_chain.spurc.headers import (
    ContentKind,
    QuoteType,
    SettleHint,
    build_request_headers,
    build_response_headers,
    header_map,
    is_visible_ascii,
    parse_channel_id,
    parse_content_type,
    parse_decimal_uint64,
    parse_request_headers,
    parse_response_headers,
)

CID = bytes(range(32))


def _response(**over: str | None) -> list[tuple[str, str]]:
    base = dict(
        build_response_headers(
            channel_id=CID,
            receipt=b"receipt-bytes",
            state=b"state-bytes",
            content_kind=ContentKind.JSON,
            quote_type=QuoteType.TDX,
            model_id="qwen2.5-32b-instruct",
            call_seq=7,
            settle_hint=SettleHint.COOPERATIVE,
        )
    )
    for k, v in over.items():
        name = k.replace("_", "-")
        if v is None:
            base.pop(name)
        else:
            base[name] = v
    return list(base.items())


def test_built_response_headers_parse_back_to_their_values() -> None:
    parsed = parse_response_headers(header_map(_response()))
    assert parsed.channel_id == CID
    assert parsed.receipt == b"receipt-bytes"
    assert parsed.state == b"state-bytes"
    assert parsed.quote_type is QuoteType.TDX
    assert parsed.model_id == "qwen2.5-32b-instruct"
    assert parsed.call_seq == 7
    assert parsed.settle_hint is SettleHint.COOPERATIVE


def test_channel_id_header_is_64_lowercase_hex() -> None:
    hm = header_map(_response())
    assert hm.require("X-DAIT-Channel-Id") == CID.hex()
    assert len(CID.hex()) == 64


@given(st.lists(st.booleans(), min_size=64, max_size=64))
def test_header_names_are_case_insensitive(upper: list[bool]) -> None:
    """For any case folding of the header names, the parsed headers are the same."""
    pairs = _response()
    flips = iter(upper * 4)
    recased = [("".join(c.upper() if next(flips) else c.lower() for c in k), v) for k, v in pairs]
    assert parse_response_headers(header_map(recased)) == parse_response_headers(header_map(pairs))


def test_optional_headers_may_be_absent() -> None:
    pairs = _response(
        X_DAIT_Tee_Quote_Type=None,
        X_DAIT_Model_Id=None,
        X_DAIT_Call_Seq=None,
        X_DAIT_Settle_Hint=None,
    )
    parsed = parse_response_headers(header_map(pairs))
    assert (parsed.quote_type, parsed.model_id, parsed.call_seq, parsed.settle_hint) == (
        None,
        None,
        None,
        None,
    )


def test_http_optional_whitespace_around_values_is_ignored() -> None:
    pairs = [(k, f" \t{v} ") for k, v in _response()]
    assert parse_response_headers(header_map(pairs)) == parse_response_headers(
        header_map(_response())
    )


@pytest.mark.parametrize(
    "name", ["X-DAIT-Version", "X-DAIT-Channel-Id", "X-DAIT-Receipt", "X-DAIT-State"]
)
def test_missing_required_header_is_refused(name: str) -> None:
    pairs = [(k, v) for k, v in _response() if k != name]
    with pytest.raises(ErrHeaderMissing, match=name):
        parse_response_headers(header_map(pairs))


@pytest.mark.parametrize("version", ["2", "0", "01", "1.0", "v1", "", "1 1"])
def test_version_other_than_1_is_refused(version: str) -> None:
    with pytest.raises(ErrUnsupportedVersion):
        parse_response_headers(header_map(_response(X_DAIT_Version=version)))


def test_version_is_checked_before_any_other_header() -> None:
    # A response of another version may spell everything else differently (seed 002 §8).
    pairs = _response(X_DAIT_Version="2", X_DAIT_Channel_Id="XYZ", X_DAIT_Receipt="==")
    with pytest.raises(ErrUnsupportedVersion):
        parse_response_headers(header_map(pairs))


@pytest.mark.parametrize(
    "cid",
    [
        CID.hex().upper(),
        CID.hex()[:-1],
        CID.hex() + "0",
        "0x" + CID.hex()[2:],
        CID.hex()[:-1] + "g",
    ],
)
def test_channel_id_not_64_lowercase_hex_is_refused(cid: str) -> None:
    with pytest.raises(ErrHeaderMalformed):
        parse_response_headers(header_map(_response(X_DAIT_Channel_Id=cid)))


@pytest.mark.parametrize("header", ["X-DAIT-Receipt", "X-DAIT-State"])
@pytest.mark.parametrize("mutate", [lambda t: t + "=", lambda t: t.replace("-", "+") + "+"])
def test_receipt_and_state_must_be_strict_base64url(header: str, mutate: object) -> None:
    pairs = dict(_response())
    pairs[header] = mutate(pairs[header])  # type: ignore[operator]
    with pytest.raises(ErrBadBase64url, match=header):
        parse_response_headers(header_map(list(pairs.items())))


def test_repeated_spurc_header_is_refused_even_with_equal_values() -> None:
    pairs = [*_response(), ("x-dait-receipt", b64url_encode(b"receipt-bytes"))]
    with pytest.raises(ErrHeaderMalformed, match="more than once"):
        header_map(pairs)


def test_repeated_unrelated_header_is_allowed() -> None:
    pairs = [*_response(), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
    assert parse_response_headers(header_map(pairs)).call_seq == 7


@pytest.mark.parametrize("call_seq", ["07", "-1", "+1", "1e3", "", "18446744073709551616", "x"])
def test_call_seq_header_must_be_canonical_decimal_uint64(call_seq: str) -> None:
    with pytest.raises(ErrHeaderMalformed):
        parse_response_headers(header_map(_response(X_DAIT_Call_Seq=call_seq)))


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("X_DAIT_Tee_Quote_Type", "sgx"),
        ("X_DAIT_Tee_Quote_Type", "TDX"),
        ("X_DAIT_Settle_Hint", "maybe"),
        ("X_DAIT_Model_Id", "caf\u00e9"),
    ],
)
def test_optional_header_outside_its_value_set_is_refused(header: str, value: str) -> None:
    with pytest.raises(ErrHeaderMalformed):
        parse_response_headers(header_map(_response(**{header: value})))


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("application/json", ContentKind.JSON),
        ("Application/JSON", ContentKind.JSON),
        ("application/json; charset=utf-8", ContentKind.JSON),
        ("text/event-stream", ContentKind.SSE),
        ("text/event-stream;charset=UTF-8", ContentKind.SSE),
    ],
)
def test_content_type_is_json_or_event_stream(value: str, kind: ContentKind) -> None:
    assert parse_content_type(header_map([("content-type", value)])) is kind


@pytest.mark.parametrize(
    "value", ["text/plain", "application/json; charset=latin-1", "application/jsonx", ""]
)
def test_other_content_types_are_refused(value: str) -> None:
    with pytest.raises(ErrHeaderMalformed):
        parse_content_type(header_map([("Content-Type", value)]))


def test_missing_content_type_is_refused() -> None:
    with pytest.raises(ErrHeaderMissing):
        parse_content_type(header_map([]))


def test_request_headers_round_trip() -> None:
    pairs = build_request_headers(channel_id=CID, state=b"s")
    parsed = parse_request_headers(header_map(pairs))
    assert (parsed.channel_id, parsed.state) == (CID, b"s")


def test_request_body_must_be_json() -> None:
    pairs = dict(build_request_headers(channel_id=CID, state=b"s"))
    pairs["Content-Type"] = "text/event-stream"
    with pytest.raises(ErrHeaderMalformed):
        parse_request_headers(header_map(list(pairs.items())))


@given(
    st.one_of(
        st.text(alphabet="0123456789abcdefABCDEF \t-x", min_size=60, max_size=68),
        st.binary(min_size=32, max_size=32).map(bytes.hex),
        st.binary(min_size=32, max_size=32).map(lambda b: b.hex(" ", 4)[:64]),
    )
)
def test_channel_id_is_accepted_exactly_when_64_lowercase_hex_digits(text: str) -> None:
    if re.fullmatch(r"[0-9a-f]{64}", text):
        assert parse_channel_id(text) == bytes.fromhex(text)
    else:
        with pytest.raises(ErrHeaderMalformed):
            parse_channel_id(text)


@given(st.text(alphabet="0123456789 +-x\t٣²", max_size=22))
def test_call_seq_is_accepted_exactly_when_a_canonical_decimal_uint64(text: str) -> None:
    if re.fullmatch(r"0|[1-9][0-9]*", text) and int(text) < 2**64:
        assert parse_decimal_uint64("X-DAIT-Call-Seq", text) == int(text)
    else:
        with pytest.raises(ErrHeaderMalformed):
            parse_decimal_uint64("X-DAIT-Call-Seq", text)


@given(st.text(alphabet=st.characters(codec="utf-8", max_codepoint=0x100), max_size=6))
def test_visible_ascii_is_printable_ascii_without_space_at_either_end(text: str) -> None:
    want = re.fullmatch(r"[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?", text) is not None
    assert is_visible_ascii(text) is want
