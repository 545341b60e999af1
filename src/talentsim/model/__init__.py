"""The city model: TalentModel on Mesa, and :func:`simulate` to run one scenario."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from talentsim.config.schema import CityConfig
from talentsim.model.city import TalentModel


@dataclass
class SimulationResult:
    """What one run produces: yearly outcomes, yearly flows, and the model for inspection."""

    outcomes: pd.DataFrame
    flows: pd.DataFrame
    model: TalentModel


def simulate(config: CityConfig, seed: Any = None, years: int | None = None) -> SimulationResult:
    """Run ``config`` for ``years`` (default ``config.years``) from ``seed`` (default config's).

    Args:
        config: A validated scenario.
        seed: An int, a ``numpy.random.SeedSequence`` or a Generator; decides every draw.
        years: Number of yearly steps.

    """
    model = TalentModel(config, rng=seed)
    for _ in range(config.years if years is None else years):
        model.step()
    return SimulationResult(outcomes=model.outcomes(), flows=model.flows(), model=model)


__all__ = ["SimulationResult", "TalentModel", "simulate"]
