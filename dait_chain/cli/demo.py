"""`dait-sim demo`: the README's main job, a built-in scenario with a readable summary."""

from __future__ import annotations

import typer


def demo(
    json_out: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Run the built-in demo scenario and print a readable summary."""
    typer.echo("dait-sim demo: the foundation is being built; see README.md.")
