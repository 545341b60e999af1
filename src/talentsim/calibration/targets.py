"""The targets file: facts with bands and sources, the outcome compared, the free parameters.

A target is measured on one run's yearly outcomes table by aggregating a column over a window
of simulated years (or read off the config); it is met when the mean over seeds is inside its
band. Loading validates the file and raises :class:`~talentsim.config.ConfigError` naming the file
and field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from talentsim.config.loading import ConfigError, describe_validation_error, load_yaml
from talentsim.config.schema import CityConfig

AGGREGATES = ("mean", "sum", "last", "min", "max")
CONFIG_MEASURES = ("districts_with_zhongzhi",)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Settings(_Strict):
    """How the report and the fit run the model."""

    config: str = "configs/zibo_baseline.yaml"
    scale: float = Field(0.1, gt=0, le=1)
    years: int = Field(10, ge=1, le=100)
    seeds: int = Field(10, ge=1)
    root_seed: int = Field(20241, ge=0)
    fit_scale: float = Field(0.05, gt=0, le=1)
    fit_years: int = Field(6, ge=1, le=100)
    fit_seeds: int = Field(3, ge=1)


class Target(_Strict):
    """One fact: value, tolerance band, period, source and the model outcome it is compared with."""

    name: str
    description: str = ""
    value: float
    band: tuple[float, float]
    column: str | None = None
    aggregate: Literal["mean", "sum", "last", "min", "max"] = "mean"
    window: tuple[int, int] = (0, 10)
    config: Literal["districts_with_zhongzhi"] | None = None
    period: str = ""
    source: str
    weight: float = Field(1.0, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> Target:
        low, high = self.band
        if low > high:
            raise ValueError(f"band {list(self.band)} has low > high")
        if (self.column is None) == (self.config is None):
            raise ValueError("give exactly one of 'column' and 'config'")
        if not 0 <= self.window[0] < self.window[1]:
            raise ValueError(f"window {list(self.window)} must satisfy 0 <= start < end")
        return self

    @property
    def half_band(self) -> float:
        """Half the band's width (the loss's unit); at least 1 % of |value|."""
        return max((self.band[1] - self.band[0]) / 2, 0.01 * abs(self.value), 1e-12)

    def inside(self, measured: float) -> bool:
        """Whether ``measured`` lies in the band (inclusive)."""
        return self.band[0] <= measured <= self.band[1]

    def measure(self, outcomes: pd.DataFrame) -> float:
        """The target's value on one run's yearly outcomes (rows in year order)."""
        if self.column is None:
            raise ValueError(f"target {self.name} is measured on the config, not on outcomes")
        values = outcomes[self.column].iloc[self.window[0] : self.window[1]]
        if values.empty:
            return float("nan")
        if self.aggregate == "last":
            return float(values.iloc[-1])
        return float(getattr(values, self.aggregate)())


class FreeParameter(_Strict):
    """A parameter the calibration fits, with its search bounds."""

    path: str
    low: float
    high: float
    informs: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> FreeParameter:
        if not self.low < self.high:
            raise ValueError(f"{self.path}: low {self.low} must be below high {self.high}")
        return self


class TargetsFile(_Strict):
    """The whole targets file."""

    settings: Settings = Field(default_factory=Settings)
    targets: list[Target] = Field(min_length=1)
    free_parameters: list[FreeParameter] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> TargetsFile:
        names = [t.name for t in self.targets]
        if len(set(names)) != len(names):
            raise ValueError("target names must be unique")
        return self

    def required_years(self) -> int:
        """Simulated years needed by the longest target window."""
        return max(t.window[1] for t in self.targets if t.column is not None)


def load_targets(path: Path | str) -> TargetsFile:
    """Read and validate a targets file.

    Raises:
        ConfigError: the file is missing, malformed or a field is invalid (names file and field).

    """
    data = load_yaml(path)
    try:
        return TargetsFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, str(path), TargetsFile)) from None


def check_columns(targets: TargetsFile, outcomes: pd.DataFrame, source: str) -> None:
    """Every target column exists in the outcomes table.

    Raises:
        ConfigError: a target names a column the model does not produce.

    """
    for i, target in enumerate(targets.targets):
        if target.column is not None and target.column not in outcomes.columns:
            raise ConfigError(
                f"{source}: targets.{i}.column: the model has no outcome {target.column!r}"
            )


def config_measure(target: Target, config: CityConfig) -> float:
    """A target read off the config (structure, not dynamics)."""
    if target.config == "districts_with_zhongzhi":
        covered = {s.district for s in config.schools if s.kind == "zhongzhi"}
        return float(len(covered & set(range(len(config.districts)))))
    raise ValueError(f"unknown config measure {target.config!r}")
