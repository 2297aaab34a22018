"""dait_chain.math: LegacyDec bit-exact with cosmossdk.io/math v1.4+, and bounded integers.

See specs/math.md.
"""

from dait_chain.math.ints import (
    INT64_MAX,
    INT64_MIN,
    SDK_INT_MAX,
    SDK_INT_MAX_BIT_LEN,
    UINT64_MAX,
    add_uint64,
    check_int64,
    check_sdk_int,
    check_uint64,
    mul_uint64,
    sub_uint64,
)
from dait_chain.math.legacy_dec import (
    MAX_ABS_RAW,
    PRECISION,
    PRECISION_MULTIPLIER,
    LegacyDec,
    max_dec,
    min_dec,
)

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "MAX_ABS_RAW",
    "PRECISION",
    "PRECISION_MULTIPLIER",
    "SDK_INT_MAX",
    "SDK_INT_MAX_BIT_LEN",
    "UINT64_MAX",
    "LegacyDec",
    "add_uint64",
    "check_int64",
    "check_sdk_int",
    "check_uint64",
    "max_dec",
    "min_dec",
    "mul_uint64",
    "sub_uint64",
]
