"""Skills and productivity: general and field-specific skill learned on the job (Eurace@Unibi)."""

from __future__ import annotations

import numpy as np

from talentsim.config.schema import Skills

LEVEL_PRODUCTIVITY = np.array([1.0, 1.2, 1.45, 1.8])
"""Productivity multiplier by labour-market level (assumption: Mincer-style returns)."""


def productivity(
    market_level: np.ndarray,
    skill_general: np.ndarray,
    skill_field: np.ndarray,
    in_field: np.ndarray,
) -> np.ndarray:
    """A worker's productivity: π = m_level · (1 + 0.5·s_general + fit·s_field).

    fit = 1 in field (对口), 0.3 out of field: specific skill counts only where it fits the
    firm's technology (Dawid, Gemkow, Harting & Neugart).
    """
    fit = np.where(in_field, 1.0, 0.3)
    return LEVEL_PRODUCTIVITY[market_level] * (1.0 + 0.5 * skill_general + fit * skill_field)


def grow_skills(
    params: Skills, skill_general: np.ndarray, skill_field: np.ndarray, in_field: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One year on the job: general skill grows; specific skill grows in field, decays outside.

    s_general += general_growth
    s_field   += field_growth · (1 − s_field / 3)   in field (saturating)
    s_field   *= 1 − field_decay                     out of field
    """
    general = skill_general + params.general_growth
    field = np.where(
        in_field,
        skill_field + params.field_growth * (1.0 - skill_field / 3.0),
        skill_field * (1.0 - params.field_decay),
    )
    return general.astype(np.float32), field.astype(np.float32)
