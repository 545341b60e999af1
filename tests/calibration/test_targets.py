"""The targets file: validation with clear messages, and how a target is measured on outcomes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from talentsim.calibration.evaluate import loss
from talentsim.calibration.targets import Target, TargetsFile, check_columns, load_targets
from talentsim.config import ConfigError, load_config
from talentsim.model import simulate

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ROOT / "configs" / "calibration" / "targets.yaml"


def _target(**changes: object) -> Target:
    spec = {"name": "t", "value": 1.0, "band": (0.5, 1.5), "column": "x", "source": "test"}
    return Target.model_validate({**spec, **changes})


def test_the_committed_targets_file_loads_with_sources_and_free_parameters() -> None:
    targets = load_targets(TARGETS)
    assert len(targets.targets) >= 15
    assert all(t.source.strip() for t in targets.targets)
    assert all(t.band[0] <= t.value <= t.band[1] for t in targets.targets)
    assert {p.path for p in targets.free_parameters} >= {"migration.home_bias"}


def test_every_target_column_is_an_outcome_of_the_model() -> None:
    config = load_config(ROOT / "configs" / "zibo_baseline.yaml").model_copy(update={"scale": 0.01})
    outcomes = simulate(config, seed=1, years=1).outcomes
    check_columns(load_targets(TARGETS), outcomes, "targets")


def test_a_target_naming_a_missing_outcome_is_reported_with_its_index() -> None:
    targets = TargetsFile(targets=[_target(column="no_such_outcome")])
    with pytest.raises(ConfigError, match=r"targets\.0\.column.*no_such_outcome"):
        check_columns(targets, pd.DataFrame({"x": [1.0]}), "targets.yaml")


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


def test_the_loss_is_zero_at_the_values_and_grows_in_half_bands() -> None:
    targets = TargetsFile(targets=[_target(weight=2.0)])
    assert loss(targets, {"t": 1.0}) == 0.0
    assert loss(targets, {"t": 1.5}) == pytest.approx(2.0)  # one half-band off, weight 2
