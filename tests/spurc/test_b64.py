"""Strict unpadded base64url (seed 002 §2; specs/spurc.md "Headers")."""

from __future__ import annotations

import base64
import contextlib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.spurc.b64 import b64url_decode, b64url_encode
from dait_chain.spurc.errors import ErrBadBase64url


@given(st.binary(max_size=200))
def test_encoding_round_trips_and_has_no_padding(data: bytes) -> None:
    """For all byte strings b: decode(encode(b)) == b and encode(b) uses only A-Za-z0-9-_."""
    text = b64url_encode(data)
    assert "=" not in text and "+" not in text and "/" not in text
    assert b64url_decode(text) == data
    # Independent reference: the standard library's urlsafe alphabet with padding stripped.
    assert text == base64.urlsafe_b64encode(data).decode().rstrip("=")


@given(st.binary(min_size=1, max_size=64), st.data())
def test_every_other_spelling_of_the_same_bytes_is_refused(
    data: bytes, draw: st.DataObject
) -> None:
    """Only the canonical text decodes: a changed character either decodes to other bytes
    or is refused, never to the same bytes."""
    text = b64url_encode(data)
    i = draw.draw(st.integers(0, len(text) - 1))
    c = draw.draw(st.sampled_from("AQgw-_9+/= \n"))
    changed = text[:i] + c + text[i + 1 :]
    if changed == text:
        return
    with contextlib.suppress(ErrBadBase64url):
        assert b64url_decode(changed) != data


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("AQ==", "padding"),
        ("AQ=", "padding"),
        ("+w", "standard alphabet plus"),
        ("/w", "standard alphabet slash"),
        ("AQ ", "trailing space"),
        (" AQ", "leading space"),
        ("A Q", "inner space"),
        ("AQ\n", "newline"),
        ("A", "length 1 mod 4"),
        ("AQID B", "length 1 mod 4 with space"),
        ("AR", "non-zero trailing bits (one byte)"),
        ("AQJ", "non-zero trailing bits (two bytes)"),
        ("AQé", "non-ASCII"),
    ],
)
def test_non_canonical_base64url_is_refused(text: str, why: str) -> None:
    with pytest.raises(ErrBadBase64url):
        b64url_decode(text)


def test_zero_trailing_bits_spelling_is_accepted() -> None:
    # 0x01 = 000000 01(0000): "AQ" is canonical, "AR" sets an unused bit.
    assert b64url_decode("AQ") == b"\x01"
    assert b64url_decode("AQI") == b"\x01\x02"
    assert b64url_decode("") == b""


@given(st.text(alphabet="AQgwBz09-_+/= \n\té.", max_size=12))
def test_a_text_is_accepted_exactly_when_it_is_the_canonical_encoding_of_its_bytes(
    text: str,
) -> None:
    """Reference: RFC 4648 §5 characters only, then the standard library's urlsafe decoder
    (with the padding restored) must give bytes whose unpadded encoding is the text."""
    canonical = False
    if re.fullmatch(r"[A-Za-z0-9_-]*", text) and len(text) % 4 != 1:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        canonical = base64.urlsafe_b64encode(data).decode().rstrip("=") == text
    if canonical:
        assert b64url_encode(b64url_decode(text)) == text
    else:
        with pytest.raises(ErrBadBase64url):
            b64url_decode(text)


@pytest.mark.parametrize(
    ("text", "named"),
    [("A+=A", "'+' outside"), ("AAAAA", "length 5 is 1 mod 4"), ("AR", "unused trailing bits")],
)
def test_a_refusal_names_the_first_problem(text: str, named: str) -> None:
    with pytest.raises(ErrBadBase64url, match=re.escape(named)):
        b64url_decode(text)
