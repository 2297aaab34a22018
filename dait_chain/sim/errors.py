"""The `sim` codespace: refusals of the harness (specs/harness.md "Errors").

Errors about an input file carry where they happened (`path`, `line`), so the CLI can print
`error: <file>:<line>: <what>` and exit 2 without a traceback.
"""

from __future__ import annotations

from dait_chain.errors import DaitError


class SimError(DaitError, codespace="sim"):
    """Family of harness errors.

    `what` is the human detail; `path` and `line` (1-based) locate it in an input file
    when there is one.
    """

    def __init__(self, what: str = "", *, path: str | None = None, line: int | None = None):
        self.what = what
        self.path = path
        self.line = line
        super().__init__(self.where_what)

    @property
    def where(self) -> str:
        """`file:line`, `file`, or "" when the error is not about an input file."""
        if self.path is None:
            return ""
        if self.line is None:
            return self.path
        return f"{self.path}:{self.line}"

    @property
    def where_what(self) -> str:
        """`file:line: what` (or just `what` when there is no file)."""
        return f"{self.where}: {self.what}" if self.where else self.what


class ErrStreamFormat(SimError, code=2, description="malformed tx stream"):
    """A stream line that is not valid JSON, not the expected shape, or out of order."""


class ErrScenarioFormat(SimError, code=3, description="malformed scenario"):
    """A scenario YAML document that is not valid YAML or not the expected shape."""


class ErrGenesisMismatch(SimError, code=4, description="genesis does not match the stream"):
    """The genesis file's sha256 or chain id differs from what the stream header names."""


class ErrDivergence(SimError, code=5, description="replay diverged from the expected results"):
    """A replayed block's results, events or app hash differ from the stream's."""

    def __init__(
        self,
        what: str = "",
        *,
        height: int | None = None,
        tx_index: int | None = None,
        path: str | None = None,
        line: int | None = None,
    ) -> None:
        self.height = height
        self.tx_index = tx_index
        super().__init__(what, path=path, line=line)


class ErrInvariantBroken(SimError, code=6, description="invariant broken"):
    """A registered invariant reported broken state.

    `height` is the block after which it was found, `invariant` is "module/name", and
    `stream_path` the file holding the tx stream up to that block (when one was written).
    """

    def __init__(
        self,
        what: str = "",
        *,
        height: int | None = None,
        invariant: str = "",
        stream_path: str | None = None,
    ) -> None:
        self.height = height
        self.invariant = invariant
        self.stream_path = stream_path
        super().__init__(what)


class ErrUnknownAction(SimError, code=7, description="unknown scenario action"):
    """A scenario names an action no module registered."""


class ErrActionCompile(SimError, code=8, description="scenario action cannot be compiled"):
    """An action's arguments are wrong (unknown actor, bad amount, missing session...)."""


class ErrCheckpointFormat(SimError, code=9, description="malformed checkpoint"):
    """A checkpoint file that is not valid or does not belong to the stream given."""


class ErrActionRegistered(SimError, code=10, description="scenario action registered twice"):
    """Two modules register the same action name."""


class ErrBlockOrder(SimError, code=11, description="block out of order"):
    """A block handed to the harness at or below the current height, or back in time."""


__all__ = [
    "ErrActionCompile",
    "ErrActionRegistered",
    "ErrBlockOrder",
    "ErrCheckpointFormat",
    "ErrDivergence",
    "ErrGenesisMismatch",
    "ErrInvariantBroken",
    "ErrScenarioFormat",
    "ErrStreamFormat",
    "ErrUnknownAction",
    "SimError",
]
