"""chain/pouw and chain/tee_attest: commit-reveal with SPUR-IC evidence, credit targets,
audits, every refusal, seeded runs.

specs/pouw.md §8 (seed 003 "Commit-reveal flow", "Messages"). The host `host` serves a
channel opened by `user` (block 1); `host2` serves another; the model registry and the
simulated vendor's root come from genesis. The default gov authority (the gov module
account) cannot sign a tx, so the `gov` suite's genesis names the account `gov` as its
`gov_authority` (specs/app.md §6) and the gov-only messages run as txs it signs.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from dait_chain.crypto.hashing import sha256
from dait_chain.spurc.attestation import SimVendor
from dait_chain.spurc.host import HostIdentity
from dait_chain.spurc.model import sim_model_hash
from dait_chain.spurc.simworld import (
    DEFAULT_MODEL_ID,
    ROGUE_VENDOR_SEED,
    sim_host_identity,
    sim_vendor,
)
from dait_chain.spurc.values import Receipt as SpurcReceipt
from dait_chain.vectors.case import CaseSpec
from dait_chain.vectors.chain_run import ChainBuilder, Party, built, genesis_of, party
from dait_chain.x.distribution.types import DEFAULT_PARAMS as DISTRIBUTION_DEFAULTS
from dait_chain.x.pouw.keeper import commit_hash_of, job_id_for
from dait_chain.x.pouw.params import Params
from dait_chain.x.pouw.simulation import evidence_receipts, job_receipt
from dait_chain.x.pouw.types import (
    GenesisState,
    HostCredits,
    Model,
    MsgCommitReceipt,
    MsgRegisterModel,
    MsgReportAudit,
    MsgRevealReceipt,
    MsgSetCreditTarget,
    MsgUpdateParams,
    Receipt,
)
from dait_chain.x.state_channel.rules import derive_channel_id
from dait_chain.x.state_channel.types import MsgOpenChannel
from dait_chain.x.tee_attest.params import Params as TeeParams
from dait_chain.x.tee_attest.types import GenesisState as TeeGenesis
from dait_chain.x.tee_attest.types import MsgUpdateParams as TeeMsgUpdateParams

SPEC = "specs/pouw.md"
FUNDS = 10**12
SEEDS = (1, 2, 3)
OTHER_MODEL = "llama-3-8b"
UNAPPROVED = "unapproved-model"
MAX_CREDITS = f"{2**128 - 1}.000000000000000000"
REFUSED = "A refusal leaves no write and no event (only the fee and sequence bump remain)."


@dataclass
class Host:
    party: Party
    identity: HostIdentity
    channel_id: bytes = b""
    next_call: int = 1


class PouwScene:
    """Validators val-a and val-b, hosts with one open channel each, an auditor."""

    def __init__(
        self,
        *,
        hosts_credits: tuple[HostCredits, ...] = (),
        with_gov: bool = False,
        **param_changes: Any,
    ) -> None:
        self.vals = (party("val-a"), party("val-b"))
        self.user, self.auditor, self.outsider = party("user"), party("auditor"), party("outsider")
        self.gov = party("gov")
        self.hosts = tuple(Host(party(n), sim_host_identity(n)) for n in ("host", "host2"))
        identity = self.hosts[0].identity
        params = replace(
            Params(auditors=(self.auditor.address,), commit_reveal_window=5, audit_window_blocks=8),
            **param_changes,
        )
        self.params = params
        models = (
            Model(OTHER_MODEL, "2.000000000000000000", True, sim_model_hash(OTHER_MODEL)),
            Model(DEFAULT_MODEL_ID, "1.000000000000000000", True, identity.terms.model_hash),
            Model(UNAPPROVED, "1.000000000000000000", False, sim_model_hash(UNAPPROVED)),
        )
        sections = {
            "tee_attest": TeeGenesis(
                TeeParams(trusted_roots=(sim_vendor().root_pubkey,))
            ).to_json(),
            "pouw": GenesisState(params, models=models, hosts=hosts_credits).to_json(),
        }
        funded = [
            (p, FUNDS)
            for p in (*(h.party for h in self.hosts), self.user, self.auditor, self.outsider)
        ]
        if with_gov:
            funded.append((self.gov, FUNDS))
        genesis = genesis_of(
            funded,
            validators=[(self.vals[0], 4_000_000_000), (self.vals[1], 2_000_000_000)],
            sections=sections,
            distribution_params=replace(DISTRIBUTION_DEFAULTS, allocation_interval_blocks=4),
            gov_authority=self.gov.address if with_gov else None,
        )
        self.b = ChainBuilder(genesis)
        opens = []
        for n, host in enumerate(self.hosts):
            host.channel_id = derive_channel_id(
                self.b.app.chain_id, self.user.address, host.party.address, n
            )
            opens.append(
                self.b.sign(
                    self.user,
                    MsgOpenChannel(
                        self.user.address,
                        host.party.address,
                        DEFAULT_MODEL_ID,
                        10**9,
                        self.b.harness.implied_time(1) + 30 * 86_400_000,
                        10_000_000,
                    ),
                )
            )
        self.b.block(*opens)

    @property
    def host(self) -> Host:
        return self.hosts[0]

    def job(
        self,
        host: Host | None = None,
        tokens: tuple[int, ...] = (100, 250),
        *,
        first: int | None = None,
        model_hash: bytes | None = None,
    ) -> tuple[Receipt, tuple[SpurcReceipt, ...]]:
        """The host's next calls as evidence and the Receipt committing to them."""
        h = host or self.host
        start = h.next_call if first is None else first
        evidence = evidence_receipts(
            h.identity, h.channel_id, start, tokens, self.b.time_ms, model_hash=model_hash
        )
        if first is None:
            h.next_call += len(tokens)
        return job_receipt(h.party.address, DEFAULT_MODEL_ID, evidence, self.b.height), evidence

    def commit(
        self, receipt: Receipt, signer: Party | None = None, reveal_by: int = 0
    ) -> MsgCommitReceipt:
        who = signer or self.host.party
        return MsgCommitReceipt(who.address, commit_hash_of(receipt.encode()), reveal_by)

    def reveal(
        self, receipt: Receipt, evidence: tuple[SpurcReceipt, ...], signer: Party | None = None
    ) -> MsgRevealReceipt:
        return MsgRevealReceipt((signer or self.host.party).address, receipt, evidence)

    def ok(self, who: Party, *msgs: Any) -> None:
        result = self.b.tx(who, *msgs)
        assert result.ok, result.log

    def committed(self, receipt: Receipt) -> None:
        self.ok(self.host.party, self.commit(receipt))


