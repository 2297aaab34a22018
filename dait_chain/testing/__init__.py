"""Hypothesis strategies for other Python projects (a Python SDK, a host adapter) to
property-test against this reference (specs/vectors.md "dait_chain.testing").

    from hypothesis import given
    from dait_chain.testing import channel_sessions, msgs

- `privkeys()`, `keypairs()`: secp256k1 keys with pubkey and dait1 address (a scalar in
  [1, n-1]; address = bech32(RIPEMD160(SHA256(pubkey)))).
- `addresses(lengths)`: canonical dait1 addresses (`decode_address` accepts them).
- `proto_values(cls)`: values of any ProtoValue class (decode(encode(v)) == v).
- `msgs(module)`: each module's Msg types (as proto_values; address fields hold addresses).
- `receipts()`: SPUR-IC Receipts signed by a drawn TEE key (`check_receipt_signature`
  accepts them).
- `channel_states()`: ChannelStates in wire range (they encode canonically).
- `channel_sessions()`: an open channel with honest calls, their responses, provisional
  and cosigned states (`verify_receipt` returns each provisional state; each cosigned
  state is presentable).
- `scenario_texts()`, `scenarios()`: scenario YAML and parsed scenarios (they compile).
- `tx_streams()`: compiled tx streams with expected results (a replay reproduces them).

The modules (keys, messages, spurc, sim) are imported lazily, so importing this
package costs nothing until a strategy is used.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "KeyPair": "keys",
    "privkeys": "keys",
    "keypairs": "keys",
    "address_bytes": "keys",
    "addresses": "keys",
    "proto_values": "messages",
    "msgs": "messages",
    "msg_types": "messages",
    "receipts": "spurc",
    "channel_states": "spurc",
    "channel_sessions": "spurc",
    "Call": "spurc",
    "ChannelSession": "spurc",
    "scenario_texts": "sim",
    "scenarios": "sim",
    "tx_streams": "sim",
    "TxStream": "sim",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'dait_chain.testing' has no attribute {name!r}")
    return getattr(importlib.import_module(f"dait_chain.testing.{module}"), name)


__all__ = sorted(_WHERE)
