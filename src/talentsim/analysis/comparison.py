"""Scenario comparison against a baseline, paired by replication (common random numbers).

Runs with the same ``replication`` share their seed across scenarios, so the difference
``scenario − baseline`` is taken within each replication and its mean gets a 95 % Student-t
interval across replications. Pairing removes the seed noise both runs share, which makes the
interval of the difference much narrower than the two scenarios' own intervals suggest.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from talentsim.analysis.dataset import DatasetError, SweepDataset

Statistic = Literal["final", "mean", "total"]
STATISTICS: dict[str, str] = {
    "final": "value in the final year",
    "mean": "mean over the horizon",
    "total": "sum over the horizon",
}
CONFIDENCE = 0.95


def final_year(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of each run's last year (``run_id`` and ``year`` columns)."""
    last = frame.groupby("run_id")["year"].transform("max")
    return frame[frame["year"] == last]


def per_run(ds: SweepDataset, outcomes: list[str], statistic: Statistic) -> pd.DataFrame:
    """One row per successful run: run keys, parameters and each outcome reduced over years.

    Args:
        ds: The dataset.
        outcomes: Outcome columns to keep.
        statistic: ``final`` (last year), ``mean`` (over the horizon) or ``total`` (summed).

    """
    keys = ["run_id", "point_id", "scenario", "replication", *ds.params]
    frame = ds.outcomes
    if statistic == "final":
        return final_year(frame)[keys + outcomes].reset_index(drop=True)
    how = "mean" if statistic == "mean" else "sum"
    values = frame.groupby("run_id")[outcomes].agg(how)
    first = frame.drop_duplicates("run_id").set_index("run_id")[keys[1:]]
    return first.join(values).reset_index()


def t_interval(mean: pd.Series, sd: pd.Series, n: pd.Series) -> tuple[pd.Series, pd.Series]:
    """95 % Student-t interval of a mean from its sample sd and size (NaN when n < 2)."""
    dof = (n - 1).where(n > 1)
    half = stats.t.ppf(0.5 + CONFIDENCE / 2, dof) * sd / np.sqrt(n)
    return mean - half, mean + half


def paired_comparison(
    frame: pd.DataFrame, baseline: str, outcomes: list[str], by: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Mean and paired difference from ``baseline`` per scenario, outcome (and ``by`` columns).

    Args:
        frame: One row per run (× ``by``), with ``scenario``, ``replication`` and the outcomes.
        baseline: The scenario every other one is compared with.
        outcomes: Outcome columns.
        by: Extra grouping columns, e.g. ``("year",)``.

    Returns:
        Columns scenario, outcome, *by, n, mean, ci_low, ci_high, baseline_mean, n_pairs,
        diff, diff_low, diff_high, diff_pct (the difference as % of the baseline mean).

    """
    keys = ["scenario", "replication", *by]
    long = frame.melt(id_vars=keys, value_vars=outcomes, var_name="outcome")
    base = long[long["scenario"] == baseline].drop(columns="scenario")
    base = base.rename(columns={"value": "base_value"})
    paired = long.merge(base, on=["replication", "outcome", *by], how="left")
    paired["diff"] = paired["value"] - paired["base_value"]
    groups = ["scenario", "outcome", *by]
    level = paired.groupby(groups, sort=False)["value"].agg(["count", "mean", "std"])
    level["ci_low"], level["ci_high"] = t_interval(level["mean"], level["std"], level["count"])
    diff = paired.groupby(groups, sort=False)["diff"].agg(["count", "mean", "std"])
    diff_low, diff_high = t_interval(diff["mean"], diff["std"], diff["count"])
    base_mean = base.groupby(["outcome", *by])["base_value"].mean().rename("baseline_mean")
    pair_corr = _pair_correlation(paired, groups)
    table = pd.DataFrame(
        {
            "n": level["count"],
            "mean": level["mean"],
            "ci_low": level["ci_low"],
            "ci_high": level["ci_high"],
            "n_pairs": diff["count"],
            "diff": diff["mean"],
            "diff_low": diff_low,
            "diff_high": diff_high,
            "pair_corr": pair_corr,
        }
    ).reset_index()
    table = table.merge(base_mean.reset_index(), on=["outcome", *by], how="left")
    scale = table["baseline_mean"].abs().where(table["baseline_mean"] != 0)
    table["diff_pct"] = 100 * table["diff"] / scale
    order = [
        "scenario", "outcome", *by, "n", "mean", "ci_low", "ci_high", "baseline_mean",
        "n_pairs", "diff", "diff_low", "diff_high", "diff_pct", "pair_corr",
    ]  # fmt: skip
    return table[order]


def _pair_correlation(paired: pd.DataFrame, groups: list[str]) -> pd.Series:
    """Correlation across replications between a scenario's runs and the baseline's.

    Common random numbers pay off only when it is clearly positive: the variance of a paired
    difference is σ²_a + σ²_b − 2ρσ_aσ_b.
    """
    both = paired.dropna(subset=["value", "base_value"])
    both = both.assign(
        xy=both["value"] * both["base_value"], xx=both["value"] ** 2, yy=both["base_value"] ** 2
    )
    m = both.groupby(groups, sort=False)[["value", "base_value", "xy", "xx", "yy"]].mean()
    cov = m["xy"] - m["value"] * m["base_value"]
    var_x, var_y = m["xx"] - m["value"] ** 2, m["yy"] - m["base_value"] ** 2
    denominator = np.sqrt(var_x * var_y)
    return (cov / denominator.where(denominator > 1e-12 * (m["xx"] + m["yy"]) + 1e-300)).clip(-1, 1)


def check_baseline(ds: SweepDataset, baseline: str) -> None:
    """Raise :class:`DatasetError` unless ``baseline`` is a scenario with successful runs."""
    present = set(ds.outcomes["scenario"].astype(str))
    if baseline not in present:
        shown = ", ".join(sorted(present)[:8]) + (" …" if len(present) > 8 else "")
        raise DatasetError(
            f"{ds.path / 'outcomes.parquet'}: no successful run of baseline scenario "
            f"{baseline!r} in column 'scenario' (scenarios: {shown}); use --baseline NAME"
        )


def compare_by_year(ds: SweepDataset, baseline: str, outcomes: list[str]) -> pd.DataFrame:
    """Per scenario, outcome and year: mean with CI and paired difference from ``baseline``."""
    check_baseline(ds, baseline)
    frame = ds.outcomes[["scenario", "replication", "year", *outcomes]]
    return paired_comparison(frame, baseline, outcomes, by=("year",))


def summarise(
    ds: SweepDataset, baseline: str, outcomes: list[str], statistic: Statistic
) -> pd.DataFrame:
    """Per scenario and outcome: the run-level ``statistic`` compared with ``baseline``.

    The statistic is reduced over years within each run first, then paired, so the interval
    of a horizon mean accounts for the correlation between a run's years.
    """
    check_baseline(ds, baseline)
    table = paired_comparison(per_run(ds, outcomes, statistic), baseline, outcomes)
    table.insert(2, "statistic", statistic)
    return table


def order_scenarios(table: pd.DataFrame, scenarios: list[str], baseline: str) -> pd.DataFrame:
    """Sort rows baseline first, then in design order."""
    rank = {name: i + 1 for i, name in enumerate(s for s in scenarios if s != baseline)}
    rank[baseline] = 0
    key = table["scenario"].map(rank).fillna(len(rank))
    return table.assign(_rank=key).sort_values(["_rank"], kind="stable").drop(columns="_rank")
