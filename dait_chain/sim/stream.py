"""Tx streams: the replayable JSONL form of a chain run (specs/harness.md "Tx streams").

A stream is UTF-8 JSON Lines. Line 1 is the header; every other line is one block:

    {"format":"dait-tx-stream","version":1,"chain_id":"dait-sim-1",
     "genesis_time_ms":1700000000000,"initial_height":1,"block_interval_ms":999,
     "genesis":{...}}                      (or "genesis_sha256":"<hex>","genesis_path":"g.json")
    {"height":3,"time_ms":1700000001998,"proposer":"dait1...","txs":["<base64 TxRaw>"],
     "expect":{"tx_results":[{"code":0,"codespace":"","events":"<hex>"}],
               "begin_events":"<hex>","end_events":"<hex>","app_hash":"<hex>"}}

Only blocks that carry something are listed. A height between two listed blocks is an
empty block whose time follows the last known block by `block_interval_ms`; the first
unlisted heights follow the anchor (initial_height - 1, genesis_time_ms - interval), so by
default `time(h) = genesis_time_ms + (h - initial_height) * block_interval_ms`
(decisions.md "Units and time"). A listed block's time may differ (jitter, halts); later
unlisted heights then follow it. The run ends at the last listed block (list an empty
block to run idle heights after the last tx).

`expect` is optional, and so is each of its keys: what is present is checked on replay.
`events` digests are `sha256(JCS([{"type": t, "attributes": [{"key": k, "value": v}, ...]},
...]))` in lowercase hex; app hashes are lowercase hex. The writer emits each line in its
RFC 8785 canonical form, so two implementations write byte-identical streams; the reader
accepts any JSON with the right shape.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from dait_chain.app.abci import BlockIDFlag, CommitInfo, VoteInfo
from dait_chain.app.events import Event
from dait_chain.codec.errors import CodecError
from dait_chain.codec.jcs import canonicalize
from dait_chain.sim.errors import ErrGenesisMismatch, ErrStreamFormat

STREAM_FORMAT = "dait-tx-stream"
STREAM_VERSION = 1
DEFAULT_BLOCK_INTERVAL_MS = 999
INT64_MAX = (1 << 63) - 1

JsonObject = dict[str, Any]


# ---- values ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TxExpect:
    """The expected result of one tx: its code and codespace, and its events digest."""

    code: int
    codespace: str
    events: str | None = None


@dataclass(frozen=True, slots=True)
class BlockExpect:
    """What a block is expected to produce; None fields are not checked."""

    tx_results: tuple[TxExpect, ...] | None = None
    begin_events: str | None = None
    end_events: str | None = None
    app_hash: str | None = None


@dataclass(frozen=True, slots=True)
class StreamBlock:
    """One listed block: height, time, proposer (None: the harness's default), signed txs."""

    height: int
    time_ms: int
    txs: tuple[bytes, ...] = ()
    proposer: str | None = None
    last_commit: CommitInfo | None = None
    expect: BlockExpect | None = None


@dataclass(frozen=True, slots=True)
class StreamHeader:
    """The first line of a stream: the chain, its genesis and its block clock.

    Exactly one of `genesis` (inline) and `genesis_path` (relative to the stream's
    directory) gives the genesis; `genesis_sha256` is sha256(JCS(genesis)) and is always
    written, so a reader can check a genesis file it was handed separately.
    """

    chain_id: str
    genesis_time_ms: int
    genesis_sha256: str
    initial_height: int = 1
    block_interval_ms: int = DEFAULT_BLOCK_INTERVAL_MS
    genesis: JsonObject | None = field(default=None, compare=False)
    genesis_path: str | None = None
    meta: JsonObject = field(default_factory=dict, compare=False)


# ---- digests and the block clock -------------------------------------------------------------


def events_json(events: Sequence[Event]) -> list[JsonObject]:
    """Events as the JSON list their digest is computed over (and `--events` writes)."""
    return [
        {"type": e.type, "attributes": [{"key": a.key, "value": a.value} for a in e.attributes]}
        for e in events
    ]


def events_digest(events: Sequence[Event]) -> str:
    """sha256(JCS(events_json(events))) in lowercase hex."""
    return hashlib.sha256(canonicalize(events_json(events))).hexdigest()


def genesis_digest(genesis: Mapping[str, Any]) -> str:
    """sha256(JCS(genesis)) in lowercase hex: the genesis's identity in a stream header."""
    return hashlib.sha256(canonicalize(dict(genesis))).hexdigest()


def next_time(last_height: int, last_time_ms: int, height: int, interval_ms: int) -> int:
    """The time of an unlisted block at height, following the last known block."""
    return last_time_ms + (height - last_height) * interval_ms


def anchor_of(header: StreamHeader) -> tuple[int, int]:
    """The (height, time) the first unlisted blocks follow: one interval before genesis."""
    return header.initial_height - 1, header.genesis_time_ms - header.block_interval_ms


# ---- JSON forms ------------------------------------------------------------------------------


def b64(data: bytes) -> str:
    """Standard padded base64 (RFC 4648 §4), as proto3 JSON writes bytes."""
    return base64.b64encode(data).decode("ascii")


def header_to_json(header: StreamHeader) -> JsonObject:
    """The header line's object."""
    obj: JsonObject = {
        "format": STREAM_FORMAT,
        "version": STREAM_VERSION,
        "chain_id": header.chain_id,
        "genesis_time_ms": header.genesis_time_ms,
        "initial_height": header.initial_height,
        "block_interval_ms": header.block_interval_ms,
        "genesis_sha256": header.genesis_sha256,
    }
    if header.genesis is not None:
        obj["genesis"] = header.genesis
    if header.genesis_path is not None:
        obj["genesis_path"] = header.genesis_path
    if header.meta:
        obj["meta"] = header.meta
    return obj


def commit_to_json(commit: CommitInfo) -> JsonObject:
    """An extended commit (ABCI ExtendedCommitInfo) as JSON."""
    return {
        "round": commit.round,
        "votes": [
            {
                "validator": v.validator,
                "power": v.power,
                "block_id_flag": int(v.block_id_flag),
                "vote_extension": b64(v.vote_extension),
                "extension_signature": b64(v.extension_signature),
            }
            for v in commit.votes
        ],
    }


def expect_to_json(expect: BlockExpect) -> JsonObject:
    """A block's expected results as JSON (absent fields are not written)."""
    obj: JsonObject = {}
    if expect.tx_results is not None:
        results: list[JsonObject] = []
        for r in expect.tx_results:
            item: JsonObject = {"code": r.code, "codespace": r.codespace}
            if r.events is not None:
                item["events"] = r.events
            results.append(item)
        obj["tx_results"] = results
    for key in ("begin_events", "end_events", "app_hash"):
        value = getattr(expect, key)
        if value is not None:
            obj[key] = value
    return obj


def block_to_json(block: StreamBlock) -> JsonObject:
    """A block line's object."""
    obj: JsonObject = {"height": block.height, "time_ms": block.time_ms}
    if block.proposer is not None:
        obj["proposer"] = block.proposer
    obj["txs"] = [b64(tx) for tx in block.txs]
    if block.last_commit is not None:
        obj["last_commit"] = commit_to_json(block.last_commit)
    if block.expect is not None:
        obj["expect"] = expect_to_json(block.expect)
    return obj


def json_line(obj: JsonObject) -> str:
    """One stream line: the RFC 8785 canonical form of obj, with its newline."""
    return canonicalize(obj).decode("utf-8") + "\n"


# ---- strict parsing --------------------------------------------------------------------------


class _Where:
    """Where a value being parsed came from, to locate errors."""

    __slots__ = ("line", "path")

    def __init__(self, path: str, line: int) -> None:
        self.path = path
        self.line = line

    def fail(self, what: str) -> ErrStreamFormat:
        return ErrStreamFormat(what, path=self.path, line=self.line)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> JsonObject:
    obj: JsonObject = {}
    for key, value in pairs:
        if key in obj:
            raise ValueError(f"duplicate key {key!r}")
        obj[key] = value
    return obj


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def parse_json_line(text: str, where: _Where) -> JsonObject:
    """A line's JSON object; duplicate keys, NaN/Infinity and non-objects are refused."""
    try:
        value = json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant
        )
    except ValueError as exc:
        raise where.fail(f"invalid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise where.fail(f"expected a JSON object, got {type(value).__name__}")
    return value


def _keys(obj: JsonObject, required: set[str], optional: set[str], what: str, w: _Where) -> None:
    missing = sorted(required - obj.keys())
    if missing:
        raise w.fail(f"{what}: missing {', '.join(missing)}")
    unknown = sorted(obj.keys() - required - optional)
    if unknown:
        raise w.fail(f"{what}: unknown field {', '.join(unknown)}")


def _int(obj: JsonObject, key: str, w: _Where, *, low: int = 0, high: int = INT64_MAX) -> int:
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise w.fail(f"{key}: expected an integer, got {json.dumps(value)}")
    if not low <= value <= high:
        raise w.fail(f"{key}: {value} outside [{low}, {high}]")
    return value


def _str(obj: JsonObject, key: str, w: _Where) -> str:
    value = obj[key]
    if not isinstance(value, str):
        raise w.fail(f"{key}: expected a string, got {json.dumps(value)}")
    return value


def _hex(obj: JsonObject, key: str, w: _Where, size: int = 32) -> str:
    value = _str(obj, key, w)
    if len(value) != 2 * size or any(c not in "0123456789abcdef" for c in value):
        raise w.fail(f"{key}: expected {2 * size} lowercase hex digits")
    return value


def _bytes_b64(value: object, what: str, w: _Where) -> bytes:
    if not isinstance(value, str):
        raise w.fail(f"{what}: expected a base64 string")
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise w.fail(f"{what}: invalid base64") from None
    if b64(data) != value:
        raise w.fail(f"{what}: non-canonical base64 (padding or trailing bits)")
    return data


def _object(value: object, what: str, w: _Where) -> JsonObject:
    if not isinstance(value, dict):
        raise w.fail(f"{what}: expected an object")
    return value


def _list(value: object, what: str, w: _Where) -> list[Any]:
    if not isinstance(value, list):
        raise w.fail(f"{what}: expected a list")
    return value


def header_from_json(obj: JsonObject, w: _Where) -> StreamHeader:
    """The header from its line's object, checked strictly."""
    if obj.get("format") != STREAM_FORMAT:
        raise w.fail(f"not a tx stream: format must be {STREAM_FORMAT!r}")
    if obj.get("version") != STREAM_VERSION:
        raise w.fail(f"unsupported stream version {json.dumps(obj.get('version'))}")
    _keys(
        obj,
        {"format", "version", "chain_id", "genesis_time_ms", "genesis_sha256"},
        {"initial_height", "block_interval_ms", "genesis", "genesis_path", "meta"},
        "header",
        w,
    )
    chain_id = _str(obj, "chain_id", w)
    if not chain_id:
        raise w.fail("chain_id: must not be empty")
    genesis = _object(obj["genesis"], "genesis", w) if "genesis" in obj else None
    genesis_path = _str(obj, "genesis_path", w) if "genesis_path" in obj else None
    if (genesis is None) == (genesis_path is None):
        raise w.fail("header: give exactly one of genesis and genesis_path")
    sha = _hex(obj, "genesis_sha256", w)
    if genesis is not None:
        try:
            actual = genesis_digest(genesis)
        except CodecError as exc:
            raise w.fail(f"genesis: {exc.log}") from None
        if actual != sha:
            raise ErrGenesisMismatch(
                f"inline genesis has sha256 {actual}, header says {sha}", path=w.path, line=w.line
            )
    return StreamHeader(
        chain_id=chain_id,
        genesis_time_ms=_int(obj, "genesis_time_ms", w),
        genesis_sha256=sha,
        initial_height=_int(obj, "initial_height", w, low=1) if "initial_height" in obj else 1,
        block_interval_ms=(
            _int(obj, "block_interval_ms", w, low=1)
            if "block_interval_ms" in obj
            else DEFAULT_BLOCK_INTERVAL_MS
        ),
        genesis=genesis,
        genesis_path=genesis_path,
        meta=_object(obj["meta"], "meta", w) if "meta" in obj else {},
    )


def commit_from_json(value: object, w: _Where) -> CommitInfo:
    """An extended commit from JSON."""
    obj = _object(value, "last_commit", w)
    _keys(obj, {"round", "votes"}, set(), "last_commit", w)
    votes: list[VoteInfo] = []
    for i, raw in enumerate(_list(obj["votes"], "last_commit.votes", w)):
        vote = _object(raw, f"last_commit.votes[{i}]", w)
        _keys(
            vote,
            {"validator", "power"},
            {"block_id_flag", "vote_extension", "extension_signature"},
            f"last_commit.votes[{i}]",
            w,
        )
        flag = _int(vote, "block_id_flag", w, high=3) if "block_id_flag" in vote else 2
        votes.append(
            VoteInfo(
                validator=_str(vote, "validator", w),
                power=_int(vote, "power", w),
                block_id_flag=BlockIDFlag(flag),
                vote_extension=_bytes_b64(vote.get("vote_extension", ""), "vote_extension", w),
                extension_signature=_bytes_b64(
                    vote.get("extension_signature", ""), "extension_signature", w
                ),
            )
        )
    return CommitInfo(round=_int(obj, "round", w), votes=tuple(votes))


def expect_from_json(value: object, w: _Where) -> BlockExpect:
    """A block's expected results from JSON."""
    obj = _object(value, "expect", w)
    _keys(obj, set(), {"tx_results", "begin_events", "end_events", "app_hash"}, "expect", w)
    tx_results: tuple[TxExpect, ...] | None = None
    if "tx_results" in obj:
        results: list[TxExpect] = []
        for i, raw in enumerate(_list(obj["tx_results"], "expect.tx_results", w)):
            item = _object(raw, f"expect.tx_results[{i}]", w)
            _keys(item, {"code", "codespace"}, {"events"}, f"expect.tx_results[{i}]", w)
            results.append(
                TxExpect(
                    code=_int(item, "code", w, high=0xFFFFFFFF),
                    codespace=_str(item, "codespace", w),
                    events=_hex(item, "events", w) if "events" in item else None,
                )
            )
        tx_results = tuple(results)
    return BlockExpect(
        tx_results=tx_results,
        begin_events=_hex(obj, "begin_events", w) if "begin_events" in obj else None,
        end_events=_hex(obj, "end_events", w) if "end_events" in obj else None,
        app_hash=_hex(obj, "app_hash", w) if "app_hash" in obj else None,
    )


def block_from_json(obj: JsonObject, w: _Where) -> StreamBlock:
    """A block from its line's object, checked strictly (order is checked by the reader)."""
    _keys(obj, {"height", "time_ms", "txs"}, {"proposer", "last_commit", "expect"}, "block", w)
    txs = tuple(_bytes_b64(tx, f"txs[{i}]", w) for i, tx in enumerate(_list(obj["txs"], "txs", w)))
    expect = expect_from_json(obj["expect"], w) if "expect" in obj else None
    if expect is not None and expect.tx_results is not None and len(expect.tx_results) != len(txs):
        raise w.fail(f"expect.tx_results: {len(expect.tx_results)} results for {len(txs)} txs")
    return StreamBlock(
        height=_int(obj, "height", w, low=1),
        time_ms=_int(obj, "time_ms", w),
        txs=txs,
        proposer=_str(obj, "proposer", w) if "proposer" in obj else None,
        last_commit=commit_from_json(obj["last_commit"], w) if "last_commit" in obj else None,
        expect=expect,
    )


# ---- reading ---------------------------------------------------------------------------------


class StreamReader:
    """A stream file opened for reading: its header now, its blocks lazily, in order.

    Iterating checks that heights increase from initial_height and that each block's time
    is later than the time of the height before it (listed or implied).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._name = str(path)
        try:
            with self.path.open("r", encoding="utf-8") as f:
                first = f.readline()
        except FileNotFoundError:
            raise ErrStreamFormat("no such file", path=self._name) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ErrStreamFormat(f"cannot read: {exc}", path=self._name) from None
        if not first.strip():
            raise ErrStreamFormat(
                "empty stream: the first line must be the header", path=self._name, line=1
            )
        w = _Where(self._name, 1)
        self.header = header_from_json(parse_json_line(first, w), w)

    def genesis(self) -> JsonObject:
        """The genesis document: inline, or read from genesis_path and checked by sha256."""
        if self.header.genesis is not None:
            return self.header.genesis
        assert self.header.genesis_path is not None  # header_from_json guarantees one of them
        gpath = self.path.parent / self.header.genesis_path
        return load_genesis_file(gpath, self.header.genesis_sha256)

    def __iter__(self) -> Iterator[StreamBlock]:
        return self.blocks()

    def blocks(self) -> Iterator[StreamBlock]:
        """Every listed block in order, each checked against the one before."""
        header = self.header
        last_height, last_time = anchor_of(header)
        try:
            with self.path.open("r", encoding="utf-8") as f:
                f.readline()
                for number, text in enumerate(f, start=2):
                    w = _Where(self._name, number)
                    if not text.strip():
                        raise w.fail("empty line")
                    block = block_from_json(parse_json_line(text, w), w)
                    if block.height <= last_height:
                        raise w.fail(f"height {block.height} does not follow height {last_height}")
                    before = next_time(
                        last_height, last_time, block.height - 1, header.block_interval_ms
                    )
                    if block.time_ms <= before:
                        raise w.fail(
                            f"time_ms {block.time_ms} is not after the time of height "
                            f"{block.height - 1} ({before})"
                        )
                    last_height, last_time = block.height, block.time_ms
                    yield block
        except UnicodeDecodeError as exc:
            raise ErrStreamFormat(f"not UTF-8: {exc}", path=self._name) from None


def load_genesis_file(path: str | Path, sha256: str | None = None) -> JsonObject:
    """A genesis JSON file, checked against sha256(JCS(genesis)) when a digest is given."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ErrStreamFormat("genesis file not found", path=name) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ErrStreamFormat(f"cannot read genesis: {exc}", path=name) from None
    try:
        genesis = json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant
        )
    except json.JSONDecodeError as exc:
        raise ErrStreamFormat(f"invalid JSON: {exc.msg}", path=name, line=exc.lineno) from None
    except ValueError as exc:
        raise ErrStreamFormat(f"invalid JSON: {exc}", path=name) from None
    if not isinstance(genesis, dict):
        raise ErrStreamFormat("genesis must be a JSON object", path=name, line=1)
    if sha256 is not None:
        try:
            actual = genesis_digest(genesis)
        except CodecError as exc:
            raise ErrStreamFormat(f"genesis: {exc.log}", path=name) from None
        if actual != sha256:
            raise ErrGenesisMismatch(f"sha256 is {actual}, the stream says {sha256}", path=name)
    return genesis


