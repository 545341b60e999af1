"""Replicated runs of a config and the targets measured on them.

Runs go to any ``concurrent.futures.Executor`` (the experiment runner's ``serial``,
``processes`` or ``dask``); every run of one evaluation uses the same replication seeds
(``SeedSequence(root_seed).spawn(n)``), so two parameter sets are compared on common random
numbers.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from talentsim.calibration.targets import TargetsFile, config_measure
from talentsim.config.schema import CityConfig

FIRM_COLUMNS = ("size_target", "coop", "coop_years", "listed", "soe", "above_scale")


@dataclass(frozen=True)
class RunSpec:
    """One replication: the config, its seed, the years to simulate, what to return."""

    config: CityConfig
    seed: np.random.SeedSequence
    years: int
    firms: bool = False


@dataclass
class RunOutput:
    """A run's yearly outcomes and, if asked, its active firms at the end."""

    outcomes: pd.DataFrame
    firms: pd.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def execute(spec: RunSpec) -> RunOutput:
    """Simulate one replication (the function sent to worker processes)."""
    from talentsim.model import simulate

    result = simulate(spec.config, seed=spec.seed, years=spec.years)
    firms = None
    if spec.firms:
        table = result.model.firm_table
        active = table.active
        firms = pd.DataFrame({name: getattr(table, name)[active] for name in FIRM_COLUMNS})
    return RunOutput(outcomes=result.outcomes, firms=firms)


def replication_seeds(root_seed: int, count: int) -> list[np.random.SeedSequence]:
    """``count`` independent child seeds of ``root_seed`` (the same for every evaluation)."""
    return np.random.SeedSequence(root_seed).spawn(count)


def replicate(
    executor: Executor,
    configs: list[CityConfig],
    seeds: list[np.random.SeedSequence],
    years: int,
    firms: bool = False,
) -> list[list[RunOutput]]:
    """Run every config with every seed; returns outputs[config][seed]."""
    futures = [
        [executor.submit(execute, RunSpec(cfg, seed, years, firms)) for seed in seeds]
        for cfg in configs
    ]
    return [[f.result() for f in row] for row in futures]


def measure_runs(targets: TargetsFile, runs: list[RunOutput], config: CityConfig) -> pd.DataFrame:
    """(runs × targets) table of each target measured on each run."""
    rows = []
    for run in runs:
        rows.append(
            {
                t.name: (
                    t.measure(run.outcomes) if t.column is not None else config_measure(t, config)
                )
                for t in targets.targets
            }
        )
    return pd.DataFrame(rows, columns=[t.name for t in targets.targets])


def summarise(targets: TargetsFile, values: pd.DataFrame) -> pd.DataFrame:
    """Per target: band, model mean, 95 % CI of the mean, 2.5–97.5 % of runs, inside or not."""
    rows = []
    n = len(values)
    for t in targets.targets:
        v = values[t.name].to_numpy(dtype=float)
        mean = float(np.mean(v))
        sem = float(np.std(v, ddof=1) / np.sqrt(n)) if n > 1 else 0.0
        half = float(stats.t.ppf(0.975, n - 1) * sem) if n > 1 else 0.0
        rows.append(
            {
                "target": t.name,
                "value": t.value,
                "low": t.band[0],
                "high": t.band[1],
                "mean": mean,
                "ci_low": mean - half,
                "ci_high": mean + half,
                "run_low": float(np.percentile(v, 2.5)),
                "run_high": float(np.percentile(v, 97.5)),
                "inside": t.inside(mean),
                "z": (mean - t.value) / t.half_band,
            }
        )
    return pd.DataFrame(rows)


def loss(targets: TargetsFile, means: dict[str, float], names: list[str] | None = None) -> float:
    """Σ weight·((model − value)/half-band)² over the targets (or those in ``names``)."""
    total = 0.0
    for t in targets.targets:
        if names is not None and t.name not in names:
            continue
        m = means[t.name]
        total += t.weight * (((m - t.value) / t.half_band) ** 2 if np.isfinite(m) else 1e6)
    return float(total)
