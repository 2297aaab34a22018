"""Receipt and ChannelState (seed 002 §3, §4) and their two canonical forms (§5).

* Wire-canonical: `value.encode()` / `Cls.decode(data)`, the strict deterministic protobuf
  of `proto/dait/state_channel/v1/spurc.proto` (dait_chain.codec.strict).
* Diagnostic-canonical: `diagnostic_json(value)` / `diagnostic_jcs(value)`, the JCS (RFC
  8785) text of a JSON object with the seed's field names as keys, every field present,
  bytes as lowercase hex ("" when empty), uint64 as decimal strings (JSON numbers are
  exact only up to 2^53), strings as they are (specs/spurc.md "Diagnostic JSON"). The form
  is for logs and dispute reports; nothing is signed or hashed over it.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass, fields
from typing import ClassVar, TypeVar

from google.protobuf.message import Message

from dait_chain.codec.errors import ErrJsonMapping
from dait_chain.codec.jcs import canonicalize
from dait_chain.codec.value import ProtoValue
from dait_chain.pb.dait.state_channel.v1 import spurc_pb2
from dait_chain.spurc.frozen import slot_init

UINT64_MAX = (1 << 64) - 1

_HEX_RE = re.compile(r"(?:[0-9a-f]{2})*")
_DECIMAL_RE = re.compile(r"0|[1-9][0-9]*")


@slot_init
@dataclass(frozen=True, slots=True)
class Receipt(ProtoValue):
    """One per inference call, signed by the host's TEE-bound key (seed 002 §3)."""

    PROTO: ClassVar[type[Message]] = spurc_pb2.Receipt

    channel_id: bytes
    call_seq: int
    request_hash: bytes
    response_hash: bytes
    model_hash: bytes
    tokens_in: int
    tokens_out: int
    price_uDAIT: int
    tee_quote: bytes
    tee_pubkey: bytes
    timestamp: int
    sig_host: bytes = b""

    def without_sig(self) -> Receipt:
        """The receipt with sig_host emptied: what sig_host signs (seed 002 §6)."""
        return with_fields(self, sig_host=b"")


@slot_init
@dataclass(frozen=True, slots=True)
class ChannelState(ProtoValue):
    """The co-signed running state of a channel (seed 002 §4).

    A state with an empty sig_user is provisional: the user must counter-sign it before it
    can be presented in a dispute.
    """

    PROTO: ClassVar[type[Message]] = spurc_pb2.ChannelState

    channel_id: bytes
    host_addr: str
    user_addr: str
    model_id: str
    max_calls: int
    deadline: int
    escrow_amount: int
    spent_amount: int
    call_count: int
    receipts_merkle_root: bytes
    turn_num: int
    sig_user: bytes = b""
    sig_host: bytes = b""

    def without_sigs(self) -> ChannelState:
        """The state with sig_user and sig_host emptied: what both sign (seed 002 §6)."""
        return with_fields(self, sig_user=b"", sig_host=b"")

    @property
    def is_provisional(self) -> bool:
        """sig_user is empty (seed 002 §4)."""
        return not self.sig_user


SpurcValue = Receipt | ChannelState
V = TypeVar("V", Receipt, ChannelState)

# Each class's field names and a getter of all its field values, read once.
_FIELD_NAMES = {cls: tuple(f.name for f in fields(cls)) for cls in (Receipt, ChannelState)}
_FIELD_VALUES = {cls: operator.attrgetter(*names) for cls, names in _FIELD_NAMES.items()}


def with_fields(value: V, **changes: object) -> V:
    """`dataclasses.replace(value, **changes)` for a Receipt or ChannelState.

    dataclasses.replace re-reads the class's field definitions on every call; states and
    receipts are copied with a new signature several times per call of the protocol
    (signing, cosigning, the signed payloads), so these copies read all fields at once.
    """
    cls = type(value)
    kwargs: dict[str, object] = dict(zip(_FIELD_NAMES[cls], _FIELD_VALUES[cls](value), strict=True))
    kwargs.update(changes)
    return cls(**kwargs)  # type: ignore[arg-type]


# --- diagnostic JSON (seed 002 §5) ---------------------------------------------------------


def diagnostic_json(value: SpurcValue) -> dict[str, str]:
    """The diagnostic JSON object: seed field names, hex bytes, decimal-string integers."""
    out: dict[str, str] = {}
    for f in fields(value):
        item = getattr(value, f.name)
        if isinstance(item, bytes):
            out[f.name] = item.hex()
        elif isinstance(item, int):
            out[f.name] = str(item)
        else:
            out[f.name] = item
    return out


def diagnostic_jcs(value: SpurcValue) -> bytes:
    """The diagnostic-canonical form: JCS of `diagnostic_json(value)` (seed 002 §5)."""
    return canonicalize(diagnostic_json(value))


def from_diagnostic_json(cls: type[V], obj: object) -> V:
    """Parse the diagnostic JSON object of a `cls` value strictly (all keys, exact forms).

    Raises ErrJsonMapping for a missing or extra key, hex that is not lowercase and
    even-length, an integer that is not a canonical decimal uint64, and CodecError for a
    value the wire form refuses (a fixed-size field of the wrong length).
    """
    if not isinstance(obj, dict):
        raise ErrJsonMapping(f"{cls.__name__}: not a JSON object")
    names = [f.name for f in fields(cls)]
    if sorted(obj) != sorted(names):
        raise ErrJsonMapping(f"{cls.__name__}: keys {sorted(obj)}, want {sorted(names)}")
    kwargs: dict[str, object] = {}
    for f in fields(cls):
        text = obj[f.name]
        if not isinstance(text, str):
            raise ErrJsonMapping(f"{cls.__name__}.{f.name}: not a string")
        kind = type(getattr(_TEMPLATES[cls], f.name))
        if kind is bytes:
            if not _HEX_RE.fullmatch(text):
                raise ErrJsonMapping(f"{cls.__name__}.{f.name}: not lowercase hex")
            kwargs[f.name] = bytes.fromhex(text)
        elif kind is int:
            if not _DECIMAL_RE.fullmatch(text) or int(text) > UINT64_MAX:
                raise ErrJsonMapping(f"{cls.__name__}.{f.name}: not a decimal uint64")
            kwargs[f.name] = int(text)
        else:
            kwargs[f.name] = text
    value = cls(**kwargs)  # type: ignore[arg-type]
    value.encode()  # the wire form's schema rules (fixed sizes, uint64) hold here too
    return value


_TEMPLATES: dict[type[SpurcValue], SpurcValue] = {
    Receipt: Receipt(b"", 0, b"", b"", b"", 0, 0, 0, b"", b"", 0, b""),
    ChannelState: ChannelState(b"", "", "", "", 0, 0, 0, 0, 0, b"", 0, b"", b""),
}
