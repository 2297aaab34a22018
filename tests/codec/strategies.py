"""Hypothesis strategies for the codec tests: valid values of the SPUR-IC, tx and test
schemas (every fixed-size field at its size, every string valid Unicode)."""

from __future__ import annotations

from hypothesis import strategies as st

from dait_chain.codec.tx import (
    AuthInfo,
    Coin,
    Fee,
    ModeInfo,
    ModeInfoSingle,
    MsgSend,
    PubKey,
    SignDoc,
    SignerInfo,
    SignMode,
    TxBody,
    TxRaw,
)
from dait_chain.pb.dait.codec.v1 import test_types_pb2
from dait_chain.pb.dait.crypto.secp256k1.v1 import keys_pb2
from dait_chain.pb.dait.state_channel.v1 import spurc_pb2
from dait_chain.pb.dait.tee_attest.v1 import quote_pb2

U64 = st.integers(0, (1 << 64) - 1)
U32 = st.integers(0, (1 << 32) - 1)
I32 = st.integers(-(1 << 31), (1 << 31) - 1)
I64 = st.integers(-(1 << 63), (1 << 63) - 1)
# Small values too, so one-byte varints and zero (absent) fields are common.
U64_MIXED = st.one_of(st.integers(0, 300), U64)
TEXT = st.text(st.characters(codec="utf-8"), max_size=12)


def fixed(size: int) -> st.SearchStrategy[bytes]:
    return st.binary(min_size=size, max_size=size)


def fixed_or_empty(size: int) -> st.SearchStrategy[bytes]:
    return st.one_of(st.just(b""), fixed(size))


@st.composite
def receipts(draw: st.DrawFn) -> spurc_pb2.Receipt:
    """A SPUR-IC Receipt (seed 002 §3) with every fixed-size field at its size."""
    return spurc_pb2.Receipt(
        channel_id=draw(fixed(32)),
        call_seq=draw(U64_MIXED),
        request_hash=draw(fixed(32)),
        response_hash=draw(fixed(32)),
        model_hash=draw(fixed(32)),
        tokens_in=draw(U64_MIXED),
        tokens_out=draw(U64_MIXED),
        price_uDAIT=draw(U64_MIXED),
        tee_quote=draw(st.binary(max_size=200)),
        tee_pubkey=draw(fixed(33)),
        timestamp=draw(U64_MIXED),
        sig_host=draw(fixed_or_empty(64)),
    )


@st.composite
def channel_states(draw: st.DrawFn) -> spurc_pb2.ChannelState:
    """A SPUR-IC ChannelState (seed 002 §4)."""
    return spurc_pb2.ChannelState(
        channel_id=draw(fixed(32)),
        host_addr=draw(TEXT),
        user_addr=draw(TEXT),
        model_id=draw(TEXT),
        max_calls=draw(U64_MIXED),
        deadline=draw(U64_MIXED),
        escrow_amount=draw(U64_MIXED),
        spent_amount=draw(U64_MIXED),
        call_count=draw(U64_MIXED),
        receipts_merkle_root=draw(fixed(32)),
        turn_num=draw(U64_MIXED),
        sig_user=draw(fixed_or_empty(64)),
        sig_host=draw(fixed_or_empty(64)),
    )


def pub_keys() -> st.SearchStrategy[keys_pb2.PubKey]:
    """A secp256k1 PubKey: its one field is a fixed-size bytes field."""
    return st.builds(keys_pb2.PubKey, key=fixed(33))


def ak_certs() -> st.SearchStrategy[quote_pb2.SimAttestationKeyCert]:
    """A simulated-vendor key certificate: two fixed-size fields first (fields 1 and 2),
    then one that is fixed-size or empty."""
    return st.builds(
        quote_pb2.SimAttestationKeyCert,
        root_pubkey=fixed(33),
        attestation_pubkey=fixed(33),
        sig_root=fixed_or_empty(64),
    )


@st.composite
def nested_values(draw: st.DrawFn, depth: int = 2) -> test_types_pb2.TestNested:
    msg = test_types_pb2.TestNested(id=draw(U64_MIXED), tag=draw(fixed_or_empty(4)))
    if depth > 0 and draw(st.booleans()):
        msg.child.CopyFrom(draw(nested_values(depth - 1)))
    return msg


