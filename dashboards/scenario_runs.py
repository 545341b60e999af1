"""Running a set of scenarios × replications for the scenario page (no UI code).

Replication r uses the same seed in every scenario (common random numbers), so differences
from the baseline can be paired by replication.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from talentsim.config import resolve_config
from talentsim.model import simulate

ProgressCallback = Callable[[int, int], None]
MAX_REPLICATIONS = 10
"""Replications a browser may ask for (the page offers 1-10): caps a session's work."""
MAX_SCALE = 0.1
"""Largest scale of a scenario run from the page."""


def list_scenarios(configs: Path) -> dict[str, Path]:
    """Scenario name (file stem) → file, for ``configs/scenarios/*.yaml``."""
    folder = configs / "scenarios"
    return {path.stem: path for path in sorted(folder.glob("*.yaml"))}


def select_scenarios(available: dict[str, Path], chosen: list[str]) -> dict[str, Path]:
    """The ``chosen`` scenarios (names sent by a browser), each checked against ``available``.

    Raises:
        ValueError: a name that is not an available scenario, or a name given twice.

    """
    unknown = [name for name in chosen if name not in available]
    if unknown:
        shown = ", ".join(repr(name)[:40] for name in unknown[:3])
        raise ValueError(f"unknown scenario {shown}; choose from {', '.join(available)}")
    if len(set(chosen)) != len(chosen):
        raise ValueError("a scenario is chosen twice")
    return {name: available[name] for name in chosen}


def replication_seeds(root: int, replications: int) -> list[np.random.SeedSequence]:
    """One independent SeedSequence per replication, spawned from ``root``."""
    return np.random.SeedSequence(root).spawn(replications)


def run_scenarios(
    scenarios: dict[str, Path],
    replications: int,
    *,
    scale: float,
    years: int,
    seed: int = 42,
    on_progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> pd.DataFrame:
    """Simulate every scenario ``replications`` times; stop early when ``cancelled()``.

    Returns:
        Outcomes of the finished runs: columns scenario, replication, then the model's.

    Raises:
        talentsim.config.ConfigError: a scenario file is invalid, or ``scale``/``years`` are
            refused by the schema.
        ValueError: ``replications`` or ``scale`` beyond what the page offers.

    """
    if isinstance(replications, bool) or not isinstance(replications, int):
        raise ValueError(f"replications: expected a whole number, got {replications!r:.40}")
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise ValueError(f"replications = {replications}: must be 1 to {MAX_REPLICATIONS}")
    if isinstance(scale, int | float) and not isinstance(scale, bool) and scale > MAX_SCALE:
        raise ValueError(f"scale = {scale:g}: at most {MAX_SCALE} here")
    configs = {
        name: resolve_config(path, {"scale": scale, "years": years})
        for name, path in scenarios.items()
    }
    seeds = replication_seeds(seed, replications)
    total = len(configs) * replications
    frames: list[pd.DataFrame] = []
    done = 0
    for replication, seq in enumerate(seeds):
        for name, config in configs.items():
            if cancelled():
                return _concat(frames)
            fresh = np.random.SeedSequence(seq.entropy, spawn_key=seq.spawn_key)
            outcomes = simulate(config, seed=fresh).outcomes
            frames.append(outcomes.assign(scenario=name, replication=replication))
            done += 1
            if on_progress is not None:
                on_progress(done, total)
    return _concat(frames)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(columns=["scenario", "replication", "year"])
    return pd.concat(frames, ignore_index=True)
