"""Application payloads and their hashes (seed 002 §3, §5; decisions.md SPUR-IC).

    request_hash  = sha256(JCS({"prompt": ..., "params": ..., "nonce": ...}))
    response_hash = sha256(JCS(model_output))

A request body is a JSON object with exactly the members `prompt` (string), `params`
(object) and `nonce` (string). A JSON response body must already be the JCS form of the
model output (the host's adapter canonicalizes, seed 002 §3), so response_hash is the
sha256 of the body bytes and any byte change to the body is visible. For a stream the
model output is the assembled `{"text": ...}` (sse.py).

JSON numbers may be fractional (a `temperature` parameter): they are opaque data that JCS
renders in the ECMAScript form, never arithmetic, so no float enters the protocol logic.
"""

from __future__ import annotations

import json
import json.encoder
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from dait_chain.codec.errors import CodecError, ErrJcsUnsupportedType
from dait_chain.codec.jcs import MAX_SAFE_INTEGER, canonicalize
from dait_chain.crypto.hashing import sha256
from dait_chain.spurc.errors import ErrRequestMalformed, ErrResponseMalformed

# The members of a request object (decisions.md SPUR-IC), in JCS order.
REQUEST_KEYS = ("nonce", "params", "prompt")

JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]


class _JsonSyntaxError(ValueError):
    pass


def _is_plain(value: object) -> bool:
    r"""True if `value` holds no float, no integer beyond ±(2^53 - 1) and only ASCII keys,
    and no container twice.

    For such values Python's compact, key-sorted json.dumps (ensure_ascii=False) writes
    exactly the RFC 8785 text: members sort alike (ASCII code points = UTF-16 units),
    strings escape alike (quote, backslash, \b \t \n \f \r, other controls as
    lowercase \u00xx), integers print alike. Floats (ECMAScript number format) and
    non-ASCII keys (UTF-16 order) are left to the full implementation, and so is a
    container met twice: shared (JSON allows it, but it is rare) or cyclic (no JSON form;
    `jcs` refuses it). Each container is expanded once, so the walk ends on any value,
    and a value it accepts is a tree.
    """
    stack: list[object] = [value]
    seen: set[int] = set()  # ids of the containers met (all alive: reachable from value)
    while stack:
        item = stack.pop()
        kind = type(item)
        # Most common first: payloads are objects of strings.
        if kind is str:
            continue
        if kind is dict or kind is list:
            if id(item) in seen:
                return False
            seen.add(id(item))
            if kind is dict:
                for key in item:  # type: ignore[attr-defined]
                    if type(key) is not str or not key.isascii():
                        return False
                stack.extend(item.values())  # type: ignore[attr-defined]
            else:
                stack.extend(item)  # type: ignore[arg-type]
        elif kind is int:
            if not -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:  # type: ignore[operator]
                return False
        elif kind is not bool and item is not None:
            return False
    return True


def _has_cycle(root: object) -> bool:
    """Whether some container under `root` (dict values, list items) contains itself.

    Depth first, iteratively, with the containers of the current path: a child already on
    the path closes a cycle; a container fully explored before cannot lead back to it.
    """
    on_path: set[int] = set()
    done: set[int] = set()
    frames: list[tuple[object, Iterator[object]]] = []  # a container, its unvisited children

    def enter(node: object) -> bool:
        """Push `node`; True if it is on the path already (a cycle)."""
        if type(node) is not dict and type(node) is not list:
            return False
        if id(node) in on_path:
            return True
        if id(node) not in done:
            on_path.add(id(node))
            children = node.values() if type(node) is dict else node
            frames.append((node, iter(children)))
        return False

    if enter(root):
        return True
    while frames:
        node, children = frames[-1]
        child = next(children, _END)
        if child is _END:
            frames.pop()
            on_path.discard(id(node))
            done.add(id(node))
        elif enter(child):
            return True
    return False


_END = object()


def jcs(value: object) -> bytes:
    """JCS(value) (RFC 8785): dait_chain.codec.jcs.canonicalize, with a fast path for the
    plain values payloads mostly are (see _is_plain; tests/spurc/test_payload.py checks
    the two agree). Refusals are the codec's typed errors; a cyclic value, on which the
    codec would recurse until the interpreter's limit, is ErrJcsUnsupportedType."""
    if _is_plain(value):
        encoded = _encode_plain(value)
        if encoded is not None:
            return encoded
    elif _has_cycle(value):
        raise ErrJcsUnsupportedType("$: a container contains itself (cyclic value)")
    return canonicalize(value)


def _encode_plain(value: object) -> bytes | None:
    """The JCS bytes of a value _is_plain accepts; None if a string holds a lone surrogate
    (not UTF-8), which canonicalize then refuses with the codec's error."""
    try:
        return _plain_text(value).encode("utf-8")
    except UnicodeEncodeError:
        return None


