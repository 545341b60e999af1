"""Experiment files: the pydantic schema of a study and its loading against the scenario configs.

An experiment names a base scenario (or, for the ``scenarios`` design, a list of scenario files),
the levers (what the city can choose) and uncertainties (what it cannot), each a dotted path into
the scenario config with a ``range`` or a list of ``values``, a design, and seeded replications.
:func:`load_experiment` validates the file once, at the edge: unknown keys, bad ranges, missing
scenario files and config paths that do not exist give one :class:`ConfigError` naming the file
and the field.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from talentsim.config import CityConfig, ConfigError, load_yaml
from talentsim.config.loading import resolve_mapping, set_dotted, suggestion, validate
from talentsim.config.reference import declared_uncertainties
from talentsim.experiment.posterior import PosteriorDraws, check_posterior

MAX_POINTS = 20_000
"""Design points an experiment may have (each holds a copy of the scenario config)."""
MAX_RUNS = 200_000
"""Runs (points × replications) an experiment may have."""
RESERVED_PATHS = frozenset({"seed", "years", "scale", "name", "description"})
"""Config paths the experiment sets itself (seed per replication; years/scale at the top)."""


class Strict(BaseModel):
    """Base of every experiment section: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


class Parameter(Strict):
    """A lever or an uncertainty: a ``range: [low, high]`` or a list of ``values``."""

    range: list[float] | None = None
    values: list[bool | int | float] | None = None

    @field_validator("range")
    @classmethod
    def _range_is_an_interval(cls, value: list[float] | None) -> list[float] | None:
        if value is None:
            return value
        if len(value) != 2:
            raise ValueError(f"range must be [low, high], got {len(value)} numbers")
        low, high = value
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError("range bounds must be finite numbers")
        if low == high:
            raise ValueError(f"empty range [{low}, {high}]: low must be below high")
        if low > high:
            raise ValueError(f"reversed bounds [{low}, {high}]: low must be below high")
        return value

    @field_validator("values")
    @classmethod
    def _values_not_empty(cls, value: list[Any] | None) -> list[Any] | None:
        if value is None:
            return value
        if not value:
            raise ValueError("values must list at least one value")
        if len(set(value)) != len(value):
            raise ValueError("values must not repeat")
        if any(isinstance(v, float) and not math.isfinite(v) for v in value):
            raise ValueError("values must be finite numbers")
        return value

    @model_validator(mode="after")
    def _range_or_values(self) -> Parameter:
        if (self.range is None) == (self.values is None):
            raise ValueError("give exactly one of 'range' or 'values'")
        return self


class ScenariosDesign(Strict):
    """Each listed scenario file is a design point (crossed with any ``values`` parameters)."""

    kind: Literal["scenarios"]
    files: list[str] = Field(min_length=1)


class GridDesign(Strict):
    """Full factorial: ``levels`` evenly spaced values per range, or each parameter's values."""

    kind: Literal["grid"]
    levels: int = Field(3, ge=2, le=1000)


class LHSDesign(Strict):
    """Latin hypercube sample of ``n`` points (SALib.sample.latin)."""

    kind: Literal["lhs"]
    n: int = Field(ge=1)


class SobolDesign(Strict):
    """Sobol' sample (SALib.sample.sobol): N·(2D+2) points, or N·(D+2) without second order."""

    kind: Literal["sobol"]
    n: int = Field(ge=1)
    second_order: bool = True

    @field_validator("n")
    @classmethod
    def _power_of_two(cls, value: int) -> int:
        if value & (value - 1):
            raise ValueError(f"n must be a power of 2 for Sobol' sequences, got {value}")
        return value


class MorrisDesign(Strict):
    """Morris elementary effects (SALib.sample.morris): r·(D+1) points."""

    kind: Literal["morris"]
    trajectories: int = Field(ge=1)
    levels: int = Field(4, ge=2, le=1000)


Design = Annotated[
    ScenariosDesign | GridDesign | LHSDesign | SobolDesign | MorrisDesign,
    Field(discriminator="kind"),
]
DESIGN_MODELS: dict[str, type[BaseModel]] = {
    "scenarios": ScenariosDesign,
    "grid": GridDesign,
    "lhs": LHSDesign,
    "sobol": SobolDesign,
    "morris": MorrisDesign,
}
DESIGN_KINDS = frozenset(DESIGN_MODELS)
SAMPLED_KINDS = frozenset({"lhs", "sobol", "morris"})


