"""Regenerate dait_chain/pb/ from proto/**/*.proto (specs/codec.md "Generator").

    python scripts/gen_proto.py           # rewrite dait_chain/pb/
    python scripts/gen_proto.py --check   # exit 1, listing stale files, if pb/ is out of date

protoc (from grpcio-tools) writes `<name>_pb2.py` with --python_out and typed stubs
`<name>_pb2.pyi` with --mypy_out (mypy-protobuf). The generated code imports its
dependencies as `dait.<module>.v1...`; we rewrite those imports to
`dait_chain.pb.dait.<module>.v1...` so the tree lives inside the package, and write an
empty `__init__.py` in every directory so each module imports as a regular package.
Output is deterministic: files are passed to protoc in sorted order and written in sorted
order, and nothing in it depends on the clock or the machine.
"""

from __future__ import annotations

import argparse
import filecmp
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "proto"
PB_ROOT = ROOT / "dait_chain" / "pb"
PB_PACKAGE = "dait_chain.pb"

# `from dait.x.v1 import y_pb2` and `import dait.x.v1.y_pb2` (the .pyi stubs use the latter).
_IMPORT_FROM = re.compile(r"^(\s*)from dait\.", re.MULTILINE)
_IMPORT_PLAIN = re.compile(r"^(\s*)import dait\.", re.MULTILINE)
# Stub annotations refer to dependencies by their full dotted path.
_QUALIFIED = re.compile(r"(?<![\w.])dait\.(?=\w+\.v\d+\.\w+_pb2\b)")

INIT_TEXT = '"""Generated protobuf code (scripts/gen_proto.py); do not edit."""\n'


def proto_files() -> list[Path]:
    """Every .proto under proto/, sorted, relative to proto/."""
    return sorted(p.relative_to(PROTO_ROOT) for p in PROTO_ROOT.rglob("*.proto"))


def protoc_include() -> Path:
    """grpc_tools' bundled include dir, which holds google/protobuf/*.proto."""
    import grpc_tools

    return Path(grpc_tools.__file__).resolve().parent / "_proto"


def mypy_plugin() -> str:
    """The path of protoc-gen-mypy (mypy-protobuf), next to this Python or on PATH."""
    beside = Path(sys.executable).parent / "protoc-gen-mypy"
    if beside.exists():
        return str(beside)
    found = shutil.which("protoc-gen-mypy")
    if found is None:
        raise SystemExit("protoc-gen-mypy not found: pip install mypy-protobuf")
    return found


def run_protoc(out_dir: Path) -> None:
    """Run protoc over every schema, writing raw generated files into out_dir."""
    files = [str(p) for p in proto_files()]
    cmd = [
        sys.executable,
        "-m",
        "grpc_tools.protoc",
        f"-I{PROTO_ROOT}",
        f"-I{protoc_include()}",
        f"--plugin=protoc-gen-mypy={mypy_plugin()}",
        f"--python_out={out_dir}",
        f"--mypy_out={out_dir}",
        *files,
    ]
    # protoc-gen-mypy reports each file it writes on stderr; show protoc's output only on failure.
    done = subprocess.run(cmd, cwd=PROTO_ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"protoc failed with exit code {done.returncode}")


def rewrite_imports(text: str) -> str:
    """Point the generated imports of dait.* at dait_chain.pb.dait.*."""
    text = _IMPORT_FROM.sub(rf"\1from {PB_PACKAGE}.dait.", text)
    text = _IMPORT_PLAIN.sub(rf"\1import {PB_PACKAGE}.dait.", text)
    return _QUALIFIED.sub(f"{PB_PACKAGE}.dait.", text)


def generate(out_dir: Path) -> None:
    """Write the complete dait_chain/pb tree (generated modules and __init__.py) to out_dir."""
    with tempfile.TemporaryDirectory() as raw_name:
        raw = Path(raw_name)
        run_protoc(raw)
        for src in sorted(raw.rglob("*")):
            if not src.is_file() or src.suffix not in (".py", ".pyi"):
                continue
            dst = out_dir / src.relative_to(raw)
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.write_text(rewrite_imports(src.read_text(encoding="utf-8")), encoding="utf-8")
    for directory in sorted({out_dir, *(p.parent for p in out_dir.rglob("*_pb2.py"))}):
        while True:
            (directory / "__init__.py").write_text(INIT_TEXT, encoding="utf-8")
            if directory == out_dir:
                break
            directory = directory.parent


def tree_files(root: Path) -> set[Path]:
    """The generated files under root (ignoring caches), relative to root."""
    return {
        p.relative_to(root)
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix in (".py", ".pyi")
    }


def stale_files(fresh: Path, current: Path) -> list[str]:
    """Paths that differ between a fresh generation and the committed tree, sorted."""
    want, have = tree_files(fresh), tree_files(current)
    stale = {str(p) for p in want ^ have}
    stale.update(
        str(p) for p in want & have if not filecmp.cmp(fresh / p, current / p, shallow=False)
    )
    return sorted(stale)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp_name:
        fresh = Path(tmp_name) / "pb"
        fresh.mkdir()
        generate(fresh)
        stale = stale_files(fresh, PB_ROOT)
        if args.check:
            for path in stale:
                print(f"stale: dait_chain/pb/{path}")
            return 1 if stale else 0
        for path in sorted(tree_files(PB_ROOT) - tree_files(fresh)):
            (PB_ROOT / path).unlink()
        for path in sorted(tree_files(fresh)):
            dst = PB_ROOT / path
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(fresh / path, dst)
        print(f"generated {len(tree_files(fresh))} files, {len(stale)} changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
