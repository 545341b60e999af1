"""Multi-round matching of job seekers and vacancies, vectorised (no loop over persons).

A vacancy cell is one firm's openings at one labour-market level. In each round every unmatched
seeker learns of ``contacts`` open cells of their level (search frictions), each in their own
field with probability ``own_field_contacts`` (``own_field_contacts_gaozhi`` for 高职 graduates;
else in any field; in any field also where their own field has no open cell), drawn in
proportion to open slots; they apply to the best ``applications`` of them whose wage clears
their reservation wage (k times both for a seeker of search multiple k: the year's new
graduates and in-migrants search more intensely). Each application reaches one of the cell's
open slots at random, and each slot offers to its best applicant (urn-ball: Butters 1977;
Petrongolo & Pissarides 2001), so one opening of a firm can draw several applicants while
another draws none; a seeker holding several offers takes the best, and an opening whose
offer was declined offers to its next applicant.

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
from talentsim.model.states import GAOZHI_MARKET_LEVEL
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


def own_field_share(params: LabourMarket, level: np.ndarray) -> np.ndarray:
    """Each seeker's share of contacts in their own field, by labour-market level.

    ``own_field_contacts_gaozhi`` for 高职 graduates, ``own_field_contacts`` else.
    """
    share = np.array([params.own_field_contacts, params.own_field_contacts_gaozhi])
    return share[(level == GAOZHI_MARKET_LEVEL).view(np.uint8)]


def offered_wage(
    vacancies: Vacancies, cell: np.ndarray, in_field: np.ndarray, params: LabourMarket
) -> np.ndarray:
    """Wage of cell ``cell`` for a hire: the posted wage, discounted out of field."""
    factor = np.array([params.out_of_field_discount, 1.0])
    return vacancies.wage[cell] * factor[in_field.view(np.uint8)]


class _CellTable:
    """Cells grouped by a key, to draw cells of a seeker's key in proportion to their weights.

    Keys are non-negative integers; weights non-negative integers (open slots). Each key's
    range in the cells sorted by key and its cumulative weight are found once, for all draws.
    """

    def __init__(self, keys: np.ndarray, weights: np.ndarray) -> None:
        """Sort the cells by key (stably) and tabulate every key's range and weight."""
        self.order = _stable_argsort(keys)
        sorted_keys = keys[self.order]
        self.cumulative = np.cumsum(weights[self.order].astype(np.float64))
        self.table = _step_table(self.cumulative, TABLE_LIMIT)
        # one more key than the largest: seekers of a key no cell has
        every_key = np.arange(int(keys.max()) + 2 if len(keys) else 1)
        lo = np.searchsorted(sorted_keys, every_key, side="left")
        hi = np.searchsorted(sorted_keys, every_key, side="right")
        self.last, self.some = np.maximum(hi - 1, 0), hi > lo
        self.base = np.where(lo > 0, self.cumulative[np.maximum(lo - 1, 0)], 0.0)
        self.total = np.where(hi > lo, self.cumulative[self.last] - self.base, 0.0)

    def sample(self, u: np.ndarray, seeker_keys: np.ndarray) -> np.ndarray:
        """One cell of each seeker's key per uniform ``u`` (n,), weighted; -1 if there is none."""
        if len(self.order) == 0:
            return np.full(len(seeker_keys), -1, dtype=np.int64)
        key = np.minimum(seeker_keys, len(self.last) - 1)
        target = self.base[key] + u * self.total[key]
        if self.table is None:
            pos = np.searchsorted(self.cumulative, target, side="right")
        else:
            pos = _look_up(self.table, target)
        # target >= base: pos is never before the key's first cell, at most past its last
        cells = self.order[np.minimum(pos, self.last[key])]
        return np.where(self.some[key], cells, -1)


TABLE_LIMIT = 1_000_000
"""Largest total weight whose positions :func:`_step_table` tabulates."""


def _step_table(cumulative: np.ndarray, limit: float) -> np.ndarray | None:
    """Position of every integer up to the total of an integer-valued ``cumulative``, or None.

    With integer steps, cumulative[j] > t exactly when cumulative[j] > floor(t), so
    ``np.searchsorted(cumulative, t, side="right")`` is ``table[floor(t)]``
    (:func:`_look_up`; no binary search per target, which costs ~50 ns each). None when the
    steps are not integers or the total exceeds ``limit``.
    """
    top = float(cumulative[-1]) if len(cumulative) else 0.0
    if top > limit or (cumulative != np.round(cumulative)).any():
        return None
    steps = np.diff(cumulative, prepend=0.0).astype(np.int64)
    return np.repeat(np.arange(len(cumulative) + 1), np.append(steps, 1))


