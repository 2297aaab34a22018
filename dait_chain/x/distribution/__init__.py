"""x/distribution: minted rewards and fees, allocated to validators (specs/distribution.md)."""
