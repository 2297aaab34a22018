"""SDL manifests: the seed's YAML job file, parsed strictly (specs/compute_market.md §3).

Seed 000 "Submit a deployment": "An SDL (Stack Definition Language) manifest describes the
job." The accepted shape is exactly the seed's minimal SDL (every key required, no other
key):

    version: "1"
    job:
      model: qwen2.5-32b-instruct
      attributes:
        gpu_class: hopper-or-newer
        region: na-east
      replayable: true
      price_ceiling_uDAIT: 50
      duration_blocks: 3600 # ~60 min at 999ms blocks
      escrow_uDAIT: 200000

YAML parsers disagree: YAML 1.1 (PyYAML, many Go tools) reads `on`, `yes`, `0x10`, `010`,
`1_000` and `1:30` as booleans or numbers; YAML 1.2 reads them as strings. A manifest
must mean the same to every tool, so a plain (unquoted) scalar is resolved here as:

- `true` / `false`: a boolean;
- `-?(0|[1-9][0-9]*)`: an integer;
- anything YAML 1.1 or 1.2 would read as something other than a string (other booleans,
  null, other number forms, floats, timestamps): refused as ambiguous, quote it;
- anything else: a string.

Quoted and block scalars are strings; a list is a list (the SDL has none, so one is
`ErrSdlWrongType` where the SDL expects a value). Explicit tags, anchors, aliases, merge keys,
duplicate keys and multi-document files are refused. Every refusal names the offending
key with its dotted path and line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import yaml

from dait_chain.x.compute_market.errors import (
    ErrSdlMissingKey,
    ErrSdlSyntax,
    ErrSdlUnknownKey,
    ErrSdlUnsupportedVersion,
    ErrSdlWrongType,
)
from dait_chain.x.compute_market.job import validate_job
from dait_chain.x.compute_market.params import Params
from dait_chain.x.compute_market.types import Attribute, JobSpec, MsgCreateDeployment

SDL_VERSION = "1"
# A manifest is a few hundred bytes; the bound keeps a hostile file from costing much.
MAX_SDL_BYTES = 65_536

_TOP_KEYS = ("version", "job")
_JOB_KEYS = (
    "model",
    "attributes",
    "replayable",
    "price_ceiling_uDAIT",
    "duration_blocks",
    "escrow_uDAIT",
)

_BOOL_RE = re.compile(r"true|false")
_INT_RE = re.compile(r"-?(?:0|[1-9][0-9]*)")
# Plain scalars YAML 1.2 (core schema) reads as non-strings that YAML 1.1's resolver
# (checked separately, through PyYAML) may not: 1e3, 0o17, .5, +.5, 1.
_YAML12_NON_STRING_RE = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
    r"|null|Null|NULL|~|True|TRUE|False|FALSE|[yYnN]"
)
_STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True, slots=True)
class Sdl:
    """A parsed manifest: its version, the job, and the escrow to lock."""

    version: str
    job: JobSpec
    escrow_uDAIT: int

    def to_msg(self, owner: str) -> MsgCreateDeployment:
        """The MsgCreateDeployment that `dait-cli deploy job.sdl` would sign."""
        return MsgCreateDeployment(owner=owner, job=self.job, escrow_uDAIT=self.escrow_uDAIT)


# A resolved YAML value: what the walker below builds from nodes.
YamlValue = str | int | bool | dict[str, "YamlValue"] | list["YamlValue"]


def _where(path: str, node: yaml.Node) -> str:
    return f"{path} (line {node.start_mark.line + 1})"


def _yaml11_tag(text: str) -> str:
    """The tag PyYAML's YAML 1.1 resolver gives a plain scalar."""
    resolver = yaml.resolver.Resolver()
    tag: str = resolver.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag


def _resolve_plain(path: str, node: yaml.ScalarNode) -> str | int | bool:
    text = str(node.value)
    if _BOOL_RE.fullmatch(text):
        return text == "true"
    if _INT_RE.fullmatch(text):
        return int(text)
    if _yaml11_tag(text) != _STR_TAG or _YAML12_NON_STRING_RE.fullmatch(text):
        raise ErrSdlWrongType(
            f"{_where(path, node)}: the plain value {text!r} is not a string in every YAML "
            "version (YAML 1.1 or 1.2 reads it as a boolean, null or number); write "
            "true/false, a decimal integer, or quote it"
        )
    return text


def _check_events(text: str) -> None:
    """Refuse what a plain data file has no use for: tags, anchors, aliases."""
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        mark = f"line {event.start_mark.line + 1}" if event.start_mark else "?"
        if isinstance(event, yaml.AliasEvent):
            raise ErrSdlSyntax(f"{mark}: aliases (*{event.anchor}) are not allowed")
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise ErrSdlSyntax(f"{mark}: anchors (&{anchor}) are not allowed")
        tag = getattr(event, "tag", None)
        if tag is not None and isinstance(event, yaml.NodeEvent):
            raise ErrSdlSyntax(f"{mark}: explicit tags ({tag}) are not allowed")


