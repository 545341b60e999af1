"""Multi-round matching of job seekers and vacancies, vectorised (no loop over persons).

A vacancy cell is one firm's openings at one labour-market level. In each round every unmatched
seeker learns of ``contacts`` open cells of their level (search frictions), each in their own
field with probability ``own_field_contacts`` (else in any field; in any field also where their
own field has no open cell), drawn in proportion to open slots; they apply to the best
``applications`` of them whose wage clears their reservation wage (k times both for a seeker
of search multiple k: the year's new graduates and in-migrants search more intensely). Each
application reaches one of the cell's open slots at random, and each slot offers to its best
applicant (urn-ball: Butters 1977; Petrongolo & Pissarides 2001), so one opening of a firm can
draw several applicants while another draws none; a seeker holding several offers takes the best,
and an opening whose offer was declined offers to its next applicant.

Every draw depends on the market only through shares of slots, so the matching it generates is
homogeneous of degree one in (seekers, vacancies): the aggregate matching function has
constant returns, and within a round a slot receiving Poisson(λ) applications (λ
applications per open slot) fills with probability 1 − e^(−λ), so the elasticity with respect
to seekers is λ·e^(−λ)/(1 − e^(−λ)) (about 0.35 at λ ≈ 2.5) and, with the mix of slack and
tight submarkets (fields and levels; Shimer 2007, Neugart 2004), the aggregate elasticities.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from talentsim.config.schema import LabourMarket
from talentsim.model.streams import Stream


@dataclass
class Vacancies:
    """Open vacancy cells: one row per (firm, level) with at least one slot."""

    firm: np.ndarray
    key: np.ndarray  # stable key of the cell (firm key and level), for keyed draws
    field: np.ndarray
    level: np.ndarray
    slots: np.ndarray
    wage: np.ndarray


@dataclass
class Seekers:
    """Job seekers: their labour-market level, field, productivity score and reservation wage."""

    key: np.ndarray  # person ids, for keyed draws
    level: np.ndarray
    field: np.ndarray
    score: np.ndarray
    reservation: np.ndarray
    intensity: np.ndarray | None = field(default=None)  # search multiple (contacts, applications)

    def multiple(self) -> np.ndarray:
        """Each seeker's search multiple k: k·contacts cells learnt of, k·applications sent."""
        if self.intensity is None:
            return np.ones(len(self.level), dtype=np.int64)
        return self.intensity.astype(np.int64)


def offered_wage(
    vacancies: Vacancies, cell: np.ndarray, in_field: np.ndarray, params: LabourMarket
) -> np.ndarray:
    """Wage of cell ``cell`` for a hire: the posted wage, discounted out of field."""
    return vacancies.wage[cell] * np.where(in_field, 1.0, params.out_of_field_discount)


def _sample_cells(
    u: np.ndarray,
    keys: np.ndarray,
    weights: np.ndarray,
    seeker_keys: np.ndarray,
) -> np.ndarray:
    """For each seeker, one cell per column of ``u`` whose key equals the seeker's, weighted.

    Keys are non-negative integers; weights non-negative integers (open slots); ``u`` holds
    (seekers, draws) uniforms. -1 where the seeker's key has no cell.
    """
    order = np.argsort(keys, kind="stable")
    sorted_keys, sorted_weights = keys[order], weights[order].astype(np.float64)
    cumulative = np.cumsum(sorted_weights)
    # seekers share few distinct keys: look each one up once
    every_key = np.arange(int(seeker_keys.max()) + 1 if len(seeker_keys) else 0)
    lo = np.searchsorted(sorted_keys, every_key, side="left")[seeker_keys]
    hi = np.searchsorted(sorted_keys, every_key, side="right")[seeker_keys]
    base = np.where(lo > 0, cumulative[np.maximum(lo - 1, 0)], 0.0)
    total = np.where(hi > lo, cumulative[np.maximum(hi - 1, 0)] - base, 0.0)
    targets = base[:, None] + u * total[:, None]
    pos = _search_integer_steps(cumulative, targets)
    pos = np.minimum(np.maximum(pos, lo[:, None]), np.maximum(hi[:, None] - 1, 0))
    cells = order[np.minimum(pos, len(order) - 1)] if len(order) else np.zeros_like(pos)
    return np.where((hi > lo)[:, None], cells, -1)