class Experiment(Strict):
    """A study: base scenario, levers × uncertainties, design, replications and root seed."""

    name: str = ""
    description: str = ""
    scenario: str | None = None
    levers: dict[str, Parameter] = Field(default_factory=dict)
    uncertainties: dict[str, Parameter] = Field(default_factory=dict)
    design: Design
    replications: int = Field(1, ge=1, le=100_000)
    root_seed: int = Field(0, ge=0, le=2**63 - 1)
    years: int | None = Field(None, ge=1, le=100)
    scale: float | None = Field(None, gt=0, le=1)
    posterior: PosteriorDraws | None = None
    """Cross the replications with draws from a posterior sample (:mod:`.posterior`)."""

    @model_validator(mode="before")
    @classmethod
    def _declared_uncertainties(cls, data: Any) -> Any:
        """``uncertainties: declared`` (or a ``declared: true`` entry) adds every declared one."""
        if isinstance(data, dict) and "uncertainties" in data:
            data = dict(data)
            data["uncertainties"] = expand_declared(
                data.get("uncertainties"), set(data.get("levers") or {})
            )
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Experiment:
        if self.design.kind == "scenarios":
            if self.scenario is not None:
                raise ValueError(
                    "scenario: not used with design kind 'scenarios' (list the files in "
                    "design.files)"
                )
        elif self.scenario is None:
            raise ValueError(f"scenario: required with design kind '{self.design.kind}'")
        for path in self.uncertainties:
            if path in self.levers:
                raise ValueError(f"uncertainties['{path}']: also listed as a lever")
        for role, path, parameter in self.parameters():
            where = f"{role}['{path}']"
            if path in RESERVED_PATHS:
                raise ValueError(f"{where}: '{path}' is set by the experiment itself")
            if self.design.kind in SAMPLED_KINDS and parameter.range is None:
                raise ValueError(f"{where}: design kind '{self.design.kind}' needs a range")
            if self.design.kind == "scenarios" and parameter.values is None:
                raise ValueError(f"{where}: design kind 'scenarios' needs a list of values")
        if self.design.kind in SAMPLED_KINDS and not (self.levers or self.uncertainties):
            raise ValueError(
                f"design: kind '{self.design.kind}' needs at least one lever or uncertainty"
            )
        points = self.point_count()
        if points > MAX_POINTS or points * self.replications > MAX_RUNS:
            raise ValueError(
                f"design: {points:,} points × {self.replications:,} replications = "
                f"{points * self.replications:,} runs; an experiment may have at most "
                f"{MAX_POINTS:,} points and {MAX_RUNS:,} runs (split it into several)"
            )
        return self

    def point_count(self) -> int:
        """How many design points the design will have (computed without building them)."""
        design, dims = self.design, len(self.levers) + len(self.uncertainties)
        if isinstance(design, LHSDesign):
            return design.n
        if isinstance(design, SobolDesign):
            return design.n * (2 * dims + 2 if design.second_order else dims + 2)
        if isinstance(design, MorrisDesign):
            return design.trajectories * (dims + 1)
        count = len(design.files) if isinstance(design, ScenariosDesign) else 1
        for _, _, parameter in self.parameters():
            if parameter.values is not None:
                count *= len(parameter.values)
            elif isinstance(design, GridDesign):
                count *= design.levels
        return count

    def parameters(self) -> list[tuple[str, str, Parameter]]:
        """``(role, path, parameter)`` for every lever, then every uncertainty, in file order."""
        return [("levers", path, p) for path, p in self.levers.items()] + [
            ("uncertainties", path, p) for path, p in self.uncertainties.items()
        ]


DECLARED = "declared"
"""``uncertainties: declared``: every parameter the schema declares uncertain, over its
plausible range (:func:`talentsim.config.reference.declared_uncertainties`)."""


