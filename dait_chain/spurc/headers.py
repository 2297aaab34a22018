"""The X-DAIT-* headers (seed 002 §2, §8): build them and parse them strictly.

Header names are case-insensitive, as HTTP has them (RFC 9110 §5.1); values are compared
after removing the optional whitespace HTTP allows around a field value (SP and HTAB at
either end), and are otherwise exact. A SPUR-IC header that appears twice is refused: two
values for one receipt are ambiguous, and HTTP may only join list-valued fields.

This module handles header text and raw bytes only; decoding the Receipt and ChannelState
carried in X-DAIT-Receipt / X-DAIT-State is a later step of the check order (verify.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from dait_chain.spurc.b64 import b64url_decode, b64url_encode
from dait_chain.spurc.errors import (
    ErrBadBase64url,
    ErrHeaderMalformed,
    ErrHeaderMissing,
    ErrUnsupportedVersion,
)
from dait_chain.spurc.frozen import slot_init

H_VERSION = "X-DAIT-Version"
H_CHANNEL_ID = "X-DAIT-Channel-Id"
H_RECEIPT = "X-DAIT-Receipt"
H_STATE = "X-DAIT-State"
H_CONTENT_TYPE = "Content-Type"
H_QUOTE_TYPE = "X-DAIT-Tee-Quote-Type"
H_MODEL_ID = "X-DAIT-Model-Id"
H_CALL_SEQ = "X-DAIT-Call-Seq"
H_SETTLE_HINT = "X-DAIT-Settle-Hint"

#: The only wire version this implementation understands (seed 002 §8).
SPURC_VERSION = "1"

UINT64_MAX = (1 << 64) - 1

#: Every header of seed 002 §2, spelled as the seed spells them (the spelling a stream's
#: frames must use: there they are JSON keys, not HTTP field names).
SPURC_HEADER_NAMES = (
    H_VERSION,
    H_CHANNEL_ID,
    H_RECEIPT,
    H_STATE,
    H_CONTENT_TYPE,
    H_QUOTE_TYPE,
    H_MODEL_ID,
    H_CALL_SEQ,
    H_SETTLE_HINT,
)

# Every header this module interprets; a duplicate of any of them is refused.
_SPURC_HEADERS = frozenset(h.lower() for h in SPURC_HEADER_NAMES)

_OWS = " \t"


class ContentKind(StrEnum):
    """The two response media types of seed 002 §2."""

    JSON = "application/json"
    SSE = "text/event-stream"


_CONTENT_KINDS = {k.value: k for k in ContentKind}


class QuoteType(StrEnum):
    """X-DAIT-Tee-Quote-Type values (seed 002 §2)."""

    NRAS_JWT = "nras-jwt"
    TDX = "tdx"
    SEV_SNP = "sev-snp"


class SettleHint(StrEnum):
    """X-DAIT-Settle-Hint values (seed 002 §2)."""

    COOPERATIVE = "cooperative"
    DISPUTE_PENDING = "dispute-pending"


_E = TypeVar("_E", bound=StrEnum)
# Value -> member lookups (cheaper than the Enum constructor and its exception path).
_QUOTE_TYPES = {q.value: q for q in QuoteType}
_SETTLE_HINTS = {h.value: h for h in SettleHint}

HeaderInput = Mapping[str, str] | Iterable[tuple[str, str]]


@slot_init
@dataclass(frozen=True, slots=True)
class HeaderMap:
    """Headers keyed by lower-cased name, values with HTTP's surrounding OWS removed."""

    # Built by header_map and never changed after; compared as a dict (order aside).
    index: Mapping[str, str]

    @property
    def fields(self) -> tuple[tuple[str, str], ...]:
        """The (lower-cased name, value) pairs, sorted by name."""
        return tuple(sorted(self.index.items()))

    def __hash__(self) -> int:
        return hash(self.fields)

    def get(self, name: str) -> str | None:
        """The value of `name` (any case), or None if absent."""
        return self.index.get(name.lower())

    def require(self, name: str) -> str:
        """The value of `name`; ErrHeaderMissing if absent."""
        value = self.index.get(name.lower())
        if value is None:
            raise ErrHeaderMissing(name)
        return value


def header_map(headers: HeaderInput) -> HeaderMap:
    """Fold header names to lower case and refuse a repeated SPUR-IC header (seed 002 §2)."""
    # Pairs are the common input (HTTP clients, stream frames); the Mapping check is an
    # ABC instance check, which costs more than the whole fold for a tuple.
    if type(headers) is tuple or type(headers) is list:
        pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]] = headers
    else:
        pairs = tuple(headers.items() if isinstance(headers, Mapping) else headers)
    seen = {name.lower(): value.strip(_OWS) for name, value in pairs}
    if len(seen) != len(pairs):
        # A name repeats (rare): keep the first value, refuse a repeated SPUR-IC header.
        seen = {}
        for name, value in pairs:
            key = name.lower()
            if key not in seen:
                seen[key] = value.strip(_OWS)
            elif key in _SPURC_HEADERS:
                raise ErrHeaderMalformed(f"{name} appears more than once")
    return HeaderMap(seen)