def flow_cases() -> Iterator[CaseSpec]:
    """Commit, reveal, credit, credit target and rewards, audits, expiries."""
    s = PouwScene()
    s.ok(s.host.party, MsgSetCreditTarget(s.host.party.address, s.vals[1].address))
    receipt, evidence = s.job()
    s.committed(receipt)
    s.ok(s.host.party, s.reveal(receipt, evidence))
    s.b.block(height=s.b.height + 4)
    s.ok(s.host.party, MsgSetCreditTarget(s.host.party.address, s.vals[0].address))
    s.b.block(height=s.b.height + 4)
    yield built(
        "flow",
        "commit_reveal_credit_rewards",
        "commit, reveal with two evidence receipts, credits pointed at val-b then val-a, rewards "
        "allocated",
        "Host broadcasts MsgCommitReceipt ... After commit_reveal_window blocks, host broadcasts "
        "MsgRevealReceipt carrying the full receipt. Keeper verifies "
        "sha256(canonicalize(receipt)) == commit_hash, re-checks the attestation, looks up "
        "model_weight, and credits the host. (seed 003)",
        f"{SPEC} §8.1-§8.3, §5.5",
        s.b,
    )

    s = PouwScene()
    receipt, _ = s.job()
    s.committed(receipt)
    s.b.block(height=s.b.height + 6)
    yield built(
        "flow",
        "commit_expires",
        "a commit never revealed is pruned at reveal_by_height",
        "EndBlock commit-expiry pruning (seed 003 Phase 1)",
        f"{SPEC} §8.2",
        s.b,
    )

    s = PouwScene()
    s.ok(s.auditor, MsgReportAudit(s.auditor.address, s.host.party.address, True))
    s.ok(s.auditor, MsgReportAudit(s.auditor.address, s.host.party.address, False))
    receipt, evidence = s.job()
    s.committed(receipt)
    s.ok(s.host.party, s.reveal(receipt, evidence))
    s.b.block(height=s.b.height + 9)
    yield built(
        "flow",
        "audits_reduce_credit_then_expire",
        "one failed and one passed audit halve the credit; the audits leave the window",
        "audit_fail_rate_i is a rolling-window count maintained by the keeper. (seed 003)",
        f"{SPEC} §6",
        s.b,
    )

    s = PouwScene()
    receipt, evidence = s.job(tokens=(40,))
    s.committed(receipt)
    s.b.block(height=s.b.height + 4)
    s.ok(s.host.party, s.reveal(receipt, evidence))
    yield built(
        "windows",
        "reveal_at_reveal_by_height",
        "the reveal in the block at reveal_by_height succeeds",
        "a commit recorded at height c can be revealed in blocks c < h <= reveal_by_height",
        f"{SPEC} §8.2",
        s.b,
    )


