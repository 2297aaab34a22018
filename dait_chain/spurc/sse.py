"""Server-sent events for streamed inference (seed 002 §1; specs/spurc.md "Streaming").

Two layers:

* `parse_events` / `render_event`: the event-stream format of the WHATWG HTML standard
  (§9.2): lines end in CRLF, LF or CR; `field: value`; a blank line dispatches the event;
  data lines join with LF; an event still pending at end of input is discarded.
* `assemble_stream` / `render_stream`: the SPUR-IC use of it. A stream is `delta` frames
  (data: a JSON string, the next piece of the output text), optional intermediate
  `dait-headers` frames, and exactly one `dait-final` frame, last, whose data is a JSON
  object of the response headers (seed 002 §1: "the final framing message MUST contain
  the headers"). Only the final frame's headers are authoritative. The assembled model
  output is `{"text": <the deltas concatenated>}`, the same value a JSON response body
  carries, so a call hashes alike streamed or not (decisions.md: "for a stream, the
  assembled output").

A SPUR-IC stream must be canonical: exactly the bytes `render_stream` produces for its
frames (LF line ends, `field: value` with one space, no comments, no ids, every data
value JCS). With one spelling per stream, any byte change is either a different frame
(caught by the hashes and signatures) or a non-canonical stream (refused here).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from dait_chain.spurc.errors import ErrStreamMalformed, ErrStreamTruncated
from dait_chain.spurc.headers import SPURC_HEADER_NAMES
from dait_chain.spurc.payload import JsonValue, jcs

EVENT_DELTA = "delta"
EVENT_HEADERS = "dait-headers"
EVENT_FINAL = "dait-final"


@dataclass(frozen=True, slots=True)
class SseEvent:
    """One dispatched event: its type and its data (data lines joined with LF)."""

    event: str
    data: str


@dataclass(frozen=True, slots=True)
class ParsedEvents:
    """The events of an event stream and whether input ended inside an undispatched event."""

    events: tuple[SseEvent, ...]
    pending: bool  # non-blank input after the last dispatch: a cut frame


def _split_lines(text: str) -> tuple[list[str], str]:
    """Split on CRLF, LF or CR; return the complete lines and the unterminated rest."""
    lines: list[str] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "\n" or c == "\r":
            lines.append(text[start:i])
            if c == "\r" and i + 1 < n and text[i + 1] == "\n":
                i += 1
            start = i + 1
        i += 1
    return lines, text[start:]


def parse_events(body: bytes) -> ParsedEvents:
    """Parse an event stream per WHATWG HTML §9.2.6 (only `event` and `data` matter here)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ErrStreamMalformed(f"not UTF-8 at byte {exc.start}") from exc
    text = text.removeprefix("\ufeff")
    lines, rest = _split_lines(text)
    events: list[SseEvent] = []
    event_type = ""
    data: list[str] = []
    pending = False
    for line in lines:
        if line == "":
            if data:
                events.append(SseEvent(event_type or "message", "\n".join(data)))
            event_type, data, pending = "", [], False
            continue
        pending = True
        if line.startswith(":"):
            continue  # a comment
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "event":
            event_type = value
        elif name == "data":
            data.append(value)
        # `id`, `retry` and unknown fields do not change the SPUR-IC meaning; the
        # canonical-form check of assemble_stream refuses them.
    return ParsedEvents(tuple(events), pending or rest != "")


def render_event(event: SseEvent) -> bytes:
    """The canonical bytes of one event: `event: T`, one `data: ` line per line, blank line."""
    out = [f"event: {event.event}\n"]
    out.extend(f"data: {line}\n" for line in event.data.split("\n"))
    out.append("\n")
    return "".join(out).encode("utf-8")


def render_stream(events: tuple[SseEvent, ...]) -> bytes:
    """The canonical bytes of a whole stream."""
    return b"".join(render_event(e) for e in events)


def _reject_constant(name: str) -> object:
    raise ErrStreamMalformed(f"JSON constant {name} not allowed")


