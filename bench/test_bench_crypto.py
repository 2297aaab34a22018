"""Benchmarks of dait_chain.crypto, each as a ratio to a baseline measured in the same run.

Targets (specs/crypto.md §6):
- verify <= 1.1x a bare coincurve `PublicKey(pub).verify(der, msg)`;
- sign <= 1.1x a bare coincurve `PrivateKey.sign(msg)` on a prebuilt key;
- recover_pubkeys <= 4.5x one bare coincurve recovery (it tries recovery ids 0..3 and
  verifies each recovered key, i.e. about 2 recoveries + 2 verifications);
- MerkleAccumulator.append <= 1.5x its amortized hashing, one leaf hash plus one node hash
  (a binary counter carries once per append on average);
- decode_address <= 0.5x the BIP-173 reference decoder plus its 5->8 regrouping (ours
  adds the Cosmos checks but runs a table-driven polymod with a cached hrp prefix).

Run: python -m pytest bench/test_bench_crypto.py --benchmark-enable -q -s
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

import bech32 as bip173
import coincurve

from dait_chain.crypto.address import decode_address, encode_address
from dait_chain.crypto.merkle import MerkleAccumulator
from dait_chain.crypto.secp256k1 import (
    privkey_from_seed,
    pubkey_from_privkey,
    recover_pubkeys,
    sign,
    verify,
)

ROUNDS = 15


def _per_call_ns(fn: Callable[[], object], iterations: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(iterations):
        fn()
    return (time.perf_counter_ns() - start) / iterations


def _ratio(
    ours: Callable[[], object], baseline: Callable[[], object], iterations: int
) -> tuple[float, float, float]:
    # Interleave the two so that machine load hits both alike; keep each one's best round.
    best_ours = best_base = float("inf")
    for _ in range(ROUNDS):
        best_base = min(best_base, _per_call_ns(baseline, iterations))
        best_ours = min(best_ours, _per_call_ns(ours, iterations))
    return best_ours, best_base, best_ours / best_base


def _report(benchmark: Any, name: str, measured: tuple[float, float, float], target: float) -> None:
    ours_ns, base_ns, ratio = measured
    benchmark.extra_info.update(
        {
            "ours_ns": round(ours_ns),
            "baseline_ns": round(base_ns),
            "ratio": round(ratio, 3),
            "target_ratio": target,
            "meets_target": ratio <= target,
        }
    )
    verdict = "meets" if ratio <= target else "MISSES"
    print(
        f"\n{name}: ours {ours_ns / 1000:.1f} us, baseline {base_ns / 1000:.1f} us, "
        f"ratio {ratio:.3f} (target <= {target}) {verdict}"
    )


PRIVKEY = privkey_from_seed(b"bench")
PUBKEY = pubkey_from_privkey(PRIVKEY)
MESSAGE = bytes(range(256)) * 2  # a 512-byte canonical ChannelState is about this size


def test_bench_verify_vs_bare_coincurve(benchmark: Any) -> None:
    signature = sign(PRIVKEY, MESSAGE)
    der = coincurve.PrivateKey(PRIVKEY).sign(MESSAGE)
    assert verify(PUBKEY, MESSAGE, signature)
    assert coincurve.PublicKey(PUBKEY).verify(der, MESSAGE)
    measured = _ratio(
        lambda: verify(PUBKEY, MESSAGE, signature),
        lambda: coincurve.PublicKey(PUBKEY).verify(der, MESSAGE),
        1000,
    )
    benchmark(verify, PUBKEY, MESSAGE, signature)
    _report(benchmark, "verify", measured, 1.1)


def test_bench_sign_vs_bare_coincurve(benchmark: Any) -> None:
    key = coincurve.PrivateKey(PRIVKEY)
    measured = _ratio(lambda: sign(PRIVKEY, MESSAGE), lambda: key.sign(MESSAGE), 1000)
    benchmark(sign, PRIVKEY, MESSAGE)
    _report(benchmark, "sign", measured, 1.1)


def test_bench_recover_pubkeys_vs_one_bare_recovery(benchmark: Any) -> None:
    signature = sign(PRIVKEY, MESSAGE)
    recoverable = coincurve.PrivateKey(PRIVKEY).sign_recoverable(MESSAGE)
    assert PUBKEY in recover_pubkeys(MESSAGE, signature)
    measured = _ratio(
        lambda: recover_pubkeys(MESSAGE, signature),
        lambda: coincurve.PublicKey.from_signature_and_message(recoverable, MESSAGE),
        400,
    )
    benchmark(recover_pubkeys, MESSAGE, signature)
    _report(benchmark, "recover_pubkeys", measured, 4.5)


def test_bench_accumulator_append_vs_its_amortized_hashing(benchmark: Any) -> None:
    leaf = hashlib.sha256(b"receipt").digest()  # seed 002 §7: the tree's leaves are hashes
    acc = MerkleAccumulator()

    def two_hashes() -> object:
        node = hashlib.sha256(b"\x00" + leaf).digest()
        return hashlib.sha256(b"\x01" + leaf + node).digest()

    measured = _ratio(lambda: acc.append(leaf), two_hashes, 20_000)
    benchmark(MerkleAccumulator().append, leaf)
    _report(benchmark, "MerkleAccumulator.append", measured, 1.5)


def test_bench_decode_address_vs_bip173_reference(benchmark: Any) -> None:
    address = encode_address(PUBKEY[1:21])

    def reference() -> object:
        _, data = bip173.bech32_decode(address)
        return bip173.convertbits(data, 5, 8, False)

    assert bytes(reference()) == decode_address(address)  # type: ignore[arg-type]
    measured = _ratio(lambda: decode_address(address), reference, 2000)
    benchmark(decode_address, address)
    _report(benchmark, "decode_address", measured, 0.5)
