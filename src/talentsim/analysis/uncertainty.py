"""A policy effect's interval over seeds and parameter uncertainty, and each one's share.

A sweep with ``posterior:`` draws (:mod:`talentsim.experiment.posterior`) runs replication ``r``
with draw ``r mod D`` and the same seed in every scenario. The paired effect of a scenario on
an outcome (each run's horizon mean minus the baseline's, replication by replication) then
follows a one-way random-effects layout, effect = μ + b(draw) + e(seed), with ``S`` seeds per
draw:

- σ²_seed, within-draw variance: the pooled variance of the effect over a draw's seeds;
- σ²_param, between-draw variance: the variance of the draws' mean effects less σ²_seed / S
  (method of moments, floored at 0).

The expected effect (over seeds) is uncertain through the parameters, σ²_param, and through the
finite number of runs, σ²_seed / (D·S). Its 95 % interval is mean ± t(D−1)·√(σ²_param +
σ²_seed/(D·S)), reported beside the seed-only interval that the study's headline gives at fixed
parameters; ``param_share`` is σ²_param's share of that interval's variance. ``run_param_share``
is σ²_param / (σ²_param + σ²_seed): how much of one simulated history's effect variance is
parameter uncertainty rather than the city's own randomness.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from talentsim.analysis.catalogue import DEFAULT_LANG, Lang, M, outcome_label, scenario_label
from talentsim.analysis.comparison import per_run
from talentsim.analysis.dataset import SweepDataset, load_dataset
from talentsim.analysis.measures import KEY_OUTCOMES
from talentsim.experiment.posterior import draw_of

CONFIDENCE = 0.95
HEADLINE = ("retention_3y", "retained_skilled_3y", "mismatch_flow", "in_field_rate")
"""Outcomes of the Markdown headline (those present)."""


def posterior_draws(ds: SweepDataset) -> int | None:
    """Number of posterior draws the dataset's replications cycle through (None: no draws)."""
    option = (ds.manifest.get("experiment") or {}).get("posterior")
    return int(option["draws"]) if option else None


def decompose(ds: SweepDataset, baseline: str, outcomes: list[str]) -> pd.DataFrame | None:
    """Per scenario and outcome: effect, seed-only and full 95 % intervals, variance shares.

    Returns None when the dataset has no posterior draws.
    """
    draws = posterior_draws(ds)
    if draws is None:
        return None
    runs = per_run(ds, outcomes, "mean")
    runs = runs.assign(draw=draw_of(runs["replication"], draws))
    long = runs.melt(
        id_vars=["scenario", "replication", "draw"], value_vars=outcomes, var_name="outcome"
    )
    base = long[long["scenario"] == baseline].drop(columns=["scenario", "draw"])
    paired = long[long["scenario"] != baseline].merge(
        base.rename(columns={"value": "base"}), on=["replication", "outcome"]
    )
    paired["effect"] = paired["value"] - paired["base"]
    rows = [
        {"scenario": scenario, "outcome": outcome, **components(part)}
        for (scenario, outcome), part in paired.groupby(["scenario", "outcome"], sort=False)
    ]
    return pd.DataFrame(rows)


def components(part: pd.DataFrame) -> dict[str, float]:
    """Effect, its intervals and variance components from one scenario × outcome's pairs."""
    effect = part.dropna(subset=["effect"])
    by_draw = effect.groupby("draw")["effect"]
    d = by_draw.ngroups
    s = float(by_draw.size().mean())
    n = len(effect)
    mean = float(effect["effect"].mean())
    within = float(by_draw.var(ddof=1).mean()) if s > 1 else float("nan")
    between = max(float(by_draw.mean().var(ddof=1)) - within / s, 0.0) if d > 1 else 0.0
    seed_half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, max(n - d, 1)) * np.sqrt(within / n))
    total = between + within / n
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, max(d - 1, 1)) * np.sqrt(total))
    return {
        "draws": d,
        "seeds_per_draw": s,
        "effect": mean,
        "seed_low": mean - seed_half,
        "seed_high": mean + seed_half,
        "low": mean - half,
        "high": mean + half,
        "var_seed": within,
        "var_param": between,
        "param_share": between / total if total > 0 else float("nan"),
        "run_param_share": between / (between + within) if between + within > 0 else np.nan,
    }


def findings(table: pd.DataFrame) -> list[str]:
    """One line per scenario × outcome for the terminal."""
    return [
        f"{r.scenario} on {r.outcome}: {r.effect:+.4g}, 95 % interval with parameter "
        f"uncertainty {r.low:+.4g} to {r.high:+.4g} (seeds only: {r.seed_low:+.4g} to "
        f"{r.seed_high:+.4g}); parameters {r.param_share:.0%} of its variance, "
        f"{r.run_param_share:.0%} of one run's"
        for r in table.itertuples()
    ]


def section(table: pd.DataFrame, lang: Lang = DEFAULT_LANG) -> str:
    """The report's HTML section in ``lang``."""
    head = "".join(f"<th>{html.escape(column(lang))}</th>" for column in M.uncertainty_columns)
    body = "".join(
        f"<tr><td>{html.escape(scenario_label(str(r.scenario), lang))}</td>"
        f"<td>{html.escape(outcome_label(str(r.outcome), lang))}</td>"
        f"<td>{r.effect:+.4g}</td><td>{r.seed_low:+.4g} – {r.seed_high:+.4g}</td>"
        f"<td>{r.low:+.4g} – {r.high:+.4g}</td><td>{r.param_share:.0%}</td>"
        f"<td>{r.run_param_share:.0%}</td></tr>"
        for r in table.itertuples()
    )
    draws = int(table["draws"].iloc[0]) if len(table) else 0
    seeds = table["seeds_per_draw"].iloc[0] if len(table) else 0
    return (
        f"<h2>{M.uncertainty_title(lang)}</h2>"
        f"<p>{html.escape(M.uncertainty_intro(lang, draws=draws, seeds=f'{seeds:g}'))}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def markdown_headline(path: Path | str, baseline: str = "baseline") -> str:
    """A Markdown section on a posterior-draw sweep's headline (for docs/calibration.md)."""
    ds = load_dataset(path)
    outcomes = [o for o in HEADLINE if o in ds.outcome_names] or [
        o for o in KEY_OUTCOMES if o in ds.outcome_names
    ][:4]
    table = decompose(ds, baseline, outcomes)
    name = ds.manifest.get("experiment_name", Path(path).name)
    if table is None:
        return f"## Policy effects with parameter uncertainty\n\n`{path}` has no posterior draws."
    spec = ds.manifest.get("experiment", {})
    lines = [
        "## Policy effects with parameter uncertainty",
        "",
        f"Study `{name}` ({spec.get('replications')} replications = "
        f"{int(table['draws'].iloc[0])} posterior draws × {table['seeds_per_draw'].iloc[0]:g} "
        f"seeds, scale {spec.get('scale')}, {len(ds.runs)} runs; `{path}`): the paired "
        "difference from the baseline of each run's horizon mean, with its 95 % interval at "
        "fixed parameters (seeds only) and with parameter uncertainty (analysis/uncertainty.py).",
        "",
        "| scenario | outcome | Δ | seeds only | with parameter uncertainty "
        "| parameters' share of the variance | of one run's |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r.scenario} | `{r.outcome}` | {r.effect:+.4g} "
        f"| {r.seed_low:+.4g} – {r.seed_high:+.4g} | {r.low:+.4g} – {r.high:+.4g} "
        f"| {r.param_share:.0%} | {r.run_param_share:.0%} |"
        for r in table.itertuples()
    ]
    return "\n".join(lines)
