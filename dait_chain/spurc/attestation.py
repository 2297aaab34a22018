"""TEE attestation: quote verifiers per quote type, trust policy, simulated vendor
(seed 002 §7 step 5; decisions.md SPUR-IC; specs/spurc.md "Attestation").

Pure and parametrised so that `x/tee_attest` can wrap it: every verdict is a function of
(quote bytes, TrustPolicy, VerifierRegistry) only.

A tee_quote is a `Quote` envelope (proto/dait/tee_attest/v1/quote.proto): a quote type
(nras-jwt | tdx | sev-snp) selecting the verifier, and a body in that verifier's format.
The simulated vendor, which stands in for all three in tests and simulations, has a root
key that certifies attestation keys; an attestation key signs a quote body carrying the
quote type, a measurement (the model_hash it vouches for) and report data =
sha256(tee_pubkey). Real secp256k1 signatures throughout:

    sig_root = sign(root,  sha256("DAIT-SIMTEE-AKCERT-v1\\x00" || cert minus sig_root))
    sig_ak   = sign(ak,    sha256("DAIT-SIMTEE-QUOTE-v1\\x00"  || body minus sig_ak))

`QuoteCache` memoizes successful verifications keyed on (quote bytes, policy, registry):
since a verdict is a pure function of exactly that key, the cache changes the cost, never
the verdict. A tenant sees the same quote on every receipt of a session, so after the
first receipt the per-receipt cost is the host signature, not the quote's two.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import ClassVar

from google.protobuf.message import Message

from dait_chain.codec import strict
from dait_chain.codec.errors import CodecError
from dait_chain.codec.value import ProtoValue
from dait_chain.crypto.errors import CryptoError
from dait_chain.crypto.hashing import sha256
from dait_chain.crypto.secp256k1 import (
    privkey_from_seed,
    pubkey_from_privkey,
    sign_with_domain,
    verify_with_domain,
)
from dait_chain.pb.dait.tee_attest.v1 import quote_pb2
from dait_chain.spurc.errors import (
    ErrModelHashNotAttested,
    ErrQuoteMalformed,
    ErrQuoteReportDataMismatch,
    ErrQuoteTypeUnsupported,
    ErrQuoteUntrusted,
)
from dait_chain.spurc.frozen import slot_init
from dait_chain.spurc.headers import QuoteType
from dait_chain.spurc.signing import cut_signature_field

DOMAIN_SIM_AK_CERT = b"DAIT-SIMTEE-AKCERT-v1\x00"
DOMAIN_SIM_QUOTE = b"DAIT-SIMTEE-QUOTE-v1\x00"

QUOTE_CACHE_SIZE = 256

_SIM_QUOTE_SIG_AK_FIELD = 5  # SimQuoteBody.sig_ak, its highest-numbered field

_QuoteProto = quote_pb2.Quote
_SimQuoteBodyProto = quote_pb2.SimQuoteBody

# Value -> member (a dictionary lookup; the Enum constructor runs several Python calls).
_QUOTE_TYPES = {t.value: t for t in QuoteType}


# --- wire values ----------------------------------------------------------------------------


@slot_init
@dataclass(frozen=True, slots=True)
class Quote(ProtoValue):
    """The envelope of every tee_quote: its type selects the verifier."""

    PROTO: ClassVar[type[Message]] = quote_pb2.Quote

    quote_type: str
    body: bytes


@slot_init
@dataclass(frozen=True, slots=True)
class SimAttestationKeyCert(ProtoValue):
    """Simulated vendor: the root's certificate of an attestation key."""

    PROTO: ClassVar[type[Message]] = quote_pb2.SimAttestationKeyCert

    root_pubkey: bytes
    attestation_pubkey: bytes
    sig_root: bytes = b""


@slot_init
@dataclass(frozen=True, slots=True)
class SimQuoteBody(ProtoValue):
    """Simulated vendor: the signed quote body."""

    PROTO: ClassVar[type[Message]] = quote_pb2.SimQuoteBody

    quote_type: str
    measurement: bytes
    report_data: bytes
    ak_cert: SimAttestationKeyCert
    sig_ak: bytes = b""


