"""Diagnostic-canonical JSON: RFC 8785 (JCS) (specs/codec.md §4).

Seed 002 §5: "Diagnostic-canonical: JCS (RFC 8785) JSON. Used for logs and signed payload
hashing of the application-level request / response." decisions.md (SPUR-IC):
`request_hash = sha256(JCS({"prompt": ..., "params": ..., "nonce": ...}))`,
`response_hash = sha256(JCS(model_output))`.

The serializer is the `rfc8785` package (UTF-16 code-unit key order, ECMAScript number
format). Before handing a value over we check it against what JCS can carry, so every
refusal is a typed CodecError naming the offending path, rather than whichever exception
the package would raise (it raises a bare UnicodeEncodeError for a lone surrogate in a
key, for instance).
"""

from __future__ import annotations

import math

import rfc8785

from dait_chain.codec.errors import (
    ErrJcsIntegerRange,
    ErrJcsKeyNotString,
    ErrJcsLoneSurrogate,
    ErrJcsNonFinite,
    ErrJcsUnsupportedType,
)

# RFC 8785 §3.2.2.3 / I-JSON (RFC 7493 §2.2): integers are exact only within ±(2^53 - 1).
MAX_SAFE_INTEGER = (1 << 53) - 1


def canonicalize(value: object) -> bytes:
    """The RFC 8785 canonical UTF-8 JSON bytes of `value`.

    `value` is built from None, bool, int (|n| <= 2^53 - 1), float (finite), str (no lone
    surrogates), list/tuple and dict with str keys. Anything else raises a CodecError.
    """
    check_jcs_value(value, "$")
    try:
        out: bytes = rfc8785.dumps(value)  # type: ignore[arg-type]  # checked above
    except rfc8785.CanonicalizationError as exc:
        # check_jcs_value refuses everything the package refuses; this is a backstop so a
        # future package version can never leak an untyped error.
        raise ErrJcsUnsupportedType(f"$: {exc}") from None
    return out


def check_jcs_value(value: object, path: str) -> None:
    """Raise the CodecError for the first part of `value` (depth first) JCS cannot carry."""
    # bool before int: bool is a subclass of int.
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int):
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise ErrJcsIntegerRange(f"{path}: {value}")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ErrJcsNonFinite(f"{path}: {value!r}")
        return
    if isinstance(value, str):
        check_jcs_string(value, path)
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_jcs_value(item, f"{path}[{index}]")
        return
    if isinstance(value, dict):
        keys = list(value)
        for key in keys:
            if not isinstance(key, str):
                raise ErrJcsKeyNotString(f"{path}: key {key!r} of type {type(key).__name__}")
            check_jcs_string(key, f"{path} key {key!r}")
        # Values are checked in JCS member order, so the error named is that of the member
        # that comes first in the canonical output.
        for key in sorted(keys, key=_utf16_order):
            check_jcs_value(value[key], f"{path}.{key}")
        return
    raise ErrJcsUnsupportedType(f"{path}: {type(value).__name__}")


def check_jcs_string(text: str, path: str) -> None:
    """A JSON string must be well-formed Unicode: no lone (unpaired) surrogate code points."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ErrJcsLoneSurrogate(f"{path}: U+{ord(text[exc.start]):04X} at {exc.start}") from None


def _utf16_order(key: str) -> bytes:
    """RFC 8785 §3.2.3: members sort by their names' UTF-16 code units."""
    return key.encode("utf-16-be")
