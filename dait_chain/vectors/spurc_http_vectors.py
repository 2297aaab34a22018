"""spurc HTTP vectors: what the reference host answers, and what the conformance checker
concludes from a host's answers (specs/vectors.md §3.4; specs/spurc.md §12).

- `spurc/http_host`: `host.json` {identity, channels} is the host's state (its keys, quote
  and offer, and the turn-0 states of the channels it holds); `requests.json` is a list of
  HTTP requests {method, path, headers, body, now_ms}, run in order on that one host.
  Output `responses.json`: per request {status, headers, body} and, for a refusal,
  `error` {codespace, code, name} read from the body. A host-adapter team replays the
  requests on its adapter and compares status, SPUR-IC headers and error codes.
- `spurc/checker`: `check.json` {config, now_ms} is the checking tenant's configuration
  (`dait-sim spurc check`'s options) and clock; `responses.json` the host's responses in
  the order the checker asks (GET /channel, POST /channel/open, POST /v1/infer ...).
  Output `result.json`: {requests, report} (what the checker sent, and its report without
  the local store path) or {requests, error} (a run the checker stops with an error).

Both run in-process: the host through `http_host.respond` (no socket), the checker over a
transport that hands back the recorded responses. Bodies are UTF-8 text (the host writes
JCS JSON or an event stream; the tenant writes JCS JSON).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dait_chain.codec.jcs import canonicalize
from dait_chain.spurc.attestation import simulated_registry
from dait_chain.spurc.b64 import b64url_encode
from dait_chain.spurc.channel import ChannelTerms, RateCard
from dait_chain.spurc.checker import CheckConfig, run_check
from dait_chain.spurc.errors import SpurcError
from dait_chain.spurc.headers import ContentKind, QuoteType
from dait_chain.spurc.host import HostIdentity, Reply
from dait_chain.spurc.http_host import HostService, respond
from dait_chain.spurc.model import sim_model_hash
from dait_chain.spurc.session import TenantSession
from dait_chain.spurc.signing import Signer
from dait_chain.spurc.simworld import account_privkey, sim_host_identity, sim_open_state, sim_policy
from dait_chain.spurc.store import Durability
from dait_chain.spurc.values import ChannelState
from dait_chain.vectors.case import CaseSpec, Handler, Outcome
from dait_chain.vectors.errors import ErrVectorFile
from dait_chain.vectors.files import (
    JsonObject,
    error_result,
    int_text,
    json_bytes,
    parse_hex,
    parse_json,
    read_json,
    read_object,
)
from dait_chain.vectors.files import field as need_field
from dait_chain.vectors.spurc_vectors import read_state, state_json

SPEC = "specs/spurc.md"
HOST = "host.json"
REQUESTS = "requests.json"
RESPONSES = "responses.json"
CHECK = "check.json"
RESULT = "result.json"
T0 = 1_800_000_000_000
DEADLINE = T0 + 3_600_000
COSIGN_RULE = (
    "The host's check of the state a request carries: byte for byte its latest cosigned "
    "state: RETRY ... serves call_seq n again; an older turn: ErrStaleState (specs/spurc.md "
    "§10)"
)
HTTP_RULE = (
    "A refused request gets {codespace, code, name, log} with status 400 (malformed), 402 "
    "(escrow or max_calls exhausted), 404 (unknown channel), 409 (state conflict) or 410 "
    "(past the deadline) (specs/spurc.md §12)"
)


# ---- files ----------------------------------------------------------------------------------


def identity_json(identity: HostIdentity) -> JsonObject:
    """Everything a host needs to answer: its two keys, its quote and its offer."""
    card = identity.terms.rate_card
    return {
        "account_privkey": identity.account_privkey.hex(),
        "tee_privkey": identity.tee_privkey.hex(),
        "quote": identity.quote.hex(),
        "quote_type": identity.quote_type.value,
        "model_id": identity.model_id,
        "model_hash": identity.terms.model_hash.hex(),
        "rate_card": {
            "per_call_uDAIT": str(card.per_call_uDAIT),
            "per_token_in_uDAIT": str(card.per_token_in_uDAIT),
            "per_token_out_uDAIT": str(card.per_token_out_uDAIT),
        },
    }


def read_identity(obj: JsonObject) -> HostIdentity:
    what = f"{HOST}.identity"
    card = need_field(obj, "rate_card", dict, what)
    quote_type = need_field(obj, "quote_type", str, what)
    if quote_type not in {t.value for t in QuoteType}:
        raise ErrVectorFile(f"{what}.quote_type {quote_type!r} is not a SPUR-IC quote type")
    return HostIdentity(
        account=Signer.of(parse_hex(need_field(obj, "account_privkey", str, what), "key")),
        tee=Signer.of(parse_hex(need_field(obj, "tee_privkey", str, what), "key")),
        quote=parse_hex(need_field(obj, "quote", str, what), "quote"),
        quote_type=QuoteType(quote_type),
        model_id=need_field(obj, "model_id", str, what),
        terms=ChannelTerms(
            parse_hex(need_field(obj, "model_hash", str, what), "model_hash"),
            RateCard(
                *(
                    int_text(need_field(card, k, str, f"{what}.rate_card"), k)
                    for k in ("per_call_uDAIT", "per_token_in_uDAIT", "per_token_out_uDAIT")
                )
            ),
        ),
    )


def read_headers(value: object, what: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in value
    ):
        raise ErrVectorFile(f"{what}: expected [[name, value], ...]")
    return tuple((p[0], p[1]) for p in value)


def read_list(files: Mapping[str, bytes], name: str) -> list[JsonObject]:
    items = read_json(files, name)
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ErrVectorFile(f"{name}: expected a list of objects")
    return items


def body_text(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ErrVectorFile(f"{what}: body is not UTF-8") from exc


def refusal_of(status: int, body: bytes) -> JsonObject | None:
    """The registered error a refusal's body names ({codespace, code, name}), if any."""
    if status < 400:
        return None
    try:
        obj = parse_json(body, "body")
    except ErrVectorFile:
        return None
    if not isinstance(obj, dict) or not {"codespace", "code", "name"} <= set(obj):
        return None
    return {"codespace": obj["codespace"], "code": obj["code"], "name": obj["name"]}


