"""Sweep configs: the YAML file, its validation, the param points and the seeding
(specs/sweeps.md "Config format", "Seeding").

A config names the population of agents, the chain params, how long a run is, and what to
sweep: a grid or a random sample over params addressed as `<section>.<name>`, where the
section is a chain module (`pouw.alpha`, `compute_market.auction_window_blocks`,
`state_channel.challenge_window_ms`, ... applied to the genesis) or an agent group
(`hosts.honesty`, `tenants.session_rate`, `run.blocks`, ...). Every mistake names the
file and line.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

from dait_chain.errors import DaitError
from dait_chain.math import LegacyDec
from dait_chain.sim.errors import ErrScenarioFormat
from dait_chain.sim.scenario import YDict, load_yaml
from dait_chain.sweeps.errors import ErrSweepConfig
from dait_chain.x.compute_market.params import Params as MarketParams
from dait_chain.x.distribution.types import DEFAULT_PARAMS as DISTRIBUTION_DEFAULTS
from dait_chain.x.pouw.params import Params as PouwParams
from dait_chain.x.staking.types import DEFAULT_PARAMS as STAKING_DEFAULTS
from dait_chain.x.state_channel.params import default_params as channel_default_params

ParamValue = int | float | str
CONSENSUS_MODES: Final = ("direct", "network")
CONCENTRATION_TARGETS: Final = ("largest", "smallest")
SEEDING_MODES: Final = ("common", "independent")
MAX_RUNS: Final = 1_000_000


# --- the run model: what one run is built from ----------------------------------------------


@dataclass(frozen=True, slots=True)
class RunSettings:
    """How long a run is and how it is observed."""

    blocks: int = 600  # the active horizon: agents act at heights 2..blocks
    snapshot_every: int = 100  # a metric snapshot every N heights (and one at the end)
    drain_blocks: int = 0  # then N more heights, sparse, agents idle (disputes settle)
    consensus: str = "direct"  # direct: one proposer; network: ABCI++ rounds (collusion)
    block_interval_ms: int = 999


@dataclass(frozen=True, slots=True)
class ValidatorsConfig:
    """The genesis validators: stakes and who colludes."""

    count: int = 10
    stake_dait: tuple[int, ...] = ()  # explicit self-bonds; empty: drawn lognormal per seed
    stake_median_dait: int = 1_000
    stake_sigma: float = 0.5
    colluding: int = 0  # the largest `colluding` validators collude (network mode only)


@dataclass(frozen=True, slots=True)
class HostsConfig:
    """Hosts: SPUR-IC servers in channels and compute_market providers."""

    count: int = 20
    capacity: int = 2  # leases at once
    gpu_class: str = "hopper"
    price_per_call: int = 10  # uDAIT, the SPUR-IC rate card
    price_per_token_out: int = 2  # uDAIT
    lease_price_min: int = 10  # uDAIT per block, the range a host bids in
    lease_price_max: int = 50
    bid_probability: float = 0.5  # chance a host bids on an open order it sees
    honesty: float = 1.0  # chance a session (and a pouw job) is served honestly
    concentration: float = 0.0  # share of hosts pointing their credits at one validator
    concentration_target: str = "largest"  # that validator: the largest or smallest stake
    job_calls: int = 16  # SPUR-IC receipts per pouw job (its evidence)
    model_weight: str = "1.000000000000000000"  # the registry weight of the served model


@dataclass(frozen=True, slots=True)
class TenantsConfig:
    """Tenants: demand for channel sessions and lease jobs."""

    count: int = 10
    session_rate: float = 0.05  # chance per block that an idle tenant opens a session
    calls_per_block: int = 2  # calls a live session makes per block
    session_calls_min: int = 5
    session_calls_max: int = 40
    tokens_out_min: int = 50
    tokens_out_max: int = 400
    lease_rate: float = 0.02  # chance per block that a tenant deploys a lease job
    lease_ceiling: int = 50  # uDAIT per block
    lease_duration_min: int = 50  # blocks
    lease_duration_max: int = 200
    honesty: float = 1.0  # chance a session ends with a cooperative close, not a cheat


@dataclass(frozen=True, slots=True)
class AuditorsConfig:
    """Auditors: spot-check hosts and report to x/pouw."""

    count: int = 1
    audit_rate: float = 0.05  # chance per block per auditor of one audit
    detection: float = 0.9  # chance an audit of a host that cheated reports the failure


@dataclass(frozen=True, slots=True)
class ModelConfig:
    """Everything one run is built from (the sweep itself aside)."""

    run: RunSettings = RunSettings()
    validators: ValidatorsConfig = ValidatorsConfig()
    hosts: HostsConfig = HostsConfig()
    tenants: TenantsConfig = TenantsConfig()
    auditors: AuditorsConfig = AuditorsConfig()
    # module param overrides applied to the genesis, sorted by path
    params: tuple[tuple[str, ParamValue], ...] = ()

    def module_params(self, module: str) -> dict[str, ParamValue]:
        """The overrides of one module's params, by field name."""
        prefix = module + "."
        return {k[len(prefix) :]: v for k, v in self.params if k.startswith(prefix)}


