"""The committed dait_chain/pb/ is what scripts/gen_proto.py makes (specs/codec.md §7)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_generated_code_matches_the_schemas() -> None:
    """`gen_proto.py --check` regenerates into a temp dir and lists any stale file."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_proto.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, f"stale generated code; run scripts/gen_proto.py\n{done.stdout}"


def test_generated_imports_point_inside_the_package() -> None:
    """protoc writes `from dait.x.v1 import ...`; the generator rewrites it to
    dait_chain.pb.dait so the generated modules import as part of dait_chain."""
    from dait_chain.pb.dait.pouw.v1 import tx_pb2

    assert tx_pb2.DESCRIPTOR.name == "dait/pouw/v1/tx.proto"
    for path in sorted((ROOT / "dait_chain" / "pb").rglob("*_pb2.py*")):
        text = path.read_text(encoding="utf-8")
        assert "from dait." not in text, path
        assert "import dait." not in text, path
