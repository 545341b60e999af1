"""Load scenario configs from YAML: safe parsing, inheritance through ``base:``, one clear error.

A scenario file may name a ``base`` file (relative to itself); its mapping is merged over the
base's, recursively, so a scenario states only what it changes. The resolved mapping is
validated once by :class:`~talentsim.config.schema.CityConfig`. A valid config that cannot do
what it says (a lever starting after the run's last year) loads with a :class:`ConfigWarning`.
"""

from __future__ import annotations

import copy
import difflib
import functools
import hashlib
import json
import stat
import warnings
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from talentsim.config.schema import CityConfig, Lever

MAX_BASE_DEPTH = 10
MAX_FILE_BYTES = 1_000_000
"""A config file larger than this is refused unread (the shipped ones are under 20 kB)."""
MAX_ALIASES = 100
"""YAML aliases (``*name``) allowed in one file."""
MAX_NESTING = 40
"""Levels of nested mappings and lists allowed in one file."""
MAX_NODES = 200_000
"""Values a file may hold once its aliases are expanded (an alias bomb is refused)."""
MAX_SHOWN = 80
"""Characters of a value or key echoed in an error message."""


class ConfigError(ValueError):
    """A config file cannot be used; the message names the file and the field."""


class ConfigWarning(UserWarning):
    """A config is valid but part of it has no effect; the message names the field."""


