"""Design sizes and contents: grid product, LHS n, Sobol N·(2D+2) / N·(D+2), Morris r·(D+1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sweep_helpers import SCENARIOS, tiny_experiment

from talentsim.experiment.design import describe, design_points
from talentsim.experiment.spec import load_experiment

THREE_RANGES = {
    "levers": {
        "policy.apprenticeship_subsidy.value": {"range": [0, 10000]},
        "policy.coordination.value": {"range": [0, 1]},
    },
    "uncertainties": {"firms.trainee_gain": {"range": [0.05, 0.3]}},
}


def points_of(tmp_path: Path, **changes: object) -> list:
    return design_points(load_experiment(tiny_experiment(tmp_path, **changes)))


@pytest.mark.parametrize(
    ("design", "size"),
    [
        ({"kind": "sobol", "n": 8, "second_order": True}, 8 * (2 * 3 + 2)),
        ({"kind": "sobol", "n": 8, "second_order": False}, 8 * (3 + 2)),
        ({"kind": "morris", "trajectories": 5, "levels": 4}, 5 * (3 + 1)),
        ({"kind": "lhs", "n": 13}, 13),
        ({"kind": "grid", "levels": 3}, 3 * 3 * 3),
    ],
)
def test_design_size(tmp_path: Path, design: dict, size: int) -> None:
    points = points_of(tmp_path, design=design, **THREE_RANGES)
    assert len(points) == size
    assert [p.point_id for p in points] == list(range(size))
    assert {p.scenario for p in points} == {f"point-{k}" for k in range(size)}


def test_grid_crosses_levers_with_uncertainties(tmp_path: Path) -> None:
    points = points_of(
        tmp_path,
        levers={"policy.apprenticeship_subsidy.value": {"values": [0, 2500, 5000]}},
        uncertainties={"firms.trainee_gain": {"range": [0.1, 0.3]}},
        design={"kind": "grid", "levels": 2},
    )
    combos = {
        (p.params["policy.apprenticeship_subsidy.value"], p.params["firms.trainee_gain"])
        for p in points
    }
    assert combos == {(s, g) for s in (0.0, 2500.0, 5000.0) for g in (0.1, 0.3)}


def test_sampled_points_stay_in_bounds_and_are_reproducible(tmp_path: Path) -> None:
    first = points_of(tmp_path, design={"kind": "lhs", "n": 20}, **THREE_RANGES)
    again = points_of(tmp_path, design={"kind": "lhs", "n": 20}, **THREE_RANGES)
    assert first == again
    for point in first:
        assert 0 <= point.params["policy.apprenticeship_subsidy.value"] <= 10000
        assert 0.05 <= point.params["firms.trainee_gain"] <= 0.3


def test_integer_fields_get_whole_numbers(tmp_path: Path) -> None:
    points = points_of(
        tmp_path,
        levers={"policy.park.land_ha": {"range": [0, 300]}},
        uncertainties={"labour_market.rounds": {"range": [1, 6]}},
        design={"kind": "lhs", "n": 10},
    )
    assert all(isinstance(p.params["labour_market.rounds"], int) for p in points)
    assert all(isinstance(p.params["policy.park.land_ha"], float) for p in points)


def test_scenarios_design_crosses_files_with_values(tmp_path: Path) -> None:
    path = tiny_experiment(
        tmp_path,
        scenario=None,
        design={
            "kind": "scenarios",
            "files": [str(SCENARIOS / "baseline.yaml"), str(SCENARIOS / "incentives.yaml")],
        },
        levers={"policy.apprenticeship_subsidy.value": {"values": [0, 5000]}},
        uncertainties={},
    )
    text = path.read_text().replace("scenario: null\n", "")
    path.write_text(text)
    points = design_points(load_experiment(path))
    assert [(p.scenario, p.params["policy.apprenticeship_subsidy.value"]) for p in points] == [
        ("baseline", 0.0),
        ("baseline", 5000.0),
        ("incentives", 0.0),
        ("incentives", 5000.0),
    ]


def test_manifest_design_lets_an_analysis_rebuild_the_sobol_sample(tmp_path: Path) -> None:
    from SALib.sample import sobol

    experiment = load_experiment(
        tiny_experiment(
            tmp_path, design={"kind": "sobol", "n": 8, "second_order": False}, **THREE_RANGES
        )
    )
    points = design_points(experiment)
    described = describe(experiment, points)
    assert described["problem"] == {
        "num_vars": 3,
        "names": [
            "policy.apprenticeship_subsidy.value",
            "policy.coordination.value",
            "firms.trainee_gain",
        ],
        "bounds": [[0, 10000], [0, 1], [0.05, 0.3]],
    }
    assert (described["n"], described["second_order"]) == (8, False)
    rebuilt = sobol.sample(
        described["problem"], 8, calc_second_order=False, seed=described["sampler_seed"]
    )
    assert rebuilt[5][2] == pytest.approx(points[5].params["firms.trainee_gain"])
