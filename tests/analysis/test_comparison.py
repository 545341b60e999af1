from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from talentsim.analysis import DatasetError, load_dataset, run_study
from talentsim.analysis.comparison import compare_by_year, paired_comparison, summarise


def test_paired_difference_recovers_a_known_effect_exactly_without_own_noise(scenario_dataset):
    ds = load_dataset(scenario_dataset(noise=0.0))
    table = compare_by_year(ds, "baseline", ["retention_3y"])
    policy = table[table["scenario"] == "policy"]
    assert len(policy) == 5
    np.testing.assert_allclose(policy["diff"], 0.05, atol=1e-12)
    # every replication differs by exactly the effect: the paired interval has zero width
    np.testing.assert_allclose(policy["diff_high"] - policy["diff_low"], 0.0, atol=1e-12)
    # while each scenario's own interval carries the shared seed noise
    assert (policy["ci_high"] - policy["ci_low"]).min() > 0.01


def test_paired_interval_covers_the_effect_and_is_narrower_than_unpaired(scenario_dataset):
    ds = load_dataset(scenario_dataset(noise=0.004, replications=10))
    final = summarise(ds, "baseline", ["retention_3y"], "final").set_index("scenario")
    policy, weak = final.loc["policy"], final.loc["weak"]
    assert policy["diff_low"] < 0.05 < policy["diff_high"]
    assert weak["diff_low"] < 0.0 < weak["diff_high"]
    assert policy["diff_high"] - policy["diff_low"] < 0.5 * (policy["ci_high"] - policy["ci_low"])
    assert policy["diff_pct"] == pytest.approx(100 * policy["diff"] / policy["baseline_mean"])


def test_horizon_mean_is_reduced_within_run_before_pairing(scenario_dataset):
    ds = load_dataset(scenario_dataset(noise=0.0))
    horizon = summarise(ds, "baseline", ["retention_3y"], "mean").set_index("scenario")
    base = ds.outcomes[ds.outcomes["scenario"] == "baseline"]
    assert horizon.loc["baseline", "mean"] == pytest.approx(base["retention_3y"].mean())
    assert horizon.loc["policy", "diff"] == pytest.approx(0.05)
    assert horizon.loc["policy", "n_pairs"] == 8


def test_pairs_only_replications_present_in_both_scenarios():
    frame = pd.DataFrame(
        {"scenario": ["baseline", "baseline", "a", "a", "a"], "replication": [0, 1, 0, 1, 2],
         "y": [1.0, 2.0, 1.5, 2.5, 100.0]}
    )  # fmt: skip
    table = paired_comparison(frame, "baseline", ["y"]).set_index("scenario")
    assert table.loc["a", "n"] == 3
    assert table.loc["a", "n_pairs"] == 2
    assert table.loc["a", "diff"] == pytest.approx(0.5)


def test_missing_baseline_is_refused_with_the_names_present(scenario_dataset):
    ds = load_dataset(scenario_dataset())
    with pytest.raises(DatasetError, match=r"'status quo'.*baseline, policy, weak"):
        compare_by_year(ds, "status quo", ["retention_3y"])


def test_pair_correlation_shows_how_much_common_random_numbers_help(scenario_dataset):
    ds = load_dataset(scenario_dataset(noise=0.004, replications=10))
    table = summarise(ds, "baseline", ["retention_3y"], "mean").set_index("scenario")
    assert table.loc["baseline", "pair_corr"] == pytest.approx(1.0)
    # shared replication effect sd 0.05 ≫ own noise 0.004/√5: strongly correlated pairs
    assert table.loc["policy", "pair_corr"] > 0.95
    frame = pd.DataFrame(
        {"scenario": ["baseline"] * 4 + ["a"] * 4, "replication": [0, 1, 2, 3] * 2,
         "y": [1.0, 2.0, 3.0, 4.0, 4.0, 3.0, 2.0, 1.0]}
    )  # fmt: skip
    anti = paired_comparison(frame, "baseline", ["y"]).set_index("scenario")
    assert anti.loc["a", "pair_corr"] == pytest.approx(-1.0)


def test_a_failed_run_drops_only_its_pair_and_is_noted(scenario_dataset):
    folder = scenario_dataset(noise=0.0)
    runs = pd.read_parquet(folder / "runs.parquet")
    runs.loc[runs["run_id"] == "p1-r3", "status"] = "failed"
    runs.to_parquet(folder / "runs.parquet")
    study = run_study(load_dataset(folder), outcomes=["retention_3y"])
    final = study.final.set_index("scenario")
    assert final.loc["policy", "n_pairs"] == 7
    assert final.loc["weak", "n_pairs"] == 8
    assert final.loc["policy", "diff"] == pytest.approx(0.05)
    assert any("1 of 24 runs failed" in note for note in study.notes)
