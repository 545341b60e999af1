"""Summaries the pages plot (pure pandas/SALib, no UI).

Bands across replications, differences from a baseline, fan-chart quantiles, two-lever
heatmaps and sensitivity indices.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dashboards.datasets import SweepData

FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
MAX_EXACT_LEVELS = 12
HEATMAP_BINS = 8


class NotAvailableError(ValueError):
    """A summary the dataset's design does not allow; the message says why."""


def band_table(df: pd.DataFrame, outcome: str, group: str = "scenario") -> pd.DataFrame:
    """Mean and 10–90 % band across replications, per group and year."""
    grouped = df.groupby([group, "year"])[outcome]
    table = grouped.agg(mean="mean", low=lambda s: s.quantile(0.1), high=lambda s: s.quantile(0.9))
    return table.reset_index()


def difference_table(
    df: pd.DataFrame, outcome: str, baseline: str, group: str = "scenario"
) -> pd.DataFrame:
    """Each group minus ``baseline``, paired by replication and year (common random numbers).

    Returns mean and 10–90 % band of the paired differences per group (baseline excluded).

    Raises:
        NotAvailableError: the baseline group is not in ``df``.

    """
    if baseline not in set(df[group]):
        raise NotAvailableError(f"baseline '{baseline}' is not among the runs")
    keys = ["replication", "year"]
    base = df[df[group] == baseline].groupby(keys)[outcome].mean().rename("base")
    others = df[df[group] != baseline].merge(base.reset_index(), on=keys, how="inner")
    others = others.assign(diff=others[outcome] - others["base"])
    grouped = others.groupby([group, "year"])["diff"]
    table = grouped.agg(mean="mean", low=lambda s: s.quantile(0.1), high=lambda s: s.quantile(0.9))
    return table.reset_index()


def fan_table(
    df: pd.DataFrame, outcome: str, quantiles: tuple[float, ...] = FAN_QUANTILES
) -> pd.DataFrame:
    """Quantiles of ``outcome`` across runs, per year (columns q05, q25, q50, ...)."""
    table = df.groupby("year")[outcome].quantile(list(quantiles)).unstack()
    table.columns = [f"q{round(q * 100):02d}" for q in quantiles]
    return table.reset_index()


def final_year(df: pd.DataFrame) -> pd.DataFrame:
    """The rows of each run's last year."""
    last = df.groupby("run_id")["year"].transform("max")
    return df[df["year"] == last]


def _levels(values: pd.Series) -> pd.Series:
    """Exact values if few, else quantile bins labelled by their midpoints."""
    if values.nunique() <= MAX_EXACT_LEVELS:
        return values
    bins = pd.qcut(values, HEATMAP_BINS, duplicates="drop")
    return bins.map(lambda interval: round(float(interval.mid), 6)).astype(float)


def heatmap_table(df: pd.DataFrame, outcome: str, x: str, y: str) -> pd.DataFrame:
    """Final-year mean of ``outcome`` over the levels of two levers (rows y, columns x).

    Raises:
        NotAvailableError: ``x`` equals ``y`` or a lever is missing.

    """
    if x == y:
        raise NotAvailableError("choose two different levers for the heatmap")
    for lever in (x, y):
        if lever not in df:
            raise NotAvailableError(f"lever '{lever}' is not in the dataset")
    last = final_year(df)
    frame = pd.DataFrame({"x": _levels(last[x]), "y": _levels(last[y]), "v": last[outcome]})
    return frame.pivot_table(index="y", columns="x", values="v", aggfunc="mean").sort_index()


def _point_outputs(data: SweepData, outcome: str, names: list[str]) -> tuple[np.ndarray, ...]:
    """(X, Y) per design point in point order: lever values and mean final-year outcome."""
    last = final_year(data.outcomes)
    missing = [n for n in names if n not in last]
    if missing:
        raise NotAvailableError(f"problem variables {missing} are not columns of outcomes.parquet")
    per_point = last.groupby("point_id")[[*names, outcome]].mean().sort_index()
    expected = int(data.outcomes["point_id"].max()) + 1
    if len(per_point) != expected or per_point[outcome].isna().any():
        lost = expected - int(per_point[outcome].notna().sum())
        raise NotAvailableError(
            f"sensitivity needs every design point; {lost} of {expected} have no outcome "
            "(failed or not yet run)"
        )
    return per_point[names].to_numpy(float), per_point[outcome].to_numpy(float)


def sensitivity_table(data: SweepData, outcome: str) -> pd.DataFrame:
    """Sensitivity of the final-year ``outcome`` to each variable (Sobol ST/S1 or Morris mu*).

    Returns columns: variable, index (ST, S1 or mu_star), value, conf.

    Raises:
        NotAvailableError: the design is not sobol/morris, or the dataset is incomplete.

    """
    problem = dict(data.problem)
    if data.kind not in ("sobol", "morris"):
        raise NotAvailableError(
            f"sensitivity indices need a sobol or morris design; this one is '{data.kind}'"
        )
    names = list(problem.get("names") or [])
    if not names or "bounds" not in problem:
        raise NotAvailableError("manifest.json design.problem lacks 'names' or 'bounds'")
    problem.setdefault("num_vars", len(names))
    X, Y = _point_outputs(data, outcome, names)
    if data.kind == "sobol":
        return _sobol(problem, Y, data.manifest.get("design", {}))
    return _morris(problem, X, Y, data.manifest.get("design", {}))


def _sobol(problem: dict[str, Any], Y: np.ndarray, design: dict[str, Any]) -> pd.DataFrame:
    from SALib.analyze import sobol

    d = len(problem["names"])
    second = design.get("calc_second_order", problem.get("calc_second_order"))
    if second is None:
        second = len(Y) % (2 * d + 2) == 0
    size = 2 * d + 2 if second else d + 2
    if len(Y) % size:
        raise NotAvailableError(
            f"{len(Y)} design points is not a multiple of {size} (Sobol N·{size})"
        )
    result = sobol.analyze(
        problem, Y, calc_second_order=bool(second), print_to_console=False, seed=0
    )
    rows = []
    for index in ("ST", "S1"):
        for name, value, conf in zip(
            problem["names"], result[index], result[f"{index}_conf"], strict=True
        ):
            rows.append({"variable": name, "index": index, "value": value, "conf": conf})
    return pd.DataFrame(rows)


def _morris(
    problem: dict[str, Any], X: np.ndarray, Y: np.ndarray, design: dict[str, Any]
) -> pd.DataFrame:
    from SALib.analyze import morris

    d = len(problem["names"])
    if len(Y) % (d + 1):
        raise NotAvailableError(
            f"{len(Y)} design points is not a multiple of D+1 = {d + 1} (Morris)"
        )
    levels = int(design.get("levels", design.get("num_levels", 4)))
    result = morris.analyze(problem, X, Y, num_levels=levels, print_to_console=False, seed=0)
    return pd.DataFrame(
        {
            "variable": problem["names"],
            "index": "mu_star",
            "value": np.asarray(result["mu_star"], float),
            "conf": np.asarray(result["mu_star_conf"], float),
        }
    )
