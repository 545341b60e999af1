"""Shared burn-in: every scenario of a replication starts from the same burned-in city.

The burn-in runs under the status quo, so it depends only on the non-policy part of a run's
config and its seed (:func:`burn_in_key`). The first run of a replication that needs it builds
the city, burns it in and leaves a snapshot in the sweep's folder (``burn_in/<key>.pickle``);
every other run of that replication and config loads it instead of burning in again. A file
lock per key makes concurrent workers on one machine wait for the first instead of repeating it;
the snapshot is written to a temporary file and renamed, so a killed worker leaves no half file.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np

from talentsim.config.schema import CityConfig
from talentsim.model import TalentModel, burned_in_snapshot, from_snapshot

CACHE_FOLDER = "burn_in"
"""Folder of burned-in snapshots inside a sweep's output folder."""
NOT_BURN_IN = {"policy", "years", "name", "description"}
"""Config fields that the burn-in does not depend on."""


def burn_in_key(config: CityConfig, seed: np.random.SeedSequence) -> str:
    """A hash of what the burned-in city depends on: the non-policy config and the seed."""
    body = {
        "config": config.model_dump(mode="json", exclude=NOT_BURN_IN),
        "entropy": str(seed.entropy),
        "spawn_key": list(seed.spawn_key),
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:32]


def burned_in_city(config: CityConfig, seed: np.random.SeedSequence, cache: Path) -> TalentModel:
    """The burned-in city of ``config`` and ``seed``, from the snapshot in ``cache`` if there.

    Where ``cache`` cannot be used (a cluster worker that does not see the sweep's folder), the
    city is burned in here without a snapshot: the same numbers, only slower.
    """
    try:
        return _through_cache(config, seed, cache)
    except OSError:
        return TalentModel(config, rng=seed)


def _through_cache(config: CityConfig, seed: np.random.SeedSequence, cache: Path) -> TalentModel:
    cache.mkdir(parents=True, exist_ok=True)
    key = burn_in_key(config, seed)
    path = cache / f"{key}.pickle"
    with open(cache / f"{key}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            snapshot = path.read_bytes()
        else:
            snapshot = burned_in_snapshot(config, seed, keep_history=False)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(snapshot)
            os.replace(partial, path)
    return from_snapshot(snapshot)


def clear_cache(out: Path) -> None:
    """Remove the snapshots of a finished sweep."""
    with contextlib.suppress(FileNotFoundError):
        shutil.rmtree(out / CACHE_FOLDER)
