"""CometBFT proposer selection: weighted round robin by proposer priority, as pure functions.

specs/app.md "Proposer selection". This is cometbft types/validator_set.go (v0.38) step by
step, on immutable values, with Go's int64 arithmetic where it matters:

- each round, every priority += power (clipped to int64), the validator with the highest
  priority proposes (ties to the lower address) and its priority -= total power;
- before the rounds, priorities are rescaled so that max - min <= 2 x total power
  (Go integer division, truncating toward zero) and centred on their average (big.Int
  Euclidean division, i.e. floor for a positive count);
- a validator joining the set starts at -(P + P >> 3) (P the total power after the
  update, before removals), so unbonding and re-bonding cannot reset a low priority.

The harness keeps one ProposerSet per chain, calls `increment` once per block (or per
round), and `update` with the staking power changes it applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from dait_chain.app.errors import ErrInvalidValidatorSet
from dait_chain.crypto.address import address_bytes_from_pubkey

INT64_MAX = (1 << 63) - 1
INT64_MIN = -(1 << 63)
# cometbft MaxTotalVotingPower = MaxInt64 / 8; PriorityWindowSizeFactor = 2.
MAX_TOTAL_VOTING_POWER = INT64_MAX // 8
PRIORITY_WINDOW_SIZE_FACTOR = 2


@dataclass(frozen=True, slots=True)
class ProposerValidator:
    """A validator as CometBFT sees it: consensus address, voting power, priority."""

    address: bytes
    power: int
    priority: int = 0


@dataclass(frozen=True, slots=True)
class ProposerSet:
    """A validator set (sorted by power descending, then address) and its proposer."""

    validators: tuple[ProposerValidator, ...]
    proposer: bytes

    @property
    def total_power(self) -> int:
        """The sum of the voting powers."""
        return sum(v.power for v in self.validators)

    def priority_of(self, address: bytes) -> int:
        """The proposer priority of the validator at address."""
        for v in self.validators:
            if v.address == address:
                return v.priority
        raise ErrInvalidValidatorSet(f"{address.hex()} not in the set")


def consensus_address(pubkey: bytes) -> bytes:
    """CometBFT's address of a secp256k1 consensus key: RIPEMD160(SHA256(pubkey))."""
    return address_bytes_from_pubkey(pubkey)


def _clip(x: int) -> int:
    return max(INT64_MIN, min(INT64_MAX, x))


def _wrap(x: int) -> int:
    # Go int64 arithmetic without a check wraps around.
    return ((x - INT64_MIN) % (1 << 64)) + INT64_MIN


def _go_quo(a: int, b: int) -> int:
    """Go's integer division: truncation toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _more_priority(a: ProposerValidator, b: ProposerValidator) -> ProposerValidator:
    """cometbft Validator.CompareProposerPriority: higher priority, then lower address."""
    if a.priority != b.priority:
        return a if a.priority > b.priority else b
    if a.address == b.address:
        raise ErrInvalidValidatorSet("cannot compare identical validators")
    return a if a.address < b.address else b


def _by_power(vals: list[ProposerValidator]) -> tuple[ProposerValidator, ...]:
    return tuple(sorted(vals, key=lambda v: (-v.power, v.address)))


def _total(vals: Sequence[ProposerValidator]) -> int:
    total = 0
    for v in vals:
        total = _clip(total + v.power)
        if total > MAX_TOTAL_VOTING_POWER:
            raise ErrInvalidValidatorSet(f"total voting power exceeds {MAX_TOTAL_VOTING_POWER}")
    return total


def rescale_priorities(vals: list[ProposerValidator], diff_max: int) -> list[ProposerValidator]:
    """cometbft RescalePriorities: divide every priority by ceil(diff / diff_max) when the
    spread max - min exceeds diff_max."""
    if diff_max <= 0:
        return vals
    prios = [v.priority for v in vals]
    diff = abs(_wrap(max(prios) - min(prios)))
    ratio = (diff + diff_max - 1) // diff_max
    if diff > diff_max:
        return [replace(v, priority=_go_quo(v.priority, ratio)) for v in vals]
    return vals


def shift_by_average(vals: list[ProposerValidator]) -> list[ProposerValidator]:
    """cometbft shiftByAvgProposerPriority: subtract floor(sum / n) from every priority."""
    avg = sum(v.priority for v in vals) // len(vals)
    return [replace(v, priority=_clip(v.priority - avg)) for v in vals]


def _increment_once(
    vals: list[ProposerValidator], total: int
) -> tuple[list[ProposerValidator], ProposerValidator]:
    bumped = [replace(v, priority=_clip(v.priority + v.power)) for v in vals]
    mostest = bumped[0]
    for v in bumped[1:]:
        mostest = _more_priority(mostest, v)
    chosen = replace(mostest, priority=_clip(mostest.priority - total))
    return [chosen if v.address == mostest.address else v for v in bumped], chosen


def increment(vset: ProposerSet, times: int = 1) -> ProposerSet:
    """cometbft IncrementProposerPriority(times): rescale, centre, then `times` rounds; the
    proposer is the last round's choice."""
    if times <= 0:
        raise ErrInvalidValidatorSet("times must be positive")
    if not vset.validators:
        raise ErrInvalidValidatorSet("empty validator set")
    total = _total(vset.validators)
    vals = shift_by_average(
        rescale_priorities(list(vset.validators), PRIORITY_WINDOW_SIZE_FACTOR * total)
    )
    chosen = vals[0]
    for _ in range(times):
        vals, chosen = _increment_once(vals, total)
    return ProposerSet(tuple(vals), chosen.address)


