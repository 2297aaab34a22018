"""app vectors: CometBFT proposer selection and ABCI request scripts.

specs/vectors.md "app"; specs/app.md §1 (FinalizeBlock checks), §9 (ABCI++), §10
(proposer selection). Handlers:

- `app/proposer`: a validator set (addresses as hex, powers), optional change sets, and a
  number of rounds -> the proposer of each round and the final priorities, or the error.
- `app/abci`: `pre.json` (a genesis) and `requests.json` (ABCI calls in order:
  finalize_block, extend_vote, verify_vote_extension, prepare_proposal,
  process_proposal) -> `result.json`: each call's result or error. This reaches the
  app's own block checks, which a tx stream cannot break (the harness orders blocks).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping

from dait_chain.app.abci import (
    ExtendVoteRequest,
    FinalizeBlockRequest,
    PrepareProposalRequest,
    ProcessProposalRequest,
    VerifyVoteExtensionRequest,
)
from dait_chain.app.app import DaitApp
from dait_chain.app.proposer import ProposerSet, new_proposer_set, proposer_sequence, update
from dait_chain.errors import DaitError
from dait_chain.vectors.case import CaseSpec, Handler, Outcome
from dait_chain.vectors.chain_base import ALICE, BOB, send
from dait_chain.vectors.chain_run import ChainBuilder, block_json, genesis_of, party
from dait_chain.vectors.errors import ErrVectorFile
from dait_chain.vectors.files import (
    JsonObject,
    error_ref,
    field,
    json_bytes,
    parse_hex,
    read_json,
    read_object,
)
from dait_chain.vectors.ops import OpCase, arg_int, op_handler

SPEC = "specs/app.md"


# ---- app/proposer --------------------------------------------------------------------------


def _members(value: object, what: str) -> list[tuple[bytes, int]]:
    if not isinstance(value, list):
        raise ErrVectorFile(f"{what}: expected a list of [address hex, power]")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, list) or len(item) != 2:
            raise ErrVectorFile(f"{what}[{i}]: expected [address hex, power]")
        power = item[1]
        if isinstance(power, bool) or not isinstance(power, int | str):
            raise ErrVectorFile(f"{what}[{i}]: power must be an integer")
        out.append((parse_hex(item[0], f"{what}[{i}]"), int(power)))
    return out


def _set_json(vset: ProposerSet) -> list[JsonObject]:
    return [
        {"address": v.address.hex(), "power": v.power, "priority": str(v.priority)}
        for v in vset.validators
    ]


def op_sequence(obj: JsonObject) -> JsonObject:
    """new_proposer_set(members), then for each step: the proposers of `rounds` rounds and
    the change set applied after them."""
    vset = new_proposer_set(_members(field(obj, "validators", list, "input.json"), "validators"))
    rounds: list[list[str]] = []
    for i, step in enumerate(field(obj, "steps", list, "input.json")):
        if not isinstance(step, dict):
            raise ErrVectorFile(f"input.json.steps[{i}]: expected an object")
        proposers, vset = proposer_sequence(vset, arg_int(step, "rounds"))
        rounds.append([p.hex() for p in proposers])
        if "changes" in step:
            vset = update(vset, _members(step["changes"], f"steps[{i}].changes"))
    return {"proposers": rounds, "final": _set_json(vset)}


def _addr(name: str) -> str:
    return name.encode().ljust(20, b"\x00").hex()


def proposer_cases() -> Iterator[OpCase]:
    """CometBFT's TestProposerSelection1 and 2, updates, and each refusal."""
    rule = (
        "CometBFT: proposer priority (weighted round robin; ties to the lower address) (anchors.md)"
    )
    src = f"{SPEC} §10"
    foo, bar, baz = _addr("foo"), _addr("bar"), _addr("baz")
    yield OpCase(
        "cometbft",
        "proposer_selection_1",
        "foo 1000, bar 300, baz 330: 99 proposers (TestProposerSelection1)",
        rule,
        src,
        {
            "op": "sequence",
            "validators": [[foo, 1000], [bar, 300], [baz, 330]],
            "steps": [{"rounds": 99}],
        },
    )
    a1, a2, a3 = ("00" * 19 + "00"), ("00" * 19 + "01"), ("00" * 19 + "02")
    yield OpCase(
        "cometbft",
        "equal_power",
        "three validators of power 100: ties to the lower address",
        rule,
        src,
        {
            "op": "sequence",
            "validators": [[a1, 100], [a2, 100], [a3, 100]],
            "steps": [{"rounds": 15}],
        },
    )
    yield OpCase(
        "cometbft",
        "with_update",
        "a power change and a removal between rounds",
        rule,
        src,
        {
            "op": "sequence",
            "validators": [[foo, 1000], [bar, 300], [baz, 330]],
            "steps": [{"rounds": 10, "changes": [[bar, 2000], [baz, 0]]}, {"rounds": 10}],
        },
    )
    for name, members, steps, what in (
        ("empty_set", [], [{"rounds": 1}], "no validators"),
        ("duplicate", [[foo, 10], [foo, 20]], [{"rounds": 1}], "one address twice"),
        ("zero_power", [[foo, 0]], [{"rounds": 1}], "a new validator of power 0"),
        ("negative_power", [[foo, -1]], [{"rounds": 1}], "power -1"),
        (
            "remove_unknown",
            [[foo, 10]],
            [{"rounds": 1, "changes": [[bar, 0]]}, {"rounds": 1}],
            "removing a validator not in the set",
        ),
        (
            "remove_all",
            [[foo, 10]],
            [{"rounds": 1, "changes": [[foo, 0]]}, {"rounds": 1}],
            "an update that empties the set",
        ),
        (
            "total_power_too_high",
            [[foo, (1 << 62)], [bar, (1 << 62)]],
            [{"rounds": 1}],
            "total power beyond MaxTotalVotingPower",
        ),
    ):
        body: JsonObject = {
            "op": "sequence",
            "validators": [[a, str(p)] for a, p in members],
            "steps": steps,
        }
        yield OpCase(
            "refusals",
            name,
            what,
            "cometbft types/validator_set.go refusals (ErrInvalidValidatorSet)",
            src,
            body,
        )


