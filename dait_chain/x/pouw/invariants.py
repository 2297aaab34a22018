"""x/pouw invariants (specs/pouw.md §12): (message, broken) checks run by the harness."""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.math import LegacyDec
from dait_chain.x.pouw.credits import MAX_CREDITS
from dait_chain.x.pouw.keeper import PouwKeeper


def commits_scheduled(keeper: PouwKeeper, ctx: Context) -> tuple[str, bool]:
    """Every pending commit is scheduled at its reveal_by_height, and nothing else is."""
    expected = sorted(
        (c.reveal_by_height, (c.host, c.commit_hash)) for c in keeper.commits.values(ctx)
    )
    scheduled = sorted(keeper.commit_expiry.iterate(ctx))
    return "pouw: commit schedule differs from pending commits", expected != scheduled


def audit_counters(keeper: PouwKeeper, ctx: Context) -> tuple[str, bool]:
    """Each counter equals its host's records; each record is scheduled at its expiry."""
    counts: dict[str, tuple[int, int]] = {}
    expected_schedule = []
    for record in keeper.audits.values(ctx):
        a, f = counts.get(record.host, (0, 0))
        counts[record.host] = (a + 1, f + int(record.failed))
        expected_schedule.append((record.expires_height, record.id))
    stored = {c.host: (c.audits, c.failures) for c in keeper.audit_counters.values(ctx)}
    scheduled = sorted(keeper.audit_expiry.iterate(ctx))
    broken = stored != counts or scheduled != sorted(expected_schedule)
    return "pouw: audit counters or schedule differ from the records", broken


def host_count(keeper: PouwKeeper, ctx: Context) -> tuple[str, bool]:
    """Each aggregate's host_count is the number of hosts pointing at it, and a validator
    with hosts pointing at it has an aggregate (specs §5.3)."""
    pointing: dict[str, int] = {}
    for h in keeper.hosts.values(ctx):
        if h.validator:
            pointing[h.validator] = pointing.get(h.validator, 0) + 1
    stored = {v.validator: v.host_count for v in keeper.validator_credits.values(ctx)}
    return f"pouw: host counts {stored} != {pointing}", stored != pointing


def drift_bound_ulps(host_count: int) -> int:
    """How far (in 10^-18 units) an aggregate may be from the sum of its hosts' decayed
    credits: each half-even halving of a sum and of its parts differ by at most half an
    ulp per part plus half for the sum, the interpolation's truncation by one per part
    plus one (specs §5.3), so 2 x (host_count + 1) ulps bound the sum of both."""
    return 2 * (host_count + 1)


def aggregate_tracks_hosts(keeper: PouwKeeper, ctx: Context) -> tuple[str, bool]:
    """decisions.md: "a validator's credits_i is the sum of the decayed credits of the
    hosts pointing at it": equal within drift_bound_ulps (specs §5.3)."""
    sums: dict[str, LegacyDec] = {}
    for h in keeper.hosts.values(ctx):
        if h.validator:
            credits = keeper.get_decayed_credits(ctx, h.host)
            sums[h.validator] = sums.get(h.validator, LegacyDec.zero()).add(credits)
    for v in keeper.validator_credits.values(ctx):
        aggregate = keeper.get_validator_credits(ctx, v.validator)
        total = sums.get(v.validator, LegacyDec.zero())
        if abs(aggregate.raw - total.raw) > drift_bound_ulps(v.host_count):
            return f"pouw: {v.validator} aggregate {aggregate} vs hosts {total}", True
    return "pouw: aggregates track their hosts", False


def credits_bounded(keeper: PouwKeeper, ctx: Context) -> tuple[str, bool]:
    """Every stored balance lies in [0, MAX_CREDITS]."""
    for h in keeper.hosts.values(ctx):
        value = LegacyDec.from_str(h.credits)
        if value.is_negative() or value.gt(MAX_CREDITS):
            return f"pouw: host {h.host} credits {value}", True
    return "pouw: credits bounded", False