def expand_declared(uncertainties: Any, levers: set[str]) -> Any:
    """The uncertainties with ``declared`` replaced by every declared uncertainty's range.

    ``uncertainties`` is ``"declared"`` or a mapping that may hold ``declared: true`` beside
    explicit entries (which take precedence); paths that are levers of the experiment are left
    out. Anything else is returned unchanged (and validated as usual).
    """
    explicit: dict[str, Any]
    if uncertainties == DECLARED:
        explicit = {}
    elif isinstance(uncertainties, dict) and uncertainties.get(DECLARED) is True:
        explicit = {k: v for k, v in uncertainties.items() if k != DECLARED}
    else:
        return uncertainties
    declared = {
        path: {"range": list(bounds)}
        for path, bounds in declared_uncertainties().items()
        if path not in levers and path not in explicit
    }
    return {**declared, **explicit}


@dataclass
class ScenarioBase:
    """A scenario a design point starts from: its resolved mapping and validated config."""

    name: str
    file: Path
    mapping: dict[str, Any]
    config: CityConfig


@dataclass
class ResolvedExperiment:
    """An experiment checked against its scenario configs, ready to be designed and run."""

    path: Path
    spec: Experiment
    scenarios: list[ScenarioBase]
    kinds: dict[str, type] = field(default_factory=dict)
    """Python type of each parameter's config field (int, float or bool)."""

    @property
    def name(self) -> str:
        """The experiment's name (its file stem unless given)."""
        return self.spec.name or self.path.stem


def is_experiment_file(path: Path | str) -> bool:
    """Whether a YAML file is an experiment (it has a top-level ``design`` key)."""
    return "design" in load_yaml(path)


def is_optimization_file(path: Path | str) -> bool:
    """Whether a YAML file is a policy search (it has a top-level ``optimize`` key)."""
    return "optimize" in load_yaml(path)


def read_spec[S: BaseModel](path: Path, schema: type[S]) -> S:
    """The experiment file at ``path`` validated against ``schema``.

    Raises:
        ConfigError: naming the file and every offending field ("did you mean" included).

    """
    try:
        return schema.model_validate(load_yaml(path))
    except ValidationError as exc:
        raise ConfigError(describe_errors(exc, str(path), schema)) from None


def load_experiment(path: Path | str) -> ResolvedExperiment:
    """Load, validate and resolve an experiment file against its scenario configs.

    Raises:
        ConfigError: anything wrong, naming the experiment file and the field.

    """
    path = Path(path)
    spec = read_spec(path, Experiment)
    overrides = {k: v for k, v in (("years", spec.years), ("scale", spec.scale)) if v is not None}
    if spec.design.kind == "scenarios":
        files = [("design.files", i, name) for i, name in enumerate(spec.design.files)]
    else:
        files = [("scenario", None, spec.scenario)]
    scenarios = [load_base(path, where, index, name, overrides) for where, index, name in files]
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ConfigError(f"{path}: design.files: scenario names repeat ({names})")
    resolved = ResolvedExperiment(path=path, spec=spec, scenarios=scenarios)
    for role, dotted, parameter in spec.parameters():
        resolved.kinds[dotted] = check_parameter(resolved, role, dotted, parameter)
    check_posterior(resolved)
    return resolved


def load_base(
    path: Path, where: str, index: int | None, name: str | None, overrides: dict[str, Any]
) -> ScenarioBase:
    """Resolve one scenario file named by the experiment (relative to the experiment file)."""
    field_name = where if index is None else f"{where}.{index}"
    file = path.parent / str(name)
    try:
        mapping = resolve_mapping(file)
        for dotted, value in overrides.items():
            set_dotted(mapping, dotted, value)
        config = validate(mapping, str(file))
    except ConfigError as exc:
        raise ConfigError(f"{path}: field '{field_name}': {exc}") from None
    return ScenarioBase(name=config.name, file=file, mapping=mapping, config=config)


