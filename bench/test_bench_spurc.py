"""SPUR-IC benchmarks (specs/spurc.md "Performance").

Each benchmark states its target as a ratio to a baseline measured in the same run, in
the same process, interleaved with the subject so that load on the shared machine hits
both alike. Benchmarks record; they assert correctness, never timing.

* verify_receipt of a valid receipt costs <= 1.5x the secp256k1 verifications it must
  do (CPU time), compared like for like:
  - quote not cached (the first receipt of a session; the primary `ratio`): against the
    four verifications it then performs: sig_host on the receipt, the vendor root's
    certificate, the attestation key's quote, sig_host on the provisional state;
  - quote cache warm (every later receipt): against the issue's three (the receipt's
    host signature and the quote's two; target), and against the two it performs per
    receipt (receipt and state sig_host; reported).
* the durable tenant session sustains >= 500 receipts/s (checks, cosign, one sqlite
  transaction per receipt), i.e. its per-receipt time is <= 1.0x a 2 ms budget;
  measured for both durabilities (Durability.PROCESS: survives kill -9, the crash test's
  model; Durability.FULL, the default: also survives power loss, one fsync per receipt)
  beside the latency of a bare sqlite commit of the same rows in the same mode on the
  same disk, interleaved chunk by chunk. The target applies to PROCESS; FULL is bounded
  by the disk's fsync latency.

Run: python -m pytest bench/test_bench_spurc.py --benchmark-enable -s
The same verify_receipt subjects (bench/_spurc_subjects.py) in instructions executed rather
than CPU time: python bench/count_instructions.py (specs/spurc.md §14).
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _spurc_subjects import T0, record_channel, verify_subjects
from _spurc_subjects import tenant as open_tenant

from dait_chain.spurc.session import HostCall, PreparedRequest
from dait_chain.spurc.store import Durability
from dait_chain.spurc.values import ChannelState

VERIFY_TARGET = 1.5
RECEIPT_BUDGET_NS = 2_000_000  # 500 receipts/s
CALLS = 300
CHUNK = 50


def _cpu_ns_per_call(fn: Callable[[], object], inner: int) -> float:
    """CPU time per call of this process: other work on the shared machine inflates wall
    time, not the CPU time spent here."""
    t0 = time.process_time_ns()
    for _ in range(inner):
        fn()
    return (time.process_time_ns() - t0) / inner


def _interleaved_minima(
    subjects: dict[str, Callable[[], object]], rounds: int, inner: int
) -> dict[str, float]:
    """Per-call CPU ns of each subject: the minimum over alternating short rounds. On a
    shared machine contention only ever adds time, so the least disturbed round is the
    best estimate of each cost, and alternating exposes all to the same conditions."""
    samples: dict[str, list[float]] = {name: [] for name in subjects}
    for _ in range(rounds):
        for name, fn in subjects.items():
            samples[name].append(_cpu_ns_per_call(fn, inner))
    return {name: min(values) for name, values in samples.items()}


def test_verify_receipt_costs_at_most_1_5x_its_signature_verifications(benchmark: Any) -> None:
    subjects = verify_subjects()
    cold = subjects.cold
    assert cold() == subjects.warm() == subjects.host_state

    ns = _interleaved_minima(
        {
            "cold": cold,
            "all_four": subjects.all_four,
            "warm": subjects.warm,
            "host_signatures": subjects.host_signatures,
            "issue_three": subjects.issue_three,
        },
        rounds=60,
        inner=10,
    )
    cold_ratio = ns["cold"] / ns["all_four"]
    warm_ratio = ns["warm"] / ns["issue_three"]
    warm_ratio_performed = ns["warm"] / ns["host_signatures"]
    benchmark.extra_info.update(
        {
            # Primary: quote not cached, against the four verifications it performs.
            "ratio": round(cold_ratio, 3),
            "target_ratio": VERIFY_TARGET,
            "cold_verify_receipt_cpu_us": round(ns["cold"] / 1000, 1),
            "cold_4_verifications_cpu_us": round(ns["all_four"] / 1000, 1),
            # Quote cache warm, against the issue's three verifications (target) and
            # against the two it performs per receipt (reported).
            "warm_ratio_to_issue_3": round(warm_ratio, 3),
            "warm_target_ratio": VERIFY_TARGET,
            "warm_ratio_to_performed_2": round(warm_ratio_performed, 3),
            "warm_verify_receipt_cpu_us": round(ns["warm"] / 1000, 1),
            "issue_3_verifications_cpu_us": round(ns["issue_three"] / 1000, 1),
            "performed_2_verifications_cpu_us": round(ns["host_signatures"] / 1000, 1),
        }
    )
    print(
        f"\nverify_receipt, quote not cached: {ns['cold'] / 1000:.0f} us CPU; the 4"
        f" verifications it performs {ns['all_four'] / 1000:.0f} us: ratio {cold_ratio:.2f}"
        f" (target <= {VERIFY_TARGET})"
        f"\nverify_receipt, quote cache warm: {ns['warm'] / 1000:.0f} us CPU; the issue's 3"
        f" (host signature and quote) {ns['issue_three'] / 1000:.0f} us: ratio"
        f" {warm_ratio:.2f} (target <= {VERIFY_TARGET}); the 2 it performs"
        f" {ns['host_signatures'] / 1000:.0f} us: ratio {warm_ratio_performed:.2f}"
    )
    benchmark(cold)


class _BareStore:
    """The baseline: the same two rows per receipt, one bare transaction each."""

    def __init__(self, path: Path, durability: Durability, row: bytes) -> None:
        self.conn = sqlite3.connect(str(path), isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        sync = "FULL" if durability is Durability.FULL else "NORMAL"
        self.conn.execute(f"PRAGMA synchronous={sync}")
        self.conn.execute("CREATE TABLE r (k INTEGER PRIMARY KEY, v BLOB)")
        self.conn.execute("CREATE TABLE c (k INTEGER PRIMARY KEY, v BLOB)")
        self.row = row
        self.k = 0

    def commit(self) -> None:
        self.k += 1
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("INSERT INTO r VALUES (?, ?)", (self.k, self.row))
        self.conn.execute("INSERT OR REPLACE INTO c VALUES (1, ?)", (self.row,))
        self.conn.execute("COMMIT")


def _session_throughput(
    tmp: Path,
    open_state: ChannelState,
    log: list[tuple[PreparedRequest, HostCall]],
    durability: Durability,
) -> tuple[float, float, float]:
    """(wall ns per receipt of a fresh tenant replaying the channel, wall ns per bare
    commit, CPU ns per receipt), measured in alternating chunks of CHUNK receipts / CHUNK
    commits."""
    tenant = open_tenant(tmp / f"replay-{durability.value}.sqlite", open_state, durability)
    bare = _BareStore(
        tmp / f"bare-{durability.value}.sqlite", durability, log[0][1].issued.receipt.encode()
    )
    session_ns = bare_ns = cpu_ns = 0
    for start in range(0, len(log), CHUNK):
        c0 = time.process_time_ns()
        t0 = time.perf_counter_ns()
        for i, (recorded, call) in enumerate(log[start : start + CHUNK], start=start + 1):
            # The replaying tenant's requests are byte-identical (RFC 6979 signatures).
            prepared = tenant.prepare(f"benchmark prompt {i}", {"max_tokens": 16}, f"b-{i}")
            assert prepared == recorded
            tenant.accept(prepared, call.reply.headers, call.reply.body, now_ms=T0 + i)
        t1 = time.perf_counter_ns()
        cpu_ns += time.process_time_ns() - c0
        for _ in range(CHUNK):
            bare.commit()
        t2 = time.perf_counter_ns()
        session_ns += t1 - t0
        bare_ns += t2 - t1
    assert tenant.state.call_count == len(log) == len(tenant.store.receipt_rows())
    tenant.close()
    bare.conn.close()
    return session_ns / len(log), bare_ns / len(log), cpu_ns / len(log)


def test_durable_tenant_session_sustains_500_receipts_per_second(benchmark: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        open_state, log = record_channel(Path(tmp), CALLS)
        results = {d: _session_throughput(Path(tmp), open_state, log, d) for d in Durability}
    info: dict[str, object] = {"target_receipts_per_second": 10**9 // RECEIPT_BUDGET_NS}
    for durability, (session_ns, bare_ns, cpu_ns) in results.items():
        info[f"{durability.value}_receipts_per_second"] = round(1e9 / session_ns)
        info[f"{durability.value}_per_receipt_us"] = round(session_ns / 1000)
        info[f"{durability.value}_bare_commit_us"] = round(bare_ns / 1000)
        info[f"{durability.value}_ratio_to_budget"] = round(session_ns / RECEIPT_BUDGET_NS, 3)
        info[f"{durability.value}_cpu_per_receipt_us"] = round(cpu_ns / 1000)
        print(
            f"\ndurable tenant session, durability={durability.value}: {1e9 / session_ns:.0f}"
            f" receipts/s ({session_ns / 1000:.0f} us each, {session_ns / RECEIPT_BUDGET_NS:.2f}x"
            f" the 2 ms budget; {cpu_ns / 1000:.0f} us of it CPU); bare commit of the same rows"
            f" {bare_ns / 1000:.0f} us"
        )
    # The target is PROCESS's ratio to the budget (FULL is bounded by the disk's fsync).
    info["ratio"] = info[f"{Durability.PROCESS.value}_ratio_to_budget"]
    info["target_ratio"] = 1.0
    benchmark.extra_info.update(info)
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)
