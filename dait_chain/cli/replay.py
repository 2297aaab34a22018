"""`dait-sim replay STREAM`: run a tx stream and check its results block by block.

Each listed block's expected results (per-tx code/codespace and events digest, begin/end
events digests, app hash) are checked as it runs; the first divergence stops the replay
with its height and tx index (exit 1). Checkpoints: `--checkpoint-at H --checkpoint FILE`
writes one on the way; `--resume FILE` continues from one.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dait_chain.cli.run import (
    fail,
    print_json,
    progress_bar,
    render_report,
    stepping_of,
    user_errors,
)
from dait_chain.sim.runner import DEFAULT_FAILURE_STREAM, RunOptions, replay_stream


def stream_last_height(path: Path) -> int:
    """The height of a stream's last line (0 if unreadable), for the progress bar only."""
    last = ""
    try:
        with path.open("r", encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    last = line
        value = json.loads(last).get("height", 0) if last else 0
    except (OSError, ValueError, AttributeError):
        return 0
    return value if isinstance(value, int) else 0


def replay(
    stream: Annotated[Path, typer.Argument(help="Tx stream (JSONL) to replay.")],
    events: Annotated[
        Path | None, typer.Option("--events", help="Write every event as JSON lines here.")
    ] = None,
    invariants_every: Annotated[
        int, typer.Option("--invariants-every", min=0, help="Check invariants every N blocks.")
    ] = 1,
    failure_stream: Annotated[
        Path,
        typer.Option(help="Where the tx stream up to a broken invariant is written."),
    ] = DEFAULT_FAILURE_STREAM,
    check: Annotated[
        bool, typer.Option(help="Check the stream's expected results (--no-check: just run).")
    ] = True,
    dense: Annotated[bool, typer.Option(help="Run every height (no sparse time).")] = False,
    stop_at: Annotated[int | None, typer.Option(min=1, help="Stop after this height.")] = None,
    checkpoint_at: Annotated[
        int | None, typer.Option(min=0, help="Take a checkpoint at this height.")
    ] = None,
    checkpoint: Annotated[Path | None, typer.Option(help="Checkpoint file to write.")] = None,
    resume: Annotated[
        Path | None, typer.Option(help="Resume from this checkpoint of the same stream.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Replay a tx stream, checking results, events and app hash at every listed block."""
    if (checkpoint_at is None) != (checkpoint is None):
        raise fail("--checkpoint-at and --checkpoint go together")
    with user_errors():
        started = time.monotonic()
        with progress_bar(
            stream_last_height(stream), not (quiet or json_out), stream.name
        ) as report_height:
            report = replay_stream(
                stream,
                RunOptions(
                    stepping=stepping_of(dense),
                    invariants_every=invariants_every,
                    events_path=events,
                    failure_path=failure_stream,
                    checkpoint_at=checkpoint_at,
                    checkpoint_path=checkpoint,
                    stop_at=stop_at,
                    check=check,
                    progress=report_height,
                ),
                resume_from=resume,
            )
        seconds = time.monotonic() - started
    if json_out:
        print_json(report.to_json())
    elif not quiet:
        render_report(report, Console(), seconds)
