"""Scenario discovery for ``lhs`` designs: which lever ranges lead to an outcome threshold.

A small Patient Rule Induction Method (PRIM; Friedman & Fisher 1999, as used for scenario
discovery by Bryant & Lempert 2010). Starting from the box that holds every design point, PRIM
repeatedly peels off the ``alpha`` share of points at the low or high end of one parameter —
whichever peel raises the share of cases of interest (density) inside the box most — until the
box holds fewer than ``min_mass`` of the points. Each step trades coverage (share of all cases
of interest still inside) for density; the box reported is the densest one on that trajectory
that still covers at least ``min_coverage`` of the cases, with every limit lifted that does
not raise its density (no pasting step otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from talentsim.analysis.comparison import Statistic, per_run
from talentsim.analysis.dataset import DatasetError, SweepDataset
from talentsim.analysis.measures import lower_is_better


@dataclass(frozen=True)
class PrimResult:
    """A PRIM peeling trajectory and the box chosen on it.

    Attributes:
        trajectory: One row per step: step, coverage, density, mass, restricted (dimensions).
        box: The chosen box: parameter, low, high, full_low, full_high, restricted.
        chosen: The step of the chosen box.
        rule: The case definition in words, e.g. ``retention_3y ≥ 0.48``.
        coverage: Share of all cases inside the chosen box.
        density: Share of the chosen box's points that are cases.
        mass: Share of all points inside the chosen box.

    """

    trajectory: pd.DataFrame
    box: pd.DataFrame
    chosen: int
    rule: str
    coverage: float
    density: float
    mass: float


def peel(
    x: np.ndarray,
    cases: np.ndarray,
    names: list[str],
    alpha: float = 0.05,
    min_mass: float = 0.05,
    min_coverage: float = 0.5,
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """PRIM peeling of the design ``x`` (points × parameters) toward the boolean ``cases``.

    Returns:
        (trajectory, chosen box, chosen step); see :class:`PrimResult`.

    """
    n = len(x)
    total_cases = max(int(cases.sum()), 1)
    full_low, full_high = x.min(axis=0), x.max(axis=0)
    low, high = full_low.copy(), full_high.copy()
    inside = np.ones(n, dtype=bool)
    boxes = [(low.copy(), high.copy())]
    full = (full_low, full_high)
    rows = [_step_row(0, inside, cases, total_cases, (low, high), full)]
    while inside.sum() / n >= min_mass:
        best = _best_peel(x, cases, inside, alpha)
        if best is None:
            break
        dim, side, cut = best
        if side == "low":
            low[dim] = cut
            inside &= x[:, dim] >= cut
        else:
            high[dim] = cut
            inside &= x[:, dim] <= cut
        if inside.sum() / n < min_mass:
            break
        boxes.append((low.copy(), high.copy()))
        rows.append(_step_row(len(rows), inside, cases, total_cases, (low, high), full))
    trajectory = pd.DataFrame(rows)
    eligible = trajectory[trajectory["coverage"] >= min_coverage]
    pick = eligible if not eligible.empty else trajectory
    chosen = int(pick.sort_values(["density", "step"], ascending=[False, True]).iloc[0]["step"])
    box_low, box_high = _drop_idle_limits(x, cases, *boxes[chosen], full_low, full_high)
    box = pd.DataFrame(
        {
            "parameter": names,
            "low": box_low,
            "high": box_high,
            "full_low": full_low,
            "full_high": full_high,
            "restricted": (box_low > full_low) | (box_high < full_high),
        }
    )
    return trajectory, box, chosen


def _drop_idle_limits(
    x: np.ndarray,
    cases: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    full_low: np.ndarray,
    full_high: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Lift each limit whose removal keeps the box's density (a simpler, equally good rule).

    Early peels can restrict a parameter that later peels make irrelevant; lifting such a limit
    can only add points, so coverage never falls.
    """
    low, high = low.copy(), high.copy()

    def density(lo: np.ndarray, hi: np.ndarray) -> float:
        inside = np.all((x >= lo) & (x <= hi), axis=1)
        return float(cases[inside].mean()) if inside.any() else 0.0

    for dim in range(x.shape[1]):
        for bounds, full in ((low, full_low), (high, full_high)):
            if bounds[dim] == full[dim]:
                continue
            kept = bounds[dim]
            before = density(low, high)
            bounds[dim] = full[dim]
            if density(low, high) < before - 1e-12:
                bounds[dim] = kept
    return low, high