def read_stream(path: str | Path) -> tuple[StreamHeader, list[StreamBlock]]:
    """The header and every block of a stream (for small streams; large ones: StreamReader)."""
    reader = StreamReader(path)
    return reader.header, list(reader.blocks())


# ---- writing ---------------------------------------------------------------------------------


class StreamWriter:
    """Writes a stream line by line: the header first, then blocks in height order.

    Use as a context manager over a path, or hand it an open text file (which it leaves
    open). Blocks are checked for order as they are written, so a writer never produces a
    stream the reader would refuse.
    """

    def __init__(self, target: str | Path | IO[str], header: StreamHeader) -> None:
        if isinstance(target, str | Path):
            self._file: IO[str] = Path(target).open(  # noqa: SIM115  # closed by close()
                "w", encoding="utf-8", newline="\n"
            )
            self._owned = True
        else:
            self._file = target
            self._owned = False
        self.header = header
        self._last_height, self._last_time = anchor_of(header)
        self._file.write(json_line(header_to_json(header)))

    def write_block(self, block: StreamBlock) -> None:
        """Append one block (heights increase; time after the previous height's time)."""
        if block.height <= self._last_height:
            raise ErrStreamFormat(f"block {block.height} written after block {self._last_height}")
        before = next_time(
            self._last_height, self._last_time, block.height - 1, self.header.block_interval_ms
        )
        if block.time_ms <= before:
            raise ErrStreamFormat(f"block {block.height}: time {block.time_ms} not after {before}")
        self._last_height, self._last_time = block.height, block.time_ms
        self._file.write(json_line(block_to_json(block)))

    def flush(self) -> None:
        """Flush the underlying file."""
        self._file.flush()

    def close(self) -> None:
        """Close the file if the writer opened it."""
        if self._owned:
            self._file.close()
        else:
            self._file.flush()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def write_stream(path: str | Path, header: StreamHeader, blocks: Sequence[StreamBlock]) -> None:
    """Write a whole stream to path."""
    with StreamWriter(path, header) as writer:
        for block in blocks:
            writer.write_block(block)