def _apply_changes(
    current: tuple[ProposerValidator, ...],
    changes: Sequence[tuple[bytes, int]],
    allow_deletes: bool,
) -> list[ProposerValidator]:
    """cometbft updateWithChangeSet, up to the final sort."""
    if not changes:
        return list(current)
    ordered = sorted(changes)
    for (a, _), (b, _) in pairwise(ordered):
        if a == b:
            raise ErrInvalidValidatorSet(f"duplicate entry {a.hex()}")
    updates: list[tuple[bytes, int]] = []
    deletes: list[bytes] = []
    for address, power in ordered:
        if power < 0:
            raise ErrInvalidValidatorSet(f"voting power can't be negative: {power}")
        if power > MAX_TOTAL_VOTING_POWER:
            raise ErrInvalidValidatorSet(f"voting power {power} too high")
        if power == 0:
            deletes.append(address)
        else:
            updates.append((address, power))
    if not allow_deletes and deletes:
        raise ErrInvalidValidatorSet("cannot process validators with voting power 0")
    existing = {v.address: v for v in current}
    new_count = sum(1 for a, _ in updates if a not in existing)
    if new_count == 0 and len(current) == len(deletes):
        raise ErrInvalidValidatorSet("applying the changes would result in an empty set")
    removed_power = 0
    for address in deletes:
        if address not in existing:
            raise ErrInvalidValidatorSet(f"failed to find validator {address.hex()} to remove")
        removed_power += existing[address].power
    # verifyUpdates: apply the power deltas in ascending order, never above the maximum
    tvp = _total(current) - removed_power
    deltas = sorted(p - (existing[a].power if a in existing else 0) for a, p in updates)
    for delta in deltas:
        tvp += delta
        if tvp > MAX_TOTAL_VOTING_POWER:
            raise ErrInvalidValidatorSet("total voting power of resulting valset exceeds max")
    updated_total = tvp + removed_power
    merged = dict(existing)
    for address, power in updates:
        old = existing.get(address)
        priority = -(updated_total + (updated_total >> 3)) if old is None else old.priority
        merged[address] = ProposerValidator(address, power, priority)
    for address in deletes:
        del merged[address]
    vals = [merged[a] for a in sorted(merged)]
    total = _total(vals)
    return shift_by_average(rescale_priorities(vals, PRIORITY_WINDOW_SIZE_FACTOR * total))


def update(vset: ProposerSet, changes: Sequence[tuple[bytes, int]]) -> ProposerSet:
    """cometbft UpdateWithChangeSet: (address, power) changes, power 0 removes. The proposer
    stays until the next `increment`."""
    vals = _apply_changes(vset.validators, changes, allow_deletes=True)
    return ProposerSet(_by_power(vals), vset.proposer)


def new_proposer_set(members: Sequence[tuple[bytes, int]]) -> ProposerSet:
    """cometbft NewValidatorSet: build from (address, power) and increment once, so the
    set already names the first proposer."""
    if not members:
        raise ErrInvalidValidatorSet("empty validator set")
    vals = _apply_changes((), members, allow_deletes=False)
    return increment(ProposerSet(_by_power(vals), b""), 1)


def proposer_sequence(vset: ProposerSet, rounds: int) -> tuple[tuple[bytes, ...], ProposerSet]:
    """The proposers of the next `rounds` blocks starting with vset's current proposer, and
    the set after them (GetProposer, then IncrementProposerPriority(1), repeated)."""
    out: list[bytes] = []
    for _ in range(rounds):
        out.append(vset.proposer)
        vset = increment(vset, 1)
    return tuple(out), vset


__all__ = [
    "MAX_TOTAL_VOTING_POWER",
    "ProposerSet",
    "ProposerValidator",
    "consensus_address",
    "increment",
    "new_proposer_set",
    "proposer_sequence",
    "rescale_priorities",
    "shift_by_average",
    "update",
]
