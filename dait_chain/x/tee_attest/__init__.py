"""x/tee_attest: the on-chain trust policy of SPUR-IC TEE attestation (specs/tee_attest.md)."""
