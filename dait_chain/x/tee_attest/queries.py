"""x/tee_attest read-only queries (specs/tee_attest.md §4)."""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.errors import DaitError
from dait_chain.spurc.values import Receipt
from dait_chain.x.tee_attest.keeper import TeeAttestKeeper
from dait_chain.x.tee_attest.params import Params
from dait_chain.x.tee_attest.types import QueryAttestResponse


class TeeAttestQueries:
    """Queries answered against the committed state; nothing is written."""

    def __init__(self, keeper: TeeAttestKeeper) -> None:
        self.keeper = keeper

    def params(self, ctx: Context) -> Params:
        """The trust policy."""
        return self.keeper.get_params(ctx)

    def attest(self, ctx: Context, receipt: Receipt) -> QueryAttestResponse:
        """The verdict on a receipt and, when refused, the first failed check's error."""
        try:
            self.keeper.attest(ctx, receipt)
        except DaitError as exc:
            return QueryAttestResponse(False, exc.codespace, exc.code, exc.log)
        return QueryAttestResponse(True)
