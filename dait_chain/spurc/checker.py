"""The conformance checker: a tenant that checks a SPUR-IC host over HTTP and reports
every rule it checked and every violation (specs/spurc.md "HTTP reference").

1. GET /channel: the host's offer. The tenant's own inputs decide trust: the trusted
   roots, and the model hash the channel's model_id must have (by default the simulated
   model registry's), which the offer must repeat. The rate card is the offer's: by
   opening, the tenant agrees to it.
2. The channel is opened locally: the tenant builds turn 0 from the offer and its own
   parameters (escrow, max_calls, deadline, a nonce for the channel id) and registers it
   with POST /channel/open.
3. N calls through a durable TenantSession; the first refused response stops the run
   (seed 002 §7: any failed step is a non-recoverable fault) and is reported with its
   rule and error code. A call beyond max_calls must be refused by the host.
"""

from __future__ import annotations

import http.client
import json
import tempfile
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from dait_chain.codec.jcs import canonicalize
from dait_chain.errors import ErrorInfo
from dait_chain.spurc import errors as E
from dait_chain.spurc.attestation import QuoteCache, TrustPolicy, simulated_registry
from dait_chain.spurc.b64 import b64url_encode
from dait_chain.spurc.channel import ChannelTerms, RateCard, make_open_state
from dait_chain.spurc.errors import SpurcError
from dait_chain.spurc.headers import ContentKind, parse_decimal_uint64
from dait_chain.spurc.model import sim_model_hash
from dait_chain.spurc.payload import load_json
from dait_chain.spurc.session import TenantSession
from dait_chain.spurc.simworld import (
    account_address,
    account_privkey,
    sim_channel_id,
    sim_policy,
)
from dait_chain.spurc.values import diagnostic_json
from dait_chain.spurc.verify import RULES

MAX_RESPONSE_BYTES = 8 << 20


@dataclass(frozen=True, slots=True)
class CheckConfig:
    """What the checking tenant brings: identity, channel parameters, trust."""

    url: str
    calls: int = 5
    stream: bool = False
    user: str = "user"
    nonce: int = 0
    escrow_amount: int = 5_000_000
    max_calls: int = 1000
    deadline_ms: int | None = None  # None: one hour after the first clock reading
    trust: TrustPolicy | None = None  # None: the simulated vendor's root
    model_hash: bytes | None = None  # None: the simulated registry's hash of model_id
    store_path: Path | None = None  # None: a file in a fresh temporary directory
    timeout_s: float = 10.0


@dataclass(frozen=True, slots=True)
class Violation:
    """A rule the host broke, with the registered error the tenant reported."""

    call: int
    rule: str
    error: ErrorInfo
    log: str


@dataclass(frozen=True, slots=True)
class RuleTally:
    """How many calls passed and failed one rule of verify.RULES."""

    key: str
    section: str
    text: str
    passed: int
    failed: int


@dataclass(frozen=True, slots=True)
class CheckReport:
    """The outcome of a run: per-rule tallies, violations, the final cosigned state."""

    url: str
    channel_id: str
    calls_attempted: int
    calls_accepted: int
    rules: tuple[RuleTally, ...]
    violations: tuple[Violation, ...]
    host_refusals: tuple[Violation, ...]
    final_state: dict[str, str]
    store_path: str

    @property
    def ok(self) -> bool:
        """The host conformed: no violation (host refusals of over-limit calls are fine)."""
        return not self.violations

    def to_json(self) -> dict[str, object]:
        """The report as a JSON object (the --json output)."""

        def viol(v: Violation) -> dict[str, object]:
            return {
                "call": v.call,
                "rule": v.rule,
                "codespace": v.error.codespace,
                "code": v.error.code,
                "name": v.error.name,
                "log": v.log,
            }

        return {
            "url": self.url,
            "channel_id": self.channel_id,
            "calls_attempted": self.calls_attempted,
            "calls_accepted": self.calls_accepted,
            "ok": self.ok,
            "rules": [
                {
                    "key": r.key,
                    "section": r.section,
                    "text": r.text,
                    "passed": r.passed,
                    "failed": r.failed,
                }
                for r in self.rules
            ],
            "violations": [viol(v) for v in self.violations],
            "host_refusals": [viol(v) for v in self.host_refusals],
            "final_state": self.final_state,
            "store_path": self.store_path,
        }