def shorten(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


class GuardedLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses duplicate keys, many aliases and deep nesting."""

    def __init__(self, stream: str) -> None:
        """Parse ``stream``, counting aliases and nesting as the document is composed."""
        super().__init__(stream)
        self.aliases = 0
        self.nesting = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Compose one node, refusing an alias or a level beyond the limits."""
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                line = self.peek_event().start_mark.line + 1
                raise yaml.YAMLError(f"more than {MAX_ALIASES} aliases (line {line})")
        self.nesting += 1
        try:
            if self.nesting > MAX_NESTING:
                line = self.peek_event().start_mark.line + 1
                raise yaml.YAMLError(f"nested deeper than {MAX_NESTING} levels (line {line})")
            return super().compose_node(parent, index)
        finally:
            self.nesting -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """A mapping, refusing a key given twice (YAML would silently keep the last one)."""
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == MERGE_TAG:
                continue
            key = self.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {shorten(repr(key))} at line {line} (first at line "
                    f"{seen[key]})",
                    key_node.start_mark,
                )
            seen[key] = line
        return super().construct_mapping(node, deep)


MERGE_TAG = "tag:yaml.org,2002:merge"


def expanded_size(data: Any) -> int:
    """How many values ``data`` holds with each shared (aliased) value counted every time.

    Raises:
        ConfigError: ``data`` contains itself (a recursive alias); the message has no file.

    """
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(value: Any) -> int:
        if not isinstance(value, dict | list):
            return 1
        key = id(value)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ConfigError("a value contains itself (recursive alias)")
        active.add(key)
        children = value.values() if isinstance(value, dict) else value
        total = 1 + sum(size(child) for child in children)
        active.discard(key)
        sizes[key] = min(total, MAX_NODES + 1)
        return sizes[key]

    return size(data)


def read_text_guarded(path: Path) -> str:
    """The text of a regular file of at most :data:`MAX_FILE_BYTES` (checked before reading).

    Raises:
        ConfigError: missing, not a regular file (a FIFO, a device, a folder), too large,
            unreadable or not UTF-8.

    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read file ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(
            f"{path}: cannot read file (not a regular file: a folder, FIFO or device)"
        )
    if info.st_size > MAX_FILE_BYTES:
        raise ConfigError(
            f"{path}: file too large ({info.st_size:,} bytes; a config may have at most "
            f"{MAX_FILE_BYTES:,})"
        )
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read file ({exc})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError(f"{path}: file too large (more than {MAX_FILE_BYTES:,} bytes)")
    return text


def load_yaml(path: Path | str) -> dict[str, Any]:
    """Parse a YAML mapping safely: no Python tags, no duplicate keys, bounded size.

    A text parsed before in this process is not parsed again (an experiment's scenarios share
    their base file): the caller gets its own copy of the mapping.

    Raises:
        ConfigError: the file is missing, not a regular file, too large, unreadable,
            malformed, has a duplicate key, too many aliases, too deep nesting, expands to too
            many values, or is not a mapping.

    """
    path = Path(path)
    text = read_text_guarded(path)
    try:
        return copy.deepcopy(_parse_mapping(text))
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


@functools.lru_cache(maxsize=32)
def _parse_mapping(text: str) -> dict[str, Any]:
    """The mapping of a YAML text (see :func:`load_yaml`); errors do not name the file."""
    try:
        data = yaml.load(text, Loader=GuardedLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"malformed YAML{line}: {shorten(problem, 200)}") from None
    except RecursionError:
        raise ConfigError("nested too deeply") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"expected a mapping at the top level, got {type(data).__name__}")
    if expanded_size(data) > MAX_NODES:
        raise ConfigError(f"expands to more than {MAX_NODES:,} values (aliases inside aliases?)")
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


def validate(data: dict[str, Any], source: str, flags: dict[str, str] | None = None) -> CityConfig:
    """Validate a resolved mapping, turning pydantic's report into one :class:`ConfigError`.

    ``flags`` maps dotted fields set from command-line options to the option's name, so that
    their errors name the option rather than the file.
    """
    try:
        return CityConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(
            describe_validation_error(exc, source, schema=CityConfig, flags=flags)
        ) from None


def describe_validation_error(
    exc: ValidationError,
    source: str,
    schema: type[BaseModel] | None = None,
    flags: dict[str, str] | None = None,
) -> str:
    """One message naming the file (or the option) and every offending field.

    Args:
        exc: pydantic's report.
        source: The file (or other origin) named at the start of the message.
        schema: The model that was validated; with it, an unknown field gets a "did you mean"
            suggestion from the fields allowed at its place.
        flags: Dotted fields set from command-line options, to the option's name: their errors
            name the option rather than the file.

    """
    flags = flags or {}
    lines, from_flags = [], 0
    missing_top_level = False
    for error in exc.errors():
        where = ".".join(shorten(str(part)) for part in error["loc"]) or "(top level)"
        if where in flags:
            where, from_flags = flags[where], from_flags + 1
        if error["type"] == "extra_forbidden":
            lines.append(f"{where}: unknown field{suggestion(schema, error['loc'])}")
        else:
            missing_top_level |= error["type"] == "missing" and len(error["loc"]) == 1
            given = error.get("input")
            shown = "" if isinstance(given, dict | list) else f" (got {shorten(repr(given))})"
            lines.append(f"{where}: {shorten(error['msg'], 300)}{shown}")
    if missing_top_level and schema is CityConfig:
        lines.append(
            "(a scenario defines fields, districts and schools, or names a `base:` file to "
            "inherit them from, e.g. base: zibo_baseline.yaml)"
        )
    if from_flags == len(lines):
        return "invalid option\n  " + "\n  ".join(lines)
    return f"{source}: invalid config\n  " + "\n  ".join(lines)


def suggestion(
    schema: type[BaseModel] | None,
    loc: tuple[int | str, ...],
    variants: dict[str, type[BaseModel]] | None = None,
) -> str:
    """`` (did you mean 'x'?)`` for an unknown key at ``loc``, or the allowed keys, or ``""``.

    Args:
        schema: The validated model.
        loc: pydantic's location of the unknown key.
        variants: For schemas with tagged unions and mappings of models: the model each union
            tag stands for; a location part that is neither a field nor a tag is then a mapping
            key, and the model stays the mapping's value model.

    """
    model = schema
    for part in loc[:-1]:
        if model is None:
            return ""
        if isinstance(part, str):
            field = model.model_fields.get(part)
            if field is not None:
                model = _model_in(field.annotation)
            elif variants is not None:
                model = variants.get(part, model)
            else:
                model = None
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


def resolve_config(
    path: Path | str,
    overrides: dict[str, Any] | None = None,
    flags: dict[str, str] | None = None,
) -> CityConfig:
    """Load a scenario file, merge its bases, apply dotted ``overrides`` and validate.

    Args:
        path: The scenario YAML file.
        overrides: Dotted field paths to values, e.g. ``{"policy.coordination.value": 0.5}``.
        flags: Command-line option names of overridden fields (``{"scale": "--scale"}``),
            named in the message instead of the file when their value is refused.

    Raises:
        ConfigError: anything wrong with the file or the values, naming file and field.

    Warns:
        ConfigWarning: a lever, the park or the talent subsidy starts after the last year.

    """
    data = resolve_mapping(path)
    for dotted, value in (overrides or {}).items():
        set_dotted(data, dotted, value)
    config = validate(data, str(path), flags)
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
