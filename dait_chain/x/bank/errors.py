"""x/bank errors (specs/bank.md "Errors").

Insufficient funds, invalid coins and invalid addresses are the SDK's own root errors
(`dait_chain.app.errors`: sdk 5, 10, 7), as Cosmos x/bank reports them. The codes below
are DAIT's, numbered after Cosmos x/bank's 2-9 so that none is reused with another meaning.
"""

from __future__ import annotations

from dait_chain.errors import DaitError


class BankError(DaitError, codespace="bank"):
    """Family of x/bank errors."""


class ErrUnknownModuleAccount(BankError, code=10, description="module account does not exist"):
    pass


class ErrNoPermission(BankError, code=11, description="module account lacks the permission"):
    pass


class ErrSupplyOverflow(BankError, code=12, description="supply exceeds the sdk.Int bound"):
    pass
