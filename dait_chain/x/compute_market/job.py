"""The rules a job and its escrow obey, shared by the SDL parser and MsgCreateDeployment
(specs/compute_market.md §3.2, §5.1).

The same checks run in `dait-sim` on a YAML file and on chain on a signed message, so a
file `dait-sim` accepts is a deployment the chain accepts (with the same params).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from dait_chain.math.ints import UINT64_MAX
from dait_chain.x.compute_market.attributes import validate_filter_attributes
from dait_chain.x.compute_market.errors import (
    ErrAmountOverflow,
    ErrEscrowBelowMaxCost,
    ErrInvalidAmount,
    ErrInvalidModel,
)
from dait_chain.x.compute_market.types import JobSpec

MAX_MODEL_LEN = 128
# Model ids such as `qwen2.5-32b-instruct` or `meta-llama/Llama-3.1-70B@v2`.
_MODEL_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]*")


def validate_model(where: str, model: str) -> None:
    """1..128 characters of [A-Za-z0-9._:/@+-], starting with a letter or digit (§3.2)."""
    if len(model) > MAX_MODEL_LEN or _MODEL_RE.fullmatch(model) is None:
        raise ErrInvalidModel(
            f"{where}: {model!r} is not 1..{MAX_MODEL_LEN} characters of [A-Za-z0-9._:/@+-] "
            "starting with a letter or digit"
        )


def validate_positive_uint64(where: str, value: int) -> None:
    """An amount or count that must be in 1..2^64-1 (§3.2)."""
    if value <= 0:
        raise ErrInvalidAmount(f"{where}: {value} is not positive")
    if value > UINT64_MAX:
        raise ErrAmountOverflow(f"{where}: {value} > {UINT64_MAX}")


def max_cost(price_ceiling: int, duration_blocks: int) -> int:
    """price_ceiling_uDAIT * duration_blocks, the most a lease can ever cost (§5.1).

    The product must itself fit uint64: the escrow that covers it is a uint64.
    """
    cost = price_ceiling * duration_blocks
    if cost > UINT64_MAX:
        raise ErrAmountOverflow(
            f"price_ceiling_uDAIT * duration_blocks = {price_ceiling} * {duration_blocks} "
            f"> {UINT64_MAX}"
        )
    return cost


def validate_job(
    where: str,
    job: JobSpec,
    escrow_uDAIT: int,
    known_keys: Sequence[str],
    ordered: Mapping[str, Sequence[str]],
    escrow_where: str | None = None,
) -> None:
    """A deployment's job and escrow (§3.2, §5.1): a well-formed model id, known and
    well-formed attribute filters, positive amounts, and an escrow that covers the whole
    lease at the ceiling price, so a lease can never run unfunded (Akash node#1635)."""
    validate_model(f"{where}.model", job.model)
    validate_filter_attributes(f"{where}.attributes", job.attributes, known_keys, ordered)
    validate_positive_uint64(f"{where}.price_ceiling_uDAIT", job.price_ceiling_uDAIT)
    validate_positive_uint64(f"{where}.duration_blocks", job.duration_blocks)
    escrow_where = escrow_where or f"{where}.escrow_uDAIT"
    validate_positive_uint64(escrow_where, escrow_uDAIT)
    cost = max_cost(job.price_ceiling_uDAIT, job.duration_blocks)
    if escrow_uDAIT < cost:
        raise ErrEscrowBelowMaxCost(
            f"{escrow_where}: {escrow_uDAIT} < price_ceiling_uDAIT * duration_blocks "
            f"= {job.price_ceiling_uDAIT} * {job.duration_blocks} = {cost}"
        )
