"""The targets file: validation with clear messages, and how a target is measured on outcomes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from talentsim.calibration.targets import Target, TargetsFile, check_columns, load_targets
from talentsim.config import ConfigError, load_config
from talentsim.model import simulate

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ROOT / "configs" / "calibration" / "targets.yaml"


def _target(**changes: object) -> Target:
    spec = {"name": "t", "value": 1.0, "band": (0.5, 1.5), "column": "x", "source": "test"}
    return Target.model_validate({**spec, **changes})


def test_the_committed_file_has_more_fitted_targets_than_free_parameters() -> None:
    targets = load_targets(TARGETS)
    assert len(targets.targets) > len(targets.free_parameters) >= 5
    assert len(targets.validation) >= 5
    assert all(t.source.strip() for t in targets.every())
    assert all(t.band[0] <= t.value <= t.band[1] for t in targets.every())
    assert {p.path for p in targets.free_parameters} >= {"migration.home_bias"}


def test_facts_true_by_construction_are_checks_not_fitted_targets() -> None:
    targets = load_targets(TARGETS)
    checks = {t.name for t in targets.checks}
    assert {"specialty_points", "zhongzhi_benke_share", "districts_with_one_zhongzhi"} <= checks
    assert not checks & {t.name for t in targets.targets}
    assert targets.role("beveridge_slope") == "validation"


def test_every_target_column_is_an_outcome_of_the_model() -> None:
    config = load_config(ROOT / "configs" / "zibo_baseline.yaml").model_copy(update={"scale": 0.01})
    outcomes = simulate(config, seed=1, years=1).outcomes
    check_columns(load_targets(TARGETS), outcomes, "targets")


def test_a_target_naming_a_missing_outcome_is_reported_with_its_index() -> None:
    targets = TargetsFile(targets=[_target(column="no_such_outcome")])
    with pytest.raises(ConfigError, match=r"targets\.0\.column.*no_such_outcome"):
        check_columns(targets, pd.DataFrame({"x": [1.0]}), "targets.yaml")


def test_a_validation_pattern_relative_to_a_missing_outcome_is_named() -> None:
    targets = TargetsFile(targets=[_target()], validation=[_target(name="v", relative_to="nope")])
    with pytest.raises(ConfigError, match=r"validation\.0\.relative_to.*nope"):
        check_columns(targets, pd.DataFrame({"x": [1.0]}), "targets.yaml")


def test_names_repeated_across_the_lists_are_rejected() -> None:
    with pytest.raises(ValueError, match="unique"):
        TargetsFile(targets=[_target()], validation=[_target()])


def test_a_band_with_low_above_high_is_rejected_naming_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "targets.yaml"
    bad.write_text(
        "targets:\n  - {name: t, value: 1, band: [2, 1], column: x, source: s}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"(?s)targets\.yaml.*targets\.0.*low > high"):
        load_targets(bad)


def test_unknown_keys_in_a_target_are_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "targets.yaml"
    bad.write_text(
        "targets:\n  - {name: t, value: 1, band: [0, 2], column: x, source: s, bnad: 1}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"targets\.0\.bnad: unknown field"):
        load_targets(bad)


@pytest.mark.parametrize(
    ("aggregate", "window", "expected"),
    [("mean", (0, 2), 1.5), ("sum", (0, 3), 6.0), ("last", (0, 2), 2.0), ("max", (1, 4), 4.0)],
)
def test_a_target_aggregates_its_column_over_its_window(
    aggregate: str, window: tuple[int, int], expected: float
) -> None:
    outcomes = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]})
    assert _target(aggregate=aggregate, window=window).measure(outcomes) == expected


def test_a_ratio_divides_the_aggregates_of_two_columns() -> None:
    outcomes = pd.DataFrame({"x": [2.0, 4.0], "y": [1.0, 2.0]})
    assert _target(relative_to="y", window=(0, 2)).measure(outcomes) == pytest.approx(2.0)


def test_a_slope_is_the_within_run_regression_on_the_other_column() -> None:
    outcomes = pd.DataFrame({"u": [0.02, 0.03, 0.04], "x": [0.05, 0.04, 0.03]})
    target = _target(aggregate="slope", against="u", window=(0, 3))
    assert target.measure(outcomes) == pytest.approx(-1.0)


def test_a_flow_share_is_the_destination_share_of_the_source_outflows() -> None:
    outcomes = pd.DataFrame({"year": [2024, 2025]})
    flows = pd.DataFrame(
        {
            "year": [2024, 2024, 2025, 2026],
            "source": ["benke", "benke", "benke", "benke"],
            "target": ["left_city", "job_in_field", "left_city", "left_city"],
            "count": [10.0, 30.0, 10.0, 50.0],
        }
    )
    target = Target(name="f", value=0.3, band=(0, 1), flow=("benke", "left_city"),
                    window=(0, 2), source="s")  # fmt: skip
    assert target.measure(outcomes, flows) == pytest.approx(20 / 50)


def test_the_top_decile_share_of_employment_reads_the_firms() -> None:
    target = Target(name="f", value=0.5, band=(0, 1), firms="top_decile_employment_share",
                    source="s")  # fmt: skip
    sizes = np.array([91.0, *([1.0] * 9)])
    assert target.measure(pd.DataFrame({"year": [2024]}), None, sizes) == pytest.approx(0.91)


def test_a_slope_without_its_regressor_is_rejected() -> None:
    with pytest.raises(ValueError, match="against"):
        _target(aggregate="slope")
