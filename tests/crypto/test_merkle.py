"""specs/crypto.md §5: RFC 6962 merkle trees as CometBFT crypto/merkle computes them.

Expected values: CometBFT crypto/merkle rfc6962_test.go and tree_test.go vectors, and a
naive recursive reference written below straight from RFC 6962 §2.1.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.crypto.errors import (
    ErrInvalidFrontier,
    ErrInvalidMerkleProof,
    ErrMerkleIndexOutOfRange,
)
from dait_chain.crypto.merkle import (
    EMPTY_ROOT,
    MAX_AUNTS,
    MerkleAccumulator,
    MerkleProof,
    inclusion_proof,
    inner_hash,
    leaf_hash,
    merkle_root,
    verify_inclusion,
)

# CometBFT crypto/merkle/tree_test.go TestHashFromByteSlices.
COMETBFT_ROOTS = [
    ([], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ([bytes([1, 2, 3])], "054edec1d0211f624fed0cbca9d4f9400b0e491c43742af2c5b0abebf0c990d8"),
    ([b""], "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    (
        [bytes([1, 2, 3]), bytes([4, 5, 6])],
        "82e6cfce00453804379b53962939eaa7906b39904be0813fcadd31b100773c4b",
    ),
    (
        [bytes([1, 2]), bytes([3, 4]), bytes([5, 6]), bytes([7, 8]), bytes([9, 10])],
        "f326493eceab4f2d9ffbc78c59432a0a005d6ea98392045c74df5d14a113be18",
    ),
]


def _reference_root(items: list[bytes]) -> bytes:
    # RFC 6962 §2.1, literally: MTH({}) = SHA-256(); MTH({d0}) = SHA-256(0x00 || d0);
    # MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k the largest power of 2 < n.
    n = len(items)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + items[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(
        b"\x01" + _reference_root(items[:k]) + _reference_root(items[k:])
    ).digest()


item_lists = st.lists(st.binary(max_size=12), max_size=70)
nonempty_item_lists = st.lists(st.binary(max_size=12), min_size=1, max_size=70)


# --- vectors --------------------------------------------------------------------------------


def test_rfc6962_empty_tree_is_sha256_of_nothing() -> None:
    expected = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert EMPTY_ROOT.hex() == expected
    assert merkle_root([]).hex() == expected
    assert MerkleAccumulator().root().hex() == expected


def test_rfc6962_empty_leaf_vector() -> None:
    expected = "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    assert leaf_hash(b"").hex() == expected


def test_rfc6962_leaf_vector() -> None:
    expected = "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    assert leaf_hash(b"L123456").hex() == expected


def test_rfc6962_node_vector() -> None:
    expected = "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    assert inner_hash(b"N123", b"N456").hex() == expected


@pytest.mark.parametrize(("items", "root"), COMETBFT_ROOTS)
def test_merkle_root_matches_cometbft_vectors(items: list[bytes], root: str) -> None:
    assert merkle_root(items).hex() == root


@pytest.mark.parametrize(("items", "root"), COMETBFT_ROOTS)
def test_accumulator_root_matches_cometbft_vectors(items: list[bytes], root: str) -> None:
    acc = MerkleAccumulator()
    for item in items:
        acc.append(item)
    assert acc.root().hex() == root


def test_leaf_and_node_hashes_are_domain_separated() -> None:
    # CometBFT TestRFC6962HasherCollisions: a tree of two leaves differs from the single
    # leaf holding their concatenation, and leaf order matters.
    a, b = leaf_hash(b"Hello"), leaf_hash(b"World")
    assert a != b
    assert merkle_root([a, b]) != merkle_root([a + b])
    assert merkle_root([a, b]) != merkle_root([b, a])


# --- root: batch == accumulator == reference ------------------------------------------------


@given(item_lists)
def test_batch_root_equals_the_rfc6962_reference(items: list[bytes]) -> None:
    """merkle_root(items) == MTH(items) computed by the literal RFC 6962 recursion."""
    assert merkle_root(items) == _reference_root(items)


@given(item_lists)
def test_accumulator_root_equals_batch_root_after_every_append(items: list[bytes]) -> None:
    """After each append, the accumulator's root is the batch root of the prefix."""
    acc = MerkleAccumulator()
    assert acc.root() == merkle_root([])
    for n, item in enumerate(items, start=1):
        acc.append(item)
        assert acc.size == n
        assert acc.root() == merkle_root(items[:n])


