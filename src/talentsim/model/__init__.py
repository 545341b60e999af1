"""The city model: TalentModel on Mesa, and :func:`simulate` to run one scenario."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from typing import Any

import pandas as pd

from talentsim.config.schema import CityConfig
from talentsim.model.city import SCHEDULE, TalentModel


@dataclass
class SimulationResult:
    """What one run produces.

    Attributes:
        outcomes: One row per reported year, every outcome at city scale (docs/ODD.md).
        flows: One row per (year, source, target): people moving between states.
        model: The finished model, for inspection (``model.people.individuals()``,
            ``model.people.trace(pid)``, ``model.firm_table``, ``model.schools``).

    """

    outcomes: pd.DataFrame
    flows: pd.DataFrame
    model: TalentModel


def with_overrides(config: CityConfig, **overrides: Any) -> CityConfig:
    """``config`` with top-level fields replaced (``scale=``, ``years=``, ``seed=``), validated.

    Raises:
        pydantic.ValidationError: An override is out of its range or of the wrong type.

    """
    given = {name: value for name, value in overrides.items() if value is not None}
    if not given:
        return config
    return CityConfig.model_validate({**config.model_dump(), **given})


def simulate(
    config: CityConfig,
    seed: Any = None,
    years: int | None = None,
    *,
    scale: float | None = None,
    city: TalentModel | None = None,
) -> SimulationResult:
    """Run ``config`` for ``years`` reported years after its burn-in.

    Args:
        config: A validated scenario.
        seed: An int (validated as ``config.seed``), a ``numpy.random.SeedSequence`` or a
            Generator; decides every draw (default ``config.seed``).
        years: Number of reported years (default ``config.years``), validated by the schema.
        scale: Share of persons and firms simulated (default ``config.scale``), validated.
        city: A burned-in city of the same non-policy config and seed (from
            :func:`burned_in_snapshot`) to continue instead of building and burning in anew.

    """
    if isinstance(seed, int):  # an int seed is a config field: validate it like one
        config, seed = with_overrides(config, seed=seed), None
    config = with_overrides(config, years=years, scale=scale)
    if city is None:
        city = TalentModel(config, rng=seed)
    else:
        city.with_policy(config)
    for _ in range(config.years):
        city.step()
    return SimulationResult(outcomes=city.outcomes(), flows=city.flows(), model=city)


def burned_in_snapshot(config: CityConfig, seed: Any = None, keep_history: bool = True) -> bytes:
    """The city of ``config`` and ``seed`` after its burn-in, pickled (see :func:`from_snapshot`).

    Every scenario that differs from ``config`` only in its policy (and name, description,
    years) shares this city: the burn-in runs under the status quo whatever the policy.
    Without ``keep_history`` the snapshot leaves out the burn-in's event log and the people who
    left (:meth:`People.forget_history`): same outcomes, a fraction of the size.
    """
    city = TalentModel(config, rng=seed)
    if not keep_history:
        city.people.forget_history()
    return pickle.dumps(city, protocol=pickle.HIGHEST_PROTOCOL)


def from_snapshot(snapshot: bytes) -> TalentModel:
    """The burned-in city of a snapshot made by :func:`burned_in_snapshot` (trusted input)."""
    return pickle.loads(snapshot)  # noqa: S301 - written by this package in the run's own store


__all__ = [
    "SCHEDULE",
    "SimulationResult",
    "TalentModel",
    "burned_in_snapshot",
    "from_snapshot",
    "simulate",
    "with_overrides",
]
