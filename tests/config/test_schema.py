"""Configs that validate make sense: finite, bounded numbers, typed wages, a scale floor."""

from __future__ import annotations

from pathlib import Path

import pytest

from talentsim.config import ConfigError, load_config, resolve_config

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "configs" / "zibo_baseline.yaml"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("firms:\n  revenue_per_worker: .inf\n", "firms.revenue_per_worker"),
        ("skills:\n  general_growth: .nan\n", "skills.general_growth"),
        ("city:\n  base_wage: {benke: -1}\n", "city.base_wage.benke"),
        ("city:\n  base_wage: {benke: .inf}\n", "city.base_wage.benke"),
        ("city:\n  base_wage: {graduate: .nan}\n", "city.base_wage.graduate"),
        ("city:\n  base_wage: {benke: 0}\n", "city.base_wage.benke"),
        ("city:\n  base_wage: {phd: 200000}\n", "city.base_wage.phd"),
        ("firms:\n  transaction_cost: 1.0e15\n", "firms.transaction_cost"),
        ("city:\n  cohort_size: 1000000000\n", "city.cohort_size"),
        ("city:\n  destinations: []\n", "city.destinations"),
        ("city:\n  initial_workforce: 0\n", "city.initial_workforce"),
        ("universities:\n  local: []\n", "universities.local needs at least one"),
        ("labour_market:\n  rounds: true\n", "labour_market.rounds"),
        ("firms:\n  poaching: '0.01'\n", "firms.poaching"),
        ("scale: 1.0e-9\n", "scale = 1e-09 simulates"),
        ("scale: 1.0e-4\n", "use scale >= 0.0023"),
    ],
)
def test_configs_that_would_run_into_nonsense_are_refused(tmp_path, body, named):
    path = tmp_path / "scenario.yaml"
    path.write_text(f"base: {BASELINE}\n{body}", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert named in str(err.value)
    assert "scenario.yaml" in str(err.value)


def test_one_base_wage_level_can_be_overridden_alone(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text(f"base: {BASELINE}\ncity:\n  base_wage: {{benke: 80000}}\n")
    wage = load_config(path).city.base_wage
    assert (wage["benke"], wage["secondary"], wage["graduate"]) == (80_000, 48_000, 105_000)
    assert resolve_config(BASELINE, {"city.base_wage.benke": 81_000}).city.base_wage.benke == 81_000


def test_the_smallest_allowed_scale_still_runs():
    from talentsim.model import simulate

    result = simulate(resolve_config(BASELINE, {"scale": 0.0025, "years": 2}))
    assert result.outcomes["graduates"].gt(0).all()
