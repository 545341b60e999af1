"""The live page's simulation: one TalentModel stepped a year at a time (no UI code).

The levers, scale and seed define the run; changing any of them restarts it from the first
year (the last run is kept as ``previous`` so the page can draw it dashed for comparison).
A lock makes stepping safe from the Play thread and from button handlers alike.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pandas as pd
from pydantic import ValidationError

from dashboards.levers import apply_levers, lever_values
from talentsim.config import CityConfig
from talentsim.model import TalentModel

DEFAULT_SCALE = 0.1
"""At 0.02 mismatch jumps 0 → 1 → 0 between years; 0.1 costs about the same per year here."""
SCALES = (0.01, 0.02, 0.05, 0.1)
DEFAULT_HORIZON = 20
MAX_SCALE = 0.1
"""Largest scale a browser may ask for (the page offers up to this): caps the work a session
can start, whatever a modified client sends."""
MAX_HORIZON = 100
"""Longest horizon, in years (the schema's limit of ``years``)."""


class LiveSession:
    """A run in progress: config, model, the outcomes and flows so far, and timing."""

    def __init__(
        self,
        base: CityConfig,
        scale: float = DEFAULT_SCALE,
        seed: int = 42,
        horizon: int = DEFAULT_HORIZON,
    ) -> None:
        """Prepare a run of ``base`` (not built until the first step)."""
        self.lock = threading.RLock()
        self.base = base
        self.levers: dict[str, Any] = lever_values(base)
        self.scale = scale
        self.seed = seed
        self.horizon = horizon
        self.config = self._build_config()
        self.model: TalentModel | None = None
        self.outcomes = pd.DataFrame()
        self.flows = pd.DataFrame(columns=["year", "source", "target", "count"])
        self.previous: pd.DataFrame | None = None
        self.step_seconds: list[float] = []
        self.version = 0

    def _build_config(self) -> CityConfig:
        """The run's config, validated by the schema like the CLI's (values come from a browser).

        Raises:
            ValueError: a lever, the scale, the seed or the horizon is not acceptable.

        """
        check_session_values(self.scale, self.seed, self.horizon)
        try:
            config = apply_levers(self.base, self.levers)
            data = {**config.model_dump(), "scale": self.scale, "seed": self.seed}
            return CityConfig.model_validate(data)  # model_copy(update=...) would not validate
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
            )
            raise ValueError(f"invalid lever values: {problems}") from None

    @property
    def years_done(self) -> int:
        """Years simulated so far."""
        return len(self.outcomes)

    @property
    def start_year(self) -> int:
        """First simulated year."""
        return self.config.city.start_year

    @property
    def finished(self) -> bool:
        """Whether the horizon is reached."""
        return self.years_done >= self.horizon

    def configure(
        self,
        *,
        base: CityConfig | None = None,
        levers: dict[str, Any] | None = None,
        scale: float | None = None,
        seed: int | None = None,
        horizon: int | None = None,
    ) -> None:
        """Change what defines the run and restart it (a new base resets the levers to its own).

        Raises:
            ValueError: a lever value outside its bounds (the run is left unchanged).

        """
        with self.lock:
            old = (self.base, self.levers, self.scale, self.seed, self.horizon, self.config)
            if base is not None:
                self.base, self.levers = base, lever_values(base)
            if levers is not None:
                self.levers = {**self.levers, **levers}
            self.scale = self.scale if scale is None else scale
            self.seed = self.seed if seed is None else seed
            self.horizon = self.horizon if horizon is None else horizon
            try:
                self.config = self._build_config()
            except ValueError:
                self.base, self.levers, self.scale, self.seed, self.horizon, self.config = old
                raise
            if base is not None or levers is not None or scale is not None or seed is not None:
                self.reset()
            self.version += 1

    def reset(self) -> None:
        """Drop the model; keep the outcomes so far as ``previous``."""
        with self.lock:
            if not self.outcomes.empty:
                self.previous = self.outcomes
            self.model = None
            self.outcomes = pd.DataFrame()
            self.flows = pd.DataFrame(columns=["year", "source", "target", "count"])
            self.step_seconds = []
            self.version += 1

    def step(self) -> int:
        """Simulate one more year (building the model first if needed); returns the year."""
        with self.lock:
            started = time.perf_counter()
            if self.model is None:
                self.model = TalentModel(self.config, rng=self.seed)
            self.model.step()
            self.outcomes = self.model.outcomes()
            self.flows = self.model.flows()
            self.step_seconds.append(time.perf_counter() - started)
            self.version += 1
            return int(self.model.year)

    def model_years_per_second(self) -> float:
        """Years per second of the model alone over the steps so far (0 before any)."""
        total = sum(self.step_seconds)
        return len(self.step_seconds) / total if total > 0 else 0.0


def check_session_values(scale: Any, seed: Any, horizon: Any) -> None:
    """Refuse a scale, seed or horizon that the page would not offer.

    Raises:
        ValueError: naming the value.

    """
    if isinstance(scale, bool) or not isinstance(scale, int | float):
        raise ValueError(f"scale: expected a number, got {scale!r:.40}")
    if not 0 < scale <= MAX_SCALE:
        raise ValueError(f"scale = {scale:g}: must be in (0, {MAX_SCALE}] here")
    for name, value, high in (("seed", seed, 2**63 - 1), ("horizon", horizon, MAX_HORIZON)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name}: expected a whole number, got {value!r:.40}")
        if not (0 if name == "seed" else 1) <= value <= high:
            raise ValueError(f"{name} = {value}: out of range")
