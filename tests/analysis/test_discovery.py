from __future__ import annotations

import numpy as np
from SALib.sample import latin

from talentsim.analysis import load_dataset
from talentsim.analysis.discovery import discover, peel


def test_peeling_finds_the_box_that_holds_the_cases():
    rng = np.random.default_rng(0)
    x = rng.random((2000, 3))
    cases = (x[:, 0] > 0.6) & (x[:, 1] < 0.4)
    trajectory, box, chosen = peel(x, cases, ["a", "b", "c"], min_coverage=0.8)
    box = box.set_index("parameter")
    assert abs(box.loc["a", "low"] - 0.6) < 0.08
    assert abs(box.loc["b", "high"] - 0.4) < 0.08
    assert not box.loc["c", "restricted"]
    row = trajectory.set_index("step").loc[chosen]
    assert row["density"] > 0.8
    assert row["coverage"] >= 0.8
    assert trajectory["mass"].is_monotonic_decreasing


def test_discover_on_an_lhs_dataset_restricts_the_lever_that_matters(sampled_dataset):
    problem = {"num_vars": 2, "names": ["policy.subsidy", "noise.k"], "bounds": [[0, 10]] * 2}
    x = latin.sample(problem, 400, seed=2)
    design = {"kind": "lhs", "n": 400, "problem": problem}
    ds = load_dataset(sampled_dataset(x, problem["names"], x[:, 0], design))
    result = discover(ds, "y", threshold=7.0)
    box = result.box.set_index("parameter")
    assert box.loc["policy.subsidy", "restricted"]
    assert abs(box.loc["policy.subsidy", "low"] - 7.0) < 0.5
    assert not box.loc["noise.k", "restricted"]  # limits that do not matter are lifted
    assert result.coverage > 0.9
    assert result.density > 0.9
    assert "y (mean) ≥ 7" in result.rule
