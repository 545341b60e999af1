"""Seed noise and parameter uncertainty of a paired effect: the one-way random-effects split."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentsim.analysis.uncertainty import components


def _pairs(between: float, within: float, draws: int = 40, seeds: int = 10) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    level = rng.normal(0, between, draws)
    rows = [
        {"draw": d, "effect": 1.0 + level[d] + rng.normal(0, within)}
        for d in range(draws)
        for _ in range(seeds)
    ]
    return pd.DataFrame(rows)


def test_the_components_recover_the_two_variances() -> None:
    result = components(_pairs(between=0.5, within=0.2))
    assert result["var_param"] == pytest.approx(0.25, rel=0.35)
    assert result["var_seed"] == pytest.approx(0.04, rel=0.15)
    assert result["run_param_share"] > 0.8
    assert result["low"] < result["seed_low"] < result["effect"] < result["seed_high"]
    assert result["high"] > result["seed_high"]


def test_without_parameter_effects_the_two_intervals_nearly_agree() -> None:
    result = components(_pairs(between=0.0, within=0.2))
    assert result["param_share"] < 0.5
    width = result["high"] - result["low"]
    seed_width = result["seed_high"] - result["seed_low"]
    assert width == pytest.approx(seed_width, rel=0.6)
