"""Hypothesis strategies for SPUR-IC values."""

from __future__ import annotations

from hypothesis import strategies as st

from dait_chain.spurc.values import UINT64_MAX, ChannelState, Receipt

u64 = st.integers(min_value=0, max_value=UINT64_MAX)
b32 = st.binary(min_size=32, max_size=32)
sig64 = st.one_of(st.just(b""), st.binary(min_size=64, max_size=64))
addresses = st.sampled_from(
    [
        "dait1j6pe7p4ykrk76pzunw9yzjssrn24s2sn3tjz45",
        "dait12cpg9qvptzzhknrdlsf2j0a9uvx07220hzakvc",
    ]
)

receipts = st.builds(
    Receipt,
    channel_id=b32,
    call_seq=u64,
    request_hash=b32,
    response_hash=b32,
    model_hash=b32,
    tokens_in=u64,
    tokens_out=u64,
    price_uDAIT=u64,
    tee_quote=st.binary(max_size=80),
    tee_pubkey=st.binary(min_size=33, max_size=33),
    timestamp=u64,
    sig_host=sig64,
)

states = st.builds(
    ChannelState,
    channel_id=b32,
    host_addr=addresses,
    user_addr=addresses,
    model_id=st.text(max_size=30),
    max_calls=u64,
    deadline=u64,
    escrow_amount=u64,
    spent_amount=u64,
    call_count=u64,
    receipts_merkle_root=b32,
    turn_num=u64,
    sig_user=sig64,
    sig_host=sig64,
)
