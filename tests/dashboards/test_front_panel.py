"""Policy-search front in the dashboard: pick a candidate, get its scenario YAML."""

from __future__ import annotations

from pathlib import Path

import ipyvuetify as v
import pytest
import solara
import yaml

from dashboards.components.front import FrontPanel, is_search_dataset, load_front, scenario_yaml
from talentsim.config import resolve_config
from talentsim.experiment.optimize import run_search

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def search(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three candidates of one lever, two objectives in conflict: all three on the front."""
    folder = tmp_path_factory.mktemp("front")
    spec = {
        "name": "tiny_search",
        "scenario": str(REPO / "configs" / "scenarios" / "baseline.yaml"),
        "levers": {"policy.coordination.value": {"values": [0.0, 0.5, 1.0]}},
        "optimize": {
            "objectives": [
                {"outcome": "fiscal_cost_coordination", "sense": "minimize", "statistic": "sum"},
                {"outcome": "fiscal_cost_coordination", "sense": "maximize", "statistic": "final"},
            ],
            "population": 3,
            "trials": 3,
            "final_replications": 1,
        },
        "replications": 1,
        "years": 2,
        "scale": 0.01,
        "burn_in": 1,
    }
    path = folder / "search.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    run_search(path, folder / "out", executor="serial")
    return folder / "out"


def test_a_front_candidate_gives_a_runnable_scenario(search: Path, tmp_path: Path) -> None:
    assert is_search_dataset(search)
    manifest, front = load_front(search)
    assert len(front) >= 1
    row = front.iloc[-1]
    file = tmp_path / "candidate.yaml"
    file.write_text(scenario_yaml(manifest, row), encoding="utf-8")
    config = resolve_config(file)
    assert config.policy.coordination.value == row["policy.coordination.value"]
    assert config.name == f"tiny_search-trial-{int(row['trial'])}"


def test_picking_a_candidate_shows_its_yaml(search: Path) -> None:
    _, front = load_front(search)
    _, rc = solara.render(FrontPanel(search), handle_error=False)
    select = rc.find(v.Select).widget
    assert len(select.items) == len(front)
    select.v_model = select.items[-1]
    last = int(front.iloc[-1]["trial"])
    labels = [c for c in rc.find(v.Btn).widget.children if isinstance(c, str)]
    assert labels == [f"Download tiny_search-trial-{last}.yaml"]


def test_the_sweep_explorer_shows_the_front_of_a_search(search: Path) -> None:
    from dashboards.components.explorer import SweepView
    from dashboards.datasets import load_sweep

    _, rc = solara.render(SweepView(load_sweep(search), "zh"), handle_error=False)
    assert rc.find(v.Select, label="前沿上的方案").widget
    labels = [c for btn in rc.find(v.Btn).widgets for c in btn.children if isinstance(c, str)]
    assert any(label.startswith("下载 tiny_search-trial-") for label in labels)
