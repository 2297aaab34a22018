"""CometBFT proposer selection, replayed on CometBFT's own test data (specs/app.md §10)."""

from __future__ import annotations

import pytest

from dait_chain.app.errors import ErrInvalidValidatorSet
from dait_chain.app.proposer import (
    MAX_TOTAL_VOTING_POWER,
    ProposerSet,
    ProposerValidator,
    consensus_address,
    increment,
    new_proposer_set,
    proposer_sequence,
    update,
)
from dait_chain.app.testkit import actor
from dait_chain.crypto.address import decode_address

# cometbft types/validator_set_test.go TestProposerSelection1: foo 1000, bar 300, baz 330.
SELECTION1_TEXT = (
    "foo baz foo bar foo foo baz foo bar foo foo baz foo foo bar foo baz foo foo bar foo foo "
    "baz foo bar foo foo baz foo bar foo foo baz foo foo bar foo baz foo foo bar foo baz foo "
    "foo bar foo baz foo foo bar foo baz foo foo foo baz bar foo foo foo baz foo bar foo foo "
    "baz foo bar foo foo baz foo bar foo foo baz foo bar foo foo baz foo foo bar foo baz foo "
    "foo bar foo baz foo foo bar foo baz foo foo"
)
SELECTION1 = SELECTION1_TEXT.split(" ")


def addr(i: int) -> bytes:
    return bytes(19) + bytes([i])


def test_proposer_selection_1_from_cometbft() -> None:
    vset = new_proposer_set([(b"foo", 1000), (b"bar", 300), (b"baz", 330)])
    proposers, _ = proposer_sequence(vset, 99)
    assert [p.decode() for p in proposers] == SELECTION1


def test_equal_power_goes_in_address_order() -> None:
    vset = new_proposer_set([(addr(0), 100), (addr(1), 100), (addr(2), 100)])
    proposers, _ = proposer_sequence(vset, 15)
    assert proposers == tuple(addr(i % 3) for i in range(15))


@pytest.mark.parametrize(("power", "expected"), [(400, [2, 0]), (401, [2, 2, 0])])
def test_heavier_validator_proposes_twice_only_above_the_threshold(
    power: int, expected: list[int]
) -> None:
    # TestProposerSelection2: 400 is not enough to propose twice in a row, 401 is.
    vset = new_proposer_set([(addr(0), 100), (addr(1), 100), (addr(2), power)])
    proposers, _ = proposer_sequence(vset, len(expected))
    assert list(proposers) == [addr(i) for i in expected]


def test_proposals_are_proportional_to_power() -> None:
    # TestProposerSelection2: powers 4, 5, 3 propose 40, 50 and 30 times in 120 rounds.
    vset = new_proposer_set([(addr(0), 4), (addr(1), 5), (addr(2), 3)])
    proposers, _ = proposer_sequence(vset, 120)
    assert [proposers.count(addr(i)) for i in range(3)] == [40, 50, 30]


def test_averaging_with_voting_power_matches_cometbft() -> None:
    # TestAveragingInIncrementProposerPriorityWithVotingPower: powers 10, 1, 1 from zero
    # priorities; after 5 increments the priorities are 4*(10-12)+10, 5*1-12, 5*1.
    start = ProposerSet(
        (
            ProposerValidator(b"\x00", 10),
            ProposerValidator(b"\x01", 1),
            ProposerValidator(b"\x02", 1),
        ),
        b"",
    )
    after = increment(start, 5)
    assert [v.priority for v in after.validators] == [4 * (10 - 12) + 10, 5 - 12, 5]
    assert after.proposer == b"\x01"
    after9 = increment(start, 9)
    assert [v.priority for v in after9.validators] == [9 * 10 - 7 * 12, 9 - 12, 9 - 12]
    assert after9.proposer == b"\x02"


def test_new_validator_starts_at_minus_one_and_an_eighth_of_total_power() -> None:
    vset = new_proposer_set([(addr(0), 100), (addr(1), 100)])
    grown = update(vset, [(addr(2), 100)])
    # priority -(P + P >> 3) with P = 300, before centring by the floor average
    raw = [vset.priority_of(addr(0)), vset.priority_of(addr(1)), -(300 + (300 >> 3))]
    avg = sum(raw) // 3
    assert [grown.priority_of(addr(i)) for i in range(3)] == [p - avg for p in raw]


def test_update_with_zero_power_removes_the_validator() -> None:
    vset = new_proposer_set([(addr(0), 100), (addr(1), 50)])
    shrunk = update(vset, [(addr(1), 0)])
    assert [v.address for v in shrunk.validators] == [addr(0)]


@pytest.mark.parametrize(
    "changes",
    [
        [],
        [(addr(0), 1), (addr(0), 2)],
        [(addr(0), -1)],
        [(addr(0), MAX_TOTAL_VOTING_POWER + 1)],
        [(addr(0), 0)],
    ],
)
def test_invalid_new_set_is_refused(changes: list[tuple[bytes, int]]) -> None:
    with pytest.raises(ErrInvalidValidatorSet):
        new_proposer_set(changes)


def test_removing_every_validator_or_an_unknown_one_is_refused() -> None:
    vset = new_proposer_set([(addr(0), 10)])
    with pytest.raises(ErrInvalidValidatorSet):
        update(vset, [(addr(0), 0)])
    with pytest.raises(ErrInvalidValidatorSet):
        update(vset, [(addr(1), 0), (addr(2), 5)])
    with pytest.raises(ErrInvalidValidatorSet):
        increment(vset, 0)
    with pytest.raises(ErrInvalidValidatorSet):
        vset.priority_of(addr(9))


def test_consensus_address_is_hash160_of_the_key() -> None:
    a = actor("val0")
    assert consensus_address(a.pubkey) == decode_address(a.address)