class Transport(Protocol):
    """How the checker reaches the host: one request, (status, headers, body) back."""

    def request(
        self, method: str, path: str, body: bytes | None, headers: tuple[tuple[str, str], ...]
    ) -> tuple[int, tuple[tuple[str, str], ...], bytes]: ...


@dataclass
class _Http:
    """A tiny bounded HTTP/1.1 client for one loopback host."""

    url: str
    timeout_s: float
    _parts: urllib.parse.SplitResult = field(init=False)

    def __post_init__(self) -> None:
        self._parts = urllib.parse.urlsplit(self.url)
        if self._parts.scheme != "http" or not self._parts.hostname:
            raise E.ErrTransport(f"only http:// URLs are supported, got {self.url!r}")

    def request(
        self, method: str, path: str, body: bytes | None, headers: tuple[tuple[str, str], ...]
    ) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
        """(status, headers, body); a body cut mid-way is returned as received."""
        conn = http.client.HTTPConnection(
            self._parts.hostname or "", self._parts.port or 80, timeout=self.timeout_s
        )
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            for name, value in headers:
                conn.putheader(name, value)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            try:
                data = resp.read(MAX_RESPONSE_BYTES + 1)
            except http.client.IncompleteRead as exc:
                data = exc.partial  # the stream checks turn this into ErrStreamTruncated
            if len(data) > MAX_RESPONSE_BYTES:
                raise E.ErrTransport(f"response larger than {MAX_RESPONSE_BYTES} bytes")
            return resp.status, tuple(resp.getheaders()), data
        except (OSError, http.client.HTTPException) as exc:
            raise E.ErrTransport(f"{method} {path}: {exc}") from exc
        finally:
            conn.close()


def _refusal(status: int, body: bytes) -> str:
    try:
        obj = json.loads(body)
        ident = f"{obj.get('codespace')}/{obj.get('code')}"
        return f"HTTP {status}: {obj.get('name')} ({ident}): {obj.get('log')}"
    except (ValueError, AttributeError):
        return f"HTTP {status}: {body[:200]!r}"


def _parse_offer(body: bytes) -> dict[str, object]:
    """The host's offer (GET /channel): a JSON object with string host_addr and model_id."""
    try:
        offer = load_json(body)
    except ValueError as exc:
        raise E.ErrPeerRefused(f"offer is not JSON: {exc}") from exc
    if not isinstance(offer, dict) or not all(
        isinstance(offer.get(k), str) for k in ("host_addr", "model_id", "model_hash")
    ):
        raise E.ErrPeerRefused("offer lacks host_addr, model_id or model_hash")
    return dict(offer)


def _rate_card(offer: dict[str, object]) -> RateCard:
    card = offer.get("rate_card")
    if not isinstance(card, dict):
        raise E.ErrPeerRefused("offer has no rate_card")
    return RateCard(*(_card_amount(card, key) for key in _RATE_CARD_KEYS))


_RATE_CARD_KEYS = ("per_call_uDAIT", "per_token_in_uDAIT", "per_token_out_uDAIT")


def _card_amount(card: dict[str, object], key: str) -> int:
    """A rate card amount: a canonical decimal uint64 string (specs/spurc.md, the offer).

    Python's int() would also take a number (truncating 1.5 to 1), a sign, spaces or
    digit separators; the checker prices every receipt with these, so it takes only the
    one spelling the reference host writes.
    """
    text = card.get(key)
    if not isinstance(text, str):
        raise E.ErrPeerRefused(f"offer rate_card.{key} is {text!r}, not a decimal string")
    try:
        return parse_decimal_uint64(f"rate_card.{key}", text)
    except E.ErrHeaderMalformed as exc:
        raise E.ErrPeerRefused(f"offer {exc.detail}") from exc


