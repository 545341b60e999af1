"""The targets file: fitted targets, checks and held-out validation patterns, with sources.

Three lists of facts share one schema (:class:`Target`): ``targets`` are fitted by the
calibration, ``checks`` are true by construction or set by inputs (reported, never fitted, so
they do not count as information about the free parameters) and ``validation`` are patterns
held out from fitting and compared with the posterior predictive. A fact is measured on one
run: a column of the yearly outcomes aggregated over a window of years (optionally relative to
another column, or as the within-run slope on another column), the share of a state's outflows
going to one destination (the run's flows), a statistic of the firms at the end of the run, or a
quantity read off the config. Loading validates the file and raises
:class:`~talentsim.config.ConfigError` naming the file and field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from talentsim.config.loading import ConfigError, describe_validation_error, load_yaml
from talentsim.config.schema import CityConfig

AGGREGATES = ("mean", "sum", "last", "min", "max", "slope")
CONFIG_MEASURES = ("districts_with_zhongzhi",)
FIRM_MEASURES = ("top_decile_employment_share",)
ROLES = ("targets", "checks", "validation")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Settings(_Strict):
    """How the report and the fit run the model."""

    config: str = "configs/zibo_baseline.yaml"
    scale: float = Field(0.1, gt=0, le=1)
    years: int = Field(10, ge=1, le=100)
    seeds: int = Field(10, ge=1)
    root_seed: int = Field(20241, ge=0)
    fit_scale: float = Field(0.1, gt=0, le=1)
    fit_years: int = Field(10, ge=1, le=100)


class Target(_Strict):
    """One fact: value, tolerance band, period, source and how the model measures it."""

    name: str
    description: str = ""
    value: float
    band: tuple[float, float]
    column: str | None = None
    aggregate: Literal["mean", "sum", "last", "min", "max", "slope"] = "mean"
    against: str | None = None
    """With ``aggregate: slope``: the regressor column (within-run OLS slope over the window)."""
    relative_to: str | None = None
    """The column's aggregate divided by this column's aggregate (e.g. a wage premium)."""
    flow: tuple[str, str] | None = None
    """``[source, destination]``: the share of the source state's outflows going there."""
    firms: Literal["top_decile_employment_share"] | None = None
    config: Literal["districts_with_zhongzhi"] | None = None
    window: tuple[int, int] = (0, 10)
    period: str = ""
    source: str
    weight: float = Field(1.0, ge=0)

    @field_validator("band")
    @classmethod
    def _ordered_band(cls, band: tuple[float, float]) -> tuple[float, float]:
        if band[0] > band[1]:
            raise ValueError(f"band {list(band)} has low > high")
        return band

    @model_validator(mode="after")
    def _consistent(self) -> Target:
        kinds = [k for k in ("column", "flow", "firms", "config") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("give exactly one of 'column', 'flow', 'firms' and 'config'")
        if (self.aggregate == "slope") != (self.against is not None):
            raise ValueError("'against' goes with 'aggregate: slope' (and slope needs it)")
        if (self.against or self.relative_to) and self.column is None:
            raise ValueError("'against' and 'relative_to' need a 'column'")
        if not 0 <= self.window[0] < self.window[1]:
            raise ValueError(f"window {list(self.window)} must satisfy 0 <= start < end")
        return self

    @property
    def half_band(self) -> float:
        """Half the band's width (the distance's unit); at least 1 % of |value|."""
        return max((self.band[1] - self.band[0]) / 2, 0.01 * abs(self.value), 1e-12)

    @property
    def columns(self) -> list[str]:
        """The outcome columns the measure reads."""
        return [c for c in (self.column, self.against, self.relative_to) if c is not None]

    def inside(self, measured: float) -> bool:
        """Whether ``measured`` lies in the band (inclusive)."""
        return self.band[0] <= measured <= self.band[1]

    def measure(
        self,
        outcomes: pd.DataFrame,
        flows: pd.DataFrame | None = None,
        firm_sizes: np.ndarray | None = None,
    ) -> float:
        """The fact's value on one run (outcome rows in year order, flows, final firm sizes)."""
        rows = outcomes.iloc[self.window[0] : self.window[1]]
        if rows.empty:
            return float("nan")
        if self.flow is not None:
            return _flow_share(flows, rows["year"], *self.flow)
        if self.firms is not None:
            return _top_decile_share(firm_sizes)
        if self.column is None:
            raise ValueError(f"target {self.name} is measured on the config, not on a run")
        if self.against is not None:
            return _slope(rows[self.against].to_numpy(float), rows[self.column].to_numpy(float))
        value = _aggregate(rows[self.column], self.aggregate)
        if self.relative_to is not None:
            base = _aggregate(rows[self.relative_to], self.aggregate)
            return value / base if base else float("nan")
        return value


def _aggregate(values: pd.Series, how: str) -> float:
    return float(values.iloc[-1]) if how == "last" else float(getattr(values, how)())


def _slope(x: np.ndarray, y: np.ndarray) -> float:
    """OLS slope of y on x (NaN if x does not vary)."""
    dx = x - x.mean()
    denominator = float(dx @ dx)
    return float(dx @ (y - y.mean()) / denominator) if denominator > 0 else float("nan")


def _flow_share(flows: pd.DataFrame | None, years: pd.Series, source: str, target: str) -> float:
    if flows is None:
        raise ValueError("a flow measure needs the run's flows")
    out = flows[(flows["source"] == source) & flows["year"].isin(years)]
    total = float(out["count"].sum())
    return float(out.loc[out["target"] == target, "count"].sum()) / total if total else np.nan


def _top_decile_share(sizes: np.ndarray | None) -> float:
    """Share of employment in the largest 10 % of firms."""
    if sizes is None or not len(sizes):
        return float("nan")
    ordered = np.sort(np.asarray(sizes, float))[::-1]
    top = max(1, round(0.1 * len(ordered)))
    return float(ordered[:top].sum() / ordered.sum())


class FreeParameter(_Strict):
    """A parameter the calibration fits; ``[low, high]`` is its uniform prior."""

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
    checks: list[Target] = Field(default_factory=list)
    validation: list[Target] = Field(default_factory=list)
    free_parameters: list[FreeParameter] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> TargetsFile:
        names = [t.name for t in self.every()]
        if len(set(names)) != len(names):
            repeated = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"target names must be unique across the lists: {repeated}")
        paths = [p.path for p in self.free_parameters]
        if len(set(paths)) != len(paths):
            raise ValueError("free parameter paths must be unique")
        return self

    def every(self) -> list[Target]:
        """Fitted targets, then checks, then validation patterns."""
        return [*self.targets, *self.checks, *self.validation]

    def role(self, name: str) -> str:
        """Which list a fact is in (``targets``, ``checks`` or ``validation``)."""
        return next(role for role in ROLES for t in getattr(self, role) if t.name == name)

    def needs_firms(self) -> bool:
        """Whether some fact reads the firms at the end of a run."""
        return any(t.firms is not None for t in self.every())

    def required_years(self) -> int:
        """Simulated years needed by the longest window."""
        return max(t.window[1] for t in self.every() if t.config is None)


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
    """Every column a fact reads exists in the outcomes table.

    Raises:
        ConfigError: a fact names a column the model does not produce (names list and index).

    """
    for role in ROLES:
        for i, target in enumerate(getattr(targets, role)):
            for key in ("column", "against", "relative_to"):
                column = getattr(target, key)
                if column is not None and column not in outcomes.columns:
                    raise ConfigError(
                        f"{source}: {role}.{i}.{key}: the model has no outcome {column!r}"
                    )


def config_measure(target: Target, config: CityConfig) -> float:
    """A fact read off the config (structure, not dynamics)."""
    if target.config == "districts_with_zhongzhi":
        covered = {s.district for s in config.schools if s.kind == "zhongzhi"}
        return float(len(covered & set(range(len(config.districts)))))
    raise ValueError(f"unknown config measure {target.config!r}")
