from __future__ import annotations

import numpy as np
import pytest
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami

from talentsim.analysis import DatasetError, load_dataset
from talentsim.analysis.sensitivity import morris_indices, sobol_indices

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}


def ishigami_folder(build, n=1024, fail_points=(), second_order=False):
    x = sobol_sample.sample(ISHIGAMI, n, calc_second_order=second_order, seed=7)
    design = {"kind": "sobol", "n": n, "second_order": second_order, "problem": ISHIGAMI}
    return build(x, ISHIGAMI["names"], Ishigami.evaluate(x), design, 2, fail_points)


@pytest.mark.parametrize("second_order", [False, True])
def test_sobol_indices_of_ishigami_match_the_analytic_values(sampled_dataset, second_order):
    ds = load_dataset(ishigami_folder(sampled_dataset, second_order=second_order))
    table = sobol_indices(ds, "y").set_index("parameter")
    np.testing.assert_allclose(table["S1"], [0.314, 0.442, 0.0], atol=0.05)
    np.testing.assert_allclose(table["ST"], [0.558, 0.442, 0.244], atol=0.06)
    assert (table["S1_conf"] > 0).all()
    assert (table["seed_noise_share"] == 0).all()  # replications agree exactly


def test_sobol_refuses_a_design_with_a_hole(sampled_dataset):
    ds = load_dataset(ishigami_folder(sampled_dataset, n=64, fail_points=(17,)))
    with pytest.raises(DatasetError, match=r"1 design point\(s\) have no successful run.*17"):
        sobol_indices(ds, "y")


def test_sobol_refuses_another_design(scenario_dataset):
    ds = load_dataset(scenario_dataset())
    with pytest.raises(DatasetError, match=r"'scenarios'.*needs? a 'sobol' design"):
        sobol_indices(ds, "retention_3y")


def test_morris_ranks_a_strong_lever_above_a_weak_one_and_an_inert_one(sampled_dataset):
    problem = {"num_vars": 3, "names": ["strong", "weak", "inert"], "bounds": [[0, 1]] * 3}
    x = morris_sample.sample(problem, 20, num_levels=4, seed=5)
    y = 10 * x[:, 0] + x[:, 1] + 3 * x[:, 0] * x[:, 1]
    design = {"kind": "morris", "trajectories": 20, "levels": 4, "problem": problem}
    ds = load_dataset(sampled_dataset(x, problem["names"], y, design))
    table = morris_indices(ds, "y").set_index("parameter")
    assert table.loc["strong", "mu_star"] > 3 * table.loc["weak", "mu_star"]
    assert table.loc["weak", "mu_star"] > 0.5
    assert table.loc["inert", "mu_star"] == pytest.approx(0.0, abs=1e-12)
