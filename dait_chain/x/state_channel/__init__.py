"""x/state_channel: escrowed SPUR-IC sessions, cooperative close and 24 h disputes.

specs/state_channel.md. The Cosmos rooms: keeper, msg_server, abci (EndBlocker), params,
errors, events, genesis, invariants, keys (store layout), types (proto-bound values),
queries, simulation (chain driver, weighted operations, the demo scenario), module (app
wiring), expected_keepers; plus rules (the pure rule functions the msg server calls in
the spec's order) and fuzz (the stateful fuzzer).
"""
