"""Fixtures of the harness tests: parsed scenarios, an app-hash recorder."""

from __future__ import annotations

import pytest

from dait_chain.sim.harness import BlockRun
from dait_chain.sim.scenario import Scenario, parse_scenario
from tests.sim.scenarios import CORE_ONLY, MINI_ALL


class HashLog:
    """Records the app hash after every block run, by height."""

    def __init__(self) -> None:
        self.hashes: dict[int, str] = {}

    def on_block(self, run: BlockRun) -> None:
        self.hashes[run.height] = run.result.app_hash.hex()


@pytest.fixture
def mini_all() -> Scenario:
    return parse_scenario(MINI_ALL, "mini-all.yaml")


@pytest.fixture
def core_only() -> Scenario:
    return parse_scenario(CORE_ONLY, "core-only.yaml")
