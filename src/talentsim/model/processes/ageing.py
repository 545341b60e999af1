"""Ageing and separations: everyone ages a year; workers retire, quit or are laid off.

At retirement_age a worker (employed, unemployed or with the city's other employers) retires.
Each employed worker quits into unemployment with probability quit_rate (a keyed uniform).
A firm whose employment at a level exceeds its desired employment L*_fl
(:func:`~talentsim.model.agents.firms.desired_employment`) by more than
the tolerance lays off a share of the excess:
    n_fl = layoff_share · max(0, employed_fl − (1 + layoff_tolerance)·L*_fl), stochastically
rounded, the workers with the lowest keyed draws first. Quitters and the laid off search in
this year's labour market; the staff of firms that close this year are released by
:func:`~talentsim.model.processes.firm_dynamics.close_firms`, also before the market.
Emigration of the employed is decided in :mod:`~talentsim.model.processes.migration`.
"""

from __future__ import annotations

import numpy as np

from talentsim.model.people import Event, Separation
from talentsim.model.state import CityState
from talentsim.model.states import MARKET_LEVEL, N_MARKET_LEVELS, Stage
from talentsim.model.streams import Stream


def age_and_separate(state: CityState, stream: Stream) -> None:
    """Ageing, retirement, quits and layoffs."""
    p, cfg = state.people, state.config
    p.age[:] += 1
    stage = p.stage  # comparisons: np.isin over every person is 3x slower
    working = (stage == Stage.EMPLOYED) | (stage == Stage.UNEMPLOYED)
    working |= stage == Stage.OTHER_EMPLOYER
    retiring = np.flatnonzero(working & (p.age >= cfg.city.retirement_age))
    state.release(retiring, Stage.RETIRED)
    p.log(state.year, retiring, Event.RETIRE)
    employed = np.flatnonzero(p.stage == Stage.EMPLOYED)
    quitting = employed[stream.uniform(p.pid[employed], "quit") < cfg.labour_market.quit_rate]
    state.separate(quitting, Separation.QUIT)
    laid_off = _layoffs(state, stream)
    state.separate(laid_off, Separation.DISPLACED)
    state.now.counters.update(retired=len(retiring), quits=len(quitting), layoffs=len(laid_off))


def _layoffs(state: CityState, stream: Stream) -> np.ndarray:
    """Rows of the workers laid off this year (the excess over desired employment)."""
    p, cfg = state.people, state.config.labour_market
    excess = state.employment_by_firm_level() - (1.0 + cfg.layoff_tolerance) * (
        state.desired_employment()
    )
    target = cfg.layoff_share * np.maximum(excess, 0.0)
    if not (target > 0).any():
        return np.array([], dtype=np.int64)
    whole = np.floor(target)
    u = stream.uniform(state.firms.key, "layoff rounding", N_MARKET_LEVELS)
    n_layoffs = (whole + (u < target - whole)).astype(np.int64)
    # only the employed of cells with a quota can be laid off: first those of firms with one
    firm_cuts = (n_layoffs > 0).any(axis=1)
    employed = np.flatnonzero((p.stage == Stage.EMPLOYED) & firm_cuts[p.employer])
    cell = p.employer[employed].astype(np.int64) * N_MARKET_LEVELS + MARKET_LEVEL[p.level[employed]]
    quota = n_layoffs.ravel()[cell]
    at_risk = quota > 0  # a cell is wholly in or out, and a keyed draw ignores who else draws
    employed, cell, quota = employed[at_risk], cell[at_risk], quota[at_risk]
    draw = stream.uniform(p.pid[employed], "layoff order")
    order = np.lexsort((draw, cell))
    ordered = cell[order]
    rank = np.empty(len(cell), dtype=np.int64)
    rank[order] = np.arange(len(cell)) - np.searchsorted(ordered, ordered)
    return np.sort(employed[rank < quota])
