"""Replication seeds: SeedSequence spawning, common random numbers, stored and rebuildable."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sweep_helpers import SCENARIOS

from talentsim.experiment.seeds import rebuild_seed, replication_seeds, spawn_key_text


def test_replication_seeds_are_the_spawned_children_of_the_root() -> None:
    seeds = replication_seeds(123, 4)
    expected = np.random.SeedSequence(123).spawn(4)
    assert [s.generate_state(4).tolist() for s in seeds] == [
        s.generate_state(4).tolist() for s in expected
    ]


def test_stored_entropy_and_spawn_key_rebuild_the_seed() -> None:
    seed = replication_seeds(99, 3)[2]
    rebuilt = rebuild_seed(int(seed.entropy), spawn_key_text(seed.spawn_key))
    assert spawn_key_text(seed.spawn_key) == "2"
    assert rebuilt.generate_state(8).tolist() == seed.generate_state(8).tolist()


def test_every_design_point_uses_the_same_replication_seeds(serial_dataset: Path) -> None:
    runs = pd.read_parquet(serial_dataset / "runs.parquet")
    by_replication = runs.groupby("replication")[["seed_entropy", "seed_spawn_key"]].nunique()
    assert (by_replication == 1).all().all()
    assert runs.groupby("replication")["seed_spawn_key"].first().tolist() == ["0", "1"]
    assert set(runs["seed_entropy"]) == {7}


def test_stored_seed_and_params_reproduce_a_run(tiny: Path, serial_dataset: Path) -> None:
    from talentsim.config import resolve_config
    from talentsim.model import simulate

    runs = pd.read_parquet(serial_dataset / "runs.parquet").set_index("run_id")
    run = runs.loc["p2-r1"]
    config = resolve_config(
        SCENARIOS / "baseline.yaml",
        {
            "years": 2,
            "scale": 0.01,
            "policy.apprenticeship_subsidy.value": run["policy.apprenticeship_subsidy.value"],
            "firms.trainee_gain": run["firms.trainee_gain"],
        },
    )
    again = simulate(config, seed=rebuild_seed(int(run["seed_entropy"]), run["seed_spawn_key"]))
    outcomes = pd.read_parquet(serial_dataset / "outcomes.parquet")
    stored = outcomes[outcomes["run_id"] == "p2-r1"][again.outcomes.columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(stored, again.outcomes.reset_index(drop=True))
