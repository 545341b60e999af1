"""Likelihood-free Bayesian calibration: ABC-SMC (pyabc) of the free parameters.

The prior of each free parameter is uniform on its ``[low, high]``. A particle is one run of the
model at the fit's scale with the particle's parameters and a fresh seed; its summary statistics
are every fact of the targets file measured on that run, but only the fitted ``targets`` enter
the distance, √Σ weight·((model − value)/half-band)², so the validation patterns stored with
the accepted particles are a posterior predictive sample that was never fitted. Tolerances
shrink to the median distance of the previous generation (pyabc's default).

Particles run on any ``concurrent.futures.Executor`` (the runner's ``serial``, ``processes`` or
``dask``) through pyabc's ``ConcurrentFutureSampler``. The history lives in an SQLite file: the
same call with the same file continues the stored run up to ``generations`` in all, so a fit
stopped by its time budget (or by a crash) resumes where it was.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from talentsim.calibration.evaluate import RunSpec, execute
from talentsim.calibration.facts import with_overrides
from talentsim.calibration.targets import FreeParameter, Target, TargetsFile
from talentsim.config import ConfigError
from talentsim.config.schema import CityConfig

WEIGHT = "weight"
"""Column of the particle weights in the posterior and predictive tables."""
DISTANCE = "distance"
"""Column of each particle's distance from the targets in the predictive table."""


@dataclass(frozen=True)
class Simulator:
    """One particle: a run at ``parameters`` with a fresh seed; returns every run-measured fact."""

    base: CityConfig
    facts: tuple[Target, ...]
    years: int
    firms: bool

    def __call__(self, parameters: dict[str, float]) -> dict[str, float]:
        """Summary statistics of one run (NaN where a fact is undefined on it)."""
        config = with_overrides(self.base, {k: float(v) for k, v in parameters.items()})
        # pyabc seeds numpy's global generator in each worker; the model's own streams hang
        # off this run seed, so a particle is reproducible from it
        seed = np.random.SeedSequence(int(np.random.randint(0, 2**62)))
        run = execute(RunSpec(config, seed, self.years, firms=self.firms))
        return {t.name: run.measure(t, config) for t in self.facts}


@dataclass(frozen=True)
class Distance:
    """√Σ weight·((model − value)/half-band)² over the fitted targets (∞ if one is undefined)."""

    names: tuple[str, ...]
    values: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]

    @classmethod
    def of(cls, targets: list[Target]) -> Distance:
        """The distance of a list of fitted targets."""
        return cls(
            tuple(t.name for t in targets),
            tuple(t.value for t in targets),
            tuple(t.half_band for t in targets),
            tuple(t.weight for t in targets),
        )

    def __call__(self, x: dict[str, float], _x0: dict[str, float] | None = None) -> float:
        """Distance of one particle's statistics from the targets."""
        model = np.array([x[name] for name in self.names], dtype=float)
        if not np.all(np.isfinite(model)):
            return float("inf")
        z = (model - np.array(self.values)) / np.array(self.scales)
        return float(np.sqrt(np.sum(np.array(self.weights) * z**2)))


@dataclass
class Budget:
    """How big the fit is and when it stops."""

    population: int = 150
    generations: int = 4
    max_minutes: float | None = None
    max_simulations: int | None = None


@dataclass
class Posterior:
    """The last generation: parameters and predictive facts per particle, with weights."""

    particles: pd.DataFrame
    predictive: pd.DataFrame
    generations: int
    simulations: int
    epsilon: float
    seconds: float

    def mean(self) -> dict[str, float]:
        """Weighted posterior mean of each parameter."""
        w = self.particles[WEIGHT].to_numpy(float)
        names = [c for c in self.particles.columns if c != WEIGHT]
        return {n: float(np.average(self.particles[n], weights=w)) for n in names}

    def closest(self, count: int) -> list[dict[str, float]]:
        """The ``count`` particles whose runs came closest to the targets."""
        order = np.argsort(self.predictive[DISTANCE].to_numpy(float))[:count]
        names = [c for c in self.particles.columns if c != WEIGHT]
        return [{n: float(self.particles[n].iloc[i]) for n in names} for i in order]


def prior(parameters: list[FreeParameter]):
    """Uniform priors on the free parameters' bounds."""
    import pyabc

    return pyabc.Distribution(
        **{p.path: pyabc.RV("uniform", p.low, p.high - p.low) for p in parameters}
    )


