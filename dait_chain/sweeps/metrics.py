"""Metrics of a run: concentration measures, the block-by-block recorder, and snapshots
(specs/sweeps.md "Metrics").

Every metric is computed from exact integer chain state or from the chain's own events
(rewards, lease payments, settlements, reveals); only the final division makes a float,
through `fractions.Fraction`, so the same state gives the same bits everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Final

from dait_chain.app.abci import FinalizeBlockResult
from dait_chain.app.events import Event

NAN: Final = float("nan")
ONE_THIRD: Final = Fraction(1, 3)


# --- concentration of a distribution ---------------------------------------------------------


def nakamoto(values: Sequence[int | Fraction]) -> int:
    """The fewest holders whose combined amount is strictly more than 1/3 of the total
    (largest first); 0 when the total is 0."""
    total = sum(values, Fraction(0))
    if total <= 0:
        return 0
    held = Fraction(0)
    for count, value in enumerate(sorted(values, reverse=True), start=1):
        held += value
        if held > total * ONE_THIRD:
            return count
    raise AssertionError("unreachable: all holders together hold the whole total")


def gini(values: Sequence[int | Fraction]) -> float:
    """The Gini coefficient: sum_i (2i - n - 1) x_(i) / (n * sum x), x sorted ascending,
    i from 1; 0 for perfect equality, (n-1)/n when one holder has everything; NaN when the
    total is 0."""
    n = len(values)
    total = sum(values, Fraction(0))
    if n == 0 or total <= 0:
        return NAN
    ranked = sorted(values)
    weighted = sum(((2 * i - n - 1) * x for i, x in enumerate(ranked, start=1)), Fraction(0))
    return float(weighted / (n * total))


def hhi(values: Sequence[int | Fraction]) -> float:
    """The Herfindahl-Hirschman index: sum of squared shares, in [1/n, 1]; NaN when the
    total is 0."""
    total = sum(values, Fraction(0))
    if total <= 0:
        return NAN
    return float(sum((Fraction(x) ** 2 for x in values), Fraction(0)) / (total * total))


def share(part: int | Fraction, total: int | Fraction) -> float:
    """part / total as a float, NaN when total is 0."""
    return NAN if total == 0 else float(Fraction(part) / Fraction(total))


def ratio_bounds(rewards: Sequence[int], stakes: Sequence[int]) -> tuple[float, float]:
    """(min, max) over validators of reward share / stake share; NaN without rewards."""
    total_r, total_s = sum(rewards), sum(stakes)
    if total_r == 0 or total_s == 0:
        return NAN, NAN
    ratios = [
        Fraction(r, total_r) / Fraction(s, total_s)
        for r, s in zip(rewards, stakes, strict=True)
        if s > 0
    ]
    return float(min(ratios)), float(max(ratios))


def amount(text: str | None) -> int:
    """An event amount ("123uDAIT" or "123") as an int; 0 when absent."""
    if not text:
        return 0
    return int(text.removesuffix("uDAIT"))


# --- the recorder: what the chain's events say, block by block --------------------------------


@dataclass
class Dispute:
    """One disputed channel, as the agents and the chain saw it."""

    channel_id: bytes
    honest_spent: int  # what the last state both parties signed pays the host
    host_dishonest: bool
    tenant_dishonest: bool
    forgone: int = 0  # the cheating host's planned revenue it did not serve
    settled: bool = False
    paid_host: int = 0


@dataclass
class Recorder:
    """Running totals of a run, fed every block the chain runs (in height order)."""

    validators: tuple[str, ...]
    hosts: tuple[str, ...]
    rewards: dict[str, int] = field(default_factory=dict)
    community_pool: int = 0
    host_income: dict[str, int] = field(default_factory=dict)
    blocks: int = 0
    txs: int = 0
    txs_failed: int = 0
    # compute_market
    orders_opened: dict[int, int] = field(default_factory=dict)  # id -> opened height
    ceilings: dict[int, int] = field(default_factory=dict)
    filled: dict[int, tuple[int, int]] = field(default_factory=dict)  # id -> (price, height)
    unfilled: int = 0
    bids_placed: int = 0
    bids_refused: int = 0
    # state_channel
    channel_paid: int = 0  # uDAIT settled to hosts
    channel_tokens: int = 0  # output tokens of the calls those payments cover
    challenges: int = 0
    disputes: dict[bytes, Dispute] = field(default_factory=dict)
    dispute_fees_honest: int = 0
    dispute_fees_dishonest: int = 0
    # pouw
    reveals_credited: int = 0
    reveals_refused: int = 0
    credited_tokens: int = 0
    lost_tokens: int = 0  # output tokens of jobs a cheating host lost
    audits: int = 0
    audits_failed: int = 0
    cheaters: set[str] = field(default_factory=set)

    def observe(self, result: FinalizeBlockResult) -> None:
        """Fold one committed block's events into the totals."""
        self.blocks += 1
        for event in result.begin_events:
            self._chain_event(event)
        for tx in result.tx_results:
            if not tx.events and tx.log.endswith("pseudo-tx"):
                continue  # the injected extended commit of ABCI++
            self.txs += 1
            if not tx.ok:
                self.txs_failed += 1
            for event in tx.events:
                self._chain_event(event)
        for event in result.end_events:
            self._chain_event(event)

    def _chain_event(self, event: Event) -> None:
        kind = event.type
        if kind == "rewards":
            validator = event.get("validator") or ""
            self.rewards[validator] = self.rewards.get(validator, 0) + amount(event.get("amount"))
        elif kind == "community_pool":
            self.community_pool += amount(event.get("amount"))
        elif kind == "LeasePaid":
            provider = event.get("provider") or ""
            paid = amount(event.get("amount_uDAIT"))
            self.host_income[provider] = self.host_income.get(provider, 0) + paid
        elif kind == "OrderOpened":
            self.orders_opened[int(event.get("deployment_id") or 0)] = int(
                event.get("opened_height") or 0
            )
        elif kind == "DeploymentCreated":
            deployment = int(event.get("deployment_id") or 0)
            self.ceilings[deployment] = amount(event.get("price_ceiling_uDAIT"))
        elif kind == "BidWon":
            deployment = int(event.get("deployment_id") or 0)
            price = amount(event.get("price_uDAIT"))
            self.filled[deployment] = (price, self._height)
        elif kind == "OrderClosed" and event.get("reason") == "unfilled":
            self.unfilled += 1
        elif kind == "BidCreated":
            self.bids_placed += 1
        elif kind == "ChannelChallenged":
            self.challenges += 1
        elif kind == "ChannelSettled":
            self._settled(event)
        elif kind == "ReceiptRevealed":
            self.reveals_credited += 1
            self.credited_tokens += amount(event.get("tokens_out"))
        elif kind == "AuditRecorded":
            self.audits += 1
            if event.get("failed") == "true":
                self.audits_failed += 1

    _height: int = 0

    def at_height(self, height: int) -> None:
        """The height of the block about to be observed (for time to fill)."""
        self._height = height

    def _settled(self, event: Event) -> None:
        host = event.get("host") or ""
        paid = amount(event.get("paid_host_uDAIT"))
        self.host_income[host] = self.host_income.get(host, 0) + paid
        self.channel_paid += paid
        cid = bytes.fromhex(event.get("channel_id") or "")
        dispute = self.disputes.get(cid)
        if dispute is not None:
            dispute.settled = True
            dispute.paid_host = paid

    def settled_tokens(self, tokens: int) -> None:
        """The output tokens a settlement paid for (the agents know the turn's tokens)."""
        self.channel_tokens += tokens

    def dispute_fee(self, fee: int, dishonest: bool) -> None:
        """A fee paid for a dispute tx (challenge, response) by an honest or cheating party."""
        if dishonest:
            self.dispute_fees_dishonest += fee
        else:
            self.dispute_fees_honest += fee

    def dispute_losses(self) -> tuple[int, int, int]:
        """(honest parties' loss, cheating parties' loss, cheaters' forgone revenue) over the
        settled disputes, in uDAIT: a host's payout loss is the honest outcome (the last
        state both signed) minus what the settlement paid it; a tenant's is the reverse;
        fees of dispute txs are added to whoever paid them; forgone revenue is counted in
        the cheating host's loss."""
        honest = self.dispute_fees_honest
        dishonest = self.dispute_fees_dishonest
        forgone = 0
        for cid in sorted(self.disputes):
            d = self.disputes[cid]
            if not d.settled:
                continue
            host_loss = max(0, d.honest_spent - d.paid_host)
            tenant_loss = max(0, d.paid_host - d.honest_spent)
            if d.host_dishonest:
                dishonest += host_loss + d.forgone
                forgone += d.forgone
            else:
                honest += host_loss
            if d.tenant_dishonest:
                dishonest += tenant_loss
            else:
                honest += tenant_loss
        return honest, dishonest, forgone


