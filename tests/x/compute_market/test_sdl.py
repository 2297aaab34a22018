"""SDL manifests are parsed strictly (specs/compute_market.md §3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dait_chain.errors import DaitError
from dait_chain.x.compute_market.errors import (
    ErrAmountOverflow,
    ErrEscrowBelowMaxCost,
    ErrInvalidAmount,
    ErrInvalidAttribute,
    ErrInvalidModel,
    ErrSdlMissingKey,
    ErrSdlSyntax,
    ErrSdlUnknownKey,
    ErrSdlUnsupportedVersion,
    ErrSdlWrongType,
    ErrUnknownAttributeKey,
)
from dait_chain.x.compute_market.params import Params
from dait_chain.x.compute_market.sdl import parse_sdl
from dait_chain.x.compute_market.types import Attribute, JobSpec, MsgCreateDeployment

FIXTURE = Path(__file__).parent / "fixtures" / "job.sdl"
SEED_SDL = FIXTURE.read_text()
PARAMS = Params()


def sdl_with(**job_lines: str) -> str:
    """The seed's SDL with some `job` lines replaced (the value text, verbatim)."""
    lines = []
    for line in SEED_SDL.splitlines():
        key = line.strip().split(":", 1)[0]
        if line.startswith("  ") and not line.startswith("    ") and key in job_lines:
            line = f"  {key}: {job_lines[key]}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def test_seed_minimal_sdl_parses_to_the_seed_values() -> None:
    """Seed 000's minimal SDL, nested as its indentation implies, parses field for field."""
    sdl = parse_sdl(SEED_SDL, PARAMS)
    assert sdl.version == "1"
    assert sdl.job == JobSpec(
        model="qwen2.5-32b-instruct",
        attributes=(
            Attribute(key="gpu_class", value="hopper-or-newer"),
            Attribute(key="region", value="na-east"),
        ),
        replayable=True,
        price_ceiling_uDAIT=50,
        duration_blocks=3600,
    )
    assert sdl.escrow_uDAIT == 200_000
    assert sdl.to_msg("dait1owner") == MsgCreateDeployment(
        owner="dait1owner", job=sdl.job, escrow_uDAIT=200_000
    )


def test_attributes_are_stored_sorted_by_key_whatever_the_file_order() -> None:
    text = SEED_SDL.replace(
        "    gpu_class: hopper-or-newer\n    region: na-east\n",
        "    region: na-east\n    gpu_class: hopper-or-newer\n",
    )
    assert parse_sdl(text, PARAMS).job.attributes == parse_sdl(SEED_SDL, PARAMS).job.attributes


def test_empty_attribute_mapping_means_no_filter() -> None:
    text = SEED_SDL.replace(
        "  attributes:\n    gpu_class: hopper-or-newer\n    region: na-east\n",
        "  attributes: {}\n",
    )
    assert parse_sdl(text, PARAMS).job.attributes == ()


def test_quoted_strings_are_strings_even_when_they_look_like_yaml_keywords() -> None:
    assert parse_sdl(sdl_with(model='"on"'), PARAMS).job.model == "on"


@pytest.mark.parametrize(
    ("text", "error", "names"),
    [
        (SEED_SDL + "extra: 1\n", ErrSdlUnknownKey, "extra"),
        (sdl_with(replayable="true\n  gpu: 1"), ErrSdlUnknownKey, "job.gpu"),
        (SEED_SDL.replace("  model: qwen2.5-32b-instruct\n", ""), ErrSdlMissingKey, "job.model"),
        (SEED_SDL.replace('version: "1"\n', ""), ErrSdlMissingKey, "version"),
        (SEED_SDL.replace('version: "1"', "version: 1"), ErrSdlWrongType, "version"),
        (SEED_SDL.replace('version: "1"', 'version: "2"'), ErrSdlUnsupportedVersion, "version"),
        (sdl_with(replayable='"true"'), ErrSdlWrongType, "job.replayable"),
        (sdl_with(replayable="1"), ErrSdlWrongType, "job.replayable"),
        (sdl_with(price_ceiling_uDAIT="true"), ErrSdlWrongType, "job.price_ceiling_uDAIT"),
        (sdl_with(price_ceiling_uDAIT='"50"'), ErrSdlWrongType, "job.price_ceiling_uDAIT"),
        (sdl_with(duration_blocks="3600.0"), ErrSdlWrongType, "job.duration_blocks"),
        (sdl_with(model="42"), ErrSdlWrongType, "job.model"),
        (sdl_with(model="[a, b]"), ErrSdlWrongType, "job.model"),
        (
            SEED_SDL.replace("    gpu_class: hopper-or-newer\n    region: na-east\n", "").replace(
                "  attributes:", "  attributes: na-east"
            ),
            ErrSdlWrongType,
            "job.attributes",
        ),
        (SEED_SDL.replace("region: na-east", "region: 7"), ErrSdlWrongType, "region"),
        (SEED_SDL.replace("job:\n", "job: []\n", 1), ErrSdlSyntax, ""),
    ],
)
def test_structure_and_type_errors_name_the_offending_key(
    text: str, error: type[DaitError], names: str
) -> None:
    with pytest.raises(error) as info:
        parse_sdl(text, PARAMS)
    assert names in str(info.value)


