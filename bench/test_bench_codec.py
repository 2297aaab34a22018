"""Benchmarks of dait_chain.codec, each as a ratio to a baseline measured in the same run.

Targets (specs/codec.md §8):
- strict `decode` of a SPUR-IC Receipt <= 3x the protobuf runtime's own
  `Receipt().ParseFromString(data)` (the brief's target); also reported against the
  cheaper `Receipt.FromString(data)`, for honesty;
- `encode` of a Receipt <= 2x `SerializeToString(deterministic=True)` (ours adds the
  schema checks: fixed sizes, enums, unknown fields);
- `ProtoValue.decode` of a Receipt <= 3x strict `decode` (the dataclass conversion);
- the diagnostic walker, reported only (it runs only on refused bytes).

Run: python -m pytest bench/test_bench_codec.py --benchmark-enable -q -s
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from _ratio import interleaved_minima, record
from google.protobuf.message import Message

from dait_chain.codec.strict import decode, encode, walk
from dait_chain.codec.value import ProtoValue
from dait_chain.pb.dait.state_channel.v1 import spurc_pb2

ROUNDS = 15
ITERATIONS = 2000

Receipt = spurc_pb2.Receipt
RECEIPT = Receipt(
    channel_id=bytes(range(32)),
    call_seq=41,
    request_hash=b"\x11" * 32,
    response_hash=b"\x22" * 32,
    model_hash=b"\x33" * 32,
    tokens_in=812,
    tokens_out=1536,
    price_uDAIT=23_040,
    tee_quote=bytes(range(256)) * 2,  # a 512-byte quote stands in for a real one
    tee_pubkey=b"\x02" + b"\x44" * 32,
    timestamp=1_700_000_123_456,
    sig_host=b"\x55" * 64,
)
DATA = encode(RECEIPT)
# A DCAP (SGX/TDX) quote with its certification data is about 4-5 KiB; the same receipt
# with a 4 KiB quote shows how the ratio moves as the byte copying dominates.
BIG_DATA = encode(
    Receipt(
        tee_quote=bytes(range(256)) * 16,
        **{
            f.name: getattr(RECEIPT, f.name)
            for f in Receipt.DESCRIPTOR.fields
            if f.name != "tee_quote"
        },
    )
)


@dataclass(frozen=True, slots=True)
class ReceiptValue(ProtoValue):
    """Seed 002 §3's Receipt as a value (kept out of the registry: dait_chain.spurc owns it)."""

    PROTO: ClassVar[type[Message]] = spurc_pb2.Receipt
    REGISTER: ClassVar[bool] = False
    channel_id: bytes
    call_seq: int
    request_hash: bytes
    response_hash: bytes
    model_hash: bytes
    tokens_in: int
    tokens_out: int
    price_uDAIT: int
    tee_quote: bytes
    tee_pubkey: bytes
    timestamp: int
    sig_host: bytes


def _runtime_parse() -> Message:
    msg = Receipt()
    msg.ParseFromString(DATA)
    return msg


def _strict_decode() -> Message:
    return decode(Receipt, DATA)


def test_bench_strict_decode_vs_runtime_parse(benchmark: Any) -> None:
    assert _strict_decode() == _runtime_parse()
    measured = interleaved_minima(
        _strict_decode, _runtime_parse, iterations=ITERATIONS, rounds=ROUNDS
    )
    benchmark.extra_info["receipt_bytes"] = len(DATA)
    from_string = interleaved_minima(
        _strict_decode, lambda: Receipt.FromString(DATA), iterations=ITERATIONS, rounds=ROUNDS
    )
    benchmark.extra_info["ratio_vs_FromString"] = round(from_string.ratio, 3)
    record(benchmark, "strict decode vs ParseFromString", measured, 3.0)
    record(benchmark, "strict decode vs FromString", from_string, None)

    def big_parse() -> Message:
        msg = Receipt()
        msg.ParseFromString(BIG_DATA)
        return msg

    big = interleaved_minima(
        lambda: decode(Receipt, BIG_DATA), big_parse, iterations=ITERATIONS, rounds=ROUNDS
    )
    benchmark.extra_info["ratio_4KiB_quote_vs_ParseFromString"] = round(big.ratio, 3)
    record(benchmark, "strict decode vs ParseFromString, 4 KiB quote", big, None)
    benchmark(_strict_decode)


def test_bench_encode_vs_runtime_serialize(benchmark: Any) -> None:
    assert encode(RECEIPT) == RECEIPT.SerializeToString(deterministic=True)
    measured = interleaved_minima(
        lambda: encode(RECEIPT),
        lambda: RECEIPT.SerializeToString(deterministic=True),
        iterations=ITERATIONS,
        rounds=ROUNDS,
    )
    record(benchmark, "encode vs SerializeToString(deterministic=True)", measured, 2.0)
    benchmark(encode, RECEIPT)


def test_bench_proto_value_decode_vs_strict_decode(benchmark: Any) -> None:
    value = ReceiptValue.decode(DATA)
    assert value.encode() == DATA
    measured = interleaved_minima(
        lambda: ReceiptValue.decode(DATA), _strict_decode, iterations=ITERATIONS, rounds=ROUNDS
    )
    record(benchmark, "ProtoValue.decode vs strict decode", measured, 3.0)
    parse = interleaved_minima(
        lambda: ReceiptValue.decode(DATA), _runtime_parse, iterations=ITERATIONS, rounds=ROUNDS
    )
    benchmark.extra_info["ratio_vs_ParseFromString"] = round(parse.ratio, 3)
    record(benchmark, "ProtoValue.decode vs ParseFromString", parse, None)
    benchmark(ReceiptValue.decode, DATA)


def test_bench_proto_value_encode_vs_strict_encode(benchmark: Any) -> None:
    value = ReceiptValue.decode(DATA)
    measured = interleaved_minima(
        value.encode, lambda: encode(RECEIPT), iterations=ITERATIONS, rounds=ROUNDS
    )
    record(benchmark, "ProtoValue.encode vs strict encode", measured, 3.0)
    benchmark(value.encode)


def test_bench_diagnostic_walker_vs_runtime_parse(benchmark: Any) -> None:
    """The walker runs only when the fast path refuses; reported, no target."""
    descriptor = Receipt.DESCRIPTOR
    measured = interleaved_minima(
        lambda: walk(descriptor, DATA), _runtime_parse, iterations=200, rounds=ROUNDS
    )
    record(benchmark, "wire walker vs ParseFromString", measured, None)
    benchmark(walk, descriptor, DATA)
