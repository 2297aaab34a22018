"""The tx stream format (specs/harness.md "Tx streams")."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.app.abci import BlockIDFlag, CommitInfo, VoteInfo
from dait_chain.app.events import Attribute, Event
from dait_chain.sim.errors import ErrGenesisMismatch, ErrStreamFormat
from dait_chain.sim.stream import (
    BlockExpect,
    StreamBlock,
    StreamReader,
    StreamWriter,
    TxExpect,
    events_digest,
    genesis_digest,
    new_header,
    read_stream,
    write_stream,
)

GENESIS = {"chain_id": "dait-test-1", "app_state": {"bank": {"supply": "10"}}}
T0 = 1_700_000_000_000


def header(**kw: object):  # type: ignore[no-untyped-def]
    return new_header("dait-test-1", GENESIS, T0, **kw)  # type: ignore[arg-type]


def write_lines(path: Path, lines: Sequence[object]) -> Path:
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def header_json() -> dict[str, object]:
    return {
        "format": "dait-tx-stream",
        "version": 1,
        "chain_id": "dait-test-1",
        "genesis_time_ms": T0,
        "genesis_sha256": genesis_digest(GENESIS),
        "genesis": GENESIS,
    }


def test_events_digest_is_sha256_of_jcs_of_the_event_list() -> None:
    events = [Event("transfer", (Attribute("sender", "a"), Attribute("amount", "5")))]
    # Derived by hand: JCS sorts keys ("attributes" < "type", "key" < "value").
    text = (
        '[{"attributes":[{"key":"sender","value":"a"},{"key":"amount","value":"5"}],'
        '"type":"transfer"}]'
    )
    assert events_digest(events) == hashlib.sha256(text.encode()).hexdigest()


def test_genesis_digest_ignores_key_order_and_whitespace() -> None:
    a = {"b": 1, "a": {"y": "2", "x": [1, 2]}}
    b = json.loads('{ "a": {"x": [1,2], "y": "2"}, "b": 1 }')
    assert genesis_digest(a) == genesis_digest(b)


def test_written_stream_reads_back_equal(tmp_path: Path) -> None:
    commit = CommitInfo(0, (VoteInfo("dait1v", 10, BlockIDFlag.COMMIT, b"\x01", b"\x02" * 64),))
    blocks = [
        StreamBlock(
            2,
            T0 + 999,
            (b"\x0a\x00", b"tx2"),
            "dait1p",
            commit,
            BlockExpect(
                (TxExpect(0, "", "ab" * 32), TxExpect(5, "sdk")), None, "cd" * 32, "ef" * 32
            ),
        ),
        StreamBlock(10, T0 + 9 * 999 + 5),
    ]
    path = tmp_path / "s.jsonl"
    write_stream(path, header(meta={"scenario": "x"}), blocks)
    h, read = read_stream(path)
    assert h == header()
    assert h.meta == {"scenario": "x"}
    assert read == blocks


def test_each_written_line_is_canonical_json(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    write_stream(path, header(), [StreamBlock(1, T0, (b"x",))])
    for line in path.read_text().splitlines():
        obj = json.loads(line)
        assert line == json.dumps(obj, sort_keys=True, separators=(",", ":"))


@given(
    st.lists(st.tuples(st.integers(1, 5000), st.integers(-998, 5000)), max_size=8),
    st.lists(st.binary(max_size=40), max_size=3),
)
def test_any_ordered_blocks_round_trip(gaps: list[tuple[int, int]], txs: list[bytes]) -> None:
    """Invariant: every stream the writer accepts, the reader returns unchanged."""
    import io

    buf = io.StringIO()
    writer = StreamWriter(buf, header())
    height, time = 0, T0 - 999
    blocks = []
    for gap, jitter in gaps:
        height += gap
        time = time + gap * 999 + jitter
        blocks.append(StreamBlock(height, time, tuple(txs)))
        writer.write_block(blocks[-1])
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "s.jsonl"
        p.write_text(buf.getvalue())
        assert read_stream(p)[1] == blocks


def test_genesis_by_path_is_checked_against_its_sha256(tmp_path: Path) -> None:
    (tmp_path / "g.json").write_text(json.dumps(GENESIS))
    path = tmp_path / "s.jsonl"
    write_stream(path, header(genesis_path="g.json"), [])
    assert StreamReader(path).genesis() == GENESIS
    (tmp_path / "g.json").write_text(json.dumps({**GENESIS, "chain_id": "other"}))
    with pytest.raises(ErrGenesisMismatch):
        StreamReader(path).genesis()


def test_inline_genesis_with_wrong_sha256_is_refused(tmp_path: Path) -> None:
    h = header_json() | {"genesis_sha256": "00" * 32}
    with pytest.raises(ErrGenesisMismatch):
        StreamReader(write_lines(tmp_path / "s.jsonl", [h]))


@pytest.mark.parametrize(
    ("block", "line", "fragment"),
    [
        ({"height": 1, "time_ms": T0, "txs": ["!!"]}, 2, "invalid base64"),
        ({"height": 1, "time_ms": T0, "txs": ["eA"]}, 2, "invalid base64"),
        ({"height": 1, "time_ms": T0, "txs": ["eR=="]}, 2, "non-canonical base64"),
        ({"height": 1, "time_ms": T0, "txs": [], "extra": 1}, 2, "unknown field extra"),
        ({"height": 1, "txs": []}, 2, "missing time_ms"),
        ({"height": True, "time_ms": T0, "txs": []}, 2, "expected an integer"),
        ({"height": 0, "time_ms": T0, "txs": []}, 2, "outside"),
        (
            {
                "height": 1,
                "time_ms": T0,
                "txs": [],
                "expect": {"tx_results": [{"code": 0, "codespace": ""}]},
            },
            2,
            "1 results for 0 txs",
        ),
        (
            {"height": 1, "time_ms": T0, "txs": [], "expect": {"app_hash": "AB" * 32}},
            2,
            "lowercase hex",
        ),
    ],
)
def test_malformed_block_is_refused_with_its_line(
    tmp_path: Path, block: dict[str, object], line: int, fragment: str
) -> None:
    path = write_lines(tmp_path / "s.jsonl", [header_json(), block])
    with pytest.raises(ErrStreamFormat) as info:
        read_stream(path)
    assert info.value.line == line
    assert info.value.path == str(path)
    assert fragment in info.value.what


def test_heights_must_increase(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "s.jsonl",
        [
            header_json(),
            {"height": 3, "time_ms": T0 + 2 * 999, "txs": []},
            {"height": 3, "time_ms": T0 + 3 * 999, "txs": []},
        ],
    )
    with pytest.raises(ErrStreamFormat) as info:
        read_stream(path)
    assert info.value.line == 3


def test_block_time_must_be_after_the_implied_time_of_the_height_before(tmp_path: Path) -> None:
    # height 5 follows height 2 at T0+1000: height 4 is implied at T0+1000+2*999.
    implied_4 = T0 + 1000 + 2 * 999
    ok = [
        header_json(),
        {"height": 2, "time_ms": T0 + 1000, "txs": []},
        {"height": 5, "time_ms": implied_4 + 1, "txs": []},
    ]
    read_stream(write_lines(tmp_path / "ok.jsonl", ok))
    bad = [*ok[:2], {"height": 5, "time_ms": implied_4, "txs": []}]
    with pytest.raises(ErrStreamFormat) as info:
        read_stream(write_lines(tmp_path / "bad.jsonl", bad))
    assert info.value.line == 3


def test_first_block_may_not_precede_genesis_time(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "s.jsonl", [header_json(), {"height": 1, "time_ms": T0 - 999, "txs": []}]
    )
    with pytest.raises(ErrStreamFormat):
        read_stream(path)


def test_invalid_json_line_and_duplicate_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(header_json()) + "\n{nope\n")
    with pytest.raises(ErrStreamFormat) as info:
        read_stream(path)
    assert info.value.line == 2
    path.write_text(json.dumps(header_json()) + '\n{"height":1,"height":2,"time_ms":1,"txs":[]}\n')
    with pytest.raises(ErrStreamFormat, match="duplicate key"):
        read_stream(path)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"format": "other"}, "not a tx stream"),
        ({"version": 2}, "unsupported stream version"),
        ({"chain_id": ""}, "must not be empty"),
        ({"genesis_path": "g.json"}, "exactly one of genesis and genesis_path"),
    ],
)
def test_malformed_header_is_refused_on_line_one(
    tmp_path: Path, change: dict[str, object], fragment: str
) -> None:
    path = write_lines(tmp_path / "s.jsonl", [header_json() | change])
    with pytest.raises(ErrStreamFormat) as info:
        StreamReader(path)
    assert info.value.line == 1
    assert fragment in info.value.what


def test_writer_refuses_blocks_out_of_order(tmp_path: Path) -> None:
    with StreamWriter(tmp_path / "s.jsonl", header()) as w:
        w.write_block(StreamBlock(5, T0 + 4 * 999))
        with pytest.raises(ErrStreamFormat):
            w.write_block(StreamBlock(5, T0 + 5 * 999))
        with pytest.raises(ErrStreamFormat):
            w.write_block(StreamBlock(6, T0 + 4 * 999))


def test_missing_stream_file_is_a_located_error(tmp_path: Path) -> None:
    with pytest.raises(ErrStreamFormat) as info:
        StreamReader(tmp_path / "nope.jsonl")
    assert info.value.where == str(tmp_path / "nope.jsonl")


def test_txs_are_standard_padded_base64() -> None:
    blk = StreamBlock(1, T0, (b"\xff\xfe",))
    from dait_chain.sim.stream import block_to_json

    assert block_to_json(blk)["txs"] == [base64.b64encode(b"\xff\xfe").decode()]