# ---- app/abci ------------------------------------------------------------------------------


def _txs(obj: JsonObject, key: str) -> tuple[bytes, ...]:
    out = []
    for i, t in enumerate(obj.get(key, [])):
        if not isinstance(t, str):
            raise ErrVectorFile(f"requests.json.{key}[{i}]: expected base64")
        out.append(base64.b64decode(t, validate=True))
    return tuple(out)


def _call(app: DaitApp, req: JsonObject) -> object:
    kind = field(req, "call", str, "requests.json")
    height = arg_int(req, "height")
    if kind == "finalize_block":
        result = app.finalize_block(
            FinalizeBlockRequest(
                height,
                arg_int(req, "time_ms"),
                field(req, "proposer", str, "requests.json"),
                _txs(req, "txs"),
            )
        )
        return {
            "tx_results": [{"code": r.code, "codespace": r.codespace} for r in result.tx_results],
            "app_hash": result.app_hash.hex(),
        }
    if kind == "extend_vote":
        ext = app.extend_vote(
            ExtendVoteRequest(
                height,
                arg_int(req, "time_ms"),
                field(req, "validator", str, "requests.json"),
                _txs(req, "txs"),
                _txs(req, "mempool"),
            )
        )
        return {"vote_extension": ext.hex()}
    if kind == "verify_vote_extension":
        ok = app.verify_vote_extension(
            VerifyVoteExtensionRequest(
                height,
                field(req, "validator", str, "requests.json"),
                parse_hex(field(req, "vote_extension", str, "requests.json"), "vote_extension"),
            )
        )
        return {"accepted": ok}
    if kind == "prepare_proposal":
        txs = app.prepare_proposal(
            PrepareProposalRequest(
                height,
                arg_int(req, "time_ms"),
                field(req, "proposer", str, "requests.json"),
                _txs(req, "txs"),
            )
        )
        return {"txs": [base64.b64encode(t).decode("ascii") for t in txs]}
    if kind == "process_proposal":
        ok = app.process_proposal(
            ProcessProposalRequest(
                height,
                arg_int(req, "time_ms"),
                field(req, "proposer", str, "requests.json"),
                _txs(req, "txs"),
            )
        )
        return {"accepted": ok}
    raise ErrVectorFile(f"requests.json: unknown call {kind!r}")


def run_abci(inputs: Mapping[str, bytes]) -> Outcome:
    """init_chain(pre.json), then each request in order; a refused call gives its error and
    leaves the app as it was."""
    genesis = read_object(inputs, "pre.json")
    requests = read_json(inputs, "requests.json")
    if not isinstance(requests, list) or not all(isinstance(r, dict) for r in requests):
        raise ErrVectorFile("requests.json: expected a list of objects")
    app = DaitApp()
    app.init_chain(genesis)
    results: list[JsonObject] = []
    for req in requests:
        try:
            results.append({"result": _call(app, req)})
        except ErrVectorFile:
            raise
        except DaitError as exc:
            results.append({"error": error_ref(exc)})
    return Outcome({"result.json": json_bytes({"results": results})})


