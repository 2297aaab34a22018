"""Chain cases: a genesis and a tx stream in, per-block results and the final state out.

specs/vectors.md "chain". A case's inputs are `pre.json` (a genesis document, specs/app.md
§6) and `stream.jsonl` (the harness's tx stream format, dait_chain/sim/stream.py, whose
header names `pre.json` by `genesis_path`). `run_chain` replays them through the harness
(sparse time) and writes:

- `results.json`: `init_chain` (the genesis app hash) and `blocks`, every block the
  harness ran in height order (`listed`: false for idle heights it ran because a module
  had work due), each with its begin/end events, tx results (code, codespace, log,
  events) and app hash;
- `post.json`: the genesis export after the last block.

An input that must be rejected as a whole (a genesis the chain refuses, a malformed or
out-of-order stream, a stream whose expected results diverge) gives `results.json` with
`rejected` = {at, error} and no `post.json`; meta.json's `rejected` says why.

`ChainBuilder` writes such cases: it drives the same harness while a generator decides
what to sign next from the committed state, and records exactly the blocks it ran.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from dait_chain.app.abci import FinalizeBlockResult, TxResult
from dait_chain.app.app import DaitApp
from dait_chain.app.events import Event
from dait_chain.app.genesis import GenesisSpec, GenesisValidator, build_genesis
from dait_chain.app.tx import build_tx
from dait_chain.codec.value import ProtoValue
from dait_chain.crypto.address import address_from_pubkey
from dait_chain.crypto.secp256k1 import privkey_from_seed, pubkey_from_privkey
from dait_chain.errors import DaitError
from dait_chain.sim.errors import ErrInvariantBroken
from dait_chain.sim.harness import BlockRun, Harness
from dait_chain.sim.stream import StreamBlock, StreamHeader, StreamReader, new_header, write_stream
from dait_chain.spurc.simworld import account_privkey
from dait_chain.vectors.case import CaseSpec, Handler, Outcome
from dait_chain.vectors.files import JsonObject, error_ref, json_bytes, need, parse_json

PRE = "pre.json"
STREAM = "stream.jsonl"
RESULTS = "results.json"
POST = "post.json"
GENESIS_TIME_MS = 1_700_000_000_000
CHAIN_ID = "dait-vectors-1"


# ---- actors --------------------------------------------------------------------------------


class Signer(Protocol):
    """Anything with an account key and its address."""

    @property
    def privkey(self) -> bytes: ...

    @property
    def address(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Party:
    """A named account: the harness's actor keys (spurc.simworld.account_privkey)."""

    name: str
    privkey: bytes
    address: str
    consensus_privkey: bytes

    @property
    def pubkey(self) -> bytes:
        return pubkey_from_privkey(self.privkey)

    @property
    def consensus_pubkey(self) -> bytes:
        return pubkey_from_privkey(self.consensus_privkey)


def party(name: str) -> Party:
    """The party `name`, with the same keys a scenario actor of that name gets."""
    priv = account_privkey(name)
    return Party(
        name,
        priv,
        address_from_pubkey(pubkey_from_privkey(priv)),
        privkey_from_seed(b"dait-sim/consensus/" + name.encode()),
    )


class HasAddress(Protocol):
    """Anything with an account address."""

    @property
    def address(self) -> str: ...


def genesis_of(
    funded: Sequence[tuple[HasAddress, int]],
    validators: Sequence[tuple[Party, int]] = (),
    sections: Mapping[str, dict[str, Any]] | None = None,
    **spec: Any,
) -> dict[str, Any]:
    """A consistent genesis (specs/app.md §6): funded accounts, bonded validators, and
    extra module sections."""
    return build_genesis(
        GenesisSpec(
            chain_id=spec.pop("chain_id", CHAIN_ID),
            genesis_time_ms=spec.pop("genesis_time_ms", GENESIS_TIME_MS),
            accounts=tuple((p.address, amount) for p, amount in funded),
            validators=tuple(
                GenesisValidator(p.address, p.consensus_pubkey, bond) for p, bond in validators
            ),
            sections=dict(sections or {}),
            **spec,
        )
    )


# ---- writing cases -------------------------------------------------------------------------