AGENT_SECTIONS: Final[dict[str, type[Any]]] = {
    "run": RunSettings,
    "validators": ValidatorsConfig,
    "hosts": HostsConfig,
    "tenants": TenantsConfig,
    "auditors": AuditorsConfig,
}

# Chain modules whose params a config may set: the module's params defaults.
MODULE_DEFAULTS: Final[dict[str, object]] = {
    "pouw": PouwParams(),
    "compute_market": MarketParams(),
    "state_channel": channel_default_params(),
    "distribution": DISTRIBUTION_DEFAULTS,
    "staking": STAKING_DEFAULTS,
}


# --- points, seeds, the whole sweep ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Point:
    """One param point: its index in the sweep and (path, value) in the swept order."""

    index: int
    values: tuple[tuple[str, ParamValue], ...]

    def as_dict(self) -> dict[str, ParamValue]:
        """The point as {path: value}."""
        return dict(self.values)


@dataclass(frozen=True, slots=True)
class SweepConfig:
    """A parsed, validated sweep."""

    name: str
    path: str
    model: ModelConfig
    swept: tuple[str, ...]
    points: tuple[Point, ...]
    seeds: tuple[int, ...]
    seeding: str = "common"

    @property
    def run_count(self) -> int:
        """Points x seeds."""
        return len(self.points) * len(self.seeds)


@dataclass(frozen=True, slots=True)
class RunTask:
    """One run: the model with its point applied, the point, the seed, and the key.

    A task is a plain picklable value: a worker needs nothing else to run it.
    """

    run_id: str
    point: Point
    seed: int
    model: ModelConfig
    rng_root: bytes  # the 32-byte root every agent's Random is derived from


# --- canonical forms and digests ------------------------------------------------------------


def canonical_json(value: object) -> bytes:
    """Sorted keys, no spaces, floats by repr: one byte string per value (for digests)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def model_digest(model: ModelConfig) -> str:
    """sha256 of the model's canonical JSON, hex: what the run ids and seeds build on."""
    return hashlib.sha256(canonical_json(dataclasses.asdict(model))).hexdigest()


def run_id_for(digest: str, point: Point, seed: int) -> str:
    """The run key: sha256({"model", "point", "seed"}) as 16 hex digits. A run with the
    same model, point and seed has the same id in any sweep (so resume finds it)."""
    material = {"model": digest, "point": point.as_dict(), "seed": seed}
    return hashlib.sha256(canonical_json(material)).hexdigest()[:16]


def rng_root_for(digest: str, point: Point, seed: int, seeding: str) -> bytes:
    """The run's randomness root: sha256 of {"model", "point", "seed"}; with common random
    numbers ("common") the point is left out, so every point sees the same demand paths."""
    material = {
        "model": digest,
        "point": point.as_dict() if seeding == "independent" else None,
        "seed": seed,
    }
    return hashlib.sha256(b"dait-sweeps/rng/v1\x00" + canonical_json(material)).digest()


def stream_rng(root: bytes, name: str) -> random.Random:
    """The Random of one named stream of a run (an agent, the stake draw, ...):
    Random(int(sha256(root || name)))."""
    digest = hashlib.sha256(root + b"/" + name.encode()).digest()
    return random.Random(int.from_bytes(digest, "big"))


