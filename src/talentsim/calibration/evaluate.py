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

from talentsim.calibration.targets import Target, TargetsFile, config_measure
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
    flows: pd.DataFrame | None = None
    firms: pd.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def measure(self, target: Target, config: CityConfig) -> float:
        """``target`` measured on this run (or read off ``config``)."""
        if target.config is not None:
            return config_measure(target, config)
        sizes = None if self.firms is None else self.firms["size_target"].to_numpy()
        return target.measure(self.outcomes, self.flows, sizes)


def execute(spec: RunSpec) -> RunOutput:
    """Simulate one replication (the function sent to worker processes)."""
    from talentsim.model import simulate

    result = simulate(spec.config, seed=spec.seed, years=spec.years)
    firms = None
    if spec.firms:
        table = result.model.firm_table
        active = table.active
        firms = pd.DataFrame({name: getattr(table, name)[active] for name in FIRM_COLUMNS})
    return RunOutput(outcomes=result.outcomes, flows=result.flows, firms=firms)


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
    """(runs × facts) table of every fact (fitted, check, validation) measured on each run."""
    every = targets.every()
    rows = [{t.name: run.measure(t, config) for t in every} for run in runs]
    return pd.DataFrame(rows, columns=[t.name for t in every])


def summarise(targets: TargetsFile, values: pd.DataFrame) -> pd.DataFrame:
    """Per fact: role, band, model mean, 95 % CI of the mean, 2.5–97.5 % of runs, inside."""
    rows = []
    n = len(values)
    for t in targets.every():
        v = values[t.name].to_numpy(dtype=float)
        mean = float(np.mean(v))
        sem = float(np.std(v, ddof=1) / np.sqrt(n)) if n > 1 else 0.0
        half = float(stats.t.ppf(0.975, n - 1) * sem) if n > 1 else 0.0
        rows.append(
            {
                "target": t.name,
                "role": targets.role(t.name),
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
