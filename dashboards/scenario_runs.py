"""Running a set of scenarios × replications for the scenario page (no UI code).

Replication r uses the same seed in every scenario (common random numbers), so differences
from the baseline can be paired by replication; the scenarios of a replication that differ only
in their policy start from one burned-in city, burned in once (as a sweep does).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from talentsim.config import resolve_config
from talentsim.experiment.burn_in import burn_in_key
from talentsim.model import burned_in_snapshot, from_snapshot, simulate

ProgressCallback = Callable[[int, int], None]
MAX_DEPTH = 3
MAX_BYTES = 200_000
"""Scenario files are small; a larger YAML under a root is not read whole to be listed."""
MAX_REPLICATIONS = 30
"""Replications a browser may ask for (the page offers 1-30): caps a session's work."""
MAX_SCALE = 0.1
"""Largest scale of a scenario run from the page."""


def list_scenarios(configs: Path, roots: list[Path] | None = None) -> dict[str, Path]:
    """Scenario name → file: ``configs/scenarios/*.yaml`` by stem, then those under ``roots``.

    A scenario file under a results root (up to :data:`MAX_DEPTH` folders down, symlinks
    leading out of the roots skipped) is named by its path from the root's name, e.g.
    ``results/mine/park_2027``.
    """
    folder = configs / "scenarios"
    found = {path.stem: path for path in sorted(folder.glob("*.yaml"))}
    for root in roots or []:
        for path in scenario_files(root, [root]):
            found[f"{root.name}/{path.relative_to(root).with_suffix('')}"] = path
    return found


def scenario_files(folder: Path, roots: list[Path], depth: int = MAX_DEPTH) -> list[Path]:
    """Scenario YAML files in ``folder`` and its subfolders, inside ``roots`` only.

    A scenario file is a mapping with a ``base`` or ``policy`` entry and no ``design`` (which
    makes it an experiment).
    """
    files: list[Path] = []
    frontier = [folder]
    for _ in range(depth + 1):
        next_frontier = []
        for current in frontier:
            try:
                children = sorted(current.iterdir())
            except OSError:
                continue
            for child in children:
                if not any(child.resolve().is_relative_to(root) for root in roots):
                    continue
                if child.is_dir() and not child.name.startswith("."):
                    next_frontier.append(child)
                elif child.suffix in (".yaml", ".yml") and _is_scenario(child):
                    files.append(child)
        frontier = next_frontier
    return files


def _is_scenario(path: Path) -> bool:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")[:MAX_BYTES])
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and "design" not in data and ("base" in data or "policy" in data)


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
        snapshots: dict[str, bytes] = {}
        for name, config in configs.items():
            if cancelled():
                return _concat(frames)
            fresh = np.random.SeedSequence(seq.entropy, spawn_key=seq.spawn_key)
            key = burn_in_key(config, fresh)
            if key not in snapshots:
                snapshots[key] = burned_in_snapshot(config, fresh, keep_history=False)
            city = from_snapshot(snapshots[key])
            outcomes = simulate(config, seed=fresh, city=city).outcomes
            frames.append(outcomes.assign(scenario=name, replication=replication))
            done += 1
            if on_progress is not None:
                on_progress(done, total)
    return _concat(frames)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(columns=["scenario", "replication", "year"])
    return pd.concat(frames, ignore_index=True)
