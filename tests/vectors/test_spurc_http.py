"""The spurc/http_host vectors are computed in-process (`http_host.respond`, no socket);
these tests show that a real HTTP server on 127.0.0.1 answers the same requests with the
same status, body and headers (specs/vectors.md §3.4), and that the checker vectors'
recorded responses are an honest host's (specs/vectors.md §3.5)."""

from __future__ import annotations

import http.client
import json
import tempfile
from pathlib import Path
from typing import Any

from dait_chain.spurc.http_host import HostService, start_host
from dait_chain.spurc.store import Durability
from dait_chain.vectors.spurc_http_vectors import Clock, open_body, read_identity
from dait_chain.vectors.spurc_vectors import read_state


def load(path: Path) -> Any:
    return json.loads(path.read_bytes())


def over_http(
    port: int, method: str, path: str, headers: list[list[str]], body: bytes
) -> tuple[int, list[tuple[str, str]], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        if method == "POST":
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body if method == "POST" else None)
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()


def test_http_host_vectors_are_what_the_socket_host_answers(vector_set: Path) -> None:
    cases = sorted(p.parent for p in (vector_set / "spurc" / "http_host").rglob("host.json"))
    assert len(cases) >= 10
    for case in cases:
        host = load(case / "host.json")
        requests = load(case / "requests.json")
        expected = load(case / "responses.json")
        clock = Clock()
        with tempfile.TemporaryDirectory() as tmp:
            service = HostService(
                read_identity(host["identity"]),
                Path(tmp),
                clock_ms=clock,
                durability=Durability.PROCESS,
            )
            for i, state in enumerate(host["channels"]):
                service.open_channel(open_body(read_state(state, f"channels[{i}]")))
            running = start_host(service)
            try:
                port = int(running.server.server_address[1])
                for req, want in zip(requests, expected, strict=True):
                    clock.now_ms = int(req["now_ms"])
                    status, headers, body = over_http(
                        port, req["method"], req["path"], req["headers"], req["body"].encode()
                    )
                    where = f"{case.relative_to(vector_set)}"
                    assert status == want["status"], where
                    assert body.decode() == want["body"], where
                    # The server adds framing (Content-Length or chunked), Date and Server.
                    for pair in want["headers"]:
                        assert tuple(pair) in headers, (where, pair)
            finally:
                running.stop()


def test_checker_vectors_honest_runs_replay_an_honest_host(vector_set: Path) -> None:
    """The honest runs' recorded responses are accepted by the checker with every call."""
    case = vector_set / "spurc" / "checker" / "runs" / "honest_two_calls"
    result = load(case / "result.json")
    config = load(case / "check.json")["config"]
    assert result["report"]["ok"] is True
    assert result["report"]["calls_accepted"] == config["calls"]
    assert [(r["method"], r["path"]) for r in result["requests"]] == [
        ("GET", "/channel"),
        ("POST", "/channel/open"),
        ("POST", "/v1/infer"),
        ("POST", "/v1/infer"),
    ]
