"""Registered errors of the store layer (codespace "store"; specs/store.md "Errors").

These are programming or data-corruption faults rather than user refusals: a keeper that
trips one has a bug, and a tx that triggers it fails atomically like any other.
"""

from __future__ import annotations

from dait_chain.errors import DaitError


class StoreError(DaitError, codespace="store"):
    """Family of store errors."""


class ErrEmptyKey(StoreError, code=2, description="empty store key"):
    pass


class ErrInvalidRange(StoreError, code=3, description="invalid iteration range"):
    pass


class ErrInvalidKeyEncoding(StoreError, code=4, description="invalid collection key"):
    pass


class ErrInvalidValueEncoding(StoreError, code=5, description="invalid collection value"):
    pass


class ErrSequenceOverflow(StoreError, code=6, description="sequence overflows uint64"):
    pass


class ErrNotFound(StoreError, code=7, description="not found"):
    pass
