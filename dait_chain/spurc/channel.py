"""Channel terms, the turn-0 state and the state update of seed 002 §7's last step.

Both parties compute state n with `apply_receipt`, so they agree on it by construction:
the tenant recomputes what the host sent and requires equality (decisions.md SPUR-IC).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field, fields

from dait_chain.codec.errors import CodecError
from dait_chain.crypto.address import validate_address
from dait_chain.crypto.errors import CryptoError, ErrInvalidFrontier
from dait_chain.crypto.merkle import EMPTY_ROOT, HASH_SIZE, MerkleAccumulator
from dait_chain.spurc.errors import ErrInvalidOpenState, ErrStoreCorrupt
from dait_chain.spurc.values import UINT64_MAX, ChannelState, Receipt


@dataclass(frozen=True, slots=True)
class RateCard:
    """The agreed price of a call: price_uDAIT = per_call + tokens_in * per_token_in +
    tokens_out * per_token_out (specs/spurc.md, Decisions: "Rate card")."""

    per_call_uDAIT: int = 0
    per_token_in_uDAIT: int = 0
    per_token_out_uDAIT: int = 0

    def price(self, tokens_in: int, tokens_out: int) -> int:
        """The exact price in uDAIT (may exceed uint64; callers compare, never store it)."""
        return (
            self.per_call_uDAIT
            + tokens_in * self.per_token_in_uDAIT
            + tokens_out * self.per_token_out_uDAIT
        )


@dataclass(frozen=True, slots=True)
class ChannelTerms:
    """What the parties agree at open beyond the ChannelState fields.

    `model_hash` is the weights hash the channel's model_id names (the gov-curated model
    registry); a receipt must carry it. `rate_card` prices every call.
    """

    model_hash: bytes
    rate_card: RateCard


@dataclass(frozen=True, slots=True)
class Frontier:
    """The receipts merkle tree of a state, as (size, perfect-subtree roots)."""

    size: int
    nodes: tuple[bytes, ...]
    # root(), a pure function of (size, nodes), kept once computed: the tenant checks its
    # view against the state on every receipt (verify.py rule 0), and the root of state n
    # was computed when state n was (Frontier.of).
    _root: bytes | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def empty(cls) -> Frontier:
        """The tree of turn 0: no receipts, root EMPTY_ROOT."""
        return cls(0, ())

    @classmethod
    def of(cls, acc: MerkleAccumulator, root: bytes | None = None) -> Frontier:
        """The frontier of an accumulator; `root`: acc.root() if the caller has just
        computed it (as append_receipt does), kept as this frontier's root."""
        frontier = cls(acc.size, acc.frontier)
        if root is not None:
            object.__setattr__(frontier, "_root", root)
        return frontier

    def accumulator(self) -> MerkleAccumulator:
        """A fresh accumulator holding this frontier (raises on an invalid frontier)."""
        return MerkleAccumulator.from_frontier(self.size, self.nodes)

    def root(self) -> bytes:
        """The receipts merkle root this frontier stands for (RFC 6962)."""
        root = self._root
        if root is None:
            root = self.accumulator().root()
            object.__setattr__(self, "_root", root)
        return root

    def encode(self) -> bytes:
        """Storage form: size as 8-byte big-endian, then the 32-byte nodes."""
        return struct.pack(">Q", self.size) + b"".join(self.nodes)

    @classmethod
    def decode(cls, data: bytes) -> Frontier:
        """Inverse of encode; ErrStoreCorrupt if the bytes are not a valid frontier."""
        if len(data) < 8 or (len(data) - 8) % HASH_SIZE:
            raise ErrStoreCorrupt(f"frontier of {len(data)} bytes")
        (size,) = struct.unpack(">Q", data[:8])
        nodes = tuple(data[i : i + HASH_SIZE] for i in range(8, len(data), HASH_SIZE))
        frontier = cls(size, nodes)
        try:
            frontier.accumulator()
        except ErrInvalidFrontier as exc:
            raise ErrStoreCorrupt(exc.log) from exc
        return frontier


