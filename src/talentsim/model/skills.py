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
    params: Skills | None = None,
) -> np.ndarray:
    """A worker's productivity: π = m_level · (1 + γ·s_general + fit·s_field).

    γ = ``general_weight``; fit = 1 in field (对口), ``out_of_field_fit`` out of field: specific
    skill counts only where it fits the firm's technology (Dawid, Gemkow, Harting & Neugart).
    ``params`` defaults to the schema's :class:`Skills`.
    """
    params = params or Skills()
    fit = np.where(in_field, 1.0, params.out_of_field_fit)
    return LEVEL_PRODUCTIVITY[market_level] * (
        1.0 + params.general_weight * skill_general + fit * skill_field
    )


def grow_skills(
    params: Skills, skill_general: np.ndarray, skill_field: np.ndarray, in_field: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One year on the job: general skill grows; specific skill grows in field, decays outside.

    s_general += general_growth
    s_field   += field_growth · (1 − s_field / s_max)   in field (saturating at s_max =
                                                     ``field_ceiling``)
    s_field   *= 1 − field_decay                         out of field
    """
    general = skill_general + params.general_growth
    field = np.where(
        in_field,
        skill_field + params.field_growth * (1.0 - skill_field / params.field_ceiling),
        skill_field * (1.0 - params.field_decay),
    )
    return general.astype(np.float32), field.astype(np.float32)
