"""Benchmarks of dait_chain.math.LegacyDec, each as a ratio to a baseline measured in the
same run (specs/math.md §9).

Baseline: the same rounding done inline on the two bare Python ints (no object, no range
check, no sign handling), i.e. the arithmetic floor of any LegacyDec in Python. The ratio
is the price of the value object, the Go-faithful sign handling and the v1.4 range check.

Targets: `mul` <= 4x and `quo` <= 4x the inline-int baseline, for both everyday operands
(a few thousand, 18 decimals) and operands near 2^128.

Run: python -m pytest bench/test_bench_math.py --benchmark-enable -q -s
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from dait_chain.math import LegacyDec

ROUNDS = 15
ITERATIONS = 20_000
P = 10**18
HALF = P // 2
TARGET = 4.0

OPERANDS = {
    "everyday": (
        LegacyDec.from_str("1234.567890123456789012"),
        LegacyDec.from_str("0.987654321098765432"),
    ),
    "large": (
        LegacyDec.from_raw(3**80 * P + 123456789),
        LegacyDec.from_raw(7**40 * P + 987654321),
    ),
}


def _per_call_ns(fn: Callable[[], object], iterations: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(iterations):
        fn()
    return (time.perf_counter_ns() - start) / iterations


def _ratio(ours: Callable[[], object], baseline: Callable[[], object]) -> tuple[float, float]:
    # Interleave the two so that machine load hits both alike; keep each one's best round.
    best_ours = best_base = float("inf")
    for _ in range(ROUNDS):
        best_base = min(best_base, _per_call_ns(baseline, ITERATIONS))
        best_ours = min(best_ours, _per_call_ns(ours, ITERATIONS))
    return best_ours, best_base


def _report(benchmark: Any, name: str, ours_ns: float, base_ns: float) -> None:
    ratio = ours_ns / base_ns
    benchmark.extra_info.update(
        {
            "ours_ns_per_op": round(ours_ns),
            "baseline_ns_per_op": round(base_ns),
            "ratio": round(ratio, 3),
            "target_ratio": TARGET,
            "meets_target": ratio <= TARGET,
        }
    )
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(
        f"\n{name}: LegacyDec {ours_ns:.0f} ns/op, inline int {base_ns:.0f} ns/op, "
        f"ratio {ratio:.2f} (target <= {TARGET}) {verdict}"
    )


def _inline_mul(a: int, b: int) -> int:
    # Positive operands only: half-even chop of the product, nothing else.
    q, r = divmod(a * b, P)
    return q + (r > HALF or (r == HALF and q & 1))


def _inline_quo(a: int, b: int) -> int:
    q, r = divmod(a * P * P // b, P)
    return q + (r > HALF or (r == HALF and q & 1))


@pytest.mark.parametrize("case", sorted(OPERANDS))
def test_bench_mul_vs_inline_int(benchmark: Any, case: str) -> None:
    a, b = OPERANDS[case]
    ra, rb = a.raw, b.raw
    assert a.mul(b).raw == _inline_mul(ra, rb)
    ours_ns, base_ns = _ratio(lambda: a.mul(b), lambda: _inline_mul(ra, rb))
    _report(benchmark, f"mul ({case})", ours_ns, base_ns)
    benchmark(a.mul, b)


@pytest.mark.parametrize("case", sorted(OPERANDS))
def test_bench_quo_vs_inline_int(benchmark: Any, case: str) -> None:
    a, b = OPERANDS[case]
    ra, rb = a.raw, b.raw
    assert a.quo(b).raw == _inline_quo(ra, rb)
    ours_ns, base_ns = _ratio(lambda: a.quo(b), lambda: _inline_quo(ra, rb))
    _report(benchmark, f"quo ({case})", ours_ns, base_ns)
    benchmark(a.quo, b)
