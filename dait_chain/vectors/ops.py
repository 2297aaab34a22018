"""Operation-table handlers: `input.json` names an op and its arguments, `result.json`
holds {"result": ...} or {"error": ...} (specs/vectors.md "Operation cases").

Most pure-function areas (crypto, math, store codecs, pouw formulas) are tables of such
cases: one function call per case, arguments and results in JSON, bytes as lowercase hex,
integers beyond 2^53 as decimal strings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from dait_chain.errors import DaitError
from dait_chain.vectors.case import CaseSpec, Handler, Outcome
from dait_chain.vectors.errors import ErrVectorFile, VectorsError
from dait_chain.vectors.files import (
    JsonObject,
    error_result,
    field,
    int_text,
    json_bytes,
    parse_hex,
    read_object,
)

Op = Callable[[JsonObject], object]


@dataclass(frozen=True, slots=True)
class OpCase:
    """One call: where it goes, what it checks, and its input object (with "op")."""

    suite: str
    name: str
    description: str
    rule: str
    source: str
    input: JsonObject


def run_op(ops: Mapping[str, Op], inputs: Mapping[str, bytes]) -> Outcome:
    """Call the op input.json names; a registered error of the code is the result."""
    obj = read_object(inputs, "input.json")
    name = field(obj, "op", str, "input.json")
    op = ops.get(name)
    if op is None:
        raise ErrVectorFile(f"input.json: unknown op {name!r}")
    try:
        result: JsonObject = {"result": op(obj)}
    except VectorsError:
        raise
    except DaitError as exc:
        result = error_result(exc)
    return Outcome({"result.json": json_bytes(result)})


def op_handler(
    area: str,
    name: str,
    summary: str,
    ops: Mapping[str, Op],
    cases: Callable[[], Iterable[OpCase]],
) -> Handler:
    """A handler whose cases are op calls."""

    def generate() -> Iterator[CaseSpec]:
        for case in cases():
            if case.input.get("op") not in ops:
                raise ValueError(f"{area}/{name}: case {case.name} has unknown op")
            yield CaseSpec(
                case.suite,
                case.name,
                case.description,
                case.rule,
                case.source,
                {"input.json": json_bytes(case.input)},
            )

    return Handler(
        area,
        name,
        summary,
        generate,
        lambda inputs: run_op(ops, inputs),
        {"input.json": "{op, arguments}", "result.json": "{result} or {error}"},
    )


# ---- argument readers ----------------------------------------------------------------------


def arg_hex(obj: JsonObject, key: str) -> bytes:
    """A bytes argument written as lowercase hex."""
    return parse_hex(field(obj, key, str, "input.json"), f"input.json.{key}")


def arg_str(obj: JsonObject, key: str) -> str:
    """A string argument."""
    value: str = field(obj, key, str, "input.json")
    return value


def arg_int(obj: JsonObject, key: str) -> int:
    """An integer argument (a JSON integer or a decimal string)."""
    return int_text(field(obj, key, (int, str), "input.json"), f"input.json.{key}")


def arg_list(obj: JsonObject, key: str) -> list[object]:
    """A list argument."""
    value: list[object] = field(obj, key, list, "input.json")
    return value


def arg_hex_list(obj: JsonObject, key: str) -> list[bytes]:
    """A list of hex byte strings."""
    return [parse_hex(v, f"input.json.{key}[{i}]") for i, v in enumerate(arg_list(obj, key))]


def big(n: int) -> int | str:
    """An integer in vector JSON: as is when exact in a double, else a decimal string."""
    return n if abs(n) <= (1 << 53) - 1 else str(n)


__all__ = [
    "Op",
    "OpCase",
    "arg_hex",
    "arg_hex_list",
    "arg_int",
    "arg_list",
    "arg_str",
    "big",
    "op_handler",
    "run_op",
]
