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

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

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


def _per_call_ns(fn: Callable[[], object], iterations: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(iterations):
        fn()
    return (time.perf_counter_ns() - start) / iterations


def _ratio(
    ours: Callable[[], object], baseline: Callable[[], object], iterations: int = ITERATIONS
) -> tuple[float, float, float]:
    # Interleave the two so that machine load hits both alike; keep each one's best round.
    best_ours = best_base = float("inf")
    for _ in range(ROUNDS):
        best_base = min(best_base, _per_call_ns(baseline, iterations))
        best_ours = min(best_ours, _per_call_ns(ours, iterations))
    return best_ours, best_base, best_ours / best_base


def _report(
    benchmark: Any, name: str, measured: tuple[float, float, float], target: float | None
) -> None:
    ours_ns, base_ns, ratio = measured
    verdict = "(reported only)"
    if target is not None:
        # The benchmark's primary ratio: what `dait-sim bench` judges against the target.
        benchmark.extra_info.update(
            {
                "ours_ns": round(ours_ns),
                "baseline_ns": round(base_ns),
                "ratio": round(ratio, 3),
                "target_ratio": target,
                "meets_target": ratio <= target,
            }
        )
        verdict = f"(target <= {target}) " + ("meets" if ratio <= target else "MISSES")
    # A side comparison (no target) is recorded by its caller under its own key, so it
    # never overwrites the primary ratio that `dait-sim bench` judges.
    print(
        f"\n{name}: ours {ours_ns:.0f} ns, baseline {base_ns:.0f} ns, ratio {ratio:.2f} {verdict}"
    )


def _runtime_parse() -> Message:
    msg = Receipt()
    msg.ParseFromString(DATA)
    return msg


def _strict_decode() -> Message:
    return decode(Receipt, DATA)


def test_bench_strict_decode_vs_runtime_parse(benchmark: Any) -> None:
    assert _strict_decode() == _runtime_parse()
    measured = _ratio(_strict_decode, _runtime_parse)
    benchmark.extra_info["receipt_bytes"] = len(DATA)
    from_string = _ratio(_strict_decode, lambda: Receipt.FromString(DATA))
    benchmark.extra_info["ratio_vs_FromString"] = round(from_string[2], 3)
    _report(benchmark, "strict decode vs ParseFromString", measured, 3.0)
    _report(benchmark, "strict decode vs FromString", from_string, None)

    def big_parse() -> Message:
        msg = Receipt()
        msg.ParseFromString(BIG_DATA)
        return msg

    big = _ratio(lambda: decode(Receipt, BIG_DATA), big_parse)
    benchmark.extra_info["ratio_4KiB_quote_vs_ParseFromString"] = round(big[2], 3)
    _report(benchmark, "strict decode vs ParseFromString, 4 KiB quote", big, None)
    benchmark(_strict_decode)


def test_bench_encode_vs_runtime_serialize(benchmark: Any) -> None:
    assert encode(RECEIPT) == RECEIPT.SerializeToString(deterministic=True)
    measured = _ratio(
        lambda: encode(RECEIPT), lambda: RECEIPT.SerializeToString(deterministic=True)
    )
    _report(benchmark, "encode vs SerializeToString(deterministic=True)", measured, 2.0)
    benchmark(encode, RECEIPT)


def test_bench_proto_value_decode_vs_strict_decode(benchmark: Any) -> None:
    value = ReceiptValue.decode(DATA)
    assert value.encode() == DATA
    measured = _ratio(lambda: ReceiptValue.decode(DATA), _strict_decode)
    _report(benchmark, "ProtoValue.decode vs strict decode", measured, 3.0)
    parse = _ratio(lambda: ReceiptValue.decode(DATA), _runtime_parse)
    benchmark.extra_info["ratio_vs_ParseFromString"] = round(parse[2], 3)
    _report(benchmark, "ProtoValue.decode vs ParseFromString", parse, None)
    benchmark(ReceiptValue.decode, DATA)


def test_bench_proto_value_encode_vs_strict_encode(benchmark: Any) -> None:
    value = ReceiptValue.decode(DATA)
    measured = _ratio(value.encode, lambda: encode(RECEIPT))
    _report(benchmark, "ProtoValue.encode vs strict encode", measured, 3.0)
    benchmark(value.encode)


def test_bench_diagnostic_walker_vs_runtime_parse(benchmark: Any) -> None:
    """The walker runs only when the fast path refuses; reported, no target."""
    descriptor = Receipt.DESCRIPTOR
    measured = _ratio(lambda: walk(descriptor, DATA), _runtime_parse, 200)
    _report(benchmark, "wire walker vs ParseFromString", measured, None)
    benchmark(walk, descriptor, DATA)
