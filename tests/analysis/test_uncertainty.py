"""Seed noise and parameter uncertainty of a paired effect: the one-way random-effects split."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from talentsim.analysis import load_dataset, run_study
from talentsim.analysis.report import render
from talentsim.analysis.study import key_findings
from talentsim.analysis.uncertainty import components, markdown_headline


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


def _with_draws(folder, draws: int):
    """Mark a synthetic scenario dataset as swept with ``draws`` posterior draws."""
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["experiment"]["posterior"] = {"file": "posterior.csv", "draws": draws, "seed": 0}
    manifest["experiment"]["replications"] = 8
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_analyze_reports_the_split_for_a_sweep_with_posterior_draws(scenario_dataset) -> None:
    folder = _with_draws(scenario_dataset({"incentives": 0.02}, replications=8), draws=4)
    study = run_study(load_dataset(folder))
    table = study.uncertainty.set_index(["scenario", "outcome"])
    row = table.loc[("incentives", "retention_3y")]
    assert row["effect"] == pytest.approx(0.02, abs=0.005)
    assert (row["draws"], row["seeds_per_draw"]) == (4, 2)
    assert any("with parameter uncertainty" in line for line in key_findings(study))
    assert "Parameter uncertainty" in render(study)
    chinese = render(study, "zh")
    assert "参数不确定性" in chinese and "含参数不确定性" in chinese
    assert "with parameter uncertainty" in markdown_headline(folder)


def test_a_sweep_without_draws_has_no_split(scenario_dataset) -> None:
    study = run_study(load_dataset(scenario_dataset({"incentives": 0.02})))
    assert study.uncertainty is None