@slot_init
@dataclass(frozen=True, slots=True)
class ResponseHeaders:
    """The SPUR-IC headers of one inference response, parsed (seed 002 §2).

    `receipt` and `state` are the raw bytes carried in X-DAIT-Receipt / X-DAIT-State, not
    yet decoded as protobuf.
    """

    channel_id: bytes
    receipt: bytes
    state: bytes
    quote_type: QuoteType | None = None
    model_id: str | None = None
    call_seq: int | None = None
    settle_hint: SettleHint | None = None


@dataclass(frozen=True, slots=True)
class RequestHeaders:
    """The SPUR-IC headers of one inference request: the tenant's latest state (§2, §7)."""

    channel_id: bytes
    state: bytes


def parse_content_type(hm: HeaderMap) -> ContentKind:
    """Content-Type is application/json or text/event-stream (seed 002 §2).

    The media type is case-insensitive (RFC 9110 §8.3.1); the only parameter allowed is
    `charset=utf-8`, since both bodies are UTF-8 by definition.
    """
    raw = hm.require(H_CONTENT_TYPE)
    # The usual value is a bare media type: one dictionary lookup, no splitting.
    kind = _CONTENT_KINDS.get(raw.lower())
    if kind is not None:
        return kind
    media, *params = (p.strip(_OWS) for p in raw.split(";"))
    kind = _CONTENT_KINDS.get(media.lower())
    if kind is None:
        raise ErrHeaderMalformed(f"{H_CONTENT_TYPE} {raw!r} is not a SPUR-IC media type")
    for param in params:
        if param.lower() != "charset=utf-8":
            raise ErrHeaderMalformed(f"{H_CONTENT_TYPE} parameter {param!r} not allowed")
    return kind


def check_version_is_understood(hm: HeaderMap) -> None:
    """X-DAIT-Version must be present and exactly "1"; refuse anything else (seed 002 §8)."""
    version = hm.require(H_VERSION)
    if version != SPURC_VERSION:
        raise ErrUnsupportedVersion(f"{H_VERSION} {version!r}")


def is_visible_ascii(text: str) -> bool:
    """Visible ASCII with inner spaces (what an HTTP field value carries without obs-text):
    not empty, every character in 0x20-0x7E, no space at either end."""
    return text.isascii() and text.isprintable() and text[:1] not in ("", " ") and text[-1] != " "


def parse_channel_id(text: str) -> bytes:
    """64-char lowercase hex of the 32-byte channel ID (seed 002 §2)."""
    # The lowercase hex of 32 bytes is the one text that decodes to them and back (fromhex
    # alone would also take upper case and spaces between bytes): two C calls, cheaper than
    # matching a pattern character by character.
    try:
        channel_id = bytes.fromhex(text)
    except ValueError:
        channel_id = b""
    if len(channel_id) != 32 or channel_id.hex() != text:
        raise ErrHeaderMalformed(f"{H_CHANNEL_ID} {text!r} is not 64 lowercase hex chars")
    return channel_id


def parse_decimal_uint64(name: str, text: str) -> int:
    """A canonical decimal uint64 (no sign, no leading zeros), e.g. X-DAIT-Call-Seq."""
    # ASCII and isdigit: only 0-9 (isdigit alone also takes other scripts' digits).
    if not (text.isascii() and text.isdigit()) or (text[0] == "0" and len(text) > 1):
        raise ErrHeaderMalformed(f"{name} {text!r} is not a canonical decimal")
    value = int(text)
    if value > UINT64_MAX:
        raise ErrHeaderMalformed(f"{name} {text} exceeds uint64")
    return value


def _b64_header(hm: HeaderMap, name: str) -> bytes:
    try:
        return b64url_decode(hm.require(name))
    except ErrBadBase64url as exc:
        raise ErrBadBase64url(f"{name}: {exc.detail}") from exc


def _optional_enum(hm: HeaderMap, name: str, members: Mapping[str, _E]) -> _E | None:
    value = hm.get(name)
    if value is None:
        return None
    member = members.get(value)
    if member is None:
        raise ErrHeaderMalformed(f"{name} {value!r} is not one of {sorted(members)}")
    return member