def _load_canonical_json(data: str, what: str) -> object:
    """Parse frame data that must be JCS-canonical JSON (one spelling per value)."""
    try:
        value: object = json.loads(data, parse_constant=_reject_constant)
    except ValueError as exc:
        raise ErrStreamMalformed(f"{what} data is not JSON: {exc}") from exc
    if jcs(value) != data.encode("utf-8"):
        raise ErrStreamMalformed(f"{what} data is not canonical JSON (RFC 8785)")
    return value


def delta_event(text: str) -> SseEvent:
    """A `delta` frame carrying the next piece of output text."""
    return SseEvent(EVENT_DELTA, jcs(text).decode("utf-8"))


def headers_event(headers: tuple[tuple[str, str], ...], *, final: bool) -> SseEvent:
    """A frame carrying response headers: `dait-final` (authoritative) or `dait-headers`."""
    obj = dict(headers)
    if len(obj) != len(headers):
        raise ErrStreamMalformed("a header appears twice in a frame")
    return SseEvent(EVENT_FINAL if final else EVENT_HEADERS, jcs(obj).decode("utf-8"))


@dataclass(frozen=True, slots=True)
class AssembledStream:
    """A complete SPUR-IC stream: the assembled output and the final frame's headers."""

    text: str
    headers: tuple[tuple[str, str], ...]

    def model_output(self) -> dict[str, JsonValue]:
        """The model output the stream carries: {"text": ...} (specs/spurc.md "Streaming")."""
        return {"text": self.text}


def _headers_from(value: object, what: str) -> tuple[tuple[str, str], ...]:
    """A frame's header object: string values keyed by the seed's exact header names.

    Inside a frame the names are JSON keys, not HTTP field names, so they have one
    spelling: a differently cased or unknown name is refused rather than folded or
    ignored (either would let a changed byte pass unnoticed).
    """
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ErrStreamMalformed(f"{what} data is not an object of header strings")
    unknown = sorted(k for k in value if k not in SPURC_HEADER_NAMES)
    if unknown:
        raise ErrStreamMalformed(f"{what} names {unknown} are not SPUR-IC headers as spelled")
    return tuple((str(k), str(v)) for k, v in value.items())


def assemble_stream(body: bytes) -> AssembledStream:
    """Check a SPUR-IC event stream and assemble it (seed 002 §1).

    ErrStreamTruncated if no `dait-final` frame was dispatched (the stream was cut before
    its final frame, even mid-frame). ErrStreamMalformed for anything after the final
    frame, an unknown event type, data that is not canonical JSON of the right shape, or
    bytes that are not the canonical rendering of the frames.
    """
    parsed = parse_events(body)
    finals = [i for i, e in enumerate(parsed.events) if e.event == EVENT_FINAL]
    if not finals:
        raise ErrStreamTruncated(f"{len(parsed.events)} frames and no {EVENT_FINAL} frame")
    if finals[0] != len(parsed.events) - 1 or parsed.pending:
        raise ErrStreamMalformed(f"data after the {EVENT_FINAL} frame")
    pieces: list[str] = []
    for event in parsed.events[:-1]:
        if event.event == EVENT_DELTA:
            piece = _load_canonical_json(event.data, EVENT_DELTA)
            if not isinstance(piece, str):
                raise ErrStreamMalformed(f"{EVENT_DELTA} data is not a JSON string")
            pieces.append(piece)
        elif event.event == EVENT_HEADERS:
            # Intermediate repeats are allowed but not authoritative (seed 002 §1); they
            # must still be well-formed.
            _headers_from(_load_canonical_json(event.data, EVENT_HEADERS), EVENT_HEADERS)
        else:
            raise ErrStreamMalformed(f"unknown event type {event.event!r}")
    final = parsed.events[-1]
    headers = _headers_from(_load_canonical_json(final.data, EVENT_FINAL), EVENT_FINAL)
    if render_stream(parsed.events) != body:
        raise ErrStreamMalformed("not the canonical rendering of its frames")
    return AssembledStream("".join(pieces), headers)
