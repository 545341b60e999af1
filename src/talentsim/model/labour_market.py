"""Multi-round matching of job seekers and vacancies, vectorised (no loop over persons).

A vacancy cell is one firm's openings at one labour-market level. In each round every unmatched
seeker samples a few open cells of their level (search frictions; half of them in their own
field), applies to the best ``applications`` of them whose wage clears their reservation wage,
and each cell makes offers to its best applicants up to its open slots; a seeker holding several
offers takes the best. Matching generated this way shows decreasing returns and a Beveridge
relation (Neugart 2004).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from talentsim.config.schema import LabourMarket


@dataclass
class Vacancies:
    """Open vacancy cells: one row per (firm, level) with at least one slot."""

    firm: np.ndarray
    field: np.ndarray
    level: np.ndarray
    slots: np.ndarray
    wage: np.ndarray


@dataclass
class Seekers:
    """Job seekers: their labour-market level, field, productivity score and reservation wage."""

    level: np.ndarray
    field: np.ndarray
    score: np.ndarray
    reservation: np.ndarray


def offered_wage(
    vacancies: Vacancies, cell: np.ndarray, in_field: np.ndarray, params: LabourMarket
) -> np.ndarray:
    """Wage of cell ``cell`` for a hire: the posted wage, discounted out of field."""
    return vacancies.wage[cell] * np.where(in_field, 1.0, params.out_of_field_discount)


def _sample_cells(
    rng: np.random.Generator,
    keys: np.ndarray,
    weights: np.ndarray,
    seeker_keys: np.ndarray,
    draws: int,
) -> np.ndarray:
    """For each seeker, ``draws`` cells whose key equals the seeker's key, weighted; -1 if none."""
    order = np.argsort(keys, kind="stable")
    sorted_keys, sorted_weights = keys[order], weights[order].astype(np.float64)
    cumulative = np.cumsum(sorted_weights)
    lo = np.searchsorted(sorted_keys, seeker_keys, side="left")
    hi = np.searchsorted(sorted_keys, seeker_keys, side="right")
    base = np.where(lo > 0, cumulative[np.maximum(lo - 1, 0)], 0.0)
    total = np.where(hi > lo, cumulative[np.maximum(hi - 1, 0)] - base, 0.0)
    u = rng.random((len(seeker_keys), draws))
    targets = base[:, None] + u * total[:, None]
    pos = np.searchsorted(cumulative, targets, side="right")
    pos = np.minimum(np.maximum(pos, lo[:, None]), np.maximum(hi[:, None] - 1, 0))
    cells = order[np.minimum(pos, len(order) - 1)] if len(order) else np.zeros_like(pos)
    return np.where((hi > lo)[:, None], cells, -1)


def match(
    rng: np.random.Generator,
    seekers: Seekers,
    vacancies: Vacancies,
    params: LabourMarket,
    n_fields: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Match seekers to vacancy cells in ``params.rounds`` rounds.

    Returns:
        (cell, wage): per seeker the cell index hired into (-1 if none) and the wage agreed.

    """
    n = len(seekers.level)
    hired_cell = np.full(n, -1, dtype=np.int64)
    wage = np.zeros(n, dtype=np.float64)
    slots = vacancies.slots.astype(np.int64).copy()
    if n == 0 or len(slots) == 0:
        return hired_cell, wage
    level_key = vacancies.level.astype(np.int64)
    field_key = level_key * (n_fields + 1) + vacancies.field
    draws = params.applications
    for _ in range(params.rounds):
        open_cells = slots > 0
        active = np.flatnonzero(hired_cell < 0)
        if len(active) == 0 or not open_cells.any():
            break
        weights = np.where(open_cells, slots, 0)
        s_level = seekers.level[active].astype(np.int64)
        s_field = seekers.field[active].astype(np.int64)
        in_own = _sample_cells(
            rng,
            field_key,
            weights,
            s_level * (n_fields + 1) + np.maximum(s_field, 0) + (s_field < 0) * n_fields,
            draws,
        )
        any_field = _sample_cells(rng, level_key, weights, s_level, draws)
        candidates = np.concatenate([in_own, any_field], axis=1)
        seeker_of = np.repeat(active, candidates.shape[1])
        cell = candidates.ravel()
        valid = cell >= 0
        seeker_of, cell = seeker_of[valid], cell[valid]
        pair = np.unique(seeker_of * len(slots) + cell)
        seeker_of, cell = pair // len(slots), pair % len(slots)
        in_field = vacancies.field[cell] == seekers.field[seeker_of]
        pay = offered_wage(vacancies, cell, in_field, params)
        acceptable = (pay >= seekers.reservation[seeker_of]) & (slots[cell] > 0)
        seeker_of, cell, in_field, pay = (
            seeker_of[acceptable],
            cell[acceptable],
            in_field[acceptable],
            pay[acceptable],
        )
        # each seeker applies to their best `applications` acceptable cells
        appeal = np.log(pay) + 0.1 * rng.gumbel(size=len(pay))
        order = np.lexsort((-appeal, seeker_of))
        seeker_of, cell, in_field, pay, appeal = (
            seeker_of[order],
            cell[order],
            in_field[order],
            pay[order],
            appeal[order],
        )
        first = np.searchsorted(seeker_of, seeker_of, side="left")
        chosen = (np.arange(len(seeker_of)) - first) < params.applications
        seeker_of, cell, in_field, pay, appeal = (
            seeker_of[chosen],
            cell[chosen],
            in_field[chosen],
            pay[chosen],
            appeal[chosen],
        )
        # each cell offers to its best applicants up to its open slots
        merit = (
            seekers.score[seeker_of]
            + params.in_field_priority * in_field
            + 0.2 * rng.standard_normal(len(cell))
        )
        order = np.lexsort((-merit, cell))
        seeker_of, cell, pay, appeal = seeker_of[order], cell[order], pay[order], appeal[order]
        first = np.searchsorted(cell, cell, side="left")
        offered = (np.arange(len(cell)) - first) < slots[cell]
        seeker_of, cell, pay, appeal = (
            seeker_of[offered],
            cell[offered],
            pay[offered],
            appeal[offered],
        )
        # a seeker holding several offers takes the most appealing one
        order = np.lexsort((-appeal, seeker_of))
        seeker_of, cell, pay = seeker_of[order], cell[order], pay[order]
        best = np.ones(len(seeker_of), dtype=bool)
        best[1:] = seeker_of[1:] != seeker_of[:-1]
        seeker_of, cell, pay = seeker_of[best], cell[best], pay[best]
        hired_cell[seeker_of] = cell
        wage[seeker_of] = pay
        slots -= np.bincount(cell, minlength=len(slots))
    return hired_cell, wage
