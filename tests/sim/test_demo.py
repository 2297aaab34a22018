"""The demo (specs/harness.md "The CLI": dait-sim demo)."""

from __future__ import annotations

from dait_chain.sim.demo import NOT_AVAILABLE, module_demo, run_demo_scenario

T_RESPOND = 3_600_000  # the dispute's response: at_time 1h


def test_demo_scenario_tells_the_auction_lease_and_channel_story() -> None:
    demo = run_demo_scenario()
    # decisions.md: at EndBlock of h0 + k the clock is floor(50 k / 30); deployments at
    # h0 = 3. 20 uDAIT is reached at k = 12 (height 15), 35 at k = 21 (height 24). Both
    # orders are due at 15: the Heavy one is matched first and takes p1 (the one
    # hopper slot); the normal one waits for p2's 35 at height 24.
    leases = {lease.tenant: lease for lease in demo.leases}
    assert (leases["heavy"].provider, leases["heavy"].price_uDAIT) == ("p1", 20)
    assert leases["heavy"].won_height == 15
    assert (leases["tenant"].provider, leases["tenant"].price_uDAIT) == ("p2", 35)
    assert leases["tenant"].won_height == 24
    # the normal lease closed by its tenant at 500 paid for 500 - 24 blocks at 35
    assert leases["tenant"].closed == "tenant_closed"
    assert leases["tenant"].paid_uDAIT == (500 - 24) * 35
    assert leases["heavy"].closed == "expired"
    assert leases["heavy"].paid_uDAIT == 3600 * 20
    # channels: 200 calls at 510 uDAIT each closed at once; 40 calls disputed, settled by
    # the first block whose time reaches the block-8 challenge time + 24 h
    by_user = {c.user: c for c in demo.channels}
    assert (by_user["alice"].reason, by_user["alice"].turn_num) == ("cooperative", 200)
    assert by_user["alice"].paid_host_uDAIT == 200 * 510
    assert by_user["alice"].settled_height == 7
    assert (by_user["bob"].reason, by_user["bob"].turn_num) == ("challenge_expired", 40)
    assert by_user["bob"].challenged and by_user["bob"].paid_host_uDAIT == 40 * 510
    assert by_user["bob"].settled_height == 1 + -(-(7 * 999 + 86_400_000) // 999)
    # x/pouw: host-a revealed 800 + 400 tokens, host-b 300, at model weight 1: credits equal
    # tokens out at the reveal; both point their credits at val-b
    credits = {c.host: c for c in demo.credits}
    assert (credits["host-a"].tokens_out, credits["host-a"].credits) == (
        1200,
        "1200.000000000000000000",
    )
    assert (credits["host-b"].tokens_out, credits["host-b"].credits) == (
        300,
        "300.000000000000000000",
    )
    assert {c.validator for c in demo.credits} == {"val-b"}
    # rewards by effective stake (specs/pouw.md §5.4): every allocation (each 3600 heights)
    # comes after bob's 10 DAIT delegation (val-b: power 110, val-a: 200) and the reveals;
    # val-b's credits (about 1500, decaying with a 14-day half-life) over its power 110
    # exceed K = 4, so its multiplier is capped at 1 + 1 x 4: effective stakes 550 and 200.
    # Shares in permille, floored: 550/750 -> 733, 200/750 -> 266.
    shares = {r.validator: r.share_permille for r in demo.rewards}
    assert shares == {"val-a": 266, "val-b": 733}
    assert demo.txs == demo.txs_ok == 25
    assert demo.invariant_checks == demo.blocks_run


def test_a_module_without_simulation_is_reported_not_yet_available() -> None:
    report = module_demo("no_such_module")
    assert report.status == NOT_AVAILABLE
    assert report.lines == ()
