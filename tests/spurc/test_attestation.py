"""TEE attestation: verifier registry, trust policy, simulated vendor, quote cache
(seed 002 §7 step 5; decisions.md SPUR-IC; specs/spurc.md "Attestation")."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.crypto.hashing import sha256
from dait_chain.crypto.secp256k1 import DOMAIN_STATE, sign_with_domain
from dait_chain.spurc.attestation import (
    DOMAIN_SIM_QUOTE,
    AttestedReport,
    Quote,
    QuoteCache,
    SimAttestationKeyCert,
    SimQuoteBody,
    SimVendor,
    TrustPolicy,
    VerifierRegistry,
    cert_signing_payload,
    check_measurement_vouches_for_model,
    check_report_data_binds_key,
    simulated_registry,
    verify_quote,
    verify_sim_quote,
)
from dait_chain.spurc.errors import (
    ErrModelHashNotAttested,
    ErrQuoteMalformed,
    ErrQuoteReportDataMismatch,
    ErrQuoteTypeUnsupported,
    ErrQuoteUntrusted,
    SpurcError,
)
from dait_chain.spurc.headers import QuoteType

VENDOR = SimVendor.from_seed(b"vendor A")
OTHER_VENDOR = SimVendor.from_seed(b"vendor B")
AK = VENDOR.attestation_key(b"platform 1")
MODEL = sha256(b"weights")
TEE_PUB = b"\x02" + b"\x42" * 32
POLICY = TrustPolicy.of([VENDOR.root_pubkey])
REGISTRY = simulated_registry()


@pytest.mark.parametrize("quote_type", list(QuoteType))
def test_simulated_quote_of_every_type_verifies_under_a_policy_trusting_its_root(
    quote_type: QuoteType,
) -> None:
    report = verify_quote(AK.quote(quote_type, MODEL, TEE_PUB), POLICY, REGISTRY)
    assert report == AttestedReport(
        quote_type, MODEL, sha256(TEE_PUB), AK.cert.attestation_pubkey, VENDOR.root_pubkey
    )
    check_report_data_binds_key(report, TEE_PUB)
    check_measurement_vouches_for_model(report, MODEL)


def test_quote_from_an_untrusted_vendor_does_not_chain() -> None:
    quote = OTHER_VENDOR.attestation_key(b"k").quote(QuoteType.TDX, MODEL, TEE_PUB)
    with pytest.raises(ErrQuoteUntrusted, match="not trusted"):
        verify_quote(quote, POLICY, REGISTRY)


def test_root_rotation_is_a_policy_parameter() -> None:
    quote_b = OTHER_VENDOR.attestation_key(b"k").quote(QuoteType.TDX, MODEL, TEE_PUB)
    rotated = POLICY.rotate(add=OTHER_VENDOR.root_pubkey, remove=VENDOR.root_pubkey)
    assert verify_quote(quote_b, rotated, REGISTRY).root_pubkey == OTHER_VENDOR.root_pubkey
    with pytest.raises(ErrQuoteUntrusted):
        verify_quote(AK.quote(QuoteType.TDX, MODEL, TEE_PUB), rotated, REGISTRY)


def test_revoked_attestation_key_or_root_does_not_chain() -> None:
    quote = AK.quote(QuoteType.TDX, MODEL, TEE_PUB)
    with pytest.raises(ErrQuoteUntrusted, match="attestation key"):
        verify_quote(quote, POLICY.revoke(AK.cert.attestation_pubkey), REGISTRY)
    with pytest.raises(ErrQuoteUntrusted, match="root"):
        verify_quote(quote, POLICY.revoke(VENDOR.root_pubkey), REGISTRY)


def test_attestation_key_certified_by_nobody_does_not_chain() -> None:
    # A self-made certificate naming the trusted root, signed by another key.
    forged_cert = replace(
        OTHER_VENDOR.certify(AK.cert.attestation_pubkey), root_pubkey=VENDOR.root_pubkey
    )
    forged = replace(AK, cert=forged_cert)
    with pytest.raises(ErrQuoteUntrusted, match="certificate"):
        verify_quote(forged.quote(QuoteType.TDX, MODEL, TEE_PUB), POLICY, REGISTRY)


def test_unsigned_quote_does_not_chain() -> None:
    body = SimQuoteBody(QuoteType.TDX.value, MODEL, sha256(TEE_PUB), AK.cert)
    quote = Quote(QuoteType.TDX.value, body.encode()).encode()
    with pytest.raises(ErrQuoteUntrusted, match="unsigned"):
        verify_quote(quote, POLICY, REGISTRY)


def test_quote_signed_over_another_domain_does_not_chain() -> None:
    body = SimQuoteBody(QuoteType.TDX.value, MODEL, sha256(TEE_PUB), AK.cert)
    sig = sign_with_domain(AK.privkey, DOMAIN_STATE, body.encode())
    quote = Quote(QuoteType.TDX.value, replace(body, sig_ak=sig).encode()).encode()
    with pytest.raises(ErrQuoteUntrusted, match="does not verify"):
        verify_quote(quote, POLICY, REGISTRY)
    good = sign_with_domain(AK.privkey, DOMAIN_SIM_QUOTE, body.encode())
    ok = Quote(QuoteType.TDX.value, replace(body, sig_ak=good).encode()).encode()
    assert verify_quote(ok, POLICY, REGISTRY).measurement == MODEL


def test_envelope_type_cannot_be_swapped() -> None:
    quote = Quote.decode(AK.quote(QuoteType.TDX, MODEL, TEE_PUB))
    swapped = Quote(QuoteType.SEV_SNP.value, quote.body).encode()
    with pytest.raises(ErrQuoteMalformed, match="envelope"):
        verify_quote(swapped, POLICY, REGISTRY)


@pytest.mark.parametrize("data", [b"", b"\xff", b"\x0a\x03tdx\x12\x01\x00"])
def test_bytes_that_are_not_a_quote_are_malformed(data: bytes) -> None:
    with pytest.raises((ErrQuoteMalformed, ErrQuoteTypeUnsupported)) as info:
        verify_quote(data, POLICY, REGISTRY)
    if data == b"":
        # An empty envelope decodes to type "" which no verifier knows.
        assert type(info.value) is ErrQuoteTypeUnsupported
    else:
        assert type(info.value) is ErrQuoteMalformed


def test_unknown_type_unregistered_type_and_type_outside_policy_are_unsupported() -> None:
    body = Quote.decode(AK.quote(QuoteType.TDX, MODEL, TEE_PUB)).body
    with pytest.raises(ErrQuoteTypeUnsupported, match="sgx"):
        verify_quote(Quote("sgx", body).encode(), POLICY, REGISTRY)
    only_snp = VerifierRegistry(((QuoteType.SEV_SNP, verify_sim_quote),))
    with pytest.raises(ErrQuoteTypeUnsupported, match="no verifier"):
        verify_quote(AK.quote(QuoteType.TDX, MODEL, TEE_PUB), POLICY, only_snp)
    tdx_only = TrustPolicy.of([VENDOR.root_pubkey], quote_types=[QuoteType.TDX])
    with pytest.raises(ErrQuoteTypeUnsupported, match="policy"):
        verify_quote(AK.quote(QuoteType.NRAS_JWT, MODEL, TEE_PUB), tdx_only, REGISTRY)


def test_registry_is_pluggable_per_quote_type() -> None:
    seen: list[QuoteType] = []

    def recording(qt: QuoteType, body: bytes, policy: TrustPolicy) -> AttestedReport:
        seen.append(qt)
        return verify_sim_quote(qt, body, policy)

    registry = REGISTRY.with_verifier(QuoteType.NRAS_JWT, recording)
    verify_quote(AK.quote(QuoteType.NRAS_JWT, MODEL, TEE_PUB), POLICY, registry)
    verify_quote(AK.quote(QuoteType.TDX, MODEL, TEE_PUB), POLICY, registry)
    assert seen == [QuoteType.NRAS_JWT]


def test_report_data_must_be_sha256_of_the_tee_pubkey() -> None:
    report = verify_quote(AK.quote(QuoteType.TDX, MODEL, TEE_PUB), POLICY, REGISTRY)
    with pytest.raises(ErrQuoteReportDataMismatch):
        check_report_data_binds_key(report, b"\x03" + b"\x42" * 32)


def test_measurement_must_be_the_receipts_model_hash() -> None:
    report = verify_quote(AK.quote(QuoteType.TDX, MODEL, TEE_PUB), POLICY, REGISTRY)
    with pytest.raises(ErrModelHashNotAttested):
        check_measurement_vouches_for_model(report, sha256(b"other weights"))


def test_policy_value_is_order_independent() -> None:
    a = TrustPolicy.of([VENDOR.root_pubkey, OTHER_VENDOR.root_pubkey])
    b = TrustPolicy.of([OTHER_VENDOR.root_pubkey, VENDOR.root_pubkey, VENDOR.root_pubkey])
    assert a == b and hash(a) == hash(b)


_QUOTES = [
    AK.quote(QuoteType.TDX, MODEL, TEE_PUB),
    OTHER_VENDOR.attestation_key(b"k").quote(QuoteType.TDX, MODEL, TEE_PUB),
    AK.quote(QuoteType.SEV_SNP, MODEL, TEE_PUB)[:-1] + b"\x00",
]
_POLICIES = [
    POLICY,
    POLICY.revoke(AK.cert.attestation_pubkey),
    POLICY.rotate(add=OTHER_VENDOR.root_pubkey),
    TrustPolicy.of([]),
]


def _verdict(fn: object, quote: bytes, policy: TrustPolicy) -> object:
    try:
        return fn(quote, policy, REGISTRY)  # type: ignore[operator]
    except SpurcError as exc:
        return (type(exc), exc.log)


@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3)), min_size=1, max_size=12))
def test_quote_cache_never_changes_a_verdict(sequence: list[tuple[int, int]]) -> None:
    """For any sequence of (quote, policy) lookups, the cached verdict equals the uncached
    one, including after a revocation or rotation of the policy (the key is the policy)."""
    cache = QuoteCache(size=2)
    for qi, pi in sequence:
        quote, policy = _QUOTES[qi], _POLICIES[pi]
        assert _verdict(cache.verify, quote, policy) == _verdict(verify_quote, quote, policy)


def test_quote_cache_hits_on_the_same_quote_and_policy() -> None:
    cache = QuoteCache()
    quote = _QUOTES[0]
    for _ in range(5):
        cache.verify(quote, POLICY, REGISTRY)
    assert (cache.hits, cache.misses) == (4, 1)
    with pytest.raises(ErrQuoteUntrusted):
        cache.verify(quote, POLICY.revoke(VENDOR.root_pubkey), REGISTRY)


@given(st.binary(min_size=33, max_size=33), st.binary(min_size=33, max_size=33))
def test_certificate_payload_is_the_certificate_encoded_without_sig_root(
    root: bytes, ak: bytes
) -> None:
    cert = SimAttestationKeyCert(root, ak, b"\x01" * 64)
    assert cert_signing_payload(cert) == replace(cert, sig_root=b"").encode()


def test_a_policy_from_another_process_hashes_as_this_processs_equal_policy() -> None:
    """The policy's hash is computed once, per process: a pickled policy (another hash
    seed) is rebuilt here, so it finds the quote cache entries of its equal."""
    code = (
        "import pickle, sys\n"
        "from dait_chain.spurc.attestation import SimVendor, TrustPolicy, simulated_registry\n"
        "p = TrustPolicy.of([SimVendor.from_seed(b'vendor A').root_pubkey], [b'k' * 33])\n"
        "sys.stdout.buffer.write(pickle.dumps((p, simulated_registry())))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "1"},
    ).stdout
    policy, registry = pickle.loads(out)
    here = TrustPolicy.of([VENDOR.root_pubkey], [b"k" * 33])
    assert policy == here and hash(policy) == hash(here)
    assert registry == REGISTRY and hash(registry) == hash(REGISTRY)
    cache = QuoteCache()
    quote = AK.quote(QuoteType.TDX, MODEL, TEE_PUB)
    cache.verify(quote, here, REGISTRY)
    cache.verify(quote, policy, registry)
    assert (cache.hits, cache.misses) == (1, 1)
