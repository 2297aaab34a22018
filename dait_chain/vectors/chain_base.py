"""chain/ante, chain/bank, chain/staking, chain/distribution, chain/app: the base modules.

specs/app.md §3 (the ante table, with Cosmos's `sdk` codes), §5, §6, and the base modules'
rules. Each refusal is one case: a tx assembled field by field so that it breaks exactly
one rule, in a block after a warm-up that put every signer's key on record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from dait_chain.app.tx import sign_doc_bytes
from dait_chain.codec.tx import (
    AuthInfo,
    Coin,
    Fee,
    ModeInfo,
    ModeInfoSingle,
    MsgSend,
    PubKey,
    SignerInfo,
    SignMode,
    TxBody,
    TxRaw,
)
from dait_chain.codec.value import ProtoValue
from dait_chain.crypto import secp256k1
from dait_chain.crypto.address import module_address
from dait_chain.pb.dait.tx.v1 import tx_pb2
from dait_chain.sim.stream import StreamBlock
from dait_chain.vectors.case import CaseSpec
from dait_chain.vectors.chain_run import ChainBuilder, Party, built, chain_case, genesis_of, party
from dait_chain.x.auth.types import BaseAccount
from dait_chain.x.distribution.types import DEFAULT_PARAMS as DISTRIBUTION_DEFAULTS
from dait_chain.x.staking.types import DEFAULT_PARAMS as STAKING_DEFAULTS
from dait_chain.x.staking.types import MsgDelegate, MsgUndelegate

APP = "specs/app.md"
FEE = 1_000
FUNDS = 10**12
ALICE, BOB, CAROL, POOR = party("alice"), party("bob"), party("carol"), party("poor")
GHOST, VAL = party("ghost"), party("val-a")
REFUSED = (
    "If any ante step fails, the branch is dropped: the tx leaves no write and no event; "
    "its result is the error with no events. (specs/app.md §3.2)"
)


def send(a: Party, b: Party, amount: str = "5", denom: str = "uDAIT") -> MsgSend:
    return MsgSend(a.address, b.address, (Coin(denom, amount),))


def base(**spec: Any) -> ChainBuilder:
    """alice, bob (funded), poor (FEE - 1), val-a a validator; alice and bob have sent one
    tx each, so their keys are on record."""
    funded = [(ALICE, FUNDS), (BOB, FUNDS), (CAROL, FUNDS), (POOR, FEE - 1)]
    b = ChainBuilder(genesis_of(funded, validators=[(VAL, 10_000_000_000)], **spec))
    b.block(b.sign(ALICE, send(ALICE, BOB)), b.sign(BOB, send(BOB, ALICE)))
    return b


def assembled(
    b: ChainBuilder,
    who: Party,
    msgs: tuple[ProtoValue, ...],
    *,
    signer_infos: tuple[SignerInfo, ...] | None = None,
    fee: Fee | None = None,
    memo: str = "",
    timeout_height: int = 0,
    signers: tuple[bytes, ...] | None = None,
) -> bytes:
    """A tx built field by field, so a case can break exactly one ante rule."""
    ctx = b.app.query_context()
    account = b.app.auth.account(ctx, who.address)
    number, seq = (0, 0) if account is None else (account.account_number, account.sequence)
    body = TxBody(msgs, memo, timeout_height).encode()
    info = SignerInfo(PubKey(who.pubkey), ModeInfo(ModeInfoSingle(SignMode.SIGN_MODE_DIRECT)), seq)
    auth = AuthInfo(
        (info,) if signer_infos is None else signer_infos,
        Fee((Coin("uDAIT", str(FEE)),), 0) if fee is None else fee,
    ).encode()
    doc = sign_doc_bytes(body, auth, b.app.chain_id, number)
    keys = (who.privkey,) if signers is None else signers
    return TxRaw(body, auth, tuple(secp256k1.sign(k, doc) for k in keys)).encode()


def _direct(
    pub: bytes | None, seq: int = 1, mode: SignMode = SignMode.SIGN_MODE_DIRECT
) -> SignerInfo:
    return SignerInfo(None if pub is None else PubKey(pub), ModeInfo(ModeInfoSingle(mode)), seq)


def _ante_cases() -> list[tuple[str, str, Callable[[ChainBuilder], bytes]]]:
    def s() -> tuple[ProtoValue, ...]:
        return (send(ALICE, BOB),)

    def reordered(b: ChainBuilder) -> bytes:
        raw = TxRaw.decode(b.sign(ALICE, send(ALICE, BOB)))
        return (
            b"\x1a\x40"
            + raw.signatures[0]
            + b"\x12"
            + bytes([len(raw.auth_info_bytes)])
            + raw.auth_info_bytes
            + b"\x0a"
            + bytes([len(raw.body_bytes)])
            + raw.body_bytes
        )

    def unknown_url(b: ChainBuilder) -> bytes:
        from google.protobuf import any_pb2

        body = tx_pb2.TxBody(messages=[any_pb2.Any(type_url="/dait.nope.v1.MsgNope", value=b"")])
        good = TxRaw.decode(b.sign(ALICE, send(ALICE, BOB)))
        return TxRaw(body.SerializeToString(), good.auth_info_bytes, good.signatures).encode()

    def mangled(kind: str) -> Callable[[ChainBuilder], bytes]:
        def make(b: ChainBuilder) -> bytes:
            raw = TxRaw.decode(b.sign(ALICE, send(ALICE, BOB)))
            sig = raw.signatures[0]
            if kind == "high_s":
                sig = sig[:32] + (secp256k1.CURVE_ORDER - int.from_bytes(sig[32:], "big")).to_bytes(
                    32, "big"
                )
            else:
                sig = sig[:63]
            return TxRaw(raw.body_bytes, raw.auth_info_bytes, (sig,)).encode()

        return make

    return [
        ("undecodable_bytes", "bytes that are not a TxRaw", lambda b: b"\x0a\x05abc"),
        ("non_canonical_tx_raw", "a TxRaw with its fields in descending tag order", reordered),
        ("unknown_type_url", "a message Any with an unregistered type URL", unknown_url),
        ("no_messages", "a body without messages", lambda b: assembled(b, ALICE, ())),
        (
            "no_signatures",
            "a tx without signatures",
            lambda b: assembled(b, ALICE, s(), signers=()),
        ),
        (
            "two_signatures",
            "two signatures",
            lambda b: assembled(b, ALICE, s(), signers=(ALICE.privkey, ALICE.privkey)),
        ),
        (
            "two_signer_infos",
            "two signer infos",
            lambda b: assembled(b, ALICE, s(), signer_infos=(_direct(None), _direct(None))),
        ),
        (
            "signature_without_signer_info",
            "a signature and no signer info",
            lambda b: assembled(b, ALICE, s(), signer_infos=()),
        ),
        (
            "registered_type_without_handler",
            "a BaseAccount as a message (registered, no handler)",
            lambda b: assembled(b, ALICE, (BaseAccount(ALICE.address, b"", 0, 0),)),
        ),
        (
            "messages_with_two_signers",
            "messages from alice and bob in one tx",
            lambda b: assembled(b, ALICE, (send(ALICE, BOB), send(BOB, ALICE))),
        ),
        (
            "signer_not_canonical",
            "an upper-case signer address",
            lambda b: assembled(
                b, ALICE, (MsgSend(ALICE.address.upper(), BOB.address, (Coin("uDAIT", "1"),)),)
            ),
        ),
        (
            "sign_mode_unspecified",
            "SIGN_MODE_UNSPECIFIED",
            lambda b: assembled(
                b,
                ALICE,
                s(),
                signer_infos=(_direct(ALICE.pubkey, 1, SignMode.SIGN_MODE_UNSPECIFIED),),
            ),
        ),
        (
            "fee_granter",
            "a fee granter",
            lambda b: assembled(
                b, ALICE, s(), fee=Fee((Coin("uDAIT", str(FEE)),), 0, "", BOB.address)
            ),
        ),
        (
            "timeout_height_passed",
            "timeout_height 1 in block 2",
            lambda b: assembled(b, ALICE, s(), timeout_height=1),
        ),
        (
            "memo_too_large",
            "a 257-byte memo (max 256)",
            lambda b: assembled(b, ALICE, s(), memo="x" * 257),
        ),
        (
            "fee_below_min",
            "fee 999 uDAIT",
            lambda b: assembled(b, ALICE, s(), fee=Fee((Coin("uDAIT", str(FEE - 1)),), 0)),
        ),
        (
            "fee_wrong_denom",
            "fee in uatom",
            lambda b: assembled(b, ALICE, s(), fee=Fee((Coin("uatom", str(FEE)),), 0)),
        ),
        (
            "fee_two_coins",
            "two fee coins",
            lambda b: assembled(
                b, ALICE, s(), fee=Fee((Coin("uDAIT", str(FEE)), Coin("uDAIT", "1")), 0)
            ),
        ),
        ("fee_none", "no fee coin", lambda b: assembled(b, ALICE, s(), fee=Fee((), 0))),
        (
            "fee_not_canonical",
            "fee amount 01000",
            lambda b: assembled(b, ALICE, s(), fee=Fee((Coin("uDAIT", "01000"),), 0)),
        ),
        (
            "unknown_signer_account",
            "a signer with no account",
            lambda b: assembled(b, GHOST, (send(GHOST, BOB),)),
        ),
        (
            "fee_beyond_balance",
            "a signer holding FEE - 1",
            lambda b: assembled(b, POOR, (send(POOR, BOB, "1"),)),
        ),
        (
            "pubkey_of_another_address",
            "bob's key on alice's tx",
            lambda b: assembled(b, ALICE, s(), signer_infos=(_direct(BOB.pubkey),)),
        ),
        (
            "first_tx_without_pubkey",
            "carol's first tx without a key",
            lambda b: assembled(
                b, CAROL, (send(CAROL, BOB, "1"),), signer_infos=(_direct(None, 0),)
            ),
        ),
        (
            "sequence_behind",
            "sequence 0 where 1 is due",
            lambda b: b.sign(ALICE, send(ALICE, BOB), sequence=0),
        ),
        (
            "sequence_ahead",
            "sequence 2 where 1 is due",
            lambda b: b.sign(ALICE, send(ALICE, BOB), sequence=2),
        ),
        (
            "signed_by_another_key",
            "alice's tx signed by bob",
            lambda b: assembled(b, ALICE, s(), signers=(BOB.privkey,)),
        ),
        (
            "wrong_chain_id",
            "signed for another chain id",
            lambda b: b.sign(ALICE, send(ALICE, BOB), chain_id="other-chain"),
        ),
        (
            "wrong_account_number",
            "signed with account number 7",
            lambda b: b.sign(ALICE, send(ALICE, BOB), account_number=7),
        ),
        ("high_s_signature", "the signature with s replaced by n - s", mangled("high_s")),
        ("short_signature", "a 63-byte signature", mangled("short")),
    ]


def ante_cases() -> Iterator[CaseSpec]:
    """Every ante refusal, and the accepted edges (timeout inclusive, memo at the limit)."""
    for name, what, make in _ante_cases():
        b = base()
        b.block(make(b))
        yield built("refusals", name, what, REFUSED, f"{APP} §3.1", b)
    b = base()
    b.block(assembled(b, ALICE, (send(ALICE, BOB),), timeout_height=2))
    b.block(assembled(b, ALICE, (send(ALICE, BOB),), memo="\u00e9" * 128))
    b.block(b.sign(ALICE, send(ALICE, BOB), include_pubkey=False))
    yield built(
        "accepted",
        "edges",
        "timeout_height equal to the block height; a 256-byte memo; a later tx without its key",
        "timeout_height is 0 or >= the block height; memo UTF-8 byte length <= max_memo_characters",
        f"{APP} §3.1",
        b,
    )


# ---- bank, staking, distribution ----------------------------------------------------------


def bank_cases() -> Iterator[CaseSpec]:
    b = base()
    b.block(
        b.sign(ALICE, send(ALICE, party("newcomer"), "250000")), b.sign(BOB, send(BOB, ALICE, "7"))
    )
    yield built(
        "flow",
        "send_and_new_account",
        "a send to a new address creates its account with the next number",
        "Accounts are created when an address first receives uDAIT (specs/app.md §5)",
        f"{APP} §5, §11.6",
        b,
    )
    for name, what, msg in (
        ("insufficient_funds", "more than the balance", send(ALICE, BOB, str(FUNDS * 2))),
        ("zero_amount", "amount 0", send(ALICE, BOB, "0")),
        ("wrong_denom", "denom uatom", send(ALICE, BOB, "5", "uatom")),
        ("leading_zero", "amount 05", send(ALICE, BOB, "05")),
        ("no_coins", "no coin at all", MsgSend(ALICE.address, BOB.address, ())),
        (
            "invalid_recipient",
            "recipient dait1nope",
            MsgSend(ALICE.address, "dait1nope", (Coin("uDAIT", "5"),)),
        ),
        (
            "to_module_account",
            "a send to the fee collector",
            MsgSend(ALICE.address, module_address("fee_collector"), (Coin("uDAIT", "5"),)),
        ),
    ):
        b = base()
        b.tx(ALICE, msg)
        yield built(
            "refusals",
            name,
            what,
            "On a message refusal the fee and the sequence bump stay, with the ante's events, and "
            "nothing else does. (specs/app.md §3.2)",
            f"{APP} §3.2, §11.6",
            b,
        )


def staking_cases() -> Iterator[CaseSpec]:
    spec = {"staking_params": replace(STAKING_DEFAULTS, unbonding_time_ms=60_000)}
    b = base(**spec)
    b.tx(ALICE, MsgDelegate(ALICE.address, VAL.address, Coin("uDAIT", "100000000")))
    b.tx(ALICE, MsgUndelegate(ALICE.address, VAL.address, Coin("uDAIT", "40000000")))
    b.block(time_ms=b.time_ms + 60_000)
    b.tx(ALICE, MsgUndelegate(ALICE.address, VAL.address, Coin("uDAIT", "60000000")))
    b.block(time_ms=b.time_ms + 60_001)
    yield built(
        "flow",
        "delegate_undelegate_complete",
        "delegate, undelegate, payout at the completion time, undelegate the rest",
        "the undelegation pays back in the first block at its completion time",
        "specs/staking.md",
        b,
    )
    other = party("not-a-validator").address
    for name, what, setup, msg in (
        (
            "unknown_validator",
            "delegation to a non-validator",
            None,
            MsgDelegate(ALICE.address, other, Coin("uDAIT", "1")),
        ),
        (
            "no_delegation",
            "undelegation without a delegation",
            None,
            MsgUndelegate(BOB.address, VAL.address, Coin("uDAIT", "1")),
        ),
        (
            "undelegate_more_than_delegated",
            "101 of 100",
            MsgDelegate(ALICE.address, VAL.address, Coin("uDAIT", "100")),
            MsgUndelegate(ALICE.address, VAL.address, Coin("uDAIT", "101")),
        ),
        (
            "delegate_beyond_balance",
            "more than the balance",
            None,
            MsgDelegate(ALICE.address, VAL.address, Coin("uDAIT", str(FUNDS * 2))),
        ),
        (
            "delegate_without_amount",
            "no amount",
            None,
            MsgDelegate(ALICE.address, VAL.address, None),
        ),
    ):
        b = base()
        if setup is not None:
            b.tx(ALICE, setup)
        signer = BOB if name == "no_delegation" else ALICE
        b.tx(signer, msg)
        yield built(
            "refusals",
            name,
            what,
            "On a message refusal the fee and the sequence bump stay (specs/app.md §3.2)",
            "specs/staking.md",
            b,
        )


def distribution_cases() -> Iterator[CaseSpec]:
    b = base(distribution_params=replace(DISTRIBUTION_DEFAULTS, allocation_interval_blocks=3))
    b.block(*(b.sign(ALICE, send(ALICE, BOB)) for _ in range(3)))
    b.block(height=b.height + 7)
    bound = (1 << 256) - 1 - 10_000_000_000
    halt = ChainBuilder(
        genesis_of(
            [(ALICE, bound)],
            validators=[(VAL, 10_000_000_000)],
            distribution_params=replace(DISTRIBUTION_DEFAULTS, allocation_interval_blocks=2),
        )
    )
    halt.block()
    yield chain_case(
        "halt",
        "supply_at_bound",
        "the supply is at the sdk.Int bound: the allocation's mint overflows and block 2 aborts",
        "Any exception from PreBlock, BeginBlock or EndBlock aborts the block (a Cosmos chain "
        "halts on a panic there) (specs/app.md §1); supply exceeds the sdk.Int bound",
        f"{APP} §1, §11.6",
        halt.genesis,
        [*halt.blocks, StreamBlock(2, halt.harness.implied_time(2), ())],
    )
    yield built(
        "flow",
        "interval_allocation",
        "fees and block rewards allocated every 3 blocks by voting power",
        "Fees accumulate in the fee_collector module account and are allocated by x/distribution "
        "(specs/app.md §4)",
        "specs/distribution.md",
        b,
    )


def app_genesis_cases() -> Iterator[CaseSpec]:
    """Genesis documents the app refuses, and one with a later initial height."""
    good = genesis_of([(ALICE, FUNDS)])
    for name, what, doc in (
        ("empty_chain_id", 'chain_id ""', {**good, "chain_id": ""}),
        ("unknown_section", "a section for no module", {**good, "nope": {}}),
        ("section_not_object", "the bank section is a list", {**good, "bank": []}),
        (
            "supply_mismatch",
            "the bank supply differs from the balances",
            {**good, "bank": {**good["bank"], "supply": "1"}},
        ),
        (
            "gov_authority_not_an_address",
            "a gov_authority that is not a bech32 address",
            {**good, "gov_authority": "dait1nope"},
        ),
        (
            "gov_authority_not_canonical",
            "a gov_authority in upper case (valid bech32, not canonical)",
            {**good, "gov_authority": ALICE.address.upper()},
        ),
    ):
        yield chain_case(
            "genesis",
            name,
            what,
            "An invalid document or section raises ErrInvalidGenesis (app codespace, code 2) and "
            "changes nothing. (specs/app.md §6)",
            f"{APP} §6",
            doc,
            [],
        )
    b = ChainBuilder(genesis_of([(ALICE, FUNDS), (BOB, FUNDS)], initial_height=50))
    b.tx(ALICE, send(ALICE, BOB))
    b.block(height=b.height + 3)
    yield built(
        "genesis",
        "initial_height_50",
        "a chain starting at height 50; sparse idle heights",
        "the app's last height is then initial_height - 1 (specs/app.md §6)",
        f"{APP} §6, §8",
        b,
    )


def base_cases(which: str) -> Callable[[], Iterator[CaseSpec]]:
    return {
        "ante": ante_cases,
        "bank": bank_cases,
        "staking": staking_cases,
        "distribution": distribution_cases,
        "app": app_genesis_cases,
    }[which]
