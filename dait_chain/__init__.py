"""dait_chain: the executable reference of the DAIT chain.

Layers, from the bottom up (nothing imports from a layer above it):
math, crypto, codec -> store -> spurc, app, x/<module> -> sim -> cli.
See specs/architecture.md.
"""

__version__ = "0.1.0"
