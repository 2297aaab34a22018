"""verify_receipt against the signature verifications it performs, in instructions executed.

The benchmark (test_bench_spurc.py) states verify_receipt's target in CPU time. This script
counts what the CPU is asked to do instead, with Cachegrind: a count that does not depend on
load, clock or cache state, so the same commit, interpreter and libraries give the same
figures on any machine. The two together show how much of the CPU-time ratio is work and
how much is the rate at which the interpreter's work runs (specs/spurc.md §14).

Each subject runs n and 3n times in its own Cachegrind process; the difference of the two
counts over 2n calls is the per-call count, with the set-up (imports, recording the
channel) cancelled out.

Run: python bench/count_instructions.py [n]   (needs valgrind on PATH)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

SUBJECTS = ("cold", "all_four", "warm", "issue_three", "host_signatures")
# (subject, baseline, what the baseline is): the ratios of test_bench_spurc.py.
RATIOS = (
    ("cold", "all_four", "quote not cached / the 4 verifications it performs"),
    ("warm", "issue_three", "quote cache warm / the issue's 3 (host signature and quote)"),
    ("warm", "host_signatures", "quote cache warm / the 2 verifications it performs"),
)
_I_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def run_subject(name: str, calls: int) -> None:
    """Child mode: build the subjects and call `name` `calls` times."""
    sys.path.insert(0, str(Path(__file__).parent))
    from _spurc_subjects import verify_subjects

    fn = getattr(verify_subjects(), name)
    for _ in range(calls):
        fn()


def instructions(name: str, calls: int) -> int:
    """Instructions executed by a child process that calls `name` `calls` times."""
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--run",
        name,
        str(calls),
    ]
    # A fixed hash seed: the count must not depend on the interpreter's string hashing.
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    found = _I_REFS.search(out.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{out.stderr}")
    return int(found.group(1).replace(",", ""))


def per_call(name: str, n: int) -> float:
    """Instructions per call of `name`: (count at 3n - count at n) / 2n."""
    return (instructions(name, 3 * n) - instructions(name, n)) / (2 * n)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--run"]:
        run_subject(argv[1], int(argv[2]))
        return 0
    if shutil.which("valgrind") is None:
        print("valgrind is not on PATH", file=sys.stderr)
        return 2
    n = int(argv[0]) if argv else 100
    counts = {name: per_call(name, n) for name in SUBJECTS}
    for name, count in counts.items():
        print(f"{name}: {count:,.0f} instructions per call")
    for subject, baseline, what in RATIOS:
        print(f"verify_receipt, {what}: {counts[subject] / counts[baseline]:.3f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