def tasks_of(config: SweepConfig) -> tuple[RunTask, ...]:
    """Every run of the sweep, in (point, seed) order."""
    out = []
    for point in config.points:
        model = apply_point(config.model, point)
        digest = model_digest(config.model)
        for seed in config.seeds:
            out.append(
                RunTask(
                    run_id_for(digest, point, seed),
                    point,
                    seed,
                    model,
                    rng_root_for(digest, point, seed, config.seeding),
                )
            )
    return tuple(out)


def apply_point(model: ModelConfig, point: Point) -> ModelConfig:
    """The model with the point's values in place of its own."""
    params = dict(model.params)
    sections: dict[str, dict[str, Any]] = {}
    for path, value in point.values:
        section, name = path.split(".", 1)
        if section in AGENT_SECTIONS:
            sections.setdefault(section, {})[name] = field_value(path, value)
        else:
            params[path] = value
    changed = {s: dataclasses.replace(getattr(model, s), **f) for s, f in sections.items()}
    return dataclasses.replace(model, params=tuple(sorted(params.items())), **changed)


# --- values ---------------------------------------------------------------------------------


class _Where:
    """Where a value came from, to raise ErrSweepConfig at its line."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, what: str, line: int | None) -> ErrSweepConfig:
        return ErrSweepConfig(what, path=self.path, line=line)


def _dec_string(value: object) -> str | None:
    """A number's canonical LegacyDec spelling (18 places), or None if not one."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        exact = Decimal(repr(value) if isinstance(value, float) else str(value))
    except InvalidOperation:
        return None
    if not exact.is_finite() or exact != exact.quantize(Decimal(1).scaleb(-18)):
        return None
    try:
        return str(LegacyDec.from_str(format(exact, "f")))
    except DaitError:
        return None


def param_kind(path: str) -> tuple[str, Callable[[object], ParamValue | None]]:
    """("int" | "decimal" | "float" | "str" | "ints", coercer) of a param path; the coercer
    returns the canonical value or None when the value has the wrong type. KeyError if
    the path names no param."""
    section, _, name = path.partition(".")
    if section in AGENT_SECTIONS:
        fields = {f.name: f for f in dataclasses.fields(AGENT_SECTIONS[section])}
        if name not in fields:
            raise KeyError(path)
        default = fields[name].default
    elif section in MODULE_DEFAULTS:
        params = MODULE_DEFAULTS[section]
        names = {f.name for f in dataclasses.fields(params)}  # type: ignore[arg-type]
        if name not in names:
            raise KeyError(path)
        default = getattr(params, name)
    else:
        raise KeyError(path)
    if isinstance(default, bool):
        raise KeyError(path)
    if isinstance(default, int):
        return "int", lambda v: v if isinstance(v, int) and not isinstance(v, bool) else None
    if isinstance(default, float):
        return (
            "float",
            lambda v: float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None,
        )
    if isinstance(default, str) and _dec_string(default) == default:
        return "decimal", _dec_string
    if isinstance(default, str):
        return "str", lambda v: v if isinstance(v, str) else None
    if isinstance(default, tuple) and section in AGENT_SECTIONS:
        return "ints", _int_tuple
    raise KeyError(path)


def _int_tuple(value: object) -> ParamValue | None:
    # Tuples travel through points as a comma-separated string (a point value is a scalar).
    if isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        return ",".join(str(v) for v in value)
    return None


def _field_value(kind: str, value: ParamValue) -> Any:
    """The dataclass field value of a canonical param value."""
    if kind == "ints":
        assert isinstance(value, str)
        return tuple(int(v) for v in value.split(",") if v)
    return value


def coerce(path: str, raw: object, where: _Where, line: int | None) -> ParamValue:
    """The canonical value of `raw` for the param at `path` (ErrSweepConfig at line)."""
    try:
        kind, coercer = param_kind(path)
    except KeyError:
        raise where.fail(f"unknown param {path!r} ({_param_hint(path)})", line) from None
    value = coercer(raw)
    if value is None:
        raise where.fail(f"{path}: {raw!r} is not a valid {kind} value", line)
    return value


