"""The reference SPUR-IC host over real HTTP (specs/spurc.md "HTTP reference").

Endpoints (HTTP/1.1, loopback by default):

    GET  /channel        the host's offer: host_addr, model_id, model_hash, rate card,
                         quote type, tee_pubkey, SPUR-IC version (JCS JSON)
    POST /channel/open   {"state": base64url(turn-0 ChannelState)}: register a channel
                         opened locally (stands in for MsgOpenChannel, which both
                         parties would observe on chain); 201 new, 200 same again, 409
    POST /v1/infer       a SPUR-IC request ({"prompt","params","nonce"} with X-DAIT-*
                         headers); `Accept: text/event-stream` asks for a stream

A refused request gets a JSON error {"codespace", "code", "name", "log"} with status 400
(malformed), 404 (unknown channel), 409 (state conflict), 402 (escrow or max_calls
exhausted) or 410 (past the deadline). Streams use chunked transfer encoding, one chunk
per frame. The clock is injected (`clock_ms`), so tests run on a fixed timeline.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from dait_chain.codec.jcs import canonicalize
from dait_chain.spurc import errors as E
from dait_chain.spurc.b64 import b64url_decode
from dait_chain.spurc.channel import check_open_state
from dait_chain.spurc.errors import SpurcError
from dait_chain.spurc.headers import (
    H_CHANNEL_ID,
    SPURC_VERSION,
    ContentKind,
    parse_channel_id,
)
from dait_chain.spurc.host import HostIdentity, Reply, issue, json_reply, spurc_headers, sse_reply
from dait_chain.spurc.misbehave import Misbehave, Served, tamper
from dait_chain.spurc.model import run_sim_model
from dait_chain.spurc.payload import load_json, parse_request
from dait_chain.spurc.session import HostSession
from dait_chain.spurc.store import Durability
from dait_chain.spurc.values import Receipt
from dait_chain.spurc.verify import decode_state

MAX_REQUEST_BYTES = 1 << 20

_STATUS: dict[type[SpurcError], int] = {
    E.ErrUnknownChannel: 404,
    E.ErrStaleState: 409,
    E.ErrCosignedStateMismatch: 409,
    E.ErrStateNotCosigned: 409,
    E.ErrBadUserStateSignature: 409,
    E.ErrEscrowOverspent: 402,
    E.ErrMaxCallsExceeded: 402,
    E.ErrPastDeadline: 410,
}


def status_of(error: SpurcError) -> int:
    """The HTTP status of a refusal (400 unless listed)."""
    return _STATUS.get(type(error), 400)


def error_body(error: SpurcError) -> bytes:
    """The JSON error body: the registered identity and the log."""
    return canonicalize(
        {
            "codespace": error.codespace,
            "code": error.code,
            "name": type(error).__name__,
            "log": error.log,
        }
    )


@dataclass
class HostService:
    """The host's channels and behaviour; thread-safe (one lock per channel session)."""

    identity: HostIdentity
    store_dir: Path
    misbehave: Misbehave = Misbehave.HONEST
    clock_ms: Callable[[], int] = field(default=lambda: 0)
    durability: Durability = Durability.FULL
    _sessions: dict[bytes, HostSession] = field(default_factory=dict)
    _previous: dict[bytes, Receipt] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def offer(self) -> dict[str, object]:
        """GET /channel: what a tenant needs to open a channel with this host."""
        card = self.identity.terms.rate_card
        return {
            "spurc_version": SPURC_VERSION,
            "host_addr": self.identity.host_addr,
            "model_id": self.identity.model_id,
            "model_hash": self.identity.terms.model_hash.hex(),
            "quote_type": self.identity.quote_type.value,
            "tee_pubkey": self.identity.tee_pubkey.hex(),
            "rate_card": {
                "per_call_uDAIT": str(card.per_call_uDAIT),
                "per_token_in_uDAIT": str(card.per_token_in_uDAIT),
                "per_token_out_uDAIT": str(card.per_token_out_uDAIT),
            },
        }

    def _path(self, channel_id: bytes) -> Path:
        return self.store_dir / f"host-{channel_id.hex()}.sqlite"

    def open_channel(self, body: bytes) -> tuple[int, dict[str, object]]:
        """POST /channel/open: register a turn-0 state naming this host and model."""
        try:
            obj = load_json(body)
        except ValueError as exc:
            raise E.ErrInvalidOpenState(f"not JSON: {exc}") from exc
        if not isinstance(obj, dict) or not isinstance(obj.get("state"), str):
            raise E.ErrInvalidOpenState('body must be {"state": base64url}')
        state = decode_state(b64url_decode(str(obj["state"])))
        check_open_state(state)
        if state.model_id != self.identity.model_id:
            raise E.ErrInvalidOpenState(f"this host serves {self.identity.model_id!r}")
        with self._lock:
            session = self._sessions.get(state.channel_id)
            path = self._path(state.channel_id)
            if session is None and path.exists():
                session = HostSession.resume(
                    path, identity=self.identity, durability=self.durability
                )
                self._sessions[state.channel_id] = session
            if session is not None:
                if session.store.open_state != state:
                    raise E.ErrCosignedStateMismatch("channel exists with another open state")
                return 200, {"channel_id": state.channel_id.hex()}
            session = HostSession.create(
                path, open_state=state, identity=self.identity, durability=self.durability
            )
            self._sessions[state.channel_id] = session
        return 201, {"channel_id": state.channel_id.hex()}

    def session_for(self, headers: list[tuple[str, str]]) -> HostSession:
        """The session of the channel a request names; ErrUnknownChannel if none."""
        value = next((v for k, v in headers if k.lower() == H_CHANNEL_ID.lower()), None)
        if value is None:
            raise E.ErrHeaderMissing(H_CHANNEL_ID)
        channel_id = parse_channel_id(value.strip(" \t"))
        with self._lock:
            session = self._sessions.get(channel_id)
        if session is None:
            raise E.ErrUnknownChannel(channel_id.hex())
        return session

    def infer(self, headers: list[tuple[str, str]], body: bytes, stream: bool) -> Reply:
        """POST /v1/infer: serve one call (then misbehave, if configured to)."""
        session = self.session_for(headers)
        now = self.clock_ms()
        try:
            call = session.handle(headers, body, now_ms=now, stream=stream)
        except E.ErrMaxCallsExceeded:
            if self.misbehave is not Misbehave.IGNORE_MAX_CALLS:
                raise
            return self._serve_beyond_max_calls(session, body, now, stream)
        if self.misbehave is Misbehave.HONEST:
            self._previous[session.channel_id] = call.issued.receipt
            return call.reply
        served = Served(
            receipt=call.issued.receipt,
            state=call.issued.state,
            base=call.base,
            base_frontier=session.store.checkpoint().frontier,
            presented=call.presented,
            pieces=call.output_pieces,
            kind=call.kind,
            previous_receipt=self._previous.get(session.channel_id),
        )
        self._previous[session.channel_id] = call.issued.receipt
        return tamper(self.misbehave, self.identity, served)

    def _serve_beyond_max_calls(
        self, session: HostSession, body: bytes, now: int, stream: bool
    ) -> Reply:
        """A faulty host serving call max_calls + 1 anyway."""
        cp = session.store.checkpoint()
        request = parse_request(body)
        output = run_sim_model(self.identity.model_id, request)
        stretched = replace(cp.state, max_calls=cp.state.max_calls + 1)
        issued = issue(self.identity, stretched, cp.frontier, request, output, now_ms=now)
        state = replace(issued.state, max_calls=cp.state.max_calls)
        kind = ContentKind.SSE if stream else ContentKind.JSON
        headers = spurc_headers(self.identity, issued.receipt, state, kind)
        return sse_reply(headers, output.pieces) if stream else json_reply(headers, output.text)

    def close(self) -> None:
        """Close every session's store."""
        with self._lock:
            for session in self._sessions.values():
                session.close()
            self._sessions.clear()


