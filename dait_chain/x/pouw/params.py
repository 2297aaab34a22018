"""x/pouw params and their validation (specs/pouw.md §3).

Decimals travel as LegacyDec strings in their canonical form (18 fractional digits, as
`LegacyDec.__str__` writes them), so a params value has exactly one encoding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Final

from dait_chain.codec.value import ProtoValue
from dait_chain.errors import DaitError
from dait_chain.math import LegacyDec
from dait_chain.pb.dait.pouw.v1 import pouw_pb2 as pb
from dait_chain.x.auth.address import check_address
from dait_chain.x.pouw.errors import ErrInvalidParams

# Seed 003 "Effective stake": "defaults: alpha = 1.0, K = 4.0".
DEFAULT_ALPHA: Final = "1.000000000000000000"
DEFAULT_K: Final = "4.000000000000000000"
# Seed 003 "Default half-life: 14 days"; decisions.md: 14 days at 999 ms = 1,210,811 blocks
# (ceil(1,209,600,000 / 999)).
DEFAULT_HALF_LIFE_BLOCKS: Final = 1_210_811
# specs §3 D1: 100 blocks (~100 s) to reveal; long enough that a censoring proposer run ends
# first (specs §13 measures runs of at most a few blocks below 1/3 colluding power).
DEFAULT_COMMIT_REVEAL_WINDOW: Final = 100
# specs §3 D2: 7 days at 999 ms = ceil(604,800,000 / 999).
DEFAULT_AUDIT_WINDOW_BLOCKS: Final = 605_406
DEFAULT_MAX_VOTE_EXTENSION_COMMITS: Final = 1_000
DEFAULT_MAX_EVIDENCE_PER_REVEAL: Final = 64

# Bounds (specs §3): 2 * half_life must be an int64 (decay_approx divides by it with
# QuoInt64); the windows stay far inside uint64 heights; alpha and K stay where the
# multiplier 1 + alpha*K is a sane economic knob.
MAX_HALF_LIFE_BLOCKS: Final = (2**63 - 1) // 2
MAX_COMMIT_REVEAL_WINDOW: Final = 1_000_000_000
MAX_AUDIT_WINDOW_BLOCKS: Final = 1_000_000_000
MAX_ALPHA: Final = LegacyDec.from_int(1_000)
MAX_K: Final = LegacyDec.from_int(1_000)
MAX_VOTE_EXTENSION_COMMITS: Final = 100_000
MAX_EVIDENCE_PER_REVEAL: Final = 10_000


def parse_canonical_dec(text: str, what: str) -> LegacyDec:
    """The LegacyDec `text` spells, which must be its canonical form
    ("1.000000000000000000"); anything else is ErrInvalidParams (specs §3)."""
    try:
        value = LegacyDec.from_str(text)
    except DaitError as exc:
        raise ErrInvalidParams(f"{what}={text!r}: {exc}") from None
    if str(value) != text:
        raise ErrInvalidParams(f"{what}={text!r} is not canonical (want {value})")
    return value


@dataclass(frozen=True, slots=True)
class Params(ProtoValue):
    """The module parameters (specs §3)."""

    PROTO: ClassVar = pb.Params
    alpha: str = DEFAULT_ALPHA
    k: str = DEFAULT_K
    half_life_blocks: int = DEFAULT_HALF_LIFE_BLOCKS
    commit_reveal_window: int = DEFAULT_COMMIT_REVEAL_WINDOW
    audit_window_blocks: int = DEFAULT_AUDIT_WINDOW_BLOCKS
    auditors: tuple[str, ...] = ()
    max_vote_extension_commits: int = DEFAULT_MAX_VOTE_EXTENSION_COMMITS
    max_evidence_per_reveal: int = DEFAULT_MAX_EVIDENCE_PER_REVEAL

    def alpha_dec(self) -> LegacyDec:
        """alpha as a LegacyDec."""
        return parse_canonical_dec(self.alpha, "alpha")

    def k_dec(self) -> LegacyDec:
        """K as a LegacyDec."""
        return parse_canonical_dec(self.k, "k")

    def validate(self) -> None:
        """Every field within its bound (specs §3 table); auditors valid, sorted, unique."""
        alpha = self.alpha_dec()
        if alpha.is_negative() or alpha.gt(MAX_ALPHA):
            raise ErrInvalidParams(f"alpha={self.alpha} must be in [0, {MAX_ALPHA}]")
        k = self.k_dec()
        if k.is_negative() or k.gt(MAX_K):
            raise ErrInvalidParams(f"k={self.k} must be in [0, {MAX_K}]")
        _check_range("half_life_blocks", self.half_life_blocks, 1, MAX_HALF_LIFE_BLOCKS)
        _check_range("commit_reveal_window", self.commit_reveal_window, 1, MAX_COMMIT_REVEAL_WINDOW)
        _check_range("audit_window_blocks", self.audit_window_blocks, 1, MAX_AUDIT_WINDOW_BLOCKS)
        _check_range(
            "max_vote_extension_commits",
            self.max_vote_extension_commits,
            1,
            MAX_VOTE_EXTENSION_COMMITS,
        )
        _check_range(
            "max_evidence_per_reveal", self.max_evidence_per_reveal, 1, MAX_EVIDENCE_PER_REVEAL
        )
        for auditor in self.auditors:
            try:
                check_address(auditor, "auditor")
            except DaitError as exc:
                raise ErrInvalidParams(f"auditor {auditor!r}: {exc}") from None
        if list(self.auditors) != sorted(set(self.auditors)):
            raise ErrInvalidParams("auditors must be sorted and unique")


def _check_range(name: str, value: int, low: int, high: int) -> None:
    if type(value) is not int or not low <= value <= high:
        raise ErrInvalidParams(f"{name}={value!r} must be in [{low}, {high}]")


__all__ = [
    "DEFAULT_ALPHA",
    "DEFAULT_AUDIT_WINDOW_BLOCKS",
    "DEFAULT_COMMIT_REVEAL_WINDOW",
    "DEFAULT_HALF_LIFE_BLOCKS",
    "DEFAULT_K",
    "MAX_HALF_LIFE_BLOCKS",
    "Params",
    "parse_canonical_dec",
]
