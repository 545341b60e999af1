"""What a fit leaves behind: the posterior sample, its predictive facts and the point estimate.

``configs/calibration/posterior.csv`` holds the last ABC-SMC generation (one row per particle:
the free parameters and the particle's weight), ``posterior_predictive.csv`` every fact measured
on the same particles' runs (and each one's distance), and ``fitted.yaml`` the point estimate as
a partial config that the baseline includes through ``base:``. All are written atomically.

The point estimate is chosen among the baseline's previous values, the posterior mean and the
particles that came closest to the targets, each re-run over the same few seeds (common random
numbers), by the number of fitted targets outside their bands, then the distance: with weakly
identified parameters the mean of a wide posterior can sit where no particle fits well, and a
single particle's distance is one run's luck.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from talentsim.calibration.evaluate import measure_runs, replicate, replication_seeds
from talentsim.calibration.facts import with_overrides
from talentsim.calibration.smc import WEIGHT, Distance, Posterior
from talentsim.calibration.targets import TargetsFile
from talentsim.config.loading import ConfigError, set_dotted
from talentsim.config.schema import CityConfig
from talentsim.runinfo import write_atomic


def current(config: CityConfig, dotted: str) -> float:
    """The value of a dotted config path."""
    node: Any = config
    for key in dotted.split("."):
        node = node[int(key)] if isinstance(node, list) else getattr(node, key)
    return float(node)


def check_paths(config: CityConfig, paths: list[str], source: str) -> None:
    """Every free parameter is a numeric config field.

    Raises:
        ConfigError: naming the file and the ``free_parameters`` entry.

    """
    for i, path in enumerate(paths):
        try:
            current(config, path)
        except (AttributeError, IndexError, ValueError, TypeError):
            raise ConfigError(
                f"{source}: free_parameters.{i}.path: {path!r} is not a numeric config field"
            ) from None


def write_table(path: Path, table: pd.DataFrame) -> None:
    """Write a CSV table atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, lambda tmp: table.to_csv(tmp, index=False, float_format="%.6g"))


def read_table(path: Path) -> pd.DataFrame | None:
    """A posterior table, or None if it was never written."""
    if not path.is_file():
        return None
    table = pd.read_csv(path)
    if WEIGHT not in table.columns:
        raise ConfigError(f"{path}: no {WEIGHT!r} column (not a posterior table)")
    return table


def write_fitted(path: Path | str, values: dict[str, float], note: str) -> None:
    """Write the point estimate as a partial config (the base of the baseline), atomically."""
    data: dict[str, Any] = {}
    for dotted, value in values.items():
        set_dotted(data, dotted, value)
    header = (
        "# Free parameters of the Zibo baseline: the point estimate of the ABC-SMC fit to the\n"
        "# `targets` of configs/calibration/targets.yaml (sample: posterior.csv).\n"
        "# Machine-written by `talentsim calibrate`; the baseline (configs/zibo_baseline.yaml)\n"
        "# includes this file through `base:`, so a new fit replaces these values without\n"
        "# touching the hand-written, commented baseline.\n"
        f"# Fit of {dt.date.today().isoformat()}: {note}\n"
    )
    text = header + yaml.safe_dump(data, sort_keys=True, allow_unicode=True)
    write_atomic(Path(path), lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


CANDIDATES = 10
"""Closest particles considered for the point estimate, besides the posterior mean."""
CANDIDATE_SEEDS = 3
"""Seeds each candidate point estimate is run with."""


def choose_point(
    targets: TargetsFile, base: CityConfig, executor: Executor, posterior: Posterior
) -> tuple[dict[str, float], str]:
    """The candidate with the fewest fitted targets outside their bands, then the least distance.

    Candidates: the baseline's current values (a new fit never leaves the baseline worse by
    this rule), the posterior mean and the :data:`CANDIDATES` particles closest to the
    targets, each run over the same :data:`CANDIDATE_SEEDS` seeds at the fit's scale.
    """
    settings = targets.settings
    run_base = base.model_copy(update={"scale": settings.fit_scale})
    names = list(posterior.mean())
    candidates = [
        {n: current(base, n) for n in names},
        posterior.mean(),
        *posterior.closest(CANDIDATES),
    ]
    labels = ["the baseline's previous values", "the posterior mean"] + [
        f"the particle ranked {k + 1} by distance" for k in range(CANDIDATES)
    ]
    configs = [with_overrides(run_base, c) for c in candidates]
    seeds = replication_seeds(settings.root_seed, CANDIDATE_SEEDS)
    years = max(settings.fit_years, targets.required_years())
    outputs = replicate(executor, configs, seeds, years, firms=targets.needs_firms())
    distance = Distance.of(targets.targets)
    scores = []
    for runs, cfg in zip(outputs, configs, strict=True):
        means = measure_runs(targets, runs, cfg).mean().to_dict()
        outside = sum(not t.inside(means[t.name]) for t in targets.targets)
        scores.append((outside, distance(means)))
    best = min(range(len(scores)), key=scores.__getitem__)
    note = (
        f"point estimate: {labels[best]} ({scores[best][0]} fitted targets outside, distance "
        f"{scores[best][1]:.2f} over {CANDIDATE_SEEDS} seeds; posterior mean "
        f"{scores[1][0]} outside, {scores[1][1]:.2f}; previous values {scores[0][0]} outside, "
        f"{scores[0][1]:.2f})"
    )
    return {k: float(f"{v:.4g}") for k, v in candidates[best].items()}, note


def describe_fit(posterior: Posterior, population: int, scale: float, years: int) -> str:
    """One line of provenance for fitted.yaml and the report."""
    return (
        f"ABC-SMC (pyabc), population {population}, {posterior.generations} generations, "
        f"{posterior.simulations} simulations, final tolerance {posterior.epsilon:.3g}, "
        f"scale {scale}, {years} years, one run per particle"
        + (f", {posterior.seconds / 60:.1f} min" if posterior.seconds else "")
    )
