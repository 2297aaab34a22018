"""Scenario texts the harness tests share: small, with short windows, so dense runs stay cheap."""

from __future__ import annotations

# Every module's scheduled work within 200 heights: unbonding (30 s), distribution
# (every 25 heights), the auction (30 blocks) and a 40-block lease, channel challenges
# with a 60 s window. Jitter and a halt make the clock irregular.
MINI_ALL = """
scenario: mini-all
seed: 11
end_height: 200
params:
  staking: {unbonding_time_ms: 30000}
  distribution: {allocation_interval_blocks: 25}
  state_channel: {challenge_window_ms: 60000}
time:
  jitter_ms: 500
  halts:
    - {at: 120, duration: 5m}
actors:
  alice: {balance: 100 DAIT}
  bob: {balance: 100 DAIT}
  tenant: {balance: 10 DAIT}
  p1: {balance: 5 DAIT}
  p2: {balance: 5 DAIT}
  host-a: {balance: 5 DAIT}
  val-a: {balance: 5 DAIT, validator: {self_bond: 30 DAIT}}
  val-b: {balance: 5 DAIT, validator: {self_bond: 20 DAIT}}
actions:
  - at: 2
    register_provider: {provider: p1, gpu_class: hopper}
  - at: 2
    register_provider: {provider: p2, gpu_class: blackwell}
  - at: 3
    deploy: {tenant: tenant, name: job, ceiling: 50, duration: 40, escrow: 2000}
  - at: 4
    bid: {provider: p1, deployment: job, price: 20}
  - at: 4
    bid: {provider: p2, deployment: job, price: 30}
  - at: 5
    open_channel: {name: c1, user: alice, host: host-a, escrow: 1 DAIT, deadline: 10m}
  - at: 6
    session: {channel: c1, calls: 7}
  - at: 7
    challenge_channel: {channel: c1, by: user, state: opening}
  - at: 20
    respond_challenge: {channel: c1, by: host}
  - at: 8
    repeat: 6
    every: 9
    send: {from: bob, to: alice, amount: 12345}
  - at: 9
    delegate: {delegator: alice, validator: val-b, amount: 3 DAIT}
  - at_time: 50s
    undelegate: {delegator: alice, validator: val-b, amount: 1 DAIT}
  - at: 130
    send: {from: alice, to: bob, amount: 1 DAIT}
"""

# Only the base modules' actions.
CORE_ONLY = """
scenario: core-only
seed: 3
end_height: 60
params:
  staking: {unbonding_time_ms: 20000}
  distribution: {allocation_interval_blocks: 10}
actors:
  alice: {balance: 10 DAIT}
  bob: {balance: 10 DAIT}
  val: {balance: 1 DAIT, validator: {self_bond: 10 DAIT}}
actions:
  - at: 2
    send: {from: alice, to: bob, amount: 100}
  - at: 2
    send: {from: alice, to: bob, amount: 200}
  - at: 3
    delegate: {delegator: bob, validator: val, amount: 1 DAIT}
  - at: 5
    undelegate: {delegator: bob, validator: val, amount: 400000}
"""
