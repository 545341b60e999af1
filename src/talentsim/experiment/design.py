"""Designs: the points of an experiment, from scenario lists, grids and SALib samplers.

Levers and uncertainties are the dimensions of one design, so they are crossed: a grid takes the
product of every parameter's levels, and the samplers (SALib ``latin``, ``sobol``, ``morris``)
sample the joint space of all of them. Point ``k`` of a sampled design is row ``k`` of the SALib
sample, so an analysis can rebuild the sample and pair it with the outcomes by ``point_id``.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from talentsim.config import ConfigError
from talentsim.experiment.spec import Parameter, ResolvedExperiment, cast


@dataclass(frozen=True)
class DesignPoint:
    """One combination of scenario and parameter values; every replication runs it."""

    point_id: int
    scenario: str
    params: dict[str, Any]


def salib_problem(experiment: ResolvedExperiment) -> dict[str, Any]:
    """SALib's problem dict over all levers and uncertainties with a range."""
    ranged = [(path, p) for _, path, p in experiment.spec.parameters() if p.range is not None]
    return {
        "num_vars": len(ranged),
        "names": [path for path, _ in ranged],
        "bounds": [list(p.range) for _, p in ranged if p.range is not None],
    }


def levels(parameter: Parameter, count: int) -> list[Any]:
    """A grid parameter's levels: its values, or ``count`` evenly spaced points of its range."""
    if parameter.values is not None:
        return list(parameter.values)
    low, high = parameter.range  # type: ignore[misc]
    return [float(x) for x in np.linspace(low, high, count)]


def sample(experiment: ResolvedExperiment) -> np.ndarray:
    """The SALib sample of a sampled design: one row per point, one column per parameter."""
    # SALib (and the scipy.stats it pulls in) is imported here, not at module level, so that
    # sweep workers, which import this module through the runner, start faster
    from SALib.sample import latin, morris, sobol

    design = experiment.spec.design
    problem = salib_problem(experiment)
    seed = experiment.spec.root_seed
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            if design.kind == "lhs":
                return latin.sample(problem, design.n, seed=seed)
            if design.kind == "sobol":
                return sobol.sample(
                    problem, design.n, calc_second_order=design.second_order, seed=seed
                )
            if design.kind == "morris":
                return morris.sample(
                    problem, design.trajectories, num_levels=design.levels, seed=seed
                )
        except (UserWarning, ValueError) as exc:
            raise ConfigError(f"{experiment.path}: design: {exc}") from None
    raise ValueError(f"not a sampled design: {design.kind}")


def design_points(experiment: ResolvedExperiment) -> list[DesignPoint]:
    """Every point of the experiment's design, numbered from 0 in a stable order."""
    spec = experiment.spec
    paths = [path for _, path, _ in spec.parameters()]
    kind = spec.design.kind
    if kind in ("lhs", "sobol", "morris"):
        rows: list[tuple[Any, ...]] = [tuple(row) for row in sample(experiment)]
    else:
        count = spec.design.levels if kind == "grid" else 1  # type: ignore[union-attr]
        rows = list(itertools.product(*(levels(p, count) for _, _, p in spec.parameters())))
    if kind == "scenarios":
        combos = [(s.name, row) for s in experiment.scenarios for row in rows]
    else:
        combos = [(None, row) for row in rows]
    return [
        DesignPoint(
            point_id=k,
            scenario=name if name is not None else f"point-{k}",
            params={
                path: cast(value, experiment.kinds[path])
                for path, value in zip(paths, row, strict=True)
            },
        )
        for k, (name, row) in enumerate(combos)
    ]


def describe(experiment: ResolvedExperiment, points: list[DesignPoint]) -> dict[str, Any]:
    """The design as recorded in the manifest: enough for an analysis to rebuild it."""
    spec = experiment.spec
    design = spec.design.model_dump(mode="json")
    description: dict[str, Any] = {
        **design,
        "points": len(points),
        "replications": spec.replications,
        "runs": len(points) * spec.replications,
        "parameters": [
            {
                "path": path,
                "role": "lever" if role == "levers" else "uncertainty",
                "type": experiment.kinds[path].__name__,
                **({"range": p.range} if p.range is not None else {"values": p.values}),
            }
            for role, path, p in spec.parameters()
        ],
    }
    if spec.design.kind in ("lhs", "sobol", "morris"):
        description["problem"] = salib_problem(experiment)
        description["sampler_seed"] = spec.root_seed
    return description