def _to_value(path: str, node: yaml.Node) -> YamlValue:
    if isinstance(node, yaml.ScalarNode):
        if node.style is None or node.style == "":
            return _resolve_plain(path, node)
        return str(node.value)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, YamlValue] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise ErrSdlSyntax(f"{_where(path, key_node)}: a key must be a plain string")
            key = str(key_node.value)
            sub = f"{path}.{key}" if path else key
            if key == "<<" and key_node.style is None:
                raise ErrSdlSyntax(f"{_where(sub, key_node)}: merge keys are not allowed")
            if key in out:
                raise ErrSdlSyntax(f"{_where(sub, key_node)}: key given twice")
            out[key] = _to_value(sub, value_node)
        return out
    assert isinstance(node, yaml.SequenceNode)
    return [_to_value(f"{path}[{i}]", item) for i, item in enumerate(node.value)]


def _type_name(value: YamlValue) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _mapping(path: str, value: YamlValue) -> dict[str, YamlValue]:
    if not isinstance(value, dict):
        raise ErrSdlWrongType(f"{path}: expected a mapping, got {_type_name(value)}")
    return value


def _check_keys(path: str, mapping: Mapping[str, YamlValue], keys: Sequence[str]) -> None:
    for key in mapping:
        if key not in keys:
            where = f"{path}.{key}" if path else key
            raise ErrSdlUnknownKey(f"{where}: allowed keys here are {', '.join(keys)}")
    for key in keys:
        if key not in mapping:
            where = f"{path}.{key}" if path else key
            raise ErrSdlMissingKey(f"{where}: required")


def _string(path: str, value: YamlValue) -> str:
    if not isinstance(value, str):
        raise ErrSdlWrongType(f"{path}: expected a string, got {_type_name(value)}")
    return value


def _integer(path: str, value: YamlValue) -> int:
    # bool is a subclass of int in Python; `true` is not an amount.
    if type(value) is not int:
        raise ErrSdlWrongType(f"{path}: expected an integer, got {_type_name(value)}")
    return value


def _boolean(path: str, value: YamlValue) -> bool:
    if not isinstance(value, bool):
        raise ErrSdlWrongType(f"{path}: expected true or false, got {_type_name(value)}")
    return value


def load_strict_yaml(text: str, max_bytes: int = MAX_SDL_BYTES) -> YamlValue:
    """One plain YAML document, resolved by this module's rules (see the module docstring):
    no tags, anchors, aliases, merge keys or duplicate keys; ambiguous plain scalars refused.
    Used for SDL manifests and for the other small YAML inputs of `dait-sim auction`."""
    if len(text.encode("utf-8")) > max_bytes:
        raise ErrSdlSyntax(f"document larger than {max_bytes} bytes")
    try:
        _check_events(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise ErrSdlSyntax(" ".join(str(exc).split())) from None
    if root is None:
        raise ErrSdlSyntax("the document is empty")
    return _to_value("", root)


def parse_sdl(text: str, params: Params) -> Sdl:
    """Parse and validate an SDL manifest against the module params (specs §3).

    Raises a registered `compute_market` error naming the offending key on any deviation
    from the seed's minimal SDL, and the same job errors MsgCreateDeployment would raise
    (unknown attribute key, zero amount, escrow below price_ceiling * duration, ...).
    """
    top = _mapping("document", load_strict_yaml(text))
    _check_keys("", top, _TOP_KEYS)
    version = _string("version", top["version"])
    if version != SDL_VERSION:
        raise ErrSdlUnsupportedVersion(f"version: {version!r}")
    job = _mapping("job", top["job"])
    _check_keys("job", job, _JOB_KEYS)
    attributes_map = _mapping("job.attributes", job["attributes"])
    attributes = tuple(
        Attribute(key=k, value=_string(f"job.attributes.{k}", v))
        for k, v in sorted(attributes_map.items())
    )
    spec = JobSpec(
        model=_string("job.model", job["model"]),
        attributes=attributes,
        replayable=_boolean("job.replayable", job["replayable"]),
        price_ceiling_uDAIT=_integer("job.price_ceiling_uDAIT", job["price_ceiling_uDAIT"]),
        duration_blocks=_integer("job.duration_blocks", job["duration_blocks"]),
    )
    escrow = _integer("job.escrow_uDAIT", job["escrow_uDAIT"])
    validate_job("job", spec, escrow, params.attribute_keys, params.ordered())
    return Sdl(version=version, job=spec, escrow_uDAIT=escrow)