def response_json(status: int, headers: Sequence[tuple[str, str]], body: bytes) -> JsonObject:
    out: JsonObject = {
        "status": status,
        "headers": [[k, v] for k, v in headers],
        "body": body_text(body, "response"),
    }
    error = refusal_of(status, body)
    if error is not None:
        out["error"] = error
    return out


def request_json(
    method: str,
    path: str,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    now_ms: int | None = None,
) -> JsonObject:
    out: JsonObject = {
        "method": method,
        "path": path,
        "headers": [[k, v] for k, v in headers],
        "body": body_text(body, "request"),
    }
    if now_ms is not None:
        out["now_ms"] = str(now_ms)
    return out


# ---- spurc/http_host ---------------------------------------------------------------------------


@dataclass
class Clock:
    """The injected clock: each request sets it (specs/spurc.md §12)."""

    now_ms: int = 0

    def __call__(self) -> int:
        return self.now_ms


def open_body(state: ChannelState) -> bytes:
    """POST /channel/open's body for a turn-0 state."""
    return canonicalize({"state": b64url_encode(state.encode())})


def run_http_host(inputs: Mapping[str, bytes]) -> Outcome:
    """The host of host.json answers requests.json in order."""
    host = read_object(inputs, HOST)
    identity = read_identity(need_field(host, "identity", dict, HOST))
    channels = [
        read_state(c, f"{HOST}.channels[{i}]")
        for i, c in enumerate(need_field(host, "channels", list, HOST))
    ]
    clock = Clock()
    responses: list[JsonObject] = []
    with tempfile.TemporaryDirectory(prefix="dait-vectors-") as tmp:
        # The stores are local files; PROCESS durability skips fsync, which changes no answer.
        service = HostService(identity, Path(tmp), clock_ms=clock, durability=Durability.PROCESS)
        try:
            for i, state in enumerate(channels):
                try:
                    service.open_channel(open_body(state))
                except SpurcError as exc:
                    raise ErrVectorFile(f"{HOST}.channels[{i}]: {exc.log}") from exc
            for i, req in enumerate(read_list(inputs, REQUESTS)):
                what = f"{REQUESTS}[{i}]"
                clock.now_ms = int_text(need_field(req, "now_ms", str, what), "now_ms")
                reply = respond(
                    service,
                    need_field(req, "method", str, what),
                    need_field(req, "path", str, what),
                    read_headers(req.get("headers"), f"{what}.headers"),
                    need_field(req, "body", str, what).encode("utf-8"),
                )
                responses.append(response_json(reply.status, reply.headers, reply.body))
        finally:
            service.close()
    return Outcome({RESPONSES: json_bytes(responses)})


