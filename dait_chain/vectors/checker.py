"""`dait-sim vectors check DIR`: replay a vector set against this implementation.

For every case: its files must match the manifest (so any altered byte fails the case
that holds it), its meta.json must name a known handler, and running that handler on the
case's input files must reproduce each output file byte for byte and meta.json's derived
fields (`outputs`, `errors`, `rejected`). The first difference is reported with a JSON
path (or a byte offset for other files). The manifest's own hash is checked too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dait_chain.errors import DaitError
from dait_chain.vectors.case import META, META_FORMAT, CaseSpec, Outcome, meta_of
from dait_chain.vectors.errors import ErrNoVectorSet, ErrVectorFile, VectorsError
from dait_chain.vectors.files import parse_json
from dait_chain.vectors.manifest import MANIFEST, Manifest, parse_manifest, sha256_hex
from dait_chain.vectors.registry import handler_for, select_handlers


@dataclass(frozen=True, slots=True)
class CaseResult:
    """The verdict on one case: ok, or the first difference found."""

    path: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Every case's verdict and the manifest's problems (files outside cases, own hash)."""

    root: str
    cases: tuple[CaseResult, ...]
    manifest_problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.manifest_problems and all(c.ok for c in self.cases)

    @property
    def failed(self) -> tuple[CaseResult, ...]:
        return tuple(c for c in self.cases if not c.ok)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON (`--json`)."""
        return {
            "root": self.root,
            "ok": self.ok,
            "cases": len(self.cases),
            "passed": len(self.cases) - len(self.failed),
            "failed": len(self.failed),
            "manifest_problems": list(self.manifest_problems),
            "results": [
                {"case": c.path, "ok": c.ok, **({"detail": c.detail} if c.detail else {})}
                for c in self.cases
            ],
        }


# ---- differences -------------------------------------------------------------------------


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def json_difference(expected: Any, actual: Any, path: str = "$") -> str | None:
    """The first JSON path where two values differ, with both values; None if equal."""
    if type(expected) is not type(actual):
        return f"{path}: expected {_short(expected)}, got {_short(actual)}"
    if isinstance(expected, dict):
        for key in sorted(set(expected) | set(actual)):
            if key not in actual:
                return f"{path}.{key}: expected {_short(expected[key])}, missing"
            if key not in expected:
                return f"{path}.{key}: unexpected {_short(actual[key])}"
            diff = json_difference(expected[key], actual[key], f"{path}.{key}")
            if diff is not None:
                return diff
        return None
    if isinstance(expected, list):
        for i, (a, b) in enumerate(zip(expected, actual, strict=False)):
            diff = json_difference(a, b, f"{path}[{i}]")
            if diff is not None:
                return diff
        if len(expected) != len(actual):
            return f"{path}: expected {len(expected)} items, got {len(actual)}"
        return None
    if expected != actual:
        return f"{path}: expected {_short(expected)}, got {_short(actual)}"
    return None


def file_difference(name: str, expected: bytes, actual: bytes) -> str | None:
    """The first difference between a file's bytes in the set and the recomputed bytes."""
    if expected == actual:
        return None
    if name.endswith(".json"):
        try:
            diff = json_difference(parse_json(expected, name), parse_json(actual, name))
        except ErrVectorFile as exc:
            return exc.detail
        if diff is not None:
            return f"{name}: {diff}"
        return f"{name}: same JSON value, different bytes (not in the file form)"
    offset = next(
        (i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b),
        min(len(expected), len(actual)),
    )
    line = expected[:offset].count(b"\n") + 1
    return f"{name}: differs at byte {offset} (line {line})"


# ---- one case ----------------------------------------------------------------------------


def _meta(files: Mapping[str, bytes], path: str) -> dict[str, Any]:
    if META not in files:
        raise ErrVectorFile(f"{META}: missing")
    meta = parse_json(files[META], META)
    if not isinstance(meta, dict) or meta.get("format") != META_FORMAT:
        raise ErrVectorFile(f"{META}: not a {META_FORMAT} object")
    area, handler, suite, case = path.split("/")
    where = {"area": area, "handler": handler, "suite": suite, "case": case}
    for key, value in where.items():
        if meta.get(key) != value:
            raise ErrVectorFile(f"{META}: {key} is {meta.get(key)!r}, the path says {value!r}")
    for key in ("description", "rule", "source"):
        if not isinstance(meta.get(key), str):
            raise ErrVectorFile(f"{META}: {key} must be a string")
    inputs = meta.get("inputs")
    if not isinstance(inputs, list) or not all(isinstance(n, str) for n in inputs):
        raise ErrVectorFile(f"{META}: inputs must be a list of file names")
    return meta


