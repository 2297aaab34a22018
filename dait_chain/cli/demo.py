"""`dait-sim demo`: the README's main job, a built-in scenario with a readable summary.

It runs scenarios/demo.yaml (a compute auction and leases with a Heavy-tier tenant, two
state channels with off-chain SPUR-IC sessions, one closed and one disputed, validators
earning rewards) and then each module's own demo_scenario (x/state_channel,
x/compute_market, x/pouw: credits and reward shares by effective stake); a module that
does not exist yet shows "not yet available".
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dait_chain.cli.run import EXIT_FINDING, print_json, user_errors
from dait_chain.sim.demo import DemoReport, run_demo


def _render(report: DemoReport, console: Console) -> None:
    s = report.scenario
    console.print(
        f"[bold]dait-sim demo[/bold]: scenario {s.scenario}: {s.blocks_run} blocks run "
        f"({s.listed_blocks} with txs or due work listed) up to height {s.final_height} with "
        f"sparse time; {s.txs} txs ({s.txs_ok} ok); invariants checked {s.invariant_checks} "
        f"times, all hold; app hash {s.app_hash[:16]}..."
    )
    leases = Table(title="x/compute_market: auctions and leases (uDAIT)")
    for col in (
        "deployment",
        "tenant",
        "provider",
        "price/block",
        "clock",
        "won at",
        "closed",
        "paid",
    ):
        leases.add_column(col)
    for lease in s.leases:
        leases.add_row(
            str(lease.deployment_id),
            lease.tenant,
            lease.provider,
            str(lease.price_uDAIT),
            str(lease.clock_uDAIT),
            str(lease.won_height),
            lease.closed,
            str(lease.paid_uDAIT),
        )
    console.print(leases)
    channels = Table(title="x/state_channel: SPUR-IC sessions, closes, disputes (uDAIT)")
    for col in (
        "channel",
        "user",
        "host",
        "calls (turn)",
        "how",
        "host paid",
        "user refunded",
        "settled at",
    ):
        channels.add_column(col)
    for ch in s.channels:
        how = ch.reason + (" (challenged)" if ch.challenged else "")
        channels.add_row(
            ch.channel_id[:8],
            ch.user,
            ch.host,
            str(ch.turn_num),
            how,
            str(ch.paid_host_uDAIT),
            str(ch.refunded_user_uDAIT),
            str(ch.settled_height),
        )
    console.print(channels)
    credits = Table(title="x/pouw: revealed jobs and credits")
    for col in ("host", "jobs", "tokens out", "credits", "backs validator"):
        credits.add_column(col)
    for c in s.credits:
        credits.add_row(c.host, str(c.jobs_revealed), str(c.tokens_out), c.credits, c.validator)
    console.print(credits)
    rewards = Table(title="x/distribution: block rewards by validator (effective stake)")
    for col in ("validator", "rewards", "share"):
        rewards.add_column(col)
    for r in s.rewards:
        rewards.add_row(r.validator, f"{r.rewards_uDAIT} uDAIT", f"{r.share_permille / 10:.1f} %")
    console.print(rewards)
    console.print(f"community pool received {s.community_pool_uDAIT} uDAIT")
    for m in report.modules:
        console.print(f"\n[bold]x/{m.module} demo_scenario[/bold]: {m.status}")
        for line in m.lines:
            console.print(f"  {line}", markup=False)


def demo(
    json_out: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Run the built-in demo scenario and print a readable summary."""
    with user_errors():
        report = run_demo()
    if json_out:
        print_json(report.to_json())
    else:
        _render(report, Console())
    if not report.ok:
        raise typer.Exit(code=EXIT_FINDING)