@dataclass
class Collect:
    """A harness observer keeping every block run."""

    runs: list[BlockRun] = field(default_factory=list)

    def on_block(self, run: BlockRun) -> None:
        self.runs.append(run)


class InvariantGuard:
    """After every block, every registered invariant must hold (the harness's
    `--invariants-every 1`); a broken one stops the run with ErrInvariantBroken."""

    def __init__(self, app: DaitApp) -> None:
        self.app = app

    def on_block(self, run: BlockRun) -> None:
        broken = self.app.check_invariants()
        if broken:
            module, name, message = broken[0]
            raise ErrInvariantBroken(
                f"{module}/{name}: {message}", height=run.height, invariant=f"{module}/{name}"
            )


class ChainBuilder:
    """A harness on a genesis that records every block it is asked to run."""

    def __init__(self, genesis: dict[str, Any]) -> None:
        self.genesis = genesis
        self._runs = Collect()
        self.harness = Harness.from_genesis(genesis, observers=[self._runs])
        self.harness.observers.append(InvariantGuard(self.harness.app))
        self._init_hash = self.harness.app.app_hash.hex()
        self.blocks: list[StreamBlock] = []
        self.results: list[FinalizeBlockResult] = []
        self._pending: dict[str, int] = {}

    @property
    def app(self) -> DaitApp:
        return self.harness.app

    @property
    def height(self) -> int:
        return self.harness.clock_height

    @property
    def time_ms(self) -> int:
        return self.harness.clock_time

    def sign(
        self,
        who: Signer,
        *msgs: ProtoValue,
        fee: int | None = None,
        sequence: int | None = None,
        account_number: int | None = None,
        chain_id: str | None = None,
        **options: Any,
    ) -> bytes:
        """A tx of msgs signed by who at its next sequence (counting the txs it already
        signed for the next block)."""
        ctx = self.app.query_context()
        account = self.app.auth.account(ctx, who.address)
        number, seq = (0, 0) if account is None else (account.account_number, account.sequence)
        ahead = self._pending.get(who.address, 0)
        self._pending[who.address] = ahead + 1
        min_fee = self.app.auth.get_params(ctx).min_fee
        return build_tx(
            list(msgs),
            who.privkey,
            self.app.chain_id if chain_id is None else chain_id,
            number if account_number is None else account_number,
            seq + ahead if sequence is None else sequence,
            min_fee if fee is None else fee,
            **options,
        )

    def block(
        self,
        *txs: bytes,
        time_ms: int | None = None,
        height: int | None = None,
        proposer: str | None = None,
    ) -> FinalizeBlockResult:
        """Run the next block (or the one at `height`, crossing idle heights sparsely)."""
        h = self.height + 1 if height is None else height
        when = self.harness.implied_time(h) if time_ms is None else time_ms
        block = StreamBlock(h, when, tuple(txs), proposer)
        run = self.harness.run_block(block)
        self.blocks.append(block)
        self.results.append(run.result)
        self._pending.clear()
        return run.result

    def outcome(self) -> Outcome:
        """What run_chain gives for this builder's stream: every block it ran, the export."""
        results = {
            "init_chain": {"app_hash": self._init_hash},
            "blocks": [block_json(r) for r in self._runs.runs],
        }
        return Outcome({RESULTS: json_bytes(results), POST: json_bytes(self.app.export_genesis())})

    def tx(self, who: Signer, *msgs: ProtoValue, **kw: Any) -> TxResult:
        """One tx in its own block; its result."""
        return self.block(self.sign(who, *msgs), **kw).tx_results[0]


def stream_header(genesis: Mapping[str, Any]) -> StreamHeader:
    """The stream header of a case's genesis (genesis_path = pre.json)."""
    return new_header(
        str(genesis["chain_id"]),
        genesis,
        int(str(genesis.get("genesis_time_ms", "0"))),
        initial_height=int(str(genesis.get("initial_height", "1"))),
        genesis_path=PRE,
    )


def stream_bytes(genesis: Mapping[str, Any], blocks: Iterable[StreamBlock]) -> bytes:
    """The stream file of a case (header with genesis_path = pre.json)."""
    header = stream_header(genesis)
    with tempfile.TemporaryDirectory(prefix="dait-vectors-") as tmp:
        path = Path(tmp) / STREAM
        write_stream(path, header, list(blocks))
        return path.read_bytes()


