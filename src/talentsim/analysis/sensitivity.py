"""Global sensitivity: Sobol indices and Morris elementary effects (SALib).

Each design point's response is the outcome's run-level statistic (e.g. its horizon mean)
**averaged over the point's replications** first; SALib then analyses one value per design
point. Averaging (rather than analysing each replication and averaging the indices) estimates
the sensitivity of the expected outcome, which is what a policy question asks, and keeps seed
noise from inflating every index. Rows are keyed by ``point_id`` — the row of the design
sample in SALib's order — never by the order in which runs finished.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from SALib.analyze import morris, sobol

from talentsim.analysis.comparison import Statistic, per_run
from talentsim.analysis.dataset import DatasetError, SweepDataset

BOOTSTRAP_SEED = 20240601
"""Seed of SALib's bootstrap resamples, so that the confidence intervals are reproducible."""


def problem_of(ds: SweepDataset, needed: str) -> dict:
    """The SALib problem of a ``needed`` ('sobol' or 'morris') design, or a clear refusal."""
    manifest = ds.path / "manifest.json"
    if ds.kind != needed:
        raise DatasetError(
            f"{manifest}: field 'design.kind' is {ds.kind!r}; {needed} indices need a "
            f"{needed!r} design"
        )
    problem = ds.design.get("problem")
    if not isinstance(problem, dict) or not problem.get("names") or not problem.get("bounds"):
        raise DatasetError(f"{manifest}: field 'design.problem' (names, bounds) missing")
    names = [str(n) for n in problem["names"]]
    return {"num_vars": len(names), "names": names, "bounds": problem["bounds"]}


def expected_points(ds: SweepDataset, problem: dict) -> int | None:
    """Number of design points SALib produced, from the manifest (None if it cannot tell).

    The runner records ``points``; otherwise it follows from ``n``/``N`` (Sobol: N·(2D+2), or
    N·(D+2) without second order) or ``trajectories`` (Morris: r·(D+1)).
    """
    design, d = ds.design, problem["num_vars"]
    if "points" in design:
        return int(design["points"])
    base = design.get("n", design.get("N"))
    if ds.kind == "sobol" and base is not None:
        return int(base) * (2 * d + 2 if design.get("second_order", True) else d + 2)
    if ds.kind == "morris":
        trajectories = design.get("trajectories", base)
        if trajectories is not None:
            return int(trajectories) * (d + 1)
    return None


def point_responses(
    ds: SweepDataset, outcome: str, statistic: Statistic, problem: dict
) -> tuple[np.ndarray, np.ndarray]:
    """The design matrix X and the response Y, one row per design point in ``point_id`` order.

    Raises:
        DatasetError: some design point has no successful run (a hole), or the points are
            not 0..n−1, or their count differs from what the manifest's design implies.

    """
    runs = ds.runs
    all_points = np.sort(runs["point_id"].unique())
    n_expected = expected_points(ds, problem)
    n_points = n_expected if n_expected is not None else len(all_points)
    if not np.array_equal(all_points, np.arange(n_points)):
        raise DatasetError(
            f"{ds.path / 'runs.parquet'}: column 'point_id' covers {len(all_points)} points, "
            f"the {ds.kind} design has {n_points} (0..{n_points - 1}); the sweep is incomplete"
        )
    frame = per_run(ds, [outcome], statistic)
    by_point = frame.groupby("point_id")
    y = by_point[outcome].mean().reindex(all_points)
    holes = y.index[y.isna()]
    if len(holes):
        shown = ", ".join(str(int(p)) for p in holes[:10]) + (" …" if len(holes) > 10 else "")
        raise DatasetError(
            f"{ds.path / 'runs.parquet'}: {len(holes)} design point(s) have no successful run "
            f"(point_id {shown}); {ds.kind} indices need every point — rerun the sweep to "
            "fill them"
        )
    x = runs.drop_duplicates("point_id").set_index("point_id").loc[all_points, problem["names"]]
    return x.to_numpy(dtype=float), y.to_numpy(dtype=float)


def seed_noise_share(ds: SweepDataset, outcome: str, statistic: Statistic) -> float:
    """Share of the variance of the point responses that is seed noise (NaN with 1 replication).

    ``(mean within-point variance / replications) / variance of the point means``: near 0 the
    indices describe the levers; near 1 they describe the seeds, and need more replications
    or a larger scale.
    """
    frame = per_run(ds, [outcome], statistic)
    by_point = frame.groupby("point_id")[outcome]
    replications = by_point.count()
    if replications.max() < 2:
        return float("nan")
    within = (by_point.var() / replications).mean()
    between = by_point.mean().var()
    return float(min(within / between, 1.0)) if between > 0 else float("nan")


def sobol_indices(ds: SweepDataset, outcome: str, statistic: Statistic = "mean") -> pd.DataFrame:
    """First-order and total Sobol indices with 95 % bootstrap intervals for one outcome.

    Returns:
        Columns outcome, parameter, S1, S1_conf, ST, ST_conf (conf = half-width).

    """
    problem = problem_of(ds, "sobol")
    _, y = point_responses(ds, outcome, statistic, problem)
    second = bool(ds.design.get("second_order", True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a constant outcome gives 0/0
        result = sobol.analyze(problem, y, calc_second_order=second, seed=BOOTSTRAP_SEED)
    return pd.DataFrame(
        {
            "outcome": outcome,
            "parameter": problem["names"],
            "S1": result["S1"],
            "S1_conf": result["S1_conf"],
            "ST": result["ST"],
            "ST_conf": result["ST_conf"],
            "seed_noise_share": seed_noise_share(ds, outcome, statistic),
        }
    )


def morris_indices(ds: SweepDataset, outcome: str, statistic: Statistic = "mean") -> pd.DataFrame:
    """Morris mu* (with its 95 % bootstrap half-width), mu and sigma for one outcome."""
    problem = problem_of(ds, "morris")
    x, y = point_responses(ds, outcome, statistic, problem)
    levels = int(ds.design.get("levels", 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = morris.analyze(problem, x, y, num_levels=levels, seed=BOOTSTRAP_SEED)
    return pd.DataFrame(
        {
            "outcome": outcome,
            "parameter": problem["names"],
            "mu_star": np.asarray(result["mu_star"], dtype=float),
            "mu_star_conf": np.asarray(result["mu_star_conf"], dtype=float),
            "mu": np.asarray(result["mu"], dtype=float),
            "sigma": np.asarray(result["sigma"], dtype=float),
            "seed_noise_share": seed_noise_share(ds, outcome, statistic),
        }
    )


def sensitivity(
    ds: SweepDataset, outcomes: list[str], statistic: Statistic = "mean"
) -> pd.DataFrame | None:
    """Sobol or Morris indices for each outcome, by the dataset's design; None for others."""
    if ds.kind == "sobol":
        return pd.concat([sobol_indices(ds, o, statistic) for o in outcomes], ignore_index=True)
    if ds.kind == "morris":
        return pd.concat([morris_indices(ds, o, statistic) for o in outcomes], ignore_index=True)
    return None
