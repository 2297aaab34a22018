"""x/tee_attest keeper: the trust policy in params, and the attestation verdict on a
SPUR-IC receipt that other modules ask for (specs/tee_attest.md §4).

Seed 003: "tee_attested_j is 1 if x/tee_attest validated the receipt's attestation, 0
otherwise." Seed 002 §7 steps 4-5 are what "validated" means here, under the on-chain
policy instead of a tenant's: the host signature verifies against tee_pubkey, the quote
chains to a trusted, unrevoked root, its report data is sha256(tee_pubkey), and its
measurement is the receipt's model_hash.
"""

from __future__ import annotations

from typing import Final

from dait_chain.app.context import Context
from dait_chain.crypto.address import module_address
from dait_chain.errors import DaitError
from dait_chain.spurc.attestation import (
    AttestedReport,
    QuoteCache,
    TrustPolicy,
    VerifierRegistry,
    check_measurement_vouches_for_model,
    check_report_data_binds_key,
    simulated_registry,
)
from dait_chain.spurc.signing import check_receipt_signature
from dait_chain.spurc.values import Receipt
from dait_chain.store.collections import Item, ProtoValueCodec, Schema
from dait_chain.x.tee_attest.keys import MODULE_NAME, PARAMS_PREFIX
from dait_chain.x.tee_attest.params import DEFAULT_PARAMS, Params

# The module authority: the gov module account (Cosmos x/gov's address).
AUTHORITY: Final = module_address("gov")
# Quotes verified per keeper; a verdict is a pure function of (quote, policy, registry),
# so the cache changes cost only (dait_chain.spurc.attestation.QuoteCache).
QUOTE_CACHE_SIZE: Final = 4096


class TeeAttestKeeper:
    """The trust policy and the attestation verdict."""

    def __init__(
        self, registry: VerifierRegistry | None = None, authority: str = AUTHORITY
    ) -> None:
        # The authority comes from app wiring (the gov module account by default; a genesis
        # `gov_authority`, specs/app.md §6, replaces it at InitChain).
        self.authority = authority
        # The reference chain verifies every quote type with the simulated vendor's
        # verifier (decisions.md SPUR-IC); a production chain registers the real vendors'.
        self.registry = simulated_registry() if registry is None else registry
        schema = Schema(MODULE_NAME)
        self.schema = schema
        self.params: Item[Params] = Item(schema, PARAMS_PREFIX, "params", ProtoValueCodec(Params))
        self._quotes = QuoteCache(QUOTE_CACHE_SIZE)
        self._memo: tuple[bytes | None, Params, TrustPolicy] | None = None

    def get_params(self, ctx: Context) -> Params:
        """The current params (the defaults before genesis wrote any)."""
        return self._params_and_policy(ctx)[0]

    def _params_and_policy(self, ctx: Context) -> tuple[Params, TrustPolicy]:
        # Decoding and the policy are memoized on the stored bytes: pure functions of them.
        raw = ctx.store.get(self.params.key)
        cached = self._memo
        if cached is not None and cached[0] == raw:
            return cached[1], cached[2]
        params = DEFAULT_PARAMS if raw is None else Params.decode(raw)
        policy = params.trust_policy()
        self._memo = (raw, params, policy)
        return params, policy

    def set_params(self, ctx: Context, params: Params) -> None:
        """Store validated params."""
        params.validate()
        self.params.set(ctx, params)

    def trust_policy(self, ctx: Context) -> TrustPolicy:
        """The TrustPolicy of the current params."""
        return self._params_and_policy(ctx)[1]

    def attest(self, ctx: Context, receipt: Receipt) -> AttestedReport:
        """Check a receipt's attestation under the current policy, in order (specs §4):

        1. sig_host verifies against tee_pubkey over DOMAIN_RECEIPT (ErrBadHostSignature);
        2. the quote chains to a trusted, unrevoked root of an accepted quote type
           (ErrQuoteMalformed, ErrQuoteTypeUnsupported, ErrQuoteUntrusted);
        3. its report data is sha256(tee_pubkey) (ErrQuoteReportDataMismatch);
        4. its measurement is the receipt's model_hash (ErrModelHashNotAttested).
        """
        check_receipt_signature(receipt)
        report = self._quotes.verify(receipt.tee_quote, self.trust_policy(ctx), self.registry)
        check_report_data_binds_key(report, receipt.tee_pubkey)
        check_measurement_vouches_for_model(report, receipt.model_hash)
        return report

    def is_attested(self, ctx: Context, receipt: Receipt) -> bool:
        """Whether `attest` accepts the receipt (seed 003: tee_attested is 1 or 0)."""
        try:
            self.attest(ctx, receipt)
        except DaitError:
            return False
        return True


__all__ = ["AUTHORITY", "TeeAttestKeeper"]
