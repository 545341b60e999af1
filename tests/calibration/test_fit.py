"""The calibration routine recovers known parameters from targets the model itself generated."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from talentsim.calibration.evaluate import measure_runs, replicate, replication_seeds
from talentsim.calibration.facts import with_overrides
from talentsim.calibration.fit import FitResult, fit, write_fitted
from talentsim.calibration.targets import FreeParameter, Settings, Target, TargetsFile
from talentsim.config import load_config, resolve_config
from talentsim.experiment.executors import SerialExecutor

ROOT = Path(__file__).resolve().parents[2]
TRUTH = {"migration.home_bias": 3.0, "progression.zhongzhi_continue": 0.4}
SETTINGS = Settings(fit_scale=0.02, fit_years=3, fit_seeds=2, root_seed=5)


def _synthetic_targets(base) -> TargetsFile:
    """Targets whose values are the model's own outcomes at TRUTH (same seeds as the fit)."""
    shell = [
        Target(name="retention", value=0, band=(-1, 1), column="local_retention_rate",
               window=(0, 3), source="synthetic"),
        Target(name="continue", value=0, band=(-1, 1), column="zhongzhi_continue_rate",
               window=(0, 3), source="synthetic"),
    ]  # fmt: skip
    truth = with_overrides(base.model_copy(update={"scale": SETTINGS.fit_scale}), TRUTH)
    with SerialExecutor() as executor:
        [runs] = replicate(
            executor, [truth], replication_seeds(SETTINGS.root_seed, 2), SETTINGS.fit_years
        )
    means = measure_runs(TargetsFile(targets=shell), runs, truth).mean()
    targets = [
        t.model_copy(update={"value": means[t.name], "band": (means[t.name] - 0.03,
                                                              means[t.name] + 0.03)})
        for t in shell
    ]  # fmt: skip
    return TargetsFile(settings=SETTINGS, targets=targets)


@pytest.fixture(scope="module")
def recovered() -> FitResult:
    base = load_config(ROOT / "configs" / "zibo_baseline.yaml")
    targets = _synthetic_targets(base)
    parameters = [
        FreeParameter(path="migration.home_bias", low=1.5, high=5.5),
        FreeParameter(path="progression.zhongzhi_continue", low=-0.6, high=1.6),
    ]
    with SerialExecutor() as executor:
        return fit(targets, base, executor, lhs_points=8, iterations=25, seed=3,
                   parameters=parameters)  # fmt: skip


def test_the_fit_recovers_the_parameters_that_generated_the_targets(recovered) -> None:
    assert recovered.values["migration.home_bias"] == pytest.approx(3.0, abs=0.4)
    assert recovered.values["progression.zhongzhi_continue"] == pytest.approx(0.4, abs=0.25)


def test_the_fit_lowers_the_loss_from_the_starting_point(recovered) -> None:
    assert recovered.loss < 0.25 * recovered.start_loss
    assert recovered.loss <= min(e["loss"] for e in recovered.evaluations) + 1e-12


def test_written_values_form_a_config_base_that_validates(recovered, tmp_path: Path) -> None:
    fitted = tmp_path / "fitted.yaml"
    write_fitted(fitted, recovered, "test")
    assert yaml.safe_load(fitted.read_text())["migration"]["home_bias"] == pytest.approx(
        recovered.values["migration.home_bias"]
    )
    scenario = tmp_path / "scenario.yaml"
    baseline = yaml.safe_load((ROOT / "configs" / "zibo_baseline.yaml").read_text())
    baseline["base"] = "fitted.yaml"
    scenario.write_text(yaml.safe_dump(baseline, allow_unicode=True), encoding="utf-8")
    config = resolve_config(scenario)
    assert config.migration.home_bias == pytest.approx(recovered.values["migration.home_bias"])
