"""Registered errors of the `tee_attest` codespace (specs/tee_attest.md §6).

Codes are published: never renumber, only append. The verdict on a receipt is not an
error of this codespace: `attest` raises SPUR-IC's own quote errors (specs/spurc.md), and
`is_attested` turns them into False.
"""

from __future__ import annotations

from dait_chain.errors import DaitError


class TeeAttestError(DaitError, codespace="tee_attest"):
    """Family of every refusal raised by x/tee_attest."""


class ErrInvalidParams(TeeAttestError, code=2, description="invalid tee_attest params"):
    pass


class ErrUnauthorized(
    TeeAttestError,
    code=3,
    description="signer is not the gov authority (the gov module account unless genesis names one)",
):
    pass