def check_parameter(
    resolved: ResolvedExperiment, role: str, dotted: str, parameter: Parameter
) -> type:
    """Check that ``dotted`` names a numeric config field and every given value is valid.

    Returns:
        The field's Python type (int, float or bool).

    """
    where = f"{resolved.path}: {role}['{dotted}']"
    kind = field_type(resolved.scenarios[0].config, dotted)
    if kind is None:
        raise ConfigError(f"{where}: unknown config path (no such field in the scenario)")
    if kind not in (int, float, bool):
        raise ConfigError(f"{where}: config path is not a number (it holds {kind.__name__})")
    if kind is bool and parameter.range is not None:
        raise ConfigError(f"{where}: a yes/no field takes values, not a range")
    candidates = parameter.range if parameter.range is not None else parameter.values
    for value in candidates or []:
        if kind is bool and not isinstance(value, bool):
            raise ConfigError(f"{where}: value {value!r} is not true/false")
        if kind is int and parameter.values is not None and float(value) != int(value):
            raise ConfigError(f"{where}: value {value!r} is not a whole number")
        for scenario in resolved.scenarios:
            trial = copy.deepcopy(scenario.mapping)
            set_dotted(trial, dotted, cast(value, kind))
            try:
                validate(trial, str(scenario.file))
            except ConfigError as exc:
                raise ConfigError(f"{where}: value {value!r} is rejected: {exc}") from None
    return kind


def field_type(config: BaseModel, dotted: str) -> type | None:
    """The declared type of the config field at ``dotted``, or None if there is no such field."""
    node: Any = config
    annotation: Any = type(config)
    for key in dotted.split("."):
        if isinstance(node, BaseModel):
            if key not in type(node).model_fields:
                return None
            annotation = type(node).model_fields[key].annotation
            node = getattr(node, key)
        elif isinstance(node, dict) and key in node:
            annotation = (get_args(annotation) or (None, type(node[key])))[-1]
            node = node[key]
        else:
            return None
    return annotation if isinstance(annotation, type) else type(node)


def cast(value: Any, kind: type) -> Any:
    """A design value as the config field's type (sampled values of int fields are rounded)."""
    if kind is bool:
        return bool(value)
    if kind is int:
        return round(value)
    return float(value)


def describe_errors(
    exc: ValidationError, source: str, schema: type[BaseModel] | None = None
) -> str:
    """One message naming the file and every offending field of the experiment.

    Args:
        exc: pydantic's report.
        source: The experiment file.
        schema: The model validated; with it an unknown key gets a "did you mean".

    """
    lines = []
    for error in exc.errors():
        parts = [str(p) for p in error["loc"]]
        if len(parts) >= 2 and parts[0] == "design" and parts[1] in DESIGN_KINDS:
            parts.pop(1)
        where = format_location(parts)
        if error["type"] == "extra_forbidden":
            hint = suggestion(schema, error["loc"], DESIGN_MODELS) if schema else ""
            lines.append(f"{where}: unknown field{hint}")
        else:
            given = error.get("input")
            shown = "" if isinstance(given, dict | list) or given is None else f" (got {given!r})"
            message = str(error["msg"]).removeprefix("Value error, ")
            lines.append(f"{where}: {message}{shown}" if where else message)
    return f"{source}: invalid experiment\n  " + "\n  ".join(lines)


def format_location(parts: list[str]) -> str:
    """``levers['policy.x.value'].range``: dotted keys quoted so the field reads unambiguously."""
    text = ""
    for part in parts:
        if "." in part:
            text += f"['{part}']"
        else:
            text += f".{part}" if text else part
    return text


STATISTICS = ("sum", "mean", "final")
"""How a run's yearly outcome becomes one number: summed over the horizon, its horizon mean, or
its final year."""


class Objective(Strict):
    """An outcome to minimise or maximise, as a run statistic averaged over replications."""

    outcome: str
    sense: Literal["minimize", "maximize"]
    statistic: Literal["sum", "mean", "final"] = "mean"

    @property
    def name(self) -> str:
        """``<statistic>_<outcome>``, the objective's column in the trials table."""
        return f"{self.statistic}_{self.outcome}"


