"""Tiny sweep configs shared by the sweep tests (each run takes well under a second)."""

from __future__ import annotations

TINY = """\
name: tiny
run: {blocks: 30, snapshot_every: 10}
validators: {count: 4, stake_dait: [4000, 3000, 2000, 1000]}
hosts: {count: 4, concentration: 0.25, honesty: 0.7, job_calls: 4}
tenants: {count: 4, honesty: 0.7, session_rate: 0.3, lease_rate: 0.1}
auditors: {count: 1, audit_rate: 0.2}
params:
  state_channel.challenge_window_ms: 10000
  distribution.allocation_interval_blocks: 5
  compute_market.auction_window_blocks: 6
sweep:
  grid: {pouw.alpha: [0, 1], pouw.k: [1, 4]}
  seeds: 2
"""


def tiny(replace: dict[str, str]) -> str:
    """TINY with whole lines replaced: {"old line prefix": "new line"}."""
    lines = TINY.splitlines()
    for prefix, new in replace.items():
        lines = [new if line.startswith(prefix) else line for line in lines]
    return "\n".join(lines) + "\n"
