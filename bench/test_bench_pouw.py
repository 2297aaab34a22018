"""Benchmarks of x/pouw, each as a ratio to baselines measured in the same run
(specs/pouw.md §15).

1. Crediting 10,000 reveals in one block: FinalizeBlock of a block of 10,000 signed
   MsgRevealReceipt txs (ante, reveal checks, attestation, credit, events, commit), per
   reveal. Baselines: (a) the secp256k1 verifications every reveal needs whatever the
   implementation (the tx signature and the SPUR-IC receipt's sig_host); (b) the bare
   LegacyDec credit arithmetic of a reveal (credit formula, checkpoint, gross-up, two
   additions, read-back). Target: <= 12x baseline (a).

2. Effective-stake allocation over 150 validators with 10,000 hosts pointing at them:
   AllocateTokensOverride on the committed state. Baselines: (a) x/distribution's stock
   allocation by power over the same 150 validators; (b) the override over the same
   validators with 150 hosts, one per validator (it reads one aggregate per validator,
   never the hosts). Targets: <= 8x baseline (a), and <= 1.25x baseline (b): the host
   count does not matter.

Run: python -m pytest bench/test_bench_pouw.py --benchmark-enable -q -s
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from dait_chain.app.abci import FinalizeBlockRequest
from dait_chain.app.app import DaitApp
from dait_chain.app.genesis import GenesisSpec, build_genesis, genesis_validators
from dait_chain.app.tx import decode_tx, sign_doc_bytes
from dait_chain.crypto import secp256k1
from dait_chain.crypto.secp256k1 import DOMAIN_RECEIPT, pubkey_from_privkey
from dait_chain.math import LegacyDec
from dait_chain.spurc.signing import receipt_signing_payload
from dait_chain.x.distribution.keeper import allocate_by_power
from dait_chain.x.pouw.credits import (
    Balance,
    checkpoint,
    credit_for_job,
    gross_up,
    read_balance,
)
from dait_chain.x.pouw.keeper import PouwKeeper
from dait_chain.x.pouw.params import Params
from dait_chain.x.pouw.simulation import app_modules, build_world, party
from dait_chain.x.pouw.types import GenesisState, HostCredits, MsgRevealReceipt, ValidatorCredits
from dait_chain.x.staking.types import DEFAULT_PARAMS as STAKING_DEFAULTS

REVEALS = 10_000
REVEAL_TARGET = 12.0
VALIDATORS = 150
HOSTS = 10_000
ALLOC_TARGET_STOCK = 8.0
ALLOC_TARGET_FEW_HOSTS = 1.25
ALLOC_ROUNDS = 30


def _best_ns(fn: Callable[[], object], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter_ns()
        fn()
        best = min(best, time.perf_counter_ns() - start)
    return best


def _report(
    benchmark: Any, name: str, ours: float, baselines: dict[str, float], targets: dict[str, float]
) -> None:
    info: dict[str, object] = {"ours_ns": round(ours)}
    lines = [f"\n{name}: {ours / 1e6:.2f} ms"]
    for key, base in baselines.items():
        ratio = ours / base
        info[f"{key}_ns"] = round(base)
        info[f"ratio_to_{key}"] = round(ratio, 3)
        line = f"  vs {key}: {base / 1e6:.2f} ms, ratio {ratio:.2f}"
        if key in targets:
            info[f"target_ratio_to_{key}"] = targets[key]
            info[f"meets_target_{key}"] = ratio <= targets[key]
            line += f" (target <= {targets[key]}) {'meets' if ratio <= targets[key] else 'MISSES'}"
        lines.append(line)
    benchmark.extra_info.update(info)
    print("\n".join(lines))


# --- 1. 10,000 reveals in one block ------------------------------------------------------------


def _reveal_load() -> tuple[dict[str, Any], tuple[bytes, ...], str]:
    """An exported chain with 10,000 pending commits of one host, and the block of their
    10,000 reveals (signed in order)."""
    world = build_world(hosts=1, params=Params(commit_reveal_window=50), prefix="bench")
    host = world.hosts[0]
    jobs = [world.job(host, [100]) for _ in range(REVEALS)]
    commits = [world.commit_tx(host, receipt) for receipt, _ in jobs]
    result = world.block(commits)
    assert all(r.ok for r in result.tx_results)
    reveals = tuple(
        world.sign(host.party, (MsgRevealReceipt(host.party.address, receipt, evidence),))
        for receipt, evidence in jobs
    )
    return world.app.export_genesis(), reveals, world.gov.address


def test_bench_ten_thousand_reveals_in_one_block(benchmark: Any) -> None:
    exported, reveals, gov = _reveal_load()

    def fresh() -> DaitApp:
        app = DaitApp(app_modules(gov))
        app.init_chain(exported)
        return app

    def run_block() -> None:
        app = fresh()
        req = FinalizeBlockRequest(app.height + 1, app.time_ms + 999, "", reveals)
        start = time.perf_counter_ns()
        result = app.finalize_block(req)
        timings.append(time.perf_counter_ns() - start)
        assert all(r.ok for r in result.tx_results)

    timings: list[int] = []
    for _ in range(2):
        run_block()
    ours = min(timings)

    # (a) the two signature verifications per reveal.
    decoded = [decode_tx(tx) for tx in reveals[:1000]]
    app = fresh()
    ctx = app.query_context()
    host = MsgRevealReceipt.decode(decoded[0].body.messages[0].encode()).signer
    number = app.auth.account(ctx, host).account_number  # type: ignore[union-attr]
    checks = []
    for d in decoded:
        msg = d.body.messages[0]
        assert isinstance(msg, MsgRevealReceipt)
        signer_key = d.auth_info.signer_infos[0].public_key.key  # type: ignore[union-attr]
        doc = sign_doc_bytes(d.raw.body_bytes, d.raw.auth_info_bytes, app.chain_id, number)
        e = msg.evidence[0]
        payload = DOMAIN_RECEIPT + receipt_signing_payload(e)
        checks.append((signer_key, doc, d.raw.signatures[0], e.tee_pubkey, payload, e.sig_host))

    def verify_all() -> None:
        for key, doc, sig, tee, payload, sig_host in checks:
            assert secp256k1.verify(key, doc, sig)
            assert secp256k1.verify(tee, payload, sig_host)

    crypto = _best_ns(verify_all, 5) * (REVEALS / len(checks))

    # (b) the credit arithmetic of a reveal.
    weight = LegacyDec.one()
    hl = Params().half_life_blocks

    def arithmetic() -> None:
        host_bal = Balance(LegacyDec.from_int(12_345), 0)
        agg = Balance(LegacyDec.from_int(99_999), 0)
        for i in range(REVEALS):
            height = 1_000_000 + i
            credit = credit_for_job(100, weight, True, 0, 0)
            host_bal = checkpoint(host_bal, height, hl)
            agg = checkpoint(agg, height, hl)
            added = gross_up(credit, height, hl)
            host_bal = Balance(host_bal.credits.add(added), host_bal.anchor)
            agg = Balance(agg.credits.add(added), agg.anchor)
            read_balance(host_bal, height, hl)

    arith = _best_ns(arithmetic, 3)
    _report(
        benchmark,
        f"{REVEALS} reveals in one block",
        ours,
        {"signature_verifications": crypto, "credit_arithmetic": arith},
        {"signature_verifications": REVEAL_TARGET},
    )
    print(f"  per reveal: {ours / REVEALS / 1e3:.0f} us")
    benchmark.pedantic(lambda: None, rounds=1, iterations=1)


# --- 2. allocation over 150 validators and 10,000 hosts -----------------------------------------


def _allocation_app(hosts: int) -> DaitApp:
    validators = [party(f"bench-val{i:03d}") for i in range(VALIDATORS)]
    host_addrs = [party(f"bench-host{i:05d}").address for i in range(hosts)]
    pointing: dict[str, list[int]] = {}
    records = []
    for i, h in enumerate(sorted(host_addrs)):
        target = validators[(i * 7) % VALIDATORS].address
        # a few hundred credits per validator: some below the K cap, some above it
        credits = 1 + (i * 7919) % 50
        records.append(HostCredits(h, f"{credits}.000000000000000000", 0, target))
        pointing.setdefault(target, []).append(credits)
    aggregates = tuple(
        ValidatorCredits(v, f"{sum(c)}.000000000000000000", 0, len(c))
        for v, c in sorted(pointing.items())
    )
    pouw = GenesisState(Params(), hosts=tuple(records), validators=aggregates)
    spec = GenesisSpec(
        staking_params=replace(STAKING_DEFAULTS, max_validators=VALIDATORS),
        validators=genesis_validators(
            [
                (v.address, pubkey_from_privkey(v.privkey), (i + 1) * 10**8)
                for i, v in enumerate(validators)
            ]
        ),
        sections={"pouw": pouw.to_json()},
    )
    app = DaitApp(app_modules())
    app.init_chain(build_genesis(spec))
    return app


def test_bench_effective_stake_allocation_150_validators_10k_hosts(benchmark: Any) -> None:
    loaded = _allocation_app(HOSTS)
    few = _allocation_app(VALIDATORS)
    pool = LegacyDec.from_int(987_654_321)

    def override_on(app: DaitApp) -> Callable[[], tuple[tuple[str, LegacyDec], ...]]:
        keeper = app.module("pouw").keeper
        assert isinstance(keeper, PouwKeeper)
        ctx = app.query_context()
        validators = app.keepers.staking.validator_set(ctx)
        assert len(validators) == VALIDATORS
        return lambda: keeper.allocate_tokens_override(ctx, pool, validators)

    ctx = loaded.query_context()
    validators = loaded.keepers.staking.validator_set(ctx)
    ours_fn = override_on(loaded)
    rewards = ours_fn()
    assert any(
        r != s
        for (_, r), (_, s) in zip(rewards, allocate_by_power(ctx, pool, validators), strict=True)
    )
    ours = _best_ns(ours_fn, ALLOC_ROUNDS)
    stock = _best_ns(lambda: allocate_by_power(ctx, pool, validators), ALLOC_ROUNDS)
    few_hosts = _best_ns(override_on(few), ALLOC_ROUNDS)
    _report(
        benchmark,
        f"allocation, {VALIDATORS} validators, {HOSTS} hosts",
        ours,
        {"stock_allocation": stock, "override_with_150_hosts": few_hosts},
        {"stock_allocation": ALLOC_TARGET_STOCK, "override_with_150_hosts": ALLOC_TARGET_FEW_HOSTS},
    )
    benchmark(ours_fn)