def parse_response_headers(hm: HeaderMap) -> ResponseHeaders:
    """Parse the required and optional headers of seed 002 §2, version first (§8).

    Order: X-DAIT-Version, X-DAIT-Channel-Id, X-DAIT-Receipt, X-DAIT-State, then the
    optional headers. Content-Type is checked by the caller before (it decides where the
    headers come from: the HTTP head, or the final frame of a stream).
    """
    # Every response passes here: the index is read directly with the names lower-cased
    # once (the refusals are those of check_version_is_understood, require, _b64_header
    # and _optional_enum, in the same order).
    index = hm.index
    version = index.get(_L_VERSION)
    if version is None:
        raise ErrHeaderMissing(H_VERSION)
    if version != SPURC_VERSION:
        raise ErrUnsupportedVersion(f"{H_VERSION} {version!r}")
    channel_id_text = index.get(_L_CHANNEL_ID)
    if channel_id_text is None:
        raise ErrHeaderMissing(H_CHANNEL_ID)
    channel_id = parse_channel_id(channel_id_text)
    receipt = _b64_value(H_RECEIPT, index.get(_L_RECEIPT))
    state = _b64_value(H_STATE, index.get(_L_STATE))
    value = index.get(_L_QUOTE_TYPE)
    quote_type = None if value is None else _QUOTE_TYPES.get(value)
    if value is not None and quote_type is None:
        raise ErrHeaderMalformed(f"{H_QUOTE_TYPE} {value!r} is not one of {sorted(_QUOTE_TYPES)}")
    model_id = index.get(_L_MODEL_ID)
    if model_id is not None and not is_visible_ascii(model_id):
        raise ErrHeaderMalformed(f"{H_MODEL_ID} {model_id!r} is not a visible-ASCII value")
    call_seq_text = index.get(_L_CALL_SEQ)
    call_seq = None if call_seq_text is None else parse_decimal_uint64(H_CALL_SEQ, call_seq_text)
    settle_hint = _optional_enum(hm, H_SETTLE_HINT, _SETTLE_HINTS)
    return ResponseHeaders(channel_id, receipt, state, quote_type, model_id, call_seq, settle_hint)


_L_VERSION = H_VERSION.lower()
_L_CHANNEL_ID = H_CHANNEL_ID.lower()
_L_RECEIPT = H_RECEIPT.lower()
_L_STATE = H_STATE.lower()
_L_QUOTE_TYPE = H_QUOTE_TYPE.lower()
_L_MODEL_ID = H_MODEL_ID.lower()
_L_CALL_SEQ = H_CALL_SEQ.lower()


def _b64_value(name: str, text: str | None) -> bytes:
    """_b64_header on the value already looked up (None: the header is missing)."""
    if text is None:
        raise ErrHeaderMissing(name)
    try:
        return b64url_decode(text)
    except ErrBadBase64url as exc:
        raise ErrBadBase64url(f"{name}: {exc.detail}") from exc


def parse_request_headers(hm: HeaderMap) -> RequestHeaders:
    """Parse a request's SPUR-IC headers: version (§8), channel id, the tenant's state."""
    check_version_is_understood(hm)
    channel_id = parse_channel_id(hm.require(H_CHANNEL_ID))
    state = _b64_header(hm, H_STATE)
    kind = parse_content_type(hm)
    if kind is not ContentKind.JSON:
        raise ErrHeaderMalformed(f"a request body is {ContentKind.JSON.value}, not {kind.value}")
    return RequestHeaders(channel_id, state)


def build_response_headers(
    *,
    channel_id: bytes,
    receipt: bytes,
    state: bytes,
    content_kind: ContentKind,
    quote_type: QuoteType | None = None,
    model_id: str | None = None,
    call_seq: int | None = None,
    settle_hint: SettleHint | None = None,
) -> tuple[tuple[str, str], ...]:
    """The response headers of seed 002 §2 for encoded `receipt` and `state` bytes.

    Required headers first, in the seed's table order, then the optional ones given.
    """
    out: list[tuple[str, str]] = [
        (H_VERSION, SPURC_VERSION),
        (H_CHANNEL_ID, channel_id.hex()),
        (H_RECEIPT, b64url_encode(receipt)),
        (H_STATE, b64url_encode(state)),
        (H_CONTENT_TYPE, content_kind.value),
    ]
    if quote_type is not None:
        out.append((H_QUOTE_TYPE, quote_type.value))
    if model_id is not None:
        out.append((H_MODEL_ID, model_id))
    if call_seq is not None:
        out.append((H_CALL_SEQ, str(call_seq)))
    if settle_hint is not None:
        out.append((H_SETTLE_HINT, settle_hint.value))
    return tuple(out)


def build_request_headers(*, channel_id: bytes, state: bytes) -> tuple[tuple[str, str], ...]:
    """The headers a tenant sends with a request: its latest state (turn 0 or cosigned)."""
    return (
        (H_VERSION, SPURC_VERSION),
        (H_CHANNEL_ID, channel_id.hex()),
        (H_STATE, b64url_encode(state)),
        (H_CONTENT_TYPE, ContentKind.JSON.value),
    )
