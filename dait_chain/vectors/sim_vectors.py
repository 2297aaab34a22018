"""sim vectors: the harness's file formats as inputs (specs/vectors.md "sim").

- `sim/stream`: tx streams the harness replays or refuses (malformed lines, out-of-order
  blocks, a genesis that is not the one the header names, expected results that diverge).
  Same files as chain cases (pre.json, stream.jsonl -> results.json, post.json).
- `sim/scenario`: scenario YAML -> the compiled tx stream (with expected results) and the
  final state, or the scenario's refusal.
- `sim/checkpoint`: a stream and a checkpoint taken on it -> the blocks after the
  checkpoint and the final state, or the checkpoint's refusal.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from dait_chain.codec.jcs import canonicalize
from dait_chain.crypto.address import module_address
from dait_chain.errors import DaitError
from dait_chain.sim.checkpoint import read_checkpoint, resume, take_checkpoint
from dait_chain.sim.compiler import compile_scenario
from dait_chain.sim.harness import Harness, expect_of
from dait_chain.sim.scenario import parse_scenario
from dait_chain.sim.stream import StreamBlock, StreamReader, json_line, new_header, write_stream
from dait_chain.vectors.case import CaseSpec, Handler, Outcome
from dait_chain.vectors.chain_base import ALICE, BOB, base, send
from dait_chain.vectors.chain_run import (
    CHAIN_FILES,
    POST,
    PRE,
    RESULTS,
    STREAM,
    ChainBuilder,
    Collect,
    block_json,
    chain_case,
    run_chain,
    stream_bytes,
    stream_header,
)
from dait_chain.vectors.files import JsonObject, error_ref, json_bytes, need

SPEC = "specs/harness.md"
STREAM_RULE = (
    "Tx streams: JSONL header + blocks, expected results, strict reader (dait_chain/sim/stream.py)"
)


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8").splitlines(keepends=True)


def stream_cases() -> Iterator[CaseSpec]:
    """A stream with its expected results, and streams the harness refuses."""
    b = base()
    b.block(b.sign(ALICE, send(ALICE, BOB)))
    expected = [
        replace(blk, expect=expect_of(res)) for blk, res in zip(b.blocks, b.results, strict=True)
    ]
    good = stream_bytes(b.genesis, expected)
    lines = _lines(good)
    yield chain_case(
        "replay",
        "expected_results_hold",
        "a stream carrying its expected results (events digests, app hashes): the replay checks "
        "them",
        "expect is optional, and so is each of its keys: what is present is checked on replay",
        f'{SPEC} "Tx streams"',
        b.genesis,
        [],
        stream=good,
    )
    second = json.loads(lines[2])
    second["expect"]["app_hash"] = "00" * 32
    yield chain_case(
        "refused",
        "divergent_app_hash",
        "block 2's expected app hash is wrong",
        "the first divergence stops the replay with its height and tx index",
        f'{SPEC} "Replay"',
        b.genesis,
        [],
        stream="".join([*lines[:2], json_line(second)]).encode(),
    )
    header = json.loads(lines[0])
    header["genesis_sha256"] = "11" * 32
    yield chain_case(
        "refused",
        "genesis_sha256_mismatch",
        "the header names another genesis",
        "genesis_sha256 is sha256(JCS(genesis)) ... so a reader can check a genesis file it was "
        "handed separately",
        f'{SPEC} "Tx streams"',
        b.genesis,
        [],
        stream="".join([json_line(header), *lines[1:]]).encode(),
    )
    first = json.loads(lines[1])
    malformed: list[tuple[str, str, list[str]]] = [
        ("empty_stream", "no header line", []),
        ("not_json", "a block line that is not JSON", [lines[0], "{height: 1}\n"]),
        (
            "unknown_field",
            "a block with an unknown key",
            [lines[0], json_line({**first, "gas": 1})],
        ),
        ("height_not_increasing", "block 2 listed twice", [lines[0], lines[1], lines[2], lines[2]]),
        (
            "time_not_after",
            "block 2 at block 1's time",
            [lines[0], lines[1], json_line({**json.loads(lines[2]), "time_ms": first["time_ms"]})],
        ),
        (
            "non_canonical_base64",
            "a tx in unpadded base64",
            [
                lines[0],
                json_line(
                    {
                        **first,
                        "txs": [
                            t.rstrip("=") + ("" if t.endswith("=") else "=") for t in first["txs"]
                        ],
                    }
                ),
            ],
        ),
        ("empty_line", "an empty line between blocks", [lines[0], lines[1], "\n", lines[2]]),
        (
            "wrong_format",
            "a header of another format",
            [json_line({**header, "format": "not-a-stream"}), *lines[1:]],
        ),
        (
            "duplicate_key",
            "a block line with a key twice",
            [lines[0], lines[1].replace('"time_ms"', '"height":1,"time_ms"', 1)],
        ),
    ]
    for name, what, body in malformed:
        yield chain_case(
            "refused",
            name,
            what,
            STREAM_RULE,
            f'{SPEC} "Tx streams"',
            b.genesis,
            [],
            stream="".join(body).encode(),
        )
    other = {**b.genesis, "chain_id": "another-chain"}
    relabelled = json_line({**header, "genesis_sha256": _digest(other)})
    yield invariant_case()
    yield chain_case(
        "refused",
        "genesis_chain_id_mismatch",
        "pre.json (matching the header's digest) names another chain id than the header",
        "Harness.from_stream_header refuses a genesis that disagrees with the header on chain id, "
        "genesis time or initial height",
        f'{SPEC} "Tx streams"',
        other,
        [],
        stream="".join([relabelled, *lines[1:]]).encode(),
    )


def invariant_case() -> CaseSpec:
    """A genesis every module accepts but whose state breaks an invariant: the
    state_channel module account holds 5 uDAIT and no channel escrows them."""
    genesis = base().genesis
    escrow = module_address("state_channel")
    balances = sorted(
        [*genesis["bank"]["balances"], {"address": escrow, "amount": "5"}],
        key=lambda b: str(b["address"]),
    )
    doc = {
        **genesis,
        "bank": {"balances": balances, "supply": str(int(genesis["bank"]["supply"]) + 5)},
    }
    return chain_case(
        "refused",
        "invariant_broken",
        "state_channel/escrow-balance fails after block 1",
        "Invariants are (name, fn(ctx) -> (message, broken)), registered per module, run every N "
        "blocks; the first broken one stops the run (anchors.md)",
        f'{SPEC} "Invariants"; specs/state_channel.md §12',
        doc,
        [StreamBlock(1, int(doc["genesis_time_ms"]), ())],
    )


def _digest(genesis: Mapping[str, object]) -> str:
    import hashlib

    return hashlib.sha256(canonicalize(dict(genesis))).hexdigest()


# ---- sim/scenario --------------------------------------------------------------------------


def run_scenario(inputs: Mapping[str, bytes]) -> Outcome:
    """Compile scenario.yaml: the stream it compiles to (expected results included) and
    the final state; or the refusal."""
    try:
        text = need(inputs, "scenario.yaml").decode("utf-8")
    except UnicodeDecodeError:
        text = "\ufffd"
    try:
        compiled = compile_scenario(parse_scenario(text, "scenario.yaml"))
    except DaitError as exc:
        result = {"rejected": {"at": "compile", "error": error_ref(exc)}}
        return Outcome(
            {RESULTS: json_bytes(result)},
            rejected=f"compile: {type(exc).__name__} ({exc.codespace}/{exc.code})",
        )
    genesis = compiled.genesis
    header = new_header(
        compiled.header.chain_id,
        genesis,
        compiled.header.genesis_time_ms,
        initial_height=compiled.header.initial_height,
        block_interval_ms=compiled.header.block_interval_ms,
        genesis_path=PRE,
    )
    with tempfile.TemporaryDirectory(prefix="dait-vectors-") as tmp:
        write_stream(Path(tmp) / STREAM, header, list(compiled.blocks))
        stream = (Path(tmp) / STREAM).read_bytes()
    return Outcome(
        {
            PRE: json_bytes(genesis),
            STREAM: stream,
            POST: json_bytes(compiled.harness.app.export_genesis()),
        }
    )


def scenario_cases() -> Iterator[CaseSpec]:
    """A scenario with the core actions, and scenarios the harness refuses."""
    rule = (
        "A scenario (YAML with named actors and high-level actions ...) compiled "
        "deterministically into a tx stream (architecture guide)"
    )
    good = (
        "scenario: vectors\nseed: 7\nchain_id: dait-sim-1\nend_height: 12\n"
        "params:\n  staking: {unbonding_time_ms: 5000}\n"
        "actors:\n  alice: {balance: 50 DAIT}\n  bob: {balance: 20 DAIT}\n"
        "  val-a: {balance: 10 DAIT, validator: {self_bond: 100 DAIT}}\n"
        "actions:\n  - at: 2\n    send: {from: alice, to: bob, amount: 1.5 DAIT}\n"
        "  - at: 3\n    delegate: {delegator: bob, validator: val-a, amount: 2 DAIT}\n"
        "  - at: 4\n    undelegate: {delegator: bob, validator: val-a, amount: 1 DAIT}\n"
        "  - at: 5\n    send: {from: bob, to: alice, amount: 1000 DAIT}\n    expect: {code: 5, "
        "codespace: sdk}\n"
    )
    yield CaseSpec(
        "compiled",
        "core_actions",
        "send, delegate, undelegate and an expected refusal",
        rule,
        f'{SPEC} "Scenarios"',
        {"scenario.yaml": good.encode()},
    )
    for name, what, text in (
        ("invalid_yaml", "not YAML", "scenario: [unclosed\n"),
        ("unknown_top_key", "a key the format does not have", good + "colour: blue\n"),
        ("unknown_action", "an action nobody registered", good.replace("undelegate:", "teleport:")),
        (
            "unknown_actor",
            "an action naming an actor not declared",
            good.replace("to: bob, amount: 1.5", "to: zoe, amount: 1.5"),
        ),
        (
            "expectation_not_met",
            "an action whose expected result does not happen",
            good.replace("expect: {code: 5, codespace: sdk}", 'expect: {code: 0, codespace: ""}'),
        ),
    ):
        yield CaseSpec(
            "refused", name, what, rule, f'{SPEC} "Scenarios"', {"scenario.yaml": text.encode()}
        )


# ---- sim/checkpoint ------------------------------------------------------------------------


def run_checkpoint(inputs: Mapping[str, bytes]) -> Outcome:
    """Resume the stream from checkpoint.json: the blocks above its height and the final
    state; or the refusal."""
    collect = Collect()
    with tempfile.TemporaryDirectory(prefix="dait-vectors-") as tmp:
        for name in (PRE, STREAM, "checkpoint.json"):
            (Path(tmp) / name).write_bytes(need(inputs, name))
        try:
            reader = StreamReader(Path(tmp) / STREAM)
            checkpoint = read_checkpoint(Path(tmp) / "checkpoint.json")
            checkpoint.check_stream(reader.header)
            harness: Harness = resume(checkpoint, observers=[collect])
            harness.run_blocks(
                (blk for blk in reader.blocks() if blk.height > checkpoint.height), check=True
            )
        except DaitError as exc:
            result: JsonObject = {
                "blocks": [block_json(r) for r in collect.runs],
                "rejected": {"at": "resume", "error": error_ref(exc)},
            }
            return Outcome(
                {RESULTS: json_bytes(result)},
                rejected=f"resume: {type(exc).__name__} ({exc.codespace}/{exc.code})",
            )
        result = {"blocks": [block_json(r) for r in collect.runs]}
        return Outcome(
            {RESULTS: json_bytes(result), POST: json_bytes(harness.app.export_genesis())}
        )


def checkpoint_cases() -> Iterator[CaseSpec]:
    """Resume at block 2 of a 4-block stream; checkpoints the harness refuses."""
    rule = (
        "A checkpoint is the exported state at a height plus the stream position; resuming "
        "runs the stream's blocks above H, with the same app hashes"
    )
    b = base()
    for _ in range(3):
        b.block(b.sign(ALICE, send(ALICE, BOB)))
    stream = stream_bytes(b.genesis, b.blocks)
    replay = ChainBuilder(b.genesis)
    replay.harness.run_blocks(iter(b.blocks[:2]))
    checkpoint = take_checkpoint(replay.harness, stream_header(b.genesis)).to_json()
    files = {PRE: json_bytes(b.genesis), STREAM: stream}
    yield CaseSpec(
        "resume",
        "at_height_2",
        "resume a 4-block stream from its checkpoint at height 2",
        rule,
        f'{SPEC} "Checkpoints"',
        {**files, "checkpoint.json": canonicalize(checkpoint) + b"\n"},
    )
    for name, what, value in (
        ("wrong_format", "format is not dait-checkpoint", {**checkpoint, "format": "nope"}),
        (
            "other_chain",
            "a checkpoint of another genesis",
            {**checkpoint, "stream_genesis_sha256": "22" * 32},
        ),
        (
            "app_hash_mismatch",
            "a state that does not reproduce the checkpoint's app hash",
            {**checkpoint, "app_hash": "33" * 32},
        ),
    ):
        yield CaseSpec(
            "refused",
            name,
            what,
            rule,
            f'{SPEC} "Checkpoints"',
            {**files, "checkpoint.json": canonicalize(value) + b"\n"},
        )
    # Another run of the same genesis and txs whose block 2 came later than this stream's
    # block 3: its checkpoint matches the chain, but resuming runs block 3 back in time.
    ahead = ChainBuilder(b.genesis)
    late = b.blocks[2].time_ms + 5_000
    ahead.harness.run_blocks(iter([b.blocks[0], replace(b.blocks[1], time_ms=late)]), check=False)
    other_run = take_checkpoint(ahead.harness, stream_header(b.genesis)).to_json()
    yield CaseSpec(
        "refused",
        "clock_ahead_of_the_stream",
        "a checkpoint of another run of this genesis, its block 2 later than this stream's "
        "block 3 (ErrBlockOrder)",
        "--resume FILE ... sets the clock's anchor to (H, time_ms), and runs the stream's "
        "blocks above H; ErrBlockOrder: a block handed to the harness ... not later in time",
        f'{SPEC} "Checkpoints", "Errors"',
        {**files, "checkpoint.json": canonicalize(other_run) + b"\n"},
    )


HANDLERS = (
    Handler(
        "sim", "stream", "tx streams replayed or refused", stream_cases, run_chain, CHAIN_FILES
    ),
    Handler(
        "sim",
        "scenario",
        "scenario YAML compiled to a tx stream, or refused",
        scenario_cases,
        run_scenario,
        {
            "scenario.yaml": "a scenario",
            "pre.json": "compiled genesis",
            "stream.jsonl": "compiled stream with expected results",
            "post.json": "final state",
            "results.json": "only when refused: {rejected}",
        },
    ),
    Handler(
        "sim",
        "checkpoint",
        "resuming a stream from a checkpoint",
        checkpoint_cases,
        run_checkpoint,
        {
            "pre.json": "genesis",
            "stream.jsonl": "tx stream",
            "checkpoint.json": "a checkpoint at height H",
            "results.json": "{blocks after H, rejected?}",
            "post.json": "final state",
        },
    ),
)

__all__ = ["HANDLERS"]