class Constraint(Strict):
    """An outcome threshold a candidate must meet: ``min`` or ``max`` of a run statistic.

    With ``relative_to: status_quo`` the threshold applies to the candidate's paired difference
    from the status quo (trial 0, see ``include_status_quo``), replication by replication.
    """

    outcome: str
    statistic: Literal["sum", "mean", "final"] = "mean"
    min: float | None = None
    max: float | None = None
    relative_to: Literal["status_quo"] | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Constraint:
        if (self.min is None) == (self.max is None):
            raise ValueError("give exactly one of 'min' or 'max'")
        return self

    @property
    def name(self) -> str:
        """``<statistic>_<outcome>`` (``_vs_status_quo`` if relative), its trials-table column."""
        suffix = "_vs_status_quo" if self.relative_to else ""
        return f"{self.statistic}_{self.outcome}{suffix}"

    def violation(self, value: float) -> float:
        """How far ``value`` misses the threshold (≤ 0: met), Optuna's constraint convention."""
        if self.min is not None:
            return self.min - value
        return value - self.max  # type: ignore[operator]


class Robustness(Strict):
    """How a candidate's values over the uncertainty scenarios become one number.

    ``mean``: the mean over scenarios. ``percentile``: the scenario at the ``percentile``-th
    percentile on the bad side (nearest rank; 100 = the worst case, i.e. minimax).
    """

    metric: Literal["mean", "percentile"] = "mean"
    percentile: float = Field(90, ge=50, le=100)


class Search(Strict):
    """The ``optimize`` section: objectives, constraints, sampler and evaluation budget."""

    objectives: list[Objective] = Field(min_length=1)
    constraints: list[Constraint] = Field(default_factory=list)
    sampler: Literal["nsga2", "tpe"] = "nsga2"
    population: int = Field(8, ge=2, le=10_000)
    """Candidates per generation (NSGA-II population; TPE's random start and batch size)."""
    trials: int = Field(ge=1, le=1_000_000)
    final_replications: int | None = Field(None, ge=1, le=100_000)
    """Replications of each front candidate in the final re-evaluation (default: 3×)."""
    robustness: Robustness = Field(default_factory=Robustness)
    include_status_quo: bool = False
    """Make the scenario's own lever values the first candidate (a reference on the front)."""

    @model_validator(mode="after")
    def _distinct(self) -> Search:
        names = [o.name for o in self.objectives]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise ValueError(f"objectives.{i}: '{name}' is listed twice")
        for i, constraint in enumerate(self.constraints):
            if constraint.relative_to and not self.include_status_quo:
                raise ValueError(
                    f"constraints.{i}.relative_to: needs include_status_quo: true (the status "
                    "quo must be a candidate)"
                )
        return self


class OptimizationExperiment(Strict):
    """A policy search: decision levers with bounds, uncertainty scenarios, objectives, budget."""

    name: str = ""
    description: str = ""
    scenario: str
    levers: dict[str, Parameter] = Field(min_length=1)
    uncertainties: dict[str, Parameter] = Field(default_factory=dict)
    optimize: Search
    replications: int = Field(3, ge=1, le=100_000)
    root_seed: int = Field(0, ge=0, le=2**63 - 1)
    years: int | None = Field(None, ge=1, le=100)
    scale: float | None = Field(None, gt=0, le=1)
    burn_in: int | None = Field(None, ge=0, le=100)

    @model_validator(mode="after")
    def _consistent(self) -> OptimizationExperiment:
        for path in self.uncertainties:
            if path in self.levers:
                raise ValueError(f"uncertainties['{path}']: also listed as a lever")
        for role, path, parameter in self.parameters():
            if path in RESERVED_PATHS or path == "burn_in":
                raise ValueError(f"{role}['{path}']: '{path}' is set by the experiment itself")
            if role == "uncertainties" and parameter.values is None:
                raise ValueError(
                    f"uncertainties['{path}']: list the scenario values to be robust over"
                )
        final = self.optimize.final_replications
        if final is not None and final < self.replications:
            raise ValueError(
                f"optimize.final_replications: {final} is fewer than replications "
                f"({self.replications})"
            )
        return self

    def parameters(self) -> list[tuple[str, str, Parameter]]:
        """``(role, path, parameter)`` for every lever, then every uncertainty, in file order."""
        return [("levers", path, p) for path, p in self.levers.items()] + [
            ("uncertainties", path, p) for path, p in self.uncertainties.items()
        ]

    @property
    def final_replications(self) -> int:
        """Replications of the final re-evaluation of the front."""
        return self.optimize.final_replications or 3 * self.replications
