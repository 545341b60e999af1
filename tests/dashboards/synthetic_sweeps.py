"""Synthetic sweep datasets in the runner's format for the dashboard tests.

A module of its own, not conftest.py, so that ``from synthetic_sweeps import ...`` cannot pick up
another test folder's conftest when several folders are collected together.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

LEVER_A = "policy.apprenticeship_subsidy.value"
LEVER_B = "policy.coordination.value"
YEARS = (2024, 2025, 2026, 2027)


def write_sweep(
    folder: Path,
    points: np.ndarray,
    kind: str,
    replications: int = 2,
    failed: frozenset[int] = frozenset(),
    problem: dict | None = None,
    scenarios: list[str] | None = None,
) -> Path:
    """A dataset in the runner's format; retention_3y depends mostly on LEVER_A."""
    folder.mkdir(parents=True, exist_ok=True)
    rows, runs = [], []
    run_id = 0
    for point_id, (a, b) in enumerate(points):
        for replication in range(replications):
            scenario = scenarios[point_id] if scenarios else kind
            ok = run_id not in failed
            runs.append(
                {
                    "run_id": run_id,
                    "point_id": point_id,
                    "scenario": scenario,
                    "replication": replication,
                    LEVER_A: a,
                    LEVER_B: b,
                    "status": "ok" if ok else "failed",
                    "error": "" if ok else "Traceback ...\nRuntimeError: synthetic failure",
                    "seconds": 0.5,
                }
            )
            for t, year in enumerate(YEARS):
                if not ok:
                    continue
                noise = 0.001 * replication
                rows.append(
                    {
                        "run_id": run_id,
                        "point_id": point_id,
                        "scenario": scenario,
                        "replication": replication,
                        "seed_entropy": 42,
                        "seed_spawn_key": str(replication),
                        LEVER_A: a,
                        LEVER_B: b,
                        "year": year,
                        "retention_3y": 0.5 + 0.3 * a / 20_000 + 0.01 * b + 0.01 * t + noise,
                        "employment_rate": 0.9 - 0.02 * b + noise,
                        "fiscal_cost": 1e8 * (1 + a / 10_000),
                    }
                )
            run_id += 1
    pd.DataFrame(rows).to_parquet(folder / "outcomes.parquet", index=False)
    pd.DataFrame(runs).to_parquet(folder / "runs.parquet", index=False)
    design = {"kind": kind, "problem": problem or {}}
    (folder / "manifest.json").write_text(json.dumps({"design": design}), encoding="utf-8")
    return folder


def sobol_points(n: int = 8) -> tuple[np.ndarray, dict]:
    from SALib.sample import sobol

    problem = {"num_vars": 2, "names": [LEVER_A, LEVER_B], "bounds": [[0, 20_000], [0, 1]]}
    return sobol.sample(problem, n, calc_second_order=True, seed=1), problem


def grid_points() -> np.ndarray:
    return np.array([(a, b) for a in (0, 5_000, 10_000) for b in (0.0, 0.5, 1.0)])
