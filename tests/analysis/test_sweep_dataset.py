from __future__ import annotations

import numpy as np
import pandas as pd

from talentsim.analysis import load_dataset, run_study


def test_scenarios_crossed_with_a_lever_get_one_label_per_point(sampled_dataset):
    x = np.array([[0.0], [5000.0], [0.0], [5000.0]])
    folder = sampled_dataset(
        x, ["policy.apprenticeship_subsidy.value"], np.array([1.0, 2.0, 3.0, 5.0]),
        {"kind": "scenarios"}, replications=2,
    )  # fmt: skip
    runs = pd.read_parquet(folder / "runs.parquet")
    runs["scenario"] = runs["point_id"].map({0: "baseline", 1: "baseline", 2: "park", 3: "park"})
    runs.to_parquet(folder / "runs.parquet")
    outcomes = pd.read_parquet(folder / "outcomes.parquet")
    outcomes["scenario"] = outcomes["point_id"].map(
        {0: "baseline", 1: "baseline", 2: "park", 3: "park"}
    )
    outcomes.to_parquet(folder / "outcomes.parquet")
    ds = load_dataset(folder)
    assert sorted(ds.scenarios) == [
        "baseline (apprenticeship_subsidy=0.0)",
        "baseline (apprenticeship_subsidy=5000.0)",
        "park (apprenticeship_subsidy=0.0)",
        "park (apprenticeship_subsidy=5000.0)",
    ]
    study = run_study(ds, outcomes=["y"])
    assert study.baseline == "baseline (apprenticeship_subsidy=0.0)"
    final = study.final.set_index("scenario")
    assert final.loc["park (apprenticeship_subsidy=5000.0)", "diff"] == 4.0
