"""Checkpoints: the exported state at a height plus the stream position (specs/harness.md
"Checkpoints").

A checkpoint is one JSON file:

    {"format":"dait-checkpoint","version":1,"chain_id":"...","stream_genesis_sha256":"<hex>",
     "height":H,"time_ms":T,"block_interval_ms":999,"app_hash":"<hex>","state":{<export>}}

`state` is `DaitApp.export_genesis()` at height H (initial_height H + 1); the stream
position is H: resuming runs the stream's blocks above H. `(H, T)` is the clock's anchor,
so unlisted heights after H get the same times as in an uninterrupted run, and
`stream_genesis_sha256` ties the checkpoint to the chain it was taken from. Importing the
state recreates the same KV pairs, so the resumed app hash equals `app_hash`, and so does
every later one (tested).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dait_chain.app.app import DaitApp
from dait_chain.app.errors import ErrInvalidGenesis
from dait_chain.codec.jcs import canonicalize
from dait_chain.sim.errors import ErrCheckpointFormat
from dait_chain.sim.harness import BlockObserver, Harness, Stepping
from dait_chain.sim.stream import StreamHeader

CHECKPOINT_FORMAT = "dait-checkpoint"
CHECKPOINT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A chain's state at a height and where its stream continues."""

    chain_id: str
    stream_genesis_sha256: str
    height: int
    time_ms: int
    block_interval_ms: int
    app_hash: str
    state: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The checkpoint file's object."""
        return {
            "format": CHECKPOINT_FORMAT,
            "version": CHECKPOINT_VERSION,
            "chain_id": self.chain_id,
            "stream_genesis_sha256": self.stream_genesis_sha256,
            "height": self.height,
            "time_ms": self.time_ms,
            "block_interval_ms": self.block_interval_ms,
            "app_hash": self.app_hash,
            "state": self.state,
        }

    def check_stream(self, header: StreamHeader, path: str | None = None) -> None:
        """Refuse a checkpoint taken from another chain than the stream's."""
        if (self.chain_id, self.stream_genesis_sha256) != (header.chain_id, header.genesis_sha256):
            raise ErrCheckpointFormat(
                f"checkpoint is of chain {self.chain_id!r} genesis {self.stream_genesis_sha256}; "
                f"the stream is of {header.chain_id!r} genesis {header.genesis_sha256}",
                path=path,
            )
        if self.block_interval_ms != header.block_interval_ms:
            raise ErrCheckpointFormat(
                f"checkpoint block interval {self.block_interval_ms} != the stream's "
                f"{header.block_interval_ms}",
                path=path,
            )


def take_checkpoint(harness: Harness, header: StreamHeader) -> Checkpoint:
    """The checkpoint of the harness's last block (run `harness.run_to(H)` first)."""
    return Checkpoint(
        chain_id=header.chain_id,
        stream_genesis_sha256=header.genesis_sha256,
        height=harness.clock_height,
        time_ms=harness.clock_time,
        block_interval_ms=harness.interval_ms,
        app_hash=harness.app.app_hash.hex(),
        state=harness.app.export_genesis(),
    )


def write_checkpoint(path: str | Path, checkpoint: Checkpoint) -> None:
    """Write a checkpoint as canonical JSON."""
    Path(path).write_bytes(canonicalize(checkpoint.to_json()) + b"\n")


def _field(obj: dict[str, Any], key: str, kind: type, path: str) -> Any:
    value = obj.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ErrCheckpointFormat(f"{key}: expected {kind.__name__}", path=path)
    return value


def read_checkpoint(path: str | Path) -> Checkpoint:
    """Read a checkpoint file (ErrCheckpointFormat on anything malformed)."""
    name = str(path)
    try:
        obj = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ErrCheckpointFormat("no such file", path=name) from None
    except json.JSONDecodeError as exc:
        raise ErrCheckpointFormat(f"invalid JSON: {exc.msg}", path=name, line=exc.lineno) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ErrCheckpointFormat(f"cannot read: {exc}", path=name) from None
    if not isinstance(obj, dict) or obj.get("format") != CHECKPOINT_FORMAT:
        raise ErrCheckpointFormat(
            f"not a checkpoint: format must be {CHECKPOINT_FORMAT!r}", path=name
        )
    if obj.get("version") != CHECKPOINT_VERSION:
        raise ErrCheckpointFormat(
            f"unsupported checkpoint version {obj.get('version')!r}", path=name
        )
    return Checkpoint(
        chain_id=_field(obj, "chain_id", str, name),
        stream_genesis_sha256=_field(obj, "stream_genesis_sha256", str, name),
        height=_field(obj, "height", int, name),
        time_ms=_field(obj, "time_ms", int, name),
        block_interval_ms=_field(obj, "block_interval_ms", int, name),
        app_hash=_field(obj, "app_hash", str, name),
        state=_field(obj, "state", dict, name),
    )


def resume(
    checkpoint: Checkpoint,
    *,
    stepping: Stepping = Stepping.SPARSE,
    observers: Sequence[BlockObserver] = (),
    path: str | None = None,
) -> Harness:
    """A harness on a fresh app holding the checkpoint's state, its clock at (H, T).

    Refuses a checkpoint whose state does not reproduce its app hash."""
    app = DaitApp()
    try:
        app.init_chain(checkpoint.state)
    except ErrInvalidGenesis as exc:
        raise ErrCheckpointFormat(f"state: {exc.log}", path=path) from None
    if app.app_hash.hex() != checkpoint.app_hash:
        raise ErrCheckpointFormat(
            f"state has app hash {app.app_hash.hex()}, the checkpoint says {checkpoint.app_hash}",
            path=path,
        )
    if app.height != checkpoint.height:
        raise ErrCheckpointFormat(
            f"state continues after height {app.height}, the checkpoint is at {checkpoint.height}",
            path=path,
        )
    return Harness(
        app,
        interval_ms=checkpoint.block_interval_ms,
        anchor=(checkpoint.height, checkpoint.time_ms),
        stepping=stepping,
        observers=observers,
    )


__all__ = [
    "CHECKPOINT_FORMAT",
    "Checkpoint",
    "read_checkpoint",
    "resume",
    "take_checkpoint",
    "write_checkpoint",
]
