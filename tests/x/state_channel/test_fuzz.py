"""The stateful fuzzer of x/state_channel under the active Hypothesis profile.

`ci` (the default): the profile's settings (derandomized, no database) with 300 runs of
up to 50 steps, about 25 s on a loaded machine (a run costs about 40 ms, so the profile's
60 would leave most of the minute CI allows unused). `nightly`: the profile as it is
(5,000 runs of up to 200 steps; HYPOTHESIS_PROFILE=nightly). A failure leaves the shrunk
run as a replayable tx stream in the test's tmp dir.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import settings

from dait_chain.sim.harness import Harness
from dait_chain.sim.stream import StreamReader
from dait_chain.x.state_channel.fuzz import run_fuzz

from .scene import make_scene

CI_EXAMPLES = 300
CI_STEPS = 50


def _profile_settings() -> settings:
    if settings.get_current_profile_name() == "nightly":
        return settings(settings.default, report_multiple_bugs=False)
    return settings(
        settings.default,
        max_examples=CI_EXAMPLES,
        stateful_step_count=CI_STEPS,
        report_multiple_bugs=False,
    )


def test_fuzzed_histories_keep_the_model_honesty_conservation_and_invariants(
    tmp_path: Path,
) -> None:
    """Invariant, after every block of every run: each tx is accepted exactly when the
    independent model of the rules accepts it, and the chain's records and settlements
    equal the model's; an honest host is paid at least its latest co-signed spent, an
    honest user at most its latest co-signed spent; a channel settles once; funds are
    conserved; x/state_channel's, x/bank's and x/auth's invariants hold."""
    failure = tmp_path / "state_channel_fuzz_failure.jsonl"
    report = run_fuzz(_profile_settings(), failure_path=failure)
    assert report.failure is None, f"{report.failure}\nshrunk stream: {report.stream}"
    assert report.examples > 0


def test_a_written_stream_replays_to_the_same_app_hashes(tmp_path: Path) -> None:
    """The fuzzer's failure output is a sim.stream tx stream: replaying one through the
    harness reproduces every block's results and app hash."""
    scene = make_scene()
    scene.calls(3)
    path = tmp_path / "run.jsonl"
    scene.chain.write_stream(path, {"steps": 3})
    reader = StreamReader(path)
    harness = Harness.from_stream_header(reader.header, reader.genesis())
    listed = harness.run_blocks(reader.blocks(), check=True)
    assert listed == len(scene.chain.blocks)
    assert harness.app.app_hash == scene.chain.app.app_hash
