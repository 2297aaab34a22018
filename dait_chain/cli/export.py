"""`dait-sim export SOURCE --height H`: the genesis JSON of a chain at a height.

SOURCE is a scenario (YAML, or a built-in name) or a tx stream. The chain runs up to H
(an empty block at H if nothing else happens there) and exports its state as a genesis
document that continues it: importing it gives the same app hash (specs/app.md §6).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from dait_chain.cli.run import resolve_scenario, stepping_of, user_errors
from dait_chain.sim.runner import export_state


def export(
    source: Annotated[
        str, typer.Argument(help="Scenario YAML (or built-in name) or tx stream (JSONL).")
    ],
    height: Annotated[int, typer.Option("--height", min=1, help="Export the state at H.")],
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of stdout.")] = None,
    dense: Annotated[bool, typer.Option(help="Run every height (no sparse time).")] = False,
) -> None:
    """Print (or write) the genesis JSON of a scenario's or stream's chain at a height."""
    path = resolve_scenario(source)
    with user_errors():
        genesis = export_state(path, height, stepping=stepping_of(dense))
    text = json.dumps(genesis, indent=2, sort_keys=True) + "\n"
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
