"""Synthetic sweep datasets in the runner's format, with known answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

YEARS = [2025, 2026, 2027, 2028, 2029]


def write_dataset(
    folder: Path,
    outcomes: pd.DataFrame,
    runs: pd.DataFrame,
    design: dict,
    flows: pd.DataFrame | None = None,
) -> Path:
    """Write the four files of a sweep folder."""
    folder.mkdir(parents=True, exist_ok=True)
    outcomes.to_parquet(folder / "outcomes.parquet", index=False)
    runs.to_parquet(folder / "runs.parquet", index=False)
    if flows is None:
        flows = pd.DataFrame(
            {"run_id": pd.Series([], dtype=str), "year": pd.Series([], dtype=int),
             "source": pd.Series([], dtype=str), "target": pd.Series([], dtype=str),
             "count": pd.Series([], dtype=float)}
        )  # fmt: skip
    flows.to_parquet(folder / "flows.parquet", index=False)
    manifest = {"design": design, "experiment": {"name": folder.name}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def run_table(points: list[tuple[int, str, dict]], replications: int) -> pd.DataFrame:
    """runs.parquet rows: every point × replication, all ok."""
    rows = []
    for point_id, scenario, params in points:
        for rep in range(replications):
            rows.append(
                {"run_id": f"p{point_id}-r{rep}", "point_id": point_id, "scenario": scenario,
                 "replication": rep, "seed_entropy": 42, "seed_spawn_key": str(rep), **params,
                 "status": "ok", "error": None, "seconds": 0.1}
            )  # fmt: skip
    return pd.DataFrame(rows)


def flow_rows(run_id: str, year: int, scale: float) -> list[dict]:
    """A small talent-flow pattern for one run and year."""
    links = {
        ("cohort", "zhongzhi"): 400, ("cohort", "general_hs"): 600,
        ("zhongzhi", "gaozhi"): 250, ("zhongzhi", "job_in_field"): 100,
        ("zhongzhi", "left_city"): 50, ("general_hs", "benke"): 300,
        ("general_hs", "study_elsewhere"): 300, ("gaozhi", "job_in_field"): 150,
        ("gaozhi", "job_out_of_field"): 60, ("gaozhi", "left_city"): 40,
        ("benke", "job_in_field"): 120, ("benke", "left_city"): 180,
    }  # fmt: skip
    return [
        {"run_id": run_id, "year": year, "source": s, "target": t, "count": c * scale}
        for (s, t), c in links.items()
    ]


def scenario_frames(
    effects: dict[str, float], replications: int, noise: float, seed: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Scenarios whose retention differs from 'baseline' by a known ``effects[scenario]``.

    A large replication effect is shared by every scenario (common random numbers); ``noise``
    is each run's own noise. Fiscal cost rises 1e6 RMB per 0.01 of retention effect; retained
    skilled graduates rise 100 per 0.01 a year.
    """
    rng = np.random.default_rng(seed)
    shared = rng.normal(0, 0.05, size=replications)
    points = [(k, name, {}) for k, name in enumerate(["baseline", *effects])]
    runs = run_table(points, replications)
    rows, flows = [], []
    for run in runs.itertuples():
        effect = effects.get(run.scenario, 0.0)
        for t, year in enumerate(YEARS):
            own = rng.normal(0, noise) if noise else 0.0
            retention = 0.7 + 0.01 * t + shared[run.replication] + effect + own
            rows.append(
                {"run_id": run.run_id, "point_id": run.point_id, "scenario": run.scenario,
                 "replication": run.replication, "seed_entropy": 42,
                 "seed_spawn_key": str(run.replication), "year": year,
                 "retention_3y": retention, "retained_skilled_3y": 5000 + 1e4 * (retention - 0.7),
                 "mismatch_flow": 0.3 - effect, "fiscal_cost": 1e7 + 1e8 * effect,
                 "fiscal_cost_park": 1e7, "fiscal_cost_placement_reward": 1e8 * effect}
            )  # fmt: skip
            flows += flow_rows(run.run_id, year, 1.0 + effect)
    return pd.DataFrame(rows), runs, pd.DataFrame(flows)


def sampled_frames(
    x: np.ndarray, names: list[str], y: np.ndarray, replications: int = 1, seed: int = 3
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A sampled design's tables, one year, outcome ``y``; rows shuffled (finish order)."""
    points = [
        (k, f"point-{k}", dict(zip(names, row.tolist(), strict=True))) for k, row in enumerate(x)
    ]
    runs = run_table(points, replications)
    outcome = runs.drop(columns=["status", "error", "seconds"]).assign(
        year=2030, y=np.repeat(y, replications)
    )
    order = np.random.default_rng(seed).permutation(len(runs))
    return outcome.iloc[order].reset_index(drop=True), runs.iloc[order].reset_index(drop=True)


@pytest.fixture
def scenario_dataset(tmp_path: Path) -> Callable[..., Path]:
    """Build a scenario dataset with known effects; returns its folder."""

    def build(
        effects: dict[str, float] | None = None, replications: int = 8, noise: float = 0.002
    ) -> Path:
        outcomes, runs, flows = scenario_frames(
            effects or {"policy": 0.05, "weak": 0.0}, replications, noise
        )
        return write_dataset(tmp_path / "scenarios", outcomes, runs, {"kind": "scenarios"}, flows)

    return build


@pytest.fixture
def sampled_dataset(tmp_path: Path) -> Callable[..., Path]:
    """Build a sampled-design dataset (outcome ``y`` per point); returns its folder.

    ``fail_points`` are recorded as failed runs with no outcome rows.
    """

    def build(
        x: np.ndarray,
        names: list[str],
        y: np.ndarray,
        design: dict,
        replications: int = 1,
        fail_points: tuple[int, ...] = (),
    ) -> Path:
        outcomes, runs = sampled_frames(x, names, y, replications)
        failed = runs["point_id"].isin(fail_points)
        runs.loc[failed, "status"] = "failed"
        outcomes = outcomes[~outcomes["point_id"].isin(fail_points)]
        return write_dataset(tmp_path / design["kind"], outcomes, runs, design)

    return build


@pytest.fixture
def grid_dataset(tmp_path: Path) -> Callable[[], Path]:
    """A 2 × 3 grid of two levers: the subsidy raises retention, coordination does nothing."""

    def build() -> Path:
        subsidy, coordination = "policy.apprenticeship_subsidy.value", "policy.coordination.value"
        points = [
            (k, f"point-{k}", {subsidy: s, coordination: c})
            for k, (s, c) in enumerate((s, c) for s in (0.0, 5000.0) for c in (0.0, 0.5, 1.0))
        ]
        runs = run_table(points, 6)
        rng = np.random.default_rng(7)
        shared = rng.normal(0, 0.05, size=6)
        rows = []
        for run in runs.itertuples():
            s = runs.loc[run.Index, subsidy]
            for year in YEARS:
                value = 0.5 + 1e-5 * s + shared[run.replication] + rng.normal(0, 0.002)
                rows.append(
                    {"run_id": run.run_id, "point_id": run.point_id, "scenario": run.scenario,
                     "replication": run.replication, subsidy: s,
                     coordination: runs.loc[run.Index, coordination], "year": year,
                     "retention_rate": value, "fiscal_cost": 1e7 + 100 * s}
                )  # fmt: skip
        design = {"kind": "grid", "levels": 3}
        return write_dataset(tmp_path / "grid", pd.DataFrame(rows), runs, design)

    return build
