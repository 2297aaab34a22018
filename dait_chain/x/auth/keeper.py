"""x/auth keeper: accounts, account numbers, module accounts, params (specs/app.md "x/auth").

Accounts are created in order, each taking the next account number, when an address
first receives funds (bank) or appears in genesis. Module accounts are declared in code
by the modules that own them (`register_module_account`) and have no account record:
their address is `module_address(name)`, they hold balances but never sign.
"""

from __future__ import annotations

from dataclasses import replace

from dait_chain.app.context import Context
from dait_chain.app.errors import ErrUnknownAddress
from dait_chain.crypto.address import module_address
from dait_chain.store.collections import Item, Map, ProtoValueCodec, Schema, Sequence, StrKey
from dait_chain.x.auth.types import DEFAULT_PARAMS, BaseAccount, Params, is_plain_account

MODULE_NAME = "auth"
FEE_COLLECTOR = "fee_collector"

MINTER = "minter"
BURNER = "burner"
PERMISSIONS = frozenset({MINTER, BURNER})


class AuthKeeper:
    """Accounts and module accounts."""

    def __init__(self) -> None:
        schema = Schema(MODULE_NAME)
        self.schema = schema
        self.params: Item[Params] = Item(schema, 0, "params", ProtoValueCodec(Params))
        self.accounts: Map[str, BaseAccount] = Map(
            schema, 1, "accounts", StrKey, ProtoValueCodec(BaseAccount, is_plain_account)
        )
        self.next_account_number = Sequence(schema, 2, "next_account_number")
        # name -> permissions; address -> name. Static wiring, not state.
        self._module_perms: dict[str, frozenset[str]] = {}
        self._module_addresses: dict[str, str] = {}
        self._module_by_address: dict[str, str] = {}
        self.register_module_account(FEE_COLLECTOR)

    # ---- module accounts -----------------------------------------------------------------

    def register_module_account(self, name: str, *permissions: str) -> str:
        """Declare the module account `name` with permissions ("minter", "burner")."""
        unknown = set(permissions) - PERMISSIONS
        if unknown:
            raise ValueError(f"module account {name!r}: unknown permissions {sorted(unknown)}")
        if name in self._module_perms:
            raise ValueError(f"module account {name!r} declared twice")
        address = module_address(name)
        self._module_perms[name] = frozenset(permissions)
        self._module_addresses[name] = address
        self._module_by_address[address] = name
        return address

    def module_address(self, name: str) -> str:
        """The address of a declared module account."""
        address = self._module_addresses.get(name)
        if address is None:
            raise KeyError(f"module account {name!r} is not declared")
        return address

    def has_module_account(self, name: str) -> bool:
        """Whether `name` is a declared module account."""
        return name in self._module_perms

    def module_name_of(self, address: str) -> str | None:
        """The module account name of address, or None for a user address."""
        return self._module_by_address.get(address)

    def has_permission(self, name: str, permission: str) -> bool:
        """Whether module account `name` holds `permission`."""
        return permission in self._module_perms.get(name, frozenset())

    def module_accounts(self) -> list[tuple[str, str]]:
        """(name, address) of every declared module account, by name."""
        return sorted(self._module_addresses.items())

    # ---- params --------------------------------------------------------------------------

    def get_params(self, ctx: Context) -> Params:
        """The current params (defaults before genesis has set them)."""
        params = self.params.get(ctx)
        return DEFAULT_PARAMS if params is None else params

    # ---- accounts ------------------------------------------------------------------------

    def account(self, ctx: Context, address: str) -> BaseAccount | None:
        """The account at address, or None."""
        return self.accounts.get(ctx, address)

    def must_account(self, ctx: Context, address: str) -> BaseAccount:
        """The account at address; ErrUnknownAddress if it does not exist."""
        return self.accounts.must_get(
            ctx, address, ErrUnknownAddress, f"account {address} does not exist"
        )

    def has_account(self, ctx: Context, address: str) -> bool:
        """Whether a user account exists at address."""
        return self.accounts.has(ctx, address)

    def ensure_account(self, ctx: Context, address: str) -> None:
        """Create the account at address with the next account number, unless it exists
        or address is a module account (as Cosmos bank does for a new recipient)."""
        if address in self._module_by_address or self.accounts.has(ctx, address):
            return
        number = self.next_account_number.next(ctx)
        self.accounts.set(ctx, address, BaseAccount(address, b"", number, 0))

    def set_account(self, ctx: Context, account: BaseAccount) -> None:
        """Store an account record."""
        self.accounts.set(ctx, account.address, account)

    def set_pub_key(self, ctx: Context, account: BaseAccount, pub_key: bytes) -> BaseAccount:
        """Record the account's public key (first tx) and return the updated account."""
        updated = replace(account, pub_key=pub_key)
        self.accounts.set(ctx, account.address, updated)
        return updated

    def increment_sequence(self, ctx: Context, account: BaseAccount) -> BaseAccount:
        """Bump the account's sequence and return the updated account."""
        updated = replace(account, sequence=account.sequence + 1)
        self.accounts.set(ctx, account.address, updated)
        return updated
