"""Tiny experiments (scale 0.01, 2 years) and helpers to read and compare sweep datasets."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "configs" / "scenarios"


def tiny_experiment(folder: Path, name: str = "tiny", **changes: object) -> Path:
    """Write a 2 × 2-point grid, 2 replications, 2 years at scale 0.01 (8 runs)."""
    spec: dict[str, object] = {
        "scenario": str(SCENARIOS / "baseline.yaml"),
        "levers": {"policy.apprenticeship_subsidy.value": {"values": [0, 5000]}},
        "uncertainties": {"firms.trainee_gain": {"range": [0.1, 0.3]}},
        "design": {"kind": "grid", "levels": 2},
        "replications": 2,
        "root_seed": 7,
        "years": 2,
        "scale": 0.01,
    }
    spec.update(changes)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def read_dataset(folder: Path) -> dict[str, pd.DataFrame]:
    """The three tables of a sweep, without the timing column (which differs run to run)."""
    return {
        "outcomes": pd.read_parquet(folder / "outcomes.parquet"),
        "flows": pd.read_parquet(folder / "flows.parquet"),
        "runs": pd.read_parquet(folder / "runs.parquet").drop(columns="seconds"),
    }


def assert_same_dataset(left: Path, right: Path) -> None:
    """Both folders hold equal outcomes, flows and runs tables."""
    a, b = read_dataset(left), read_dataset(right)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], obj=name)
