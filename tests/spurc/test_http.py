"""The HTTP reference: `spurc serve` and `spurc check` against each other on 127.0.0.1
(specs/spurc.md "HTTP reference"). Ephemeral ports; every server is stopped in teardown."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dait_chain.cli import app as cli_app
from dait_chain.spurc.checker import CheckConfig, CheckReport, run_check
from dait_chain.spurc.errors import ErrPeerRefused
from dait_chain.spurc.http_host import HostService, RunningHost, start_host
from dait_chain.spurc.misbehave import EXPECTED_ERROR, Misbehave
from dait_chain.spurc.simworld import sim_host_identity
from dait_chain.spurc.store import Role, SessionStore

from .harness import DEADLINE, T0

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def host_factory(tmp_path: Path) -> Iterator[Callable[[Misbehave], RunningHost]]:
    running: list[RunningHost] = []
    clock = itertools.count(T0, 1000)

    def start(mode: Misbehave) -> RunningHost:
        store_dir = tmp_path / f"host-{len(running)}"
        store_dir.mkdir()
        service = HostService(
            sim_host_identity(), store_dir, misbehave=mode, clock_ms=lambda: next(clock)
        )
        host = start_host(service)
        running.append(host)
        return host

    yield start
    for host in running:
        host.stop()


def _check(url: str, tmp: Path, **kw: object) -> CheckReport:
    clock = itertools.count(T0 + 500, 1000)
    config = CheckConfig(url, deadline_ms=DEADLINE, store_path=tmp / "tenant.sqlite", **kw)  # type: ignore[arg-type]
    return run_check(config, lambda: next(clock))


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_honest_host_conforms_over_http(
    host_factory: Callable[[Misbehave], RunningHost], tmp_path: Path, stream: bool
) -> None:
    host = host_factory(Misbehave.HONEST)
    report = _check(host.url, tmp_path, calls=6, stream=stream)
    assert report.ok and not report.host_refusals
    assert report.calls_accepted == 6
    assert all(r.passed == 6 and r.failed == 0 for r in report.rules)
    assert report.final_state["turn_num"] == "6"
    store = SessionStore.open(Path(report.store_path), Role.TENANT)
    assert [r.call_seq for r in store.receipts()] == [1, 2, 3, 4, 5, 6]
    store.close()


def test_honest_host_refuses_a_call_beyond_max_calls(
    host_factory: Callable[[Misbehave], RunningHost], tmp_path: Path
) -> None:
    host = host_factory(Misbehave.HONEST)
    report = _check(host.url, tmp_path, calls=3, max_calls=2)
    assert report.ok
    assert report.calls_accepted == 2
    [refusal] = report.host_refusals
    assert "ErrMaxCallsExceeded" in refusal.log and "HTTP 402" in refusal.log


FAULTY = [m for m in Misbehave if m is not Misbehave.HONEST]


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
@pytest.mark.parametrize("mode", FAULTY, ids=[m.value for m in FAULTY])
def test_each_misbehaving_host_is_detected_with_its_error_code(
    host_factory: Callable[[Misbehave], RunningHost],
    tmp_path: Path,
    mode: Misbehave,
    stream: bool,
) -> None:
    host = host_factory(mode)
    expected = EXPECTED_ERROR[mode]
    assert expected is not None
    good_calls = {Misbehave.REPLAY: 1, Misbehave.IGNORE_MAX_CALLS: 2}.get(mode, 0)
    max_calls = 2 if mode is Misbehave.IGNORE_MAX_CALLS else 1000
    report = _check(host.url, tmp_path, calls=4, stream=stream, max_calls=max_calls)
    assert [(v.error.codespace, v.error.code, v.error.name) for v in report.violations] == [
        ("spurc", expected.code, expected.__name__)
    ]
    assert report.calls_accepted == good_calls
    # The tenant kept its last good state and persisted the offending response.
    store = SessionStore.open(Path(report.store_path), Role.TENANT)
    assert store.checkpoint().state.turn_num == good_calls
    assert [o.code for o in store.offences()] == [expected.code]
    store.close()


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from dait_chain.cli import main; main()", *args]


def _serve(tmp: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        _cli("spurc", "serve", "--max-seconds", "60", "--store-dir", str(tmp / "host"), *extra),
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("listening on http://127.0.0.1:"), line
    return proc, line.split()[2]


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.wait(timeout=20)


def test_cli_serve_and_check_against_each_other(tmp_path: Path) -> None:
    proc, url = _serve(tmp_path)
    try:
        runner = CliRunner()
        result = runner.invoke(
            cli_app, ["spurc", "check", url, "--calls", "3", "--json", "--stream"]
        )
        assert result.exit_code == 0, result.output
        report = json.loads(result.output)
        assert report["ok"] is True and report["calls_accepted"] == 3
        table = runner.invoke(cli_app, ["spurc", "check", url, "--calls", "2", "--nonce", "1"])
        assert table.exit_code == 0
        assert "call_seq" in table.output and "conforms" in table.output
    finally:
        _stop(proc)


def test_cli_check_reports_a_faulty_host_with_exit_code_1(tmp_path: Path) -> None:
    proc, url = _serve(tmp_path, "--misbehave", "skip-seq")
    try:
        result = CliRunner().invoke(cli_app, ["spurc", "check", url, "--json"])
        assert result.exit_code == 1, result.output
        [violation] = json.loads(result.output)["violations"]
        assert (violation["name"], violation["code"], violation["rule"]) == (
            "ErrCallSeqNotNext",
            12,
            "call_seq",
        )
    finally:
        _stop(proc)


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    unreachable = runner.invoke(cli_app, ["spurc", "check", "http://127.0.0.1:9", "--timeout", "2"])
    assert unreachable.exit_code == 2
    assert "ErrTransport" in unreachable.output
    public = runner.invoke(cli_app, ["spurc", "serve", "--host", "0.0.0.0", "--max-seconds", "1"])
    assert public.exit_code == 2


class _OfferOnly:
    """A transport whose host answers GET /channel with `offer` and nothing else."""

    def __init__(self, offer: dict[str, object]) -> None:
        self.body = json.dumps(offer).encode()
        self.requests: list[str] = []

    def request(
        self, method: str, path: str, body: bytes | None, headers: tuple[tuple[str, str], ...]
    ) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
        self.requests.append(f"{method} {path}")
        if (method, path) == ("GET", "/channel"):
            return 200, (("Content-Type", "application/json"),), self.body
        return 500, (), b"{}"


@pytest.mark.parametrize(
    "amount",
    [12, 1.5, "1.5", "+12", " 12", "1_000", "-5", "012", "", "18446744073709551616", None],
)
def test_checker_refuses_an_offer_whose_rate_card_amount_is_not_a_canonical_decimal(
    tmp_path: Path, amount: object
) -> None:
    """specs/spurc.md, the offer: rate card amounts are decimal strings. Anything else is
    the host's fault (ErrPeerRefused) before a channel is opened, not an amount int()
    would make of it (1.5 truncated to 1, "1_000" read as 1000)."""
    offer = HostService(sim_host_identity(), tmp_path / "h").offer()
    card = dict(offer["rate_card"])  # type: ignore[call-overload]
    card["per_token_out_uDAIT"] = amount
    transport = _OfferOnly({**offer, "rate_card": card})
    config = CheckConfig("http://127.0.0.1:9", deadline_ms=DEADLINE, store_path=tmp_path / "t")
    with pytest.raises(ErrPeerRefused, match=r"rate_card\.per_token_out_uDAIT"):
        run_check(config, lambda: T0, transport)
    assert transport.requests == ["GET /channel"]


def test_checker_reads_the_reference_hosts_rate_card(tmp_path: Path) -> None:
    offer = HostService(sim_host_identity(), tmp_path / "h").offer()
    card = dict(offer["rate_card"])  # type: ignore[call-overload]
    card["per_token_out_uDAIT"] = "18446744073709551615"  # uint64's largest, accepted
    transport = _OfferOnly({**offer, "rate_card": card})
    config = CheckConfig("http://127.0.0.1:9", deadline_ms=DEADLINE, store_path=tmp_path / "t")
    # Past the offer the fake host refuses the open: the rate card itself was accepted.
    with pytest.raises(ErrPeerRefused, match="HTTP 500"):
        run_check(config, lambda: T0, transport)
    assert transport.requests == ["GET /channel", "POST /channel/open"]
