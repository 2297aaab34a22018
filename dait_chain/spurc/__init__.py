"""SPUR-IC: the receipt protocol between a tenant and a host (seed 002; specs/spurc.md).

Entry points: `verify.verify_receipt` (seed 002 §9), `session.TenantSession` and
`session.HostSession` (durable sessions), `attestation` (quote verification),
`http_host` / `checker` (the HTTP reference behind `dait-sim spurc serve|check`).
"""
