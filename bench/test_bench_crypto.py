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
from typing import Any

import bech32 as bip173
import coincurve
from _ratio import US, interleaved_minima, record

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


PRIVKEY = privkey_from_seed(b"bench")
PUBKEY = pubkey_from_privkey(PRIVKEY)
MESSAGE = bytes(range(256)) * 2  # a 512-byte canonical ChannelState is about this size


def test_bench_verify_vs_bare_coincurve(benchmark: Any) -> None:
    signature = sign(PRIVKEY, MESSAGE)
    der = coincurve.PrivateKey(PRIVKEY).sign(MESSAGE)
    assert verify(PUBKEY, MESSAGE, signature)
    assert coincurve.PublicKey(PUBKEY).verify(der, MESSAGE)
    measured = interleaved_minima(
        lambda: verify(PUBKEY, MESSAGE, signature),
        lambda: coincurve.PublicKey(PUBKEY).verify(der, MESSAGE),
        iterations=1000,
        rounds=ROUNDS,
    )
    benchmark(verify, PUBKEY, MESSAGE, signature)
    record(benchmark, "verify", measured, 1.1, shown=US, ratio_digits=3)


def test_bench_sign_vs_bare_coincurve(benchmark: Any) -> None:
    key = coincurve.PrivateKey(PRIVKEY)
    measured = interleaved_minima(
        lambda: sign(PRIVKEY, MESSAGE), lambda: key.sign(MESSAGE), iterations=1000, rounds=ROUNDS
    )
    benchmark(sign, PRIVKEY, MESSAGE)
    record(benchmark, "sign", measured, 1.1, shown=US, ratio_digits=3)


def test_bench_recover_pubkeys_vs_one_bare_recovery(benchmark: Any) -> None:
    signature = sign(PRIVKEY, MESSAGE)
    recoverable = coincurve.PrivateKey(PRIVKEY).sign_recoverable(MESSAGE)
    assert PUBKEY in recover_pubkeys(MESSAGE, signature)
    measured = interleaved_minima(
        lambda: recover_pubkeys(MESSAGE, signature),
        lambda: coincurve.PublicKey.from_signature_and_message(recoverable, MESSAGE),
        iterations=400,
        rounds=ROUNDS,
    )
    benchmark(recover_pubkeys, MESSAGE, signature)
    record(benchmark, "recover_pubkeys", measured, 4.5, shown=US, ratio_digits=3)


def test_bench_accumulator_append_vs_its_amortized_hashing(benchmark: Any) -> None:
    leaf = hashlib.sha256(b"receipt").digest()  # seed 002 §7: the tree's leaves are hashes
    acc = MerkleAccumulator()

    def two_hashes() -> object:
        node = hashlib.sha256(b"\x00" + leaf).digest()
        return hashlib.sha256(b"\x01" + leaf + node).digest()

    measured = interleaved_minima(
        lambda: acc.append(leaf), two_hashes, iterations=20_000, rounds=ROUNDS
    )
    benchmark(MerkleAccumulator().append, leaf)
    record(benchmark, "MerkleAccumulator.append", measured, 1.5, shown=US, ratio_digits=3)


def test_bench_decode_address_vs_bip173_reference(benchmark: Any) -> None:
    address = encode_address(PUBKEY[1:21])

    def reference() -> list[int] | None:
        _, data = bip173.bech32_decode(address)
        assert data is not None
        return bip173.convertbits(data, 5, 8, False)

    expected = reference()
    assert expected is not None
    assert bytes(expected) == decode_address(address)
    measured = interleaved_minima(
        lambda: decode_address(address), reference, iterations=2000, rounds=ROUNDS
    )
    benchmark(decode_address, address)
    record(benchmark, "decode_address", measured, 0.5, shown=US, ratio_digits=3)