Make = Callable[[PouwScene], tuple[Party, Any]]


def _refusals() -> list[tuple[str, str, Make]]:
    def committed_then(
        edit: Callable[
            [PouwScene, Receipt, tuple[SpurcReceipt, ...]], tuple[Receipt, tuple[SpurcReceipt, ...]]
        ],
        **job: Any,
    ) -> Make:
        def make(s: PouwScene) -> tuple[Party, Any]:
            receipt, evidence = s.job(**job)
            receipt, evidence = edit(s, receipt, evidence)
            s.committed(receipt)
            return s.host.party, s.reveal(receipt, evidence)

        return make

    def too_early(s: PouwScene) -> tuple[Party, Any]:
        receipt, evidence = s.job()
        commit = s.b.sign(s.host.party, s.commit(receipt))
        reveal = s.b.sign(s.host.party, s.reveal(receipt, evidence))
        s.b.block(commit, reveal)
        return s.host.party, None

    def credited_twice(s: PouwScene) -> tuple[Party, Any]:
        receipt, evidence = s.job()
        s.committed(receipt)
        s.ok(s.host.party, s.reveal(receipt, evidence))
        again, again_ev = s.job(first=2, tokens=(7,))
        s.committed(again)
        return s.host.party, s.reveal(again, again_ev)

    def other_host_channel(s: PouwScene) -> tuple[Party, Any]:
        other = s.hosts[1]
        evidence = evidence_receipts(other.identity, other.channel_id, 1, (10,), s.b.time_ms)
        receipt = job_receipt(s.host.party.address, DEFAULT_MODEL_ID, evidence, s.b.height)
        s.committed(receipt)
        return s.host.party, s.reveal(receipt, evidence)

    def set_model(
        model: str,
    ) -> Callable[
        [PouwScene, Receipt, tuple[SpurcReceipt, ...]], tuple[Receipt, tuple[SpurcReceipt, ...]]
    ]:
        return lambda s, r, e: (replace(r, model_id=model), e)

    def not_contiguous(
        s: PouwScene, r: Receipt, e: tuple[SpurcReceipt, ...]
    ) -> tuple[Receipt, tuple[SpurcReceipt, ...]]:
        third = evidence_receipts(s.host.identity, s.host.channel_id, 3, (5,), s.b.time_ms)
        evidence = (e[0], third[0])
        return replace(r, tokens_out=sum(x.tokens_out for x in evidence)), evidence

    def unknown_channel(
        s: PouwScene, r: Receipt, e: tuple[SpurcReceipt, ...]
    ) -> tuple[Receipt, tuple[SpurcReceipt, ...]]:
        channel = sha256(b"no such channel")
        evidence = evidence_receipts(s.host.identity, channel, 1, (10,), s.b.time_ms)
        return replace(r, tokens_out=10, job_id=job_id_for(channel, 1)), evidence

    def host_mismatch(s: PouwScene) -> tuple[Party, Any]:
        receipt, evidence = s.job()
        return s.host.party, s.reveal(replace(receipt, host=s.hosts[1].party.address), evidence)

    def overflow(s: PouwScene) -> tuple[Party, Any]:
        receipt, evidence = s.job()
        s.committed(receipt)
        return s.host.party, s.reveal(receipt, evidence)

    def h(s: PouwScene) -> Party:
        return s.host.party

    return [
        ("commit_exists", "the same commit twice", lambda s: (h(s), _twice(s))),
        (
            "reveal_by_mismatch",
            "reveal_by_height neither 0 nor h + window",
            lambda s: (h(s), s.commit(s.job()[0], reveal_by=3)),
        ),
        ("receipt_host_mismatch", "the receipt names another host", host_mismatch),
        ("commit_not_found", "a reveal without a commit", lambda s: (h(s), s.reveal(*s.job()))),
        ("reveal_too_early", "commit and reveal in the same block", too_early),
        (
            "commit_height_after_commit",
            "receipt.commit_height after the commit's block",
            committed_then(lambda s, r, e: (replace(r, commit_height=s.b.height + 10), e)),
        ),
        (
            "unknown_model",
            "a model the registry does not hold",
            committed_then(set_model("nope-model")),
        ),
        (
            "model_not_approved",
            "a registered model not approved",
            committed_then(set_model(UNAPPROVED)),
        ),
        (
            "evidence_count_zero",
            "no evidence",
            committed_then(lambda s, r, e: (replace(r, tokens_out=0), ())),
        ),
        ("evidence_not_contiguous", "calls 1 and 3", committed_then(not_contiguous)),
        (
            "job_id_mismatch",
            "a job_id that is not sha256(channel_id || first call_seq)",
            committed_then(lambda s, r, e: (replace(r, job_id=bytes(32)), e)),
        ),
        (
            "channel_not_found",
            "evidence of a channel not on chain",
            committed_then(unknown_channel),
        ),
        (
            "channel_host_mismatch",
            "evidence of host2's channel revealed by host",
            other_host_channel,
        ),
        (
            "channel_model_mismatch",
            "the channel serves another model than the receipt's",
            committed_then(set_model(OTHER_MODEL)),
        ),
        (
            "model_hash_mismatch",
            "evidence carrying another model hash",
            committed_then(lambda s, r, e: (r, e), model_hash=sim_model_hash(OTHER_MODEL)),
        ),
        ("job_already_credited", "calls already credited revealed again", credited_twice),
        (
            "tokens_out_mismatch",
            "tokens_out one above the evidence's sum",
            committed_then(lambda s, r, e: (replace(r, tokens_out=r.tokens_out + 1), e)),
        ),
        (
            "tee_attested_mismatch",
            "tee_attested false for attested evidence",
            committed_then(lambda s, r, e: (replace(r, tee_attested=False), e)),
        ),
        ("credit_overflow", "a credit on top of MAX_CREDITS", overflow),
        (
            "unknown_validator",
            "a credit target that is not a validator",
            lambda s: (h(s), MsgSetCreditTarget(s.host.party.address, s.outsider.address)),
        ),
        (
            "credit_target_unchanged",
            "the target it already has (none)",
            lambda s: (h(s), MsgSetCreditTarget(s.host.party.address, "")),
        ),
        (
            "credit_target_invalid_address",
            "a validator string that is not an address",
            lambda s: (h(s), MsgSetCreditTarget(s.host.party.address, "dait1nope")),
        ),
        (
            "not_auditor",
            "an audit report by a non-auditor",
            lambda s: (h(s), MsgReportAudit(s.host.party.address, s.host.party.address, True)),
        ),
        (
            "register_model_unauthorized",
            "MsgRegisterModel by a host",
            lambda s: (
                h(s),
                MsgRegisterModel(
                    s.host.party.address, "m", "1.000000000000000000", True, bytes(32)
                ),
            ),
        ),
        (
            "update_params_unauthorized",
            "MsgUpdateParams by a host",
            lambda s: (h(s), MsgUpdateParams(s.host.party.address, Params())),
        ),
        (
            "tee_attest_update_params_unauthorized",
            "x/tee_attest MsgUpdateParams by a host",
            lambda s: (h(s), TeeMsgUpdateParams(s.host.party.address, TeeParams())),
        ),
    ]


