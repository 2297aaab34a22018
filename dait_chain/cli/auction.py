"""`dait-sim auction`: validate SDL manifests, print the price clock, watch an auction.

Seed 000 shows `dait-cli deploy job.sdl` and `dait-cli auction watch <deployment_id>`.
`dait-sim auction validate job.sdl` accepts exactly the files the chain accepts (the same
parser and rules as MsgCreateDeployment) and prints the message `deploy` would sign;
`dait-sim auction watch job.sdl --bids market.yaml` runs the deployment against a small
simulated market on a real app and shows the order block by block: the clock, the best
open bid and the market events, until it settles or closes (specs/compute_market.md §17).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from dait_chain.errors import DaitError
from dait_chain.x.compute_market.auction import auction_clock
from dait_chain.x.compute_market.params import Params
from dait_chain.x.compute_market.sdl import parse_sdl

app = typer.Typer(
    name="auction",
    help="Compute-market auctions: validate an SDL, print the price clock, watch an auction.",
    no_args_is_help=True,
    add_completion=False,
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


def _refusal(err: DaitError) -> str:
    return f"{err.codespace}/{err.code} {type(err).__name__}: {err.log}"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(f"{path}: {exc}") from None


@app.command("validate")
def validate(
    sdl_path: Annotated[Path, typer.Argument(help="The SDL manifest (seed 000's job.sdl).")],
    owner: Annotated[
        str, typer.Option("--owner", help="The tenant address to put in the message.")
    ] = "dait1...",
) -> None:
    """Parse an SDL strictly and print the MsgCreateDeployment it stands for (JSON)."""
    try:
        sdl = parse_sdl(_read(sdl_path), Params())
    except DaitError as err:
        raise _fail(_refusal(err)) from None
    msg = sdl.to_msg(owner)
    typer.echo(json.dumps({"@type": msg.type_url(), **msg.to_json()}, indent=2))


@app.command("clock")
def clock(
    ceiling: Annotated[int, typer.Option("--ceiling", help="price_ceiling_uDAIT")] = 50,
    window: Annotated[int, typer.Option("--window", help="auction_window_blocks (W)")] = 30,
) -> None:
    """Print the tenant's price clock floor(ceiling * k / W) for k = 0..W."""
    if ceiling < 1 or window < 1:
        raise _fail("--ceiling and --window must be positive")
    typer.echo(f"{'k':>4}  {'clock_uDAIT':>12}")
    for k in range(window + 1):
        typer.echo(f"{k:>4}  {auction_clock(ceiling, k, window):>12}")


@app.command("watch")
def watch(
    sdl_path: Annotated[Path, typer.Argument(help="The SDL manifest to deploy.")],
    bids: Annotated[
        Path,
        typer.Option(
            "--bids",
            help="YAML: providers {name: {gpu_class, region, capacity}} and bids "
            "[{provider, at (blocks after the deployment), price_uDAIT}].",
        ),
    ],
    heavy: Annotated[bool, typer.Option("--heavy", help="Lock 369 DAIT first (Heavy).")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
) -> None:
    """Watch one deployment's reverse Dutch auction block by block until it settles."""
    from dait_chain.x.compute_market.simulation import watch_auction

    try:
        result = watch_auction(_read(sdl_path), _read(bids), heavy=heavy)
    except DaitError as err:
        raise _fail(_refusal(err)) from None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if json_out:
        typer.echo(
            json.dumps(
                {
                    "deployment_id": result.deployment_id,
                    "opened_height": result.opened_height,
                    "rows": [
                        {
                            "height": r.height,
                            "k": r.k,
                            "clock_uDAIT": r.clock_uDAIT,
                            "best_bid": r.best_bid,
                            "open_bids": r.open_bids,
                            "events": list(r.events),
                        }
                        for r in result.rows
                    ],
                    "outcome": result.outcome,
                },
                indent=2,
            )
        )
        return
    typer.echo(
        f"deployment {result.deployment_id} ({result.model}, {result.tier} tier): ceiling "
        f"{result.price_ceiling_uDAIT} uDAIT/block, window {result.window} blocks, "
        f"h0 = {result.opened_height}"
    )
    typer.echo(f"{'height':>6} {'k':>3} {'clock':>6}  {'best bid':<14} events")
    for r in result.rows:
        typer.echo(
            f"{r.height:>6} {r.k:>3} {r.clock_uDAIT:>6}  {r.best_bid:<14} {'; '.join(r.events)}"
        )
    typer.echo(result.outcome)
