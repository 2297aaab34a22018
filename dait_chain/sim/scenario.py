"""Scenarios: YAML documents of actors and actions (specs/harness.md "Scenarios").

A scenario names its actors (keys derived from seeds), the genesis (balances, validators,
params, extra module sections), the block clock (interval, jitter, halts), and a list of
actions at heights or times. `compile_scenario` (dait_chain.sim.compiler) turns it into a
tx stream. Every mapping keeps the line it came from, so an error names `file:line`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dait_chain.sim.errors import ErrScenarioFormat
from dait_chain.sim.stream import DEFAULT_BLOCK_INTERVAL_MS

SCENARIO_VERSION = 1
DEFAULT_CHAIN_ID = "dait-sim-1"
DEFAULT_GENESIS_TIME_MS = 1_700_000_000_000
UDAIT_PER_DAIT = 1_000_000
INT64_MAX = (1 << 63) - 1

# Keys of an action item that are not the action's own name.
ACTION_ITEM_KEYS = frozenset({"at", "at_time", "repeat", "every", "expect", "fee", "memo"})


class YDict(dict[str, Any]):
    """A YAML mapping that remembers its line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """The line of key, or of the mapping when the key is absent."""
        return self.key_lines.get(key, self.line)


class _Loader(yaml.SafeLoader):
    """SafeLoader whose mappings are YDicts with lines, refusing duplicate keys."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> YDict:
    loader.flatten_mapping(node)
    out = YDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            raise ErrScenarioFormat(f"key {key!r} is not a string", line=line)
        if key in out:
            raise ErrScenarioFormat(f"duplicate key {key!r}", line=line)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = line
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml(text: str, path: str) -> Any:
    """The YAML document in text; syntax errors and duplicate keys name path:line."""
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except ErrScenarioFormat as exc:
        raise ErrScenarioFormat(exc.what, path=path, line=exc.line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise ErrScenarioFormat(f"invalid YAML: {problem}", path=path, line=line) from None
    except yaml.YAMLError as exc:
        raise ErrScenarioFormat(f"invalid YAML: {exc}", path=path) from None


# ---- values --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActorSpec:
    """A named actor: its key seed, liquid balance and (if a validator) self-bond."""

    name: str
    key_seed: str
    balance: int
    self_bond: int
    line: int


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One action occurrence: a registered action name, its arguments, and when it runs.

    Exactly one of at_height and at_time_ms (absolute block time) is set. `index` is the
    occurrence's place in the scenario (repeats expanded), the tie-break among actions
    due in the same block.
    """

    index: int
    action: str
    args: YDict
    at_height: int | None
    at_time_ms: int | None
    line: int
    expect_code: int | None = None
    expect_codespace: str | None = None
    fee: int | None = None
    memo: str = ""


@dataclass(frozen=True, slots=True)
class HaltSpec:
    """The chain stops for duration_ms before block height (its time jumps forward)."""

    height: int
    duration_ms: int
    line: int


@dataclass(frozen=True, slots=True)
class Scenario:
    """A parsed scenario, ready to compile."""

    name: str
    path: str
    chain_id: str
    seed: int
    genesis_time_ms: int
    initial_height: int
    block_interval_ms: int
    jitter_ms: int
    end_height: int | None
    end_time_ms: int | None
    actors: tuple[ActorSpec, ...]
    actions: tuple[ActionSpec, ...]
    halts: tuple[HaltSpec, ...]
    params: YDict = field(default_factory=YDict, compare=False)
    genesis_sections: YDict = field(default_factory=YDict, compare=False)
    description: str = ""

    def actor(self, name: str) -> ActorSpec | None:
        """The actor called name, or None."""
        for actor in self.actors:
            if actor.name == name:
                return actor
        return None


# ---- field readers ---------------------------------------------------------------------------


