"""Registered, typed errors: every refusal in dait_chain is one of these.

Cosmos SDK registers each error once per module as (codespace, code, description) and a
tx result carries codespace, code and log. We mirror that with exception classes: a
concrete error class names its codespace, code and description in its class header, and
the registry refuses a second class with the same (codespace, code).

    class ErrTurnNotHigher(StateChannelError, code=7, description="turn_num not higher"):
        pass

    raise ErrTurnNotHigher(f"turn {new} <= {old}")

`str(err)` and `err.log` read like Cosmos's wrapped errors: "<detail>: <description>".
Code 1 is reserved in every codespace (Cosmos uses it for "internal").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True, order=True)
class ErrorInfo:
    """The registered identity of an error, as an ABCI result reports it."""

    codespace: str
    code: int
    description: str
    name: str


_REGISTRY: dict[tuple[str, int], type[DaitError]] = {}


class DaitError(Exception):
    """Base of all registered errors.

    Subclasses that pass `code=` in their class header are concrete, registered errors.
    Subclasses that pass only `codespace=` are families (e.g. all state_channel errors);
    they cannot be raised.
    """

    codespace: ClassVar[str] = ""
    code: ClassVar[int] = 0
    description: ClassVar[str] = ""

    def __init_subclass__(
        cls,
        *,
        codespace: str | None = None,
        code: int | None = None,
        description: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if codespace is not None:
            cls.codespace = codespace
        if code is None:
            cls.code = 0
            return
        if not cls.codespace:
            raise TypeError(f"{cls.__name__}: a registered error needs a codespace")
        if code < 2:
            raise TypeError(f"{cls.__name__}: codes 0 and 1 are reserved")
        if not description:
            raise TypeError(f"{cls.__name__}: a registered error needs a description")
        key = (cls.codespace, code)
        if key in _REGISTRY:
            other = _REGISTRY[key].__name__
            raise TypeError(f"{cls.__name__}: {key} already registered by {other}")
        cls.code = code
        cls.description = description
        _REGISTRY[key] = cls

    def __init__(self, detail: str = "") -> None:
        if not type(self).code:
            raise TypeError(f"{type(self).__name__} is an error family, not a registered error")
        self.detail = detail
        super().__init__(self.log)

    @property
    def log(self) -> str:
        """The ABCI log string: the detail wrapped around the registered description."""
        if self.detail:
            return f"{self.detail}: {self.description}"
        return self.description

    @classmethod
    def info(cls) -> ErrorInfo:
        return ErrorInfo(cls.codespace, cls.code, cls.description, cls.__name__)


def registered_errors() -> list[ErrorInfo]:
    """Every registered error, sorted by (codespace, code). Import the modules first."""
    return sorted(c.info() for c in _REGISTRY.values())


def error_class(codespace: str, code: int) -> type[DaitError]:
    """Look up a registered error class by its ABCI identity."""
    return _REGISTRY[(codespace, code)]


def import_all_modules() -> None:
    """Import every package that registers errors, so the registry is complete."""
    import importlib
    import pkgutil

    import dait_chain

    for mod in pkgutil.walk_packages(dait_chain.__path__, prefix="dait_chain."):
        if ".pb." in mod.name or mod.name.endswith(".cli") or ".testing" in mod.name:
            continue
        importlib.import_module(mod.name)
