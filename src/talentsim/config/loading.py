"""Load scenario configs from YAML: safe parsing, inheritance through ``base:``, one clear error.

A scenario file may name a ``base`` file (relative to itself); its mapping is merged over the
base's, recursively, so a scenario states only what it changes. The resolved mapping is
validated once by :class:`~talentsim.config.schema.CityConfig`. A valid config that cannot do
what it says (a lever starting after the run's last year) loads with a :class:`ConfigWarning`.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import warnings
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from talentsim.config.schema import CityConfig, Lever

MAX_BASE_DEPTH = 10


class ConfigError(ValueError):
    """A config file cannot be used; the message names the file and the field."""


class ConfigWarning(UserWarning):
    """A config is valid but part of it has no effect; the message names the field."""


def load_yaml(path: Path | str) -> dict[str, Any]:
    """Parse a YAML mapping with ``yaml.safe_load`` (no Python object tags).

    Raises:
        ConfigError: the file is missing, unreadable, malformed or not a mapping.

    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read file ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: malformed YAML{line}: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level, got {type(data).__name__}")
    return data


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Recursively merge ``override`` over ``base`` (mappings merge, everything else replaces)."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def resolve_mapping(path: Path | str, _depth: int = 0) -> dict[str, Any]:
    """The file's mapping with its ``base`` chain merged in (``base`` removed)."""
    path = Path(path)
    data = load_yaml(path)
    base = data.pop("base", None)
    if base is None:
        return data
    if not isinstance(base, str):
        raise ConfigError(f"{path}: field 'base' must be a file name, got {base!r}")
    if _depth >= MAX_BASE_DEPTH:
        raise ConfigError(f"{path}: 'base' chain deeper than {MAX_BASE_DEPTH} (a cycle?)")
    return merge(resolve_mapping(path.parent / base, _depth + 1), data)


def set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``a.b.c`` in a nested mapping, creating mappings on the way."""
    keys = dotted.split(".")
    node = data
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    node[keys[-1]] = value


def validate(data: dict[str, Any], source: str) -> CityConfig:
    """Validate a resolved mapping, turning pydantic's report into one :class:`ConfigError`."""
    try:
        return CityConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, source, CityConfig)) from None


def describe_validation_error(
    exc: ValidationError, source: str, schema: type[BaseModel] | None = None
) -> str:
    """One message naming the file and every offending field.

    Args:
        exc: pydantic's report.
        source: The file (or other origin) named at the start of the message.
        schema: The model that was validated; with it, an unknown field gets a "did you mean"
            suggestion from the fields allowed at its place.

    """
    lines = []
    missing_top_level = False
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "(top level)"
        if error["type"] == "extra_forbidden":
            lines.append(f"{where}: unknown field{suggestion(schema, error['loc'])}")
        else:
            missing_top_level |= error["type"] == "missing" and len(error["loc"]) == 1
            given = error.get("input")
            shown = "" if isinstance(given, dict | list) else f" (got {given!r})"
            lines.append(f"{where}: {error['msg']}{shown}")
    if missing_top_level and schema is CityConfig:
        lines.append(
            "(a scenario defines fields, districts and schools, or names a `base:` file to "
            "inherit them from, e.g. base: zibo_baseline.yaml)"
        )
    return f"{source}: invalid config\n  " + "\n  ".join(lines)


def suggestion(schema: type[BaseModel] | None, loc: tuple[int | str, ...]) -> str:
    """`` (did you mean 'x'?)`` for an unknown key at ``loc``, or the allowed keys, or ``""``."""
    model = schema
    for part in loc[:-1]:
        if model is None:
            return ""
        if isinstance(part, str):
            field = model.model_fields.get(part)
            model = _model_in(field.annotation) if field is not None else None
    if model is None:
        return ""
    allowed = list(model.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f" (allowed here: {', '.join(allowed)})"


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation (``X``, ``list[X]``, ``X | None``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def late_starts(config: CityConfig) -> list[str]:
    """Policy settings whose ``start_year`` lies after the run's last year (they never apply)."""
    last = config.city.start_year + config.years - 1
    policy = config.policy
    starts = {
        f"policy.{name}": value.start_year for name, value in policy if isinstance(value, Lever)
    }
    if policy.park.enabled:
        starts["policy.park"] = policy.park.start_year
    starts["policy.talent_subsidy"] = policy.talent_subsidy.start_year
    span = f"{config.years} year{'' if config.years == 1 else 's'}"
    return [
        f"{name}.start_year = {year} is after the run's last year {last} "
        f"(city.start_year {config.city.start_year} + {span}): it never applies"
        for name, year in starts.items()
        if year > last
    ]


def resolve_config(path: Path | str, overrides: dict[str, Any] | None = None) -> CityConfig:
    """Load a scenario file, merge its bases, apply dotted ``overrides`` and validate.

    Args:
        path: The scenario YAML file.
        overrides: Dotted field paths to values, e.g. ``{"policy.coordination.value": 0.5}``.

    Raises:
        ConfigError: anything wrong with the file or the values, naming file and field.

    Warns:
        ConfigWarning: a lever, the park or the talent subsidy starts after the last year.

    """
    data = resolve_mapping(path)
    for dotted, value in (overrides or {}).items():
        set_dotted(data, dotted, value)
    config = validate(data, str(path))
    for message in late_starts(config):
        warnings.warn(f"{path}: {message}", ConfigWarning, stacklevel=2)
    return config


def load_config(path: Path | str) -> CityConfig:
    """Load and validate a scenario file (see :func:`resolve_config`)."""
    return resolve_config(path)


def config_hash(config: BaseModel) -> str:
    """A stable SHA-256 of a config's resolved values (first 16 hex digits)."""
    text = json.dumps(config.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