def make_open_state(
    *,
    channel_id: bytes,
    host_addr: str,
    user_addr: str,
    model_id: str,
    max_calls: int,
    deadline: int,
    escrow_amount: int,
) -> ChannelState:
    """Turn 0: the state at open (spent 0, call_count 0, root EMPTY_ROOT, no signatures)."""
    state = ChannelState(
        channel_id=channel_id,
        host_addr=host_addr,
        user_addr=user_addr,
        model_id=model_id,
        max_calls=max_calls,
        deadline=deadline,
        escrow_amount=escrow_amount,
        spent_amount=0,
        call_count=0,
        receipts_merkle_root=EMPTY_ROOT,
        turn_num=0,
    )
    check_open_state(state)
    return state


def check_open_state(state: ChannelState) -> None:
    """A turn-0 state: counters zero, root EMPTY_ROOT, no signatures, valid parties.

    decisions.md x/state_channel: "Opening stores turn 0 on chain (spent 0)". Turn 0 is
    not signed off-chain: the chain stored it at open, which is its authority.
    """
    problems: list[str] = []
    if state.turn_num or state.call_count or state.spent_amount:
        problems.append("turn, call_count and spent must be 0")
    if state.receipts_merkle_root != EMPTY_ROOT:
        problems.append("receipts root must be EMPTY_ROOT")
    if state.sig_user or state.sig_host:
        problems.append("turn 0 carries no signatures")
    if state.max_calls < 1 or state.escrow_amount < 1:
        problems.append("max_calls and escrow must be positive")
    if state.host_addr == state.user_addr:
        problems.append("host and user must differ")
    if not state.model_id:
        problems.append("model_id is empty")
    for addr in (state.host_addr, state.user_addr):
        try:
            validate_address(addr)
        except CryptoError as exc:
            problems.append(f"{addr!r}: {exc.log}")
    if problems:
        raise ErrInvalidOpenState("; ".join(problems))
    try:
        state.encode()
    except CodecError as exc:  # sizes, uint64 bounds: report as an open-state error
        raise ErrInvalidOpenState(exc.log) from exc


def apply_receipt(
    state: ChannelState, receipt: Receipt, frontier: Frontier, leaf: bytes | None = None
) -> tuple[ChannelState, Frontier]:
    """Seed 002 §7 last step: state n from state n-1 and receipt n.

    call_count + 1, spent_amount + price_uDAIT, the receipt's leaf appended to the receipts
    merkle tree (leaf data = the receipt's canonical encoding including sig_host),
    turn_num + 1, both signatures cleared. The caller has checked the preconditions
    (verify.py); this function only computes. `leaf`: the receipt's canonical bytes if at
    hand (a strictly decoded receipt re-encodes to exactly the bytes it came from).
    """
    return apply_receipt_to_tree(state, receipt, frontier.accumulator(), leaf)


def apply_receipt_to_tree(
    state: ChannelState, receipt: Receipt, tree: MerkleAccumulator, leaf: bytes | None = None
) -> tuple[ChannelState, Frontier]:
    """apply_receipt with state n-1's receipts tree already restored: `tree` (which this
    appends to)."""
    root = append_receipt(tree, receipt, leaf)
    new_state = ChannelState(*updated_fields(state, receipt, root))
    return new_state, Frontier.of(tree, root)


def append_receipt(tree: MerkleAccumulator, receipt: Receipt, leaf: bytes | None = None) -> bytes:
    """Append receipt n's leaf (its canonical encoding including sig_host; `leaf` if at
    hand) to the receipts tree of state n-1; the root of state n."""
    tree.append(receipt.encode() if leaf is None else leaf)
    return tree.root()


# The fields updated_fields gives, in ChannelState order: all but the two signatures.
UPDATED_FIELD_NAMES = tuple(
    f.name for f in fields(ChannelState) if f.name not in ("sig_user", "sig_host")
)


def updated_fields(
    state: ChannelState, receipt: Receipt, root: bytes
) -> tuple[bytes, str, str, str, int, int, int, int, int, bytes, int]:
    """Every field of state n but the signatures (which are cleared), in field order:
    call_count + 1, spent_amount + price_uDAIT, receipts root `root`, turn_num + 1, the
    rest as in state n-1. The one definition of the update: apply_receipt builds state n
    from it, and the tenant compares the host's state n with it (verify.py)."""
    turn_num = state.turn_num + 1
    assert turn_num <= UINT64_MAX  # preconditions bound every counter
    return (
        state.channel_id,
        state.host_addr,
        state.user_addr,
        state.model_id,
        state.max_calls,
        state.deadline,
        state.escrow_amount,
        state.spent_amount + receipt.price_uDAIT,
        state.call_count + 1,
        root,
        turn_num,
    )
