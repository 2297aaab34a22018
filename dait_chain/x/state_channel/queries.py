"""Read-only queries of x/state_channel (specs/state_channel.md §13).

Each method takes the context and a request value and returns a response value, as a
Cosmos gRPC query server does; the harness and the CLI call them on a query branch.
"""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.x.state_channel.keeper import Keeper
from dait_chain.x.state_channel.keys import DEFAULT_QUERY_LIMIT, MAX_QUERY_LIMIT
from dait_chain.x.state_channel.rules import check_party_address
from dait_chain.x.state_channel.types import (
    Channel,
    DueItem,
    QueryChallengesDueRequest,
    QueryChallengesDueResponse,
    QueryChannelRequest,
    QueryChannelResponse,
    QueryChannelsByPartyRequest,
    QueryChannelsByPartyResponse,
    QueryParamsRequest,
    QueryParamsResponse,
)


def page_limit(limit: int) -> int:
    """0 means the default page; larger pages are capped (specs §13)."""
    if limit == 0:
        return DEFAULT_QUERY_LIMIT
    return min(limit, MAX_QUERY_LIMIT)


class Querier:
    """The query server of x/state_channel."""

    def __init__(self, keeper: Keeper) -> None:
        self.keeper = keeper

    def params(self, ctx: Context, req: QueryParamsRequest) -> QueryParamsResponse:
        """The module params."""
        return QueryParamsResponse(params=self.keeper.get_params(ctx))

    def channel(self, ctx: Context, req: QueryChannelRequest) -> QueryChannelResponse:
        """One channel by id; ErrChannelNotFound if unknown."""
        return QueryChannelResponse(channel=self.keeper.must_get_channel(ctx, req.channel_id))

    def channels_by_party(
        self, ctx: Context, req: QueryChannelsByPartyRequest
    ) -> QueryChannelsByPartyResponse:
        """Channels where the address is user or host, in channel_id order, after
        start_after, at most `limit` (specs §13)."""
        check_party_address(req.address, "address")
        limit = page_limit(req.limit)
        out: list[Channel] = []
        start = (req.address, req.start_after) if req.start_after else None
        iterator = (
            self.keeper.by_party.iterate(ctx, start)
            if start is not None
            else self.keeper.by_party.iterate_prefix(ctx, req.address)
        )
        for address, channel_id in iterator:
            if address != req.address or len(out) >= limit:
                break
            if channel_id == req.start_after:
                continue
            out.append(self.keeper.must_get_channel(ctx, channel_id))
        return QueryChannelsByPartyResponse(channels=tuple(out))

    def challenges_due(
        self, ctx: Context, req: QueryChallengesDueRequest
    ) -> QueryChallengesDueResponse:
        """Schedule entries due at or before upto_time_ms, in (due, channel_id) order."""
        limit = page_limit(req.limit)
        items: list[DueItem] = []
        for due, channel_id in self.keeper.schedule.due(ctx, req.upto_time_ms):
            if len(items) >= limit:
                break
            channel = self.keeper.must_get_channel(ctx, channel_id)
            items.append(DueItem(due_time_ms=due, channel_id=channel_id, status=channel.status))
        return QueryChallengesDueResponse(items=tuple(items))