def _look_up(table: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """``np.searchsorted(cumulative, targets, side="right")`` from ``cumulative``'s step table.

    ``targets`` lie in [0, total]: truncating them is their floor, and a valid index.
    """
    return table[targets.astype(np.int64)]


def _run_starts(ordered: np.ndarray) -> np.ndarray:
    """For a sorted array, the index where each element's run of equal values starts.

    The same as ``np.searchsorted(ordered, ordered, side="left")``, in linear time.
    """
    start = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    return np.repeat(start, np.diff(np.append(start, len(ordered))))


def _stable_argsort(keys: np.ndarray) -> np.ndarray:
    """``np.argsort(keys, kind="stable")`` of integers, by radix sort where they fit 16 bits."""
    if len(keys) and keys.min() >= 0 and keys.max() < 2**16:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    return np.argsort(keys, kind="stable")


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
    multiple, own_share = seekers.multiple(), own_field_share(params, seekers.level)
    for r in range(params.rounds):
        open_cells = slots > 0
        active = np.flatnonzero(hired_cell < 0)
        if len(active) == 0 or not open_cells.any():
            break
        weights = np.where(open_cells, slots, 0)
        count = params.contacts * multiple[active]
        market = (field_key, level_key, weights, n_fields, own_share)
        contacted = _contacts(stream, r, seekers, active, count, market)
        seeker_of, cell, in_field, pay, appeal = _apply(
            stream, seekers, vacancies, params, active, contacted, slots
        )
        # each application reaches one of the cell's open slots; each slot offers to its best
        # applicant (urn-ball: a slot can draw none while another of the firm draws several)
        u = stream.uniform(seekers.key[seeker_of], f"opening {r}", pair=vacancies.key[cell])
        opening = (np.cumsum(slots) - slots)[cell] + (u * slots[cell]).astype(np.int64)
        merit = _merit(stream, seekers, vacancies, params, (seeker_of, cell, in_field, opening))
        applied = _Applications(seeker_of, cell, pay, appeal, opening, _offer_rank(opening, merit))
        filled = _offer_down_the_list(applied, hired_cell, wage, int(slots.sum()))
        slots -= np.bincount(filled, minlength=len(slots))
    return hired_cell, wage


def _apply(
    stream: Stream,
    seekers: Seekers,
    vacancies: Vacancies,
    params: LabourMarket,
    active: np.ndarray,
    contacted: np.ndarray,
    slots: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """The round's applications: (seeker, cell, in own field, pay, appeal) of each.

    A seeker applies to their best ``applications`` (times their search multiple) distinct
    contacted cells whose pay clears their reservation wage and that have an open slot, best
    by appeal = log pay + taste_noise · Gumbel (keyed by seeker and cell), in seeker order.
    The appeal is None where every seeker contacted one cell at most: then nobody applies
    twice, no appeal is ever compared, and its keyed draw is not made.
    """
    # one row per seeker: their distinct candidate cells in ascending order (-1: none);
    # row-major order of the 2-D arrays is (seeker, cell) order
    cell = _sort_rows(contacted)
    ok = cell >= 0
    ok[:, 1:] &= cell[:, 1:] != cell[:, :-1]
    flat = np.flatnonzero(ok)
    row = flat // cell.shape[1] if cell.shape[1] > 1 else flat
    cells = cell.ravel()[flat]
    in_field = vacancies.field[cells] == seekers.field[active[row]]
    pay = offered_wage(vacancies, cells, in_field, params)
    acceptable = np.flatnonzero((pay >= seekers.reservation[active[row]]) & (slots[cells] > 0))
    flat, row, cells = flat[acceptable], row[acceptable], cells[acceptable]
    in_field, pay = in_field[acceptable], pay[acceptable]
    if cell.shape[1] == 1:  # applications >= 1: every acceptable contact applies
        return active[row], cells, in_field, pay, None
    taste = stream.gumbel(seekers.key[active[row]], "taste", pair=vacancies.key[cells])
    appeal = np.log(pay) + params.taste_noise * taste
    if params.applications >= params.contacts and not np.isneginf(appeal).any():
        # every acceptable contact is among a seeker's best `applications`: all apply
        return active[row], cells, in_field, pay, appeal
    contacts = (cells, in_field, pay, appeal)
    return _best_applications(params, seekers, active, cell.shape, flat, contacts)


def _best_applications(
    params: LabourMarket,
    seekers: Seekers,
    active: np.ndarray,
    shape: tuple[int, int],
    flat: np.ndarray,
    contacts: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Of the acceptable contacts (at ``flat`` in the (seekers, cells) grid), the best ones.

    ``contacts`` are their (cell, in own field, pay, appeal). Each seeker applies to the first
    ``applications`` × multiple columns of their row sorted by appeal (stably; a column that
    is no acceptable contact has appeal −∞ and sends no application).
    """
    cells, in_field, pay, appeal = contacts
    grid = np.full(shape, -np.inf)
    grid.ravel()[flat] = appeal
    acceptable = np.zeros(shape, dtype=bool)
    acceptable.ravel()[flat] = True
    allowed = params.applications * seekers.multiple()[active]
    best_cols = _best_columns(grid, int(allowed.max()))
    applies = np.take_along_axis(acceptable, best_cols, axis=1)
    applies &= np.arange(best_cols.shape[1])[None, :] < allowed[:, None]
    row, col = np.nonzero(applies)
    # each chosen grid position among the acceptable ones (both in row-major order)
    chosen = np.searchsorted(flat, row * shape[1] + best_cols[row, col])
    return active[row], cells[chosen], in_field[chosen], pay[chosen], appeal[chosen]


def _merit(
    stream: Stream,
    seekers: Seekers,
    vacancies: Vacancies,
    params: LabourMarket,
    applications: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """Each application's merit: score + in_field_priority·[own field] + merit_noise·N(0, 1).

    The noise is keyed by seeker and cell. An opening with a single applicant offers to them
    whatever their merit, so it is computed (and drawn) only for openings with several.
    """
    seeker_of, cell, in_field, opening = applications
    several = np.flatnonzero(np.bincount(opening)[opening] > 1)
    seeker_of, cell = seeker_of[several], cell[several]
    merit = np.zeros(len(opening), dtype=np.float64)
    merit[several] = (
        seekers.score[seeker_of]
        + params.in_field_priority * in_field[several]
        + params.merit_noise
        * stream.normal(seekers.key[seeker_of], "merit", pair=vacancies.key[cell])
    )
    return merit


def _contacts(
    stream: Stream,
    r: int,
    seekers: Seekers,
    active: np.ndarray,
    count: np.ndarray,
    market: tuple[np.ndarray, np.ndarray, np.ndarray, int, np.ndarray],
) -> np.ndarray:
    """Round ``r``'s contacted cells: (active seekers, draws), -1 beyond a seeker's ``count``.

    Contact j of a seeker is in their own field where the keyed uniform "search where" is below
    the own-field share and their own field has an open cell, else in any field of their
    level; either is drawn in proportion to open slots by its own keyed uniform (column j of
    the seeker's draws). Only the draws a contact uses are made.

    Args:
        stream: The labour market's stream.
        r: The round.
        seekers: Every seeker.
        active: Rows of the seekers still searching.
        count: (len(active),) contacts of each.
        market: (field key, level key, open slots) per cell, the number of fields and each
            seeker's share of contacts in their own field.

    """
    field_key, level_key, weights, n_fields, own_share = market
    in_field, in_level = _CellTable(field_key, weights), _CellTable(level_key, weights)
    key, own_share = seekers.key[active], own_share[active]
    level = seekers.level[active].astype(np.int64)
    field = seekers.field[active].astype(np.int64)
    own_key = level * (n_fields + 1) + np.maximum(field, 0) + (field < 0) * n_fields
    contacted = np.full((len(active), int(count.max())), -1, dtype=np.int64)
    rows = np.arange(len(active))
    for j in range(contacted.shape[1]):
        more = np.flatnonzero(count > j)
        if len(more) < len(rows):  # the seekers with a (j+1)-th contact
            rows, count, key, own_share = rows[more], count[more], key[more], own_share[more]
            own_key, level = own_key[more], level[more]
        column = np.array([j])
        cell = np.full(len(rows), -1, dtype=np.int64)
        where = stream.uniform(key, f"search where {r}", column)[:, 0]
        own = np.flatnonzero(where < own_share)
        u = stream.uniform(key[own], f"search own field {r}", column)[:, 0]
        cell[own] = in_field.sample(u, own_key[own])
        other = np.flatnonzero(cell < 0)
        u = stream.uniform(key[other], f"search any field {r}", column)[:, 0]
        cell[other] = in_level.sample(u, level[other])
        contacted[:, j][rows if len(rows) < len(active) else slice(None)] = cell
    return contacted


def _sort_rows(a: np.ndarray) -> np.ndarray:
    """``np.sort(a, axis=1)`` for an integer array, without the per-row sort for 2 columns."""
    if a.shape[1] != 2:
        return np.sort(a, axis=1)
    return np.stack([np.minimum(a[:, 0], a[:, 1]), np.maximum(a[:, 0], a[:, 1])], axis=1)


def _best_columns(appeal: np.ndarray, keep: int) -> np.ndarray:
    """``np.argsort(-appeal, axis=1, kind="stable")[:, :keep]``, without a sort for 2 columns."""
    if appeal.shape[1] != 2:
        return np.argsort(-appeal, axis=1, kind="stable")[:, :keep]
    first, second = -appeal[:, 0], -appeal[:, 1]
    # a stable sort puts the second column first only if it is smaller, or the first is NaN
    swap = (second < first) | (np.isnan(first) & ~np.isnan(second))
    return np.stack([swap.astype(np.int64), (~swap).astype(np.int64)], axis=1)[:, :keep]


def _offer_rank(opening: np.ndarray, merit: np.ndarray) -> np.ndarray:
    """The rank an opening offers by: its applicant of highest rank first, ties the first.

    The merit, or, where a merit is NaN (which a sort ranks last), minus the position in the
    order by opening and merit.
    """
    if not np.isnan(merit).any():
        return merit
    rank = np.empty(len(merit), dtype=np.float64)
    rank[_order_within(opening, merit)] = -np.arange(len(merit), dtype=np.float64)
    return rank


@dataclass
class _Applications:
    """A round's applications and the rank each opening offers by."""

    seeker: np.ndarray
    cell: np.ndarray
    pay: np.ndarray
    appeal: np.ndarray | None  # None: nobody applied twice
    opening: np.ndarray
    rank: np.ndarray


def _offer_down_the_list(
    applied: _Applications, hired_cell: np.ndarray, wage: np.ndarray, n_openings: int
) -> np.ndarray:
    """Each opening offers to its best applicant still free; declined offers go down the list.

    A seeker holding several offers takes the most appealing one; an opening whose offer was
    declined offers to its next applicant, until no opening has a free applicant left (firms
    keep a reserve list: with several applications a seeker no longer idles a slot by taking
    another). Where nobody applied twice every offer is accepted, so one pass fills every
    opening applied to. Writes the hires into ``hired_cell`` and ``wage``; returns the cells
    filled.
    """
    taken = np.zeros(n_openings, dtype=bool)
    filled = []
    # the applications still live: at first all (every applicant free, every opening open)
    index = np.arange(len(applied.seeker))
    seeker, opening, rank = applied.seeker, applied.opening, applied.rank
    while len(index):
        offer = index[_first_best(opening, rank, n_openings)]
        if applied.appeal is None:
            accept = offer
        else:
            accept = _take_best_offer(offer, applied.seeker[offer], applied.appeal[offer])
        hired_cell[applied.seeker[accept]] = applied.cell[accept]
        wage[applied.seeker[accept]] = applied.pay[accept]
        filled.append(applied.cell[accept])
        if applied.appeal is None:
            break
        taken[applied.opening[accept]] = True
        live = np.flatnonzero((hired_cell[seeker] < 0) & ~taken[opening])
        index, seeker, opening, rank = index[live], seeker[live], opening[live], rank[live]
    return np.concatenate(filled) if filled else np.array([], dtype=np.int64)


def _first_best(group: np.ndarray, rank: np.ndarray, n_groups: int) -> np.ndarray:
    """Position of the highest ``rank`` of each ``group`` value, ties the first; by group."""
    best = np.full(n_groups, -np.inf)
    np.maximum.at(best, group, rank)
    position = np.flatnonzero(rank == best[group])
    first = np.full(n_groups, len(group))
    np.minimum.at(first, group[position], position)
    return first[first < len(group)]


def _take_best_offer(offer: np.ndarray, seeker: np.ndarray, appeal: np.ndarray) -> np.ndarray:
    """The offers accepted: each seeker's most appealing, ties the first in ``offer``."""
    several = np.bincount(seeker)[seeker] > 1
    if not several.any():
        return offer
    order = _order_within(seeker[several], appeal[several])
    contested, holder = offer[several][order], seeker[several][order]
    chosen = np.concatenate([[True], holder[1:] != holder[:-1]])
    return np.concatenate([offer[~several], contested[chosen]])
