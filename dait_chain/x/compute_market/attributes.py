"""Attribute filters and `-or-newer` matching (specs/compute_market.md §3.3, §7.2).

decisions.md: "Attribute values match exactly, except a filter value ending in
`-or-newer`, which matches any provider value at or above it in an ordered list kept as a
param (for `gpu_class`: e.g. volta < turing < ampere < ada < hopper < blackwell)."
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from dait_chain.x.compute_market.errors import ErrInvalidAttribute, ErrUnknownAttributeKey
from dait_chain.x.compute_market.types import Attribute

OR_NEWER_SUFFIX = "-or-newer"

# An attribute value is a short token; the same rule binds jobs and providers so a filter
# can always be written for any provider value (specs §3.3).
MAX_ATTRIBUTE_VALUE_LEN = 64
_VALUE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def split_or_newer(value: str) -> tuple[str, bool]:
    """`hopper-or-newer` -> ("hopper", True); `na-east` -> ("na-east", False)."""
    if value.endswith(OR_NEWER_SUFFIX):
        return value[: -len(OR_NEWER_SUFFIX)], True
    return value, False


def attribute_satisfies(
    filter_value: str, provider_value: str, ordered_values: Sequence[str] | None
) -> bool:
    """Whether one provider value satisfies one filter value (specs §7.2).

    An `-or-newer` filter matches the values at or after its base in the key's ordered
    list; any other filter matches only the identical value. A provider value outside the
    ordered list never satisfies an `-or-newer` filter.
    """
    base, or_newer = split_or_newer(filter_value)
    if not or_newer or ordered_values is None:
        return filter_value == provider_value
    if base not in ordered_values or provider_value not in ordered_values:
        return False
    return ordered_values.index(provider_value) >= ordered_values.index(base)


def attributes_match(
    filters: Sequence[Attribute],
    provider_attributes: Sequence[Attribute],
    ordered: Mapping[str, Sequence[str]],
) -> bool:
    """Whether a provider satisfies every filter of a job (specs §7.2).

    Seed 000: "The auction iterator selects the lowest-price bid that matches all
    attribute filters." A provider without a value for a filtered key does not match.
    """
    by_key = {a.key: a.value for a in provider_attributes}
    for f in filters:
        value = by_key.get(f.key)
        if value is None or not attribute_satisfies(f.value, value, ordered.get(f.key)):
            return False
    return True


def is_value_token(value: str) -> bool:
    """1..64 characters of [A-Za-z0-9._-], starting with a letter or digit (specs §3.3)."""
    return len(value) <= MAX_ATTRIBUTE_VALUE_LEN and _VALUE_RE.fullmatch(value) is not None


def _check_value_token(where: str, value: str) -> None:
    if not is_value_token(value):
        raise ErrInvalidAttribute(
            f"{where}: {value!r} is not 1..{MAX_ATTRIBUTE_VALUE_LEN} characters of "
            "[A-Za-z0-9._-] starting with a letter or digit"
        )


def _check_keys(where: str, attributes: Sequence[Attribute], known_keys: Sequence[str]) -> None:
    seen: set[str] = set()
    for a in attributes:
        if a.key not in known_keys:
            raise ErrUnknownAttributeKey(
                f"{where}.{a.key}: known keys are {', '.join(sorted(known_keys))}"
            )
        if a.key in seen:
            raise ErrInvalidAttribute(f"{where}.{a.key}: key given twice")
        seen.add(a.key)


def validate_filter_attributes(
    where: str,
    filters: Sequence[Attribute],
    known_keys: Sequence[str],
    ordered: Mapping[str, Sequence[str]],
) -> None:
    """A job's filters: known keys, each once, well-formed values, and `-or-newer` only
    on an ordered key with a base from its list (specs §3.3)."""
    _check_keys(where, filters, known_keys)
    for f in filters:
        _check_value_token(f"{where}.{f.key}", f.value)
        base, or_newer = split_or_newer(f.value)
        if not or_newer:
            continue
        values = ordered.get(f.key)
        if values is None:
            raise ErrInvalidAttribute(
                f"{where}.{f.key}: {f.value!r}: '{OR_NEWER_SUFFIX}' needs an ordered key "
                f"(ordered keys: {', '.join(sorted(ordered)) or 'none'})"
            )
        if base not in values:
            raise ErrInvalidAttribute(
                f"{where}.{f.key}: {base!r} is not in the ordered list {', '.join(values)}"
            )


def validate_provider_attributes(
    where: str,
    attributes: Sequence[Attribute],
    known_keys: Sequence[str],
    ordered: Mapping[str, Sequence[str]],
) -> None:
    """A provider's attributes: known keys, each once, well-formed values, a value of an
    ordered key taken from its list, and no `-or-newer` (a provider states what it has)."""
    _check_keys(where, attributes, known_keys)
    for a in attributes:
        _check_value_token(f"{where}.{a.key}", a.value)
        if split_or_newer(a.value)[1]:
            raise ErrInvalidAttribute(
                f"{where}.{a.key}: a provider states a value, not '{OR_NEWER_SUFFIX}'"
            )
        values = ordered.get(a.key)
        if values is not None and a.value not in values:
            raise ErrInvalidAttribute(
                f"{where}.{a.key}: {a.value!r} is not in the ordered list {', '.join(values)}"
            )


def sorted_attributes(attributes: Sequence[Attribute]) -> tuple[Attribute, ...]:
    """Attributes in canonical order (by key), as they are stored."""
    return tuple(sorted(attributes, key=lambda a: a.key))