def test_accumulator_matches_reference_for_every_size_up_to_300() -> None:
    items = [n.to_bytes(2, "big") for n in range(300)]
    acc = MerkleAccumulator()
    for n, item in enumerate(items, start=1):
        acc.append(item)
        assert acc.root() == _reference_root(items[:n]), n


@given(item_lists)
def test_frontier_holds_one_root_per_set_bit_of_size(items: list[bytes]) -> None:
    """The frontier is the roots of the perfect subtrees of sizes given by the bits of
    size, largest first: for size = 2^a + 2^b + ... (a > b > ...), the i-th entry is
    MTH of the i-th block of 2^a, 2^b, ... leaves."""
    acc = MerkleAccumulator()
    for item in items:
        acc.append(item)
    blocks = [1 << bit for bit in reversed(range(len(items).bit_length())) if len(items) >> bit & 1]
    expected = []
    start = 0
    for block in blocks:
        expected.append(_reference_root(items[start : start + block]))
        start += block
    assert acc.frontier == tuple(expected)


@given(item_lists, st.lists(st.binary(max_size=12), max_size=20))
def test_restored_accumulator_continues_like_the_original(
    items: list[bytes], more: list[bytes]
) -> None:
    """from_frontier(size, frontier) then appends gives the root of all leaves, and
    copy() is independent of its source."""
    acc = MerkleAccumulator()
    for item in items:
        acc.append(item)
    restored = MerkleAccumulator.from_frontier(acc.size, acc.frontier)
    assert restored == acc
    clone = acc.copy()
    for item in more:
        restored.append(item)
        clone.append(item)
    assert restored.root() == merkle_root(items + more) == clone.root()
    assert acc.root() == merkle_root(items)


# --- inclusion proofs -----------------------------------------------------------------------


@given(nonempty_item_lists, st.data())
def test_inclusion_proof_verifies(items: list[bytes], data: st.DataObject) -> None:
    """Every leaf's proof verifies against the root; the aunt count is the leaf's depth."""
    index = data.draw(st.integers(0, len(items) - 1))
    proof = inclusion_proof(items, index)
    assert (proof.index, proof.total) == (index, len(items))
    assert verify_inclusion(merkle_root(items), items[index], proof)


def test_inclusion_proof_aunts_follow_cometbft_order() -> None:
    # Derivation for 5 leaves d0..d4 (split 4|1, then 2|2): the proof of d4 is the root of
    # the left 4 only; the proof of d1 is [leaf(d0), node(leaf(d2), leaf(d3)), leaf(d4)],
    # sibling first, top-level sibling last (CometBFT FlattenAunts).
    items = [bytes([i]) for i in range(5)]
    leaves = [leaf_hash(item) for item in items]
    left4 = inner_hash(inner_hash(leaves[0], leaves[1]), inner_hash(leaves[2], leaves[3]))
    assert inclusion_proof(items, 4).aunts == (left4,)
    assert inclusion_proof(items, 1).aunts == (
        leaves[0],
        inner_hash(leaves[2], leaves[3]),
        leaves[4],
    )


@given(nonempty_item_lists, st.data())
def test_inclusion_proof_fails_for_another_item(items: list[bytes], data: st.DataObject) -> None:
    """A proof does not verify an item that differs from the proven leaf."""
    index = data.draw(st.integers(0, len(items) - 1))
    proof = inclusion_proof(items, index)
    assert not verify_inclusion(merkle_root(items), items[index] + b"\x00", proof)


