"""dait_chain.codec: wire-canonical protobuf, JCS, and proto-bound values (specs/codec.md).

- `encode(msg)` / `decode(msg_type, data)`: seed 002 §5 wire-canonical protobuf, strict.
- `canonicalize(value)`: RFC 8785 JCS, the diagnostic-canonical form.
- `ProtoValue`: frozen dataclasses bound to generated protobuf types; `pack_any`,
  `unpack_any`, `value_class`, `register` for google.protobuf.Any.
"""

from dait_chain.codec.jcs import canonicalize
from dait_chain.codec.strict import decode, encode
from dait_chain.codec.value import ProtoValue, pack_any, register, unpack_any, value_class

__all__ = [
    "ProtoValue",
    "canonicalize",
    "decode",
    "encode",
    "pack_any",
    "register",
    "unpack_any",
    "value_class",
]