# --- policy and verdicts ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrustPolicy:
    """What a verifier of quotes trusts: root keys, revocations, accepted quote types.

    Root rotation is a new policy with the new root added (and later the old removed);
    revocation lists attestation keys or roots no longer trusted. Collections are sorted
    tuples so the value has one spelling and hashes the same in every process.
    """

    trusted_roots: tuple[bytes, ...]
    revoked_keys: tuple[bytes, ...] = ()
    quote_types: tuple[QuoteType, ...] = (QuoteType.NRAS_JWT, QuoteType.SEV_SNP, QuoteType.TDX)
    # The hash of the three fields, computed once: the quote cache hashes its key, which
    # holds the policy, on every receipt (and an Enum member hashes by a Python call).
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_hash", hash((self.trusted_roots, self.revoked_keys, self.quote_types))
        )

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[type[TrustPolicy], tuple[object, ...]]:
        # Rebuilt from its fields, so the hash is this process's (str and bytes hashes
        # differ between processes), never a pickled one.
        return TrustPolicy, (self.trusted_roots, self.revoked_keys, self.quote_types)

    @classmethod
    def of(
        cls,
        trusted_roots: Iterable[bytes],
        revoked_keys: Iterable[bytes] = (),
        quote_types: Iterable[QuoteType] = tuple(QuoteType),
    ) -> TrustPolicy:
        """A policy with its collections deduplicated and sorted."""
        return cls(
            tuple(sorted(set(trusted_roots))),
            tuple(sorted(set(revoked_keys))),
            tuple(sorted(set(quote_types))),
        )

    def rotate(self, add: bytes, remove: bytes | None = None) -> TrustPolicy:
        """A policy trusting `add` (and no longer `remove`)."""
        roots = {*self.trusted_roots, add} - ({remove} if remove is not None else set())
        return TrustPolicy.of(roots, self.revoked_keys, self.quote_types)

    def revoke(self, key: bytes) -> TrustPolicy:
        """A policy that also refuses chains through `key` (a root or attestation key)."""
        return TrustPolicy.of(self.trusted_roots, {*self.revoked_keys, key}, self.quote_types)


@slot_init
@dataclass(frozen=True, slots=True)
class AttestedReport:
    """What a verified quote vouches for (the inputs of the per-receipt checks)."""

    quote_type: QuoteType
    measurement: bytes
    report_data: bytes
    attestation_pubkey: bytes
    root_pubkey: bytes


# A verifier checks a body of its quote type under a policy and returns the report, or
# raises ErrQuoteMalformed / ErrQuoteUntrusted.
QuoteVerifier = Callable[[QuoteType, bytes, TrustPolicy], AttestedReport]


@dataclass(frozen=True, slots=True)
class VerifierRegistry:
    """The verifier of each quote type (decisions.md: a pluggable verifier per quote type)."""

    verifiers: tuple[tuple[QuoteType, QuoteVerifier], ...]
    # The hash of `verifiers`, computed once (as TrustPolicy's).
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash(self.verifiers))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[type[VerifierRegistry], tuple[object, ...]]:
        return VerifierRegistry, (self.verifiers,)  # as TrustPolicy's

    def verifier_for(self, quote_type: QuoteType) -> QuoteVerifier:
        """The registered verifier; ErrQuoteTypeUnsupported if none."""
        for registered, verifier in self.verifiers:
            if registered is quote_type:
                return verifier
        raise ErrQuoteTypeUnsupported(f"no verifier registered for {quote_type.value}")

    def with_verifier(self, quote_type: QuoteType, verifier: QuoteVerifier) -> VerifierRegistry:
        """A registry with `verifier` for `quote_type` (replacing any other)."""
        kept = tuple((t, v) for t, v in self.verifiers if t is not quote_type)
        return VerifierRegistry(tuple(sorted((*kept, (quote_type, verifier)), key=_type_key)))


def _type_key(item: tuple[QuoteType, QuoteVerifier]) -> str:
    return item[0].value


# --- the simulated vendor's verifier ----------------------------------------------------------


def _check_sig(pubkey: bytes, domain: bytes, payload: bytes, sig: bytes, what: str) -> None:
    if not sig:
        raise ErrQuoteUntrusted(f"{what} is unsigned")
    try:
        ok = verify_with_domain(pubkey, domain, payload, sig)
    except CryptoError as exc:
        raise ErrQuoteUntrusted(f"{what}: {exc.log}") from exc
    if not ok:
        raise ErrQuoteUntrusted(f"{what} signature does not verify")


def check_cert_chains_to_trusted_root(cert: SimAttestationKeyCert, policy: TrustPolicy) -> None:
    """The attestation key's certificate is signed by a trusted, unrevoked root."""
    _check_chain(cert.root_pubkey, cert.attestation_pubkey, cert.sig_root, policy)


def _check_chain(root: bytes, ak: bytes, sig_root: bytes, policy: TrustPolicy) -> None:
    """check_cert_chains_to_trusted_root on the certificate's three fields (read from the
    decoded message by the verifier, which builds no certificate value)."""
    if root not in policy.trusted_roots:
        raise ErrQuoteUntrusted(f"root {root.hex()} is not trusted")
    if root in policy.revoked_keys:
        raise ErrQuoteUntrusted(f"root {root.hex()} is revoked")
    if ak in policy.revoked_keys:
        raise ErrQuoteUntrusted(f"attestation key {ak.hex()} is revoked")
    # Both keys are 33 bytes in a strictly decoded certificate (see cert_signing_payload).
    if len(root) == 33 and len(ak) == 33:
        payload = _CERT_ROOT_HEAD + root + _CERT_AK_HEAD + ak
    else:
        payload = SimAttestationKeyCert(root, ak).encode()
    _check_sig(root, DOMAIN_SIM_AK_CERT, payload, sig_root, "certificate")


