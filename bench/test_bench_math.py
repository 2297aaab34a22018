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

from typing import Any

import pytest
from _ratio import Unit, interleaved_minima, record

from dait_chain.math import LegacyDec

ROUNDS = 15
ITERATIONS = 20_000
P = 10**18
HALF = P // 2
TARGET = 4.0
NS_PER_OP = Unit("ns_per_op", "ns/op", 1, 0)
LABELS = ("LegacyDec", "inline int")

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
    measured = interleaved_minima(
        lambda: a.mul(b), lambda: _inline_mul(ra, rb), iterations=ITERATIONS, rounds=ROUNDS
    )
    record(benchmark, f"mul ({case})", measured, TARGET, unit=NS_PER_OP, labels=LABELS)
    benchmark(a.mul, b)


@pytest.mark.parametrize("case", sorted(OPERANDS))
def test_bench_quo_vs_inline_int(benchmark: Any, case: str) -> None:
    a, b = OPERANDS[case]
    ra, rb = a.raw, b.raw
    assert a.quo(b).raw == _inline_quo(ra, rb)
    measured = interleaved_minima(
        lambda: a.quo(b), lambda: _inline_quo(ra, rb), iterations=ITERATIONS, rounds=ROUNDS
    )
    record(benchmark, f"quo ({case})", measured, TARGET, unit=NS_PER_OP, labels=LABELS)
    benchmark(a.quo, b)
