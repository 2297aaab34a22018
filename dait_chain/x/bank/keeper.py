"""x/bank keeper: balances of uDAIT and the total supply (specs/bank.md).

Every movement is between two addresses (user or module account) and keeps the sum of
balances equal to the supply; only `mint` and `burn` change the supply, and only module
accounts declared with the "minter" / "burner" permission may call them. A zero balance
is deleted, so the store holds exactly the non-zero balances (as Cosmos x/bank).
"""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.app.errors import ErrInsufficientFunds
from dait_chain.store.collections import IntValue, Item, Map, Schema, StrKey
from dait_chain.x.auth.keeper import BURNER, MINTER, AuthKeeper
from dait_chain.x.bank import events as ev
from dait_chain.x.bank.coins import MAX_AMOUNT, check_amount, format_amount
from dait_chain.x.bank.errors import ErrNoPermission, ErrSupplyOverflow, ErrUnknownModuleAccount

MODULE_NAME = "bank"


class BankKeeper:
    """Balances and supply of the single denomination uDAIT."""

    def __init__(self, auth: AuthKeeper) -> None:
        self.auth = auth
        schema = Schema(MODULE_NAME)
        self.schema = schema
        self.balances: Map[str, int] = Map(schema, 1, "balances", StrKey, IntValue)
        self.supply_item: Item[int] = Item(schema, 2, "supply", IntValue)

    # ---- reads ---------------------------------------------------------------------------

    def balance(self, ctx: Context, address: str) -> int:
        """The uDAIT held by address (0 if none)."""
        value = self.balances.get(ctx, address)
        return 0 if value is None else value

    def module_balance(self, ctx: Context, module_name: str) -> int:
        """The uDAIT held by the module account `module_name`."""
        return self.balance(ctx, self._module_address(module_name))

    def supply(self, ctx: Context) -> int:
        """The total uDAIT in existence."""
        value = self.supply_item.get(ctx)
        return 0 if value is None else value

    # ---- movements -----------------------------------------------------------------------

    def send(self, ctx: Context, from_address: str, to_address: str, amount: int) -> None:
        """Move amount uDAIT from one address to another (specs/bank.md "Send").

        Creates the recipient's account if it has none (Cosmos SendCoins). A zero amount
        moves nothing and emits nothing.
        """
        if type(amount) is not int or not 0 <= amount <= MAX_AMOUNT:
            check_amount(amount)  # refuses it, unless an int subclass in range
        if amount == 0:
            return
        coins = format_amount(amount)  # the amount attribute of all three events
        self._sub(ctx, from_address, amount, coins)
        self._add(ctx, to_address, amount, coins)
        self.auth.ensure_account(ctx, to_address)
        ctx.events.emit_flat(
            (ev.EVENT_TRANSFER, "recipient", to_address, "sender", from_address, "amount", coins)
        )

    def send_to_module(
        self, ctx: Context, from_address: str, module_name: str, amount: int
    ) -> None:
        """Move amount from an address into the module account `module_name`."""
        self.send(ctx, from_address, self._module_address(module_name), amount)

    def send_from_module(
        self, ctx: Context, module_name: str, to_address: str, amount: int
    ) -> None:
        """Move amount from the module account `module_name` to an address."""
        self.send(ctx, self._module_address(module_name), to_address, amount)

    def send_module_to_module(
        self, ctx: Context, from_module: str, to_module: str, amount: int
    ) -> None:
        """Move amount between two module accounts."""
        self.send(ctx, self._module_address(from_module), self._module_address(to_module), amount)

    def mint(self, ctx: Context, module_name: str, amount: int) -> None:
        """Create amount uDAIT in the module account `module_name` (needs "minter")."""
        check_amount(amount)
        address = self._module_address(module_name)
        if not self.auth.has_permission(module_name, MINTER):
            raise ErrNoPermission(f"{module_name} may not mint")
        if amount == 0:
            return
        supply = self.supply(ctx) + amount
        if supply > MAX_AMOUNT:
            raise ErrSupplyOverflow(f"minting {amount}")
        self.supply_item.set(ctx, supply)
        self._add(ctx, address, amount, format_amount(amount))
        ctx.events.emit(ev.EVENT_COINBASE, minter=address, amount=format_amount(amount))

    def burn(self, ctx: Context, module_name: str, amount: int) -> None:
        """Destroy amount uDAIT held by the module account `module_name` (needs "burner")."""
        check_amount(amount)
        address = self._module_address(module_name)
        if not self.auth.has_permission(module_name, BURNER):
            raise ErrNoPermission(f"{module_name} may not burn")
        if amount == 0:
            return
        self._sub(ctx, address, amount, format_amount(amount))
        self.supply_item.set(ctx, self.supply(ctx) - amount)
        ctx.events.emit(ev.EVENT_BURN, burner=address, amount=format_amount(amount))

    # ---- genesis -------------------------------------------------------------------------

    def set_balance(self, ctx: Context, address: str, amount: int) -> None:
        """Write a balance directly (genesis import; the caller keeps supply consistent)."""
        if amount == 0:
            self.balances.delete(ctx, address)
        else:
            self.balances.set(ctx, address, amount)

    # ---- internals -----------------------------------------------------------------------

    def _module_address(self, module_name: str) -> str:
        try:
            return self.auth.module_address(module_name)
        except KeyError:
            raise ErrUnknownModuleAccount(repr(module_name)) from None

    def _sub(self, ctx: Context, address: str, amount: int, coins: str) -> None:
        """Take amount (written coins, as events carry it) from address's balance."""
        balances = self.balances
        key, have = balances.locate(ctx, address)
        if have is None:
            have = 0
        if have < amount:
            # Cosmos subUnlockedCoins: "spendable balance X is smaller than Y"
            raise ErrInsufficientFunds(
                f"spendable balance {format_amount(have)} is smaller than {coins}"
            )
        if have == amount:
            balances.delete_at(ctx, key)  # only non-zero balances are stored
        else:
            balances.set_at(ctx, key, have - amount)
        ctx.events.emit_flat((ev.EVENT_COIN_SPENT, "spender", address, "amount", coins))

    def _add(self, ctx: Context, address: str, amount: int, coins: str) -> None:
        """Add amount (written coins) to address's balance."""
        balances = self.balances
        key, have = balances.locate(ctx, address)
        # No overflow check: every balance is at most the supply, which is bounded at mint.
        # amount > 0 (callers return early on zero), so the new balance is non-zero.
        balances.set_at(ctx, key, amount if have is None else have + amount)
        ctx.events.emit_flat((ev.EVENT_COIN_RECEIVED, "receiver", address, "amount", coins))
