"""sweeps/config vectors: sweep configs (the economists' parameter sweeps) expanded into
their runs, or refused.

`config.yaml` -> `result.json`: {"name", "swept", "points" (each {path: value} with values
as strings), "seeds", "seeding", "run_ids" (one per point and seed, in run order)} or
{"error"}. The run ids are content keys (sha256 of the model, point and seed), so a sweep
tool in another language that follows the config rules names the same runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from dait_chain.sweeps.config import parse_config, tasks_of
from dait_chain.sweeps.errors import SweepError
from dait_chain.vectors.case import CaseSpec, Handler, Outcome
from dait_chain.vectors.files import JsonObject, error_result, json_bytes, need

SPEC = "dait_chain/sweeps/config.py"
RULE = (
    "Economists sweep alpha, K, half-life, windows, auction parameters over many seeded runs; "
    "build each run from (config, point, seed) alone (guide/architecture.md, anchors.md)"
)
BASE = """name: vectors
run:
  blocks: 20
  snapshot_every: 10
validators:
  count: 2
  stake_dait: [1000, 2000]
hosts:
  count: 2
tenants:
  count: 1
sweep:
  grid:
    pouw.alpha: [0, 1]
    pouw.k: [4]
  seeds: 2
"""


def run_config(inputs: Mapping[str, bytes]) -> Outcome:
    """parse_config(config.yaml) and its runs."""
    try:
        text = need(inputs, "config.yaml").decode("utf-8")
    except UnicodeDecodeError:
        text = "\ufffd"
    try:
        config = parse_config(text, "config.yaml")
        result: JsonObject = {
            "name": config.name,
            "swept": list(config.swept),
            "points": [{k: str(v) for k, v in p.values} for p in config.points],
            "seeds": list(config.seeds),
            "seeding": config.seeding,
            "run_ids": [t.run_id for t in tasks_of(config)],
        }
    except SweepError as exc:
        result = error_result(exc)
    return Outcome({"result.json": json_bytes(result)})


def config_cases() -> Iterator[CaseSpec]:
    """A small grid, and configs the sweep tool refuses."""
    for suite, name, what, text in (
        ("accepted", "grid", "a 2 x 1 grid over 2 seeds", BASE),
        (
            "refused",
            "unknown_param",
            "a swept param no module has",
            BASE.replace("pouw.k: [4]", "pouw.kappa: [4]"),
        ),
        (
            "refused",
            "unknown_key",
            "a top-level key the format does not have",
            BASE + "colour: blue\n",
        ),
    ):
        yield CaseSpec(suite, name, what, RULE, SPEC, {"config.yaml": text.encode()})


HANDLERS = (
    Handler(
        "sweeps",
        "config",
        "sweep configs expanded into runs, or refused",
        config_cases,
        run_config,
        {
            "config.yaml": "a sweep config",
            "result.json": "{name, swept, points, seeds, seeding, run_ids} or {error}",
        },
    ),
)