def _param_hint(path: str) -> str:
    section = path.partition(".")[0]
    if section in AGENT_SECTIONS:
        names = sorted(f.name for f in dataclasses.fields(AGENT_SECTIONS[section]))
        return f"{section} has: {', '.join(names)}"
    if section in MODULE_DEFAULTS:
        names = sorted(
            n for n in _sweepable_fields(MODULE_DEFAULTS[section]) if _is_sweepable(section, n)
        )
        return f"{section} has: {', '.join(names)}"
    known = sorted([*AGENT_SECTIONS, *MODULE_DEFAULTS])
    return f"sections are: {', '.join(known)}"


def _sweepable_fields(params: object) -> list[str]:
    return [f.name for f in dataclasses.fields(params)]  # type: ignore[arg-type]


def _is_sweepable(section: str, name: str) -> bool:
    try:
        param_kind(f"{section}.{name}")
    except KeyError:
        return False
    return True


# --- loading --------------------------------------------------------------------------------

_TOP_KEYS: Final = ("name", "description", *AGENT_SECTIONS, "params", "sweep")
_SWEEP_KEYS: Final = ("grid", "random", "seeds", "seeding")
_RANDOM_KEYS: Final = ("samples", "seed", "params")
_DISTRIBUTIONS: Final = ("uniform", "loguniform", "int", "choice")
SAMPLE_DECIMALS: Final = 6  # sampled floats are rounded so every value is exact in 18 places


def load_config(path: str | Path) -> SweepConfig:
    """Parse and validate a sweep config file (ErrSweepConfig names file:line)."""
    text_path = str(path)
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise ErrSweepConfig(f"cannot read: {exc.strerror}", path=text_path) from None
    return parse_config(text, text_path)


def parse_config(text: str, path: str = "<config>") -> SweepConfig:
    """Parse and validate a sweep config document."""
    where = _Where(path)
    try:
        doc = load_yaml(text, path)
    except ErrScenarioFormat as exc:
        raise ErrSweepConfig(exc.what, path=path, line=exc.line) from None
    if not isinstance(doc, YDict):
        raise where.fail("the config must be a mapping", 1)
    _check_keys(doc, _TOP_KEYS, "config", where)
    name = doc.get("name", Path(path).stem)
    if not isinstance(name, str) or not name:
        raise where.fail("name: a non-empty string", doc.line_of("name"))
    overrides: list[tuple[str, ParamValue, int]] = []
    for section in AGENT_SECTIONS:
        block = doc.get(section)
        if block is None:
            continue
        if not isinstance(block, YDict):
            raise where.fail(f"{section}: expected a mapping", doc.line_of(section))
        for key, raw in block.items():
            full = f"{section}.{key}"
            overrides.append(
                (full, coerce(full, raw, where, block.line_of(key)), block.line_of(key))
            )
    params_block = doc.get("params")
    if params_block is not None:
        if not isinstance(params_block, YDict):
            raise where.fail(
                "params: expected a mapping of <module>.<param>", doc.line_of("params")
            )
        for key, raw in params_block.items():
            line = params_block.line_of(key)
            if key.partition(".")[0] in AGENT_SECTIONS:
                raise where.fail(f"{key}: agent params go in their own section", line)
            overrides.append((key, coerce(key, raw, where, line), line))
    base = Point(-1, tuple((p, v) for p, v, _ in overrides))
    model = apply_point(ModelConfig(), base)
    check_model(model, where, {p: line for p, _, line in overrides})
    sweep = doc.get("sweep")
    if not isinstance(sweep, YDict):
        raise where.fail("sweep: a mapping with grid or random, and seeds", doc.line_of("sweep"))
    _check_keys(sweep, _SWEEP_KEYS, "sweep", where)
    seeds = _seeds(sweep, where)
    seeding = sweep.get("seeding", "common")
    if seeding not in SEEDING_MODES:
        raise where.fail(
            f"sweep.seeding: one of {', '.join(SEEDING_MODES)}", sweep.line_of("seeding")
        )
    if ("grid" in sweep) == ("random" in sweep):
        raise where.fail("sweep: give exactly one of grid and random", sweep.line)
    digest = model_digest(model)
    if "grid" in sweep:
        swept, points, lines = _grid(sweep, where)
    else:
        swept, points, lines = _random(sweep, where, digest)
    if len(points) * len(seeds) > MAX_RUNS:
        raise where.fail(f"{len(points) * len(seeds)} runs is more than {MAX_RUNS}", sweep.line)
    for point in points:
        check_model(apply_point(model, point), where, lines, point)
    return SweepConfig(name, path, model, swept, points, seeds, seeding)


