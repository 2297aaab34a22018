"""The harness's own scenario actions for modules whose simulation.py registers none."""