@pytest.mark.parametrize(
    ("key", "value", "why"),
    [
        ("replayable", "on", "YAML 1.1 boolean"),
        ("replayable", "yes", "YAML 1.1 boolean"),
        ("replayable", "True", "YAML 1.2 core boolean"),
        ("replayable", "y", "YAML 1.1 boolean (spec, not PyYAML)"),
        ("model", "off", "YAML 1.1 boolean"),
        ("model", "null", "null"),
        ("model", "~", "null"),
        ("price_ceiling_uDAIT", "0x10", "hex integer"),
        ("price_ceiling_uDAIT", "0o10", "YAML 1.2 octal"),
        ("price_ceiling_uDAIT", "010", "YAML 1.1 octal"),
        ("price_ceiling_uDAIT", "1_000", "YAML 1.1 underscore integer"),
        ("price_ceiling_uDAIT", "+50", "signed integer"),
        ("duration_blocks", "1:30", "YAML 1.1 sexagesimal"),
        ("duration_blocks", "1e3", "YAML 1.2 float"),
        ("duration_blocks", ".inf", "infinity"),
        ("model", "2024-01-01", "YAML 1.1 timestamp"),
    ],
)
def test_ambiguous_plain_scalars_are_refused_as_wrong_type(key: str, value: str, why: str) -> None:
    """A plain scalar that some YAML version reads as a non-string is refused, naming the
    key, rather than silently taking one parser's reading."""
    with pytest.raises(ErrSdlWrongType) as info:
        parse_sdl(sdl_with(**{key: value}), PARAMS)
    assert f"job.{key}" in str(info.value), why


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (SEED_SDL + 'version: "1"\n', "version"),
        ("a: &x 1\nb: *x\n", "anchors"),
        ('version: !!str "1"\n', "tags"),
        (SEED_SDL + "---\n" + SEED_SDL, "single document"),
        ("", "empty"),
        ("# only a comment\n", "empty"),
        ("version: [\n", ""),
        ('<<: {version: "1"}\n', "merge"),
    ],
)
def test_non_plain_yaml_is_a_syntax_error(text: str, fragment: str) -> None:
    with pytest.raises(ErrSdlSyntax) as info:
        parse_sdl(text, PARAMS)
    assert fragment in str(info.value)


def test_oversized_manifest_is_a_syntax_error() -> None:
    with pytest.raises(ErrSdlSyntax):
        parse_sdl(SEED_SDL + "#" * 70_000 + "\n", PARAMS)


@pytest.mark.parametrize(
    ("key", "value", "error"),
    [
        ("price_ceiling_uDAIT", "0", ErrInvalidAmount),
        ("price_ceiling_uDAIT", "-50", ErrInvalidAmount),
        ("duration_blocks", "0", ErrInvalidAmount),
        ("escrow_uDAIT", "0", ErrInvalidAmount),
        ("escrow_uDAIT", "-1", ErrInvalidAmount),
        ("escrow_uDAIT", str(2**64), ErrAmountOverflow),
        ("duration_blocks", str(2**64), ErrAmountOverflow),
    ],
)
def test_amounts_must_be_positive_uint64(key: str, value: str, error: type[DaitError]) -> None:
    with pytest.raises(error) as info:
        parse_sdl(sdl_with(**{key: value}), PARAMS)
    assert f"job.{key}" in str(info.value)


def test_escrow_one_below_ceiling_times_duration_is_refused() -> None:
    """Akash node#1635: a lease must never run unfunded, so escrow >= 50 * 3600 = 180000."""
    with pytest.raises(ErrEscrowBelowMaxCost) as info:
        parse_sdl(sdl_with(escrow_uDAIT="179999"), PARAMS)
    assert "job.escrow_uDAIT" in str(info.value)
    assert parse_sdl(sdl_with(escrow_uDAIT="180000"), PARAMS).escrow_uDAIT == 180_000


def test_ceiling_times_duration_beyond_uint64_is_overflow() -> None:
    text = sdl_with(price_ceiling_uDAIT=str(2**32), duration_blocks=str(2**32))
    with pytest.raises(ErrAmountOverflow):
        parse_sdl(text, PARAMS)


@pytest.mark.parametrize(
    ("block", "error", "names"),
    [
        ("    vram_gb: 80x\n", ErrUnknownAttributeKey, "job.attributes.vram_gb"),
        ("    region: eu-west-or-newer\n", ErrInvalidAttribute, "job.attributes.region"),
        ("    gpu_class: mi300-or-newer\n", ErrInvalidAttribute, "job.attributes.gpu_class"),
        ('    region: ""\n', ErrInvalidAttribute, "job.attributes.region"),
        ('    region: "na east"\n', ErrInvalidAttribute, "job.attributes.region"),
    ],
)
def test_attribute_filters_are_checked_against_the_params(
    block: str, error: type[DaitError], names: str
) -> None:
    text = SEED_SDL.replace("    gpu_class: hopper-or-newer\n    region: na-east\n", block)
    with pytest.raises(error) as info:
        parse_sdl(text, PARAMS)
    assert names in str(info.value)


def test_known_attribute_keys_come_from_the_params() -> None:
    """A key the default params refuse is accepted once governance adds it."""
    text = SEED_SDL.replace("    region: na-east\n", "    region: na-east\n    tier: gold\n")
    with pytest.raises(ErrUnknownAttributeKey):
        parse_sdl(text, PARAMS)
    widened = Params(attribute_keys=(*PARAMS.attribute_keys, "tier"))
    assert Attribute(key="tier", value="gold") in parse_sdl(text, widened).job.attributes


@pytest.mark.parametrize("model", ['""', '"has space"', '"-leading-dash"', "a" * 129])
def test_model_id_must_be_a_short_token(model: str) -> None:
    with pytest.raises(ErrInvalidModel) as info:
        parse_sdl(sdl_with(model=model), PARAMS)
    assert "job.model" in str(info.value)