def _twice(s: PouwScene) -> MsgCommitReceipt:
    receipt, _ = s.job()
    s.committed(receipt)
    return s.commit(receipt)


def refusal_cases() -> Iterator[CaseSpec]:
    for name, what, make in _refusals():
        if name == "credit_overflow":
            s = PouwScene(hosts_credits=(HostCredits(party("host").address, MAX_CREDITS, 0),))
        else:
            s = PouwScene()
        who, msg = make(s)
        if msg is not None:
            s.b.tx(who, msg)
        yield built("refusals", name, what, REFUSED, f"{SPEC} §8", s.b)


def seeded_cases() -> Iterator[CaseSpec]:
    """Commit, reveal and retarget drawn by the module's weights (simulation.py)."""
    for seed in SEEDS:
        rng = random.Random(seed)
        s = PouwScene()
        pending: list[tuple[int, Receipt, tuple[SpurcReceipt, ...], Host]] = []
        for _ in range(12):
            roll = rng.randrange(100)
            host = rng.choice(s.hosts)
            if roll < 50:
                receipt, evidence = s.job(
                    host, tuple(rng.randint(1, 5_000) for _ in range(rng.randint(1, 3)))
                )
                pending.append((s.b.height + 1, receipt, evidence, host))
                s.b.tx(host.party, s.commit(receipt, host.party))
            elif roll < 90 and pending and pending[0][0] <= s.b.height:
                _, receipt, evidence, owner = pending.pop(0)
                s.b.tx(owner.party, s.reveal(receipt, evidence, owner.party))
            else:
                target = rng.choice(["", *(v.address for v in s.vals)])
                s.b.tx(host.party, MsgSetCreditTarget(host.party.address, target))
        yield built(
            "seeded",
            f"seed_{seed}",
            f"12 blocks of commit (50), reveal (40), retarget (10) (seed {seed})",
            "Operations are weighted and drawn from a seeded RNG (anchors.md)",
            f"{SPEC} §13",
            s.b,
        )


