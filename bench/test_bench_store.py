"""Benchmarks of dait_chain.store, each as a ratio to a baseline measured in the same run.

Targets (specs/store.md §4):
- commitment cost per write: overwriting a key of a CommitKVStore (the root store, which
  keeps the LtHash up to date) <= 2.5x one SHAKE-256 expansion of the pair alone (the
  irreducible part of an LtHash update; the rest is reading the 2 KiB digest as an int and
  two 16 Kibit lane-wise additions, about 1.5 us each); the overwrite of a key not in the
  element cache (two expansions) is reported too;
- cache branch write-through: setting N keys in a CacheKV and writing it to a plain
  KVStore <= 2x setting the same N keys in the KVStore directly;
- the app hash digest (sha256 of the 2 KiB lattice), reported only;
- a block commit (a branch's overwrites applied to the root in one batch, elements summed
  by lanes_sum), per key, reported only.

Run: python -m pytest bench/test_bench_store.py --benchmark-enable -q -s
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from _ratio import Measured, extra_info, sample_minima, summary

from dait_chain.store.commitment import CommitKVStore
from dait_chain.store.kv import CacheKV, KVStore

ROUNDS = 9
KEYS = [b"bank/\x01dait1" + i.to_bytes(4, "big") * 9 + b"\x00" for i in range(200)]


def per_op_ns(fn: Callable[[], object], ops: int) -> float:
    start = time.perf_counter_ns()
    fn()
    return (time.perf_counter_ns() - start) / ops


def report(benchmark: Any, name: str, measured: Measured, target: float | None) -> None:
    # Keyed by name: a test here records several measurements, each with its own fields.
    fields = extra_info(measured, target)
    benchmark.extra_info.update({f"{name}: {k}": v for k, v in fields.items()})
    if target is not None:
        # The one measurement with a target is also the test's primary ratio, under the
        # unprefixed keys that `dait-sim bench` judges.
        benchmark.extra_info.update(fields)
    print(summary(name, measured, target))


def expand_only() -> float:
    def run() -> None:
        for i, key in enumerate(KEYS):
            value = str(i).encode()
            h = hashlib.shake_256()
            h.update(len(key).to_bytes(4, "big"))
            h.update(key)
            h.update(len(value).to_bytes(4, "big"))
            h.update(value)
            h.digest(2048)

    return per_op_ns(run, len(KEYS))


def test_bench_commitment_cost_per_write(benchmark: Any) -> None:
    store = CommitKVStore()
    for key in KEYS:
        store.set(key, b"0")
    counter = [0]

    def hot_overwrites() -> float:
        counter[0] += 1
        value = str(counter[0]).encode()

        def overwrite_all() -> None:
            for k in KEYS:
                store.set(k, value)

        return per_op_ns(overwrite_all, len(KEYS))

    cold = CommitKVStore(element_cache_size=0)
    for key in KEYS:
        cold.set(key, b"0")

    def cold_overwrites() -> float:
        counter[0] += 1
        value = str(counter[0]).encode()

        def overwrite_all() -> None:
            for k in KEYS:
                cold.set(k, value)

        return per_op_ns(overwrite_all, len(KEYS))

    hot = sample_minima(hot_overwrites, expand_only, rounds=ROUNDS)
    report(benchmark, "overwrite, element cached", hot, 2.5)
    not_cached = sample_minima(cold_overwrites, expand_only, rounds=ROUNDS)
    report(benchmark, "overwrite, element not cached", not_cached, None)
    digest = sample_minima(lambda: per_op_ns(store.app_hash, 1), expand_only, rounds=ROUNDS)
    report(benchmark, "app hash digest vs one expansion", digest, None)

    # A block commit: a branch of overwrites written to the root in one batch (lanes_sum).
    batch_root = CommitKVStore()
    for key in KEYS:
        batch_root.set(key, b"0")

    def block_commit() -> float:
        counter[0] += 1
        value = str(counter[0]).encode()
        branch = CacheKV(batch_root)
        for key in KEYS:
            branch.set(key, value)
        return per_op_ns(branch.write, len(KEYS))

    batch = sample_minima(block_commit, expand_only, rounds=ROUNDS)
    report(benchmark, "branch write to the root, per key", batch, None)
    benchmark.pedantic(hot_overwrites, rounds=5, iterations=1)


def test_bench_cache_branch_write_through(benchmark: Any) -> None:
    values = [str(i).encode() for i in range(len(KEYS))]

    def direct() -> float:
        store = KVStore()

        def run() -> None:
            for key, value in zip(KEYS, values, strict=True):
                store.set(key, value)

        return per_op_ns(run, len(KEYS))

    def through_branch() -> float:
        store = KVStore()

        def run() -> None:
            branch = CacheKV(store)
            for key, value in zip(KEYS, values, strict=True):
                branch.set(key, value)
            branch.write()

        return per_op_ns(run, len(KEYS))

    measured = sample_minima(through_branch, direct, rounds=ROUNDS)
    report(benchmark, "branch set + write vs direct set", measured, 2.0)
    benchmark.pedantic(through_branch, rounds=5, iterations=1)