class HostScript:
    """Writes an http_host case: a host holding channels, and a tenant whose requests the
    generator builds from the host's earlier answers (cosigned states)."""

    def __init__(self, channels: Sequence[ChannelState] = (), **identity_kwargs: Any) -> None:
        self.identity = sim_host_identity("host", **identity_kwargs)
        self.channels = tuple(channels)
        self.requests: list[JsonObject] = []
        self._tmp = tempfile.TemporaryDirectory(prefix="dait-vectors-")
        self.clock = Clock(T0)
        self.service = HostService(
            self.identity, Path(self._tmp.name), clock_ms=self.clock, durability=Durability.PROCESS
        )
        for state in self.channels:
            self.service.open_channel(open_body(state))
        self._tenants: dict[bytes, TenantSession] = {}

    def send(
        self, method: str, path: str, headers: Sequence[tuple[str, str]], body: bytes
    ) -> Reply:
        """Record a request and run it on the generator's own host."""
        self.requests.append(request_json(method, path, headers, body, self.clock.now_ms))
        return respond(self.service, method, path, headers, body)

    def tenant(self, state: ChannelState) -> TenantSession:
        """The user's session on a channel (one per channel)."""
        if state.channel_id not in self._tenants:
            self._tenants[state.channel_id] = TenantSession.create(
                Path(self._tmp.name) / f"tenant-{state.channel_id.hex()}.sqlite",
                open_state=state,
                terms=self.identity.terms,
                user_privkey=account_privkey("user"),
                policy=sim_policy(),
                registry=simulated_registry(),
                durability=Durability.PROCESS,
            )
        return self._tenants[state.channel_id]

    def call(
        self, state: ChannelState, i: int, *, stream: bool = False, accept: bool = True
    ) -> Reply:
        """The tenant's call i on the channel; an answer it accepts advances its state."""
        tenant = self.tenant(state)
        prepared = tenant.prepare(f"http vector call {i}", {"max_tokens": 5}, f"n-{i}")
        headers = prepared.headers + ((("Accept", ContentKind.SSE.value),) if stream else ())
        reply = self.send("POST", "/v1/infer", headers, prepared.body)
        if accept and reply.status == 200:
            tenant.accept(prepared, reply.headers, reply.body, now_ms=self.clock.now_ms)
        return reply

    def case(self, suite: str, name: str, description: str, rule: str, source: str) -> CaseSpec:
        for tenant in self._tenants.values():
            tenant.close()
        self.service.close()
        self._tmp.cleanup()
        host = {
            "identity": identity_json(self.identity),
            "channels": [state_json(s) for s in self.channels],
        }
        return CaseSpec(
            suite,
            name,
            description,
            rule,
            source,
            {HOST: json_bytes(host), REQUESTS: json_bytes(self.requests)},
        )


def channel(**kwargs: Any) -> ChannelState:
    """Turn 0 of a channel between the simulated user and host."""
    return sim_open_state(sim_host_identity("host"), **{"deadline": DEADLINE, **kwargs})


