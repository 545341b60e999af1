"""Posterior summaries for docs/calibration.md: identification, correlations, predictive checks.

Identification compares each parameter's 90 % posterior interval with the 90 % interval of its
uniform prior (0.9·(high − low)): a ratio well below one means the fitted targets pin the
parameter down, a ratio near one that they do not. The predictive table gives, per fact, the
weighted mean and 5–95 % interval of the fact over the posterior's particles (one run each, so
the interval holds both parameter uncertainty and seed noise) against the fact's band.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from talentsim.calibration.smc import WEIGHT, weighted_quantile
from talentsim.calibration.targets import FreeParameter, Target

IDENTIFIED = 0.5
"""Posterior/prior width ratio below which a parameter counts as identified."""
WEAK = 0.8
"""Ratio below which it counts as weakly identified (above: not identified)."""
STRONG_CORRELATION = 0.4
"""|r| from which a posterior correlation is listed."""


def identification(posterior: pd.DataFrame, parameters: list[FreeParameter]) -> pd.DataFrame:
    """Per parameter: prior bounds, posterior mean and 90 % interval, width ratio, verdict."""
    w = posterior[WEIGHT].to_numpy(float)
    rows = []
    for p in parameters:
        x = posterior[p.path].to_numpy(float)
        low, high = weighted_quantile(x, w, 0.05), weighted_quantile(x, w, 0.95)
        ratio = (high - low) / (0.9 * (p.high - p.low))
        verdict = (
            "identified"
            if ratio < IDENTIFIED
            else ("weakly identified" if ratio < WEAK else "not identified")
        )
        rows.append(
            {
                "parameter": p.path,
                "prior_low": p.low,
                "prior_high": p.high,
                "mean": float(np.average(x, weights=w)),
                "q05": low,
                "q95": high,
                "ratio": ratio,
                "verdict": verdict,
                "informs": p.informs,
            }
        )
    return pd.DataFrame(rows)


def correlations(posterior: pd.DataFrame, parameters: list[FreeParameter]) -> pd.DataFrame:
    """Weighted posterior correlations of the parameter pairs with |r| ≥ STRONG_CORRELATION."""
    names = [p.path for p in parameters]
    w = posterior[WEIGHT].to_numpy(float)
    if len(names) < 2:
        return pd.DataFrame(columns=["a", "b", "r"])
    covariance = np.cov(posterior[names].to_numpy(float).T, aweights=w)
    sd = np.sqrt(np.diag(covariance))
    matrix = covariance / np.outer(sd, sd)
    rows = [
        {"a": names[i], "b": names[j], "r": float(matrix[i][j])}
        for i in range(len(names))
        for j in range(i + 1, len(names))
        if abs(matrix[i][j]) >= STRONG_CORRELATION
    ]
    return pd.DataFrame(rows, columns=["a", "b", "r"]).sort_values("r", key=abs, ascending=False)


def predictive(predictive: pd.DataFrame, facts: list[Target]) -> pd.DataFrame:
    """Per fact: band, posterior predictive mean and 5–95 % interval, whether the mean is inside."""
    w = predictive[WEIGHT].to_numpy(float)
    rows = []
    for t in facts:
        if t.name not in predictive.columns:
            continue
        x = predictive[t.name].to_numpy(float)
        keep = np.isfinite(x)
        mean = float(np.average(x[keep], weights=w[keep])) if keep.any() else float("nan")
        low, high = weighted_quantile(x, w, 0.05), weighted_quantile(x, w, 0.95)
        rows.append(
            {
                "target": t.name,
                "mean": mean,
                "q05": low,
                "q95": high,
                "inside": t.inside(mean),
                "overlaps": low <= t.band[1] and high >= t.band[0],
            }
        )
    return pd.DataFrame(rows, columns=["target", "mean", "q05", "q95", "inside", "overlaps"])
