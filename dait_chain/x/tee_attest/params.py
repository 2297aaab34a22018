"""x/tee_attest params: the trust policy, and their validation (specs/tee_attest.md §2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from google.protobuf.message import Message

from dait_chain.codec.value import ProtoValue
from dait_chain.crypto.errors import CryptoError
from dait_chain.crypto.secp256k1 import validate_pubkey
from dait_chain.pb.dait.tee_attest.v1 import tee_attest_pb2 as pb
from dait_chain.spurc.attestation import TrustPolicy
from dait_chain.spurc.headers import QuoteType
from dait_chain.x.tee_attest.errors import ErrInvalidParams

ALL_QUOTE_TYPES: tuple[str, ...] = tuple(sorted(t.value for t in QuoteType))


@dataclass(frozen=True, slots=True)
class Params(ProtoValue):
    """The trust policy: trusted vendor roots, revoked keys, accepted quote types."""

    PROTO: ClassVar[type[Message]] = pb.Params
    trusted_roots: tuple[bytes, ...] = ()
    revoked_keys: tuple[bytes, ...] = ()
    quote_types: tuple[str, ...] = ALL_QUOTE_TYPES

    def validate(self) -> None:
        """Keys are valid compressed secp256k1 points; every list is sorted and unique;
        quote types are SPUR-IC's (seed 002 §2: nras-jwt | tdx | sev-snp)."""
        for name in ("trusted_roots", "revoked_keys", "quote_types"):
            items = getattr(self, name)
            if list(items) != sorted(set(items)):
                raise ErrInvalidParams(f"{name} must be sorted and unique")
        for key in (*self.trusted_roots, *self.revoked_keys):
            try:
                validate_pubkey(key)
            except CryptoError as exc:
                raise ErrInvalidParams(f"key {key.hex()}: {exc.log}") from None
        for quote_type in self.quote_types:
            if quote_type not in ALL_QUOTE_TYPES:
                raise ErrInvalidParams(f"unknown quote type {quote_type!r}")

    def trust_policy(self) -> TrustPolicy:
        """The SPUR-IC TrustPolicy these params describe."""
        return TrustPolicy.of(
            self.trusted_roots, self.revoked_keys, (QuoteType(t) for t in self.quote_types)
        )


DEFAULT_PARAMS = Params()
