"""Module parameters and their validation (specs/state_channel.md §11)."""

from __future__ import annotations

from typing import Final

from dait_chain.math.ints import UINT64_MAX
from dait_chain.x.state_channel.errors import ErrInvalidParams
from dait_chain.x.state_channel.types import Params

# Seed 000 "The 24-hour challenge window"; decisions.md "the 24 h challenge window".
DEFAULT_CHALLENGE_WINDOW_MS: Final = 86_400_000
# specs §17 D6: anti-spam floor, far below the seed's 5,000,000 uDAIT example.
DEFAULT_MIN_ESCROW_UDAIT: Final = 1_000
# specs §17 D7: a year.
DEFAULT_MAX_CHANNEL_DURATION_MS: Final = 31_536_000_000

# Upper bounds that keep block_time + window / duration far below 2^64 (specs §11).
MAX_CHALLENGE_WINDOW_MS: Final = 31_536_000_000  # 365 days
MAX_CHANNEL_DURATION_MS: Final = 315_360_000_000  # 3,650 days


def default_params() -> Params:
    """The params of a fresh chain (specs §11)."""
    return Params(
        challenge_window_ms=DEFAULT_CHALLENGE_WINDOW_MS,
        min_escrow_uDAIT=DEFAULT_MIN_ESCROW_UDAIT,
        max_channel_duration_ms=DEFAULT_MAX_CHANNEL_DURATION_MS,
    )


def validate(params: Params) -> None:
    """Refuse params outside the ranges of specs §11 (ErrInvalidParams)."""
    if not 1 <= params.challenge_window_ms <= MAX_CHALLENGE_WINDOW_MS:
        raise ErrInvalidParams(
            f"challenge_window_ms = {params.challenge_window_ms}, want 1..{MAX_CHALLENGE_WINDOW_MS}"
        )
    if not 1 <= params.min_escrow_uDAIT <= UINT64_MAX:
        raise ErrInvalidParams(f"min_escrow_uDAIT = {params.min_escrow_uDAIT}, want >= 1")
    if not 1 <= params.max_channel_duration_ms <= MAX_CHANNEL_DURATION_MS:
        raise ErrInvalidParams(
            f"max_channel_duration_ms = {params.max_channel_duration_ms}, "
            f"want 1..{MAX_CHANNEL_DURATION_MS}"
        )
