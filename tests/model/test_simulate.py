"""simulate(): the CLI's overrides, validated by the schema, and what a run returns."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from talentsim.config import load_config
from talentsim.model import simulate

BASELINE = Path(__file__).resolve().parents[2] / "configs" / "zibo_baseline.yaml"


@pytest.mark.parametrize(
    "override", [{"scale": 3.0}, {"scale": -0.1}, {"years": 0}, {"seed": -1}, {"scale": "big"}]
)
def test_overrides_out_of_range_are_refused_by_the_schema(override):
    with pytest.raises(ValidationError):
        simulate(load_config(BASELINE), **override)


def test_overrides_set_the_run_and_an_int_seed_lands_in_the_config():
    config = load_config(BASELINE).model_copy(update={"burn_in": 2})
    result = simulate(config, scale=0.01, years=2, seed=3)
    assert len(result.outcomes) == 2
    assert result.model.config.scale == 0.01 and result.model.config.seed == 3
    again = simulate(config.model_copy(update={"scale": 0.01, "years": 2, "seed": 3}))
    assert result.outcomes.equals(again.outcomes)