def _check_keys(block: YDict, allowed: Sequence[str], what: str, where: _Where) -> None:
    for key in block:
        if key not in allowed:
            raise where.fail(
                f"{what}: unknown key {key!r} (allowed: {', '.join(allowed)})", block.line_of(key)
            )


def _seeds(sweep: YDict, where: _Where) -> tuple[int, ...]:
    raw = sweep.get("seeds", 1)
    line = sweep.line_of("seeds")
    if isinstance(raw, int) and not isinstance(raw, bool):
        if raw < 1:
            raise where.fail("sweep.seeds: a count >= 1 or a list of seeds", line)
        return tuple(range(raw))
    if (
        isinstance(raw, list)
        and raw
        and all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in raw)
    ):
        if len(set(raw)) != len(raw):
            raise where.fail("sweep.seeds: a seed is listed twice", line)
        return tuple(raw)
    raise where.fail("sweep.seeds: a count >= 1 or a list of distinct non-negative ints", line)


def _grid(sweep: YDict, where: _Where) -> tuple[tuple[str, ...], tuple[Point, ...], dict[str, int]]:
    grid = sweep["grid"]
    if not isinstance(grid, YDict) or not grid:
        raise where.fail("sweep.grid: a mapping of param -> list of values", sweep.line_of("grid"))
    swept: list[str] = []
    axes: list[list[ParamValue]] = []
    lines: dict[str, int] = {}
    for path, values in grid.items():
        line = grid.line_of(path)
        if not isinstance(values, list) or not values:
            raise where.fail(f"sweep.grid.{path}: a non-empty list of values", line)
        coerced = [coerce(path, v, where, line) for v in values]
        if len(set(coerced)) != len(coerced):
            raise where.fail(f"sweep.grid.{path}: a value is listed twice", line)
        swept.append(path)
        axes.append(coerced)
        lines[path] = line
    points = tuple(
        Point(i, tuple(zip(swept, combo, strict=True)))
        for i, combo in enumerate(itertools.product(*axes))
    )
    return tuple(swept), points, lines


def _random(
    sweep: YDict, where: _Where, digest: str
) -> tuple[tuple[str, ...], tuple[Point, ...], dict[str, int]]:
    block = sweep["random"]
    if not isinstance(block, YDict):
        raise where.fail("sweep.random: a mapping with samples and params", sweep.line_of("random"))
    _check_keys(block, _RANDOM_KEYS, "sweep.random", where)
    samples = block.get("samples")
    if not isinstance(samples, int) or isinstance(samples, bool) or samples < 1:
        raise where.fail("sweep.random.samples: an int >= 1", block.line_of("samples"))
    sample_seed = block.get("seed", 0)
    if not isinstance(sample_seed, int) or isinstance(sample_seed, bool):
        raise where.fail("sweep.random.seed: an int", block.line_of("seed"))
    params = block.get("params")
    if not isinstance(params, YDict) or not params:
        raise where.fail("sweep.random.params: a mapping of param -> distribution", block.line)
    draws: list[tuple[str, Callable[[random.Random], object], int]] = []
    for path, spec in params.items():
        line = params.line_of(path)
        coerce_check = param_kind_or_fail(path, where, line)
        draws.append((path, _distribution(path, spec, where, line, coerce_check), line))
    # The sample is drawn from the model digest and the sample seed only: the same config
    # always gives the same points, whatever the executor.
    rng = random.Random(int.from_bytes(hashlib.sha256(f"{digest}/{sample_seed}".encode()).digest()))
    points = []
    for i in range(samples):
        values = tuple((path, coerce(path, draw(rng), where, line)) for path, draw, line in draws)
        points.append(Point(i, values))
    return tuple(p for p, _, _ in draws), tuple(points), {p: line for p, _, line in draws}


