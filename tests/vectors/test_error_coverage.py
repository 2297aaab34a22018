"""Every registered error appears in at least one vector, or is argued unreachable in
specs/vectors.md "Errors no vector reaches" (which the test reads).

The list is kept honest both ways: an error on it must be registered and must not appear
in any vector (otherwise it belongs off the list).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from dait_chain.errors import import_all_modules, registered_errors
from dait_chain.vectors.case import META

from .conftest import REPO

SPEC = REPO / "specs" / "vectors.md"
SECTION = "## Errors no vector reaches"
ROW = re.compile(r"^\|\s*`([a-z_]+)/(\d+)`\s*\|\s*`?(\w+)`?\s*\|(.+)\|\s*$")


def unreachable_list() -> dict[tuple[str, int], str]:
    """(codespace, code) -> error name, from the spec's table."""
    text = SPEC.read_text(encoding="utf-8")
    assert SECTION in text, f"{SPEC} has no section {SECTION!r}"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows: dict[tuple[str, int], str] = {}
    for line in section.splitlines():
        match = ROW.match(line.strip())
        if match:
            codespace, code, name, why = match.groups()
            assert why.strip(), f"{codespace}/{code} is listed without an argument"
            rows[(codespace, int(code))] = name
    return rows


def errors_in_vectors(root: Path) -> set[tuple[str, int]]:
    found: set[tuple[str, int]] = set()
    for path in root.rglob(META):
        for ref in json.loads(path.read_bytes())["errors"]:
            codespace, code = ref.split("/")
            found.add((codespace, int(code)))
    return found


def test_every_registered_error_appears_in_a_vector_or_is_argued_unreachable(
    vector_set: Path,
) -> None:
    import_all_modules()
    reached = errors_in_vectors(vector_set)
    argued = unreachable_list()
    missing = [
        f"{e.codespace}/{e.code} {e.name}"
        for e in registered_errors()
        if (e.codespace, e.code) not in reached and (e.codespace, e.code) not in argued
    ]
    assert missing == []


def test_the_unreachable_list_names_registered_errors_no_vector_reaches(
    vector_set: Path,
) -> None:
    import_all_modules()
    registered = {(e.codespace, e.code): e.name for e in registered_errors()}
    reached = errors_in_vectors(vector_set)
    for key, name in unreachable_list().items():
        assert registered.get(key) == name, f"{key} is not registered as {name}"
        assert key not in reached, f"{key} {name} appears in a vector: drop it from the list"
