"""x/auth: addresses, accounts, module accounts, genesis (specs/app.md §5)."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.app.errors import ErrInvalidAddress, ErrInvalidGenesis, ErrUnknownAddress
from dait_chain.app.testkit import BASE_MODULES, TestChain, actor
from dait_chain.crypto.address import encode_address, module_address
from dait_chain.x.auth import check_address
from dait_chain.x.auth.genesis import parse_genesis
from dait_chain.x.auth.keeper import AuthKeeper
from dait_chain.x.auth.types import BaseAccount, is_plain_account


@pytest.mark.parametrize(
    "address",
    [
        "",
        "dait1",
        "dait1xyz",
        encode_address(bytes(20), "cosmos"),
        encode_address(bytes(20)).upper(),
        encode_address(bytes(32)),
    ],
)
def test_non_canonical_or_invalid_addresses_are_refused(address: str) -> None:
    with pytest.raises(ErrInvalidAddress):
        check_address(address)


def test_canonical_address_passes() -> None:
    address = encode_address(bytes(range(20)))
    assert check_address(address) == address


def test_accounts_are_numbered_in_creation_order() -> None:
    chain = TestChain.start(modules=BASE_MODULES, users=("alice", "bob"))
    ctx = chain.app.query_context()
    auth = chain.app.auth
    first = auth.next_account_number.peek(ctx)
    for name in ("x", "y", "z"):
        auth.ensure_account(ctx, actor(name).address)
    auth.ensure_account(ctx, actor("x").address)  # exists: no new number
    auth.ensure_account(ctx, module_address("fee_collector"))  # module: no record
    numbers = [auth.must_account(ctx, actor(n).address).account_number for n in ("x", "y", "z")]
    assert numbers == [first, first + 1, first + 2]
    assert auth.account(ctx, module_address("fee_collector")) is None


def test_missing_account_is_an_unknown_address() -> None:
    chain = TestChain.start(modules=BASE_MODULES)
    with pytest.raises(ErrUnknownAddress):
        chain.app.auth.must_account(chain.ctx(), actor("nobody").address)


def test_module_account_registry() -> None:
    auth = AuthKeeper()
    address = auth.register_module_account("escrow", "burner")
    assert address == module_address("escrow") == auth.module_address("escrow")
    assert auth.module_name_of(address) == "escrow"
    assert auth.has_permission("escrow", "burner") and not auth.has_permission("escrow", "minter")
    assert ("escrow", address) in auth.module_accounts()
    with pytest.raises(ValueError, match="twice"):
        auth.register_module_account("escrow")
    with pytest.raises(ValueError, match="unknown permissions"):
        auth.register_module_account("other", "admin")
    with pytest.raises(KeyError):
        auth.module_address("undeclared")


ALICE = actor("alice")
BOB = actor("bob")


def account(address: str, number: int, pub_key: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"address": address, "account_number": str(number)}
    if pub_key:
        out["pub_key"] = pub_key
    return out


@pytest.mark.parametrize(
    "section",
    [
        {"params": {"min_fee": "1", "max_memo_characters": "0"}},
        {"accounts": [account("dait1bad", 0)], "next_account_number": "1"},
        {
            "accounts": [account(ALICE.address, 0), account(ALICE.address, 1)],
            "next_account_number": "2",
        },
        {
            "accounts": [account(ALICE.address, 0), account(BOB.address, 0)],
            "next_account_number": "2",
        },
        {"accounts": [account(ALICE.address, 1)], "next_account_number": "1"},
        {"accounts": [account(ALICE.address, 0, "Aw==")], "next_account_number": "1"},
        {"accounts": [{"address": ALICE.address, "sequence": "x"}]},
    ],
)
def test_invalid_auth_genesis_is_refused(section: dict[str, Any]) -> None:
    with pytest.raises(ErrInvalidGenesis):
        parse_genesis(section)


def test_genesis_pubkey_must_match_its_address() -> None:
    import base64

    bob_key = base64.b64encode(BOB.pubkey).decode()
    with pytest.raises(ErrInvalidGenesis, match="does not match"):
        parse_genesis(
            {"accounts": [account(ALICE.address, 0, bob_key)], "next_account_number": "1"}
        )
    alice_key = base64.b64encode(ALICE.pubkey).decode()
    state = parse_genesis(
        {"accounts": [account(ALICE.address, 0, alice_key)], "next_account_number": "1"}
    )
    assert state.accounts[0].pub_key == ALICE.pubkey


def test_module_address_in_auth_genesis_is_refused() -> None:
    chain = TestChain.start(modules=BASE_MODULES)
    genesis = chain.app.export_genesis()
    genesis["auth"]["accounts"].append(account(module_address("fee_collector"), 99))
    genesis["auth"]["next_account_number"] = "100"
    from dait_chain.app.app import DaitApp

    app = DaitApp(BASE_MODULES)
    with pytest.raises(ErrInvalidGenesis, match="module account"):
        app.init_chain(genesis)
    assert app.state_pairs() == []


@given(
    st.text(max_size=50),
    st.sampled_from([b"", b"\x02" * 33]),
    st.integers(0, 2**64 - 1),
    st.integers(0, 2**64 - 1),
)
def test_a_plain_account_decodes_from_its_encoding_to_itself(
    address: str, pub_key: bytes, number: int, sequence: int
) -> None:
    """is_plain_account vouches that decode(encode(a)) == a (the account codec then keeps
    a written account as read): fields of exactly the decoded types round-trip."""
    account = BaseAccount(address, pub_key, number, sequence)
    assert is_plain_account(account)
    assert BaseAccount.decode(account.encode()) == account


def test_accounts_with_other_field_types_are_not_plain() -> None:
    assert not is_plain_account(BaseAccount("a", bytearray(b""), 1, 1))  # type: ignore[arg-type]
    assert not is_plain_account(BaseAccount("a", b"", True, 1))
    E = IntEnum("E", "ONE")
    assert not is_plain_account(BaseAccount("a", b"", 1, E.ONE))
