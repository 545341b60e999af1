"""Experiment files: bad input is refused with exit 2 and a message naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sweep_helpers import ROOT, tiny_experiment
from typer.testing import CliRunner

from talentsim.cli import app
from talentsim.config import ConfigError
from talentsim.experiment.spec import load_experiment

EXPERIMENTS = sorted((ROOT / "experiments").glob("*.yaml"))


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        (
            {"levers": {"policy.no_such_lever.value": {"range": [0, 1]}}},
            "levers['policy.no_such_lever.value']",
            "unknown config path",
        ),
        (
            {"uncertainties": {"firms.trainee_gain": {"range": []}}},
            "uncertainties['firms.trainee_gain'].range",
            "[low, high]",
        ),
        (
            {"uncertainties": {"firms.trainee_gain": {"range": [0.2, 0.2]}}},
            "uncertainties['firms.trainee_gain'].range",
            "empty range",
        ),
        (
            {"uncertainties": {"firms.trainee_gain": {"range": [0.3, 0.1]}}},
            "uncertainties['firms.trainee_gain'].range",
            "reversed bounds",
        ),
        ({"scenario": "no_such_scenario.yaml"}, "scenario", "file not found"),
        (
            {"levers": {"policy.apprenticeship_subsidy.value": {"values": [0, -5]}}},
            "levers['policy.apprenticeship_subsidy.value']",
            "rejected",
        ),
        ({"design": {"kind": "sobol", "n": 10}}, "design.n", "power of 2"),
        ({"design": {"kind": "lhs"}}, "design.n", "Field required"),
        ({"replications": 0}, "replications", "greater than or equal to 1"),
        ({"extra_key": 1}, "extra_key", "unknown field"),
        ({"replication": 3}, "replication", "did you mean 'replications'?"),
        (
            {"design": {"kind": "morris", "trajectory": 4}},
            "design.trajectory",
            "did you mean 'trajectories'?",
        ),
        (
            {"levers": {"policy.coordination.value": {"rnage": [0, 1]}}},
            "levers['policy.coordination.value'].rnage",
            "did you mean 'range'?",
        ),
        (
            {"levers": {"seed": {"values": [1, 2]}}},
            "levers['seed']",
            "set by the experiment itself",
        ),
        (
            {"levers": {"firms.trainee_gain": {"values": [0.1]}}},
            "uncertainties['firms.trainee_gain']",
            "also listed as a lever",
        ),
    ],
)
def test_bad_experiment_exits_2_naming_the_field(
    tmp_path: Path, changes: dict, field: str, words: str
) -> None:
    path = tiny_experiment(tmp_path, **changes)
    out = tmp_path / "out"
    for command in (["validate", str(path)], ["sweep", str(path), "--out", str(out)]):
        result = CliRunner().invoke(app, command)
        assert result.exit_code == 2, result.output
        assert str(path) in result.output
        assert field in result.output
        assert words in result.output
    assert not out.exists()


def test_unknown_path_is_caught_by_loading_not_running(tmp_path: Path) -> None:
    path = tiny_experiment(tmp_path, levers={"firms.trainee_gain.extra": {"range": [0, 1]}})
    with pytest.raises(ConfigError, match="unknown config path"):
        load_experiment(path)


def test_scenario_file_is_relative_to_the_experiment_file(tmp_path: Path) -> None:
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "mine.yaml").write_text(
        f"base: {ROOT / 'configs' / 'zibo_baseline.yaml'}\nname: mine\n", encoding="utf-8"
    )
    path = tiny_experiment(tmp_path, scenario="configs/mine.yaml")
    assert load_experiment(path).scenarios[0].name == "mine"


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.name)
def test_shipped_experiments_validate(path: Path) -> None:
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "valid experiment" in result.output


def test_recommendations_runs_six_scenarios_twenty_times_at_scale_025() -> None:
    experiment = load_experiment(ROOT / "experiments" / "recommendations.yaml")
    assert len(experiment.scenarios) == 6
    assert experiment.spec.replications == 20
    assert {s.config.scale for s in experiment.scenarios} == {0.25}


@pytest.mark.parametrize(
    "design",
    [
        {"kind": "grid", "levels": 1000},
        {"kind": "lhs", "n": 10**9},
        {"kind": "sobol", "n": 2**40},
        {"kind": "morris", "trajectories": 10**9},
    ],
)
def test_a_huge_design_is_refused_at_once(tmp_path, design):
    import time

    spec = {
        "scenario": str(ROOT / "configs" / "scenarios" / "baseline.yaml"),
        "levers": {"policy.apprenticeship_subsidy.value": {"range": [0, 5000]}},
        "uncertainties": {"firms.trainee_gain": {"range": [0.1, 0.3]},
                          "firms.poaching": {"range": [0.1, 0.3]}},
        "design": design,
    }  # fmt: skip
    path = tmp_path / "huge.yaml"
    path.write_text(yaml.safe_dump(spec))
    started = time.monotonic()
    with pytest.raises(ConfigError, match="an experiment may have at most 20,000 points"):
        load_experiment(path)
    assert time.monotonic() - started < 5


def test_declared_uncertainties_expand_to_every_declared_range() -> None:
    from talentsim.config.reference import declared_uncertainties
    from talentsim.experiment.spec import Experiment

    declared = declared_uncertainties()
    spec = Experiment.model_validate(
        {
            "scenario": "x.yaml",
            "levers": {"firms.coordination_cost_cut": {"range": [0.4, 0.8]}},
            "uncertainties": "declared",
            "design": {"kind": "morris", "trajectories": 2},
        }
    )
    assert set(spec.uncertainties) == set(declared) - {"firms.coordination_cost_cut"}
    assert spec.uncertainties["firms.demand_shock_sd"].range == list(
        declared["firms.demand_shock_sd"]
    )
    mixed = Experiment.model_validate(
        {
            "scenario": "x.yaml",
            "uncertainties": {"declared": True, "firms.demand_shock_sd": {"range": [0.0, 0.01]}},
            "design": {"kind": "lhs", "n": 4},
        }
    )
    assert mixed.uncertainties["firms.demand_shock_sd"].range == [0.0, 0.01]
    assert len(mixed.uncertainties) == len(declared)
