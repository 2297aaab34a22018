"""`dait-sim spurc serve` and `dait-sim spurc check URL` (specs/spurc.md "HTTP reference").

serve: a reference SPUR-IC host on a loopback port (simulated model, JSON and SSE
responses), honest or playing a faulty host with --misbehave.
check: a conformance tenant that opens a channel with the host, runs N calls, and reports
each rule checked and each violation (a rich table, or --json). Exit 0 when the host
conforms, 1 when a violation was found, 2 on a usage or transport error.

The wall clock is read here, at the edge, and passed into the protocol as `now_ms`.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dait_chain.spurc.attestation import TrustPolicy
from dait_chain.spurc.channel import RateCard
from dait_chain.spurc.checker import CheckConfig, CheckReport, run_check
from dait_chain.spurc.errors import SpurcError
from dait_chain.spurc.headers import QuoteType
from dait_chain.spurc.http_host import HostService, start_host
from dait_chain.spurc.misbehave import Misbehave
from dait_chain.spurc.simworld import DEFAULT_MODEL_ID, DEFAULT_RATE_CARD, sim_host_identity

app = typer.Typer(
    help="SPUR-IC: a reference host (serve) and a conformance checker (check).",
    no_args_is_help=True,
    add_completion=False,
)

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=2)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Loopback address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0 picks a free one; the URL is printed).")] = 0,
    name: Annotated[str, typer.Option(help="Seed name of the host's keys.")] = "host",
    model_id: Annotated[str, typer.Option(help="Model the host serves.")] = DEFAULT_MODEL_ID,
    quote_type: Annotated[QuoteType, typer.Option(help="Quote type it presents.")] = QuoteType.TDX,
    misbehave: Annotated[Misbehave, typer.Option(help="Play a faulty host.")] = Misbehave.HONEST,
    store_dir: Annotated[
        Path | None, typer.Option(help="Where host stores live (temp dir).")
    ] = None,
    per_call: Annotated[
        int, typer.Option(help="uDAIT per call.")
    ] = DEFAULT_RATE_CARD.per_call_uDAIT,
    per_token_in: Annotated[
        int, typer.Option(help="uDAIT/token in.")
    ] = DEFAULT_RATE_CARD.per_token_in_uDAIT,
    per_token_out: Annotated[
        int, typer.Option(help="uDAIT/token out.")
    ] = DEFAULT_RATE_CARD.per_token_out_uDAIT,
    max_seconds: Annotated[
        float, typer.Option(help="Stop after this many seconds (0: never).")
    ] = 0.0,
) -> None:
    """Run a reference SPUR-IC host until interrupted (or --max-seconds)."""
    if host not in LOOPBACK:
        raise _fail(f"{host!r} is not a loopback address; the reference host is local only")
    if min(per_call, per_token_in, per_token_out) < 0:
        raise _fail("rate card prices must be >= 0")
    identity = sim_host_identity(
        name,
        model_id=model_id,
        rate_card=RateCard(per_call, per_token_in, per_token_out),
        quote_type=quote_type,
    )
    directory = store_dir or Path(tempfile.mkdtemp(prefix="spurc-host-"))
    directory.mkdir(parents=True, exist_ok=True)
    service = HostService(identity, directory, misbehave=misbehave, clock_ms=_now_ms)
    try:
        running = start_host(service, host, port)
    except OSError as exc:
        raise _fail(f"cannot listen on {host}:{port}: {exc}") from exc
    typer.echo(f"listening on {running.url} (misbehave={misbehave.value}, stores in {directory})")
    try:
        deadline = time.monotonic() + max_seconds if max_seconds > 0 else None
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.1 if deadline is None else min(0.1, max(0.0, deadline - time.monotonic())))
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
    typer.echo("stopped")


def _render(report: CheckReport, console: Console) -> None:
    table = Table(title=f"SPUR-IC conformance of {report.url}")
    for col in ("rule", "seed 002", "what is checked", "passed", "failed"):
        table.add_column(col)
    for r in report.rules:
        table.add_row(r.key, r.section, r.text, str(r.passed), str(r.failed))
    console.print(table)
    if report.violations or report.host_refusals:
        vt = Table(title="violations and host refusals")
        for col in ("call", "rule", "code", "error", "log"):
            vt.add_column(col)
        for v in (*report.violations, *report.host_refusals):
            vt.add_row(
                str(v.call), v.rule, f"{v.error.codespace}/{v.error.code}", v.error.name, v.log
            )
        console.print(vt)
    verdict = "conforms" if report.ok else f"{len(report.violations)} violation(s)"
    console.print(
        f"channel {report.channel_id}: {report.calls_accepted}/{report.calls_attempted} calls"
        f" accepted; host {verdict}; evidence turn {report.final_state['turn_num']}"
    )


@app.command()
def check(
    url: Annotated[str, typer.Argument(help="Base URL of the host, e.g. http://127.0.0.1:8080")],
    calls: Annotated[int, typer.Option(min=1, help="Number of calls to make.")] = 5,
    stream: Annotated[
        bool, typer.Option(help="Ask for SSE streams (Accept: text/event-stream).")
    ] = False,
    user: Annotated[str, typer.Option(help="Seed name of the tenant's key.")] = "user",
    nonce: Annotated[
        int, typer.Option(min=0, help="Channel nonce (a new channel id per nonce).")
    ] = 0,
    escrow: Annotated[int, typer.Option(min=1, help="Escrow in uDAIT.")] = 5_000_000,
    max_calls: Annotated[int, typer.Option(min=1, help="max_calls of the channel.")] = 1000,
    deadline_ms: Annotated[
        int | None, typer.Option(help="Channel deadline (default now + 1 h).")
    ] = None,
    trusted_root: Annotated[
        list[str] | None,
        typer.Option(help="Trusted vendor root pubkey (hex); default: the simulated vendor's."),
    ] = None,
    model_hash: Annotated[
        str | None, typer.Option(help="Agreed model hash (hex); default: the simulated registry's.")
    ] = None,
    store: Annotated[Path | None, typer.Option(help="Tenant store file (default: temp).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    timeout: Annotated[float, typer.Option(help="Per-request timeout in seconds.")] = 10.0,
) -> None:
    """Check a SPUR-IC host: open a channel, run the calls, report every rule."""
    try:
        trust = TrustPolicy.of(bytes.fromhex(h) for h in trusted_root) if trusted_root else None
        agreed = bytes.fromhex(model_hash) if model_hash is not None else None
    except ValueError as exc:
        raise _fail(f"bad hex: {exc}") from exc
    config = CheckConfig(
        url=url,
        calls=calls,
        stream=stream,
        user=user,
        nonce=nonce,
        escrow_amount=escrow,
        max_calls=max_calls,
        deadline_ms=deadline_ms,
        trust=trust,
        model_hash=agreed,
        store_path=store,
        timeout_s=timeout,
    )
    try:
        report = run_check(config, _now_ms)
    except SpurcError as exc:
        raise _fail(f"{type(exc).__name__} ({exc.codespace}/{exc.code}): {exc.log}") from exc
    if json_out:
        typer.echo(json.dumps(report.to_json(), indent=2, sort_keys=True))
    else:
        _render(report, Console())
    raise typer.Exit(code=0 if report.ok else 1)
