"""Any single-byte change to a valid receipt, state, header or body is refused
(acceptance property; specs/spurc.md "Check order")."""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from dait_chain.spurc.b64 import b64url_encode
from dait_chain.spurc.errors import SpurcError
from dait_chain.spurc.values import ChannelState
from dait_chain.spurc.verify import TenantView, verify_receipt

from .harness import make_pair


@dataclass(frozen=True)
class Honest:
    request: bytes
    headers: tuple[tuple[str, str], ...]
    body: bytes
    state: ChannelState
    view: TenantView
    now: int
    receipt: bytes
    host_state: bytes


@functools.cache
def honest(stream: bool) -> Honest:
    """A valid response to call 3 on a channel two calls in, and what checks it."""
    pair = make_pair(Path(tempfile.mkdtemp(prefix="spurc-tamper-")))
    pair.roundtrip(1)
    pair.roundtrip(2)
    prepared = pair.request(3)
    call = pair.serve(prepared, stream=stream)
    h = Honest(
        prepared.body,
        call.reply.headers,
        call.reply.body,
        pair.tenant.state,
        pair.tenant.view,
        pair.tick(),
        call.issued.receipt.encode(),
        call.issued.state.encode(),
    )
    assert isinstance(
        verify_receipt(h.headers, h.request, h.body, h.state, h.view, now_ms=h.now), ChannelState
    )
    return h


def _check(h: Honest, headers: tuple[tuple[str, str], ...], body: bytes) -> object:
    return verify_receipt(headers, h.request, body, h.state, h.view, now_ms=h.now)


def _flip(data: bytes, i: int, v: int) -> bytes:
    return data[:i] + bytes([v]) + data[i + 1 :]


def _with_header(h: Honest, name: str, value: str) -> tuple[tuple[str, str], ...]:
    return tuple((k, value if k == name else v) for k, v in h.headers)


@given(st.data())
def test_any_single_byte_change_to_the_receipt_is_refused(data: st.DataObject) -> None:
    """For every byte position and every other byte value, the changed receipt (re-encoded
    in X-DAIT-Receipt) is refused."""
    h = honest(False)
    i = data.draw(st.integers(0, len(h.receipt) - 1))
    v = data.draw(st.integers(0, 255).filter(lambda b: b != h.receipt[i]))
    headers = _with_header(h, "X-DAIT-Receipt", b64url_encode(_flip(h.receipt, i, v)))
    assert isinstance(_check(h, headers, h.body), SpurcError)


@given(st.data())
def test_any_single_byte_change_to_the_host_state_is_refused(data: st.DataObject) -> None:
    """For every byte position and every other byte value of the provisional state in
    X-DAIT-State, the response is refused."""
    h = honest(False)
    i = data.draw(st.integers(0, len(h.host_state) - 1))
    v = data.draw(st.integers(0, 255).filter(lambda b: b != h.host_state[i]))
    headers = _with_header(h, "X-DAIT-State", b64url_encode(_flip(h.host_state, i, v)))
    assert isinstance(_check(h, headers, h.body), SpurcError)


SPURC_HEADERS = [
    "X-DAIT-Version",
    "X-DAIT-Channel-Id",
    "X-DAIT-Receipt",
    "X-DAIT-State",
    "X-DAIT-Tee-Quote-Type",
    "X-DAIT-Model-Id",
    "X-DAIT-Call-Seq",
    "X-DAIT-Settle-Hint",
]


@given(st.sampled_from(SPURC_HEADERS), st.data())
def test_any_single_character_change_to_a_spurc_header_value_is_refused(
    name: str, data: st.DataObject
) -> None:
    """For every X-DAIT-* header, position and other visible-ASCII character, the response
    is refused (header names stay case-insensitive, as HTTP has them)."""
    h = honest(False)
    value = dict(h.headers)[name]
    i = data.draw(st.integers(0, len(value) - 1))
    c = data.draw(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E).filter(lambda x: x != value[i])
    )
    headers = _with_header(h, name, value[:i] + c + value[i + 1 :])
    assert isinstance(_check(h, headers, h.body), SpurcError)


@given(st.booleans(), st.data())
def test_any_single_byte_change_to_the_body_is_refused(stream: bool, data: st.DataObject) -> None:
    """For a JSON body and for a stream (whose final frame carries the headers), every
    single-byte change is refused."""
    h = honest(stream)
    i = data.draw(st.integers(0, len(h.body) - 1))
    v = data.draw(st.integers(0, 255).filter(lambda b: b != h.body[i]))
    assert isinstance(_check(h, h.headers, _flip(h.body, i, v)), SpurcError)


def test_every_position_of_receipt_state_and_bodies_is_covered_exhaustively() -> None:
    """Deterministic sweep beside the properties: every byte position of the receipt, the
    host state, the JSON body and the stream, each changed by xor 0x01 and xor 0x80."""
    for stream in (False, True):
        h = honest(stream)
        for i in range(len(h.body)):
            for mask in (0x01, 0x80):
                changed = _flip(h.body, i, h.body[i] ^ mask)
                assert isinstance(_check(h, h.headers, changed), SpurcError), (stream, i, mask)
    h = honest(False)
    for name, blob in (("X-DAIT-Receipt", h.receipt), ("X-DAIT-State", h.host_state)):
        for i in range(len(blob)):
            for mask in (0x01, 0x80):
                headers = _with_header(h, name, b64url_encode(_flip(blob, i, blob[i] ^ mask)))
                assert isinstance(_check(h, headers, h.body), SpurcError), (name, i, mask)