@given(nonempty_item_lists, st.data())
def test_inclusion_proof_fails_when_an_aunt_is_mutated(
    items: list[bytes], data: st.DataObject
) -> None:
    """Flipping one bit of any aunt, or of the root, breaks verification."""
    index = data.draw(st.integers(0, len(items) - 1))
    proof = inclusion_proof(items, index)
    root = merkle_root(items)
    bit = data.draw(st.integers(0, 255))
    flipped_root = bytearray(root)
    flipped_root[bit // 8] ^= 1 << (bit % 8)
    assert not verify_inclusion(bytes(flipped_root), items[index], proof)
    if proof.aunts:
        which = data.draw(st.integers(0, len(proof.aunts) - 1))
        aunt = bytearray(proof.aunts[which])
        aunt[bit // 8] ^= 1 << (bit % 8)
        aunts = (*proof.aunts[:which], bytes(aunt), *proof.aunts[which + 1 :])
        assert not verify_inclusion(root, items[index], MerkleProof(index, len(items), aunts))


@given(st.lists(st.binary(max_size=12), min_size=2, max_size=70, unique=True), st.data())
def test_inclusion_proof_fails_at_another_index(items: list[bytes], data: st.DataObject) -> None:
    """The same aunts under another index do not prove the item (distinct leaves)."""
    index = data.draw(st.integers(0, len(items) - 1))
    proof = inclusion_proof(items, index)
    other = data.draw(st.integers(0, len(items) - 1).filter(lambda i: i != index))
    moved = MerkleProof(other, len(items), proof.aunts)
    assert not verify_inclusion(merkle_root(items), items[index], moved)


def test_proof_does_not_bind_the_total_when_path_shapes_coincide() -> None:
    # specs §5.3: leaf 0 of 3 leaves (split 2|1) and leaf 0 of 4 leaves (split 2|2) sit at
    # depth 2 with the same left/right turns, so CometBFT's computeHashFromAunts returns
    # the same root for total 3 and total 4. The total must come from a signed source
    # (ChannelState.call_count), never from the proof alone.
    items = [b"a", b"b", b"c"]
    proof = inclusion_proof(items, 0)
    root = merkle_root(items)
    assert verify_inclusion(root, b"a", MerkleProof(0, 4, proof.aunts))
    # ...whereas leaf 2 of 3 (depth 1) and leaf 2 of 4 (depth 2) differ in shape.
    assert not verify_inclusion(root, b"c", MerkleProof(2, 4, inclusion_proof(items, 2).aunts))


@given(nonempty_item_lists, st.data())
def test_inclusion_proof_with_an_aunt_added_or_removed_fails(
    items: list[bytes], data: st.DataObject
) -> None:
    """CometBFT TestProof: a trail too long or too short fails verification."""
    index = data.draw(st.integers(0, len(items) - 1))
    proof = inclusion_proof(items, index)
    root = merkle_root(items)
    longer = MerkleProof(index, len(items), (*proof.aunts, bytes(32)))
    assert not verify_inclusion(root, items[index], longer)
    if proof.aunts:
        shorter = MerkleProof(index, len(items), proof.aunts[:-1])
        assert not verify_inclusion(root, items[index], shorter)


# --- one test per refusal -------------------------------------------------------------------


@pytest.mark.parametrize(("count", "index"), [(0, 0), (3, 3), (3, -1)])
def test_inclusion_proof_of_a_missing_leaf_is_refused(count: int, index: int) -> None:
    with pytest.raises(ErrMerkleIndexOutOfRange):
        inclusion_proof([bytes([i]) for i in range(count)], index)


@pytest.mark.parametrize(
    "proof",
    [
        MerkleProof(0, 0, ()),
        MerkleProof(0, -1, ()),
        MerkleProof(-1, 2, (bytes(32),)),
        MerkleProof(2, 2, (bytes(32),)),
        MerkleProof(0, 2, (bytes(31),)),
        MerkleProof(0, 2, (bytes(33),)),
        MerkleProof(0, 2, (bytes(32),) * (MAX_AUNTS + 1)),
    ],
    ids=["total-0", "total-neg", "index-neg", "index-eq-total", "aunt-31", "aunt-33", "aunts"],
)
def test_malformed_proof_is_refused(proof: MerkleProof) -> None:
    with pytest.raises(ErrInvalidMerkleProof):
        verify_inclusion(merkle_root([b"a", b"b"]), b"a", proof)


@pytest.mark.parametrize(
    ("size", "frontier"),
    [
        (-1, ()),
        (0, (bytes(32),)),
        (3, (bytes(32),)),
        (4, (bytes(32), bytes(32))),
        (1, (bytes(31),)),
    ],
    ids=["negative", "zero-with-root", "three-with-one", "four-with-two", "short-root"],
)
def test_frontier_inconsistent_with_size_is_refused(size: int, frontier: tuple[bytes, ...]) -> None:
    with pytest.raises(ErrInvalidFrontier):
        MerkleAccumulator.from_frontier(size, frontier)
