"""Store layout of x/pouw (specs/pouw.md §4): namespace `pouw/`, one prefix byte per
collection. Prefixes are published with the state layout: never reuse one."""

from __future__ import annotations

from typing import Final

MODULE_NAME: Final = "pouw"

PARAMS_PREFIX: Final = 0x01
MODELS_PREFIX: Final = 0x02
HOST_CREDITS_PREFIX: Final = 0x03
VALIDATOR_CREDITS_PREFIX: Final = 0x04
COMMITS_PREFIX: Final = 0x05
COMMIT_EXPIRY_PREFIX: Final = 0x06
WATERMARKS_PREFIX: Final = 0x07
AUDITS_PREFIX: Final = 0x08
AUDIT_EXPIRY_PREFIX: Final = 0x09
AUDIT_COUNTERS_PREFIX: Final = 0x0A
NEXT_AUDIT_ID_PREFIX: Final = 0x0B
VOTER_HISTORY_PREFIX: Final = 0x0C
VOTE_EXTENSIONS_ENABLE_HEIGHT_PREFIX: Final = 0x0D