class _Reader:
    """Reads the fields of one YAML mapping, failing with the file and line."""

    def __init__(self, obj: object, what: str, path: str, line: int) -> None:
        if not isinstance(obj, YDict):
            raise ErrScenarioFormat(f"{what}: expected a mapping", path=path, line=line)
        self.obj = obj
        self.what = what
        self.path = path

    def fail(self, what: str, key: str | None = None) -> ErrScenarioFormat:
        line = self.obj.line_of(key) if key is not None else self.obj.line
        return ErrScenarioFormat(what, path=self.path, line=line)

    def only(self, allowed: set[str] | frozenset[str]) -> None:
        for key in self.obj:
            if key not in allowed:
                raise self.fail(f"{self.what}: unknown field {key!r}", key)

    def has(self, key: str) -> bool:
        return key in self.obj

    def int_(
        self, key: str, default: int | None = None, *, low: int = 0, high: int = INT64_MAX
    ) -> int:
        if key not in self.obj:
            if default is None:
                raise self.fail(f"{self.what}: missing {key!r}")
            return default
        value = self.obj[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{self.what}.{key}: expected an integer, got {value!r}", key)
        if not low <= value <= high:
            raise self.fail(f"{self.what}.{key}: {value} outside [{low}, {high}]", key)
        return value

    def str_(self, key: str, default: str | None = None) -> str:
        if key not in self.obj:
            if default is None:
                raise self.fail(f"{self.what}: missing {key!r}")
            return default
        value = self.obj[key]
        if not isinstance(value, str):
            raise self.fail(f"{self.what}.{key}: expected a string, got {value!r}", key)
        return value

    def amount_(self, key: str, default: int | None = None) -> int:
        if key not in self.obj:
            if default is None:
                raise self.fail(f"{self.what}: missing {key!r}")
            return default
        try:
            return parse_amount_value(self.obj[key])
        except ValueError as exc:
            raise self.fail(f"{self.what}.{key}: {exc}", key) from None

    def duration_(self, key: str, default: int | None = None) -> int:
        if key not in self.obj:
            if default is None:
                raise self.fail(f"{self.what}: missing {key!r}")
            return default
        try:
            return parse_duration_ms(self.obj[key])
        except ValueError as exc:
            raise self.fail(f"{self.what}.{key}: {exc}", key) from None

    def mapping_(self, key: str) -> YDict:
        if key not in self.obj:
            empty = YDict()
            empty.line = self.obj.line
            empty.key_lines = {}
            return empty
        value = self.obj[key]
        if not isinstance(value, YDict):
            raise self.fail(f"{self.what}.{key}: expected a mapping", key)
        return value

    def list_(self, key: str) -> list[Any]:
        if key not in self.obj or self.obj[key] is None:
            return []
        value = self.obj[key]
        if not isinstance(value, list):
            raise self.fail(f"{self.what}.{key}: expected a list", key)
        return value


_DURATION = re.compile(r"(\d+)(ms|s|m|h|d)")
_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
_AMOUNT = re.compile(r"^(\d+)(?:\.(\d{1,6}))?\s*(DAIT|uDAIT)$")


def parse_duration_ms(value: object) -> int:
    """A duration in ms: an int (ms) or a string of number+unit parts, e.g. "1h30m", "999ms"."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"duration {value} is negative")
        return value
    if isinstance(value, str) and value:
        pos, total = 0, 0
        for match in _DURATION.finditer(value):
            if match.start() != pos:
                break
            total += int(match.group(1)) * _UNIT_MS[match.group(2)]
            pos = match.end()
        if pos == len(value):
            return total
    raise ValueError(f"{value!r} is not a duration (ms, or e.g. 90s, 2h, 1d12h)")


def parse_amount_value(value: object) -> int:
    """An amount in uDAIT: an int, or "12 DAIT", "1.5 DAIT", "300 uDAIT"."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an amount")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"amount {value} is negative")
        return value
    if isinstance(value, str):
        match = _AMOUNT.match(value.strip())
        if match:
            whole, frac, unit = match.groups()
            if unit == "uDAIT":
                if frac:
                    raise ValueError(f"{value!r}: uDAIT has no fraction")
                return int(whole)
            return int(whole) * UDAIT_PER_DAIT + int((frac or "").ljust(6, "0") or "0")
    raise ValueError(f"{value!r} is not an amount (uDAIT int, or e.g. '1.5 DAIT')")


