"""Store layout of x/tee_attest (specs/tee_attest.md §3): namespace `tee_attest/`."""

from __future__ import annotations

from typing import Final

MODULE_NAME: Final = "tee_attest"

PARAMS_PREFIX: Final = 0x01
