"""`dait-sim auction`: validate, clock, watch (specs/compute_market.md §17)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dait_chain.cli.auction import app
from dait_chain.x.compute_market.errors import ErrSdlWrongType
from dait_chain.x.compute_market.simulation import parse_market_file

FIXTURE = Path(__file__).parent / "fixtures" / "job.sdl"
MARKET = """\
providers:
  p1: {gpu_class: hopper, region: na-east, capacity: 1}
  p2: {gpu_class: blackwell}
  p3: {gpu_class: ampere}
bids:
  - {provider: p2, at: 0, price_uDAIT: 35}
  - {provider: p3, at: 1, price_uDAIT: 5}
  - {provider: p1, at: 4, price_uDAIT: 20}
"""


def test_validate_prints_the_message_deploy_would_sign() -> None:
    result = CliRunner().invoke(app, ["validate", str(FIXTURE), "--owner", "dait1x"])
    assert result.exit_code == 0, result.output
    msg = json.loads(result.output)
    assert msg["@type"] == "/dait.compute_market.v1.MsgCreateDeployment"
    assert (msg["escrow_uDAIT"], msg["job"]["price_ceiling_uDAIT"]) == ("200000", "50")


def test_validate_names_the_typed_error_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "job.sdl"
    bad.write_text(FIXTURE.read_text().replace("replayable: true", "replayable: yes"))
    result = CliRunner().invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "compute_market/5 ErrSdlWrongType" in result.output
    assert "job.replayable" in result.output


def test_clock_prints_floor_of_ceiling_k_over_w() -> None:
    """ceiling 7, W 3: floor(7k/3) = 0, 2, 4, 7."""
    result = CliRunner().invoke(app, ["clock", "--ceiling", "7", "--window", "3"])
    assert result.exit_code == 0
    clocks = [int(line.split()[1]) for line in result.output.splitlines()[1:]]
    assert clocks == [0, 2, 4, 7]


def test_watch_shows_each_block_until_the_order_settles(tmp_path: Path) -> None:
    """p1's 20 is reached at k = 12 (floor(50 * 12 / 30) = 20) and beats p2's 35; p3's
    ampere bid is refused with its typed error."""
    market = tmp_path / "market.yaml"
    market.write_text(MARKET)
    result = CliRunner().invoke(app, ["watch", str(FIXTURE), "--bids", str(market), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    rows = out["rows"]
    assert [r["k"] for r in rows] == list(range(13))
    assert [r["clock_uDAIT"] for r in rows] == [50 * k // 30 for k in range(13)]
    assert rows[1]["events"] == ["refused: ErrAttributesMismatch"]
    assert rows[11]["best_bid"] == "p1 @ 20"
    assert rows[12]["events"][0] == "BidWon p1 @ 20 (clock 20)"
    assert "p1 at 20 uDAIT/block" in out["outcome"]


def test_watch_text_output_has_a_row_per_block(tmp_path: Path) -> None:
    market = tmp_path / "market.yaml"
    market.write_text(MARKET)
    result = CliRunner().invoke(app, ["watch", str(FIXTURE), "--bids", str(market)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("deployment 1 (qwen2.5-32b-instruct, user tier)")
    assert len(lines) == 2 + 13 + 1
    assert lines[-1].startswith("settled at height")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (MARKET.replace("price_uDAIT: 35", "price_uDAIT: 3_5"), "bids[0].price_uDAIT"),
        (MARKET.replace("provider: p2", "provider: p9"), "bids[0].provider"),
        (MARKET.replace("capacity: 1", "capacity: one"), "providers.p1.capacity"),
        (MARKET.split("bids:")[0] + "bids: 3\n", "bids"),
    ],
)
def test_market_file_is_strict(text: str, fragment: str) -> None:
    with pytest.raises(ErrSdlWrongType) as info:
        parse_market_file(text)
    assert fragment in str(info.value)