def param_kind_or_fail(path: str, where: _Where, line: int) -> str:
    """The kind of a param path, or ErrSweepConfig at line."""
    try:
        return param_kind(path)[0]
    except KeyError:
        raise where.fail(f"unknown param {path!r} ({_param_hint(path)})", line) from None


def _distribution(
    path: str, spec: object, where: _Where, line: int, kind: str
) -> Callable[[random.Random], object]:
    if not isinstance(spec, YDict) or len(spec) != 1:
        raise where.fail(f"{path}: one of {{{', '.join(_DISTRIBUTIONS)}: ...}}", line)
    ((name, args),) = spec.items()
    if name not in _DISTRIBUTIONS:
        raise where.fail(f"{path}: unknown distribution {name!r}", line)
    if name == "choice":
        if not isinstance(args, list) or not args:
            raise where.fail(f"{path}: choice needs a non-empty list", line)
        options = list(args)
        return lambda rng: rng.choice(options)
    if (
        not isinstance(args, list)
        or len(args) != 2
        or not all(isinstance(a, int | float) and not isinstance(a, bool) for a in args)
        or not args[0] <= args[1]
    ):
        raise where.fail(f"{path}: {name} needs [low, high] with low <= high", line)
    low, high = args
    if name == "int" or kind == "int":
        if not all(isinstance(a, int) for a in args):
            raise where.fail(f"{path}: int bounds must be integers", line)
        return lambda rng: rng.randint(int(low), int(high))
    if name == "loguniform":
        if low <= 0:
            raise where.fail(f"{path}: loguniform needs low > 0", line)
        return lambda rng: round(
            float(Decimal(low) * (Decimal(high) / Decimal(low)) ** Decimal(rng.random())),
            SAMPLE_DECIMALS,
        )
    return lambda rng: round(low + (high - low) * rng.random(), SAMPLE_DECIMALS)


# --- semantic checks ------------------------------------------------------------------------


def check_model(
    model: ModelConfig,
    where: _Where,
    lines: Mapping[str, int],
    point: Point | None = None,
) -> None:
    """Refuse a model no run can be built from; the error names the line of the offending
    param (and the point, for a swept value)."""

    def fail(path: str, what: str) -> ErrSweepConfig:
        at = f" (at point {point.as_dict()})" if point is not None else ""
        return where.fail(f"{path}: {what}{at}", lines.get(path))

    r, v, h, t, a = model.run, model.validators, model.hosts, model.tenants, model.auditors
    positive = {
        "run.blocks": r.blocks,
        "run.snapshot_every": r.snapshot_every,
        "run.block_interval_ms": r.block_interval_ms,
        "validators.count": v.count,
        "validators.stake_median_dait": v.stake_median_dait,
        "hosts.count": h.count,
        "hosts.job_calls": h.job_calls,
        "tenants.count": t.count,
        "tenants.calls_per_block": t.calls_per_block,
        "tenants.session_calls_min": t.session_calls_min,
        "tenants.tokens_out_min": t.tokens_out_min,
        "tenants.lease_ceiling": t.lease_ceiling,
        "tenants.lease_duration_min": t.lease_duration_min,
        "hosts.lease_price_min": h.lease_price_min,
    }
    for path, value in positive.items():
        if value < 1:
            raise fail(path, f"must be >= 1, got {value}")
    if r.blocks < 2:
        raise fail("run.blocks", "must be >= 2 (block 1 sets the agents up)")
    non_negative: dict[str, int | float] = {
        "run.drain_blocks": r.drain_blocks,
        "validators.colluding": v.colluding,
        "hosts.capacity": h.capacity,
        "hosts.price_per_call": h.price_per_call,
        "hosts.price_per_token_out": h.price_per_token_out,
        "auditors.count": a.count,
        "validators.stake_sigma": v.stake_sigma,
    }
    for path, number in non_negative.items():
        if number < 0:
            raise fail(path, f"must be >= 0, got {number}")
    for path, p in {
        "hosts.bid_probability": h.bid_probability,
        "hosts.honesty": h.honesty,
        "hosts.concentration": h.concentration,
        "tenants.session_rate": t.session_rate,
        "tenants.lease_rate": t.lease_rate,
        "tenants.honesty": t.honesty,
        "auditors.audit_rate": a.audit_rate,
        "auditors.detection": a.detection,
    }.items():
        if not 0.0 <= p <= 1.0:
            raise fail(path, f"a probability in [0, 1], got {p}")
    for low, high in (
        ("tenants.session_calls_min", "tenants.session_calls_max"),
        ("tenants.tokens_out_min", "tenants.tokens_out_max"),
        ("tenants.lease_duration_min", "tenants.lease_duration_max"),
        ("hosts.lease_price_min", "hosts.lease_price_max"),
    ):
        if _get(model, low) > _get(model, high):
            raise fail(high, f"must be >= {low}")
    if r.consensus not in CONSENSUS_MODES:
        raise fail("run.consensus", f"one of {', '.join(CONSENSUS_MODES)}")
    if h.concentration_target not in CONCENTRATION_TARGETS:
        raise fail("hosts.concentration_target", f"one of {', '.join(CONCENTRATION_TARGETS)}")
    if v.stake_dait and len(v.stake_dait) != v.count:
        raise fail("validators.stake_dait", f"lists {len(v.stake_dait)} stakes for {v.count}")
    if any(s < 1 for s in v.stake_dait):
        raise fail("validators.stake_dait", "every stake must be >= 1 DAIT")
    if v.colluding > v.count:
        raise fail("validators.colluding", f"more than the {v.count} validators")
    if v.colluding and r.consensus != "network":
        raise fail("validators.colluding", "collusion needs run.consensus: network")
    if h.job_calls > PouwParams().max_evidence_per_reveal:
        raise fail("hosts.job_calls", "above max_evidence_per_reveal")
    if h.gpu_class not in MarketParams().ordered()["gpu_class"]:
        raise fail("hosts.gpu_class", f"one of {', '.join(MarketParams().ordered()['gpu_class'])}")
    for module, fields in _module_overrides(model).items():
        _check_module_params(module, fields, fail)