def _search_integer_steps(cumulative: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """``np.searchsorted(cumulative, targets, side="right")`` for integer-valued ``cumulative``.

    With integer steps, cumulative[j] > t exactly when cumulative[j] > floor(t), so the position
    of every integer up to the total is tabulated once and looked up (no binary search per
    target, which costs ~50 ns each). Falls back to the search when the table would be large.
    """
    top = float(cumulative[-1]) if len(cumulative) else 0.0
    if top > 8 * targets.size + 1_000_000 or (cumulative != np.round(cumulative)).any():
        return np.searchsorted(cumulative, targets, side="right")
    steps = np.diff(cumulative, prepend=0.0).astype(np.int64)
    table = np.repeat(np.arange(len(cumulative) + 1), np.append(steps, 1))
    whole = np.floor(targets).astype(np.int64)
    return table[np.clip(whole, 0, len(table) - 1)]


def _run_starts(ordered: np.ndarray) -> np.ndarray:
    """For a sorted array, the index where each element's run of equal values starts.

    The same as ``np.searchsorted(ordered, ordered, side="left")``, in linear time.
    """
    start = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    return np.repeat(start, np.diff(np.append(start, len(ordered))))


def _order_within(group: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Order by group ascending, then key descending, ties in input order.

    The same permutation as ``np.lexsort((-key, group))``, from two cheaper sorts.
    """
    by_key = np.argsort(-key)
    ranked = key[by_key]
    if (ranked[1:] == ranked[:-1]).any():  # ties: only a stable sort keeps input order
        by_key = np.argsort(-key, kind="stable")
    if len(group) and group.min() >= 0 and group.max() < 2**16:  # stable radix sort
        return by_key[np.argsort(group[by_key].astype(np.uint16), kind="stable")]
    rank = np.empty(len(key), dtype=np.int64)
    rank[by_key] = np.arange(len(key))
    return np.argsort(group.astype(np.int64) * len(key) + rank)


def match(
    stream: Stream,
    seekers: Seekers,
    vacancies: Vacancies,
    params: LabourMarket,
    n_fields: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Match seekers to vacancy cells in ``params.rounds`` rounds.

    Every random number is keyed by the seeker (and round, or the vacancy applied to), so the
    same person searches the same way in two scenarios as far as the openings allow.

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
    multiple = seekers.multiple()
    draws = params.contacts * int(multiple.max())
    for r in range(params.rounds):
        open_cells = slots > 0
        active = np.flatnonzero(hired_cell < 0)
        if len(active) == 0 or not open_cells.any():
            break
        weights = np.where(open_cells, slots, 0)
        s_level = seekers.level[active].astype(np.int64)
        s_field = seekers.field[active].astype(np.int64)
        s_key = seekers.key[active]
        in_own = _sample_cells(
            stream.uniform(s_key, f"search own field {r}", draws),
            field_key,
            weights,
            s_level * (n_fields + 1) + np.maximum(s_field, 0) + (s_field < 0) * n_fields,
        )
        any_field = _sample_cells(
            stream.uniform(s_key, f"search any field {r}", draws), level_key, weights, s_level
        )
        own = stream.uniform(s_key, f"search where {r}", draws) < params.own_field_contacts
        contacted = np.where(own & (in_own >= 0), in_own, any_field)
        k = multiple[active][:, None]
        contacted[np.arange(draws)[None, :] >= params.contacts * k] = -1
        # one row per seeker: their distinct candidate cells in ascending order (-1: none);
        # row-major order of the 2-D arrays is (seeker, cell) order
        cell = np.sort(contacted, axis=1)
        ok = cell >= 0
        ok[:, 1:] &= cell[:, 1:] != cell[:, :-1]
        safe = np.where(ok, cell, 0)
        in_field = vacancies.field[safe] == seekers.field[active][:, None]
        pay = offered_wage(vacancies, safe, in_field, params)
        ok &= (pay >= seekers.reservation[active][:, None]) & (slots[safe] > 0)
        # each seeker applies to their best `applications` acceptable cells
        appeal = np.full(cell.shape, -np.inf)
        taste = stream.gumbel(
            np.repeat(s_key, cell.shape[1]), "taste", pair=vacancies.key[safe].ravel()
        )
        appeal[ok] = np.log(pay[ok]) + params.taste_noise * taste.reshape(cell.shape)[ok]
        best_cols = np.argsort(-appeal, axis=1, kind="stable")[:, : params.applications * k.max()]
        applies = ok[np.arange(len(active))[:, None], best_cols]
        applies &= np.arange(best_cols.shape[1])[None, :] < params.applications * k
        row, col = np.nonzero(applies)
        col = best_cols[row, col]
        seeker_of = active[row]
        cell, in_field = cell[row, col], in_field[row, col]
        pay, appeal = pay[row, col], appeal[row, col]
        # each application reaches one of the cell's open slots; each slot offers to its best
        # applicant (urn-ball: a slot can draw none while another of the firm draws several)
        merit = (
            seekers.score[seeker_of]
            + params.in_field_priority * in_field
            + params.merit_noise
            * stream.normal(seekers.key[seeker_of], "merit", pair=vacancies.key[cell])
        )
        u = stream.uniform(seekers.key[seeker_of], f"opening {r}", pair=vacancies.key[cell])
        opening = (np.cumsum(slots) - slots)[cell] + (u * slots[cell]).astype(np.int64)
        order = _order_within(opening, merit)
        applied = _Applications(
            seeker_of[order], cell[order], pay[order], appeal[order], opening[order]
        )
        filled = _offer_down_the_list(applied, hired_cell, wage, int(slots.sum()))
        slots -= np.bincount(filled, minlength=len(slots))
    return hired_cell, wage


@dataclass
class _Applications:
    """A round's applications, ordered by opening and, within one, by merit (best first)."""

    seeker: np.ndarray
    cell: np.ndarray
    pay: np.ndarray
    appeal: np.ndarray
    opening: np.ndarray


def _offer_down_the_list(
    applied: _Applications, hired_cell: np.ndarray, wage: np.ndarray, n_openings: int
) -> np.ndarray:
    """Each opening offers to its best applicant still free; declined offers go down the list.

    A seeker holding several offers takes the most appealing one; an opening whose offer was
    declined offers to its next applicant, until no opening has a free applicant left (firms
    keep a reserve list: with several applications a seeker no longer idles a slot by taking
    another). Writes the hires into ``hired_cell`` and ``wage``; returns the cells filled.
    """
    taken = np.zeros(n_openings, dtype=bool)
    filled = []
    live = np.ones(len(applied.seeker), dtype=bool)
    while True:
        live &= (hired_cell[applied.seeker] < 0) & ~taken[applied.opening]
        index = np.flatnonzero(live)
        if len(index) == 0:
            break
        ordered = applied.opening[index]
        first = np.concatenate([[True], ordered[1:] != ordered[:-1]])
        offer = index[first]  # each opening's best free applicant (input order: merit)
        order = _order_within(applied.seeker[offer], applied.appeal[offer])
        offer = offer[order]
        chosen = np.ones(len(offer), dtype=bool)
        chosen[1:] = applied.seeker[offer][1:] != applied.seeker[offer][:-1]
        accept = offer[chosen]
        hired_cell[applied.seeker[accept]] = applied.cell[accept]
        wage[applied.seeker[accept]] = applied.pay[accept]
        taken[applied.opening[accept]] = True
        filled.append(applied.cell[accept])
    return np.concatenate(filled) if filled else np.array([], dtype=np.int64)
