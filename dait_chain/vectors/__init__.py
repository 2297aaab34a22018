"""Conformance vectors: files other implementations read to check themselves against this
reference (specs/vectors.md).

A vector set is a directory `DIR/<area>/<handler>/<suite>/<case>/`, each case holding its
input files, its expected output files and a `meta.json`, plus `DIR/manifest.json` with
the sha256 of every file. `export_vectors(DIR)` writes one (the same bytes on every run
and machine); `check_vectors(DIR)` replays one against this implementation and reports
the first difference of each case.

    from dait_chain.vectors import export_vectors, check_vectors
    export_vectors(Path("vectors"))
    report = check_vectors(Path("vectors"))
    assert report.ok

The command line is `dait-sim vectors export DIR` and `dait-sim vectors check DIR`.
"""

from __future__ import annotations

from dait_chain.vectors.checker import CaseResult, CheckReport, check_vectors
from dait_chain.vectors.writer import ExportReport, export_vectors

__all__ = ["CaseResult", "CheckReport", "ExportReport", "check_vectors", "export_vectors"]