# Tag and length bytes of the certificate's two keys (fields 1 and 2, 33 bytes each).
_CERT_ROOT_HEAD = bytes((1 << 3 | 2, 33))
_CERT_AK_HEAD = bytes((2 << 3 | 2, 33))


def cert_signing_payload(cert: SimAttestationKeyCert) -> bytes:
    """The certificate without sig_root: what the root signs (its canonical encoding).

    Both keys are fixed-size 33 bytes in a strictly decoded certificate, so that encoding
    is their two fields with one-byte tag and length each, joined directly (on the path of
    every quote a tenant has not seen yet); other keys go through the codec.
    """
    root, ak = cert.root_pubkey, cert.attestation_pubkey
    if len(root) == 33 and len(ak) == 33:
        return _CERT_ROOT_HEAD + root + _CERT_AK_HEAD + ak
    return SimAttestationKeyCert(root, ak).encode()


def verify_sim_quote(quote_type: QuoteType, body: bytes, policy: TrustPolicy) -> AttestedReport:
    """The simulated vendor's verifier: decode the body, chain its key to a trusted root,
    verify the attestation key's signature over the body.

    The body is strictly decoded (`strict.decode`, as `SimQuoteBody.decode` does) and its
    fields read from the message itself: on the path of every quote not yet cached, the
    frozen body and certificate values would be built only to be read once. The refusals
    are `SimQuoteBody.decode`'s, in its order: the bytes, then the absent certificate.
    """
    try:
        msg = strict.decode(_SimQuoteBodyProto, body)
    except CodecError as exc:
        raise ErrQuoteMalformed(f"simulated quote body: {exc.log}") from exc
    if not msg.HasField("ak_cert"):
        raise ErrQuoteMalformed(
            "simulated quote body: SimQuoteBody.ak_cert: required sub-message is absent"
        )
    if msg.quote_type != quote_type.value:
        raise ErrQuoteMalformed(f"body says {msg.quote_type!r}, envelope says {quote_type.value!r}")
    cert = msg.ak_cert
    root, ak = cert.root_pubkey, cert.attestation_pubkey
    _check_chain(root, ak, cert.sig_root, policy)
    sig_ak = msg.sig_ak
    # `body` is canonical (strictly decoded) and sig_ak its last field: the signed bytes
    # are cut from it rather than re-encoded.
    payload = cut_signature_field(body, _SIM_QUOTE_SIG_AK_FIELD, sig_ak)
    if payload is None:  # sig_ak empty: _check_sig refuses it as unsigned
        payload = replace(SimQuoteBody.from_proto(msg), sig_ak=b"").encode()
    _check_sig(ak, DOMAIN_SIM_QUOTE, payload, sig_ak, "quote")
    return AttestedReport(quote_type, msg.measurement, msg.report_data, ak, root)


def simulated_registry() -> VerifierRegistry:
    """The registry of tests and simulations: the simulated verifier for every quote type."""
    return VerifierRegistry(tuple((t, verify_sim_quote) for t in sorted(QuoteType)))


# --- verification ------------------------------------------------------------------------------


def parse_quote(quote: bytes) -> tuple[QuoteType, bytes]:
    """The envelope's quote type and body; ErrQuoteMalformed / ErrQuoteTypeUnsupported."""
    try:
        # The message itself, not a `Quote` value: two fields read once (as verify_sim_quote).
        envelope = strict.decode(_QuoteProto, quote)
    except CodecError as exc:
        raise ErrQuoteMalformed(exc.log) from exc
    quote_type = _QUOTE_TYPES.get(envelope.quote_type)
    if quote_type is None:
        raise ErrQuoteTypeUnsupported(f"quote type {envelope.quote_type!r}")
    return quote_type, envelope.body


def verify_quote(quote: bytes, policy: TrustPolicy, registry: VerifierRegistry) -> AttestedReport:
    """§7 step 5, first half: the quote chains to a root the policy trusts.

    Order: envelope (ErrQuoteMalformed), type accepted by the policy and registered
    (ErrQuoteTypeUnsupported), then the type's verifier (ErrQuoteMalformed for its body,
    ErrQuoteUntrusted for the chain).
    """
    quote_type, body = parse_quote(quote)
    if quote_type not in policy.quote_types:
        raise ErrQuoteTypeUnsupported(f"policy does not accept {quote_type.value}")
    return registry.verifier_for(quote_type)(quote_type, body, policy)


