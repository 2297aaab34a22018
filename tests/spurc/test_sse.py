"""Streaming: SSE framing, the final frame, truncation (seed 002 §1; specs/spurc.md "Streaming")."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.spurc.errors import ErrStreamMalformed, ErrStreamTruncated
from dait_chain.spurc.sse import (
    SseEvent,
    assemble_stream,
    delta_event,
    headers_event,
    parse_events,
    render_stream,
)

HEADERS = (("X-DAIT-Version", "1"), ("X-DAIT-Receipt", "AQID"))


def _stream(pieces: list[str], *, repeat_headers: bool = False) -> bytes:
    events = [delta_event(p) for p in pieces]
    if repeat_headers:
        events.insert(1, headers_event((("X-DAIT-Version", "9"),), final=False))
    events.append(headers_event(HEADERS, final=True))
    return render_stream(tuple(events))


@given(st.lists(st.text(max_size=20), max_size=8))
def test_stream_assembles_to_the_concatenated_deltas(pieces: list[str]) -> None:
    """For any delta texts (newlines, CR, quotes, non-ASCII included) the assembled output is
    {"text": "".join(pieces)} and the headers are the final frame's."""
    assembled = assemble_stream(_stream(pieces))
    assert assembled.model_output() == {"text": "".join(pieces)}
    assert dict(assembled.headers) == dict(HEADERS)


def test_only_the_final_frames_headers_are_authoritative() -> None:
    assembled = assemble_stream(_stream(["a", "b"], repeat_headers=True))
    assert dict(assembled.headers)["X-DAIT-Version"] == "1"


def test_stream_without_final_frame_is_truncated() -> None:
    body = render_stream((delta_event("hello"),))
    with pytest.raises(ErrStreamTruncated):
        assemble_stream(body)


def test_empty_stream_is_truncated() -> None:
    with pytest.raises(ErrStreamTruncated):
        assemble_stream(b"")


@given(st.lists(st.text(max_size=10), min_size=1, max_size=5), st.data())
def test_every_cut_before_the_end_is_refused(pieces: list[str], data: st.DataObject) -> None:
    """For every prefix of a valid stream shorter than the stream, assembly fails: a cut
    stream is an error, never a silent success."""
    body = _stream(pieces)
    cut = data.draw(st.integers(0, len(body) - 1))
    with pytest.raises((ErrStreamTruncated, ErrStreamMalformed)):
        assemble_stream(body[:cut])


def test_cut_inside_the_final_frame_is_truncated() -> None:
    body = _stream(["x"])
    # Drop the blank line that dispatches the final frame: the frame never completes.
    with pytest.raises(ErrStreamTruncated):
        assemble_stream(body[:-1])


def test_frame_after_the_final_frame_is_refused() -> None:
    body = _stream(["x"]) + render_stream((delta_event("late"),))
    with pytest.raises(ErrStreamMalformed, match="after"):
        assemble_stream(body)


def test_bytes_after_the_final_frame_are_refused() -> None:
    with pytest.raises(ErrStreamMalformed, match="after"):
        assemble_stream(_stream(["x"]) + b"data")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"data: ", b"data:"),  # equivalent SSE, not canonical
        (b"\n\n", b"\r\n\r\n"),  # CRLF line ends
        (b"event: delta\n", b": keepalive\nevent: delta\n"),  # a comment
        (b"event: delta\n", b"id: 1\nevent: delta\n"),  # an id field
    ],
)
def test_non_canonical_spelling_is_refused(old: bytes, new: bytes) -> None:
    body = _stream(["x"]).replace(old, new, 1)
    with pytest.raises(ErrStreamMalformed, match="canonical"):
        assemble_stream(body)


def test_non_canonical_json_in_a_frame_is_refused() -> None:
    body = render_stream((SseEvent("delta", '"\\u0061"'), headers_event(HEADERS, final=True)))
    with pytest.raises(ErrStreamMalformed, match="canonical JSON"):
        assemble_stream(body)


def test_unknown_event_type_is_refused() -> None:
    body = render_stream((SseEvent("ping", '"x"'), headers_event(HEADERS, final=True)))
    with pytest.raises(ErrStreamMalformed, match="unknown event"):
        assemble_stream(body)


def test_delta_that_is_not_a_string_is_refused() -> None:
    body = render_stream((SseEvent("delta", "1"), headers_event(HEADERS, final=True)))
    with pytest.raises(ErrStreamMalformed, match="JSON string"):
        assemble_stream(body)


def test_final_frame_that_is_not_a_header_object_is_refused() -> None:
    body = render_stream((SseEvent("dait-final", '["X-DAIT-Version","1"]'),))
    with pytest.raises(ErrStreamMalformed, match="header strings"):
        assemble_stream(body)


def test_stream_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(ErrStreamMalformed, match="UTF-8"):
        assemble_stream(b"event: delta\ndata: \xff\n\n")


def test_parser_follows_the_whatwg_line_rules() -> None:
    # CR, LF and CRLF all end lines; data lines join with LF; a pending event is dropped.
    body = b"event: a\rdata: 1\r\ndata:2\n\nevent: b\ndata: 3"
    parsed = parse_events(body)
    assert parsed.events == (SseEvent("a", "1\n2"),)
    assert parsed.pending


@given(st.lists(st.text(max_size=12), max_size=5), st.data())
def test_any_single_byte_change_to_a_stream_is_refused_or_changes_its_content(
    pieces: list[str], data: st.DataObject
) -> None:
    """For any valid stream and any single-byte change, assembly either fails or yields a
    different (text, headers) pair: no two byte strings carry the same stream."""
    body = _stream(pieces)
    i = data.draw(st.integers(0, len(body) - 1))
    b = data.draw(st.integers(0, 255).filter(lambda v: v != body[i]))
    changed = body[:i] + bytes([b]) + body[i + 1 :]
    original = assemble_stream(body)
    try:
        got = assemble_stream(changed)
    except (ErrStreamMalformed, ErrStreamTruncated):
        return
    assert got != original


@pytest.mark.parametrize("name", ["x-dait-version", "X-DAIT-Versio", "Content-type", "Server"])
def test_frame_header_names_must_be_the_seeds_spelling(name: str) -> None:
    body = render_stream((delta_event("x"), headers_event(((name, "1"),), final=True)))
    with pytest.raises(ErrStreamMalformed, match="not SPUR-IC headers"):
        assemble_stream(body)
