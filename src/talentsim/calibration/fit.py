"""What a fit leaves behind: the posterior sample, its predictive facts and the point estimate.

``configs/calibration/posterior.csv`` holds the last ABC-SMC generation (one row per particle:
the free parameters and the particle's weight), ``posterior_predictive.csv`` every fact measured
on the same particles' runs, and ``fitted.yaml`` the weighted posterior mean as a partial config
that the baseline includes through ``base:``. All are written atomically.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from talentsim.calibration.smc import WEIGHT, Posterior
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
        "# Free parameters of the Zibo baseline: the weighted posterior mean of the ABC-SMC fit\n"
        "# to the `targets` of configs/calibration/targets.yaml (sample: posterior.csv).\n"
        "# Machine-written by `talentsim calibrate`; the baseline (configs/zibo_baseline.yaml)\n"
        "# includes this file through `base:`, so a new fit replaces these values without\n"
        "# touching the hand-written, commented baseline.\n"
        f"# Fit of {dt.date.today().isoformat()}: {note}\n"
    )
    text = header + yaml.safe_dump(data, sort_keys=True, allow_unicode=True)
    write_atomic(Path(path), lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def describe_fit(posterior: Posterior, population: int, scale: float, years: int) -> str:
    """One line of provenance for fitted.yaml and the report."""
    return (
        f"ABC-SMC (pyabc), population {population}, {posterior.generations} generations, "
        f"{posterior.simulations} simulations, final tolerance {posterior.epsilon:.3g}, "
        f"scale {scale}, {years} years, one run per particle"
        + (f", {posterior.seconds / 60:.1f} min" if posterior.seconds else "")
    )
