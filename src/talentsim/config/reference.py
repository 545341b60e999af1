"""The parameter reference: every documented config field as a table row, rendered as markdown.

Each numeric field of the schema is declared with :func:`~talentsim.config.schema.param` or
:func:`~talentsim.config.schema.lever`, which store its unit and source (and, for levers, the
bounds of ``value``) in ``json_schema_extra``. :func:`parameter_table` walks a config class and
returns one :class:`ParameterRow` per such field; :func:`render_parameters` and
:func:`render_baseline` produce the generated sections of docs/ODD.md, so the documentation is
rebuilt from the code rather than maintained beside it.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from typing import Any, get_args, get_origin

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from talentsim.config.schema import CityConfig, Lever

NUMERIC = (int, float)
LIST_SECTIONS = ("districts", "fields", "schools", "universities.local", "city.destinations")
"""List-valued sections whose baseline entries are shown as input-data tables."""


@dataclass(frozen=True)
class ParameterRow:
    """One documented parameter.

    Attributes:
        section: Dotted path of the config section (``"firms"``, ``"fields[]"``).
        name: Field name inside the section (``"transaction_cost"``, ``"coordination.value"``).
        unit: Unit of measurement.
        default: Schema default (``None`` where the field is required).
        low: Lower bound, ``None`` if unbounded.
        low_open: Whether the lower bound is exclusive (``gt``).
        high: Upper bound, ``None`` if unbounded.
        high_open: Whether the upper bound is exclusive (``lt``).
        source: Source of the default, or ``"assumption: why"``.
        numeric: Whether the field holds a number (or a mapping of numbers).
        plausible: ``(low, high)`` of a declared uncertainty, ``None`` for other parameters.

    """

    section: str
    name: str
    unit: str
    default: Any
    low: float | None
    low_open: bool
    high: float | None
    high_open: bool
    source: str
    numeric: bool
    plausible: tuple[float, float] | None = None

    @property
    def path(self) -> str:
        """Full dotted path of the field, e.g. ``firms.transaction_cost``."""
        return f"{self.section}.{self.name}" if self.section else self.name

    @property
    def range(self) -> str:
        """The admissible range in interval notation, e.g. ``[0, 1]`` or ``(0, ∞)``."""
        if self.low is None and self.high is None:
            return "—"
        left = "(−∞" if self.low is None else ("(" if self.low_open else "[") + fmt(self.low)
        right = "∞)" if self.high is None else fmt(self.high) + (")" if self.high_open else "]")
        return f"{left}, {right}"


def fmt(value: Any) -> str:
    """A number as the docs show it: thousands separators, no float noise."""
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        value = value.tolist()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(fmt(item) for item in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "; ".join(f"{getattr(key, 'name', key)} {fmt(val)}" for key, val in value.items())
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) >= 10_000:
            return f"{value:,.0f}"
        if value != 0 and (abs(value) >= 1e7 or abs(value) < 1e-3):
            return f"{value:.3g}"
        return f"{value:g}"
    if value is None:
        return "required"
    return str(value)


def _bounds(constraints: list[Any] | dict[str, Any]) -> dict[str, Any]:
    """``{"ge": ..., "gt": ..., "le": ..., "lt": ...}`` from pydantic metadata or a dict."""
    if isinstance(constraints, dict):
        return dict(constraints)
    found: dict[str, Any] = {}
    for item in constraints:
        for kind in ("ge", "gt", "le", "lt"):
            value = getattr(item, kind, None)
            if value is not None and isinstance(item, annotated_types.BaseMetadata):
                found[kind] = value
    return found


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The pydantic model a field holds and whether it is a list of them."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        if isinstance(item, type) and issubclass(item, BaseModel):
            return item, True
    return None, False


def _is_numeric(annotation: Any) -> bool:
    """Whether a field holds a number or a mapping to numbers (bool does not count)."""
    if annotation in NUMERIC:
        return True
    origin = get_origin(annotation)
    if origin is dict:
        return get_args(annotation)[1] in NUMERIC
    if origin in (types.UnionType, typing.Union):
        return any(_is_numeric(arg) for arg in get_args(annotation) if arg is not type(None))
    return False


def _default(info: FieldInfo) -> Any:
    if info.is_required():
        return None
    if info.default_factory is not None:
        return info.default_factory()  # type: ignore[call-arg]
    return info.default


def _row(section: str, name: str, info: FieldInfo, default: Any, bounds: dict[str, Any]) -> Any:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    low_key = "gt" if "gt" in bounds else "ge"
    high_key = "lt" if "lt" in bounds else "le"
    return ParameterRow(
        section=section,
        name=name,
        unit=str(extra.get("unit", "")),
        default=default,
        low=bounds.get(low_key),
        low_open=low_key == "gt" and "gt" in bounds,
        high=bounds.get(high_key),
        high_open=high_key == "lt" and "lt" in bounds,
        source=str(extra.get("source", "")),
        numeric=_is_numeric(info.annotation) or name.endswith(".value"),
        plausible=tuple(extra["plausible"]) if "plausible" in extra else None,
    )


def parameter_table(config: type[BaseModel] = CityConfig, section: str = "") -> list[ParameterRow]:
    """Every parameter of ``config`` (recursively), one row each, in declaration order.

    Sections nest by dotted path; list-valued sections such as ``fields`` appear once as
    ``fields[]`` with the per-entry schema defaults. A :class:`~talentsim.config.schema.Lever`
    yields a ``<lever>.value`` row (unit, source and bounds from :func:`lever`) and a
    ``<lever>.start_year`` row. Strings, booleans and choices (names, labels, ``kind``,
    ``enabled``) are listed too, with ``numeric`` False.
    """
    rows: list[ParameterRow] = []
    for name, info in config.model_fields.items():
        model, is_list = _model_of(info.annotation)
        if model is Lever:
            lever: Lever = _default(info)
            bounds = _bounds((info.json_schema_extra or {}).get("bounds", {}))  # type: ignore[union-attr]
            rows.append(_row(section, f"{name}.value", info, lever.value, bounds))
            start = Lever.model_fields["start_year"]
            start_bounds = _bounds(start.metadata)
            rows.append(_row(section, f"{name}.start_year", start, lever.start_year, start_bounds))
        elif model is not None:
            path = f"{section}.{name}" if section else name
            rows.extend(parameter_table(model, f"{path}[]" if is_list else path))
        else:
            rows.append(_row(section, name, info, _default(info), _bounds(info.metadata)))
    return rows


def declared_uncertainties(config: type[BaseModel] = CityConfig) -> dict[str, tuple[float, float]]:
    """Dotted path → plausible ``(low, high)`` of every parameter declared uncertain.

    List sections (``fields[]``) are left out: their entries are data, not one parameter.
    """
    return {
        row.path: row.plausible
        for row in parameter_table(config)
        if row.plausible is not None and "[]" not in row.section
    }


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _first_line(model: type[BaseModel]) -> str:
    return (model.__doc__ or "").strip().splitlines()[0]


def _section_models(config: type[BaseModel] = CityConfig, section: str = "") -> dict[str, type]:
    """Section path → the pydantic model documenting it."""
    found: dict[str, type] = {section: config}
    for name, info in config.model_fields.items():
        model, is_list = _model_of(info.annotation)
        if model is None or model is Lever:
            continue
        path = f"{section}.{name}" if section else name
        found.update(_section_models(model, f"{path}[]" if is_list else path))
    return found


def _plausible(row: ParameterRow) -> str:
    """``**[low, high]**`` for a declared uncertainty, empty otherwise."""
    if row.plausible is None:
        return ""
    low, high = row.plausible
    return f"**[{fmt(low)}, {fmt(high)}]**"


def render_parameters(config: type[BaseModel] = CityConfig) -> str:
    """Markdown: one table per config section with unit, default, range and source.

    A declared uncertainty (``param(..., plausible=...)``) shows its plausible range in bold;
    ``uncertainties: declared`` in an experiment varies exactly these.
    """
    models = _section_models(config)
    by_section: dict[str, list[ParameterRow]] = {}
    for row in parameter_table(config):
        if row.numeric:
            by_section.setdefault(row.section, []).append(row)
    parts = []
    for section, rows in by_section.items():
        title = f"`{section}`" if section else "run settings (top level)"
        parts.append(f"#### {title} — {_first_line(models[section])}\n")
        parts.append(
            "| parameter | unit | default | range | uncertain: plausible range "
            "| source / assumption |"
        )
        parts.append("| --- | --- | --- | --- | --- | --- |")
        parts.extend(
            f"| `{row.name}` | {_cell(row.unit)} | {_cell(fmt(row.default))} | {row.range} "
            f"| {_plausible(row)} | {_cell(row.source)} |"
            for row in rows
        )
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def _lookup(data: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        data = data[key]
    return data


def render_baseline(baseline: CityConfig, source: str) -> str:
    """Markdown: the baseline's lists (districts, fields, schools, ...) and its changed scalars."""
    dumped = baseline.model_dump(mode="python")
    parts = [
        f"Generated from `{source}` (scenario `{baseline.name}`, with the files it inherits "
        "through `base:`).\n"
    ]
    for section in LIST_SECTIONS:
        entries = _lookup(dumped, section)
        if not entries:
            continue
        columns = list(entries[0])
        parts.append(f"#### `{section}` ({len(entries)} entries)\n")
        parts.append("| " + " | ".join(columns) + " |")
        parts.append("|" + " --- |" * len(columns))
        parts.extend(
            "| " + " | ".join(_cell(fmt(entry[c])) for c in columns) + " |" for entry in entries
        )
        parts.append("")
    changed = []
    for row in parameter_table(CityConfig):
        if "[]" in row.section or not row.numeric:
            continue
        value = _lookup(dumped, row.path)
        if value != row.default:
            changed.append(f"| `{row.path}` | {_cell(fmt(row.default))} | {_cell(fmt(value))} |")
    parts.append("#### Scalars where the baseline differs from the schema default\n")
    if changed:
        parts.append("| parameter | default | baseline |")
        parts.append("| --- | --- | --- |")
        parts.extend(changed)
    else:
        parts.append("None: every other parameter of the baseline takes its schema default.")
    parts.append("")
    return "\n".join(parts).rstrip() + "\n"