class QuoteCache:
    """Bounded LRU memo of `verify_quote`, keyed on (quote bytes, policy, registry).

    Only successes are kept: a failing quote is a terminal fault for the session, and
    recomputing a failure gives the same error. Thread-safe (the HTTP host is threaded).

    The dictionary key is (quote bytes, the policy's hash, the registry's hash) and the
    entry keeps the policy and registry themselves, compared on lookup (by identity
    first, as a session passes the same objects): a key of bytes and ints hashes in C,
    while a key holding the policy and registry calls their Python `__hash__` on every
    lookup and insertion. Two different policies with equal hashes share a key: the
    comparison makes that a miss, and the later verdict replaces the earlier.
    """

    def __init__(self, size: int = QUOTE_CACHE_SIZE) -> None:
        self._size = size
        self._entries: OrderedDict[
            tuple[bytes, int, int], tuple[TrustPolicy, VerifierRegistry, AttestedReport]
        ] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def verify(
        self, quote: bytes, policy: TrustPolicy, registry: VerifierRegistry
    ) -> AttestedReport:
        """`verify_quote(quote, policy, registry)`, memoized."""
        key = (quote, policy._hash, registry._hash)
        entries = self._entries
        with self._lock:
            entry = entries.get(key)
            if (
                entry is not None
                and (entry[0] is policy or entry[0] == policy)
                and (entry[1] is registry or entry[1] == registry)
            ):
                entries.move_to_end(key)
                self.hits += 1
                return entry[2]
        report = verify_quote(quote, policy, registry)
        with self._lock:
            self.misses += 1
            entries[key] = (policy, registry, report)
            entries.move_to_end(key)  # a replaced entry (shared key) is now the newest
            while len(entries) > self._size:
                entries.popitem(last=False)
        return report


def check_report_data_binds_key(report: AttestedReport, tee_pubkey: bytes) -> None:
    """§7 step 5, second half: the quote's report data is sha256(tee_pubkey)."""
    if report.report_data != sha256(tee_pubkey):
        raise ErrQuoteReportDataMismatch(
            f"report data {report.report_data.hex()} != sha256(tee_pubkey)"
        )


def check_measurement_vouches_for_model(report: AttestedReport, model_hash: bytes) -> None:
    """decisions.md: the receipt's model_hash is the measurement the quote attests."""
    if report.measurement != model_hash:
        raise ErrModelHashNotAttested(
            f"model_hash {model_hash.hex()} != measurement {report.measurement.hex()}"
        )


# --- the simulated vendor (issuing side) -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class SimVendor:
    """A simulated TEE vendor: a root key that certifies attestation keys."""

    root_privkey: bytes

    @classmethod
    def from_seed(cls, seed: bytes) -> SimVendor:
        """A vendor whose root key is derived from `seed` (privkey_from_seed)."""
        return cls(privkey_from_seed(seed))

    @property
    def root_pubkey(self) -> bytes:
        """The vendor root public key a TrustPolicy lists."""
        return pubkey_from_privkey(self.root_privkey)

    def certify(self, attestation_pubkey: bytes) -> SimAttestationKeyCert:
        """The root's certificate of `attestation_pubkey`."""
        cert = SimAttestationKeyCert(self.root_pubkey, attestation_pubkey)
        sig = sign_with_domain(self.root_privkey, DOMAIN_SIM_AK_CERT, cert.encode())
        return replace(cert, sig_root=sig)

    def attestation_key(self, seed: bytes) -> SimAttestationKey:
        """A certified attestation key derived from `seed`."""
        priv = privkey_from_seed(seed)
        return SimAttestationKey(priv, self.certify(pubkey_from_privkey(priv)))


@dataclass(frozen=True, slots=True)
class SimAttestationKey:
    """A platform's attestation key with its vendor certificate; it signs quotes."""

    privkey: bytes
    cert: SimAttestationKeyCert

    def quote(self, quote_type: QuoteType, measurement: bytes, tee_pubkey: bytes) -> bytes:
        """A tee_quote: `measurement` vouched for, report data = sha256(tee_pubkey)."""
        return self.quote_with_report_data(quote_type, measurement, sha256(tee_pubkey))

    def quote_with_report_data(
        self, quote_type: QuoteType, measurement: bytes, report_data: bytes
    ) -> bytes:
        """A tee_quote with explicit report data (for faulty hosts in tests)."""
        body = SimQuoteBody(quote_type.value, measurement, report_data, self.cert)
        sig = sign_with_domain(self.privkey, DOMAIN_SIM_QUOTE, body.encode())
        return Quote(quote_type.value, replace(body, sig_ak=sig).encode()).encode()
