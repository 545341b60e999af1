from __future__ import annotations

import pytest

from talentsim.analysis import load_dataset
from talentsim.analysis.cost import cost_effectiveness
from talentsim.analysis.study import fmt


def test_cost_per_extra_retained_skilled_graduate_is_the_known_ratio(scenario_dataset):
    ds = load_dataset(scenario_dataset(noise=0.0))
    table = cost_effectiveness(ds, "baseline", ["retained_skilled_3y", "retention_3y"])
    row = table.set_index(["scenario", "outcome"]).loc[("policy", "retained_skilled_3y")]
    # per year: +1e8·0.05 RMB and +1e4·0.05 graduates → 10,000 RMB per extra graduate
    assert row["cost_per_unit"] == pytest.approx(10_000)
    assert row["cost_per_unit_low"] == pytest.approx(10_000)
    rate = table.set_index(["scenario", "outcome"]).loc[("policy", "retention_3y")]
    # 5 years × 5e6 RMB over +5 percentage points of mean retention
    assert rate["cost_per_unit"] == pytest.approx(5_000_000)


def test_no_ratio_without_a_significant_gain(scenario_dataset):
    ds = load_dataset(scenario_dataset(noise=0.002))
    row = cost_effectiveness(ds, "baseline", ["retention_3y"]).set_index("scenario").loc["weak"]
    assert row["note"] == "gain not significant"
    assert row["cost_per_unit"] != row["cost_per_unit"]  # NaN


def test_lower_is_better_outcomes_count_a_reduction_as_gain(scenario_dataset):
    ds = load_dataset(scenario_dataset(noise=0.0))
    row = cost_effectiveness(ds, "baseline", ["mismatch_flow"]).set_index("scenario").loc["policy"]
    assert row["gain"] == pytest.approx(5.0)  # −0.05 mismatch = +5 points


def test_table_numbers_read_in_millions_and_infinity():
    assert fmt(1_385_992) == "1.39 M"
    assert fmt(2.172e9) == "2,172 M"
    assert fmt(12_345) == "12,345"
    assert fmt(float("inf")) == "∞"
    assert fmt(0.05, signed=True) == "+0.0500"  # 3 significant digits


def test_extra_cost_splits_by_instrument_and_adds_up(scenario_dataset):
    from talentsim.analysis.cost import extra_cost_by_instrument

    ds = load_dataset(scenario_dataset(noise=0.0))
    split = extra_cost_by_instrument(ds, "baseline")
    total = cost_effectiveness(ds, "baseline", ["retained_skilled_3y"]).set_index("scenario")
    for scenario, rows in split.groupby("scenario"):
        assert rows["extra_cost"].sum() == pytest.approx(total.loc[scenario, "extra_cost"])
