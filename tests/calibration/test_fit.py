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
TRUTH = {"firms.rd_intensity_private": 0.006, "progression.zhongzhi_continue": 0.4}
SETTINGS = Settings(fit_scale=0.02, fit_years=3, fit_seeds=2, root_seed=5)


def _synthetic_targets(base) -> TargetsFile:
    """Targets whose values are the model's own outcomes at TRUTH (same seeds as the fit)."""
    shell = [
        Target(name="rd", value=0, band=(-1, 1), column="rd_intensity",
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
    targets = [  # bands of ±5 % around the synthetic values
        t.model_copy(update={"value": v, "band": (0.95 * v, 1.05 * v)})
        for t, v in ((t, float(means[t.name])) for t in shell)
    ]
    return TargetsFile(settings=SETTINGS, targets=targets)


@pytest.fixture(scope="module")
def recovered() -> FitResult:
    base = load_config(ROOT / "configs" / "zibo_baseline.yaml")
    targets = _synthetic_targets(base)
    parameters = [
        FreeParameter(path="firms.rd_intensity_private", low=0.003, high=0.009),
        FreeParameter(path="progression.zhongzhi_continue", low=-0.6, high=1.6),
    ]
    with SerialExecutor() as executor:
        return fit(targets, base, executor, lhs_points=8, iterations=25, seed=3,
                   parameters=parameters)  # fmt: skip


def test_the_fit_recovers_the_parameters_that_generated_the_targets(recovered) -> None:
    assert recovered.values["firms.rd_intensity_private"] == pytest.approx(0.006, abs=0.0005)
    assert recovered.values["progression.zhongzhi_continue"] == pytest.approx(0.4, abs=0.25)


def test_the_fit_lowers_the_loss_from_the_starting_point(recovered) -> None:
    assert recovered.loss < 0.25 * recovered.start_loss
    assert recovered.loss <= min(e["loss"] for e in recovered.evaluations) + 1e-12


def test_written_values_form_a_config_base_that_validates(recovered, tmp_path: Path) -> None:
    fitted = tmp_path / "fitted.yaml"
    write_fitted(fitted, recovered, "test")
    assert yaml.safe_load(fitted.read_text())["firms"]["rd_intensity_private"] == pytest.approx(
        recovered.values["firms.rd_intensity_private"]
    )
    scenario = tmp_path / "scenario.yaml"
    baseline = yaml.safe_load((ROOT / "configs" / "zibo_baseline.yaml").read_text())
    baseline["base"] = "fitted.yaml"
    scenario.write_text(yaml.safe_dump(baseline, allow_unicode=True), encoding="utf-8")
    config = resolve_config(scenario)
    assert config.firms.rd_intensity_private == pytest.approx(
        recovered.values["firms.rd_intensity_private"]
    )


def test_the_fit_says_how_far_it_is_every_ten_evaluations_or_minute() -> None:
    from talentsim.calibration.fit import Objective

    lines: list[str] = []
    now = [0.0]
    objective = Objective(None, None, [], None, [], 1, say=lines.append, clock=lambda: now[0])  # type: ignore[arg-type]
    for k in range(25):
        objective.evaluations.append({"loss": 10.0 - k})
        now[0] += 1.0 if k < 22 else 100.0
        objective.report()
    assert lines == [
        "evaluation 10: loss 1.000, best 1.000",
        "evaluation 20: loss -9.000, best -9.000",
        "evaluation 23: loss -12.000, best -12.000",
        "evaluation 24: loss -13.000, best -13.000",
        "evaluation 25: loss -14.000, best -14.000",
    ]
