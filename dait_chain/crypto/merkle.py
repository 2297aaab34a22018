"""RFC 6962 merkle trees as CometBFT crypto/merkle computes them (specs/crypto.md §5).

Seed 002 §4: `receipts_merkle_root` is the "sha256-merkle of canonical receipts" and
`call_count` the "length of receipts merkle tree leaves"; seed 002 §7: the tenant
"append[s] receipt hash to the merkle tree". anchors.md: CometBFT computes the root
"per RFC 6962 with sha256 of nothing for the empty tree".

    MTH({})        = sha256("")
    MTH({d0})      = sha256(0x00 || d0)
    MTH(D[0:n])    = sha256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))
                     with k the largest power of two strictly less than n
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from dait_chain.crypto.errors import (
    ErrInvalidFrontier,
    ErrInvalidMerkleProof,
    ErrMerkleIndexOutOfRange,
)

HASH_SIZE: Final = 32
LEAF_PREFIX: Final = b"\x00"
INNER_PREFIX: Final = b"\x01"
EMPTY_ROOT: Final = hashlib.sha256(b"").digest()
# CometBFT crypto/merkle/proof.go MaxAunts: a proof of a tree of up to 2^100 leaves.
MAX_AUNTS: Final = 100


def leaf_hash(data: bytes) -> bytes:
    """RFC 6962 leaf hash: sha256(0x00 || data)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def inner_hash(left: bytes, right: bytes) -> bytes:
    """RFC 6962 node hash: sha256(0x01 || left || right)."""
    return hashlib.sha256(INNER_PREFIX + left + right).digest()


def _split_point(n: int) -> int:
    # CometBFT getSplitPoint: the largest power of two strictly less than n; callers
    # only ask for n >= 2.
    return 1 << ((n - 1).bit_length() - 1)


def _subtree_root(hashes: Sequence[bytes], lo: int, hi: int) -> bytes:
    if hi - lo == 1:
        return hashes[lo]
    mid = lo + _split_point(hi - lo)
    return inner_hash(_subtree_root(hashes, lo, mid), _subtree_root(hashes, mid, hi))


def merkle_root(items: Sequence[bytes]) -> bytes:
    """MTH(items): the RFC 6962 root of the leaves `items`; EMPTY_ROOT for none."""
    if not items:
        return EMPTY_ROOT
    return _subtree_root([leaf_hash(item) for item in items], 0, len(items))


# --- inclusion proofs (§5.3) --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MerkleProof:
    """CometBFT merkle.Proof without the leaf hash: `aunts[0]` is the leaf's sibling,
    `aunts[-1]` the root's other child."""

    index: int
    total: int
    aunts: tuple[bytes, ...]


def _aunts(hashes: Sequence[bytes], lo: int, hi: int, index: int) -> list[bytes]:
    if hi - lo == 1:
        return []
    mid = lo + _split_point(hi - lo)
    if index < mid:
        below = _aunts(hashes, lo, mid, index)
        below.append(_subtree_root(hashes, mid, hi))
    else:
        below = _aunts(hashes, mid, hi, index)
        below.append(_subtree_root(hashes, lo, mid))
    return below


def inclusion_proof(items: Sequence[bytes], index: int) -> MerkleProof:
    """The audit path proving `items[index]` under merkle_root(items)."""
    if not 0 <= index < len(items):
        raise ErrMerkleIndexOutOfRange(f"index {index}, {len(items)} leaves")
    hashes = [leaf_hash(item) for item in items]
    return MerkleProof(index, len(items), tuple(_aunts(hashes, 0, len(items), index)))


def _root_from_aunts(index: int, total: int, leaf: bytes, aunts: Sequence[bytes]) -> bytes | None:
    # CometBFT computeHashFromAunts: the last aunt belongs to the top split.
    if total == 1:
        return leaf if not aunts else None
    if not aunts:
        return None
    k = _split_point(total)
    if index < k:
        left = _root_from_aunts(index, k, leaf, aunts[:-1])
        return None if left is None else inner_hash(left, aunts[-1])
    right = _root_from_aunts(index - k, total - k, leaf, aunts[:-1])
    return None if right is None else inner_hash(aunts[-1], right)


