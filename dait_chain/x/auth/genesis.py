"""x/auth genesis: validate, import, export (specs/app.md "x/auth", "Genesis")."""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.app.errors import ErrInvalidGenesis
from dait_chain.app.module import GenesisSection
from dait_chain.codec.errors import CodecError
from dait_chain.crypto.address import address_from_pubkey
from dait_chain.crypto.errors import CryptoError
from dait_chain.errors import DaitError
from dait_chain.x.auth.address import check_address
from dait_chain.x.auth.keeper import AuthKeeper
from dait_chain.x.auth.types import DEFAULT_PARAMS, GenesisState, Params


def default_genesis() -> GenesisSection:
    """Default params, no accounts."""
    return GenesisState(DEFAULT_PARAMS, (), 0).to_json()


def parse_genesis(data: GenesisSection) -> GenesisState:
    """The auth section as a value; ErrInvalidGenesis on any malformed or invalid content."""
    try:
        state = GenesisState.from_json(data)
    except CodecError as exc:
        raise ErrInvalidGenesis(f"auth: {exc.log}") from None
    validate_genesis(state)
    return state


def validate_params(params: Params) -> None:
    """Params are valid when the memo limit is positive (min_fee may be 0)."""
    if params.max_memo_characters == 0:
        raise ErrInvalidGenesis("auth: max_memo_characters must be positive")


def validate_genesis(state: GenesisState) -> None:
    """Accounts have canonical, distinct addresses and distinct numbers below the next one;
    a known public key must hash to its account's address."""
    validate_params(state.params or DEFAULT_PARAMS)
    seen_addresses: set[str] = set()
    seen_numbers: set[int] = set()
    for acc in state.accounts:
        try:
            check_address(acc.address, "account address")
            if acc.pub_key and address_from_pubkey(acc.pub_key) != acc.address:
                raise ErrInvalidGenesis(f"auth: pub_key does not match {acc.address}")
        except (CryptoError, DaitError) as exc:
            if isinstance(exc, ErrInvalidGenesis):
                raise
            raise ErrInvalidGenesis(f"auth: {exc.log}") from None
        if acc.address in seen_addresses:
            raise ErrInvalidGenesis(f"auth: duplicate account {acc.address}")
        if acc.account_number in seen_numbers:
            raise ErrInvalidGenesis(f"auth: duplicate account number {acc.account_number}")
        if acc.account_number >= state.next_account_number:
            raise ErrInvalidGenesis(
                f"auth: account number {acc.account_number} >= next_account_number "
                f"{state.next_account_number}"
            )
        seen_addresses.add(acc.address)
        seen_numbers.add(acc.account_number)


def init_genesis(keeper: AuthKeeper, ctx: Context, data: GenesisSection) -> None:
    """Write params, accounts and the account-number counter."""
    state = parse_genesis(data)
    for acc in state.accounts:
        if keeper.module_name_of(acc.address) is not None:
            raise ErrInvalidGenesis(f"auth: {acc.address} is a module account")
    keeper.params.set(ctx, state.params or DEFAULT_PARAMS)
    for acc in state.accounts:
        keeper.set_account(ctx, acc)
    keeper.next_account_number.set(ctx, state.next_account_number)


def export_genesis(keeper: AuthKeeper, ctx: Context) -> GenesisSection:
    """Params, every account in address order, the next account number."""
    state = GenesisState(
        keeper.get_params(ctx),
        tuple(keeper.accounts.values(ctx)),
        keeper.next_account_number.peek(ctx),
    )
    return state.to_json()
