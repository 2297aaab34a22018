"""compute_market/sdl vectors: SDL manifests (seed 000 "Submit a deployment") parsed into the
MsgCreateDeployment that `dait-cli deploy job.sdl` would sign, or refused.

`job.sdl` (the manifest's exact bytes) -> `result.json`: {"version", "job" (the JobSpec's
proto3 JSON), "escrow_uDAIT"} or {"error"}. The default module params apply (attribute
keys gpu_class and region; the ordered gpu_class list).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from dait_chain.vectors.case import CaseSpec, Handler, Outcome
from dait_chain.vectors.files import JsonObject, error_result, json_bytes, need
from dait_chain.x.compute_market.errors import ComputeMarketError
from dait_chain.x.compute_market.params import Params
from dait_chain.x.compute_market.sdl import parse_sdl
from dait_chain.x.compute_market.simulation import SEED_SDL

SPEC = "specs/compute_market.md"
RULE = (
    "An SDL (Stack Definition Language) manifest describes the job. Minimal SDL: version: "
    '"1" job: model, attributes, replayable, price_ceiling_uDAIT, duration_blocks, '
    "escrow_uDAIT (seed 000)"
)


def run_sdl(inputs: Mapping[str, bytes]) -> Outcome:
    """parse_sdl(job.sdl, default params)."""
    try:
        text = need(inputs, "job.sdl").decode("utf-8")
    except UnicodeDecodeError:
        text = "\ufffd"
    try:
        sdl = parse_sdl(text, Params())
        result: JsonObject = {
            "version": sdl.version,
            "job": sdl.job.to_json(),
            "escrow_uDAIT": str(sdl.escrow_uDAIT),
        }
    except ComputeMarketError as exc:
        result = error_result(exc)
    return Outcome({"result.json": json_bytes(result)})


def sdl_cases() -> Iterator[CaseSpec]:
    """The seed's manifest, and one manifest per refusal."""
    seed = SEED_SDL
    cases = [
        ("accepted", "seed_minimal", "seed 000's minimal SDL", seed),
        (
            "accepted",
            "empty_attributes",
            "an empty attribute mapping means no filter",
            seed.replace(
                "  attributes:\n    gpu_class: hopper-or-newer\n    region: na-east\n",
                "  attributes: {}\n",
            ),
        ),
        ("refused", "anchor", "a YAML anchor", seed.replace("model: qwen", "model: &m qwen")),
        ("refused", "not_yaml", "a document that is not YAML", "job: [unclosed\n"),
        ("refused", "unknown_key", "a key the SDL does not have", seed + "  gpus: 8\n"),
        (
            "refused",
            "missing_key",
            "no duration_blocks",
            seed.replace("  duration_blocks: 3600 # ~60 min at 999ms blocks\n", ""),
        ),
        (
            "refused",
            "wrong_type",
            "replayable: yes (ambiguous YAML scalar)",
            seed.replace("replayable: true", "replayable: yes"),
        ),
        ("refused", "version_2", 'version "2"', seed.replace('version: "1"', 'version: "2"')),
        (
            "refused",
            "escrow_below_max_cost",
            "escrow one below ceiling x duration",
            seed.replace("escrow_uDAIT: 200000", "escrow_uDAIT: 179999"),
        ),
        (
            "refused",
            "unknown_attribute",
            "a filter on vram",
            seed.replace("region: na-east", "vram: 80gb"),
        ),
    ]
    for suite, name, what, text in cases:
        yield CaseSpec(suite, name, what, RULE, f"{SPEC} SDL", {"job.sdl": text.encode("utf-8")})


HANDLERS = (
    Handler(
        "compute_market",
        "sdl",
        "SDL manifests parsed or refused",
        sdl_cases,
        run_sdl,
        {"job.sdl": "the manifest bytes", "result.json": "{version, job, escrow_uDAIT} or {error}"},
    ),
)
