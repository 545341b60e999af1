"""Cost-effectiveness: extra fiscal cost per unit of outcome gain over the baseline.

For each scenario and outcome, within each replication (common random numbers):
``Δcost`` is the scenario's fiscal cost summed over the horizon minus the baseline's, and
``Δgain`` the improvement in the outcome — summed over the horizon for yearly flows such as
``retained_skilled_3y`` (so the ratio reads "RMB per extra skilled graduate still in the city
three years after graduating"), the horizon mean for rates and levels (per percentage point
for rates). The ratio of the mean
``Δcost`` to the mean ``Δgain`` gets a 95 % percentile interval from a seeded bootstrap over
replications; it is only reported when the gain is significantly positive, because a ratio
with a denominator near zero has no meaning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentsim.analysis.comparison import check_baseline, per_run, t_interval
from talentsim.analysis.dataset import DatasetError, SweepDataset
from talentsim.analysis.measures import is_flow, lower_is_better

COST = "fiscal_cost"
COLUMNS = [
    "scenario", "outcome", "unit", "n_pairs", "extra_cost", "gain", "gain_low", "gain_high",
    "cost_per_unit", "cost_per_unit_low", "cost_per_unit_high", "note",
]  # fmt: skip
BOOTSTRAP = 2000
BOOTSTRAP_SEED = 20240602


def is_rate(outcome: str) -> bool:
    """Whether ``outcome`` is a share in [0, 1] (its gain is counted in percentage points)."""
    return outcome.endswith(("_rate", "_share", "_intensity", "_retention")) or outcome.startswith(
        ("mismatch_", "retention_", "in_field_rate_", "shortage_rate_", "surplus_rate_")
    )


def gain_unit(outcome: str) -> str:
    """How the gain of ``outcome`` is counted (pp: percentage point of a rate)."""
    if is_flow(outcome):
        return "per unit (horizon total)"
    if is_rate(outcome):
        return "per pp (horizon mean)"
    return "per unit (horizon mean)"


def run_gains(ds: SweepDataset, outcomes: list[str]) -> pd.DataFrame:
    """Per run: total fiscal cost and each outcome in the unit its gain is counted in."""
    flows = [o for o in outcomes if is_flow(o)]
    levels = [o for o in outcomes if not is_flow(o)]
    totals = per_run(ds, sorted({COST, *flows}), "total").set_index("run_id")
    frame = totals[["scenario", "replication", COST, *flows]]
    if levels:
        means = per_run(ds, levels, "mean").set_index("run_id")[levels]
        rates = [o for o in levels if is_rate(o)]
        means[rates] = 100 * means[rates]
        frame = frame.join(means)
    return frame.reset_index()


def cost_effectiveness(ds: SweepDataset, baseline: str, outcomes: list[str]) -> pd.DataFrame:
    """Extra fiscal cost per unit of gain, by scenario and outcome, paired by replication.

    Returns:
        Columns scenario, outcome, unit, n_pairs, extra_cost, gain, gain_low, gain_high,
        cost_per_unit, cost_per_unit_low, cost_per_unit_high, note.

    """
    if COST not in ds.outcomes.columns:
        raise DatasetError(f"{ds.path / 'outcomes.parquet'}: missing column '{COST}'")
    check_baseline(ds, baseline)
    targets = [o for o in outcomes if o != COST and not o.startswith("fiscal_cost_")]
    frame = run_gains(ds, targets)
    base = frame[frame["scenario"] == baseline].drop(columns=["run_id", "scenario"])
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    rows = []
    for scenario, runs in frame[frame["scenario"] != baseline].groupby("scenario", sort=False):
        pairs = runs.merge(base, on="replication", suffixes=("", "_base"))
        extra_cost = (pairs[COST] - pairs[f"{COST}_base"]).to_numpy()
        picks = rng.integers(0, max(len(pairs), 1), size=(BOOTSTRAP, len(pairs)))
        for outcome in targets:
            sign = -1.0 if lower_is_better(outcome) else 1.0
            gain = sign * (pairs[outcome] - pairs[f"{outcome}_base"]).to_numpy()
            rows.append(_ratio_row(str(scenario), outcome, extra_cost, gain, picks))
    return pd.DataFrame(rows, columns=COLUMNS)


def bootstrap_ratio(
    extra_cost: np.ndarray, gain: np.ndarray, picks: np.ndarray
) -> tuple[float, float]:
    """95 % percentile interval of mean(Δcost)/mean(Δgain) over bootstrap resamples ``picks``.

    Resamples whose mean gain is not positive have no finite ratio: they count as +∞, so when
    more than 2.5 % of them occur the upper bound is unbounded (+∞) rather than a misleading
    negative or huge number.
    """
    boot_gain = gain[picks].mean(axis=1)
    positive = boot_gain > 0
    ratio = extra_cost[picks].mean(axis=1) / np.where(positive, boot_gain, 1.0)
    boot = np.where(positive, ratio, np.inf)
    low, high = np.quantile(boot, [0.025, 0.975], method="inverted_cdf")  # no inf − inf
    return float(low), float(high)


def _ratio_row(
    scenario: str, outcome: str, extra_cost: np.ndarray, gain: np.ndarray, picks: np.ndarray
) -> dict[str, object]:
    n = len(gain)
    mean_gain = float(gain.mean()) if n else float("nan")
    sd = pd.Series([gain.std(ddof=1) if n > 1 else np.nan])
    low, high = t_interval(pd.Series([mean_gain]), sd, pd.Series([n]))
    ratio = ratio_low = ratio_high = float("nan")
    if n > 1 and low.iloc[0] > 0:
        ratio = float(extra_cost.mean() / mean_gain)
        ratio_low, ratio_high = bootstrap_ratio(extra_cost, gain, picks)
        note = "" if np.isfinite(ratio_high) else "upper bound unbounded"
    elif n > 1 and high.iloc[0] < 0:
        note = "worse than baseline"
    else:
        note = "gain not significant" if n > 1 else "too few pairs"
    return {
        "scenario": scenario,
        "outcome": outcome,
        "unit": gain_unit(outcome),
        "n_pairs": n,
        "extra_cost": float(extra_cost.mean()) if n else float("nan"),
        "gain": mean_gain,
        "gain_low": float(low.iloc[0]),
        "gain_high": float(high.iloc[0]),
        "cost_per_unit": ratio,
        "cost_per_unit_low": ratio_low,
        "cost_per_unit_high": ratio_high,
        "note": note,
    }


def extra_cost_by_instrument(ds: SweepDataset, baseline: str) -> pd.DataFrame:
    """Where a scenario's extra fiscal cost goes: Δ horizon cost by instrument, paired.

    One row per scenario and instrument (every ``fiscal_cost_<instrument>`` column, the new
    levers' included: cost cut, retention bonus, result-tied rewards, staff-education
    deduction): the mean over replications of (scenario − baseline) of the instrument's cost
    summed over the horizon, with its 95 % t interval. The rows of a scenario add up to its
    ``extra_cost`` in :func:`cost_effectiveness`.
    """
    check_baseline(ds, baseline)
    columns = sorted(c for c in ds.outcomes.columns if c.startswith(f"{COST}_"))
    if not columns:
        raise DatasetError(f"{ds.path / 'outcomes.parquet'}: no '{COST}_<instrument>' columns")
    totals = per_run(ds, columns, "total")
    base = totals[totals["scenario"] == baseline][["replication", *columns]]
    rows = []
    for scenario, runs in totals[totals["scenario"] != baseline].groupby("scenario", sort=False):
        pairs = runs.merge(base, on="replication", suffixes=("", "_base"))
        for column in columns:
            diff = pairs[column] - pairs[f"{column}_base"]
            n = pd.Series([len(diff)])
            low, high = t_interval(pd.Series([diff.mean()]), pd.Series([diff.std(ddof=1)]), n)
            rows.append(
                {
                    "scenario": str(scenario),
                    "instrument": column.removeprefix(f"{COST}_"),
                    "extra_cost": float(diff.mean()),
                    "extra_cost_low": float(low.iloc[0]),
                    "extra_cost_high": float(high.iloc[0]),
                }
            )
    return pd.DataFrame(rows)
