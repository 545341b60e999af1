"""Shared burn-in: one burned-in city per replication and non-policy config, reused by scenarios."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sweep_helpers import tiny_experiment

from talentsim.config import load_config
from talentsim.experiment import burn_in
from talentsim.experiment.runner import run_sweep
from talentsim.model import simulate

ROOT = Path(__file__).resolve().parents[2]
SEED = np.random.SeedSequence(7, spawn_key=(1,))


def small(**update):
    config = load_config(ROOT / "configs" / "zibo_baseline.yaml")
    return config.model_copy(update={"scale": 0.01, "burn_in": 4, "years": 2, **update})


def test_the_key_ignores_policy_and_run_length_but_not_parameters_or_seed():
    base = small()
    policy = base.policy.model_copy(update={"coordination": {"value": 0.8, "start_year": 0}})
    same = base.model_copy(update={"policy": policy, "years": 7, "name": "other"})
    assert burn_in.burn_in_key(base, SEED) == burn_in.burn_in_key(same, SEED)
    changed = base.model_copy(update={"scale": 0.02})
    assert burn_in.burn_in_key(changed, SEED) != burn_in.burn_in_key(base, SEED)
    other_seed = np.random.SeedSequence(7, spawn_key=(2,))
    assert burn_in.burn_in_key(base, other_seed) != burn_in.burn_in_key(base, SEED)


def test_a_cached_burn_in_is_built_once_and_gives_the_runs_of_a_fresh_one(tmp_path, monkeypatch):
    built = []
    make = burn_in.burned_in_snapshot
    monkeypatch.setattr(
        burn_in, "burned_in_snapshot", lambda *a, **k: built.append(1) or make(*a, **k)
    )
    config = small()
    first = simulate(config, seed=SEED, city=burn_in.burned_in_city(config, SEED, tmp_path))
    second = simulate(config, seed=SEED, city=burn_in.burned_in_city(config, SEED, tmp_path))
    assert len(built) == 1
    assert len(list(tmp_path.glob("*.pickle"))) == 1 and not list(tmp_path.glob("*.tmp"))
    fresh = simulate(config, seed=SEED)
    pd.testing.assert_frame_equal(first.outcomes, fresh.outcomes)
    pd.testing.assert_frame_equal(second.outcomes, fresh.outcomes)


def test_a_sweep_burns_in_once_per_replication_and_config_and_cleans_up(tmp_path, monkeypatch):
    built = []
    make = burn_in.burned_in_snapshot
    monkeypatch.setattr(
        burn_in, "burned_in_snapshot", lambda *a, **k: built.append(1) or make(*a, **k)
    )
    # 2 lever levels x 2 levels of a parameter x 2 replications: the lever shares a burn-in
    experiment = tiny_experiment(tmp_path)
    out = tmp_path / "data"
    summary = run_sweep(experiment, out, executor="serial")
    assert summary.ok == 8
    assert len(built) == 4
    assert not (out / burn_in.CACHE_FOLDER).exists()


def test_an_unusable_cache_folder_falls_back_to_burning_in_here(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    config = small()
    city = burn_in.burned_in_city(config, SEED, blocker / "burn_in")
    fresh = simulate(config, seed=SEED)
    pd.testing.assert_frame_equal(simulate(config, seed=SEED, city=city).outcomes, fresh.outcomes)
