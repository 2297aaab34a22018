"""Hypothesis profiles for tests/ and bench/ (this root conftest.py applies to both).

`ci` (the default, used by .ci/run and the README's test command): derandomized, no
example database, bounded example counts, so every run of the suite is the same run.
`dev`: random, with the local example database, for exploring.
`nightly`: many more examples, for deep fuzzing (HYPOTHESIS_PROFILE=nightly).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    print_blob=True,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.register_profile(
    "nightly",
    deadline=None,
    max_examples=5000,
    stateful_step_count=200,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
