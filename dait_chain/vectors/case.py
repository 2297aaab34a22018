"""Cases and handlers: the unit of a vector set (specs/vectors.md "Layout").

A vector set is `DIR/<area>/<handler>/<suite>/<case>/`. A `Handler` owns one
`<area>/<handler>` directory: `generate()` yields its cases' inputs, and `run(inputs)`
computes their outputs by calling the real code. Export writes inputs, `run`'s outputs and
a `meta.json`; check reads the inputs back, runs again and compares, so export and check
agree by construction and a tampered output is caught by the recomputation (and every
file by the manifest).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dait_chain.vectors.files import JsonObject, json_bytes, parse_json

META = "meta.json"
META_FORMAT = "dait-vector-case/v1"
NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*\Z")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What `run` computed from a case's inputs: its output files, and, for a case whose
    input must be rejected as a whole (no post-state), the reason."""

    outputs: Mapping[str, bytes]
    rejected: str | None = None


@dataclass(frozen=True, slots=True)
class CaseSpec:
    """One case as a generator writes it: where it goes, what it checks, its inputs."""

    suite: str
    name: str
    description: str
    rule: str  # the rule or seed sentence the case checks, quoted from its spec
    source: str  # where that rule is written (spec section)
    inputs: Mapping[str, bytes]
    # What `run(inputs)` gives, when the generator already computed it by running the same
    # code (chain builders); `check` always recomputes, so a mismatch is caught there.
    outcome: Outcome | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Handler:
    """One `<area>/<handler>`: its case generator and its runner."""

    area: str
    name: str
    summary: str
    generate: Callable[[], Iterable[CaseSpec]]
    run: Callable[[Mapping[str, bytes]], Outcome]
    files: Mapping[str, str] = field(default_factory=dict)  # file name -> what it holds

    @property
    def key(self) -> str:
        """`area/handler`."""
        return f"{self.area}/{self.name}"


def check_name(name: str, what: str) -> str:
    """A path component: lowercase letters, digits, `_`, `.`, `-` (portable on every OS)."""
    if not NAME.match(name):
        raise ValueError(f"{what} {name!r} is not a portable vector name")
    return name


def errors_in(value: Any) -> set[tuple[str, int]]:
    """Every (codespace, code != 0) named by an object of a JSON value: expected errors and
    tx results alike."""
    found: set[tuple[str, int]] = set()
    if isinstance(value, dict):
        codespace, code = value.get("codespace"), value.get("code")
        if isinstance(codespace, str) and codespace and type(code) is int and code != 0:
            found.add((codespace, code))
        for item in value.values():
            found |= errors_in(item)
    elif isinstance(value, list):
        for item in value:
            found |= errors_in(item)
    return found


def outcome_errors(outcome: Outcome) -> list[str]:
    """The errors a case's outputs contain, as sorted "codespace/code" strings."""
    found: set[tuple[str, int]] = set()
    for name, data in outcome.outputs.items():
        if name.endswith(".json"):
            found |= errors_in(parse_json(data, name))
    return [f"{cs}/{code}" for cs, code in sorted(found)]


def meta_of(handler: Handler, spec: CaseSpec, outcome: Outcome) -> JsonObject:
    """The meta.json object of a case (static description plus what its outputs hold)."""
    meta: JsonObject = {
        "format": META_FORMAT,
        "area": handler.area,
        "handler": handler.name,
        "suite": spec.suite,
        "case": spec.name,
        "description": spec.description,
        "rule": spec.rule,
        "source": spec.source,
        "inputs": sorted(spec.inputs),
        "outputs": sorted(outcome.outputs),
        "errors": outcome_errors(outcome),
    }
    if outcome.rejected is not None:
        meta["rejected"] = outcome.rejected
    return meta


def case_files(handler: Handler, spec: CaseSpec, outcome: Outcome) -> dict[str, bytes]:
    """Every file of a case: inputs, outputs and meta.json."""
    clash = set(spec.inputs) & set(outcome.outputs)
    if clash or META in spec.inputs or META in outcome.outputs:
        raise ValueError(f"{handler.key}/{spec.suite}/{spec.name}: file names clash {clash}")
    files = {**spec.inputs, **outcome.outputs}
    files[META] = json_bytes(meta_of(handler, spec, outcome))
    return files


def case_path(handler: Handler, spec: CaseSpec) -> str:
    """`area/handler/suite/case` (POSIX separators, as the manifest lists paths)."""
    check_name(spec.suite, "suite")
    check_name(spec.name, "case")
    return f"{handler.area}/{handler.name}/{spec.suite}/{spec.name}"


__all__ = [
    "META",
    "META_FORMAT",
    "CaseSpec",
    "Handler",
    "Outcome",
    "case_files",
    "case_path",
    "check_name",
    "errors_in",
    "meta_of",
    "outcome_errors",
]