GOV_RULE = (
    "MsgRegisterModel { authority, model_id, weight, approved } // gov-only; "
    "MsgUpdateParams { authority, params } // gov-only (seed 003)"
)


def _gov_cases() -> list[tuple[str, str, str, Callable[[PouwScene], list[Any]]]]:
    """(name, description, source, the gov account's messages, one tx each)."""
    new_model = "mistral-7b"

    def register(model_id: str, weight: str) -> Callable[[PouwScene], list[Any]]:
        return lambda s: [
            MsgRegisterModel(s.gov.address, model_id, weight, True, sim_model_hash(new_model))
        ]

    def pouw_params(**changes: Any) -> Callable[[PouwScene], list[Any]]:
        # The scene's params with changes: every other field stays as genesis set it.
        return lambda s: [MsgUpdateParams(s.gov.address, replace(s.params, **changes))]

    def tee_params(params: TeeParams) -> Callable[[PouwScene], list[Any]]:
        return lambda s: [TeeMsgUpdateParams(s.gov.address, params)]

    sim_root, rogue_root = sim_vendor().root_pubkey, sim_vendor_rogue_root()
    both_roots = tuple(sorted((sim_root, rogue_root)))
    pouw_85, pouw_86, tee_5 = f"{SPEC} §8.5", f"{SPEC} §8.6", "specs/tee_attest.md §5"
    return [
        (
            "register_model",
            "the authority registers a model, then replaces its weight",
            pouw_85,
            lambda s: [
                *register(new_model, "0.500000000000000000")(s),
                *register(new_model, "1000000.000000000000000000")(s),
            ],
        ),
        (
            "register_model_weight_above_max",
            "weight one unit above 1,000,000",
            pouw_85,
            register(new_model, "1000000.000000000000000001"),
        ),
        (
            "register_model_weight_negative",
            "weight -1",
            pouw_85,
            register(new_model, "-1.000000000000000000"),
        ),
        (
            "register_model_weight_not_canonical",
            'weight "0.5" (not 18 fractional digits)',
            pouw_85,
            register(new_model, "0.5"),
        ),
        ("register_model_empty_id", 'model_id ""', pouw_85, register("", "1.000000000000000000")),
        (
            "register_model_id_with_space",
            "a model_id with a space",
            pouw_85,
            register("mistral 7b", "1.000000000000000000"),
        ),
        (
            "register_model_id_129_chars",
            "a model_id of 129 characters",
            pouw_85,
            register("m" * 129, "1.000000000000000000"),
        ),
        (
            "update_params",
            "the authority widens commit_reveal_window to 7; the next commit's reveal_by follows",
            pouw_86,
            lambda s: [
                *pouw_params(commit_reveal_window=7)(s),
                s.commit(s.job()[0], signer=s.host.party),
            ],
        ),
        (
            "update_params_half_life_changed",
            "half_life_blocks changed (fixed at genesis, D10)",
            pouw_86,
            pouw_params(half_life_blocks=1234),
        ),
        (
            "update_params_invalid",
            "commit_reveal_window 0",
            pouw_86,
            pouw_params(commit_reveal_window=0),
        ),
        (
            "tee_attest_update_params",
            "the authority adds a second trusted root and revokes the first",
            tee_5,
            tee_params(TeeParams(trusted_roots=both_roots, revoked_keys=(sim_root,))),
        ),
        (
            "tee_attest_update_params_root_not_a_key",
            "a trusted root of 33 zero bytes",
            tee_5,
            tee_params(TeeParams(trusted_roots=(bytes(33),))),
        ),
        (
            "tee_attest_update_params_roots_unsorted",
            "trusted roots out of order",
            tee_5,
            tee_params(TeeParams(trusted_roots=tuple(reversed(both_roots)))),
        ),
        (
            "tee_attest_update_params_unknown_quote_type",
            'quote type "sgx"',
            tee_5,
            tee_params(TeeParams(trusted_roots=(sim_root,), quote_types=("sgx",))),
        ),
    ]


