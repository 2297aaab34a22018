"""Amounts of uDAIT: the one denomination (specs/bank.md "Coins").

decisions.md: "Denomination uDAIT (1 DAIT = 1,000,000 uDAIT)". On the wire an amount is a
`Coin{denom, amount}` whose amount is a decimal sdk.Int string; in the state machine it is
a Python int in [0, 2^256 - 1], the range of Cosmos's math.Int (256-bit magnitude).
"""

from __future__ import annotations

from dait_chain.app.errors import ErrInvalidCoins
from dait_chain.codec.tx import Coin

DENOM = "uDAIT"
UDAIT_PER_DAIT = 1_000_000
MAX_AMOUNT = (1 << 256) - 1  # cosmossdk.io/math Int: at most 256 bits of magnitude


def check_amount(amount: int, what: str = "amount") -> int:
    """Return amount if it is an int in [0, MAX_AMOUNT]; else ErrInvalidCoins."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ErrInvalidCoins(f"{what} {amount!r} is not an integer")
    if amount < 0:
        raise ErrInvalidCoins(f"{what} {amount} is negative")
    if amount > MAX_AMOUNT:
        raise ErrInvalidCoins(f"{what} exceeds 2^256 - 1")
    return amount


def parse_amount(text: str, what: str = "amount") -> int:
    """The int of a canonical decimal sdk.Int string (no sign, no leading zeros)."""
    # ^(0|[1-9][0-9]*)$ (ASCII digits: isdigit alone would take other scripts' digits)
    # as str tests, on the path of every fee and every send.
    if (
        len(text) > 78
        or not (text.isascii() and text.isdigit())
        or (text[0] == "0" and len(text) > 1)
    ):
        raise ErrInvalidCoins(f"{what} {text!r} is not a canonical decimal integer")
    return check_amount(int(text), what)


def parse_coin(coin: Coin | None, what: str = "amount", *, positive: bool = True) -> int:
    """The uDAIT amount of a Coin; refuses another denom, a malformed or (if positive) a
    zero amount (Cosmos: "amount must be positive")."""
    if coin is None:
        raise ErrInvalidCoins(f"{what}: missing")
    if coin.denom != DENOM:
        raise ErrInvalidCoins(f"{what}: denom {coin.denom!r} is not {DENOM}")
    amount = parse_amount(coin.amount, what)
    if positive and amount == 0:
        raise ErrInvalidCoins(f"{what}: must be positive")
    return amount


def parse_coins(coins: tuple[Coin, ...], what: str = "amount") -> int:
    """The uDAIT amount of a Coins list: exactly one positive uDAIT coin."""
    if len(coins) != 1:
        raise ErrInvalidCoins(f"{what}: expected one {DENOM} coin, got {len(coins)}")
    return parse_coin(coins[0], what)


def coin(amount: int) -> Coin:
    """The Coin of amount uDAIT."""
    return Coin(DENOM, str(check_amount(amount)))


def format_amount(amount: int) -> str:
    """The Cosmos Coins string of amount uDAIT, as events carry it: "123uDAIT"."""
    return f"{amount}{DENOM}"