def http_host_cases() -> Iterator[CaseSpec]:
    source = f'{SPEC} "The HTTP reference"'
    open_rule = (
        'POST /channel/open {"state": base64url(turn-0 ChannelState)}: 201 registered, 200 '
        "the same again, 409 another open state for that id (specs/spurc.md §12)"
    )

    h = HostScript()
    h.send("GET", "/channel", (), b"")
    yield h.case("offer", "get_channel", "the host's offer", "GET /channel: the offer", source)

    ch = channel()
    h = HostScript()
    h.send("POST", "/channel/open", (("Content-Type", "application/json"),), open_body(ch))
    h.send("POST", "/channel/open", (("Content-Type", "application/json"),), open_body(ch))
    h.send(
        "POST",
        "/channel/open",
        (("Content-Type", "application/json"),),
        open_body(channel(escrow_amount=7_000_000)),
    )
    yield h.case(
        "open",
        "new_again_other",
        "a channel registered (201), the same state again (200), another open state for "
        "the same id (409, ErrCosignedStateMismatch)",
        open_rule,
        source,
    )
    for name, what, body in (
        ("not_json", "a body that is not JSON", b"state=1"),
        ("no_state", "a JSON body without state", b'{"channel": "x"}'),
        (
            "other_model",
            "a turn-0 state for a model this host does not serve",
            open_body(
                sim_open_state(sim_host_identity("host", model_id="llama-3-8b"), deadline=DEADLINE)
            ),
        ),
    ):
        h = HostScript()
        h.send("POST", "/channel/open", (("Content-Type", "application/json"),), body)
        yield h.case("open", name, what + " (400, ErrInvalidOpenState)", open_rule, source)

    h = HostScript([ch])
    h.call(ch, 1)
    h.clock.now_ms += 1_000
    h.call(ch, 2, stream=True)
    yield h.case(
        "infer",
        "honest_json_then_stream",
        "two calls on a held channel: a JSON answer, then an event stream",
        "POST /v1/infer: a SPUR-IC request; Accept: text/event-stream asks for a stream",
        source,
    )

    h = HostScript([ch])
    h.call(channel(nonce=9), 1)
    yield h.case(
        "infer",
        "unknown_channel",
        "a request for a channel this host does not hold (404, ErrUnknownChannel)",
        HTTP_RULE,
        source,
    )

    h = HostScript([ch])
    prepared = h.tenant(ch).prepare("no channel id", {}, "n-1")
    h.send(
        "POST",
        "/v1/infer",
        tuple((k, v) for k, v in prepared.headers if k != "X-DAIT-Channel-Id"),
        prepared.body,
    )
    yield h.case(
        "infer",
        "no_channel_header",
        "a request without X-DAIT-Channel-Id (400, ErrHeaderMissing)",
        HTTP_RULE,
        source,
    )

    h = HostScript([ch])
    prepared = h.tenant(ch).prepare("x", {}, "n-1")
    h.send("POST", "/v1/infer", prepared.headers, b'{"prompt": "x"}')
    yield h.case(
        "infer",
        "request_malformed",
        "a body that is not {prompt, params, nonce} (400, ErrRequestMalformed)",
        HTTP_RULE,
        source,
    )

    h = HostScript([ch])
    h.clock.now_ms = DEADLINE
    h.call(ch, 1)
    yield h.case(
        "infer",
        "past_deadline",
        "a call at the channel's deadline (410, ErrPastDeadline)",
        HTTP_RULE,
        source,
    )

    small = channel(escrow_amount=1)
    h = HostScript([small])
    h.call(small, 1)
    yield h.case(
        "infer",
        "escrow_exhausted",
        "a call priced above an escrow of 1 uDAIT (402, ErrEscrowOverspent)",
        HTTP_RULE,
        source,
    )

    one = channel(max_calls=1)
    h = HostScript([one])
    h.call(one, 1)
    h.call(one, 2)
    yield h.case(
        "infer",
        "max_calls_exhausted",
        "call 2 on a channel of max_calls 1 (402, ErrMaxCallsExceeded)",
        HTTP_RULE,
        source,
    )

    h = HostScript([ch])
    h.call(ch, 1, accept=False)
    h.call(ch, 1, accept=False)
    yield h.case(
        "infer",
        "retry_same_state",
        "the same request again with state 0 (the tenant lost the answer): served again",
        COSIGN_RULE,
        source,
    )

    h = HostScript([ch])
    tenant = h.tenant(ch)
    h.call(ch, 1)
    stale = tenant.prepare("stale", {}, "n-stale")  # carries cosigned state 1
    h.call(ch, 2)  # presents state 1: the host issues state 2
    h.call(ch, 3)  # presents cosigned state 2: the host's latest cosigned
    h.send("POST", "/v1/infer", stale.headers, stale.body)
    yield h.case(
        "infer",
        "stale_state",
        "after the host recorded cosigned state 2, a request carrying state 1 (409, ErrStaleState)",
        COSIGN_RULE,
        source,
    )

    h = HostScript()
    h.send("GET", "/v2/models", (), b"")
    yield h.case(
        "route",
        "unknown_path",
        "a path the host does not serve (404, no SPUR-IC error)",
        "endpoints: GET /channel, POST /channel/open, POST /v1/infer (specs/spurc.md §12)",
        source,
    )


# ---- spurc/checker -------------------------------------------------------------------------


@dataclass
class Recorded:
    """A transport that forwards to an in-process host and records both directions."""

    service: HostService
    requests: list[JsonObject] = field(default_factory=list)
    responses: list[JsonObject] = field(default_factory=list)

    def request(
        self, method: str, path: str, body: bytes | None, headers: tuple[tuple[str, str], ...]
    ) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
        self.requests.append(request_json(method, path, headers, body or b""))
        reply = respond(self.service, method, path, headers, body or b"")
        self.responses.append(
            {
                "status": reply.status,
                "headers": [[k, v] for k, v in reply.headers],
                "body": body_text(reply.body, "response"),
            }
        )
        return reply.status, reply.headers, reply.body


