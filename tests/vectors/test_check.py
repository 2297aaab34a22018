"""Check: the exported set passes, and any tampering fails the case that holds it
(specs/vectors.md "Checking a set")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dait_chain.vectors.checker import check_one, check_vectors, json_difference
from dait_chain.vectors.errors import ErrManifestFormat, ErrNoVectorSet
from dait_chain.vectors.manifest import MANIFEST, build_manifest


def case_of(rel: str) -> str:
    return rel.rsplit("/", 1)[0]


@pytest.fixture(scope="module")
def scratch(vector_set: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the full set that tests may alter (and restore)."""
    target = tmp_path_factory.mktemp("scratch") / "set"
    shutil.copytree(vector_set, target)
    return target


@pytest.fixture(scope="module")
def case_files(vector_set: Path) -> list[str]:
    return sorted(json.loads((vector_set / MANIFEST).read_bytes())["files"])


def test_check_passes_on_the_exported_set(vector_set: Path) -> None:
    report = check_vectors(vector_set)
    assert report.manifest_problems == ()
    assert [(c.path, c.detail) for c in report.failed] == []
    assert len(report.cases) == json.loads((vector_set / MANIFEST).read_bytes())["cases"]


@settings(max_examples=40)
@given(data=st.data())
def test_altering_any_byte_of_any_case_fails_that_case(
    scratch: Path, case_files: list[str], data: st.DataObject
) -> None:
    """For a random file of a random case, a random byte XOR a non-zero mask: the check of
    that case fails; restoring the byte makes it pass again."""
    rel = data.draw(st.sampled_from(case_files), label="file")
    path = scratch / rel
    original = path.read_bytes()
    offset = data.draw(st.integers(0, len(original) - 1), label="offset") if original else 0
    mask = data.draw(st.integers(1, 255), label="mask")
    altered = bytearray(original) if original else bytearray(b"\x00")
    altered[offset] ^= mask if original else 0x01
    path.write_bytes(bytes(altered))
    try:
        result = check_one(scratch, case_of(rel))
        assert not result.ok
        assert result.detail
    finally:
        path.write_bytes(original)
    assert check_one(scratch, case_of(rel)).ok


def test_a_removed_file_fails_its_case(scratch: Path, case_files: list[str]) -> None:
    rel = next(r for r in case_files if r.endswith("result.json"))
    path = scratch / rel
    original = path.read_bytes()
    path.unlink()
    try:
        result = check_one(scratch, case_of(rel))
    finally:
        path.write_bytes(original)
    assert not result.ok and "missing" in result.detail


def test_an_added_file_fails_its_case(scratch: Path, case_files: list[str]) -> None:
    case = case_of(case_files[0])
    extra = scratch / case / "extra.json"
    extra.write_text("{}\n")
    try:
        result = check_one(scratch, case)
    finally:
        extra.unlink()
    assert not result.ok and "extra.json" in result.detail


def test_an_altered_output_is_caught_by_replay_even_with_a_regenerated_manifest(
    tmp_path: Path, vector_set: Path
) -> None:
    """Whoever rewrites an output and the whole manifest still fails the replay, which names
    the JSON path of the first difference."""
    root = tmp_path / "set"
    shutil.copytree(vector_set / "math", root / "math")
    rel = "math/legacy_dec/mul/tie_to_even_down/result.json"
    (root / rel).write_text('{\n  "result": "0.000000000000000001"\n}\n')
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    cases = len({r.rsplit("/", 1)[0] for r in files})
    (root / MANIFEST).write_bytes(build_manifest(("math",), cases, files))
    report = check_vectors(root)
    assert report.manifest_problems == ()
    assert [c.path for c in report.failed] == ["math/legacy_dec/mul/tie_to_even_down"]
    assert "$.result" in report.failed[0].detail


def test_an_altered_manifest_is_reported(tmp_path: Path, vector_set: Path) -> None:
    root = tmp_path / "set"
    shutil.copytree(vector_set / "crypto", root / "crypto")
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    cases = len({r.rsplit("/", 1)[0] for r in files})
    manifest = json.loads(build_manifest(("crypto",), cases, files))
    manifest["selection"] = ["all"]
    (root / MANIFEST).write_text(json.dumps(manifest))
    report = check_vectors(root)
    assert not report.ok
    assert any("manifest_sha256" in p for p in report.manifest_problems)


def test_a_malformed_manifest_is_refused(tmp_path: Path) -> None:
    (tmp_path / MANIFEST).write_text("[]")
    with pytest.raises(ErrManifestFormat):
        check_vectors(tmp_path)


def test_a_directory_without_manifest_is_not_a_vector_set(tmp_path: Path) -> None:
    with pytest.raises(ErrNoVectorSet):
        check_vectors(tmp_path)
    with pytest.raises(ErrNoVectorSet):
        check_vectors(tmp_path / "missing")


def test_json_difference_names_the_first_differing_path() -> None:
    expected = {"a": [1, {"b": "x"}], "c": 2}
    assert json_difference(expected, expected) is None
    assert (
        json_difference(expected, {"a": [1, {"b": "y"}], "c": 2})
        == '$.a[1].b: expected "x", got "y"'
    )
    assert json_difference(expected, {"a": [1, {"b": "x"}]}) == "$.c: expected 2, missing"