def new_header(
    chain_id: str,
    genesis: Mapping[str, Any],
    genesis_time_ms: int,
    *,
    initial_height: int = 1,
    block_interval_ms: int = DEFAULT_BLOCK_INTERVAL_MS,
    genesis_path: str | None = None,
    meta: Mapping[str, Any] | None = None,
) -> StreamHeader:
    """A header for genesis, inline unless genesis_path names the file it will be read from."""
    return StreamHeader(
        chain_id=chain_id,
        genesis_time_ms=genesis_time_ms,
        genesis_sha256=genesis_digest(genesis),
        initial_height=initial_height,
        block_interval_ms=block_interval_ms,
        genesis=None if genesis_path is not None else dict(genesis),
        genesis_path=genesis_path,
        meta=dict(meta or {}),
    )


__all__ = [
    "DEFAULT_BLOCK_INTERVAL_MS",
    "STREAM_FORMAT",
    "STREAM_VERSION",
    "BlockExpect",
    "StreamBlock",
    "StreamHeader",
    "StreamReader",
    "StreamWriter",
    "TxExpect",
    "anchor_of",
    "block_from_json",
    "block_to_json",
    "events_digest",
    "events_json",
    "genesis_digest",
    "header_from_json",
    "header_to_json",
    "load_genesis_file",
    "new_header",
    "next_time",
    "read_stream",
    "write_stream",
]
