"""Export: deterministic bytes, a manifest of every file, portable and self-described cases
(specs/vectors.md "Layout", "Manifest", "Determinism")."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from dait_chain.vectors.case import META, META_FORMAT, NAME
from dait_chain.vectors.errors import ErrExportTarget, ErrUnknownHandler
from dait_chain.vectors.manifest import MANIFEST, manifest_digest
from dait_chain.vectors.registry import all_handlers
from dait_chain.vectors.writer import export_vectors

from .conftest import REPO, ExportedSets


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_exports_under_two_hash_seeds_are_byte_identical(exported: ExportedSets) -> None:
    """Two subprocess exports (PYTHONHASHSEED 1 and 2) write the same files, byte for byte."""
    first, second = tree(exported.first), tree(exported.second)
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert different == []


def test_export_writes_no_absolute_path(vector_set: Path) -> None:
    """No file mentions the export directory, the repository or a temp directory."""
    needles = [str(vector_set).encode(), str(REPO).encode(), b"/tmp/"]
    offenders = [name for name, data in tree(vector_set).items() if any(n in data for n in needles)]
    assert offenders == []


def test_manifest_lists_every_file_with_its_sha256_and_its_own_hash(vector_set: Path) -> None:
    manifest = json.loads((vector_set / MANIFEST).read_bytes())
    files = tree(vector_set)
    del files[MANIFEST]
    assert manifest["files"] == {n: hashlib.sha256(d).hexdigest() for n, d in files.items()}
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    assert manifest["manifest_sha256"] == manifest_digest(body)
    assert manifest["cases"] == len({n.rsplit("/", 1)[0] for n in files})


def test_every_case_is_at_area_handler_suite_case_with_a_meta_naming_its_files(
    vector_set: Path,
) -> None:
    handlers = {h.key for h in all_handlers()}
    metas = sorted(vector_set.rglob(META))
    assert metas
    for path in metas:
        case = path.parent
        rel = case.relative_to(vector_set).as_posix()
        area, handler, suite, name = rel.split("/")
        assert all(NAME.match(part) for part in (area, handler, suite, name)), rel
        meta = json.loads(path.read_bytes())
        assert meta["format"] == META_FORMAT
        assert (meta["area"], meta["handler"], meta["suite"], meta["case"]) == (
            area,
            handler,
            suite,
            name,
        )
        assert f"{area}/{handler}" in handlers
        assert meta["description"] and meta["rule"] and meta["source"], rel
        on_disk = sorted(p.name for p in case.iterdir())
        assert on_disk == sorted([META, *meta["inputs"], *meta["outputs"]]), rel


def test_rejected_chain_cases_have_no_post_state(vector_set: Path) -> None:
    """A case whose input must be rejected has no post.json and says why in its meta."""
    for path in (vector_set / "chain").rglob(META):
        meta = json.loads(path.read_bytes())
        assert ("post.json" in meta["outputs"]) == ("rejected" not in meta), path.parent


def test_every_handler_exports_at_least_one_case(vector_set: Path) -> None:
    for handler in all_handlers():
        assert any((vector_set / handler.area / handler.name).rglob(META)), handler.key


def test_a_selected_export_is_a_subset_of_the_full_export(tmp_path: Path, vector_set: Path) -> None:
    """Exporting some handlers writes exactly their files of the full set, byte for byte."""
    report = export_vectors(tmp_path / "subset", ("math/ints", "spurc/cosign"))
    subset = tree(tmp_path / "subset")
    full = tree(vector_set)
    manifest = json.loads(subset.pop(MANIFEST))
    assert manifest["selection"] == ["math/ints", "spurc/cosign"]
    assert report.total_cases == manifest["cases"]
    assert subset and all(full[name] == data for name, data in subset.items())
    assert {n.split("/")[0] + "/" + n.split("/")[1] for n in subset} == {
        "math/ints",
        "spurc/cosign",
    }


def test_export_into_a_non_empty_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    with pytest.raises(ErrExportTarget):
        export_vectors(tmp_path, ("math/ints",))
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_export_of_an_unknown_handler_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ErrUnknownHandler):
        export_vectors(tmp_path / "x", ("nope/handler",))