def fit_posterior(
    targets: TargetsFile,
    base: CityConfig,
    executor: Executor,
    jobs: int,
    db: Path,
    budget: Budget,
    say: Callable[[str], None] = lambda _line: None,
    parameters: list[FreeParameter] | None = None,
) -> Posterior:
    """Run (or continue) ABC-SMC until ``budget.generations`` generations are stored.

    Args:
        targets: The targets file (its ``targets`` are fitted; the other facts are recorded).
        base: The config the parameters are set in (its scale is replaced by the fit scale).
        executor: Where particles run.
        jobs: Particles in flight at once (the executor's workers).
        db: SQLite history; an existing one is continued.
        budget: Population, generations and the time or simulation budget of this call.
        say: Gets a progress line per generation.
        parameters: The parameters to fit (default: the file's free parameters).

    Raises:
        ConfigError: no free parameters, or ``db`` holds a fit of other parameters.

    """
    import pyabc

    parameters = parameters if parameters is not None else targets.free_parameters
    if not parameters:
        raise ConfigError("free_parameters: none to fit")
    settings = targets.settings
    facts = tuple(t for t in targets.every() if t.config is None)
    simulator = Simulator(
        base.model_copy(update={"scale": settings.fit_scale}),
        facts,
        max(settings.fit_years, targets.required_years()),
        targets.needs_firms(),
    )
    abc = pyabc.ABCSMC(
        simulator,
        prior(parameters),
        Distance.of(targets.targets),
        population_size=budget.population,
        sampler=pyabc.sampler.ConcurrentFutureSampler(executor, client_max_jobs=jobs),
    )
    url = f"sqlite:///{db.resolve()}"
    if db.is_file():
        abc.load(url)
        _check_stored(abc.history, parameters, db)
        say(f"continuing {db}: {abc.history.max_t + 1} generations stored")
    else:
        db.parent.mkdir(parents=True, exist_ok=True)
        abc.new(url, {t.name: t.value for t in facts})
    remaining = budget.generations - (abc.history.max_t + 1)
    if remaining > 0:
        with _progress(say):
            abc.run(
                max_nr_populations=remaining,
                max_walltime=(
                    dt.timedelta(minutes=budget.max_minutes) if budget.max_minutes else None
                ),
                max_total_nr_simulations=budget.max_simulations or np.inf,
            )
    return read_posterior(abc.history)


def _check_stored(history, parameters: list[FreeParameter], db: Path) -> None:
    stored, _ = history.get_distribution(m=0, t=history.max_t)
    if sorted(stored.columns) != sorted(p.path for p in parameters):
        raise ConfigError(
            f"{db}: holds a fit of {sorted(stored.columns)}, not of the free parameters "
            f"{sorted(p.path for p in parameters)}; remove it or give another --db"
        )


def read_posterior(history) -> Posterior:
    """The last stored generation of a pyabc history as parameter and predictive tables.

    ``seconds`` is the wall time from the history's start to its last generation (over every
    session that added to it).
    """
    population = history.get_population()
    particles = population.particles
    weights = np.array([p.weight for p in particles], dtype=float)
    weights = weights / weights.sum()
    params = pd.DataFrame([dict(p.parameter) for p in particles])
    params = params[sorted(params.columns)].assign(**{WEIGHT: weights})
    predictive = pd.DataFrame([dict(p.sum_stat) for p in particles]).assign(
        **{DISTANCE: [p.distance for p in particles], WEIGHT: weights}
    )
    epsilons = history.get_all_populations()
    ended = pd.to_datetime(epsilons["population_end_time"]).max()
    seconds = (ended - pd.Timestamp(history.get_abc().start_time)).total_seconds()
    return Posterior(
        particles=params,
        predictive=predictive,
        generations=history.max_t + 1,
        simulations=int(history.total_nr_simulations),
        epsilon=float(epsilons["epsilon"].iloc[-1]),
        seconds=float(seconds),
    )


class _ProgressHandler(logging.Handler):
    """Passes pyabc's per-generation lines (tolerance, acceptance, stop) on to ``say``."""

    PREFIXES = ("t:", "Accepted", "Stop")

    def __init__(self, say: Callable[[str], None]) -> None:
        super().__init__(logging.INFO)
        self.say = say
        self.started = time.monotonic()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith(self.PREFIXES):
            minutes = (time.monotonic() - self.started) / 60
            self.say(f"ABC-SMC [{minutes:5.1f} min] {message}")


@contextmanager
def _progress(say: Callable[[str], None]) -> Iterator[None]:
    logger = logging.getLogger("ABC")
    handler = _ProgressHandler(say)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of a weighted sample (NaNs dropped)."""
    keep = np.isfinite(values)
    values, weights = values[keep], weights[keep]
    if not len(values):
        return float("nan")
    order = np.argsort(values)
    w = weights[order] / weights.sum()
    return float(np.interp(q, np.cumsum(w) - w / 2, values[order]))
