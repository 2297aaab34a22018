"""The state store: ordered KV, cache branches, typed collections, schedules, commitment.

specs/store.md. Import the pieces from their modules:
`dait_chain.store.kv`, `.collections`, `.schedule`, `.commitment`.
"""
