"""x/compute_market refusals: codespace `compute_market` (specs/compute_market.md §13).

Codes are stable once published; a new rule gets a new code at the end. The SDL parser
(`sdl.py`) and the message server share the codes that mean the same thing (a zero amount
is `ErrInvalidAmount` whether it came from a YAML file or from a signed tx). A signer
acting on a record it does not own gets the SDK's own `ErrUnauthorized` (sdk 4), as the
app contract asks (specs/app.md §11.7).
"""

from __future__ import annotations

from dait_chain.errors import DaitError


class ComputeMarketError(DaitError, codespace="compute_market"):
    """Family of every x/compute_market refusal."""


# --- SDL manifests (specs §3) ----------------------------------------------------------


class ErrSdlSyntax(ComputeMarketError, code=2, description="SDL is not a plain YAML document"):
    pass


class ErrSdlUnknownKey(ComputeMarketError, code=3, description="SDL key not known"):
    pass


class ErrSdlMissingKey(ComputeMarketError, code=4, description="SDL key missing"):
    pass


class ErrSdlWrongType(ComputeMarketError, code=5, description="SDL value has the wrong type"):
    pass


class ErrSdlUnsupportedVersion(
    ComputeMarketError, code=6, description='SDL version not supported (only "1" is)'
):
    pass


# --- amounts and job fields (specs §3, §5) ---------------------------------------------


class ErrInvalidAmount(ComputeMarketError, code=7, description="amount must be positive"):
    pass


class ErrAmountOverflow(ComputeMarketError, code=8, description="amount overflows uint64"):
    pass


class ErrEscrowBelowMaxCost(
    ComputeMarketError,
    code=9,
    description="escrow below price_ceiling_uDAIT * duration_blocks",
):
    pass


class ErrUnknownAttributeKey(ComputeMarketError, code=10, description="attribute key not known"):
    pass


class ErrInvalidAttribute(ComputeMarketError, code=11, description="attribute value invalid"):
    pass


class ErrInvalidModel(ComputeMarketError, code=12, description="model id invalid"):
    pass


# --- providers (specs §4) --------------------------------------------------------------


class ErrProviderExists(ComputeMarketError, code=13, description="provider already registered"):
    pass


class ErrProviderNotFound(ComputeMarketError, code=14, description="provider not registered"):
    pass


class ErrCapacityBelowActiveLeases(
    ComputeMarketError, code=15, description="capacity below the provider's active leases"
):
    pass


class ErrInvalidHostUri(ComputeMarketError, code=16, description="host_uri invalid"):
    pass


class ErrInvalidTeePubkey(
    ComputeMarketError, code=17, description="tee_pubkey is not a compressed secp256k1 point"
):
    pass


# --- deployments and orders (specs §5, §6) ---------------------------------------------


class ErrDeploymentNotFound(ComputeMarketError, code=18, description="deployment not found"):
    pass


class ErrOrderNotOpen(ComputeMarketError, code=19, description="order is not open"):
    pass


# --- bids (specs §7) -------------------------------------------------------------------


class ErrBidExists(ComputeMarketError, code=20, description="provider already bid on this order"):
    pass


class ErrBidNotFound(ComputeMarketError, code=21, description="bid not found"):
    pass


class ErrBidAboveCeiling(
    ComputeMarketError, code=22, description="bid price above the order's price ceiling"
):
    pass


class ErrAttributesMismatch(
    ComputeMarketError, code=23, description="provider attributes do not satisfy the filters"
):
    pass


class ErrTooManyBids(
    ComputeMarketError, code=24, description="order already holds max_bids_per_order open bids"
):
    pass


class ErrBidNotOpen(ComputeMarketError, code=25, description="bid is not open"):
    pass


# --- leases (specs §8) -----------------------------------------------------------------


class ErrLeaseNotFound(ComputeMarketError, code=26, description="lease not found"):
    pass


class ErrLeaseNotActive(ComputeMarketError, code=27, description="lease is not active"):
    pass


# --- params and genesis (specs §9, §12) ------------------------------------------------


class ErrInvalidParams(ComputeMarketError, code=28, description="invalid compute_market params"):
    pass


class ErrInvalidGenesis(ComputeMarketError, code=29, description="invalid compute_market genesis"):
    pass
