"""x/distribution errors (specs/distribution.md "Errors")."""

from __future__ import annotations

from dait_chain.errors import DaitError


class DistributionError(DaitError, codespace="distribution"):
    """Family of x/distribution errors."""


class ErrAllocationExceedsPool(
    DistributionError, code=20, description="allocated rewards exceed the pool"
):
    """A replaced allocator returned rewards that are negative or sum above the pool."""


class ErrUnknownRewardRecipient(
    DistributionError, code=21, description="reward for a validator outside the active set"
):
    """A replaced allocator named an operator that is not in the active set."""