# --- snapshots ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ValidatorState:
    """One validator at a snapshot, read from the committed state (exact values)."""

    operator: str
    power: int
    credits_raw: int  # LegacyDec raw (x 10^18)
    effective_raw: int  # LegacyDec raw
    colluding: bool
    target: bool


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The metric row and the validator rows of one snapshot."""

    row: dict[str, int | float | str]
    validators: tuple[dict[str, int | float | str], ...]


def snapshot(
    height: int,
    phase: str,
    recorder: Recorder,
    validators: Sequence[ValidatorState],
    host_credits_raw: Sequence[int],
    previous_rewards: dict[str, int],
) -> Snapshot:
    """The metrics of a run at `height` (specs/sweeps.md "Metrics")."""
    r = recorder
    powers = [v.power for v in validators]
    cum = [r.rewards.get(v.operator, 0) for v in validators]
    window = [c - previous_rewards.get(v.operator, 0) for v, c in zip(validators, cum, strict=True)]
    effective = [Fraction(v.effective_raw) for v in validators]
    credits = [Fraction(v.credits_raw) for v in validators]
    low, high = ratio_bounds(cum, powers)
    target = next((i for i, v in enumerate(validators) if v.target), None)
    incomes = [r.host_income.get(h, 0) for h in r.hosts]
    honest_income = [r.host_income.get(h, 0) for h in r.hosts if h not in r.cheaters]
    cheat_income = [r.host_income.get(h, 0) for h in r.hosts if h in r.cheaters]
    fills = [r.filled[d] for d in sorted(r.filled)]
    waits = [
        h - r.orders_opened[d] for d, (_, h) in sorted(r.filled.items()) if d in r.orders_opened
    ]
    price_ratios = [
        Fraction(p, r.ceilings[d]) for d, (p, _) in sorted(r.filled.items()) if r.ceilings.get(d)
    ]
    resolved = len(r.filled) + r.unfilled
    loss_honest, loss_dishonest, forgone = r.dispute_losses()
    row: dict[str, int | float | str] = {
        "height": height,
        "phase": phase,
        "blocks_run": r.blocks,
        "txs": r.txs,
        "txs_failed": r.txs_failed,
        # validator rewards
        "rewards_total_uDAIT": sum(cum),
        "community_pool_uDAIT": r.community_pool,
        "nakamoto_rewards": nakamoto(cum),
        "gini_rewards": gini(cum),
        "hhi_rewards": hhi(cum),
        "nakamoto_rewards_window": nakamoto(window),
        "gini_rewards_window": gini(window),
        "hhi_rewards_window": hhi(window),
        "nakamoto_stake": nakamoto(powers),
        "gini_stake": gini(powers),
        "hhi_stake": hhi(powers),
        "nakamoto_effective": nakamoto(effective),
        "hhi_effective": hhi(effective),
        "reward_stake_ratio_min": low,
        "reward_stake_ratio_max": high,
        "target_stake_share": NAN if target is None else share(powers[target], sum(powers)),
        "target_reward_share": NAN if target is None else share(cum[target], sum(cum)),
        "target_reward_share_window": (
            NAN if target is None else share(window[target], sum(window))
        ),
        # credits
        "credits_total": float(sum(credits, Fraction(0)) / 10**18),
        "nakamoto_credits": nakamoto(credits),
        "gini_credits_validators": gini(credits),
        "hhi_credits_validators": hhi(credits),
        "gini_credits_hosts": gini([Fraction(c) for c in host_credits_raw]),
        # hosts and tenants
        "host_income_total_uDAIT": sum(incomes),
        "host_income_mean_uDAIT": share(sum(incomes), len(incomes)),
        "host_income_gini": gini(incomes),
        "host_income_honest_mean_uDAIT": share(sum(honest_income), len(honest_income)),
        "host_income_cheater_mean_uDAIT": share(sum(cheat_income), len(cheat_income)),
        "cheating_hosts": len(r.cheaters),
        "channel_paid_uDAIT": r.channel_paid,
        "channel_tokens": r.channel_tokens,
        "tenant_cost_per_token_uDAIT": share(r.channel_paid, r.channel_tokens),
        # the auction
        "orders_opened": len(r.orders_opened),
        "orders_filled": len(r.filled),
        "orders_unfilled": r.unfilled,
        "fill_rate": share(len(r.filled), resolved),
        "clearing_price_mean_uDAIT": share(sum(p for p, _ in fills), len(fills)),
        "clearing_price_ratio_mean": share(sum(price_ratios, Fraction(0)), len(price_ratios)),
        "time_to_fill_mean_blocks": share(sum(waits), len(waits)),
        "bids_placed": r.bids_placed,
        "bids_refused": r.bids_refused,
        # disputes
        "disputes": r.challenges,
        "disputes_settled": sum(1 for d in r.disputes.values() if d.settled),
        "dispute_loss_honest_uDAIT": loss_honest,
        "dispute_loss_dishonest_uDAIT": loss_dishonest,
        "cheater_forgone_uDAIT": forgone,
        # pouw
        "reveals_credited": r.reveals_credited,
        "reveals_refused": r.reveals_refused,
        "credited_tokens": r.credited_tokens,
        "cheater_lost_tokens": r.lost_tokens,
        "audits": r.audits,
        "audits_failed": r.audits_failed,
    }
    total_power, total_cum, total_window = sum(powers), sum(cum), sum(window)
    total_eff = sum(effective, Fraction(0))
    rows: tuple[dict[str, int | float | str], ...] = tuple(
        {
            "height": height,
            "phase": phase,
            "validator": index,
            "operator": v.operator,
            "colluding": v.colluding,
            "target": v.target,
            "stake_power": v.power,
            "stake_share": share(v.power, total_power),
            "rewards_uDAIT": cum[index],
            "reward_share": share(cum[index], total_cum),
            "reward_share_window": share(window[index], total_window),
            "credits": float(Fraction(v.credits_raw, 10**18)),
            "effective_stake": float(Fraction(v.effective_raw, 10**18)),
            "effective_share": share(effective[index], total_eff),
        }
        for index, v in enumerate(validators)
    )
    return Snapshot(row, rows)


def snapshot_heights(blocks: int, every: int) -> tuple[int, ...]:
    """The horizon's snapshot heights: every multiple of `every` up to `blocks`, and
    `blocks` itself."""
    heights = list(range(every, blocks + 1, every))
    if not heights or heights[-1] != blocks:
        heights.append(blocks)
    return tuple(heights)


def sorted_unique(items: Iterable[str]) -> tuple[str, ...]:
    """Sorted distinct strings (deterministic iteration of a set)."""
    return tuple(sorted(set(items)))


__all__ = [
    "Dispute",
    "Recorder",
    "Snapshot",
    "ValidatorState",
    "gini",
    "hhi",
    "nakamoto",
    "ratio_bounds",
    "share",
    "snapshot",
    "snapshot_heights",
]
