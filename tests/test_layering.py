"""The package's layers (specs/architecture.md "Layers"), enforced on the import graph.

Data flows down; nothing imports from a layer above it. Three documented exceptions:
- `dait_chain/app/` holds both the module contract (context, events, abci, module, ...)
  that every `x/<module>` builds on, and the app wiring (app.py, ante.py, genesis.py,
  modules.py, testkit.py) that builds the chain from the modules, as a Cosmos app.go
  does. Only the wiring may import `x/`; `module.py` imports keepers lazily, for typed
  accessors on `Keepers`.
- Each module's `simulation.py` and `fuzz.py` is harness glue (as Cosmos's
  x/<module>/simulation): it may import `dait_chain.sim` and the app wiring. Nothing
  else in `x/` may.
The test reads every import statement (top level and function level), so a lazy import
cannot hide an upward edge.
"""

from __future__ import annotations

import ast
from pathlib import Path

import dait_chain

PACKAGE = Path(dait_chain.__file__).parent

# Rank of each top-level area: a file may import areas of lower or equal rank only.
RANK = {
    "errors": 0,
    "math": 1,
    "crypto": 2,
    "pb": 3,
    "codec": 3,
    "store": 4,
    "spurc": 5,
    "app": 6,  # the module contract; the wiring files are ranked with x (below)
    "x": 7,
    "sim": 8,
    "sweeps": 9,
    "vectors": 9,
    "testing": 9,
    "cli": 10,
}
APP_WIRING = {"app", "ante", "genesis", "modules", "testkit", "module"}
HARNESS_GLUE = {"simulation", "fuzz"}


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def rank_of(module: str) -> int:
    """The layer rank of a dait_chain module name."""
    parts = module.split(".")
    if len(parts) == 1:
        return 0  # the package root (its __init__ imports nothing)
    area = parts[1]
    if area == "app" and len(parts) > 2 and parts[2] in APP_WIRING:
        return RANK["x"]  # wiring sits with the modules it wires
    return RANK[area]


def imports_of(path: Path) -> list[str]:
    """Every dait_chain module that `path` imports, at any depth of its code."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith("dait_chain.")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found += [m for m in (node.module or "",) if m.startswith("dait_chain.")]
    return found


def allowed(importer: str, imported: str) -> bool:
    """Whether the edge importer -> imported respects the layers and their exceptions."""
    if rank_of(imported) <= rank_of(importer):
        return True
    parts = importer.split(".")
    is_glue = len(parts) == 4 and parts[1] == "x" and parts[3] in HARNESS_GLUE
    return is_glue and imported.split(".")[1] in ("sim", "app")


def source_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "pb" not in p.relative_to(PACKAGE).parts)


def test_every_area_has_a_rank() -> None:
    areas = {p.relative_to(PACKAGE).parts[0] for p in source_files()}
    areas = {a.removesuffix(".py") for a in areas} - {"__init__"}
    assert areas <= set(RANK), f"areas without a layer rank: {sorted(areas - set(RANK))}"


def test_no_module_imports_from_a_layer_above_it() -> None:
    violations = [
        f"{module_name(path)} imports {imported}"
        for path in source_files()
        for imported in imports_of(path)
        if not allowed(module_name(path), imported)
    ]
    assert violations == []


def test_the_checker_sees_an_upward_import() -> None:
    """The rule is not vacuous: known upward edges are refused, known glue is allowed."""
    assert not allowed("dait_chain.codec.strict", "dait_chain.store.kv")
    assert not allowed("dait_chain.x.bank.keeper", "dait_chain.sim.harness")
    assert not allowed("dait_chain.app.context", "dait_chain.x.bank.keeper")
    assert not allowed("dait_chain.sim.harness", "dait_chain.cli.run")
    assert allowed("dait_chain.x.pouw.simulation", "dait_chain.sim.consensus")
    assert allowed("dait_chain.app.modules", "dait_chain.x.pouw.module")
