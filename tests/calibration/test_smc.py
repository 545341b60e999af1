"""ABC-SMC recovers parameters from facts the model itself generated, and resumes its history."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from talentsim.calibration.evaluate import measure_runs, replicate, replication_seeds
from talentsim.calibration.facts import with_overrides
from talentsim.calibration.smc import Budget, Distance, fit_posterior, weighted_quantile
from talentsim.calibration.tables import identification
from talentsim.calibration.targets import FreeParameter, Settings, Target, TargetsFile
from talentsim.config import ConfigError, load_config
from talentsim.experiment.executors import SerialExecutor

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = Settings(fit_scale=0.02, fit_years=3, root_seed=5)
RD = FreeParameter(path="firms.rd_intensity_private", low=0.003, high=0.009)
CONTINUE = FreeParameter(path="progression.zhongzhi_continue", low=-0.6, high=1.6)
TRUTH = {RD.path: 0.006, CONTINUE.path: 0.4}


def _base():
    config = load_config(ROOT / "configs" / "zibo_baseline.yaml")
    return config.model_copy(update={"burn_in": 2})


def _synthetic(base, truth: dict[str, float]) -> TargetsFile:
    """Targets whose values are the model's mean outcomes at ``truth`` over four seeds."""
    shell = [
        Target(name="rd", value=0, band=(-1, 1), column="rd_intensity", window=(0, 3),
               source="synthetic"),
        Target(name="continue", value=0, band=(-1, 1), column="zhongzhi_continue_rate",
               window=(0, 3), source="synthetic"),
    ]  # fmt: skip
    config = with_overrides(base.model_copy(update={"scale": SETTINGS.fit_scale}), truth)
    with SerialExecutor() as executor:
        [runs] = replicate(executor, [config], replication_seeds(11, 4), SETTINGS.fit_years)
    means = measure_runs(TargetsFile(targets=shell), runs, config).mean()
    targets = [  # bands of ±5 % around the synthetic values
        t.model_copy(update={"value": float(means[t.name]), "band": (0.95 * m, 1.05 * m)})
        for t, m in ((t, float(means[t.name])) for t in shell)
    ]
    return TargetsFile(settings=SETTINGS, targets=targets)


@pytest.fixture(scope="module")
def synthetic():
    base = _base()
    return base, _synthetic(base, TRUTH)


def _recover(synthetic, tmp_path: Path, parameters: list[FreeParameter], budget: Budget):
    base, targets = synthetic
    with SerialExecutor() as executor:
        return fit_posterior(
            targets, base, executor, 1, tmp_path / "abc.db", budget, parameters=parameters
        )


def _covers(posterior, parameter: FreeParameter) -> bool:
    x, w = posterior.particles[parameter.path].to_numpy(), posterior.particles["weight"].to_numpy()
    low, high = weighted_quantile(x, w, 0.025), weighted_quantile(x, w, 0.975)
    return low <= TRUTH[parameter.path] <= high


def test_the_posterior_covers_the_parameter_that_generated_the_facts(synthetic, tmp_path) -> None:
    posterior = _recover(synthetic, tmp_path, [RD], Budget(population=10, generations=2))
    assert posterior.generations == 2
    assert _covers(posterior, RD)
    [row] = identification(posterior.particles, [RD]).itertuples()
    assert row.ratio < 0.7  # R&D intensity pins its parameter down


@pytest.mark.slow
def test_two_parameters_are_recovered_within_their_posterior_intervals(synthetic, tmp_path) -> None:
    posterior = _recover(synthetic, tmp_path, [RD, CONTINUE], Budget(population=40, generations=3))
    assert _covers(posterior, RD)
    assert _covers(posterior, CONTINUE)
    table = identification(posterior.particles, [RD, CONTINUE]).set_index("parameter")
    assert (table["ratio"] < 0.8).all()


def test_the_same_call_continues_the_stored_history(synthetic, tmp_path: Path) -> None:
    base, targets = synthetic
    db = tmp_path / "abc.db"
    lines: list[str] = []
    with SerialExecutor() as executor:
        first = fit_posterior(
            targets, base, executor, 1, db, Budget(population=6, generations=1),
            lines.append, parameters=[RD],
        )  # fmt: skip
        again = fit_posterior(
            targets, base, executor, 1, db, Budget(population=6, generations=2),
            lines.append, parameters=[RD],
        )  # fmt: skip
    assert (first.generations, again.generations) == (1, 2)
    assert again.simulations > first.simulations
    assert any(line.startswith("continuing") for line in lines)
    assert any("ABC-SMC" in line and "t: 1" in line for line in lines)


def test_a_history_of_other_parameters_is_refused(synthetic, tmp_path: Path) -> None:
    base, targets = synthetic
    db = tmp_path / "abc.db"
    with SerialExecutor() as executor:
        fit_posterior(targets, base, executor, 1, db, Budget(4, 1), parameters=[RD])
        with pytest.raises(ConfigError, match="holds a fit of"):
            fit_posterior(targets, base, executor, 1, db, Budget(4, 2), parameters=[CONTINUE])


def test_the_distance_counts_half_bands_and_refuses_undefined_facts() -> None:
    target = Target(name="t", value=1.0, band=(0.5, 1.5), column="x", source="s", weight=4.0)
    distance = Distance.of([target])
    assert distance({"t": 1.0}) == 0.0
    assert distance({"t": 1.5}) == pytest.approx(2.0)  # one half-band off, weight 4
    assert distance({"t": float("nan")}) == float("inf")


def test_weighted_quantiles_follow_the_weights() -> None:
    values = np.array([0.0, 1.0, 2.0])
    assert weighted_quantile(values, np.array([1.0, 1.0, 1.0]), 0.5) == pytest.approx(1.0)
    assert weighted_quantile(values, np.array([0.0, 0.0, 1.0]), 0.5) == pytest.approx(2.0)
