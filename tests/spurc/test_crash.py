"""Crash safety: a session killed with SIGKILL at random (seeded) points, reopened, keeps
every cosigned state and counts no receipt twice (specs/spurc.md "Session store")."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from dait_chain.crypto.merkle import merkle_root
from dait_chain.spurc.cosign import check_presentable
from dait_chain.spurc.store import Role, SessionStore

REPO = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("crash_driver.py")
CALLS = 200
SEED = 20261123
KILL_ROUNDS = 14


def _run(tmp: Path, *, kill_at: int, kill_after_s: float | None) -> tuple[int, int]:
    """Run the driver once; return (exit code, last turn it reported committed)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, str(DRIVER), str(tmp), str(CALLS)]
    if kill_at:
        cmd += ["--kill-at-statement", str(kill_at)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    if kill_after_s is not None:
        deadline = time.monotonic() + kill_after_s
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate(timeout=60)
    turns = [int(line.split()[1]) for line in out.splitlines() if line.startswith("committed")]
    return proc.returncode, max(turns, default=0)


def _check_stores(tmp: Path, reported: int) -> int:
    """Reopen both stores and check the crash guarantees; return the tenant's turn."""
    tenant = SessionStore.open(tmp / "tenant.sqlite", Role.TENANT)  # checks integrity too
    host = SessionStore.open(tmp / "host.sqlite", Role.HOST)
    try:
        state = tenant.checkpoint().state
        turn = state.turn_num
        # No cosigned state lost: everything reported committed is there (a commit may
        # have landed just before the kill, before its line was printed).
        assert reported <= turn <= reported + 1, (reported, turn)
        check_presentable(state)
        rows = tenant.receipt_rows()
        receipts = tenant.receipts()
        # Every accepted receipt exactly once, in order, and nothing else.
        assert [seq for seq, _ in rows] == list(range(1, turn + 1))
        assert merkle_root([data for _, data in rows]) == state.receipts_merkle_root
        assert sum(r.price_uDAIT for r in receipts) == state.spent_amount
        assert state.call_count == turn
        # The host learns cosigned state n with request n + 1.
        host_turn = host.checkpoint().state.turn_num
        assert turn - 1 <= host_turn <= turn, (turn, host_turn)
        assert host.receipt_rows() == rows[:host_turn]
        return turn
    finally:
        tenant.close()
        host.close()


def test_sigkill_at_random_points_loses_no_cosigned_state_and_counts_none_twice(
    tmp_path: Path,
) -> None:
    """Invariant after every kill: the tenant's checkpoint is a cosigned state holding at
    least every turn it reported committed; its receipts are exactly call_seq 1..turn, once
    each, hashing to its root and summing to its spent; the host is at turn - 1 or turn
    with the same receipts. Then the run resumes, until 200 calls are done."""
    rng = random.Random(SEED)
    kills = 0
    turn = 0
    for round_no in range(KILL_ROUNDS + 1):
        if round_no == KILL_ROUNDS:
            code, reported = _run(tmp_path, kill_at=0, kill_after_s=None)  # finish the run
        elif round_no % 3 == 2:
            # A kill from outside, at a seeded delay: anywhere, not only at a statement.
            code, reported = _run(tmp_path, kill_at=0, kill_after_s=rng.uniform(0.05, 0.5))
        else:
            code, reported = _run(tmp_path, kill_at=rng.randint(3, 300), kill_after_s=None)
        assert code in (0, -signal.SIGKILL), code
        kills += code != 0
        if (tmp_path / "host.sqlite").exists():
            turn = _check_stores(tmp_path, max(reported, turn))
        if code == 0:
            break
    assert turn == CALLS
    assert kills >= KILL_ROUNDS // 2, kills