def replay_case(path: str, files: Mapping[str, bytes]) -> str | None:
    """Run a case's handler on its inputs; the first difference, or None."""
    meta = _meta(files, path)
    handler = handler_for(meta["area"], meta["handler"])
    inputs = {name: files[name] for name in meta["inputs"] if name in files}
    missing = sorted(set(meta["inputs"]) - set(inputs))
    if missing:
        return f"input {missing[0]} missing"
    outcome: Outcome = handler.run(inputs)
    spec = CaseSpec(
        meta["suite"], meta["case"], meta["description"], meta["rule"], meta["source"], inputs
    )
    expected_names = {*inputs, *outcome.outputs, META}
    extra = sorted(set(files) - expected_names)
    if extra:
        return f"{extra[0]}: not a file of this case"
    for name in sorted(outcome.outputs):
        if name not in files:
            return f"{name}: output missing"
        diff = file_difference(name, files[name], outcome.outputs[name])
        if diff is not None:
            return diff
    want = meta_of(handler, spec, outcome)
    return json_difference(meta, want, META.replace(".json", ""))


def check_case(path: str, files: Mapping[str, bytes], tampered: Sequence[str]) -> CaseResult:
    """The verdict on one case: manifest problems first, then the replay."""
    if tampered:
        return CaseResult(path, False, tampered[0])
    try:
        diff = replay_case(path, files)
    except VectorsError as exc:
        return CaseResult(path, False, exc.log)
    except DaitError as exc:  # an error the handler did not expect from these inputs
        return CaseResult(path, False, f"unexpected {type(exc).__name__}: {exc.log}")
    except Exception as exc:  # a malformed input this reader did not anticipate
        return CaseResult(path, False, f"internal error {type(exc).__name__}: {exc}")
    return CaseResult(path, diff is None, diff or "")


# ---- the set -----------------------------------------------------------------------------


def _disk_files(root: Path, under: str = "") -> dict[str, Path]:
    base = root / under if under else root
    return {p.relative_to(root).as_posix(): p for p in sorted(base.rglob("*")) if p.is_file()}


def _open_set(root: Path) -> tuple[Manifest, bool]:
    manifest_path = root / MANIFEST
    if not root.is_dir():
        raise ErrNoVectorSet(f"{root}: no such directory")
    if not manifest_path.is_file():
        raise ErrNoVectorSet(f"{root}: no {MANIFEST}; not a vector set")
    return parse_manifest(manifest_path.read_bytes())


def _gather(
    manifest: Manifest, disk: Mapping[str, Path], listed: Iterable[str]
) -> tuple[dict[str, dict[str, bytes]], dict[str, list[str]], list[str]]:
    """Each case's files, each case's manifest problems, and files outside any case."""
    by_case: dict[str, dict[str, bytes]] = {}
    notes: dict[str, list[str]] = {}
    stray: list[str] = []
    for rel in sorted(set(disk) | set(listed)):
        parts = rel.split("/")
        if len(parts) != 5:
            stray.append(f"{rel}: not inside a case directory")
            continue
        case, name = "/".join(parts[:4]), parts[4]
        case_notes = notes.setdefault(case, [])
        if rel not in disk:
            case_notes.append(f"{name}: listed in the manifest but missing")
            continue
        data = disk[rel].read_bytes()
        by_case.setdefault(case, {})[name] = data
        if rel not in manifest.files:
            case_notes.append(f"{name}: not listed in the manifest")
        elif sha256_hex(data) != manifest.files[rel]:
            case_notes.append(f"{name}: sha256 differs from the manifest (altered)")
    return by_case, notes, stray


def check_one(root: Path, case: str) -> CaseResult:
    """Check a single case (`area/handler/suite/case`) of a vector set."""
    manifest, _ = _open_set(root)
    prefix = case + "/"
    disk = _disk_files(root, case) if (root / case).is_dir() else {}
    listed = [rel for rel in manifest.files if rel.startswith(prefix)]
    by_case, notes, _ = _gather(manifest, disk, listed)
    return check_case(case, by_case.get(case, {}), notes.get(case, [f"{case}: no such case"]))


def check_vectors(
    root: Path,
    selection: Sequence[str] = (),
    progress: Callable[[CaseResult], None] | None = None,
) -> CheckReport:
    """Check the manifest and replay every case (or those of the selected handlers)."""
    manifest, intact = _open_set(root)
    problems: list[str] = []
    if not intact:
        problems.append(f"{MANIFEST}: manifest_sha256 does not match its body")
    disk = _disk_files(root)
    disk.pop(MANIFEST)
    by_case, notes, stray = _gather(manifest, disk, manifest.files)
    problems.extend(stray)
    if len(notes) != manifest.cases:
        problems.append(f"manifest counts {manifest.cases} cases, the set holds {len(notes)}")
    wanted = {h.key for h in select_handlers(selection)} if selection else None
    results: list[CaseResult] = []
    for case in sorted(notes):
        if wanted is not None and "/".join(case.split("/")[:2]) not in wanted:
            continue
        result = check_case(case, by_case.get(case, {}), notes[case])
        results.append(result)
        if progress is not None:
            progress(result)
    return CheckReport(str(root), tuple(results), tuple(problems))


__all__ = [
    "CaseResult",
    "CheckReport",
    "check_case",
    "check_one",
    "check_vectors",
    "file_difference",
    "json_difference",
    "replay_case",
]
