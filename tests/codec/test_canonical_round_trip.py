"""Canonical round trips (specs/codec.md §1): for generated values of the SPUR-IC Receipt
and ChannelState, the test schema and the tx types, `decode(encode(m)) == m` and
`encode(decode(b)) == b`; and `encode` agrees with an independent encoder written from
the encoding guide (tests/codec/wire.py) and with the runtime's deterministic mode."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from google.protobuf.message import Message
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.codec.strict import decode, encode
from dait_chain.codec.tx import AuthInfo, Coin, MsgSend, SignDoc, TxBody, TxRaw
from dait_chain.codec.value import ProtoValue
from dait_chain.pb.dait.codec.v1 import test_types_pb2
from dait_chain.pb.dait.state_channel.v1 import spurc_pb2
from tests.codec import strategies as S
from tests.codec.wire import f_len, f_varint


def reference_encode(msg: Message, layout: list[tuple[int, str, str]]) -> bytes:
    """Seed 002 §5 done by hand: fields by tag ascending, zero/empty fields left out,
    varints shortest (wire.varint), bytes/strings length-prefixed."""
    out = b""
    for number, name, kind in sorted(layout):
        value = getattr(msg, name)
        if not value:
            continue
        if kind == "uint64":
            out += f_varint(number, value)
        elif kind == "string":
            out += f_len(number, value.encode("utf-8"))
        else:
            out += f_len(number, value)
    return out


# Seed 002 §3 and §4, field by field (numbers from proto/dait/state_channel/v1/spurc.proto).
RECEIPT_LAYOUT = [
    (1, "channel_id", "bytes"),
    (2, "call_seq", "uint64"),
    (3, "request_hash", "bytes"),
    (4, "response_hash", "bytes"),
    (5, "model_hash", "bytes"),
    (6, "tokens_in", "uint64"),
    (7, "tokens_out", "uint64"),
    (8, "price_uDAIT", "uint64"),
    (9, "tee_quote", "bytes"),
    (10, "tee_pubkey", "bytes"),
    (11, "timestamp", "uint64"),
    (12, "sig_host", "bytes"),
]
STATE_LAYOUT = [
    (1, "channel_id", "bytes"),
    (2, "host_addr", "string"),
    (3, "user_addr", "string"),
    (4, "model_id", "string"),
    (5, "max_calls", "uint64"),
    (6, "deadline", "uint64"),
    (7, "escrow_amount", "uint64"),
    (8, "spent_amount", "uint64"),
    (9, "call_count", "uint64"),
    (10, "receipts_merkle_root", "bytes"),
    (11, "turn_num", "uint64"),
    (12, "sig_user", "bytes"),
    (13, "sig_host", "bytes"),
]


@given(S.receipts())
def test_receipt_encoding_matches_the_hand_encoder(msg: spurc_pb2.Receipt) -> None:
    """encode(Receipt) equals the encoding built field by field from seed 002 §5's rules."""
    assert encode(msg) == reference_encode(msg, RECEIPT_LAYOUT)


@given(S.channel_states())
def test_channel_state_encoding_matches_the_hand_encoder(msg: spurc_pb2.ChannelState) -> None:
    """encode(ChannelState) equals the encoding built field by field from seed 002 §5."""
    assert encode(msg) == reference_encode(msg, STATE_LAYOUT)


MESSAGES: dict[str, Callable[[], st.SearchStrategy[Message]]] = {
    "receipt": S.receipts,
    "channel_state": S.channel_states,
    "all_types": S.all_types,
}


@pytest.mark.parametrize("name", sorted(MESSAGES))
@given(data=st.data())
def test_decode_of_encode_is_identity(name: str, data: st.DataObject) -> None:
    """decode(encode(m)) == m and encode(decode(b)) == b; and the bytes equal the
    runtime's deterministic serialization (a second method)."""
    msg = data.draw(MESSAGES[name]())
    raw = encode(msg)
    back = decode(type(msg), raw)
    assert back == msg
    assert encode(back) == raw
    assert raw == msg.SerializeToString(deterministic=True)


VALUES: dict[str, st.SearchStrategy[ProtoValue]] = {
    "msg_send": S.msg_sends(),
    "tx_body": S.tx_bodies(),
    "auth_info": S.auth_infos(),
    "tx_raw": S.tx_raws(),
    "sign_doc": S.sign_docs(),
}


@pytest.mark.parametrize("name", sorted(VALUES))
@given(data=st.data())
def test_tx_value_round_trip(name: str, data: st.DataObject) -> None:
    """V.decode(v.encode()) == v, and re-encoding gives the same bytes."""
    value = data.draw(VALUES[name])
    raw = value.encode()
    back = type(value).decode(raw)
    assert back == value
    assert back.encode() == raw


def test_msg_send_in_tx_body_hand_encoding() -> None:
    """TxBody{messages=[Any{type_url, MsgSend}], memo} written out by hand: the Any is
    field 1 of TxBody, its type_url field 1 and value field 2 (google/protobuf/any.proto)."""
    send = MsgSend("dait1a", "dait1b", (Coin("udait", "100"),))
    coin = f_len(1, b"udait") + f_len(2, b"100")
    send_bytes = f_len(1, b"dait1a") + f_len(2, b"dait1b") + f_len(3, coin)
    any_bytes = f_len(1, b"/dait.bank.v1.MsgSend") + f_len(2, send_bytes)
    expected = f_len(1, any_bytes) + f_len(2, b"hi")
    assert send.encode() == send_bytes
    assert TxBody((send,), "hi").encode() == expected


def test_sign_doc_and_tx_raw_hand_encoding() -> None:
    doc = SignDoc(b"\x01\x02", b"\x03", "dait-1", 5)
    assert doc.encode() == f_len(1, b"\x01\x02") + f_len(2, b"\x03") + f_len(3, b"dait-1") + (
        f_varint(4, 5)
    )
    raw = TxRaw(b"\x01", b"", (b"\xaa" * 64, b""))
    assert raw.encode() == f_len(1, b"\x01") + f_len(3, b"\xaa" * 64) + f_len(3, b"")
    assert AuthInfo((), None).encode() == b""


# Cosmos ADR-027 "Test vectors": the Article document and its required serialization.
ADR027_HEX = (
    "0a1b54686520776f726c64206e65656473206368616e676520f09f8cb318e8bebec8bc2e2801380"
    "24a084e696365206f6e654a095468616e6b20796f75"
)


def test_adr027_article_vector() -> None:
    """ADR-027's published vector: defaults (description "", updated 0, promoted false,
    review UNSPECIFIED, backlinks []) are omitted; the rest in tag order."""
    article = test_types_pb2.TestArticle(
        title="The world needs change 🌳",
        description="",
        created=1596806111080,
        updated=0,
        public=True,
        promoted=False,
        type=test_types_pb2.TEST_ARTICLE_TYPE_NEWS,
        review=test_types_pb2.TEST_ARTICLE_REVIEW_UNSPECIFIED,
        comments=["Nice one", "Thank you"],
        backlinks=[],
    )
    assert encode(article) == bytes.fromhex(ADR027_HEX)
    assert decode(test_types_pb2.TestArticle, bytes.fromhex(ADR027_HEX)) == article
