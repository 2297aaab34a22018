"""How vector files are written and read (specs/vectors.md "File formats").

- `.json`: UTF-8 JSON, keys sorted, two-space indent, one trailing newline. Integers are
  only those exact in an IEEE-754 double (|n| <= 2^53 - 1); larger ones (uint64 amounts,
  LegacyDec raws) are decimal strings, so every JSON reader reads them exactly. No floats.
- `.hex`: the bytes in lowercase hex, one trailing newline.
- `.bin`: the raw bytes (request and response bodies, whose exact bytes are hashed).
- `.jsonl`: a tx stream, written by the harness's own writer (dait_chain.sim.stream).

Readers refuse what the writers would not produce only where it matters to a verdict
(duplicate keys, NaN, non-hex); a refused file is `ErrVectorFile` naming the file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from dait_chain.errors import DaitError
from dait_chain.vectors.errors import ErrVectorFile

MAX_JSON_INT = (1 << 53) - 1

JsonObject = dict[str, Any]


def _check_plain(value: object, path: str) -> None:
    if value is None or isinstance(value, bool | str):
        return
    if isinstance(value, int):
        if abs(value) > MAX_JSON_INT:
            raise ValueError(f"{path}: integer {value} beyond 2^53 - 1; write it as a string")
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_plain(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{path}: key {key!r} is not a string")
            _check_plain(item, f"{path}.{key}")
        return
    raise ValueError(f"{path}: {type(value).__name__} has no vector JSON form")


def json_bytes(value: object) -> bytes:
    """The file form of a JSON value: sorted keys, indent 2, trailing newline."""
    _check_plain(value, "$")
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def hex_bytes(data: bytes) -> bytes:
    """The file form of bytes: lowercase hex and a newline."""
    return data.hex().encode("ascii") + b"\n"


def _no_duplicates(pairs: list[tuple[str, Any]]) -> JsonObject:
    out: JsonObject = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def parse_json(data: bytes, name: str) -> Any:
    """A JSON file's value; invalid UTF-8 or JSON, duplicate keys and NaN are refused."""
    try:
        text = data.decode("utf-8")
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ErrVectorFile(f"{name}: {exc}") from None


def need(files: Mapping[str, bytes], name: str) -> bytes:
    """The bytes of a case file, or ErrVectorFile when the case lacks it."""
    data = files.get(name)
    if data is None:
        raise ErrVectorFile(f"{name}: missing")
    return data


def read_json(files: Mapping[str, bytes], name: str) -> Any:
    """The JSON value of a case file."""
    return parse_json(need(files, name), name)


def read_object(files: Mapping[str, bytes], name: str) -> JsonObject:
    """The JSON object of a case file."""
    value = read_json(files, name)
    if not isinstance(value, dict):
        raise ErrVectorFile(f"{name}: expected a JSON object")
    return value


def parse_hex(text: object, what: str) -> bytes:
    """Bytes from a lowercase hex string (empty allowed)."""
    if not isinstance(text, str):
        raise ErrVectorFile(f"{what}: expected a hex string")
    if text != text.lower():
        raise ErrVectorFile(f"{what}: hex must be lowercase")
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise ErrVectorFile(f"{what}: not hex") from None


def read_hex(files: Mapping[str, bytes], name: str) -> bytes:
    """The bytes of a `.hex` file (lowercase hex, one trailing newline)."""
    data = need(files, name)
    if not data.endswith(b"\n"):
        raise ErrVectorFile(f"{name}: must end with a newline")
    try:
        text = data[:-1].decode("ascii")
    except UnicodeDecodeError:
        raise ErrVectorFile(f"{name}: not ASCII") from None
    return parse_hex(text, name)


def field(obj: JsonObject, key: str, kind: type | tuple[type, ...], what: str) -> Any:
    """obj[key], which must exist and be of kind (bool is never an int here)."""
    if key not in obj:
        raise ErrVectorFile(f"{what}: missing {key!r}")
    value = obj[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds:
        raise ErrVectorFile(f"{what}.{key}: expected {kinds[0].__name__}")
    if not isinstance(value, kinds):
        raise ErrVectorFile(f"{what}.{key}: expected {kinds[0].__name__}")
    return value


def int_text(value: object, what: str) -> int:
    """An integer written as a decimal string (or a small JSON integer)."""
    if isinstance(value, bool):
        raise ErrVectorFile(f"{what}: expected an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value, 10)
        except ValueError:
            pass
    raise ErrVectorFile(f"{what}: expected a decimal integer")


def error_ref(err: DaitError) -> JsonObject:
    """How an expected error is written: its ABCI identity and, informatively, its name."""
    return {"codespace": err.codespace, "code": err.code, "name": type(err).__name__}


def error_result(err: DaitError) -> JsonObject:
    """The result object of a refused input: {"error": {codespace, code, name}}."""
    return {"error": error_ref(err)}


__all__ = [
    "MAX_JSON_INT",
    "JsonObject",
    "error_ref",
    "error_result",
    "field",
    "hex_bytes",
    "int_text",
    "json_bytes",
    "need",
    "parse_hex",
    "parse_json",
    "read_hex",
    "read_json",
    "read_object",
]