def _get(model: ModelConfig, path: str) -> Any:
    section, name = path.split(".", 1)
    return getattr(getattr(model, section), name)


def _module_overrides(model: ModelConfig) -> dict[str, dict[str, ParamValue]]:
    out: dict[str, dict[str, ParamValue]] = {}
    for path, value in model.params:
        module, name = path.split(".", 1)
        out.setdefault(module, {})[name] = value
    return out


def module_params(module: str, overrides: Mapping[str, ParamValue]) -> Any:
    """The module's default params with the overrides in place."""
    return dataclasses.replace(MODULE_DEFAULTS[module], **dict(overrides))  # type: ignore[type-var]


def _check_module_params(
    module: str, fields: Mapping[str, ParamValue], fail: Callable[[str, str], ErrSweepConfig]
) -> None:
    """Run the module's own params validation on the overridden params."""
    from dait_chain.x.state_channel.params import validate as validate_channel

    params = module_params(module, fields)
    first = f"{module}.{sorted(fields)[0]}"
    try:
        if module == "state_channel":
            validate_channel(params)
        elif hasattr(params, "validate"):
            params.validate()
    except DaitError as exc:
        raise fail(first, exc.log) from None
    if module == "distribution" and params.allocation_interval_blocks < 1:
        raise fail("distribution.allocation_interval_blocks", "must be >= 1")
    if module == "staking" and params.max_validators < 1:
        raise fail("staking.max_validators", "must be >= 1")


def field_value(path: str, value: ParamValue) -> Any:
    """The dataclass field value of a canonical param value (tuples are stored as text)."""
    return _field_value(param_kind(path)[0], value)


__all__ = [
    "AGENT_SECTIONS",
    "MODULE_DEFAULTS",
    "AuditorsConfig",
    "HostsConfig",
    "ModelConfig",
    "ParamValue",
    "Point",
    "RunSettings",
    "RunTask",
    "SweepConfig",
    "TenantsConfig",
    "ValidatorsConfig",
    "apply_point",
    "canonical_json",
    "load_config",
    "model_digest",
    "parse_config",
    "rng_root_for",
    "run_id_for",
    "stream_rng",
    "tasks_of",
]
