"""Subprocess of test_crash.py: a tenant and a host session running a channel to N calls.

    python crash_driver.py DIR N [--kill-at-statement K]

Creates the two stores in DIR, or resumes them, and runs calls until the tenant holds N
cosigned states, printing "committed <turn>" after each tenant commit. With
--kill-at-statement K it SIGKILLs itself when the K-th SQL statement (over both stores)
starts: inside transactions, between them, anywhere a statement begins.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from dait_chain.spurc.attestation import QuoteCache, simulated_registry
from dait_chain.spurc.session import HostSession, TenantSession
from dait_chain.spurc.simworld import account_privkey, sim_host_identity, sim_open_state, sim_policy

T0 = 1_800_000_000_000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", type=Path)
    parser.add_argument("calls", type=int)
    parser.add_argument("--kill-at-statement", type=int, default=0)
    args = parser.parse_args()
    identity = sim_host_identity()
    tenant_path, host_path = args.dir / "tenant.sqlite", args.dir / "host.sqlite"
    common = {
        "user_privkey": account_privkey("user"),
        "policy": sim_policy(),
        "registry": simulated_registry(),
        "quote_cache": QuoteCache(),
    }
    if tenant_path.exists():
        tenant = TenantSession.resume(tenant_path, **common)  # type: ignore[arg-type]
    else:
        open_state = sim_open_state(identity, deadline=T0 + 10**9)
        tenant = TenantSession.create(
            tenant_path,
            open_state=open_state,
            terms=identity.terms,
            **common,  # type: ignore[arg-type]
        )
    if host_path.exists():
        host = HostSession.resume(host_path, identity=identity)
    else:
        host = HostSession.create(host_path, open_state=tenant.store.open_state, identity=identity)

    count = 0

    def trace(_sql: str) -> None:
        nonlocal count
        count += 1
        if count == args.kill_at_statement:
            os.kill(os.getpid(), signal.SIGKILL)

    if args.kill_at_statement:
        tenant.store.connection.set_trace_callback(trace)
        host.store.connection.set_trace_callback(trace)
    while tenant.state.call_count < args.calls:
        n = tenant.state.call_count + 1
        prepared = tenant.prepare(f"crash-test call {n}", {"max_tokens": 4}, f"n-{n}")
        call = host.handle(prepared.headers, prepared.body, now_ms=T0 + 1000 * n, stream=n % 3 == 0)
        state = tenant.accept(
            prepared, call.reply.headers, call.reply.body, now_ms=T0 + 1000 * n + 1
        )
        print(f"committed {state.turn_num}", flush=True)
    tenant.close()
    host.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
