"""Replications crossed with posterior draws: the draw of a replication, pairing, bad input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sweep_helpers import ROOT, SCENARIOS, tiny_experiment

from talentsim.calibration.targets import load_targets
from talentsim.config import ConfigError
from talentsim.config.reference import declared_uncertainties
from talentsim.experiment.runner import prepare

POSTERIOR = pd.DataFrame(
    {
        "migration.home_bias": [2.0, 3.0, 4.0, 5.0],
        "firms.exit_rate": [0.05, 0.06, 0.07, 0.08],
        "weight": [0.25, 0.25, 0.25, 0.25],
    }
)


def _experiment(tmp_path: Path, table: pd.DataFrame = POSTERIOR, **option: object) -> Path:
    table.to_csv(tmp_path / "posterior.csv", index=False)
    return tiny_experiment(
        tmp_path,
        design={"kind": "scenarios", "files": [str(SCENARIOS / "baseline.yaml"),
                                               str(SCENARIOS / "incentives.yaml")]},
        scenario=None, levers={}, uncertainties={}, replications=4,
        posterior={"file": "posterior.csv", "draws": 2, "seed": 3, **option},
    )  # fmt: skip


def test_each_replication_runs_its_draw_in_every_scenario(tmp_path: Path) -> None:
    _, tasks, manifest = prepare(_experiment(tmp_path))
    draws = manifest["posterior"]["draws"]
    assert len(draws) == 2 and draws[0] != draws[1]
    for task in tasks:
        expected = draws[task.replication % 2]
        assert task.config["migration"]["home_bias"] == expected["migration.home_bias"]
        assert task.config["firms"]["exit_rate"] == expected["firms.exit_rate"]
    by_replication: dict[int, set] = {}
    for task in tasks:
        key = (task.seed_entropy, task.seed_spawn_key, task.config["migration"]["home_bias"])
        by_replication.setdefault(task.replication, set()).add(key)
    assert all(len(keys) == 1 for keys in by_replication.values())  # paired across scenarios
    assert {t.scenario for t in tasks} == {"baseline", "incentives"}


def test_the_draws_and_their_hash_follow_the_posterior_file(tmp_path: Path) -> None:
    _, _, first = prepare(_experiment(tmp_path))
    shifted = POSTERIOR.assign(**{"migration.home_bias": POSTERIOR["migration.home_bias"] + 1})
    _, _, second = prepare(_experiment(tmp_path, shifted))
    assert first["experiment_hash"] != second["experiment_hash"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"file": "missing.csv"}, "posterior.file: no posterior sample"),
        ({"draws": 3}, "replications: 4 is not a multiple of posterior.draws"),
        ({"draws": 8}, None),
    ],
)
def test_bad_posterior_options_name_the_field(tmp_path: Path, change, message) -> None:
    path = _experiment(tmp_path, **change)
    if change.get("draws") == 8:  # more draws than particles (and a multiple of 4 is not 8)
        path = tiny_experiment(
            tmp_path, design={"kind": "scenarios", "files": [str(SCENARIOS / "baseline.yaml")]},
            scenario=None, levers={}, uncertainties={}, replications=8,
            posterior={"file": "posterior.csv", "draws": 8},
        )  # fmt: skip
        message = "posterior.draws: 8 draws from only 4 particles"
    with pytest.raises(ConfigError, match=message):
        prepare(path)


def test_a_column_that_is_not_a_real_config_field_is_refused(tmp_path: Path) -> None:
    table = POSTERIOR.rename(columns={"firms.exit_rate": "firms.no_such"})
    with pytest.raises(ConfigError, match=r"'firms\.no_such' is not a real-valued config field"):
        prepare(_experiment(tmp_path, table))


def test_posterior_draws_cross_the_declared_uncertainties(tmp_path: Path) -> None:
    posterior = tmp_path / "posterior.csv"
    POSTERIOR.to_csv(posterior, index=False)
    path = tiny_experiment(
        tmp_path, levers={}, uncertainties="declared", design={"kind": "lhs", "n": 3},
        replications=4, posterior={"file": "posterior.csv", "draws": 2, "seed": 3},
    )  # fmt: skip
    _, tasks, manifest = prepare(path)
    draws = manifest["posterior"]["draws"]
    declared = declared_uncertainties()
    assert len(tasks) == 3 * 4
    for task in tasks:  # every run: its point's declared values and its replication's draw
        draw = draws[task.replication % 2]
        assert task.config["migration"]["home_bias"] == draw["migration.home_bias"]
        low, high = declared["firms.trainee_gain"]
        value = task.config["firms"]["trainee_gain"]
        assert low <= value <= high
    points = {(t.point_id, t.config["firms"]["trainee_gain"]) for t in tasks}
    assert len({point for point, _ in points}) == len(points) == 3  # a point is one value set


def test_no_fitted_parameter_is_also_a_declared_uncertainty() -> None:
    """A fit's posterior and ``uncertainties: declared`` never set the same field."""
    targets = load_targets(ROOT / "configs" / "calibration" / "targets.yaml")
    fitted = {parameter.path for parameter in targets.free_parameters}
    assert not fitted & set(declared_uncertainties())
