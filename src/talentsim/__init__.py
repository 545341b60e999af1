"""talentsim: an agent-based simulation of a city's talent supply and demand."""

from __future__ import annotations

__version__ = "0.1.0"