def _canonical_plain_value(text: str) -> JsonValue | object:
    """The value of `text` if `text` is exactly the JCS text of a plain value (_is_plain);
    else _NOT_CANONICAL_PLAIN (the strict path then decides, and names the error).

    Accepting needs no duplicate-name bookkeeping: the text is the re-encoding of its own
    value, which has each member name once. So whatever this accepts, the strict parser
    accepts with the same value, and its JCS is `text`.

    The parse itself refuses what is not plain in numbers (a fraction or exponent, NaN,
    Infinity, an integer beyond ±(2^53 - 1)): its hooks run only for number literals. An
    ASCII text then needs no walk of the value: a non-ASCII string or key in its value
    could only come from a backslash-u escape, which the re-encoding writes as the character
    itself, so the texts would differ.
    """
    try:
        value, end = _PLAIN_DECODER.raw_decode(text)
    except (ValueError, _NotPlain):  # ValueError: JSONDecodeError
        return _NOT_CANONICAL_PLAIN
    if end != len(text) or (not text.isascii() and not _is_plain(value)):
        return _NOT_CANONICAL_PLAIN
    if _plain_text(value) != text:
        return _NOT_CANONICAL_PLAIN
    return typing.cast(JsonValue, value)


class _NotPlain(Exception):
    """A number literal JCS may print differently from Python (raised by the parse hooks)."""


def _plain_int(literal: str) -> int:
    number = int(literal)
    if not -MAX_SAFE_INTEGER <= number <= MAX_SAFE_INTEGER:
        raise _NotPlain(literal)
    return number


def _not_plain(literal: str) -> float:
    raise _NotPlain(literal)


_NOT_CANONICAL_PLAIN = object()


def _object_without_duplicates(pairs: list[tuple[str, JsonValue]]) -> dict[str, JsonValue]:
    out = dict(pairs)
    if len(out) != len(pairs):  # a repeated name: find the first, for the message
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _JsonSyntaxError(f"duplicate member {key!r}")
            seen.add(key)
    return out


def _no_constants(name: str) -> JsonValue:
    raise _JsonSyntaxError(f"{name} is not JSON")


# Built once: json.loads / json.dumps with options construct a new codec object per call.
_STRICT_DECODER = json.JSONDecoder(
    object_pairs_hook=_object_without_duplicates, parse_constant=_no_constants
)
# Objects and strings built by the C scanner, with no Python hook; numbers go through the
# hooks that refuse what is not plain (_canonical_plain_value).
_PLAIN_DECODER = json.JSONDecoder(
    parse_int=_plain_int, parse_float=_not_plain, parse_constant=_not_plain
)
# check_circular=False saves a bookkeeping dict per call and an entry per container: the
# values it encodes passed _is_plain first, which refuses a container met twice.
_PLAIN_ENCODER = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, check_circular=False
)


def _c_plain_encoder() -> Callable[[object], str]:
    """_PLAIN_ENCODER.encode as one call of the C encoder it builds on every call (with the
    same arguments: no circularity markers, no default, compact separators, sorted keys,
    non-ASCII kept), built once. The pure-Python fallback where the C module is absent."""
    # Not in the typeshed stubs: the C accelerator json.encoder uses when present.
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return _PLAIN_ENCODER.encode
    encoder = make(
        None,
        _PLAIN_ENCODER.default,
        json.encoder.encode_basestring,
        None,
        ":",
        ",",
        True,
        False,
        True,
    )

    def encode(value: object) -> str:
        return "".join(encoder(value, 0))

    return encode


_plain_text = _c_plain_encoder()


def load_json(data: bytes) -> JsonValue:
    """Parse UTF-8 JSON strictly: no duplicate member names, no NaN/Infinity literals.

    Raises ValueError (a subclass) on any syntax problem; callers wrap it in their rule's
    error. Duplicate names are refused because two parsers may keep different values.
    """
    text = data.decode("utf-8")  # UnicodeDecodeError is a ValueError
    value: JsonValue = _STRICT_DECODER.decode(text)
    return value


def load_payload_json(data: bytes) -> JsonValue:
    """load_json for a body whose JCS is hashed (a request, a JSON response): numbers are
    read as RFC 8785 reads them, IEEE-754 doubles (specs/spurc.md "Payloads").

    An integer literal within ±(2^53 - 1) stays an int (the double is the same number,
    and JCS writes it alike); beyond, it is the double it denotes, rounded as every
    RFC 8785 reader rounds it (9007199254740993 is 2^53), so the hash is the one the
    other SDKs compute. A literal too large for a double is infinite, which JCS refuses.
    """
    text = data.decode("utf-8")  # UnicodeDecodeError is a ValueError
    value: JsonValue = _PAYLOAD_DECODER.decode(text)
    return value


def _payload_int(literal: str) -> int | float:
    # 17 characters hold every integer within ±(2^53 - 1) (a sign and 16 digits); a
    # longer literal is not parsed as an int (int() refuses over 4300 digits).
    if len(literal) <= 17:
        number = int(literal)
        if -MAX_SAFE_INTEGER <= number <= MAX_SAFE_INTEGER:
            return number
    return float(literal)


