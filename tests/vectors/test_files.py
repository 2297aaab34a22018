"""The file forms of specs/vectors.md "File formats": what writers produce and readers refuse."""

from __future__ import annotations

import pytest

from dait_chain.vectors.errors import ErrVectorFile
from dait_chain.vectors.files import hex_bytes, json_bytes, parse_json, read_hex


def test_json_files_are_sorted_indented_with_a_trailing_newline() -> None:
    assert json_bytes({"b": 1, "a": [True, None, "é"]}) == (
        '{\n  "a": [\n    true,\n    null,\n    "é"\n  ],\n  "b": 1\n}\n'.encode()
    )


@pytest.mark.parametrize("value", [1.5, 2**53, -(2**53), {1: "x"}, b"bytes"])
def test_json_writer_refuses_what_other_readers_would_not_read_exactly(value: object) -> None:
    with pytest.raises(ValueError):
        json_bytes({"v": value})


@pytest.mark.parametrize("text", [b'{"a": 1, "a": 2}', b'{"a": NaN}', b"\xff", b"{"])
def test_json_reader_refuses_duplicates_constants_and_bad_text(text: bytes) -> None:
    with pytest.raises(ErrVectorFile):
        parse_json(text, "f.json")


def test_hex_files_are_lowercase_with_a_newline() -> None:
    assert hex_bytes(b"\x01\xab") == b"01ab\n"
    assert read_hex({"f.hex": b"01ab\n"}, "f.hex") == b"\x01\xab"
    for bad in (b"01AB\n", b"01ab", b"0g\n"):
        with pytest.raises(ErrVectorFile):
            read_hex({"f.hex": bad}, "f.hex")
    with pytest.raises(ErrVectorFile):
        read_hex({}, "f.hex")
