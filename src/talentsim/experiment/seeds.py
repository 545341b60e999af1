"""Replication seeds: one ``SeedSequence`` child per replication, shared by every design point.

Replication ``i`` of every design point starts from ``SeedSequence(root_seed).spawn(R)[i]``,
so policies are compared on the same random draws (common random numbers). A child is stored as
its entropy and spawn key, which rebuild it exactly: ``SeedSequence(entropy, spawn_key=key)``.
"""

from __future__ import annotations

import numpy as np


def replication_seeds(root_seed: int, replications: int) -> list[np.random.SeedSequence]:
    """The ``replications`` children of ``SeedSequence(root_seed)``, in replication order."""
    return np.random.SeedSequence(root_seed).spawn(replications)


def spawn_key_text(key: tuple[int, ...]) -> str:
    """A spawn key as stored in the dataset: its integers joined by commas (``(3,)`` → ``"3"``)."""
    return ",".join(str(int(part)) for part in key)


def rebuild_seed(entropy: int, spawn_key: str) -> np.random.SeedSequence:
    """The ``SeedSequence`` a run used, from its stored entropy and spawn key."""
    key = tuple(int(part) for part in spawn_key.split(",")) if spawn_key else ()
    return np.random.SeedSequence(entropy, spawn_key=key)
