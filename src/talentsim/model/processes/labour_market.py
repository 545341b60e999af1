"""The labour market: vacancies, apprentices kept by their sponsors, matching in rounds.

Firms post vacancies, sponsors keep their apprentices, then everyone who seeks work is matched
in rounds (:func:`talentsim.model.matching.match`).

Openings v_fl = max(0, size_target_f · share_fl − employed_fl), stochastically rounded
(:func:`talentsim.model.agents.firms.vacancies`); posted wage w_fl = base_wage_l · premium_f ·
exp(0.3·(log A_f − mean log A_0)). An apprentice stays with the sponsor unless poached, with
probability poaching · min(2, 2·tightness), tightness = openings / seekers, and only up to the
sponsor's openings at their level. Sponsors' retention by field, (retained + 1)/(trained + 2),
is what firms expect when they next decide to cooperate.
"""

from __future__ import annotations

import numpy as np

from talentsim.model import skills
from talentsim.model.agents import firms
from talentsim.model.matching import Seekers, Vacancies, match
from talentsim.model.state import CityState
from talentsim.model.states import MARKET_LEVEL, N_MARKET_LEVELS, Stage
from talentsim.model.streams import Stream

WAGE_PRODUCTIVITY_ELASTICITY = 0.3
"""Elasticity of a firm's posted wage to its productivity (assumption)."""


def employed_by_firm_level(state: CityState) -> np.ndarray:
    """(firms, 4) current employment by firm and labour-market level."""
    p = state.people
    employed = p.stage == Stage.EMPLOYED
    key = p.employer[employed].astype(np.int64) * N_MARKET_LEVELS + MARKET_LEVEL[p.level[employed]]
    counts = np.bincount(key, minlength=len(state.firms) * N_MARKET_LEVELS)
    return counts.reshape(-1, N_MARKET_LEVELS).astype(np.float64)


def clear(state: CityState, stream: Stream) -> None:
    """Post vacancies, let sponsors keep apprentices, then match everyone who seeks work."""
    p, table, s = state.people, state.firms, state.structure
    graduates, inflow = state.now.graduates, state.now.inflow
    active = table.active
    shares = firms.level_shares(s.tech[table.field], table.log_productivity)
    openings = (
        firms.vacancies(stream, table.key, table.size_target, shares, employed_by_firm_level(state))
        * active[:, None]
    )
    posted = np.zeros((s.n_fields, N_MARKET_LEVELS))
    np.add.at(posted, table.field, openings)
    wage = (
        state.base_wage(np.arange(N_MARKET_LEVELS))[None, :]
        * s.premium[table.field][:, None]
        * np.exp(
            WAGE_PRODUCTIVITY_ELASTICITY * (table.log_productivity - state.mean_log_productivity0)
        )[:, None]
    )
    tightness = openings.sum() / max(len(graduates) + len(inflow), 1)
    kept, apprentices = _keep_apprentices(state, stream, openings, wage, tightness)
    seeking = np.flatnonzero(p.stage == Stage.UNEMPLOYED)
    cells_firm, cells_level = np.nonzero(openings > 0)
    vacancies = Vacancies(
        firm=cells_firm,
        key=table.key[cells_firm] * N_MARKET_LEVELS + cells_level,
        field=table.field[cells_firm],
        level=cells_level,
        slots=openings[cells_firm, cells_level],
        wage=wage[cells_firm, cells_level],
    )
    market_level = MARKET_LEVEL[p.level[seeking]]
    seekers = Seekers(
        key=p.pid[seeking],
        level=market_level,
        field=p.field[seeking],
        score=skills.productivity(
            market_level,
            p.skill_general[seeking],
            p.skill_field[seeking],
            np.ones(len(seeking), bool),
        ),
        reservation=state.config.labour_market.reservation_ratio * state.base_wage(market_level),
    )
    cell, pay = match(stream, seekers, vacancies, state.config.labour_market, s.n_fields)
    hired = cell >= 0
    state.hire(seeking[hired], cells_firm[cell[hired]], pay[hired])
    state.now.counters.update(
        vacancies_posted=float(posted.sum()),
        hires=kept + int(hired.sum()),
        apprentices_retained=kept,
        apprentices_graduating=apprentices,
    )
    unfilled = np.zeros((s.n_fields, N_MARKET_LEVELS))
    remaining = vacancies.slots - np.bincount(cell[hired], minlength=len(vacancies.slots))
    np.add.at(unfilled, (vacancies.field, vacancies.level), remaining)
    state.now.posted = posted
    state.now.unfilled = unfilled
    state.now.seekers = np.concatenate([graduates, inflow])


def _keep_apprentices(
    state: CityState, stream: Stream, openings: np.ndarray, wage: np.ndarray, tightness: float
) -> tuple[int, int]:
    """Sponsors hire their graduating apprentices unless poached; returns (kept, graduating).

    Takes the kept apprentices' slots out of ``openings``.
    """
    p, table = state.people, state.firms
    graduates = state.now.graduates
    apprentices = graduates[p.sponsor[graduates] >= 0]
    sponsor = p.sponsor[apprentices]
    level = MARKET_LEVEL[p.level[apprentices]]
    poached = stream.uniform(p.pid[apprentices], "poaching") < state.config.firms.poaching * min(
        2.0, tightness * 2
    )
    # a sponsor keeps its apprentices only up to its vacancies at their level
    candidate = ~poached & table.active[sponsor]
    slot = np.where(candidate, sponsor.astype(np.int64) * N_MARKET_LEVELS + level, -1)
    order = np.argsort(slot, kind="stable")
    rank = np.empty(len(slot), dtype=np.int64)
    rank[order] = np.arange(len(slot)) - np.searchsorted(slot[order], slot[order])
    keep = candidate & (rank < openings[sponsor, level])
    kept = apprentices[keep]
    np.subtract.at(openings, (sponsor[keep], level[keep]), 1)
    state.hire(kept, sponsor[keep], wage[sponsor[keep], level[keep]])
    n_fields = state.structure.n_fields
    retained = np.bincount(p.field[apprentices][keep], minlength=n_fields)
    trained = np.bincount(p.field[apprentices], minlength=n_fields)
    signals = state.signals
    signals.retention_by_field = np.where(
        trained > 0, (retained + 1) / (trained + 2), signals.retention_by_field
    )
    return len(kept), len(apprentices)