def gov_cases() -> Iterator[CaseSpec]:
    """Gov-only messages signed by the genesis's gov_authority: accepted, and each
    validation refusal after the authority check (pouw/4, pouw/2, tee_attest/2)."""
    for name, what, source, make in _gov_cases():
        s = PouwScene(with_gov=True)
        for msg in make(s):
            signer = s.gov if getattr(msg, "authority", None) == s.gov.address else s.host.party
            s.b.tx(signer, msg)
        yield built("gov", name, what, GOV_RULE, f"{source}; specs/app.md §6", s.b)


def sim_vendor_rogue_root() -> bytes:
    """Another vendor's root (the rogue vendor of spurc.simworld)."""
    return SimVendor.from_seed(ROGUE_VENDOR_SEED).root_pubkey


def genesis_cases() -> Iterator[CaseSpec]:
    from dait_chain.vectors.chain_run import chain_case

    s = PouwScene()
    doc = s.b.app.export_genesis()
    bad = {**doc, "pouw": {**doc["pouw"], "models": list(reversed(doc["pouw"]["models"]))}}
    yield chain_case(
        "genesis",
        "models_unsorted",
        "the model registry out of order",
        "Import validates every record ... every list sorted by its key",
        f"{SPEC} §10",
        bad,
        [],
    )
    bad_tee = {**doc, "tee_attest": {"params": {"trusted_roots": ["AA=="], "quote_types": ["tdx"]}}}
    yield chain_case(
        "genesis",
        "tee_attest_bad_root",
        "a trusted root that is not a public key",
        "Keys are valid compressed secp256k1 points",
        "specs/tee_attest.md",
        bad_tee,
        [],
    )


def pouw_cases() -> Iterator[CaseSpec]:
    yield from flow_cases()
    yield from refusal_cases()
    yield from gov_cases()
    yield from genesis_cases()
    yield from seeded_cases()
