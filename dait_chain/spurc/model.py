"""The simulated model of the reference host: deterministic output from the prompt.

It stands in for inference so that two runs of a session produce the same receipts. The
output text is a sequence of words drawn from a fixed vocabulary by a sha256 chain over
(model_id, prompt, nonce); token counts are word counts. `sim_model_hash(model_id)` plays
the gov-curated model registry: the weights hash a model_id names.
"""

from __future__ import annotations

from dataclasses import dataclass

from dait_chain.crypto.hashing import sha256
from dait_chain.spurc.payload import InferRequest

DOMAIN_SIM_MODEL = b"DAIT-SIM-MODEL-v1\x00"
DOMAIN_SIM_OUTPUT = b"DAIT-SIM-OUTPUT-v1\x00"
DEFAULT_MAX_TOKENS = 16
MAX_TOKENS_LIMIT = 512

_VOCABULARY = (
    "attested",
    "block",
    "channel",
    "compute",
    "escrow",
    "host",
    "inference",
    "merkle",
    "model",
    "quote",
    "receipt",
    "state",
    "tenant",
    "token",
    "turn",
    "weights",
)


def sim_model_hash(model_id: str) -> bytes:
    """The weights hash of `model_id` in the simulated model registry."""
    return sha256(DOMAIN_SIM_MODEL + model_id.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class SimOutput:
    """One simulated completion: its text pieces (stream deltas) and token counts."""

    pieces: tuple[str, ...]
    tokens_in: int
    tokens_out: int

    @property
    def text(self) -> str:
        """The whole completion: the pieces concatenated."""
        return "".join(self.pieces)


def max_tokens_of(request: InferRequest) -> int:
    """params.max_tokens if it is an integer in [1, MAX_TOKENS_LIMIT], else the default."""
    value = request.params.get("max_tokens")
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_TOKENS_LIMIT:
        return value
    return DEFAULT_MAX_TOKENS


def run_sim_model(model_id: str, request: InferRequest) -> SimOutput:
    """Deterministic completion of `request`: max_tokens words, streamed one per piece."""
    seed = sha256(
        DOMAIN_SIM_OUTPUT
        + model_id.encode("utf-8")
        + b"\x00"
        + request.prompt.encode("utf-8")
        + b"\x00"
        + request.nonce.encode("utf-8")
    )
    count = max_tokens_of(request)
    pieces: list[str] = []
    block = seed
    for i in range(count):
        if i % 32 == 0 and i:
            block = sha256(block)
        word = _VOCABULARY[block[i % 32] % len(_VOCABULARY)]
        pieces.append(word if i == 0 else " " + word)
    tokens_in = max(1, len(request.prompt.split()))
    return SimOutput(tuple(pieces), tokens_in, count)
