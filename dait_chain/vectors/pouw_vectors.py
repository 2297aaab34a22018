"""pouw vectors: decay and effective-stake tables, the credit formula, reward shares, commit
hashes, and the ABCI++ vote-extension rules.

specs/vectors.md "pouw"; the rules are specs/pouw.md's (§5 "Credit arithmetic", whose
order of LegacyDec operations is consensus-critical, and §7 "Commit-reveal and ABCI++").
Every case is one call (`input.json` {op, ...}); decimals are Go LegacyDec strings.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from dait_chain.app.abci import BlockIDFlag as AbciFlag
from dait_chain.app.abci import CommitInfo, VoteInfo, vote_extension_sign_bytes
from dait_chain.crypto.hashing import sha256
from dait_chain.crypto.secp256k1 import sign
from dait_chain.math.legacy_dec import LegacyDec
from dait_chain.vectors.chain_run import party
from dait_chain.vectors.codec_vectors import sample_address
from dait_chain.vectors.errors import ErrVectorFile
from dait_chain.vectors.files import JsonObject, field, parse_hex
from dait_chain.vectors.ops import OpCase, arg_hex, arg_int, arg_str, big, op_handler
from dait_chain.x.pouw.allocation import ValidatorWeight, allocate_by_effective_stake
from dait_chain.x.pouw.credits import (
    audit_fail_rate,
    credit_for_job,
    decay_approx,
    effective_stake_for,
    gross_up,
    multiplier_cap,
)
from dait_chain.x.pouw.errors import ErrMissingInjectedCommit, ErrUnexpectedInjectedCommit
from dait_chain.x.pouw.types import (
    INJECTED_MARKER,
    BlockIDFlag,
    ExtendedCommitInfo,
    ExtendedVoteInfo,
    InjectedVoteExtensions,
    Receipt,
    ReceiptCommit,
    VoteExt,
    Voter,
)
from dait_chain.x.pouw.vote_extensions import (
    decode_injected,
    decode_vote_extension,
    is_injected_tx,
    ordered_validator_set,
    validate_injected,
)

SPEC = "specs/pouw.md"
HALF_LIFE = 1_210_811
SEEDS = (1, 2, 3)


def _dec(obj: JsonObject, key: str) -> LegacyDec:
    return LegacyDec.from_str(arg_str(obj, key))


# ---- formulas ------------------------------------------------------------------------------


def op_decay(obj: JsonObject) -> str:
    return str(
        decay_approx(
            _dec(obj, "credits"), arg_int(obj, "delta_blocks"), arg_int(obj, "half_life_blocks")
        )
    )


def op_credit(obj: JsonObject) -> JsonObject:
    audits, failures = arg_int(obj, "audits"), arg_int(obj, "failures")
    credit = credit_for_job(
        arg_int(obj, "tokens_out"),
        _dec(obj, "model_weight"),
        field(obj, "tee_attested", bool, "input.json"),
        audits,
        failures,
    )
    return {"credit": str(credit), "audit_fail_rate": str(audit_fail_rate(audits, failures))}


def op_effective_stake(obj: JsonObject) -> JsonObject:
    alpha, k = _dec(obj, "alpha"), _dec(obj, "k")
    eff = effective_stake_for(arg_int(obj, "stake"), _dec(obj, "credits"), alpha, k)
    return {"effective_stake": str(eff), "multiplier_cap": str(multiplier_cap(alpha, k))}


def op_allocate(obj: JsonObject) -> JsonObject:
    validators = []
    for i, v in enumerate(field(obj, "validators", list, "input.json")):
        if not isinstance(v, dict):
            raise ErrVectorFile(f"input.json.validators[{i}]: expected an object")
        validators.append(
            ValidatorWeight(arg_str(v, "operator"), arg_int(v, "power"), _dec(v, "credits"))
        )
    out = allocate_by_effective_stake(
        _dec(obj, "pool"), validators, _dec(obj, "alpha"), _dec(obj, "k")
    )
    return {"rewards": [[op, str(r)] for op, r in out.rewards], "remainder": str(out.remainder)}


def op_gross_up(obj: JsonObject) -> str:
    return str(
        gross_up(_dec(obj, "credit"), arg_int(obj, "height"), arg_int(obj, "half_life_blocks"))
    )


def op_commit_hash(obj: JsonObject) -> JsonObject:
    """commit_hash = sha256(canonicalize(Receipt{host, model_id, tokens_out, tee_attested,
    job_id, commit_height})) (seed 003 "Wire formats")."""
    receipt = Receipt.from_json(field(obj, "receipt", dict, "input.json"))
    data = receipt.encode()
    return {"canonical": data.hex(), "commit_hash": sha256(data).hex()}


FORMULA_OPS = {
    "decay": op_decay,
    "credit": op_credit,
    "effective_stake": op_effective_stake,
    "allocate": op_allocate,
    "gross_up": op_gross_up,
    "commit_hash": op_commit_hash,
}


def formula_cases() -> Iterator[OpCase]:
    """The spec's decay table, effective stake across the cap, credits, shares, hashes."""
    decay_rule = (
        "credits(now) = credits(last) * 0.5 ^ (delta_blocks / half_life_blocks) ... The "
        "keeper's decayApprox walks integer half-lives (each one a LegacyDec multiplication) "
        "then linearly interpolates the residual fraction. (seed 003)"
    )
    rows = (
        (0, "zero"),
        (1, "one"),
        (HALF_LIFE - 1, "half_life_minus_1"),
        (HALF_LIFE, "half_life"),
        (HALF_LIFE + 1, "half_life_plus_1"),
        (5 * HALF_LIFE // 2, "two_and_half"),
        (64 * HALF_LIFE, "half_lives_64"),
        (10_000 * HALF_LIFE, "half_lives_10000"),
    )
    for value_name, value in (("million", "1000000"), ("third", "0.333333333333333333")):
        for delta, name in rows:
            yield OpCase(
                "decay_table",
                f"{value_name}.{name}",
                f"decay of {value} over {delta} blocks (specs §5.2 table)",
                decay_rule,
                f"{SPEC} §5.2",
                {
                    "op": "decay",
                    "credits": value,
                    "delta_blocks": str(delta),
                    "half_life_blocks": str(HALF_LIFE),
                },
            )
    yield OpCase(
        "decay_table",
        "max_credits.one_block",
        "decay of MAX_CREDITS over one block",
        decay_rule,
        f"{SPEC} §5.1, §5.2",
        {
            "op": "decay",
            "credits": str(LegacyDec.from_int(2**128 - 1)),
            "delta_blocks": "1",
            "half_life_blocks": str(HALF_LIFE),
        },
    )
    yield OpCase(
        "decay_refused",
        "half_life_zero",
        "half_life_blocks 0",
        "half_life_blocks 1 .. 2^62 - 1",
        f"{SPEC} §3",
        {"op": "decay", "credits": "1", "delta_blocks": "1", "half_life_blocks": "0"},
    )
    yield OpCase(
        "decay_refused",
        "negative_credits",
        "credits -1",
        "credits are non-negative",
        f"{SPEC} §2",
        {"op": "decay", "credits": "-1", "delta_blocks": "1", "half_life_blocks": str(HALF_LIFE)},
    )
    rng = random.Random("dait-vectors/pouw/decay")
    for seed in SEEDS:
        for k in range(4):
            credits = str(LegacyDec(rng.randint(1, 10 ** rng.randint(1, 40))))
            half_life = rng.choice((1, 7, 1000, HALF_LIFE))
            yield OpCase(
                "decay_seeded",
                f"seed_{seed}.{k}",
                "random credits, delta and half-life",
                decay_rule,
                f"{SPEC} §5.2",
                {
                    "op": "decay",
                    "credits": credits,
                    "delta_blocks": str(rng.randint(0, 50 * half_life)),
                    "half_life_blocks": str(half_life),
                },
            )
    stake_rule = (
        "effective_stake_i = stake_i * (1 + alpha * min(credits_i / stake_i, K)) "
        "defaults: alpha = 1.0, K = 4.0; K = 4.0 caps the multiplier at 5x (seed 003)"
    )
    for name, stake, stake_credits, alpha, k_value in (
        ("no_credits", 100, "0", "1", "4"),
        ("half_ratio", 100, "50", "1", "4"),
        ("at_cap", 100, "400", "1", "4"),
        ("beyond_cap", 100, "1000000", "1", "4"),
        ("truncating_ratio", 3, "1", "1", "4"),
        ("alpha_zero", 100, "400", "0", "4"),
        ("alpha_half", 7, "10.5", "0.5", "4"),
        ("zero_stake", 0, "100", "1", "4"),
        ("negative_stake", -1, "100", "1", "4"),
    ):
        yield OpCase(
            "effective_stake",
            name,
            f"stake {stake}, credits {stake_credits}, alpha {alpha}, K {k_value}",
            stake_rule,
            f"{SPEC} §5.4",
            {
                "op": "effective_stake",
                "stake": str(stake),
                "credits": stake_credits,
                "alpha": alpha,
                "k": k_value,
            },
        )
    credit_rule = (
        "credit_i(epoch) = sum_jobs ( tokens_out_j x model_weight(m_j) x tee_attested_j "
        "x (1 - audit_fail_rate_i) ) (seed 003)"
    )
    for name, tokens, weight, tee, audits, failures in (
        ("attested", 1000, "1.5", True, 0, 0),
        ("not_attested", 1000, "1.5", False, 0, 0),
        ("audit_third_failed", 1000, "1", True, 3, 1),
        ("fractional_weight", 7, "0.333333333333333333", True, 0, 0),
        ("all_audits_failed", 500, "2", True, 4, 4),
        ("failures_above_audits", 1, "1", True, 1, 2),
    ):
        yield OpCase(
            "credit",
            name,
            f"{tokens} tokens, weight {weight}, attested {tee}, {failures}/{audits} audits failed",
            credit_rule,
            f"{SPEC} §5.1, §6.3",
            {
                "op": "credit",
                "tokens_out": str(tokens),
                "model_weight": weight,
                "tee_attested": tee,
                "audits": str(audits),
                "failures": str(failures),
            },
        )
    alloc_rule = (
        "App wiring wraps distrkeeper.RewardsAllocator so that per-validator shares are "
        "rewritten by PoUW effective_stake before the standard distribution pipeline pays out. "
        "(seed 003)"
    )
    vals = [sample_address(f"validator-{i}") for i in range(3)]
    for name, pool, powers, credit_list, alpha in (
        ("stock_cosmos_alpha_zero", "1000000", (10, 20, 30), ("0", "500", "0"), "0"),
        ("credits_shift_shares", "1000000", (10, 20, 30), ("40", "0", "0"), "1"),
        ("capped", "999.999999999999999999", (1, 1, 1), ("1000", "0", "2"), "1"),
        ("no_power", "500", (0, 0, 0), ("0", "0", "0"), "1"),
    ):
        validators = [
            {"operator": v, "power": str(p), "credits": c}
            for v, p, c in zip(vals, powers, credit_list, strict=True)
        ]
        yield OpCase(
            "allocate",
            name,
            f"pool {pool} over powers {powers}",
            alloc_rule,
            f"{SPEC} §5.5",
            {"op": "allocate", "pool": pool, "validators": validators, "alpha": alpha, "k": "4"},
        )
    for name, height in (("epoch_start", 2 * HALF_LIFE), ("mid_epoch", 2 * HALF_LIFE + 12345)):
        yield OpCase(
            "gross_up",
            name,
            f"a credit added at height {height}",
            "credit.MulInt64(2 * half_life).QuoInt64(2 * half_life - r)",
            f"{SPEC} §5.3",
            {
                "op": "gross_up",
                "credit": "1000",
                "height": str(height),
                "half_life_blocks": str(HALF_LIFE),
            },
        )
    host = party("host").address
    receipt = {
        "host": host,
        "model_id": "qwen2.5-32b-instruct",
        "tokens_out": "1234",
        "tee_attested": True,
        "job_id": "ESIzRFVmd4iZqrvM3e7/ABEiM0RVZneImaq7zN3u/wA=",
        "commit_height": "42",
    }
    yield OpCase(
        "commit_hash",
        "attested",
        "a pouw Receipt and its commit hash",
        "commit_hash = sha256( canonicalize( Receipt{ host, model_id, tokens_out, tee_attested, "
        "job_id, commit_height } ) ) (seed 003)",
        f"{SPEC} §8.2",
        {"op": "commit_hash", "receipt": receipt},
    )
    yield OpCase(
        "commit_hash",
        "not_attested",
        "tee_attested false is omitted on the wire",
        "canonicalize is gogo-proto Marshal with deterministic field ordering (seed 003)",
        f"{SPEC} §8.2",
        {"op": "commit_hash", "receipt": {k: v for k, v in receipt.items() if k != "tee_attested"}},
    )


# ---- vote extensions and ProcessProposal ---------------------------------------------------


def _voters(obj: JsonObject) -> list[Voter]:
    out = []
    for i, v in enumerate(field(obj, "voters", list, "input.json")):
        if not isinstance(v, dict):
            raise ErrVectorFile(f"input.json.voters[{i}]: expected an object")
        out.append(
            Voter(arg_str(v, "operator"), arg_int(v, "power"), arg_hex(v, "consensus_pubkey"))
        )
    return out


def _last_commit(value: object) -> CommitInfo | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ErrVectorFile("input.json.last_commit: expected an object or null")
    votes = tuple(
        VoteInfo(
            arg_str(v, "validator"), arg_int(v, "power"), AbciFlag(arg_int(v, "block_id_flag"))
        )
        for v in field(value, "votes", list, "input.json.last_commit")
    )
    return CommitInfo(arg_int(value, "round"), votes)


def op_verify_vote_extension(obj: JsonObject) -> JsonObject:
    ext = decode_vote_extension(arg_hex(obj, "vote_extension"), arg_int(obj, "max_commits"))
    return ext.to_json()


def op_process_proposal(obj: JsonObject) -> JsonObject:
    """ProcessProposal's pouw checks (specs §7.3): with extensions enabled the first tx
    must be the injected extended commit, valid against the voters; without, none may be.
    Returns the force-included commits."""
    txs = [parse_hex(t, "input.json.txs") for t in field(obj, "txs", list, "input.json")]
    height = arg_int(obj, "height")
    starts_injected = bool(txs) and is_injected_tx(txs[0])
    if not field(obj, "extensions_enabled", bool, "input.json"):
        if starts_injected:
            raise ErrUnexpectedInjectedCommit(f"height {height}")
        return {"force_included": []}
    if not starts_injected:
        raise ErrMissingInjectedCommit(f"height {height}")
    included = validate_injected(
        decode_injected(txs[0]),
        _voters(obj),
        arg_str(obj, "chain_id"),
        height,
        arg_int(obj, "max_commits"),
        _last_commit(obj.get("last_commit")),
    )
    return {"force_included": [c.to_json() for c in included]}


ABCI_OPS = {
    "verify_vote_extension": op_verify_vote_extension,
    "process_proposal": op_process_proposal,
}

CHAIN = "dait-vectors-1"
HEIGHT = 11


def _ext(*commits: ReceiptCommit) -> bytes:
    return VoteExt(tuple(sorted(commits, key=lambda c: c.sort_key()))).encode()


def _injected(
    votes: list[tuple[Voter, bytes, BlockIDFlag]],
    force: tuple[ReceiptCommit, ...],
    *,
    keys: dict[str, bytes],
    round_: int = 0,
    sign_as: dict[str, bytes] | None = None,
) -> bytes:
    infos = []
    for voter, ext, flag in votes:
        signature = b""
        if flag == BlockIDFlag.BLOCK_ID_FLAG_COMMIT:
            key = (sign_as or {}).get(voter.operator, keys[voter.operator])
            signature = sign(key, vote_extension_sign_bytes(CHAIN, HEIGHT - 1, round_, ext))
        else:
            ext = b""
        infos.append(ExtendedVoteInfo(voter.operator, voter.power, ext, signature, flag))
    return InjectedVoteExtensions(
        INJECTED_MARKER, ExtendedCommitInfo(round_, tuple(infos)), force
    ).encode()


def abci_cases() -> Iterator[OpCase]:
    """Vote extensions accepted and refused; proposals accepted and each refusal."""
    rule = (
        "Validators with the receipt in their mempool publish a VoteExtension referencing "
        "commit_hash. Any commit referenced by >=2/3 voting power MUST be force-included by "
        "the next proposer. (seed 003)"
    )
    names = ("val-a", "val-b", "val-c", "val-d")
    parties = [party(n) for n in names]
    powers = (40, 30, 20, 10)
    voters = list(
        ordered_validator_set(
            Voter(p.address, w, p.consensus_pubkey) for p, w in zip(parties, powers, strict=True)
        )
    )
    keys = {p.address: p.consensus_privkey for p in parties}
    host = party("host").address
    c1 = ReceiptCommit(sha256(b"commit-1"), host)
    c2 = ReceiptCommit(sha256(b"commit-2"), host)
    full = _ext(c1, c2)
    only1 = _ext(c1)
    voters_json = [
        {
            "operator": v.operator,
            "power": str(v.power),
            "consensus_pubkey": v.consensus_pubkey.hex(),
        }
        for v in voters
    ]
    commit = BlockIDFlag.BLOCK_ID_FLAG_COMMIT
    absent = BlockIDFlag.BLOCK_ID_FLAG_ABSENT

    def proposal(
        name: str, what: str, txs: list[bytes], *, enabled: bool = True, last: object = None
    ) -> OpCase:
        return OpCase(
            "process_proposal",
            name,
            what,
            rule,
            f"{SPEC} §7.3",
            {
                "op": "process_proposal",
                "extensions_enabled": enabled,
                "voters": voters_json,
                "chain_id": CHAIN,
                "height": str(HEIGHT),
                "max_commits": "1000",
                "txs": [t.hex() for t in txs],
                "last_commit": last,
            },
        )

    # c1 backed by 40+30+20 = 90 of 100; c2 by 40+20 = 60 < 2/3
    votes = [
        (voters[0], full, commit),
        (voters[1], only1, commit),
        (voters[2], full, commit),
        (voters[3], b"", absent),
    ]
    good = _injected(votes, (c1,), keys=keys)
    yield proposal(
        "valid", "c1 backed by 90 of 100 is force-included; c2 by 60 is not", [good, b"\x0a\x00"]
    )
    yield proposal(
        "valid_matches_last_commit",
        "the injected commit equals the block's LastCommit",
        [good],
        last={
            "round": "0",
            "votes": [
                {
                    "validator": v.operator,
                    "power": str(v.power),
                    "block_id_flag": "2" if f == commit else "1",
                }
                for v, _, f in votes
            ],
        },
    )
    yield proposal(
        "extensions_disabled",
        "no injected commit where extensions are not enabled",
        [b"\x0a\x00"],
        enabled=False,
    )
    yield proposal(
        "unexpected_injected", "an injected commit where none is allowed", [good], enabled=False
    )
    yield proposal("missing_injected", "the first tx is not the injected commit", [b"\x0a\x00"])
    yield proposal(
        "commit_order_mismatch",
        "votes not in commit order",
        [_injected([votes[1], votes[0], votes[2], votes[3]], (c1,), keys=keys)],
    )
    yield proposal(
        "last_commit_mismatch",
        "a vote's flag differs from the LastCommit",
        [good],
        last={
            "round": "0",
            "votes": [
                {"validator": v.operator, "power": str(v.power), "block_id_flag": "2"}
                for v, _, _ in votes
            ],
        },
    )
    yield proposal(
        "bad_extension_signature",
        "val-b's extension signed by another key",
        [
            _injected(
                votes, (c1,), keys=keys, sign_as={voters[1].operator: parties[3].consensus_privkey}
            )
        ],
    )
    low = [
        (voters[0], full, commit),
        (voters[1], b"", absent),
        (voters[2], b"", absent),
        (voters[3], full, commit),
    ]
    yield proposal(
        "insufficient_voting_power",
        "COMMIT votes carry 50 of 100 (< floor(200/3) + 1)",
        [_injected(low, (), keys=keys)],
    )
    bad_ext = [(voters[0], _ext(c1) + b"\x00", commit), *votes[1:]]
    yield proposal(
        "invalid_vote_extension",
        "a COMMIT vote's extension is not a canonical VoteExt",
        [_injected(bad_ext, (c1,), keys=keys)],
    )
    yield proposal(
        "force_include_mismatch",
        "the proposer omits the backed commit c1",
        [_injected(votes, (), keys=keys)],
    )
    ve_rule = (
        "VerifyVoteExtension accepts an extension iff it decodes strictly as a VoteExt, "
        "holds at most max_vote_extension_commits entries, every host is a valid address, and "
        "the entries are strictly ascending by (host, commit_hash)"
    )
    for name, ext, maxc in (
        ("valid", full, 1000),
        ("empty", b"", 1000),
        ("too_many", full, 1),
        (
            "unsorted",
            VoteExt((c2, c1) if c2.sort_key() > c1.sort_key() else (c1, c2)).encode(),
            1000,
        ),
        ("bad_host", VoteExt((ReceiptCommit(sha256(b"x"), "dait1nope"),)).encode(), 1000),
    ):
        yield OpCase(
            "verify_vote_extension",
            name,
            f"vote extension: {name}",
            ve_rule,
            f"{SPEC} §7.2",
            {"op": "verify_vote_extension", "vote_extension": ext.hex(), "max_commits": str(maxc)},
        )


HANDLERS = (
    op_handler(
        "pouw",
        "formulas",
        "decay and effective-stake tables, credits, reward shares, commit hashes",
        FORMULA_OPS,
        formula_cases,
    ),
    op_handler(
        "pouw", "abci", "VerifyVoteExtension and ProcessProposal's pouw rules", ABCI_OPS, abci_cases
    ),
)

__all__ = ["HANDLERS", "big"]