@dataclass
class Scripted:
    """A transport answering the checker's n-th request with the n-th recorded response."""

    responses: list[JsonObject]
    requests: list[JsonObject] = field(default_factory=list)

    def request(
        self, method: str, path: str, body: bytes | None, headers: tuple[tuple[str, str], ...]
    ) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
        n = len(self.requests)
        self.requests.append(request_json(method, path, headers, body or b""))
        if n >= len(self.responses):
            raise ErrVectorFile(f"{RESPONSES}: the checker sent request {n + 1} ({method} {path})")
        what = f"{RESPONSES}[{n}]"
        resp = self.responses[n]
        status = need_field(resp, "status", int, what)
        headers_out = read_headers(resp.get("headers"), f"{what}.headers")
        return status, headers_out, need_field(resp, "body", str, what).encode("utf-8")


def config_json(config: CheckConfig) -> JsonObject:
    return {
        "url": config.url,
        "calls": config.calls,
        "stream": config.stream,
        "user": config.user,
        "nonce": config.nonce,
        "escrow_amount": str(config.escrow_amount),
        "max_calls": str(config.max_calls),
        "deadline_ms": None if config.deadline_ms is None else str(config.deadline_ms),
        "model_hash": None if config.model_hash is None else config.model_hash.hex(),
    }


def read_config(obj: JsonObject) -> CheckConfig:
    what = f"{CHECK}.config"
    deadline = obj.get("deadline_ms")
    model_hash = obj.get("model_hash")
    return CheckConfig(
        url=need_field(obj, "url", str, what),
        calls=need_field(obj, "calls", int, what),
        stream=need_field(obj, "stream", bool, what),
        user=need_field(obj, "user", str, what),
        nonce=need_field(obj, "nonce", int, what),
        escrow_amount=int_text(need_field(obj, "escrow_amount", str, what), "escrow_amount"),
        max_calls=int_text(need_field(obj, "max_calls", str, what), "max_calls"),
        deadline_ms=None if deadline is None else int_text(deadline, "deadline_ms"),
        model_hash=None if model_hash is None else parse_hex(model_hash, "model_hash"),
    )


def run_checker(inputs: Mapping[str, bytes]) -> Outcome:
    """The checker of check.json run against the responses of responses.json."""
    check = read_object(inputs, CHECK)
    config = read_config(need_field(check, "config", dict, CHECK))
    now = int_text(need_field(check, "now_ms", str, CHECK), "now_ms")
    transport = Scripted(read_list(inputs, RESPONSES))
    with tempfile.TemporaryDirectory(prefix="dait-vectors-") as tmp:
        config = replace(config, store_path=Path(tmp) / "tenant.sqlite")
        try:
            report = run_check(config, lambda: now, transport).to_json()
            del report["store_path"]  # a local file, not part of the verdict
            result: JsonObject = {"requests": transport.requests, "report": report}
        except SpurcError as exc:
            result = {"requests": transport.requests, **error_result(exc)}
    return Outcome({RESULT: json_bytes(result)})


def record_check(config: CheckConfig, *, held: Sequence[ChannelState] = ()) -> list[JsonObject]:
    """The responses an honest in-process host gives the checker run with `config` (the
    host already holding `held`)."""
    with tempfile.TemporaryDirectory(prefix="dait-vectors-") as tmp:
        service = HostService(
            sim_host_identity("host"),
            Path(tmp),
            clock_ms=lambda: T0,
            durability=Durability.PROCESS,
        )
        for state in held:
            service.open_channel(open_body(state))
        recorded = Recorded(service)
        try:
            run_check(replace(config, store_path=Path(tmp) / "tenant.sqlite"), lambda: T0, recorded)
        except SpurcError:
            pass  # the refusal is the case's verdict; the responses up to it are recorded
        finally:
            service.close()
    return recorded.responses


def check_case(
    name: str,
    description: str,
    rule: str,
    config: CheckConfig,
    responses: list[JsonObject],
) -> CaseSpec:
    return CaseSpec(
        "runs",
        name,
        description,
        rule,
        f'{SPEC} "The HTTP reference"',
        {
            CHECK: json_bytes({"config": config_json(config), "now_ms": str(T0)}),
            RESPONSES: json_bytes(responses),
        },
    )


def edit_offer(
    responses: list[JsonObject], edit: Callable[[JsonObject], object]
) -> list[JsonObject]:
    """The responses with the offer (response 0) rewritten as JCS JSON by `edit`."""
    offer = parse_json(str(responses[0]["body"]).encode(), "offer")
    changed = edit(offer)
    return [{**responses[0], "body": canonicalize(changed).decode()}, *responses[1:]]