def _best_peel(
    x: np.ndarray, cases: np.ndarray, inside: np.ndarray, alpha: float
) -> tuple[int, str, float] | None:
    """The single peel (dimension, side, cut) that leaves the densest box, or None."""
    best: tuple[float, int, str, float] | None = None
    points = x[inside]
    hit = cases[inside]
    for dim in range(x.shape[1]):
        column = points[:, dim]
        for side, cut in (
            ("low", np.quantile(column, alpha)),
            ("high", np.quantile(column, 1 - alpha)),
        ):
            keep = column >= cut if side == "low" else column <= cut
            if keep.all():  # ties at the edge: this peel removes nothing
                keep = column > cut if side == "low" else column < cut
                cut = column[keep].min() if side == "low" else column[keep].max()
            if not keep.any() or keep.all():
                continue
            density = float(hit[keep].mean())
            if best is None or density > best[0]:
                best = (density, dim, side, float(cut))
    return None if best is None else best[1:]


def _step_row(
    step: int,
    inside: np.ndarray,
    cases: np.ndarray,
    total_cases: int,
    box: tuple[np.ndarray, np.ndarray],
    full: tuple[np.ndarray, np.ndarray],
) -> dict[str, float]:
    (low, high), (full_low, full_high) = box, full
    return {
        "step": step,
        "coverage": float(cases[inside].sum() / total_cases),
        "density": float(cases[inside].mean()) if inside.any() else 0.0,
        "mass": float(inside.mean()),
        "restricted": int(((low > full_low) | (high < full_high)).sum()),
    }


def discover(
    ds: SweepDataset,
    outcome: str,
    threshold: float | None = None,
    statistic: Statistic = "mean",
) -> PrimResult:
    """PRIM box of lever/uncertainty ranges where ``outcome`` meets ``threshold``.

    A design point is a case of interest when its outcome statistic, averaged over the
    point's replications, is at least ``threshold`` (at most, for outcomes where lower is
    better). Without a threshold, the best quarter of points are the cases.
    """
    if ds.kind != "lhs":
        raise DatasetError(
            f"{ds.path / 'manifest.json'}: field 'design.kind' is {ds.kind!r}; scenario "
            "discovery needs an 'lhs' design"
        )
    if not ds.params:
        raise DatasetError(f"{ds.path / 'runs.parquet'}: no parameter columns to discover over")
    frame = per_run(ds, [outcome], statistic)
    y = frame.groupby("point_id")[outcome].mean()
    x = ds.runs.drop_duplicates("point_id").set_index("point_id").loc[y.index, ds.params]
    lower = lower_is_better(outcome)
    if threshold is None:
        threshold = float(np.quantile(y, 0.25 if lower else 0.75))
    cases = (y <= threshold) if lower else (y >= threshold)
    points, hits = x.to_numpy(dtype=float), cases.to_numpy()
    trajectory, box, chosen = peel(points, hits, ds.params)
    inside = np.all((points >= box["low"].to_numpy()) & (points <= box["high"].to_numpy()), axis=1)
    return PrimResult(
        trajectory=trajectory,
        box=box,
        chosen=chosen,
        rule=f"{outcome} ({statistic}) {'≤' if lower else '≥'} {threshold:.4g}",
        coverage=float(hits[inside].sum() / max(hits.sum(), 1)),
        density=float(hits[inside].mean()) if inside.any() else 0.0,
        mass=float(inside.mean()),
    )
