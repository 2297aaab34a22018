"""A deterministic simulated world for SPUR-IC: vendor, host, tenant, channel.

Everything derives from seeds (privkey_from_seed), so the reference host, the conformance
checker, the tests and the benchmarks agree on keys without exchanging secrets. The
simulated vendor's root is well known: a tenant trusts it by policy, never because a
host says so.
"""

from __future__ import annotations

import struct

from dait_chain.crypto.address import address_from_pubkey
from dait_chain.crypto.hashing import sha256
from dait_chain.crypto.secp256k1 import privkey_from_seed, pubkey_from_privkey
from dait_chain.spurc.attestation import SimVendor, TrustPolicy
from dait_chain.spurc.channel import ChannelTerms, RateCard, make_open_state
from dait_chain.spurc.headers import QuoteType
from dait_chain.spurc.host import HostIdentity
from dait_chain.spurc.model import sim_model_hash
from dait_chain.spurc.signing import Signer
from dait_chain.spurc.values import ChannelState

SIM_VENDOR_SEED = b"dait-sim/spurc/vendor-root/v1"
ROGUE_VENDOR_SEED = b"dait-sim/spurc/rogue-vendor-root/v1"
DOMAIN_SIM_CHANNEL = b"DAIT-SIM-CHANNEL-v1\x00"

DEFAULT_MODEL_ID = "qwen2.5-32b-instruct"
DEFAULT_RATE_CARD = RateCard(per_call_uDAIT=10, per_token_in_uDAIT=1, per_token_out_uDAIT=2)


def sim_vendor() -> SimVendor:
    """The simulated TEE vendor whose root the default trust policy holds."""
    return SimVendor.from_seed(SIM_VENDOR_SEED)


def sim_policy() -> TrustPolicy:
    """Trust the simulated vendor's root, every quote type, nothing revoked."""
    return TrustPolicy.of([sim_vendor().root_pubkey])


def account_privkey(name: str) -> bytes:
    """The account key of a named simulated party."""
    return privkey_from_seed(b"dait-sim/spurc/account/" + name.encode())


def account_address(name: str) -> str:
    """The bech32 address of a named simulated party."""
    return address_from_pubkey(pubkey_from_privkey(account_privkey(name)))


def sim_host_identity(
    name: str = "host",
    *,
    model_id: str = DEFAULT_MODEL_ID,
    rate_card: RateCard = DEFAULT_RATE_CARD,
    quote_type: QuoteType = QuoteType.TDX,
    vendor: SimVendor | None = None,
) -> HostIdentity:
    """A host with its account key, TEE key and a quote from the (simulated) vendor that
    binds the TEE key and vouches for `model_id`'s weights."""
    tee_privkey = privkey_from_seed(b"dait-sim/spurc/tee/" + name.encode())
    ak = (vendor or sim_vendor()).attestation_key(b"dait-sim/spurc/ak/" + name.encode())
    model_hash = sim_model_hash(model_id)
    quote = ak.quote(quote_type, model_hash, pubkey_from_privkey(tee_privkey))
    return HostIdentity(
        account=Signer.of(account_privkey(name)),
        tee=Signer.of(tee_privkey),
        quote=quote,
        quote_type=quote_type,
        model_id=model_id,
        terms=ChannelTerms(model_hash, rate_card),
    )


def sim_channel_id(user_addr: str, host_addr: str, nonce: int) -> bytes:
    """A channel id for a locally opened channel (the chain assigns it in production)."""
    return sha256(
        DOMAIN_SIM_CHANNEL
        + user_addr.encode()
        + b"\x00"
        + host_addr.encode()
        + b"\x00"
        + struct.pack(">Q", nonce)
    )


def sim_open_state(
    host: HostIdentity,
    user: str = "user",
    *,
    nonce: int = 0,
    max_calls: int = 1000,
    deadline: int = 1_900_000_000_000,
    escrow_amount: int = 5_000_000,
) -> ChannelState:
    """Turn 0 of a channel between the named user and `host`."""
    user_addr = account_address(user)
    return make_open_state(
        channel_id=sim_channel_id(user_addr, host.host_addr, nonce),
        host_addr=host.host_addr,
        user_addr=user_addr,
        model_id=host.model_id,
        max_calls=max_calls,
        deadline=deadline,
        escrow_amount=escrow_amount,
    )