# ---- parsing ---------------------------------------------------------------------------------


TOP_KEYS = frozenset(
    {
        "scenario",
        "version",
        "description",
        "chain_id",
        "seed",
        "genesis_time_ms",
        "initial_height",
        "block_interval_ms",
        "end_height",
        "end_time",
        "time",
        "actors",
        "params",
        "genesis",
        "actions",
    }
)


def _actor(name: object, value: object, top: _Reader, line: int) -> ActorSpec:
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name):
        raise top.fail(f"actors: {name!r} is not a valid actor name", "actors")
    if value is None:
        value = YDict()
        value.line = line
        value.key_lines = {}
    r = _Reader(value, f"actors.{name}", top.path, line)
    r.only({"balance", "key_seed", "validator"})
    bond = 0
    if r.has("validator"):
        v = _Reader(
            r.obj["validator"], f"actors.{name}.validator", top.path, r.obj.line_of("validator")
        )
        v.only({"self_bond"})
        bond = v.amount_("self_bond")
        if bond == 0:
            raise v.fail(f"actors.{name}.validator.self_bond: must be positive", "self_bond")
    return ActorSpec(name, r.str_("key_seed", name), r.amount_("balance", 0), bond, r.obj.line)


def _expand_action(
    item: object, number: int, top: _Reader, first_index: int, genesis_time_ms: int
) -> list[ActionSpec]:
    r = _Reader(item, f"actions[{number}]", top.path, top.obj.line_of("actions"))
    names = [k for k in r.obj if k not in ACTION_ITEM_KEYS]
    if len(names) != 1:
        raise r.fail(
            f"actions[{number}]: expected exactly one action name besides "
            f"{', '.join(sorted(ACTION_ITEM_KEYS))}; got {names or 'none'}"
        )
    action = names[0]
    args = r.obj[action]
    if args is None:
        args = YDict()
        args.line = r.obj.line_of(action)
        args.key_lines = {}
    if not isinstance(args, YDict):
        raise r.fail(f"actions[{number}].{action}: arguments must be a mapping", action)
    if r.has("at") == r.has("at_time"):
        raise r.fail(f"actions[{number}]: give exactly one of 'at' (height) and 'at_time'")
    at_height = r.int_("at", low=1) if r.has("at") else None
    at_time = genesis_time_ms + r.duration_("at_time") if r.has("at_time") else None
    repeat = r.int_("repeat", 1, low=1, high=1_000_000)
    every = r.int_("every", 1, low=1)
    if r.has("every") and at_height is None:
        raise r.fail(f"actions[{number}]: 'every' (heights) needs 'at'", "every")
    expect_code: int | None = None
    expect_codespace: str | None = None
    if r.has("expect"):
        e = _Reader(r.obj["expect"], f"actions[{number}].expect", top.path, r.obj.line_of("expect"))
        e.only({"code", "codespace"})
        expect_code = e.int_("code", 0, high=0xFFFFFFFF)
        expect_codespace = e.str_("codespace", "")
    fee = r.amount_("fee") if r.has("fee") else None
    memo = r.str_("memo", "")
    return [
        ActionSpec(
            index=first_index + k,
            action=action,
            args=args,
            at_height=None if at_height is None else at_height + k * every,
            at_time_ms=at_time,
            line=r.obj.line,
            expect_code=expect_code,
            expect_codespace=expect_codespace,
            fee=fee,
            memo=memo,
        )
        for k in range(repeat)
    ]


