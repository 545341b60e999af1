"""The policy levers the live page exposes: slider ranges, units from the schema, start years.

Units and hard bounds come from ``talentsim.config.schema`` (the single place a parameter is
described); the slider ranges here are the part of each range worth exploring interactively.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from talentsim.analysis.catalogue import DEFAULT_LANG, Lang, M, unit_label
from talentsim.config import CityConfig
from talentsim.config.loading import set_dotted
from talentsim.config.schema import Lever


@dataclass(frozen=True)
class LeverSpec:
    """One control on the live page.

    Attributes:
        path: Dotted config path, e.g. ``policy.coordination.value``.
        label: English label of the code (the pages show the catalogue's, in their language).
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

    @property
    def start_path(self) -> str:
        """The dotted path of the year this lever starts (its policy's ``start_year``)."""
        return self.path.rsplit(".", 1)[0] + ".start_year"


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
    """The current value and start year of every lever in ``config``."""
    values = {spec.path: get_dotted(config, spec.path) for spec in LEVERS}
    return values | {spec.start_path: get_dotted(config, spec.start_path) for spec in LEVERS}


def scenario_yaml(base: Path, name: str, values: dict[str, Any], description: str = "") -> str:
    """A scenario file: ``base`` (absolute path) with the lever ``values`` set.

    ``talentsim validate`` accepts it wherever it is saved, on a machine that has ``base``.
    """
    policy: dict[str, Any] = {}
    for path, value in values.items():
        set_dotted(policy, path, value)
    data = {
        "base": str(base.resolve()),
        "name": name,
        "description": description or f"Lever settings from the talentsim dashboard ({name}).",
        **policy,
    }
    header = "# Written by the talentsim dashboard's scenario builder.\n"
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def parse_lever(spec: LeverSpec, text: str) -> Any:
    """A lever value from a URL's text (raises ValueError when it is not one)."""
    if spec.kind == "bool":
        if text.lower() not in ("true", "false", "1", "0"):
            raise ValueError(f"{spec.path}: {text!r} is not true or false")
        return text.lower() in ("true", "1")
    return int(float(text)) if spec.kind == "int" else float(text)


def apply_levers(config: CityConfig, values: dict[str, Any]) -> CityConfig:
    """A validated copy of ``config`` with the dotted ``values`` set.

    Raises:
        pydantic.ValidationError: a value is outside the schema's bounds.

    """
    data = config.model_dump()
    for path, value in values.items():
        set_dotted(data, path, value)
    return CityConfig.model_validate(data)


def format_value(spec: LeverSpec, value: Any, lang: Lang = DEFAULT_LANG) -> str:
    """A lever value for display, with its unit."""
    if spec.kind == "bool":
        return (M.on if value else M.off)(lang)
    shown = f"{value:,.0f}" if spec.kind == "int" else f"{value:.2f}"
    return f"{shown} {unit_label(spec.unit, lang)}".strip()
