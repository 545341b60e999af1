"""The policy levers the live page exposes: labels, slider ranges and units from the schema.

Units and hard bounds come from ``talentsim.config.schema`` (the single place a parameter is
described); the slider ranges here are the part of each range worth exploring interactively.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from talentsim.config import CityConfig
from talentsim.config.loading import set_dotted
from talentsim.config.schema import Lever


@dataclass(frozen=True)
class LeverSpec:
    """One control on the live page.

    Attributes:
        path: Dotted config path, e.g. ``policy.coordination.value``.
        label: Human label.
        low: Slider minimum (ignored for switches).
        high: Slider maximum.
        step: Slider step.
        kind: ``"float"``, ``"int"`` or ``"bool"``.

    """

    path: str
    label: str
    low: float = 0.0
    high: float = 1.0
    step: float = 0.05
    kind: str = "float"

    @property
    def unit(self) -> str:
        """The unit recorded in the schema for this path ("" if none)."""
        return unit_of(self.path)


LEVERS: tuple[LeverSpec, ...] = (
    LeverSpec("policy.coordination.value", "Coordination body (统筹)"),
    LeverSpec("policy.specialty_alignment.value", "Specialty alignment"),
    LeverSpec(
        "policy.apprenticeship_subsidy.value", "Apprenticeship subsidy", 0, 20_000, 500, "int"
    ),
    LeverSpec("policy.coop_project_subsidy.value", "Co-operation project subsidy"),
    LeverSpec("policy.training_base_cofunding.value", "Training-base co-funding", 0, 5, 0.25),
    LeverSpec("policy.land_grant.value", "Land grant", 0, 100, 5, "int"),
    LeverSpec("policy.integration_units.value", "产才融合 units"),
    LeverSpec("policy.soe_rd_growth.value", "SOE R&D growth", 0, 0.5, 0.01),
    LeverSpec("policy.rd_super_deduction.value", "R&D super-deduction", 0, 3, 0.25),
    LeverSpec("policy.talent_subsidy.monthly_allowance", "Talent allowance", 0, 5_000, 100, "int"),
    LeverSpec("policy.park.enabled", "Demonstration park (先行区)", kind="bool"),
)
LEVER_BY_PATH = {spec.path: spec for spec in LEVERS}


def _field_extra(model: type[BaseModel], name: str) -> dict[str, Any]:
    info = model.model_fields[name]
    extra = info.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def unit_of(path: str) -> str:
    """The schema's unit for a dotted config path; a lever's ``.value`` takes the lever's unit.

    Args:
        path: Dotted config path such as ``policy.apprenticeship_subsidy.value``.

    Raises:
        KeyError: a part of the path is not a field of the schema.

    """
    model: type[BaseModel] = CityConfig
    parts = path.split(".")
    unit = ""
    for i, name in enumerate(parts):
        if name not in model.model_fields:
            raise KeyError(f"{path}: no field {name!r} in {model.__name__}")
        extra = _field_extra(model, name)
        unit = str(extra.get("unit", ""))
        annotation = model.model_fields[name].annotation
        is_last = i == len(parts) - 1
        if annotation is Lever and not is_last and parts[i + 1] == "value":
            return unit
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and not is_last:
            model = annotation
    return unit


def get_dotted(data: Any, path: str) -> Any:
    """Read a dotted path from a pydantic model or nested mapping."""
    node = data
    for key in path.split("."):
        node = node[key] if isinstance(node, dict) else getattr(node, key)
    return node


def lever_values(config: CityConfig) -> dict[str, Any]:
    """The current value of every lever in ``config``."""
    return {spec.path: get_dotted(config, spec.path) for spec in LEVERS}


def apply_levers(config: CityConfig, values: dict[str, Any]) -> CityConfig:
    """A validated copy of ``config`` with the dotted ``values`` set.

    Raises:
        pydantic.ValidationError: a value is outside the schema's bounds.

    """
    data = config.model_dump()
    for path, value in values.items():
        set_dotted(data, path, value)
    return CityConfig.model_validate(data)


def format_value(spec: LeverSpec, value: Any) -> str:
    """A lever value for display, with its unit."""
    if spec.kind == "bool":
        return "on" if value else "off"
    shown = f"{value:,.0f}" if spec.kind == "int" else f"{value:.2f}"
    return f"{shown} {spec.unit}".strip()