def parse_scenario(text: str, path: str = "<scenario>") -> Scenario:
    """The scenario in a YAML text; ErrScenarioFormat (with path:line) on any problem.

    Action names are not checked here (the compiler knows the registry); everything else
    about the document's shape is.
    """
    doc = load_yaml(text, path)
    top = _Reader(doc, "scenario", path, 1)
    top.only(TOP_KEYS)
    version = top.int_("version", SCENARIO_VERSION)
    if version != SCENARIO_VERSION:
        raise top.fail(f"unsupported scenario version {version}", "version")
    genesis_time = top.int_("genesis_time_ms", DEFAULT_GENESIS_TIME_MS)
    clock = _Reader(top.mapping_("time"), "time", path, top.obj.line_of("time"))
    clock.only({"jitter_ms", "halts"})
    halts: list[HaltSpec] = []
    for i, raw in enumerate(clock.list_("halts")):
        h = _Reader(raw, f"time.halts[{i}]", path, clock.obj.line_of("halts"))
        h.only({"at", "duration"})
        halts.append(HaltSpec(h.int_("at", low=1), h.duration_("duration"), h.obj.line))
    actors_map = top.mapping_("actors")
    actors = tuple(
        _actor(name, value, top, actors_map.line_of(name)) for name, value in actors_map.items()
    )
    if not actors:
        raise top.fail("scenario: at least one actor is needed", "actors")
    actions: list[ActionSpec] = []
    for number, item in enumerate(top.list_("actions")):
        actions.extend(_expand_action(item, number, top, len(actions), genesis_time))
    params = top.mapping_("params")
    for module, section in params.items():
        if not isinstance(section, YDict):
            raise top.fail(f"params.{module}: expected a mapping", "params")
    sections = top.mapping_("genesis")
    for module, section in sections.items():
        if not isinstance(section, YDict):
            raise top.fail(f"genesis.{module}: expected a mapping", "genesis")
    initial_height = top.int_("initial_height", 1, low=1)
    end_height = top.int_("end_height", low=initial_height) if top.has("end_height") else None
    for a in actions:
        if a.at_height is not None and a.at_height < initial_height:
            raise ErrScenarioFormat(
                f"action at height {a.at_height} before initial_height {initial_height}",
                path=path,
                line=a.line,
            )
    return Scenario(
        name=top.str_("scenario", Path(path).stem),
        path=path,
        chain_id=top.str_("chain_id", DEFAULT_CHAIN_ID),
        seed=top.int_("seed", 0),
        genesis_time_ms=genesis_time,
        initial_height=initial_height,
        block_interval_ms=top.int_("block_interval_ms", DEFAULT_BLOCK_INTERVAL_MS, low=1),
        jitter_ms=clock.int_("jitter_ms", 0),
        end_height=end_height,
        end_time_ms=genesis_time + top.duration_("end_time") if top.has("end_time") else None,
        actors=actors,
        actions=tuple(actions),
        halts=tuple(sorted(halts, key=lambda h: h.height)),
        params=params,
        genesis_sections=sections,
        description=top.str_("description", ""),
    )


def load_scenario(path: str | Path) -> Scenario:
    """Read and parse a scenario file (a missing or unreadable file is ErrScenarioFormat)."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ErrScenarioFormat("no such file", path=name) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ErrScenarioFormat(f"cannot read: {exc}", path=name) from None
    return parse_scenario(text, name)


def builtin_scenarios_dir() -> Path:
    """The directory of the built-in scenarios shipped with the package."""
    return Path(__file__).parent / "scenarios"


def builtin_scenario(name: str) -> Path:
    """The path of a built-in scenario by name ("core" -> scenarios/core.yaml)."""
    return builtin_scenarios_dir() / f"{name}.yaml"


__all__ = [
    "ActionSpec",
    "ActorSpec",
    "HaltSpec",
    "Scenario",
    "YDict",
    "builtin_scenario",
    "builtin_scenarios_dir",
    "load_scenario",
    "load_yaml",
    "parse_amount_value",
    "parse_duration_ms",
    "parse_scenario",
]
