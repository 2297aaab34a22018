"""manifest.json: the sha256 of every file of a vector set (specs/vectors.md "Manifest").

    {"format": "dait-vectors", "version": 1, "selection": ["all"], "cases": N,
     "files": {"<area>/<handler>/<suite>/<case>/<file>": "<sha256 hex>", ...},
     "manifest_sha256": "<hex>"}

`manifest_sha256` is sha256 of the RFC 8785 (JCS) form of the manifest object without
that key. Publishing it (a release note, a commit) pins the whole set: any altered,
added or removed byte changes a file hash, hence the manifest's own hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dait_chain.codec.errors import CodecError
from dait_chain.codec.jcs import canonicalize
from dait_chain.vectors.errors import ErrManifestFormat, ErrVectorFile
from dait_chain.vectors.files import json_bytes, parse_json

MANIFEST = "manifest.json"
FORMAT = "dait-vectors"
VERSION = 1
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True, slots=True)
class Manifest:
    """A parsed manifest: the selection exported, the case count and each file's hash."""

    selection: tuple[str, ...]
    cases: int
    files: Mapping[str, str]
    manifest_sha256: str


def sha256_hex(data: bytes) -> str:
    """Lowercase hex sha256."""
    return hashlib.sha256(data).hexdigest()


def _body(selection: tuple[str, ...], cases: int, files: Mapping[str, str]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "selection": list(selection),
        "cases": cases,
        "files": dict(sorted(files.items())),
    }


def manifest_digest(body: Mapping[str, Any]) -> str:
    """sha256(JCS(body)): the manifest's own hash."""
    return sha256_hex(canonicalize(dict(body)))


def build_manifest(selection: tuple[str, ...], cases: int, files: Mapping[str, bytes]) -> bytes:
    """The manifest file of a vector set whose files (by relative path) are `files`."""
    body = _body(selection, cases, {path: sha256_hex(data) for path, data in files.items()})
    return json_bytes({**body, "manifest_sha256": manifest_digest(body)})


def _is_sha(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX


def parse_manifest(data: bytes) -> tuple[Manifest, bool]:
    """The manifest and whether its own hash matches its body (ErrManifestFormat when it is
    not the documented object at all)."""
    try:
        obj = parse_json(data, MANIFEST)
    except ErrVectorFile as exc:
        raise ErrManifestFormat(exc.detail) from None
    if not isinstance(obj, dict):
        raise ErrManifestFormat("not a JSON object")
    keys = {"format", "version", "selection", "cases", "files", "manifest_sha256"}
    if set(obj) != keys:
        raise ErrManifestFormat(f"keys {sorted(obj)}, want {sorted(keys)}")
    if obj["format"] != FORMAT or obj["version"] != VERSION:
        raise ErrManifestFormat(f"format {obj['format']!r} version {obj['version']!r}")
    selection, cases, files = obj["selection"], obj["cases"], obj["files"]
    if not isinstance(selection, list) or not all(isinstance(s, str) for s in selection):
        raise ErrManifestFormat("selection: expected a list of strings")
    if isinstance(cases, bool) or not isinstance(cases, int) or cases < 0:
        raise ErrManifestFormat("cases: expected a count")
    if not isinstance(files, dict) or not all(_is_sha(v) for v in files.values()):
        raise ErrManifestFormat("files: expected {path: sha256 hex}")
    if not _is_sha(obj["manifest_sha256"]):
        raise ErrManifestFormat("manifest_sha256: expected sha256 hex")
    body = {k: v for k, v in obj.items() if k != "manifest_sha256"}
    try:
        intact = manifest_digest(body) == obj["manifest_sha256"]
    except CodecError as exc:
        raise ErrManifestFormat(exc.log) from None
    manifest = Manifest(tuple(selection), cases, dict(files), obj["manifest_sha256"])
    return manifest, intact


__all__ = [
    "FORMAT",
    "MANIFEST",
    "VERSION",
    "Manifest",
    "build_manifest",
    "manifest_digest",
    "parse_manifest",
    "sha256_hex",
]