def checker_cases() -> Iterator[CaseSpec]:
    refused = (
        "the host answered an offer/open/infer with an error status: ErrPeerRefused "
        "(specs/spurc.md §12, §13)"
    )
    offer_rule = (
        "The checker takes host_addr, model_id and the rate card from the offer ... the agreed "
        "model hash is its own, which the offer must repeat (specs/spurc.md §12)"
    )
    base = CheckConfig(url="http://127.0.0.1:8080", calls=2, deadline_ms=DEADLINE)

    yield check_case(
        "honest_two_calls",
        "an honest host: offer, open, two JSON calls; the report passes every rule",
        "Report. For each rule of section 7, how many calls passed it and failed it",
        base,
        record_check(base),
    )
    streamed = replace(base, stream=True, nonce=1)
    yield check_case(
        "honest_stream",
        "an honest host answering with event streams",
        "Report. For each rule of section 7, how many calls passed it and failed it",
        streamed,
        record_check(streamed),
    )
    honest = record_check(replace(base, calls=1))
    tampered_body = canonicalize({"text": "a different answer"}).decode()
    yield check_case(
        "tampered_body",
        "the infer answer's body replaced after signing: a violation (ErrResponseHashMismatch)",
        "Recompute response_hash ...; reject on mismatch (seed 002 §7)",
        replace(base, calls=1),
        [*honest[:2], {**honest[2], "body": tampered_body}],
    )
    yield check_case(
        "offer_refused",
        "GET /channel answered 503",
        refused,
        base,
        [{"status": 503, "headers": [["Content-Type", "text/plain"]], "body": "busy"}],
    )
    yield check_case(
        "offer_not_json",
        "an offer that is not JSON (ErrPeerRefused)",
        offer_rule,
        base,
        [{"status": 200, "headers": [["Content-Type", "text/html"]], "body": "<html></html>"}],
    )
    yield check_case(
        "offer_without_model_hash",
        "an offer lacking model_hash (ErrPeerRefused)",
        offer_rule,
        base,
        edit_offer(honest, lambda o: {k: v for k, v in o.items() if k != "model_hash"}),
    )
    yield check_case(
        "offer_rate_card_not_integers",
        'an offer whose per_call_uDAIT is "ten" (ErrPeerRefused)',
        offer_rule,
        base,
        edit_offer(
            honest, lambda o: {**o, "rate_card": {**o["rate_card"], "per_call_uDAIT": "ten"}}
        ),
    )
    other_model = replace(base, model_hash=sim_model_hash("llama-3-8b"))
    yield check_case(
        "offer_model_not_agreed",
        "the checker expects another model's hash than the offer's (ErrModelHashNotAgreed)",
        offer_rule,
        other_model,
        record_check(other_model),
    )
    # The host already holds this channel id with another open state: 409.
    held = sim_open_state(
        sim_host_identity("host"), deadline=DEADLINE, escrow_amount=base.escrow_amount + 1
    )
    yield check_case(
        "open_refused",
        "POST /channel/open answered 409: the host holds the id with another open state",
        refused,
        base,
        record_check(base, held=[held]),
    )
    broke = replace(base, escrow_amount=1)
    yield check_case(
        "infer_refused",
        "an escrow of 1 uDAIT: the host refuses call 1 with 402; a host refusal, not a violation",
        refused,
        broke,
        record_check(broke),
    )


HANDLERS = (
    Handler(
        "spurc",
        "http_host",
        "the reference host's HTTP answers (status, headers, body, error code)",
        http_host_cases,
        run_http_host,
        {
            HOST: "{identity: {account_privkey, tee_privkey, quote, quote_type, model_id, "
            "model_hash, rate_card}, channels: [turn-0 state]}",
            REQUESTS: "[{method, path, headers, body, now_ms}]",
            RESPONSES: "[{status, headers, body, error?}]",
        },
    ),
    Handler(
        "spurc",
        "checker",
        "the conformance checker's verdict on a host's HTTP answers",
        checker_cases,
        run_checker,
        {
            CHECK: "{config: {url, calls, stream, user, nonce, escrow_amount, max_calls, "
            "deadline_ms, model_hash}, now_ms}",
            RESPONSES: "[{status, headers, body}] the host's answers in order",
            RESULT: "{requests, report} or {requests, error}",
        },
    ),
)