def run_check(
    config: CheckConfig, clock_ms: Callable[[], int], transport: Transport | None = None
) -> CheckReport:
    """Open a channel with the host at `config.url` and run `config.calls` calls. The
    `transport` defaults to HTTP to `config.url`; conformance vectors (specs/vectors.md
    `spurc/checker`) pass the host's recorded responses instead."""
    http = transport if transport is not None else _Http(config.url, config.timeout_s)
    status, _, body = http.request("GET", "/channel", None, ())
    if status != 200:
        raise E.ErrPeerRefused(_refusal(status, body))
    offer = _parse_offer(body)
    model_id = str(offer["model_id"])
    host_addr = str(offer["host_addr"])
    want_model = config.model_hash if config.model_hash is not None else sim_model_hash(model_id)
    if offer.get("model_hash") != want_model.hex():
        raise E.ErrModelHashNotAgreed(
            f"offer says {offer.get('model_hash')}, want {want_model.hex()}"
        )
    terms = ChannelTerms(want_model, _rate_card(offer))
    user_addr = account_address(config.user)
    deadline = config.deadline_ms if config.deadline_ms is not None else clock_ms() + 3_600_000
    open_state = make_open_state(
        channel_id=sim_channel_id(user_addr, host_addr, config.nonce),
        host_addr=host_addr,
        user_addr=user_addr,
        model_id=model_id,
        max_calls=config.max_calls,
        deadline=deadline,
        escrow_amount=config.escrow_amount,
    )
    store_path = config.store_path or (
        Path(tempfile.mkdtemp(prefix="spurc-check-")) / "tenant.sqlite"
    )
    policy = config.trust if config.trust is not None else _default_trust()
    session = TenantSession.create(
        store_path,
        open_state=open_state,
        terms=terms,
        user_privkey=account_privkey(config.user),
        policy=policy,
        registry=simulated_registry(),
        quote_cache=QuoteCache(),
    )
    try:
        status, _, body = http.request(
            "POST",
            "/channel/open",
            canonicalize({"state": b64url_encode(open_state.encode())}),
            (("Content-Type", "application/json"),),
        )
        if status not in (200, 201):
            raise E.ErrPeerRefused(_refusal(status, body))
        return _run_calls(config, http, session, clock_ms, store_path)
    finally:
        session.close()


def _default_trust() -> TrustPolicy:
    return sim_policy()


def _run_calls(
    config: CheckConfig,
    http: Transport,
    session: TenantSession,
    clock_ms: Callable[[], int],
    store_path: Path,
) -> CheckReport:
    passed = {r.key: 0 for r in RULES}
    failed = {r.key: 0 for r in RULES}
    violations: list[Violation] = []
    refusals: list[Violation] = []
    accepted = 0
    attempted = 0
    accept = (("Accept", ContentKind.SSE.value),) if config.stream else ()
    for i in range(1, config.calls + 1):
        attempted = i
        prepared = session.prepare(
            f"conformance call {i}: say something", {"max_tokens": 8}, f"{config.nonce}-{i}"
        )
        status, headers, body = http.request(
            "POST", "/v1/infer", prepared.body, prepared.headers + accept
        )
        if status != 200:
            refusal = E.ErrPeerRefused(_refusal(status, body))
            refusals.append(Violation(i, "host", refusal.info(), refusal.log))
            break
        trace: list[str] = []
        try:
            session.accept(prepared, headers, body, now_ms=clock_ms(), trace=trace)
            accepted += 1
        except SpurcError as exc:
            rule = RULES[len(trace)].key if len(trace) < len(RULES) else "commit"
            failed[rule] = failed.get(rule, 0) + 1
            violations.append(Violation(i, rule, exc.info(), exc.log))
            break
        finally:
            for key in trace:
                passed[key] += 1
    tallies = tuple(
        RuleTally(r.key, r.section, r.text, passed[r.key], failed[r.key]) for r in RULES
    )
    return CheckReport(
        url=config.url,
        channel_id=session.state.channel_id.hex(),
        calls_attempted=attempted,
        calls_accepted=accepted,
        rules=tallies,
        violations=tuple(violations),
        host_refusals=tuple(refusals),
        final_state=diagnostic_json(session.dispute_evidence()),
        store_path=str(store_path),
    )