def json_response(status: int, obj: object) -> Reply:
    """A JSON reply (JCS body)."""
    return Reply(status, (("Content-Type", "application/json"),), canonicalize(obj))


def error_response(error: SpurcError) -> Reply:
    """A refusal: its status and the error body."""
    headers = (("Content-Type", "application/json"), ("X-DAIT-Version", SPURC_VERSION))
    return Reply(status_of(error), headers, error_body(error))


def respond(
    service: HostService, method: str, path: str, headers: Sequence[tuple[str, str]], body: bytes
) -> Reply:
    """One request to the host without a socket: the routing of the endpoints above. The
    HTTP server reads the body (Content-Length) and frames the reply; conformance vectors
    (specs/vectors.md `spurc/http_host`) call this directly."""
    try:
        if method == "GET" and path == "/channel":
            return json_response(200, service.offer())
        if method == "POST" and path == "/channel/open":
            status, obj = service.open_channel(body)
            return json_response(status, obj)
        if method == "POST" and path == "/v1/infer":
            accept = next((v for k, v in headers if k.lower() == "accept"), "")
            return service.infer(list(headers), body, ContentKind.SSE.value in accept)
    except SpurcError as exc:
        return error_response(exc)
    return json_response(404, {"error": f"no route {path}"})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: SpurcHTTPServer

    def log_message(self, format: str, *args: object) -> None:
        return  # quiet: the checker reports; tests stay readable

    def _read_body(self) -> bytes:
        length_text = self.headers.get("Content-Length")
        if length_text is None or not length_text.isdigit():
            raise E.ErrRequestMalformed("Content-Length required")
        length = int(length_text)
        if length > MAX_REQUEST_BYTES:
            raise E.ErrRequestMalformed(f"body of {length} bytes")
        return self.rfile.read(length)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        stream = any(
            k.lower() == "content-type" and v.startswith(ContentKind.SSE.value)
            for k, v in reply.headers
        )
        for name, value in reply.headers:
            self.send_header(name, value)
        if stream:
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for frame in reply.body.split(b"\n\n"):
                if frame:
                    chunk = frame + b"\n\n"
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            if reply.cut:
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

    def do_GET(self) -> None:
        self._send(respond(self.server.service, "GET", self.path, self.headers.items(), b""))

    def do_POST(self) -> None:
        try:
            body = self._read_body()
        except SpurcError as exc:
            self._send(error_response(exc))
            return
        self._send(respond(self.server.service, "POST", self.path, self.headers.items(), body))


class SpurcHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP server carrying its HostService."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], service: HostService) -> None:
        super().__init__(address, _Handler)
        self.service = service


@dataclass
class RunningHost:
    """A host serving on a background thread; `stop()` shuts it down and joins."""

    server: SpurcHTTPServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        """The base URL, http://host:port."""
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        """Shut the server down, join its thread, close the stores."""
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
        self.server.service.close()


def start_host(service: HostService, host: str = "127.0.0.1", port: int = 0) -> RunningHost:
    """Serve `service` on (host, port) in a daemon thread; port 0 picks a free one."""
    server = SpurcHTTPServer((host, port), service)
    # A short poll interval keeps stop() quick (shutdown waits for the next poll).
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="spurc-host", daemon=True
    )
    thread.start()
    return RunningHost(server, thread)
