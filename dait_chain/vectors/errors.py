"""Registered errors of the vector tools (codespace `vectors`; specs/vectors.md "Errors").

These refuse a vector set itself (a missing directory, a malformed file, a manifest that
does not match), never the chain's inputs; the CLI turns each into `error: <what>` and exit
code 2.
"""

from __future__ import annotations

from dait_chain.errors import DaitError


class VectorsError(DaitError, codespace="vectors"):
    """Family of every refusal of the vector exporter and checker."""


class ErrNoVectorSet(VectorsError, code=2, description="not a vector set directory"):
    """The directory does not exist, or holds no manifest.json."""


class ErrVectorFile(VectorsError, code=3, description="vector file malformed"):
    """A case file is missing, not valid JSON/hex, or not the shape its handler reads."""


class ErrManifestFormat(VectorsError, code=4, description="manifest.json malformed"):
    """The manifest is not the documented JSON object, or its own hash does not match."""


class ErrUnknownHandler(VectorsError, code=5, description="no such vector handler"):
    """A path or a selection names an area/handler this implementation does not have."""


class ErrExportTarget(VectorsError, code=6, description="export target is not empty"):
    """`export DIR` writes into a new or empty directory only (it never deletes files)."""


__all__ = [
    "ErrExportTarget",
    "ErrManifestFormat",
    "ErrNoVectorSet",
    "ErrUnknownHandler",
    "ErrVectorFile",
    "VectorsError",
]
