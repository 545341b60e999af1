"""talentsim analyze on a policy-search dataset: front, parallel coordinates, convergence."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from talentsim.analysis import load_dataset, run_study
from talentsim.cli import app
from talentsim.experiment.optimize import run_search

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A six-trial search over one lever, with a constraint, swept serially."""
    folder = tmp_path_factory.mktemp("search")
    spec = {
        "scenario": str(ROOT / "configs" / "scenarios" / "baseline.yaml"),
        "levers": {"policy.coordination.value": {"range": [0, 1]}},
        "optimize": {
            "objectives": [
                {"outcome": "fiscal_cost", "sense": "minimize", "statistic": "sum"},
                {"outcome": "firm_participation_rate", "sense": "maximize"},
            ],
            "constraints": [{"outcome": "fiscal_cost_coordination", "max": 1.5e7}],
            "population": 3,
            "trials": 6,
            "final_replications": 3,
        },
        "replications": 2,
        "root_seed": 1,
        "years": 2,
        "scale": 0.01,
        "burn_in": 2,
    }
    path = folder / "search.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    run_search(path, folder / "out", executor="serial")
    return folder / "out"


def test_study_of_an_optimisation_dataset_has_its_trials_and_convergence(searched: Path) -> None:
    study = run_study(load_dataset(searched))
    result = study.optimisation
    assert result is not None
    assert result.levers == ["policy.coordination.value"]
    assert len(result.trials) == 6
    # the constraint (coordination costs at most 15 M RMB/yr: strength ≤ 0.75) holds on the front
    assert (result.front["policy.coordination.value"] <= 0.75).all()
    assert result.front["feasible"].all()
    best = result.convergence["best_sum_fiscal_cost"]
    assert list(result.convergence["generation"]) == [0, 1]
    assert (best.diff().dropna() <= 0).all()  # the best so far never gets worse
    assert not any("Sensitivity indices need" in n for n in study.notes)


def test_analyze_writes_the_front_levers_and_convergence_figures(
    searched: Path, tmp_path: Path
) -> None:
    report = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["analyze", str(searched), "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "on the front" in result.output
    page = report.read_text(encoding="utf-8")
    for words in ("Policy search", "Pareto front", "parcoords", "Convergence"):
        assert words in page
    front = pd.read_csv(tmp_path / "report_front.csv")
    assert len(front) >= 1 and "sum_fiscal_cost_high" in front.columns
    assert (tmp_path / "report_convergence.csv").exists()
    assert (tmp_path / "report_trials.csv").exists()
