"""Summaries the pages plot (pure pandas and talentsim.analysis, no UI).

Bands across replications, differences from a baseline, fan-chart quantiles, two-lever
heatmaps and sensitivity indices.
"""

from __future__ import annotations

import pandas as pd
from pandas.api.typing import SeriesGroupBy

from dashboards.datasets import SweepData
from talentsim.analysis.comparison import final_year
from talentsim.analysis.dataset import DatasetError, SweepDataset
from talentsim.analysis.sensitivity import morris_indices, sobol_indices

FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
MAX_EXACT_LEVELS = 12
HEATMAP_BINS = 8


class NotAvailableError(ValueError):
    """A summary the dataset's design does not allow; the message says why."""


def band_table(df: pd.DataFrame, outcome: str, group: str = "scenario") -> pd.DataFrame:
    """Mean and 10–90 % band across replications, per group and year."""
    return _mean_and_band(df.groupby([group, "year"])[outcome])


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
    return _mean_and_band(others.groupby([group, "year"])["diff"])


def _mean_and_band(grouped: SeriesGroupBy) -> pd.DataFrame:
    """Mean and 10–90 % quantiles per group (columns mean, low, high)."""
    table = grouped.agg(mean="mean", low=lambda s: s.quantile(0.1), high=lambda s: s.quantile(0.9))
    return table.reset_index()


def fan_table(
    df: pd.DataFrame, outcome: str, quantiles: tuple[float, ...] = FAN_QUANTILES
) -> pd.DataFrame:
    """Quantiles of ``outcome`` across runs, per year (columns q05, q25, q50, ...)."""
    table = df.groupby("year")[outcome].quantile(list(quantiles)).unstack()
    table.columns = [f"q{round(q * 100):02d}" for q in quantiles]
    return table.reset_index()


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


def analysis_dataset(data: SweepData) -> SweepDataset:
    """The analysis module's view of a loaded sweep (successful runs only; flows not needed)."""
    ok = set(data.runs.loc[data.runs["status"] == "ok", "run_id"])
    outcomes = data.outcomes[data.outcomes["run_id"].isin(ok)].reset_index(drop=True)
    for column, default in (("point_id", 0), ("scenario", data.kind), ("replication", 0)):
        if column not in outcomes:
            outcomes = outcomes.assign(**{column: default})
    return SweepDataset(
        path=data.path,
        outcomes=outcomes,
        flows=pd.DataFrame(columns=["run_id", "year", "source", "target", "count"]),
        runs=data.runs,
        manifest=data.manifest,
        params=data.levers,
        outcome_names=data.outcome_columns,
    )


def sensitivity_table(data: SweepData, outcome: str) -> pd.DataFrame:
    """Sensitivity of the final-year ``outcome`` to each variable (Sobol ST/S1 or Morris mu*).

    Computed by :mod:`talentsim.analysis.sensitivity` (the same indices as the HTML report),
    with each design point's response averaged over its replications.

    Returns:
        Columns variable, index (ST, S1 or mu_star), value, conf (95 % half-width).

    Raises:
        NotAvailableError: the design is not sobol/morris, or the dataset is incomplete.

    """
    if data.kind not in ("sobol", "morris"):
        raise NotAvailableError(
            f"sensitivity indices need a sobol or morris design; this one is '{data.kind}'"
        )
    try:
        ds = analysis_dataset(data)
        if data.kind == "sobol":
            table = sobol_indices(ds, outcome, "final")
            pairs = (("ST", "ST_conf"), ("S1", "S1_conf"))
        else:
            table = morris_indices(ds, outcome, "final")
            pairs = (("mu_star", "mu_star_conf"),)
    except (DatasetError, KeyError) as exc:
        raise NotAvailableError(str(exc).strip("'\"")) from None
    rows = [
        {"variable": row.parameter, "index": index, "value": row[index], "conf": row[conf]}
        for index, conf in pairs
        for _, row in table.iterrows()
    ]
    return pd.DataFrame(rows)
