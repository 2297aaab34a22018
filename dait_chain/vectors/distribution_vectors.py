"""distribution vectors: the check the allocation pipeline applies to a replaceable
allocator's output (specs/distribution.md §2).

x/distribution's allocator is a hook (x/pouw installs AllocateTokensOverride, seed 003
"App wiring wraps distrkeeper.RewardsAllocator"). Whatever the allocator, the pipeline
accepts its rewards only if every recipient is in the active set it was given
(`ErrUnknownRewardRecipient`, 21) and every reward is non-negative with a sum at most the
pool (`ErrAllocationExceedsPool`, 20), checked reward by reward in the allocator's order,
then the sum. A Go chain wrapping RewardsAllocator applies the same contract; these cases
pin its edges (the sum exactly the pool, one 10^-18 above it, the order of the checks).
"""

from __future__ import annotations

from collections.abc import Iterator

from dait_chain.crypto.address import encode_address
from dait_chain.math import LegacyDec
from dait_chain.vectors.errors import ErrVectorFile
from dait_chain.vectors.files import JsonObject
from dait_chain.vectors.ops import OpCase, arg_list, arg_str, op_handler
from dait_chain.x.distribution.keeper import DistributionKeeper
from dait_chain.x.staking.keeper import ValidatorPower

SPEC = "specs/distribution.md §2"
RULE = (
    "The pipeline checks the result so that no allocator can create or destroy uDAIT: every "
    "operator must be in the active set (distribution 21) and every reward non-negative with a "
    "sum <= pool (distribution 20). (specs/distribution.md §2)"
)


def op_allocation_guard(obj: JsonObject) -> JsonObject:
    """{pool, validators: [operator], rewards: [[operator, reward]]} -> accepted, or the
    pipeline's refusal."""
    pool = LegacyDec.from_str(arg_str(obj, "pool"))
    # The guard reads only the operators of the set; power and keys play no part in it.
    validators = tuple(ValidatorPower(str(op), b"", 0, 0) for op in arg_list(obj, "validators"))
    rewards = []
    for i, pair in enumerate(arg_list(obj, "rewards")):
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
        ):
            raise ErrVectorFile(f"input.json.rewards[{i}]: expected [operator, decimal]")
        rewards.append((pair[0], LegacyDec.from_str(pair[1])))
    # The pipeline's own check (DistributionKeeper._checked), called as BeginBlock calls it.
    DistributionKeeper._checked(rewards, pool, validators)
    return {"accepted": True}


GUARD_OPS = {"allocation_guard": op_allocation_guard}


def guard_cases() -> Iterator[OpCase]:
    # Three canonical operator addresses; a and b form the active set.
    a, b, c = (encode_address(bytes([n]) * 20) for n in (1, 2, 3))
    pool = "1000.000000000000000000"

    def case(name: str, what: str, rewards: list[list[str]], validators: list[str]) -> OpCase:
        return OpCase(
            "guard",
            name,
            what,
            RULE,
            SPEC,
            {"op": "allocation_guard", "pool": pool, "validators": validators, "rewards": rewards},
        )

    both = [a, b]
    yield case(
        "sum_equals_pool",
        "two rewards summing to the pool exactly",
        [[a, "600.000000000000000000"], [b, "400.000000000000000000"]],
        both,
    )
    yield case(
        "sum_below_pool",
        "rewards below the pool (the rest goes to the community pool)",
        [[a, "333.333333333333333333"], [b, "333.333333333333333333"]],
        both,
    )
    yield case("no_rewards", "an allocator paying nobody", [], both)
    yield case(
        "zero_reward",
        "a zero reward to a member",
        [[a, "0.000000000000000000"], [b, "1000.000000000000000000"]],
        both,
    )
    yield case(
        "sum_above_pool_by_one_unit",
        "rewards summing to the pool plus 10^-18",
        [[a, "600.000000000000000000"], [b, "400.000000000000000001"]],
        both,
    )
    yield case(
        "negative_reward",
        "a negative reward, the sum within the pool",
        [[a, "-1.000000000000000000"], [b, "1.000000000000000000"]],
        both,
    )
    yield case(
        "recipient_outside_the_set",
        "a reward to an operator not in the active set",
        [[a, "1.000000000000000000"], [c, "1.000000000000000000"]],
        both,
    )
    yield case(
        "unknown_recipient_checked_before_the_sum",
        "an outsider paid first, and the sum above the pool: the recipient is named",
        [[c, "1.000000000000000000"], [a, "2000.000000000000000000"]],
        both,
    )
    yield case(
        "negative_checked_in_order",
        "a negative reward before a reward to an outsider: the first fault in order is named",
        [[a, "-1.000000000000000000"], [c, "1.000000000000000000"]],
        both,
    )


HANDLERS = (
    op_handler(
        "distribution",
        "allocation_guard",
        "the pipeline's check of an allocator's rewards (recipients, sign, sum <= pool)",
        GUARD_OPS,
        guard_cases,
    ),
)