def validate_proof(proof: MerkleProof) -> None:
    """Refuse a structurally malformed proof (CometBFT Proof.ValidateBasic plus
    index < total): total < 1, index outside [0, total), more than MAX_AUNTS aunts, or an
    aunt that is not 32 bytes."""
    if proof.total < 1:
        raise ErrInvalidMerkleProof(f"total {proof.total}")
    if not 0 <= proof.index < proof.total:
        raise ErrInvalidMerkleProof(f"index {proof.index} of {proof.total}")
    if len(proof.aunts) > MAX_AUNTS:
        raise ErrInvalidMerkleProof(f"{len(proof.aunts)} aunts")
    for aunt in proof.aunts:
        if len(aunt) != HASH_SIZE:
            raise ErrInvalidMerkleProof(f"aunt of {len(aunt)} bytes")


def verify_inclusion(root: bytes, item: bytes, proof: MerkleProof) -> bool:
    """True iff `proof` shows `item` at `proof.index` of a `proof.total`-leaf tree whose
    root is `root`. A malformed proof raises ErrInvalidMerkleProof; a well-formed one that
    does not lead to `root` (including a wrong number of aunts) returns False."""
    validate_proof(proof)
    computed = _root_from_aunts(proof.index, proof.total, leaf_hash(item), proof.aunts)
    return computed is not None and computed == root


# --- incremental accumulator (§5.2) -------------------------------------------------------


def _frontier_length(size: int) -> int:
    return size.bit_count()


class MerkleAccumulator:
    """An append-only RFC 6962 tree keeping only its frontier.

    The frontier is the list of roots of the perfect subtrees that the binary expansion
    of `size` splits the leaves into, largest (leftmost) first: a tree of 6 leaves keeps
    MTH(D[0:4]) and MTH(D[4:6]). RFC 6962's split rule puts exactly these subtrees at the
    left spine, so root() folds them from the right. append is O(log n), root O(log n).
    """

    __slots__ = ("_frontier", "_size")

    def __init__(self) -> None:
        self._size = 0
        self._frontier: list[bytes] = []

    @classmethod
    def from_frontier(cls, size: int, frontier: Sequence[bytes]) -> MerkleAccumulator:
        """Restore an accumulator persisted as (size, frontier)."""
        if size < 0 or len(frontier) != _frontier_length(size):
            raise ErrInvalidFrontier(f"size {size} with {len(frontier)} subtree roots")
        for node in frontier:
            if len(node) != HASH_SIZE:
                raise ErrInvalidFrontier(f"subtree root of {len(node)} bytes")
        acc = cls()
        acc._size = size
        acc._frontier = [bytes(node) for node in frontier]
        return acc

    @property
    def size(self) -> int:
        """Number of leaves appended."""
        return self._size

    @property
    def frontier(self) -> tuple[bytes, ...]:
        """Perfect-subtree roots, leftmost (largest) first."""
        return tuple(self._frontier)

    def append(self, data: bytes) -> None:
        """Append leaf `data`: merge equal-sized subtrees like a binary counter carries."""
        node = leaf_hash(data)
        size = self._size
        # Each trailing 1 bit of size is a perfect subtree of the new node's height.
        while size & 1:
            node = inner_hash(self._frontier.pop(), node)
            size >>= 1
        self._frontier.append(node)
        self._size += 1

    def root(self) -> bytes:
        """MTH of all appended leaves; equals merkle_root(leaves)."""
        if not self._frontier:
            return EMPTY_ROOT
        node = self._frontier[-1]
        for left in reversed(self._frontier[:-1]):
            node = inner_hash(left, node)
        return node

    def copy(self) -> MerkleAccumulator:
        """An independent accumulator with the same leaves."""
        return MerkleAccumulator.from_frontier(self._size, self._frontier)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MerkleAccumulator):
            return NotImplemented
        return self._size == other._size and self._frontier == other._frontier

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"MerkleAccumulator(size={self._size}, root={self.root().hex()})"