def abci_cases() -> Iterator[CaseSpec]:
    """The app's block checks and the ABCI++ calls without a pouw extension at play."""
    rule = (
        "Checks (app codespace, ErrInvalidBlock, code 3): init_chain has run; height is above "
        "the last height; time_ms is not below the last block time. (specs/app.md §1)"
    )
    genesis = genesis_of(
        [(ALICE, 10**12), (BOB, 10**12)], validators=[(party("val-a"), 10_000_000_000)]
    )
    b = ChainBuilder(genesis)
    tx = b.sign(ALICE, send(ALICE, BOB))
    t0 = b.harness.implied_time(1)
    val = party("val-a").address
    enc = base64.b64encode(tx).decode("ascii")

    def fb(height: int, time_ms: int, txs: list[str] | None = None) -> JsonObject:
        return {
            "call": "finalize_block",
            "height": height,
            "time_ms": time_ms,
            "proposer": val,
            "txs": txs or [],
        }

    scripts: list[tuple[str, str, list[JsonObject]]] = [
        ("blocks_in_order", "two blocks, the first with a tx", [fb(1, t0, [enc]), fb(2, t0 + 999)]),
        ("height_not_above_last", "block 1 twice", [fb(1, t0), fb(1, t0 + 999)]),
        ("time_going_back", "block 2 earlier than block 1", [fb(1, t0), fb(2, t0 - 1)]),
        ("equal_time_allowed", "block 2 at block 1's time", [fb(1, t0), fb(2, t0)]),
        (
            "abci_plus_plus",
            "prepare/process a proposal, extend and verify a vote, then finalize",
            [
                fb(1, t0),
                {
                    "call": "prepare_proposal",
                    "height": 2,
                    "time_ms": t0 + 999,
                    "proposer": val,
                    "txs": [enc],
                },
                {
                    "call": "process_proposal",
                    "height": 2,
                    "time_ms": t0 + 999,
                    "proposer": val,
                    "txs": [enc],
                },
                {
                    "call": "extend_vote",
                    "height": 2,
                    "time_ms": t0 + 999,
                    "validator": val,
                    "txs": [enc],
                    "mempool": [],
                },
                {
                    "call": "verify_vote_extension",
                    "height": 2,
                    "validator": val,
                    "vote_extension": "",
                },
                fb(2, t0 + 999, [enc]),
            ],
        ),
        (
            "vote_extension_for_a_past_height",
            "extend_vote at the last committed height",
            [
                fb(1, t0),
                {
                    "call": "extend_vote",
                    "height": 1,
                    "time_ms": t0,
                    "validator": val,
                    "txs": [],
                    "mempool": [],
                },
            ],
        ),
    ]
    for name, what, requests in scripts:
        yield CaseSpec(
            "scripts",
            name,
            what,
            rule,
            f"{SPEC} §1, §9",
            {"pre.json": json_bytes(genesis), "requests.json": json_bytes(requests)},
        )
    skip_genesis = genesis_of([(ALICE, 10**12)], validators=[(party("val-a"), 10_000_000_000)])
    skip_genesis["distribution"] = {
        **skip_genesis["distribution"],
        "params": {**skip_genesis["distribution"]["params"], "allocation_interval_blocks": "2"},
    }
    yield CaseSpec(
        "scripts",
        "skip_over_due_height",
        "a jump from height 1 to 5 over the distribution allocation due at 2",
        "A height more than one above the last is accepted only if no module has work due at a "
        "skipped height (specs/app.md §1, §8)",
        f"{SPEC} §1, §8",
        {
            "pre.json": json_bytes(skip_genesis),
            "requests.json": json_bytes([fb(1, t0), fb(5, t0 + 4 * 999)]),
        },
    )


HANDLERS = (
    op_handler(
        "app",
        "proposer",
        "CometBFT weighted round-robin proposer selection",
        {"sequence": op_sequence},
        proposer_cases,
    ),
    Handler(
        "app",
        "abci",
        "ABCI request scripts: block checks, ABCI++ calls",
        abci_cases,
        run_abci,
        {
            "pre.json": "genesis document",
            "requests.json": "[{call, ...}] in order",
            "result.json": "{results: [{result} | {error}]}",
        },
    ),
)

__all__ = ["HANDLERS", "block_json"]
