"""`dait-sim vectors export DIR`: write a vector set and its manifest (specs/vectors.md).

The output is a function of the code alone: generators use fixed seeds and fixed keys,
files are written in a fixed form (files.py), paths and manifest entries are sorted. No
timestamp, hostname or absolute path is written, so two exports are byte-identical.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dait_chain.vectors.case import Handler, case_files, case_path
from dait_chain.vectors.errors import ErrExportTarget
from dait_chain.vectors.manifest import MANIFEST, build_manifest
from dait_chain.vectors.registry import ALL, select_handlers


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What an export wrote: cases per `area/handler`, and the file count."""

    root: str
    cases: dict[str, int]
    files: int

    @property
    def total_cases(self) -> int:
        return sum(self.cases.values())


def build_case_files(handler: Handler) -> dict[str, dict[str, bytes]]:
    """Every case of a handler: its path and its files, outputs computed by `run`."""
    out: dict[str, dict[str, bytes]] = {}
    for spec in handler.generate():
        path = case_path(handler, spec)
        if path in out:
            raise ValueError(f"{path}: generated twice")
        outcome = spec.outcome if spec.outcome is not None else handler.run(spec.inputs)
        out[path] = case_files(handler, spec, outcome)
    return out


def _prepare_target(root: Path) -> None:
    if root.exists():
        if not root.is_dir():
            raise ErrExportTarget(f"{root} exists and is not a directory")
        if any(root.iterdir()):
            raise ErrExportTarget(f"{root} is not empty; export into a new or empty directory")
    root.mkdir(parents=True, exist_ok=True)


def export_vectors(
    root: Path,
    selection: Sequence[str] = (ALL,),
    progress: Callable[[str, int], None] | None = None,
) -> ExportReport:
    """Generate the selected handlers' cases and write them, with manifest.json, to root."""
    handlers = select_handlers(selection)
    _prepare_target(root)
    written: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    for handler in handlers:
        cases = build_case_files(handler)
        counts[handler.key] = len(cases)
        for path in sorted(cases):
            for name, data in sorted(cases[path].items()):
                written[f"{path}/{name}"] = data
        if progress is not None:
            progress(handler.key, len(cases))
    for rel, data in sorted(written.items()):
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    chosen = (ALL,) if ALL in selection or not selection else tuple(sorted(set(selection)))
    manifest = build_manifest(chosen, sum(counts.values()), written)
    (root / MANIFEST).write_bytes(manifest)
    return ExportReport(str(root), counts, len(written) + 1)


__all__ = ["ExportReport", "build_case_files", "export_vectors"]