COLORS = st.sampled_from(
    [
        test_types_pb2.TEST_COLOR_UNSPECIFIED,  # 0
        test_types_pb2.TEST_COLOR_RED,  # 1
        test_types_pb2.TEST_COLOR_GREEN,  # 2
        test_types_pb2.TEST_COLOR_NEGATIVE,  # -1
    ]
)


@st.composite
def all_types(draw: st.DrawFn) -> test_types_pb2.TestAllTypes:
    """A TestAllTypes with every kind of field (specs/codec.md §2 exercises each)."""
    m = test_types_pb2.TestAllTypes(
        i32=draw(I32),
        i64=draw(I64),
        u32=draw(U32),
        u64=draw(U64_MIXED),
        s32=draw(I32),
        s64=draw(I64),
        f32=draw(U32),
        f64=draw(U64),
        sf32=draw(I32),
        sf64=draw(I64),
        flag=draw(st.booleans()),
        text=draw(TEXT),
        blob=draw(st.binary(max_size=8)),
        color=draw(COLORS),
        packed_u64=draw(st.lists(U64_MIXED, max_size=4)),
        packed_s32=draw(st.lists(I32, max_size=3)),
        packed_f32=draw(st.lists(U32, max_size=3)),
        packed_flags=draw(st.lists(st.booleans(), max_size=3)),
        colors=draw(st.lists(COLORS, max_size=3)),
        texts=draw(st.lists(TEXT, max_size=3)),
        digests=draw(st.lists(fixed(4), max_size=3)),
        key=draw(fixed(2)),
        i32_big=draw(I32),
    )
    if draw(st.booleans()):
        m.nested.CopyFrom(draw(nested_values()))
    for child in draw(st.lists(nested_values(1), max_size=2)):
        m.children.add().CopyFrom(child)
    if draw(st.booleans()):
        m.maybe = draw(U64_MIXED)  # explicit presence: 0 is emitted when set
    choice = draw(st.sampled_from(["none", "num", "text", "msg"]))
    if choice == "num":
        m.choice_num = draw(U64_MIXED)
    elif choice == "text":
        m.choice_text = draw(TEXT)
    elif choice == "msg":
        m.choice_msg.CopyFrom(draw(nested_values(0)))
    return m


COINS = st.lists(
    st.builds(Coin, st.sampled_from(["udait", "uatom"]), st.integers(0, 10**30).map(str)),
    max_size=3,
)
ADDRESS = st.sampled_from(["", "dait1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq", "dait1host"])


@st.composite
def msg_sends(draw: st.DrawFn) -> MsgSend:
    return MsgSend(draw(ADDRESS), draw(ADDRESS), tuple(draw(COINS)))


@st.composite
def tx_bodies(draw: st.DrawFn) -> TxBody:
    messages = tuple(draw(st.lists(msg_sends(), max_size=3)))
    return TxBody(messages, draw(TEXT), draw(U64_MIXED))


@st.composite
def auth_infos(draw: st.DrawFn) -> AuthInfo:
    signers = []
    for _ in range(draw(st.integers(0, 2))):
        key = draw(st.one_of(st.none(), st.builds(PubKey, fixed(33))))
        mode = draw(
            st.one_of(
                st.none(),
                st.just(ModeInfo(None)),
                st.sampled_from(list(SignMode)).map(lambda m: ModeInfo(ModeInfoSingle(m))),
            )
        )
        signers.append(SignerInfo(key, mode, draw(U64_MIXED)))
    fee = draw(
        st.one_of(
            st.none(),
            st.builds(Fee, COINS.map(tuple), U64_MIXED, ADDRESS, ADDRESS),
        )
    )
    return AuthInfo(tuple(signers), fee)


@st.composite
def tx_raws(draw: st.DrawFn) -> TxRaw:
    body = draw(tx_bodies()).encode()
    auth = draw(auth_infos()).encode()
    return TxRaw(body, auth, tuple(draw(st.lists(fixed(64), max_size=2))))


@st.composite
def sign_docs(draw: st.DrawFn) -> SignDoc:
    return SignDoc(
        draw(tx_bodies()).encode(),
        draw(auth_infos()).encode(),
        draw(st.sampled_from(["", "dait-1", "dait-testnet-7"])),
        draw(U64_MIXED),
    )
