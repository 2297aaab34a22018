"""SPUR-IC refusals: codespace `spurc` (specs/spurc.md, "Error codes").

Codes follow the check order of `verify_receipt` (specs/spurc.md, "Check order"), then
the host side, the session and the transport. Codes never change once published; a new
rule gets a new code at the end.
"""

from __future__ import annotations

from dait_chain.errors import DaitError


class SpurcError(DaitError, codespace="spurc"):
    """Family of every SPUR-IC refusal."""


# --- framing and headers (seed 002 §1, §2, §8) -----------------------------------------


class ErrHeaderMissing(SpurcError, code=2, description="required SPUR-IC header missing"):
    pass


class ErrHeaderMalformed(SpurcError, code=3, description="SPUR-IC header malformed"):
    pass


class ErrBadBase64url(SpurcError, code=4, description="not strict unpadded base64url"):
    pass


class ErrUnsupportedVersion(
    SpurcError, code=5, description="X-DAIT-Version not understood (only 1 is)"
):
    pass


class ErrStreamMalformed(SpurcError, code=6, description="event stream malformed"):
    pass


class ErrStreamTruncated(SpurcError, code=7, description="event stream cut before its final frame"):
    pass


# --- seed 002 §7, in order ----------------------------------------------------------------


class ErrReceiptDecode(SpurcError, code=8, description="X-DAIT-Receipt is not a canonical Receipt"):
    pass


class ErrChannelIdMismatch(
    SpurcError, code=9, description="channel_id does not match the open channel"
):
    pass


class ErrHeaderMismatch(
    SpurcError, code=10, description="optional header disagrees with the receipt or channel"
):
    pass


class ErrCallSeqReplay(SpurcError, code=11, description="call_seq replays an earlier call"):
    pass


class ErrCallSeqNotNext(SpurcError, code=12, description="call_seq is not last_seen + 1"):
    pass


class ErrBadHostSignature(
    SpurcError, code=13, description="receipt sig_host does not verify against tee_pubkey"
):
    pass


class ErrQuoteMalformed(SpurcError, code=14, description="tee_quote is not a well-formed quote"):
    pass


class ErrQuoteTypeUnsupported(
    SpurcError, code=15, description="no trusted verifier for this quote type"
):
    pass


class ErrQuoteUntrusted(
    SpurcError, code=16, description="tee_quote does not chain to a trusted root"
):
    pass


class ErrQuoteReportDataMismatch(
    SpurcError, code=17, description="quote report data does not bind tee_pubkey"
):
    pass


class ErrModelHashNotAttested(
    SpurcError, code=18, description="model_hash is not the attested measurement"
):
    pass


class ErrModelHashNotAgreed(
    SpurcError, code=19, description="model_hash is not the channel's agreed model"
):
    pass


class ErrRequestMalformed(
    SpurcError, code=20, description="request is not a SPUR-IC request object"
):
    pass


class ErrRequestHashMismatch(SpurcError, code=21, description="request_hash mismatch"):
    pass


class ErrResponseMalformed(
    SpurcError, code=22, description="response body is not canonical JSON model output"
):
    pass


class ErrResponseHashMismatch(SpurcError, code=23, description="response_hash mismatch"):
    pass


class ErrPastDeadline(SpurcError, code=24, description="receipt arrives at or after the deadline"):
    pass


class ErrMaxCallsExceeded(SpurcError, code=25, description="receipt would exceed max_calls"):
    pass


class ErrPriceMismatch(
    SpurcError, code=26, description="price_uDAIT does not follow the agreed rate card"
):
    pass


class ErrEscrowOverspent(SpurcError, code=27, description="receipt would overspend the escrow"):
    pass


class ErrCounterOverflow(SpurcError, code=28, description="channel counter overflows uint64"):
    pass


class ErrStateDecode(
    SpurcError, code=29, description="X-DAIT-State is not a canonical ChannelState"
):
    pass


class ErrHostStateMismatch(
    SpurcError, code=30, description="host's provisional state differs from the recomputed state"
):
    pass


class ErrBadHostStateSignature(
    SpurcError, code=31, description="state sig_host does not verify against host_addr"
):
    pass


# --- cosign protocol: the host's checks on the tenant's state (decisions.md SPUR-IC) ------


class ErrStateNotCosigned(
    SpurcError, code=32, description="state at turn >= 1 lacks the user's signature"
):
    pass


class ErrBadUserStateSignature(
    SpurcError, code=33, description="state sig_user does not verify against user_addr"
):
    pass


class ErrStaleState(SpurcError, code=34, description="state is not the latest one issued"):
    pass


class ErrCosignedStateMismatch(
    SpurcError, code=35, description="cosigned state differs from the state the host issued"
):
    pass


class ErrStateProvisional(
    SpurcError, code=36, description="a provisional state cannot be presented on chain"
):
    pass


class ErrSignerNotParty(
    SpurcError, code=37, description="signing key is not the channel party's address"
):
    pass


class ErrInvalidOpenState(SpurcError, code=38, description="not a valid turn-0 channel state"):
    pass


class ErrTenantViewInconsistent(
    SpurcError, code=39, description="tenant view does not match the channel state"
):
    pass


# --- sessions and their durable stores ------------------------------------------------------


class ErrSessionFaulted(
    SpurcError, code=40, description="session stopped after a fault; dispute it"
):
    pass


class ErrStoreMismatch(
    SpurcError, code=41, description="store belongs to another channel, role or schema"
):
    pass


class ErrStoreCorrupt(SpurcError, code=42, description="store contents fail their integrity check"):
    pass


class ErrStoreConflict(
    SpurcError, code=43, description="store advanced under this session (second writer)"
):
    pass


class ErrUnknownChannel(SpurcError, code=44, description="no open channel with this id"):
    pass


# --- transport (the HTTP reference) ----------------------------------------------------------


class ErrTransport(SpurcError, code=45, description="transport failure talking to the peer"):
    pass


class ErrPeerRefused(SpurcError, code=46, description="peer refused the request"):
    pass
