"""Shared helpers of bench/: a subject's cost as a ratio to a baseline timed in the same run,
and that ratio written where `dait-sim bench` reads it.

A ratio to a same-run baseline, not an absolute time, is what a benchmark here states a
target for: the machine is shared and its speed varies from run to run, but load slows a
subject and its baseline alike when they are timed in alternation.

Not a test file (pytest collects test_*.py only). There is no bench/__init__.py: the bench
files import this as the top-level module `_ratio`, which works because pytest's default
`prepend` import mode puts a test file's directory first on sys.path.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


def per_call_ns(fn: Callable[[], object], iterations: int) -> float:
    """Wall ns per call of fn, timed over `iterations` back-to-back calls, so that the clock's
    resolution and the cost of reading it vanish in the mean of a short call."""
    start = time.perf_counter_ns()
    for _ in range(iterations):
        fn()
    return (time.perf_counter_ns() - start) / iterations


@dataclass(frozen=True, slots=True)
class Measured:
    """A subject's cost and its baseline's, in ns (per call, or per whatever both sides were
    timed per)."""

    ours_ns: float
    baseline_ns: float

    @property
    def ratio(self) -> float:
        """ours / baseline, unrounded: targets are judged on it, rounding is for display."""
        return self.ours_ns / self.baseline_ns


def sample_minima(
    ours: Callable[[], float], baseline: Callable[[], float], *, rounds: int
) -> Measured:
    """Each side's least sample over `rounds` rounds that alternate baseline, then ours; each
    callable takes one sample and returns it in ns.

    Alternating exposes both sides to the same load on the shared machine. The least sample
    is kept, not the mean, because load only ever adds time: the least disturbed round is
    the best estimate of each cost."""
    best_ours = best_base = float("inf")
    for _ in range(rounds):
        best_base = min(best_base, baseline())
        best_ours = min(best_ours, ours())
    return Measured(best_ours, best_base)


def interleaved_minima(
    ours: Callable[[], object],
    baseline: Callable[[], object],
    *,
    iterations: int,
    rounds: int,
) -> Measured:
    """ns per call of ours and of baseline: in each of `rounds` alternating rounds each side
    is timed over `iterations` calls (per_call_ns), and each side's least round is kept
    (sample_minima says why)."""
    return sample_minima(
        lambda: per_call_ns(ours, iterations),
        lambda: per_call_ns(baseline, iterations),
        rounds=rounds,
    )


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit a time is written in: `key` suffixes the extra_info keys (ours_<key>), `label`
    follows the number in the printed line, `digits` rounds both. With 0 digits the key
    holds an int, not a float ending in .0."""

    key: str
    label: str
    ns: float
    digits: int

    def of(self, ns: float) -> float:
        """ns in this unit."""
        return ns / self.ns

    def rounded(self, ns: float) -> float:
        """ns in this unit, rounded for extra_info."""
        value = self.of(ns)
        return round(value) if self.digits == 0 else round(value, self.digits)


NS = Unit("ns", "ns", 1, 0)
US = Unit("us", "us", 1e3, 1)
MS = Unit("ms", "ms", 1e6, 3)


def meets(measured: Measured, target: float) -> bool:
    """A target is an upper bound on the ratio."""
    return measured.ratio <= target


def extra_info(measured: Measured, target: float | None, unit: Unit = NS) -> dict[str, object]:
    """The fields a measurement writes into extra_info: both times, the ratio and, when it
    has a target, the target and whether it is met (the keys `dait-sim bench` reads)."""
    info: dict[str, object] = {
        f"ours_{unit.key}": unit.rounded(measured.ours_ns),
        f"baseline_{unit.key}": unit.rounded(measured.baseline_ns),
        "ratio": round(measured.ratio, 3),
    }
    if target is not None:
        info |= {"target_ratio": target, "meets_target": meets(measured, target)}
    return info


def summary(
    name: str,
    measured: Measured,
    target: float | None,
    *,
    unit: Unit = NS,
    ratio_digits: int = 2,
    labels: tuple[str, str] = ("ours", "baseline"),
) -> str:
    """The printed line (led by a newline, to start clear of pytest's progress dots)."""
    ours_label, base_label = labels
    if target is None:
        verdict = "(reported only)"
    else:
        verdict = f"(target <= {target}) " + ("meets" if meets(measured, target) else "MISSES")
    return (
        f"\n{name}: {ours_label} {unit.of(measured.ours_ns):.{unit.digits}f} {unit.label}, "
        f"{base_label} {unit.of(measured.baseline_ns):.{unit.digits}f} {unit.label}, "
        f"ratio {measured.ratio:.{ratio_digits}f} {verdict}"
    )


def record(
    benchmark: Any,
    name: str,
    measured: Measured,
    target: float | None,
    *,
    unit: Unit = NS,
    shown: Unit | None = None,
    ratio_digits: int = 2,
    labels: tuple[str, str] = ("ours", "baseline"),
) -> None:
    """Write a benchmark's primary measurement into its extra_info (times in `unit`) and
    print its line (times in `shown`, by default `unit`).

    A measurement without a target is a side comparison: it is printed but not written, so
    that it never overwrites the primary ratio `dait-sim bench` judges; a caller that keeps
    it does so under a key of its own."""
    if target is not None:
        benchmark.extra_info.update(extra_info(measured, target, unit))
    print(
        summary(
            name,
            measured,
            target,
            unit=shown or unit,
            ratio_digits=ratio_digits,
            labels=labels,
        )
    )
