"""A seeded block workload over the base modules, shared by the app tests.

Txs are fixed in advance from the seed (sends, delegations, undelegations, some failing
on purpose), so two chains fed the same workload must agree on every result and hash.
"""

from __future__ import annotations

import random
from typing import Any

from dait_chain.app.testkit import BASE_MODULES, TestChain
from dait_chain.codec.tx import Coin, MsgSend
from dait_chain.x.distribution.types import Params as DistrParams
from dait_chain.x.staking.types import MsgDelegate, MsgUndelegate
from dait_chain.x.staking.types import Params as StakingParams

USERS = ("alice", "bob", "carol", "dave")
VALIDATORS = (("val0", 10_000_000_000), ("val1", 7_000_000_000), ("val2", 3_000_000_000))


def workload_chain() -> TestChain:
    """Base modules with short windows so that unbonding and allocation happen often."""
    return TestChain.start(
        modules=BASE_MODULES,
        users=USERS,
        balance=10**12,
        validators=VALIDATORS,
        staking_params=StakingParams(unbonding_time_ms=5_000, max_validators=2),
        distribution_params=DistrParams("0.020000000000000000", 1_000_000, 5),
    )


def coin(amount: int) -> tuple[Coin, ...]:
    return (Coin("uDAIT", str(amount)),)


def make_blocks(chain: TestChain, seed: int, n_blocks: int) -> list[tuple[bytes, ...]]:
    """n_blocks blocks of 0-4 signed txs each, drawn from random.Random(seed)."""
    rng = random.Random(seed)
    numbers = {name: chain.account(getattr(chain, name))[0] for name in USERS}
    sequences = dict.fromkeys(USERS, 0)
    vals = [getattr(chain, v).address for v, _ in VALIDATORS]
    blocks = []
    for _ in range(n_blocks):
        txs = []
        for _ in range(rng.randrange(5)):
            name = rng.choice(USERS)
            who = getattr(chain, name)
            kind = rng.random()
            msg: Any
            if kind < 0.5:
                to = getattr(chain, rng.choice(USERS)).address
                amount = rng.choice([1, 1000, 10**6, 10**13])  # the last overdraws
                msg = MsgSend(who.address, to, coin(amount))
            elif kind < 0.8:
                stake = coin(rng.randrange(1, 5 * 10**6))[0]
                msg = MsgDelegate(who.address, rng.choice(vals), stake)
            else:
                msg = MsgUndelegate(who.address, rng.choice(vals), coin(rng.randrange(1, 10**6))[0])
            txs.append(
                chain.tx(
                    who,
                    msg,
                    fee=1_000 + rng.randrange(3) * 500,
                    sequence=sequences[name],
                    account_number=numbers[name],
                )
            )
            sequences[name] += 1
        blocks.append(tuple(txs))
    return blocks


def run(chain: TestChain, blocks: list[tuple[bytes, ...]]) -> list[tuple[Any, ...]]:
    """Finalize the blocks in order; return per block (codes, begin/end event types, hash)."""
    out = []
    for txs in blocks:
        res = chain.block(*txs)
        out.append(
            (
                tuple((r.codespace, r.code) for r in res.tx_results),
                tuple(e.type for e in res.begin_events),
                tuple(e.type for e in res.end_events),
                res.app_hash.hex(),
            )
        )
    return out
