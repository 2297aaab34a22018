"""The `sweeps` codespace: refusals of the parameter-sweep tool (specs/sweeps.md "Errors").

Errors about an input file carry where they happened (`path`, `line`), so the CLI prints
`error: <file>:<line>: <what>` and exits 2 without a traceback.
"""

from __future__ import annotations

from dait_chain.errors import DaitError


class SweepError(DaitError, codespace="sweeps"):
    """Family of sweep errors: `what` is the detail, `path` and `line` locate it."""

    def __init__(self, what: str = "", *, path: str | None = None, line: int | None = None):
        self.what = what
        self.path = path
        self.line = line
        super().__init__(self.where_what)

    @property
    def where_what(self) -> str:
        """`file:line: what`, `file: what`, or `what`."""
        if self.path is None:
            return self.what
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.what}"


class ErrSweepConfig(SweepError, code=2, description="invalid sweep config"):
    """A sweep config that is not valid YAML, names an unknown param, or has a bad grid."""


class ErrSweepResults(SweepError, code=3, description="invalid sweep results"):
    """A results directory whose run files are unreadable or belong to no known run."""


class ErrRunFailed(SweepError, code=4, description="a sweep run failed"):
    """A run raised: the chain refused its genesis or the agents hit a bug."""


__all__ = ["ErrRunFailed", "ErrSweepConfig", "ErrSweepResults", "SweepError"]
