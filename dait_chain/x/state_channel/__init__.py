"""x/state_channel: escrowed SPUR-IC sessions, cooperative close and 24 h disputes.

specs/state_channel.md. The Cosmos rooms: keeper, msg_server, abci, params, errors, events,
genesis, invariants, keys, types, queries, simulation, module; plus fuzz (the stateful
fuzzer).
"""
