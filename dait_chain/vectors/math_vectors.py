"""math vectors: LegacyDec (cosmossdk.io/math v1.4) and bounded integers.

specs/vectors.md "math"; the rules are specs/math.md's. Every case is one operation:
`input.json` {op, x, y | i | n | s | prec} with decimals as Go strings (what
`LegacyDec.String()` prints and `LegacyNewDecFromStr` reads) and integers as decimal
strings; `result.json` holds the result (a Go string, a decimal integer string, a bool)
or the typed error. Hand-written cases cover every rounding mode, Go's quirks and the
range edges; a seeded suite (fixed seed list) draws operands of every magnitude.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

from dait_chain.math.ints import (
    INT64_MAX,
    INT64_MIN,
    UINT64_MAX,
    add_uint64,
    check_int64,
    check_sdk_int,
    check_uint64,
    mul_uint64,
    sub_uint64,
)
from dait_chain.math.legacy_dec import MAX_ABS_RAW, LegacyDec, max_dec, min_dec
from dait_chain.vectors.files import JsonObject
from dait_chain.vectors.ops import OpCase, arg_int, arg_str, op_handler

SPEC = "specs/math.md"
RULE = (
    "Decimal math is LegacyDec of cosmossdk.io/math, bit-exact (18 decimals, banker's "
    "rounding where Go rounds, truncation where Go truncates, the same overflow bounds)."
)
SEEDS = (1, 2, 3)  # the seeded suite's fixed seed list

MAX = str(LegacyDec(MAX_ABS_RAW))
MIN = str(LegacyDec(-MAX_ABS_RAW))
ULP = "0.000000000000000001"


def _dec(obj: JsonObject, key: str) -> LegacyDec:
    return LegacyDec.from_str(arg_str(obj, key))


def _binary(method: Callable[[LegacyDec, LegacyDec], LegacyDec]) -> Callable[[JsonObject], str]:
    return lambda obj: str(method(_dec(obj, "x"), _dec(obj, "y")))


def _with_int(method: Callable[[LegacyDec, int], LegacyDec]) -> Callable[[JsonObject], str]:
    return lambda obj: str(method(_dec(obj, "x"), arg_int(obj, "i")))


def _unary(method: Callable[[LegacyDec], object]) -> Callable[[JsonObject], object]:
    def op(obj: JsonObject) -> object:
        value = method(_dec(obj, "x"))
        return str(value)  # LegacyDec as its Go string; integers as decimal strings

    return op


def _compare(obj: JsonObject) -> JsonObject:
    x, y = _dec(obj, "x"), _dec(obj, "y")
    return {
        "equal": x.equal(y),
        "gt": x.gt(y),
        "gte": x.gte(y),
        "lt": x.lt(y),
        "lte": x.lte(y),
        "min": str(min_dec(x, y)),
        "max": str(max_dec(x, y)),
    }


def _from_str(obj: JsonObject) -> JsonObject:
    d = LegacyDec.from_str(arg_str(obj, "s"))
    return {"value": str(d), "raw": str(d.raw)}


def _predicates(obj: JsonObject) -> JsonObject:
    x = _dec(obj, "x")
    return {
        "is_zero": x.is_zero(),
        "is_negative": x.is_negative(),
        "is_positive": x.is_positive(),
        "is_integer": x.is_integer(),
        "neg": str(x.neg()),
        "abs": str(x.abs()),
    }


DEC_OPS: dict[str, Callable[[JsonObject], object]] = {
    "from_str": _from_str,
    "from_int": lambda o: str(LegacyDec.from_int(arg_int(o, "i"))),
    "from_int_with_prec": lambda o: str(
        LegacyDec.from_int_with_prec(arg_int(o, "i"), arg_int(o, "prec"))
    ),
    "add": _binary(LegacyDec.add),
    "sub": _binary(LegacyDec.sub),
    "mul": _binary(LegacyDec.mul),
    "mul_truncate": _binary(LegacyDec.mul_truncate),
    "mul_round_up": _binary(LegacyDec.mul_round_up),
    "quo": _binary(LegacyDec.quo),
    "quo_truncate": _binary(LegacyDec.quo_truncate),
    "quo_round_up": _binary(LegacyDec.quo_round_up),
    "mul_int": _with_int(LegacyDec.mul_int),
    "mul_int64": _with_int(LegacyDec.mul_int64),
    "quo_int": _with_int(LegacyDec.quo_int),
    "quo_int64": _with_int(LegacyDec.quo_int64),
    "power": lambda o: str(_dec(o, "x").power(arg_int(o, "n"))),
    "approx_root": lambda o: str(_dec(o, "x").approx_root(arg_int(o, "n"))),
    "round_int": _unary(LegacyDec.round_int),
    "truncate_int": _unary(LegacyDec.truncate_int),
    "round_int64": _unary(LegacyDec.round_int64),
    "truncate_int64": _unary(LegacyDec.truncate_int64),
    "truncate_dec": _unary(LegacyDec.truncate_dec),
    "ceil": _unary(LegacyDec.ceil),
    "compare": _compare,
    "predicates": _predicates,
}

INT_OPS: dict[str, Callable[[JsonObject], object]] = {
    "check_uint64": lambda o: str(check_uint64(arg_int(o, "a"), "a")),
    "add_uint64": lambda o: str(add_uint64(arg_int(o, "a"), arg_int(o, "b"))),
    "sub_uint64": lambda o: str(sub_uint64(arg_int(o, "a"), arg_int(o, "b"))),
    "mul_uint64": lambda o: str(mul_uint64(arg_int(o, "a"), arg_int(o, "b"))),
    "check_int64": lambda o: str(check_int64(arg_int(o, "a"), "a")),
    "check_sdk_int": lambda o: str(check_sdk_int(arg_int(o, "a"), "a")),
}


def _case(suite: str, name: str, what: str, section: str, **args: object) -> OpCase:
    op = suite if suite in DEC_OPS or suite in INT_OPS else str(args.pop("op"))
    return OpCase(suite, name, what, RULE, f"{SPEC} {section}", {"op": op, **args})


def _rounding_edge() -> tuple[str, str]:
    """(x, y) with y = 2.000000000000000001 and x * y = max + r ulp, 1/2 < r < 1: the
    truncated product is max, the half-even one is max + 1 ulp (specs/math.md §4)."""
    p = 10**18
    y = 2 * p + 1
    x = (MAX_ABS_RAW * p + 3 * p // 4) // y
    while True:
        q, r = divmod(x * y, p)
        if q == MAX_ABS_RAW and r > p // 2:
            return str(LegacyDec(x)), str(LegacyDec(y))
        x += 1 if q < MAX_ABS_RAW or (q == MAX_ABS_RAW and r <= p // 2) else -1


def _hand_cases() -> Iterator[OpCase]:
    s3, s51, s4 = "§3", "§5.1", "§4"
    # from_str: Go's acceptance rules and error order
    for name, text, what in (
        ("plain", "1.5", "1.5"),
        ("integer", "42", "no fraction"),
        ("plus_sign", "+1.5", "a leading + reaches big.Int SetString"),
        ("plus_only", "+", "+ alone is 0 in Go"),
        ("double_minus", "--", "-- is 0 in Go"),
        (
            "double_minus_five",
            "--5",
            "the second - reaches SetString and the first negates it back",
        ),
        ("plus_dot", "+.5", "+.5 is 0.5"),
        ("leading_zeros", "007.50", "leading zeros are allowed"),
        ("eighteen_places", "0.123456789012345678", "18 fractional digits"),
        ("max", MAX, "the largest value, 2^256 - 10^-18"),
        ("min", MIN, "the smallest value"),
        ("empty", "", "empty string"),
        ("minus_only", "-", "a sign alone"),
        ("dot_five", ".5", "an empty integer part"),
        ("five_dot", "5.", "an empty fraction"),
        ("minus_dot_five", "-.5", "an empty integer part after the sign"),
        ("two_dots", "1.2.3", "more than one ."),
        ("nineteen_places", "0.1234567890123456789", "19 fractional digits"),
        ("space", " 1", "a space"),
        ("underscore", "1_000", "an underscore"),
        ("exponent", "1e5", "an exponent"),
        ("arabic_digit", "\u0663", "a non-ASCII digit"),
        ("beyond_max", f"{1 << 256}.0", "2^256: one ulp above the largest value"),
    ):
        yield _case("from_str", name, what, s3, s=text)
    yield _case(
        "from_int", "two_pow_256_minus_1", "the largest math.Int", "§3, §7", i=str((1 << 256) - 1)
    )
    yield _case("from_int", "two_pow_256", "2^256 does not fit math.Int", "§3, §7", i=str(1 << 256))
    for name, i, prec in (
        ("five_tenths", 5, 1),
        ("prec_18", 1, 18),
        ("prec_0", 7, 0),
        ("negative_prec", 1, -1),
        ("prec_19", 1, 19),
    ):
        yield _case(
            "from_int_with_prec", name, f"{i} with precision {prec}", s3, i=str(i), prec=prec
        )
    # addition and the range edges (v1.4: |raw| <= 2^256 * 10^18 - 1 on every result)
    yield _case("add", "simple", "1.5 + 2.25", s51, x="1.5", y="2.25")
    yield _case("add", "max_plus_ulp", "max + 10^-18 is out of range", s4, x=MAX, y=ULP)
    yield _case("add", "max_plus_zero", "max + 0 stays in range", s4, x=MAX, y="0")
    yield _case("sub", "min_minus_ulp", "min - 10^-18 is out of range", s4, x=MIN, y=ULP)
    yield _case("sub", "negative_result", "1 - 2.5", s51, x="1", y="2.5")
    # mul: half to even after the exact product
    yield _case(
        "mul", "tie_to_even_down", "1 ulp * 0.5 = 0.5 ulp rounds to 0", "§5.1", x=ULP, y="0.5"
    )
    yield _case(
        "mul",
        "tie_to_even_up",
        "3 ulp * 0.5 = 1.5 ulp rounds to 2 ulp",
        "§5.1",
        x="0.000000000000000003",
        y="0.5",
    )
    yield _case(
        "mul",
        "negative_tie",
        "-3 ulp * 0.5 = -1.5 ulp rounds to -2 ulp",
        "§5.1",
        x="-0.000000000000000003",
        y="0.5",
    )
    yield _case("mul", "above_half", "0.6 ulp rounds to 1 ulp", "§5.1", x=ULP, y="0.6")
    yield _case(
        "mul",
        "max_times_one",
        "max * 1: the unrounded product may exceed the bound",
        s4,
        x=MAX,
        y="1",
    )
    edge_x, edge_y = _rounding_edge()
    yield _case(
        "mul",
        "rounding_passes_max",
        "a product whose half-even rounding is max + 1 ulp: refused",
        s4,
        x=edge_x,
        y=edge_y,
    )
    yield _case(
        "mul_truncate",
        "rounding_passes_max",
        "the same product truncated is max: accepted",
        s4,
        x=edge_x,
        y=edge_y,
    )
    yield _case(
        "mul_truncate",
        "negative_toward_zero",
        "-1.5 ulp truncates to -1 ulp",
        s51,
        x="-0.000000000000000003",
        y="0.5",
    )
    yield _case("mul_round_up", "positive_up", "0.5 ulp rounds up to 1 ulp", s51, x=ULP, y="0.5")
    yield _case(
        "mul_round_up",
        "negative_toward_zero",
        "-1.5 ulp rounds up to -1 ulp",
        s51,
        x="-0.000000000000000003",
        y="0.5",
    )
    # quo: truncate to 36 places, then half-even to 18 (it rounds twice)
    yield _case(
        "quo",
        "rounds_twice",
        "1e-18 / 1.999999999999999999 is 0.50000000000000000025 ulp; Go returns 0",
        "§5.2",
        x=ULP,
        y="1.999999999999999999",
    )
    yield _case("quo", "one_third", "1 / 3", "§5.1", x="1", y="3")
    yield _case("quo", "two_thirds", "2 / 3 rounds up at the 18th place", "§5.1", x="2", y="3")
    yield _case("quo", "by_zero", "x / 0", "§5.1", x="1", y="0")
    yield _case(
        "quo", "max_by_one", "max / 1: the scaled dividend may exceed the bound", s4, x=MAX, y="1"
    )
    yield _case("quo", "max_by_half", "max / 0.5 is out of range", s4, x=MAX, y="0.5")
    yield _case("quo_truncate", "two_thirds", "2 / 3 truncated", "§5.1", x="2", y="3")
    yield _case("quo_truncate", "negative", "-2 / 3 toward zero", "§5.1", x="-2", y="3")
    yield _case("quo_truncate", "by_zero", "x / 0", "§5.1", x="1", y="0")
    yield _case("quo_round_up", "positive", "2 / 3 up", "§5.3", x="2", y="3")
    yield _case(
        "quo_round_up",
        "go_extra_ulp",
        "1 / -3 is -0.333333333333333332 (Go's ceiling plus one ulp)",
        "§5.3",
        x="1",
        y="-3",
    )
    yield _case(
        "quo_round_up",
        "negative_below_ulp",
        "-1 ulp / 3: |q| below one ulp, result 0",
        "§5.3",
        x="-" + ULP,
        y="3",
    )
    yield _case("quo_round_up", "exact", "6 / 3 exact", "§5.3", x="6", y="3")
    yield _case("quo_round_up", "by_zero", "x / 0", "§5.1", x="1", y="0")
    # integer operands
    yield _case("mul_int", "big", "1.5 * 2^200", "§5.1", x="1.5", i=str(1 << 200))
    yield _case("mul_int", "out_of_range", "2 * 2^256 is out of range", s4, x="2", i=str(1 << 255))
    yield _case("mul_int64", "negative", "1.25 * -4", "§5.1", x="1.25", i="-4")
    yield _case("mul_int64", "beyond_int64", "an operand of 2^63", "§7", x="1", i=str(1 << 63))
    yield _case(
        "quo_int",
        "toward_zero",
        "-7 / 2 truncates toward zero (Go's Quo)",
        "§2",
        x="-0.000000000000000007",
        i="2",
    )
    yield _case("quo_int", "by_zero", "x / 0", "§5.1", x="1", i="0")
    yield _case("quo_int64", "toward_zero", "10 / 3", "§5.1", x="10", i="3")
    yield _case("quo_int64", "by_zero", "x / 0", "§5.1", x="1", i="0")
    # power and roots
    yield _case(
        "power",
        "cube_rounds_per_step",
        "1.000000000000000001^3 rounds per multiplication",
        "§5.4",
        x="1.000000000000000001",
        n=3,
    )
    yield _case("power", "zero_exponent", "x^0 = 1", "§5.4", x="123.456", n=0)
    yield _case("power", "half_pow_10", "0.5^10", "§5.4", x="0.5", n=10)
    yield _case("power", "overflow", "2^256 is out of range", s4, x="2", n=256)
    yield _case("power", "negative_exponent", "n must be a uint64", "§7", x="2", n="-1")
    yield _case("approx_root", "sqrt_2", "ApproxSqrt(2)", "§5.4", x="2", n=2)
    yield _case(
        "approx_root",
        "cube_root_1e_8",
        "Go's oscillating 1e-8^(1/3) row",
        "§5.4",
        x="0.00000001",
        n=3,
    )
    yield _case(
        "approx_root",
        "negative_even_root",
        "(-9).approx_root(2) = -3: Go does not refuse",
        "§5.4",
        x="-9",
        n=2,
    )
    yield _case("approx_root", "root_zero", "any value's 0th root is 1", "§5.4", x="-5", n=0)
    yield _case("approx_root", "root_one", "the first root is the value", "§5.4", x="7.5", n=1)
    yield _case(
        "approx_root",
        "out_of_bounds",
        'an overflow inside the iteration is Go\'s "out of bounds"',
        "§5.4",
        x=MAX,
        n=3,
    )
    # to integers
    for name, x in (
        ("two_and_half", "2.5"),
        ("three_and_half", "3.5"),
        ("minus_two_and_half", "-2.5"),
        ("max", MAX),
    ):
        yield _case("round_int", name, f"RoundInt({x[:12]})", "§5.5", x=x)
    yield _case("truncate_int", "max", "TruncateInt(max) = 2^256 - 1", "§5.5", x=MAX)
    yield _case("truncate_int", "negative", "TruncateInt(-2.7) = -2", "§5.5", x="-2.7")
    yield _case("round_int64", "int64_max", "2^63 - 1", "§5.5", x=str(INT64_MAX))
    yield _case(
        "round_int64",
        "beyond",
        "2^63 - 0.5 rounds to 2^63: out of int64",
        "§5.5",
        x=str(INT64_MAX) + ".5",
    )
    yield _case("truncate_int64", "int64_min", "-2^63", "§5.5", x=str(INT64_MIN))
    yield _case("truncate_int64", "beyond", "-2^63 - 1", "§5.5", x=str(INT64_MIN - 1))
    yield _case("truncate_dec", "negative", "TruncateDec(-2.7) = -2", "§5.1", x="-2.7")
    yield _case("ceil", "negative", "Ceil(-2.7) = -2", "§5.1", x="-2.7")
    yield _case(
        "ceil", "positive", "Ceil(2.000000000000000001) = 3", "§5.1", x="2.000000000000000001"
    )
    yield _case("ceil", "max", "Ceil(max) = 2^256 is out of range", s4, x=MAX)
    yield _case("compare", "equal", "1.50 vs 1.5", "§6", x="1.50", y="1.5")
    yield _case("compare", "less", "-1 vs 1", "§6", x="-1", y="1")
    yield _case("predicates", "negative_fraction", "-0.5", "§6", x="-0.5")
    yield _case("predicates", "zero", "0", "§6", x="0")
    # bounded integers
    yield _case("check_uint64", "max", "2^64 - 1", "§7", a=str(UINT64_MAX))
    yield _case("check_uint64", "negative", "-1 is not a uint64", "§7", a="-1")
    yield _case("add_uint64", "overflow", "(2^64 - 1) + 1", "§7", a=str(UINT64_MAX), b="1")
    yield _case(
        "add_uint64", "fits", "2^63 + (2^63 - 1)", "§7", a=str(1 << 63), b=str((1 << 63) - 1)
    )
    yield _case("sub_uint64", "underflow", "1 - 2", "§7", a="1", b="2")
    yield _case("mul_uint64", "overflow", "2^32 * 2^32", "§7", a=str(1 << 32), b=str(1 << 32))
    yield _case("check_int64", "beyond", "2^63", "§7", a=str(1 << 63))
    yield _case("check_sdk_int", "beyond", "-2^256", "§7", a=str(-(1 << 256)))
    yield _case("check_sdk_int", "edge", "-(2^256 - 1)", "§7", a=str(-((1 << 256) - 1)))


def _random_dec(rng: random.Random) -> str:
    """A decimal of a random magnitude: 10^-18 .. 10^30, sometimes negative."""
    digits = rng.randint(1, 48)
    raw = rng.randint(1, 10**digits)
    if rng.random() < 0.3:
        raw = -raw
    return str(LegacyDec(raw))


def _seeded_cases() -> Iterator[OpCase]:
    binary = (
        "add",
        "sub",
        "mul",
        "mul_truncate",
        "mul_round_up",
        "quo",
        "quo_truncate",
        "quo_round_up",
    )
    for seed in SEEDS:
        rng = random.Random(f"dait-vectors/math/{seed}")
        for op in binary:
            for k in range(3):
                x, y = _random_dec(rng), _random_dec(rng)
                yield OpCase(
                    f"seeded_{op}",
                    f"seed_{seed}.{k}",
                    f"random operands (seed {seed})",
                    RULE,
                    f"{SPEC} §5.1",
                    {"op": op, "x": x, "y": y},
                )
        for k in range(3):
            x = str(LegacyDec(rng.randint(10**17, 3 * 10**18)))
            yield OpCase(
                "seeded_power",
                f"seed_{seed}.{k}",
                f"random base (seed {seed})",
                RULE,
                f"{SPEC} §5.4",
                {"op": "power", "x": x, "n": rng.randint(2, 40)},
            )
            yield OpCase(
                "seeded_approx_root",
                f"seed_{seed}.{k}",
                f"random value (seed {seed})",
                RULE,
                f"{SPEC} §5.4",
                {"op": "approx_root", "x": _random_dec(rng).lstrip("-"), "n": rng.randint(2, 5)},
            )
            yield OpCase(
                "seeded_round_int",
                f"seed_{seed}.{k}",
                f"random value (seed {seed})",
                RULE,
                f"{SPEC} §5.5",
                {"op": "round_int", "x": _random_dec(rng)},
            )


def dec_cases() -> Iterator[OpCase]:
    """The hand-written LegacyDec cases, then the seeded ones."""
    for case in _hand_cases():
        if case.input["op"] in DEC_OPS:
            yield case
    yield from _seeded_cases()


def int_cases() -> Iterator[OpCase]:
    """The bounded-integer cases."""
    for case in _hand_cases():
        if case.input["op"] in INT_OPS:
            yield case


HANDLERS = (
    op_handler(
        "math",
        "legacy_dec",
        "LegacyDec operations, rounding modes, range edges",
        DEC_OPS,
        dec_cases,
    ),
    op_handler("math", "ints", "uint64 / int64 / math.Int bounds", INT_OPS, int_cases),
)
