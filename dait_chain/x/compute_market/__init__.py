"""x/compute_market: the compute market, its reverse Dutch auction and its leases.

specs/compute_market.md.
"""
