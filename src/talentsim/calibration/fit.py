"""Fit the free parameters to the targets: a Latin-hypercube search, then Nelder–Mead.

The loss of a parameter set is Σ weight·((model − value)/half-band)² over the targets, the model
value being the mean over ``fit_seeds`` replications with fixed seeds (common random numbers,
so the loss surface is deterministic). The LHS points (SALib) run in parallel on the executor;
Nelder–Mead (scipy) then refines the best point in coordinates scaled to [0, 1] and clipped
to the bounds, each evaluation running its replications in parallel.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from SALib.sample import latin
from scipy.optimize import minimize

from talentsim.calibration.evaluate import RunSpec, execute, measure_runs, replication_seeds
from talentsim.calibration.evaluate import loss as target_loss
from talentsim.calibration.facts import with_overrides
from talentsim.calibration.targets import FreeParameter, TargetsFile
from talentsim.config.loading import set_dotted
from talentsim.config.schema import CityConfig
from talentsim.runinfo import write_atomic

PROGRESS_EVERY = 10
"""Evaluations between two progress lines of the fit (or a minute, whichever comes first)."""


@dataclass
class FitResult:
    """The fitted values, their loss, and every evaluation made on the way."""

    values: dict[str, float]
    loss: float
    start_loss: float
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    means: dict[str, float] = field(default_factory=dict)


@dataclass
class Objective:
    """Evaluates parameter vectors: builds configs, runs replications, returns the loss."""

    targets: TargetsFile
    base: CityConfig
    parameters: list[FreeParameter]
    executor: Executor
    seeds: list[np.random.SeedSequence]
    years: int
    evaluations: list[dict[str, Any]] = field(default_factory=list)
    say: Callable[[str], None] | None = None
    """Gets a progress line every :data:`PROGRESS_EVERY` evaluations or each minute."""
    clock: Callable[[], float] = time.monotonic
    last_line: float | None = None

    def config(self, x: np.ndarray) -> CityConfig:
        """The base config with the free parameters set to ``x`` (natural units)."""
        return with_overrides(
            self.base, {p.path: float(v) for p, v in zip(self.parameters, x, strict=True)}
        )

    def batch(self, points: np.ndarray) -> list[float]:
        """Losses of several points, all their replications submitted at once."""
        configs = [self.config(x) for x in points]
        futures = [
            [self.executor.submit(execute, RunSpec(cfg, s, self.years)) for s in self.seeds]
            for cfg in configs
        ]
        losses = []
        for x, cfg, row in zip(points, configs, futures, strict=True):
            values = measure_runs(self.targets, [f.result() for f in row], cfg)
            means = {k: float(v) for k, v in values.mean().items()}
            value = target_loss(self.targets, means)
            self.evaluations.append({"x": [float(v) for v in x], "loss": value, "means": means})
            losses.append(value)
            self.report()
        return losses

    def report(self) -> None:
        """Say how far the fit is, if enough evaluations or time passed since the last line."""
        now = self.clock()
        if self.say is None:
            return
        if self.last_line is None:
            self.last_line = now
        count = len(self.evaluations)
        if count % PROGRESS_EVERY and now - self.last_line < 60:
            return
        self.last_line = now
        best = min(e["loss"] for e in self.evaluations)
        self.say(f"evaluation {count}: loss {self.evaluations[-1]['loss']:.3f}, best {best:.3f}")

    def __call__(self, x: np.ndarray) -> float:
        """Loss of one point."""
        return self.batch(np.atleast_2d(x))[0]


def fit(
    targets: TargetsFile,
    base: CityConfig,
    executor: Executor,
    lhs_points: int = 32,
    iterations: int = 60,
    seed: int = 0,
    scale: float | None = None,
    years: int | None = None,
    replications: int | None = None,
    parameters: list[FreeParameter] | None = None,
    progress: Callable[[str], None] | None = None,
) -> FitResult:
    """Fit ``parameters`` (default: the file's free parameters) to the targets.

    Args:
        targets: The targets file.
        base: The config to start from (its other parameters stay fixed).
        executor: Where replications run.
        lhs_points: Size of the Latin-hypercube search (0 = start from the base values).
        iterations: Maximum Nelder–Mead iterations (0 = LHS only).
        seed: Seed of the LHS sample.
        scale: Scale of the fit's runs (default: settings.fit_scale).
        years: Years per run (default: settings.fit_years).
        replications: Seeds per evaluation (default: settings.fit_seeds).
        parameters: The parameters to fit.
        progress: Called with a line of text after each stage.

    """
    settings = targets.settings
    parameters = parameters if parameters is not None else targets.free_parameters
    if not parameters:
        raise ValueError("no free parameters to fit")
    run_base = base.model_copy(update={"scale": scale or settings.fit_scale})
    objective = Objective(
        targets,
        run_base,
        parameters,
        executor,
        replication_seeds(settings.root_seed, replications or settings.fit_seeds),
        years or settings.fit_years,
        say=progress,
    )
    low = np.array([p.low for p in parameters])
    high = np.array([p.high for p in parameters])
    start = np.array([_current(base, p.path) for p in parameters], dtype=float)
    start = np.clip(start, low, high)
    start_loss = objective(start)
    best_x, best_loss = start, start_loss
    say = progress or (lambda _line: None)
    say(f"start: loss {start_loss:.3f}")
    if lhs_points > 0:
        problem = {
            "num_vars": len(parameters),
            "names": [p.path for p in parameters],
            "bounds": [[p.low, p.high] for p in parameters],
        }
        sample = latin.sample(problem, lhs_points, seed=seed)
        losses = objective.batch(sample)
        i = int(np.argmin(losses))
        if losses[i] < best_loss:
            best_x, best_loss = sample[i], losses[i]
        say(f"LHS ({lhs_points} points): best loss {best_loss:.3f}")
    if iterations > 0:
        span = high - low

        def scaled(u: np.ndarray) -> float:
            return objective(low + np.clip(u, 0.0, 1.0) * span)

        u0 = (best_x - low) / span
        steps = np.where(u0 < 0.85, 0.15, -0.15)
        simplex = [u0] + [
            np.clip(u0 + steps * (np.arange(len(u0)) == k), 0, 1) for k in range(len(u0))
        ]
        result = minimize(
            scaled,
            u0,
            method="Nelder-Mead",
            options={
                "maxiter": iterations,
                "initial_simplex": np.array(simplex),
                "xatol": 1e-3,
                "fatol": 1e-3,
            },
        )
        if result.fun < best_loss:
            best_x, best_loss = low + np.clip(result.x, 0, 1) * span, float(result.fun)
        say(f"Nelder–Mead ({result.nit} iterations): loss {best_loss:.3f}")
    best = min(objective.evaluations, key=lambda e: e["loss"])
    values = {p.path: _rounded(float(v)) for p, v in zip(parameters, best_x, strict=True)}
    return FitResult(values, best_loss, start_loss, objective.evaluations, best["means"])


def _current(config: CityConfig, dotted: str) -> float:
    node: Any = config
    for key in dotted.split("."):
        node = node[int(key)] if isinstance(node, list) else getattr(node, key)
    return float(node)


def _rounded(value: float) -> float:
    """Four significant digits: the fit's noise is far larger than that."""
    return float(f"{value:.4g}")


def write_fitted(path: Path | str, result: FitResult, note: str) -> None:
    """Write the fitted values as a partial config (the base of the baseline), atomically."""
    data: dict[str, Any] = {}
    for dotted, value in result.values.items():
        set_dotted(data, dotted, value)
    header = (
        "# Free parameters of the Zibo baseline, fitted to configs/calibration/targets.yaml.\n"
        "# Machine-written by `talentsim calibrate --write`; the baseline\n"
        "# (configs/zibo_baseline.yaml) includes this file through `base:`, so a new fit\n"
        "# replaces these values without touching the hand-written, commented baseline.\n"
        f"# Fit of {dt.date.today().isoformat()}: {note}\n"
        f"# loss {result.start_loss:.3f} at the start -> {result.loss:.3f} fitted "
        f"({len(result.evaluations)} evaluations); see docs/calibration.md.\n"
    )
    text = header + yaml.safe_dump(data, sort_keys=True, allow_unicode=True)
    write_atomic(Path(path), lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
