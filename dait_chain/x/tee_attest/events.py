"""Event types and attribute keys of x/tee_attest (specs/tee_attest.md §5)."""

from __future__ import annotations

from typing import Final

EVENT_PARAMS_UPDATED: Final = "TeeAttestParamsUpdated"

ATTR_AUTHORITY: Final = "authority"
ATTR_TRUSTED_ROOTS: Final = "trusted_roots"  # comma-separated lowercase hex, sorted
ATTR_REVOKED_KEYS: Final = "revoked_keys"  # comma-separated lowercase hex, sorted
ATTR_QUOTE_TYPES: Final = "quote_types"  # comma-separated, sorted

PARAMS_UPDATED_ATTRS: Final = (
    ATTR_AUTHORITY,
    ATTR_TRUSTED_ROOTS,
    ATTR_REVOKED_KEYS,
    ATTR_QUOTE_TYPES,
)
