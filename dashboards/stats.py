"""Summaries the pages plot (pure pandas and talentsim.analysis, no UI).

Bands (95 % intervals) across replications, paired differences from a baseline, fan-chart
quantiles, two-lever heatmaps and sensitivity indices, on the report's statistics.
"""

from __future__ import annotations

import pandas as pd

from dashboards.datasets import SweepData
from talentsim.analysis.catalogue import DEFAULT_LANG, Lang, M, Note
from talentsim.analysis.comparison import paired_comparison, t_interval
from talentsim.analysis.dataset import DatasetError, SweepDataset
from talentsim.analysis.sensitivity import morris_indices, sobol_indices
from talentsim.analysis.study import SENSITIVITY_STATISTIC

FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
MAX_EXACT_LEVELS = 12
HEATMAP_BINS = 8


class NotAvailableError(ValueError):
    """A summary the dataset's design does not allow; the message says why.

    The message is a :class:`~talentsim.analysis.catalogue.Note` where the page shows it in
    either language (see :func:`reason`).
    """


def reason(exc: NotAvailableError, lang: Lang = DEFAULT_LANG) -> str:
    """Why a summary is not available, in ``lang`` when the message knows it."""
    message = exc.args[0] if exc.args else ""
    return message(lang) if isinstance(message, Note) else str(message)


def band_table(df: pd.DataFrame, outcome: str, group: str = "scenario") -> pd.DataFrame:
    """Mean and 95 % interval across replications, per group and year (the report's interval)."""
    grouped = df.groupby([group, "year"])[outcome].agg(["count", "mean", "std"])
    grouped["low"], grouped["high"] = t_interval(grouped["mean"], grouped["std"], grouped["count"])
    return grouped[["mean", "low", "high"]].reset_index()


def difference_table(
    df: pd.DataFrame, outcome: str, baseline: str, group: str = "scenario"
) -> pd.DataFrame:
    """Each group minus ``baseline``, paired by replication and year (common random numbers).

    Returns mean and 95 % interval of the paired differences per group (baseline excluded).

    Raises:
        NotAvailableError: the baseline group is not in ``df``.

    """
    if baseline not in set(df[group]):
        raise NotAvailableError(f"baseline '{baseline}' is not among the runs")
    frame = df.rename(columns={group: "scenario"})[["scenario", "replication", "year", outcome]]
    table = paired_comparison(frame, baseline, [outcome], by=("year",))
    table = table[table["scenario"] != baseline]
    table = table.rename(columns={"diff": "mean_diff"})[
        ["scenario", "year", "mean_diff", "diff_low", "diff_high"]
    ]
    table.columns = [group, "year", "mean", "low", "high"]
    return table.reset_index(drop=True)


def horizon_differences(
    df: pd.DataFrame, outcomes: list[str], baseline: str, group: str = "scenario"
) -> pd.DataFrame:
    """Each run's mean over the horizon, paired with the baseline's: the report's headline.

    Columns as :func:`talentsim.analysis.comparison.paired_comparison` (diff, diff_low,
    diff_high, pair_corr ...), plus ``statistic`` = ``mean``.

    Raises:
        NotAvailableError: the baseline group is not in ``df``.

    """
    if baseline not in set(df[group]):
        raise NotAvailableError(f"baseline '{baseline}' is not among the runs")
    runs = df.groupby([group, "replication"], as_index=False)[outcomes].mean()
    table = paired_comparison(runs.rename(columns={group: "scenario"}), baseline, outcomes)
    return table.assign(statistic="mean")


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
    """Mean over the horizon of ``outcome`` over the levels of two levers (rows y, columns x).

    Each run is reduced to its horizon mean first, the statistic of the report.

    Raises:
        NotAvailableError: ``x`` equals ``y`` or a lever is missing.

    """
    if x == y:
        raise NotAvailableError(Note(M.two_levers))
    for lever in (x, y):
        if lever not in df:
            raise NotAvailableError(f"lever '{lever}' is not in the dataset")
    runs = df.groupby("run_id").agg({x: "first", y: "first", outcome: "mean"})
    frame = pd.DataFrame({"x": _levels(runs[x]), "y": _levels(runs[y]), "v": runs[outcome]})
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
    """Sensitivity of ``outcome``'s horizon mean to each variable (Sobol ST/S1 or Morris mu*).

    Computed by :mod:`talentsim.analysis.sensitivity` (the same indices as the HTML report),
    with each design point's response averaged over its replications, on the statistic the
    report uses (each run's mean over the horizon).

    Returns:
        Columns variable, index (ST, S1 or mu_star), value, conf (95 % half-width).

    Raises:
        NotAvailableError: the design is not sobol/morris, or the dataset is incomplete.

    """
    if data.kind not in ("sobol", "morris"):
        raise NotAvailableError(Note(M.needs_sobol, kind=data.kind))
    try:
        ds = analysis_dataset(data)
        if data.kind == "sobol":
            table = sobol_indices(ds, outcome, SENSITIVITY_STATISTIC)
            pairs = (("ST", "ST_conf"), ("S1", "S1_conf"))
        else:
            table = morris_indices(ds, outcome, SENSITIVITY_STATISTIC)
            pairs = (("mu_star", "mu_star_conf"),)
    except (DatasetError, KeyError) as exc:
        raise NotAvailableError(str(exc).strip("'\"")) from None
    rows = [
        {"variable": row.parameter, "index": index, "value": row[index], "conf": row[conf]}
        for index, conf in pairs
        for _, row in table.iterrows()
    ]
    return pd.DataFrame(rows)
