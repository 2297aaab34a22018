"""dait-sim: the command line of the DAIT chain reference simulator.

Each area owns one file in this package and exposes a `typer.Typer` named `app` (or
commands added to the root app); this module only assembles them. User errors print a
clear message and exit with code 2; they never show a traceback.
"""

from __future__ import annotations

import typer

from dait_chain.cli import auction, bench, demo, export, fuzz, replay, run, spurc, sweep, vectors

app = typer.Typer(
    name="dait-sim",
    help="DAIT chain reference simulator: demo, run, replay, fuzz, vectors, sweep, bench.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("demo")(demo.demo)
app.command("run")(run.run)
app.command("replay")(replay.replay)
app.command("export")(export.export)
app.command("bench")(bench.bench)
app.command("sweep")(sweep.sweep)
app.add_typer(spurc.app, name="spurc")
app.add_typer(auction.app, name="auction")
app.add_typer(vectors.app, name="vectors")
app.add_typer(fuzz.app, name="fuzz")


def main() -> None:
    """Console-script entry point."""
    app()
