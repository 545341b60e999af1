"""Scenario configuration: pydantic schemas and the YAML loader."""

from __future__ import annotations

from talentsim.config.loading import (
    ConfigError,
    ConfigWarning,
    load_config,
    load_yaml,
    resolve_config,
)
from talentsim.config.schema import CityConfig

__all__ = [
    "CityConfig",
    "ConfigError",
    "ConfigWarning",
    "load_config",
    "load_yaml",
    "resolve_config",
]
