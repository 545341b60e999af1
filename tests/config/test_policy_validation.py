"""Out-of-range policy values are refused with a message that names the lever and the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from talentsim.config import ConfigError, resolve_config
from talentsim.config.schema import Lever, Policy

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "configs" / "zibo_baseline.yaml"

LEVERS = [
    name for name, info in Policy.model_fields.items() if info.json_schema_extra and
    "bounds" in info.json_schema_extra  # type: ignore[operator]
]  # fmt: skip


def bounds(name: str) -> dict[str, float]:
    return Policy.model_fields[name].json_schema_extra["bounds"]  # type: ignore[index]


def test_every_lever_field_is_a_bounded_lever():
    assert len(LEVERS) == 15
    for name in LEVERS:
        assert isinstance(getattr(Policy(), name), Lever)
        assert {"ge", "le"} <= set(bounds(name)), name


@pytest.mark.parametrize("name", LEVERS)
@pytest.mark.parametrize("side", ["below", "above"])
def test_out_of_range_lever_value_names_the_lever(name, side):
    limit = bounds(name)["ge"] if side == "below" else bounds(name)["le"]
    value = limit - 1 if side == "below" else limit * 2 + 1
    with pytest.raises(ConfigError) as err:
        resolve_config(BASELINE, {f"policy.{name}.value": value})
    message = str(err.value)
    assert f"policy.{name}.value" in message
    assert str(BASELINE) in message


@pytest.mark.parametrize("name", LEVERS)
def test_lever_values_at_the_bounds_are_accepted(name):
    for value in (bounds(name)["ge"], bounds(name)["le"]):
        config = resolve_config(BASELINE, {f"policy.{name}.value": value})
        assert getattr(config.policy, name).value == value


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("policy.coordination.start_year", -1),
        ("policy.park.land_ha", -5),
        ("policy.park.land_per_firm", 0),
        ("policy.park.start_year", 3000),
        ("policy.talent_subsidy.monthly_allowance", -100),
        ("policy.talent_subsidy.housing_grant", 5_000_000),
        ("policy.integration_compliance", 1.5),
        ("policy.land_value", -1),
    ],
)
def test_out_of_range_policy_setting_names_the_field(field, value):
    with pytest.raises(ConfigError) as err:
        resolve_config(BASELINE, {field: value})
    assert field in str(err.value)


def test_unknown_lever_setting_is_refused_by_name():
    with pytest.raises(ConfigError) as err:
        resolve_config(BASELINE, {"policy.coordination.strength": 0.5})
    assert "policy.coordination.strength: unknown field" in str(err.value)
