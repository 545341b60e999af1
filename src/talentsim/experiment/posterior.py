"""Parameter uncertainty in a sweep: replications crossed with draws from a posterior sample.

An experiment with ``posterior: {file: configs/calibration/posterior.csv, draws: D}`` takes
``D`` parameter sets from the calibration's posterior sample (weighted, without replacement,
with the option's ``seed``) and gives replication ``r`` the draw ``r mod D``. Replication ``r``
has the same seed and the same draw in every scenario and design point, so differences between
scenarios stay paired; with ``replications = D × S`` each draw runs with ``S`` seeds, which
separates seed noise (within a draw) from parameter uncertainty (between draws) in
:mod:`talentsim.analysis.uncertainty`.
"""

from __future__ import annotations

import copy
import dataclasses
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from talentsim.config import ConfigError
from talentsim.config.loading import set_dotted

if TYPE_CHECKING:
    from talentsim.experiment.runner import RunTask
    from talentsim.experiment.spec import ResolvedExperiment

WEIGHT = "weight"
"""The posterior sample's weight column (every other column is a dotted config path)."""


class PosteriorDraws(BaseModel):
    """The ``posterior:`` option of an experiment."""

    model_config = ConfigDict(extra="forbid")

    file: str
    """Posterior sample CSV, relative to the experiment file."""
    draws: int = Field(ge=2, le=10_000)
    seed: int = Field(0, ge=0)


def draw_of(replication: int, draws: int) -> int:
    """The posterior draw replication ``replication`` runs with."""
    return replication % draws


def sample_path(experiment: ResolvedExperiment) -> Path:
    """The posterior sample file named by the experiment (relative to the experiment file)."""
    option = experiment.spec.posterior
    assert option is not None
    return (experiment.path.parent / option.file).resolve()


@cache
def _read(path: Path, mtime: float) -> pd.DataFrame:
    del mtime  # part of the cache key: a re-fit rewrites the file
    return pd.read_csv(path)


def draws(experiment: ResolvedExperiment) -> pd.DataFrame:
    """The ``D`` parameter sets (rows ``0 … D−1``; columns: dotted config paths).

    Raises:
        ConfigError: the file is missing or unusable, or has fewer particles than draws.

    """
    option = experiment.spec.posterior
    assert option is not None
    where = f"{experiment.path}: posterior.file"
    path = sample_path(experiment)
    if not path.is_file():
        raise ConfigError(f"{where}: no posterior sample {path}")
    table = _read(path, path.stat().st_mtime)
    if WEIGHT not in table.columns or len(table.columns) < 2:
        raise ConfigError(f"{where}: {path} needs a {WEIGHT!r} column and parameter columns")
    if len(table) < option.draws:
        raise ConfigError(
            f"{experiment.path}: posterior.draws: {option.draws} draws from only "
            f"{len(table)} particles in {path}"
        )
    weights = table[WEIGHT].to_numpy(float)
    rows = np.random.default_rng(option.seed).choice(
        len(table), size=option.draws, replace=False, p=weights / weights.sum()
    )
    return table.drop(columns=WEIGHT).iloc[rows].reset_index(drop=True)


def check_posterior(experiment: ResolvedExperiment) -> None:
    """Check the posterior option against the experiment: file, draws, paths, replications.

    Raises:
        ConfigError: naming the experiment file and the field.

    """
    from talentsim.experiment.spec import field_type

    spec = experiment.spec
    option = spec.posterior
    if option is None:
        return
    if spec.replications % option.draws:
        raise ConfigError(
            f"{experiment.path}: replications: {spec.replications} is not a multiple of "
            f"posterior.draws ({option.draws}); give each draw the same number of seeds"
        )
    table = draws(experiment)
    design = {path for _, path, _ in spec.parameters()}
    for path in table.columns:
        if path in design:
            raise ConfigError(
                f"{experiment.path}: posterior.file: {path!r} is also a lever or uncertainty"
            )
        if field_type(experiment.scenarios[0].config, path) is not float:
            raise ConfigError(
                f"{experiment.path}: posterior.file: column {path!r} is not a real-valued "
                "config field"
            )


def record(experiment: ResolvedExperiment) -> dict[str, Any] | None:
    """The draws as stored in the manifest (and hashed): file, seed, one row per draw."""
    option = experiment.spec.posterior
    if option is None:
        return None
    return {
        "file": str(sample_path(experiment)),
        "seed": option.seed,
        "draws": draws(experiment).to_dict(orient="records"),
    }


def assign(experiment: ResolvedExperiment, tasks: list[RunTask]) -> list[RunTask]:
    """Each task with its replication's draw set in its config (unchanged without the option)."""
    option = experiment.spec.posterior
    if option is None:
        return tasks
    table = draws(experiment).to_dict(orient="records")
    out = []
    for task in tasks:
        config = copy.deepcopy(task.config)
        for dotted, value in table[draw_of(task.replication, option.draws)].items():
            set_dotted(config, dotted, float(value))
        out.append(dataclasses.replace(task, config=config))
    return out