_PAYLOAD_DECODER = json.JSONDecoder(
    object_pairs_hook=_object_without_duplicates,
    parse_constant=_no_constants,
    parse_int=_payload_int,
)


@dataclass(frozen=True, slots=True)
class InferRequest:
    """One SPUR-IC inference request: the application payload of request_hash."""

    prompt: str
    params: dict[str, JsonValue]
    nonce: str

    def as_json(self) -> dict[str, JsonValue]:
        """The request object {"prompt", "params", "nonce"} (decisions.md SPUR-IC)."""
        return {"prompt": self.prompt, "params": self.params, "nonce": self.nonce}

    def encode(self) -> bytes:
        """The request body: the JCS bytes of the request object."""
        try:
            return jcs(self.as_json())
        except CodecError as exc:
            raise ErrRequestMalformed(exc.log) from exc


def _request_object(body: bytes) -> dict[str, JsonValue]:
    """The JSON object of a request body, checked to be exactly {"prompt": string,
    "params": object, "nonce": string}; ErrRequestMalformed otherwise."""
    try:
        value = load_payload_json(body)
    except ValueError as exc:
        raise ErrRequestMalformed(f"not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise ErrRequestMalformed("not a JSON object")
    if tuple(sorted(value)) != REQUEST_KEYS:
        raise ErrRequestMalformed(f"members {sorted(value)}, want {list(REQUEST_KEYS)}")
    prompt, params, nonce = value["prompt"], value["params"], value["nonce"]
    if not isinstance(prompt, str) or not isinstance(nonce, str) or not isinstance(params, dict):
        raise ErrRequestMalformed("prompt and nonce must be strings, params an object")
    return value


def parse_request(body: bytes) -> InferRequest:
    """Parse a request body into its three members; ErrRequestMalformed otherwise."""
    value = _request_object(body)
    prompt, params, nonce = value["prompt"], value["params"], value["nonce"]
    assert isinstance(prompt, str) and isinstance(params, dict) and isinstance(nonce, str)
    return InferRequest(prompt, params, nonce)


def request_hash(request: InferRequest) -> bytes:
    """sha256(JCS({"prompt", "params", "nonce"})) (seed 002 §3; decisions.md SPUR-IC)."""
    return sha256(request.encode())


def request_hash_of_body(body: bytes) -> bytes:
    """request_hash of a request body as sent (any JSON spelling of the request object).

    A tenant sends the JCS form, and then the hash is that of the body itself: the body
    is parsed without the strict parser's hooks, and accepted as is when it is the JCS
    text of a plain request object (_canonical_plain_value). Any other body takes the
    strict path, which names the error: the checked request object is canonicalized as
    parsed, the same JCS bytes as InferRequest.encode without building the InferRequest.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = ""  # not a request object: the strict path reports it
    value = _canonical_plain_value(text)
    if _is_request_object(value):
        return sha256(body)
    request_object = _request_object(body)
    # jcs(request_object), walking only params for the fast path: the rest is known plain
    # (three ASCII member names, two strings).
    if _is_plain(request_object["params"]):
        encoded = _encode_plain(request_object)
        if encoded is not None:
            return sha256(encoded)
    try:
        return sha256(canonicalize(request_object))
    except CodecError as exc:
        raise ErrRequestMalformed(exc.log) from exc


def _is_request_object(value: object) -> bool:
    """Exactly {"prompt": string, "params": object, "nonce": string} (decisions.md)."""
    return (
        type(value) is dict
        and len(value) == 3
        and type(value.get("prompt")) is str
        and type(value.get("params")) is dict
        and type(value.get("nonce")) is str
    )


def canonical_output(output: JsonValue) -> bytes:
    """JCS(model_output): the JSON response body, and the preimage of response_hash."""
    try:
        return jcs(output)
    except CodecError as exc:
        raise ErrResponseMalformed(exc.log) from exc


def response_hash(output: JsonValue) -> bytes:
    """sha256(JCS(model_output)) (seed 002 §3; decisions.md SPUR-IC)."""
    return sha256(canonical_output(output))


def check_body_is_canonical_json(body: bytes) -> JsonValue:
    """A JSON response body must be exactly JCS(model_output); return the output.

    A body that is the JCS text of a plain value is accepted on the hook-free parse
    (_canonical_plain_value); any other goes through the strict parser and the full JCS.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = ""
    value = _canonical_plain_value(text)
    if value is not _NOT_CANONICAL_PLAIN:
        return typing.cast(JsonValue, value)
    try:
        value = load_payload_json(body)
    except ValueError as exc:
        raise ErrResponseMalformed(f"not JSON: {exc}") from exc
    if canonical_output(value) != body:
        raise ErrResponseMalformed("body is not the JCS form of its value")
    return value
