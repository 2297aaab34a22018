"""Every vector handler, by `area/handler` (specs/vectors.md "Areas and handlers")."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from functools import cache

from dait_chain.vectors.case import Handler
from dait_chain.vectors.errors import ErrUnknownHandler

# The modules defining HANDLERS, in export order.
HANDLER_MODULES = (
    "dait_chain.vectors.codec_vectors",
    "dait_chain.vectors.crypto_vectors",
    "dait_chain.vectors.math_vectors",
    "dait_chain.vectors.store_vectors",
    "dait_chain.vectors.spurc_vectors",
    "dait_chain.vectors.spurc_http_vectors",
    "dait_chain.vectors.pouw_vectors",
    "dait_chain.vectors.distribution_vectors",
    "dait_chain.vectors.app_vectors",
    "dait_chain.vectors.market_vectors",
    "dait_chain.vectors.sweep_vectors",
    "dait_chain.vectors.chain_vectors",
    "dait_chain.vectors.sim_vectors",
)

ALL = "all"


@cache
def all_handlers() -> tuple[Handler, ...]:
    """Every handler, sorted by `area/handler`."""
    handlers: list[Handler] = []
    for name in HANDLER_MODULES:
        module = importlib.import_module(name)
        handlers.extend(module.HANDLERS)
    keys = [h.key for h in handlers]
    if len(set(keys)) != len(keys):
        raise TypeError(f"duplicate vector handlers in {keys}")
    return tuple(sorted(handlers, key=lambda h: h.key))


def handler_for(area: str, name: str) -> Handler:
    """The handler of `area/name`; ErrUnknownHandler if there is none."""
    for handler in all_handlers():
        if handler.area == area and handler.name == name:
            return handler
    raise ErrUnknownHandler(f"{area}/{name}")


def select_handlers(selection: Sequence[str]) -> tuple[Handler, ...]:
    """The handlers a selection names: `all`, an area (`codec`) or `area/handler`."""
    handlers = all_handlers()
    if not selection or ALL in selection:
        return handlers
    chosen: list[Handler] = []
    for item in selection:
        matched = [h for h in handlers if item in (h.area, h.key)]
        if not matched:
            raise ErrUnknownHandler(f"{item!r} names no area or area/handler")
        chosen.extend(h for h in matched if h not in chosen)
    return tuple(sorted(chosen, key=lambda h: h.key))


__all__ = ["ALL", "HANDLER_MODULES", "all_handlers", "handler_for", "select_handlers"]