def chain_case(
    suite: str,
    name: str,
    description: str,
    rule: str,
    source: str,
    genesis: dict[str, Any],
    blocks: Sequence[StreamBlock],
    *,
    stream: bytes | None = None,
) -> CaseSpec:
    """A chain case from a genesis and the blocks to run on it."""
    return CaseSpec(
        suite,
        name,
        description,
        rule,
        source,
        {
            PRE: json_bytes(genesis),
            STREAM: stream if stream is not None else stream_bytes(genesis, blocks),
        },
    )


def built(
    suite: str, name: str, description: str, rule: str, source: str, b: ChainBuilder
) -> CaseSpec:
    """The case of what a builder ran."""
    case = chain_case(suite, name, description, rule, source, b.genesis, b.blocks)
    return replace(case, outcome=b.outcome())


# ---- running cases -------------------------------------------------------------------------


def events_json(events: Sequence[Event]) -> list[JsonObject]:
    """Events as JSON: type and ordered attributes."""
    return [
        {"type": e.type, "attributes": [{"key": a.key, "value": a.value} for a in e.attributes]}
        for e in events
    ]


def tx_result_json(result: TxResult) -> JsonObject:
    return {
        "code": result.code,
        "codespace": result.codespace,
        "log": result.log,
        "events": events_json(result.events),
    }


def block_json(run: BlockRun) -> JsonObject:
    result = run.result
    return {
        "height": run.height,
        "time_ms": run.time_ms,
        "proposer": run.proposer,
        "listed": run.listed,
        "begin_events": events_json(result.begin_events),
        "tx_results": [tx_result_json(r) for r in result.tx_results],
        "end_events": events_json(result.end_events),
        "app_hash": result.app_hash.hex(),
    }


def run_chain(inputs: Mapping[str, bytes]) -> Outcome:
    """Replay pre.json + stream.jsonl; results.json and post.json, or the rejection."""
    parse_json(need(inputs, PRE), PRE)  # a pre.json that is not JSON is a bad vector file
    collect = Collect()
    results: JsonObject = {}
    with tempfile.TemporaryDirectory(prefix="dait-vectors-") as tmp:
        (Path(tmp) / PRE).write_bytes(need(inputs, PRE))
        (Path(tmp) / STREAM).write_bytes(need(inputs, STREAM))
        at = "stream header"
        try:
            reader = StreamReader(Path(tmp) / STREAM)
            at = "init_chain"
            harness = Harness.from_stream_header(
                reader.header, reader.genesis(), observers=[collect]
            )
            harness.observers.append(InvariantGuard(harness.app))
            results["init_chain"] = {"app_hash": harness.app.app_hash.hex()}
            at = "blocks"
            harness.run_blocks(reader.blocks(), check=True)
        except DaitError as exc:
            results["blocks"] = [block_json(r) for r in collect.runs]
            results["rejected"] = {"at": at, "error": error_ref(exc)}
            reason = f"{at}: {type(exc).__name__} ({exc.codespace}/{exc.code})"
            return Outcome({RESULTS: json_bytes(results)}, rejected=reason)
        results["blocks"] = [block_json(r) for r in collect.runs]
        post = harness.app.export_genesis()
    return Outcome({RESULTS: json_bytes(results), POST: json_bytes(post)})


CHAIN_FILES = {
    PRE: "genesis document (specs/app.md §6)",
    STREAM: "tx stream (dait_chain/sim/stream.py), genesis_path = pre.json",
    RESULTS: "{init_chain, blocks: [{height, time_ms, proposer, listed, begin_events, tx_results, "
    "end_events, app_hash}], rejected?}",
    POST: "genesis export after the last block (absent when rejected)",
}


def chain_handler(name: str, summary: str, generate: Callable[[], Iterator[CaseSpec]]) -> Handler:
    """A `chain/<name>` handler."""
    return Handler("chain", name, summary, generate, run_chain, CHAIN_FILES)


__all__ = [
    "CHAIN_ID",
    "GENESIS_TIME_MS",
    "ChainBuilder",
    "Party",
    "built",
    "chain_case",
    "chain_handler",
    "genesis_of",
    "party",
    "run_chain",
    "stream_bytes",
    "stream_header",
]
