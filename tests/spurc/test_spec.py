"""specs/spurc.md and the code cannot drift: the error table, the misbehaviour table and
the rule keys are checked against the registry and the modules."""

from __future__ import annotations

import re
from pathlib import Path

from dait_chain.errors import registered_errors
from dait_chain.spurc.misbehave import EXPECTED_ERROR, Misbehave
from dait_chain.spurc.verify import RULES

SPEC = (Path(__file__).resolve().parents[2] / "specs" / "spurc.md").read_text(encoding="utf-8")


def test_error_table_lists_every_spurc_error_with_its_code_and_description() -> None:
    rows = {
        (int(m.group(1)), m.group(2), m.group(3))
        for m in re.finditer(r"^\| (\d+) \| `(Err\w+)` \| ([^|]+?) \|", SPEC, re.MULTILINE)
    }
    registered = {
        (e.code, e.name, e.description) for e in registered_errors() if e.codespace == "spurc"
    }
    assert rows == registered


def test_misbehaviour_table_matches_the_modes_and_their_errors() -> None:
    rows = {
        (m.group(1), m.group(2), int(m.group(3)))
        for m in re.finditer(
            r"^\| `([a-z-]+)` \| [^|]+ \| `(Err\w+)` \((\d+)\) \|", SPEC, re.MULTILINE
        )
    }
    expected = {
        (mode.value, err.__name__, err.code)
        for mode, err in EXPECTED_ERROR.items()
        if err is not None
    }
    assert rows == expected
    assert set(EXPECTED_ERROR) == set(Misbehave)


def test_check_order_table_names_every_rule() -> None:
    for rule in RULES:
        assert f"| {rule.key} |" in SPEC, rule.key
