"""The labour market: labour demand, posted wages, apprentices kept, search in rounds, wage setting.

Desired employment by firm and level L*_fl = D·S_f·share_fl·exp(−η·m_fl)
(:func:`talentsim.model.agents.firms.desired_employment`); openings v_fl = max(0, L*_fl −
employed_fl), stochastically rounded. Posted wage w_fl = w̄_l · premium_f · exp(ζ·(log A_f −
mean log A_0)) · exp(m_fl), the schedule times the firm's markup m_fl. An apprentice stays
with the sponsor unless poached, with probability poaching · k · min(1, tightness), k =
``poaching_tight_multiple``, tightness = openings / new seekers, and only up to the sponsor's
openings at their level.

Seekers are the unemployed (new graduates, in-migrants, the displaced, quitters and the
earlier unemployed, with the reservation wage of :func:`reservation_wages`: falling with the
spell, floored by the best outside option net of the moving cost) and a share of the employed
that rises with the year's openings (:func:`on_the_job_share`; reservation wage = their wage ·
(1 + job_to_job_gain), the workers of the city's other employers among them); they are matched in
rounds, the year's new graduates and in-migrants with
``entrant_search_multiple`` times the contacts and applications
(:func:`talentsim.model.matching.match`). After the market every firm adjusts its markups to
the share of its vacancies left unfilled
(:func:`~talentsim.model.agents.firms.adjust_posted_wages`).
The modelled firms hold only part of the city's jobs: an unemployed seeker the market leaves
unmatched finds work with the city's other employers with probability
``other_employers_hiring`` and leaves the modelled labour market (:func:`_hire_elsewhere`),
until a search on the job brings them back to a modelled firm (or they retire or leave the city).
Sponsors' retention by field, (retained + 1)/(trained + 2), is what firms expect when they
next decide to cooperate.
"""

from __future__ import annotations

import numpy as np

from talentsim.config.schema import LabourMarket
from talentsim.model import skills
from talentsim.model.agents import firms
from talentsim.model.matching import Seekers, Vacancies, match
from talentsim.model.people import Event
from talentsim.model.state import CityState, Signals
from talentsim.model.states import MARKET_LEVEL, N_MARKET_LEVELS, Stage, employed_in_city
from talentsim.model.streams import Stream


def schedule_wage(state: CityState) -> np.ndarray:
    """(firms, 4) the wage schedule: w̄_l · premium_f · exp(ζ·(log A_f − mean log A_0)).

    ζ = ``labour_market.wage_productivity_elasticity``.
    """
    table, s = state.firms, state.structure
    zeta = state.config.labour_market.wage_productivity_elasticity
    return (
        state.base_wage(np.arange(N_MARKET_LEVELS))[None, :]
        * s.premium[table.field][:, None]
        * np.exp(zeta * (table.log_productivity - state.mean_log_productivity0))[:, None]
    )


def reservation_wages(
    params: LabourMarket,
    reference: np.ndarray,
    duration: np.ndarray,
    outside_income: np.ndarray,
) -> np.ndarray:
    """Reservation wage of unemployed seekers: the spell rule, floored by the outside option.

    r = max(reservation_ratio · w_ref · (1 − reservation_decay)^duration,
            outside_option_weight · (y_out − moving_cost))

    w_ref is the seeker's starting wage at the schedule (base wage of the level; the field
    premium is in y_out), y_out the best outside destination's income for them (w_ref_field ·
    wage_ratio_d + amenity_d, as in migration): a seeker whose best outside option pays more
    holds out for more, and the floor stops the spell rule driving r towards zero.
    """
    spell = params.reservation_ratio * reference * (1.0 - params.reservation_decay) ** duration
    outside = params.outside_option_weight * (outside_income - params.moving_cost)
    return np.maximum(spell, outside)


def best_outside_income(
    state: CityState, market_level: np.ndarray, field: np.ndarray
) -> np.ndarray:
    """y_out: income at the best outside destination, max_d w_ref · wage_ratio_d + amenity_d.

    It depends on the (market level, field) cell only: valued once per cell, then gathered.
    """
    destinations = state.config.city.destinations
    ratio = np.array([d.wage_ratio for d in destinations])
    amenity = np.array([d.amenity for d in destinations])
    best = (state.reference_wages()[:, :, None] * ratio + amenity).max(axis=2)
    return best[market_level, np.maximum(field, 0)]


def on_the_job_share(params: LabourMarket, signals: Signals, rate: float) -> float:
    """Share of the employed searching on the job this year; updates the rate they expect.

    s = min(1, ``on_the_job_search`` · (rate / expected)^``on_the_job_cyclicality``), rate =
    openings posted per worker; the expected rate is an exponential average of past rates
    (weight ``on_the_job_adaptation``), the first year's rate at the start. More openings than
    usual draw more of the employed into searching: job-to-job moves are procyclical.
    """
    expected = signals.openings_rate if np.isfinite(signals.openings_rate) else rate
    relative = rate / expected if expected > 0 else 1.0
    signals.openings_rate = expected + params.on_the_job_adaptation * (rate - expected)
    return min(1.0, params.on_the_job_search * relative**params.on_the_job_cyclicality)


def by_field(field: np.ndarray, cells: np.ndarray, n_fields: int) -> np.ndarray:
    """(fields, levels) sums of a (firms, levels) table over the firms of each field."""
    return np.column_stack(
        [
            np.bincount(field, weights=cells[:, level], minlength=n_fields)
            for level in range(cells.shape[1])
        ]
    )


def clear(state: CityState, stream: Stream) -> None:
    """Post vacancies, let sponsors keep apprentices, match every seeker, then adjust wages."""
    p, table, s, cfg = state.people, state.firms, state.structure, state.config.labour_market
    graduates, inflow = state.now.graduates, state.now.inflow
    openings = firms.vacancies(
        stream, table.key, state.desired_employment(), state.employment_by_firm_level()
    )
    posted_cells = openings.copy()
    posted = by_field(table.field, openings, s.n_fields)
    wage = schedule_wage(state) * np.exp(table.log_markup)
    tightness = openings.sum() / max(len(graduates) + len(inflow), 1)
    kept, apprentices = _keep_apprentices(state, stream, openings, wage, tightness)
    unemployed = np.flatnonzero(p.stage == Stage.UNEMPLOYED)
    fresh = unemployed[p.unemployed_since[unemployed] == 0]
    p.unemployed_since[fresh] = state.year
    employed = np.flatnonzero(employed_in_city(p.stage))
    searching = on_the_job_share(cfg, state.signals, float(posted.sum()) / max(len(employed), 1))
    on_the_job = employed[stream.uniform(p.pid[employed], "on-the-job search") < searching]
    seeking = np.concatenate([unemployed, on_the_job])
    entrant = np.zeros(len(p), dtype=bool)
    entrant[graduates] = True
    entrant[inflow] = True
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
    level_u = market_level[: len(unemployed)]
    reservation = np.concatenate(
        [
            reservation_wages(
                cfg,
                state.base_wage(level_u),
                state.year - p.unemployed_since[unemployed],
                best_outside_income(state, level_u, p.field[unemployed]),
            ),
            p.wage[on_the_job] * (1.0 + cfg.job_to_job_gain),
        ]
    )
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
        reservation=reservation,
        intensity=np.where(entrant[seeking], cfg.entrant_search_multiple, 1),
    )
    cell, pay = match(stream, seekers, vacancies, cfg, s.n_fields)
    hired = cell >= 0
    movers = seeking[hired & (np.arange(len(seeking)) >= len(unemployed))]
    returning = movers[p.employer[movers] < 0]  # from the city's other employers
    left_firm = movers[p.employer[movers] >= 0]
    p.log(state.year, left_firm, Event.SEPARATE, p.employer[left_firm])
    state.hire(seeking[hired], cells_firm[cell[hired]], pay[hired])
    filled = np.bincount(cell[hired], minlength=len(vacancies.slots))
    unfilled_cells = np.zeros_like(openings)
    unfilled_cells[cells_firm, cells_level] = vacancies.slots - filled
    table.log_markup, table.open_years = firms.adjust_posted_wages(
        cfg, table.log_markup, table.open_years, posted_cells, unfilled_cells
    )
    n_unemployed_hired = int(hired[: len(unemployed)].sum())
    unmatched = unemployed[~hired[: len(unemployed)]]
    elsewhere = _hire_elsewhere(state, stream, unmatched[entrant[unmatched]])
    if len(unemployed):
        state.signals.job_finding = (n_unemployed_hired + elsewhere) / len(unemployed)
    open_wage = np.where(posted_cells > 0, wage, 0.0)
    state.now.counters.update(
        vacancies_posted=float(posted.sum()),
        hires=kept + int(hired.sum()),
        hires_from_unemployment=n_unemployed_hired,
        job_to_job_moves=len(left_firm),
        job_seekers=len(unemployed),
        other_employers_hires=elsewhere,
        other_employers_returns=len(returning),
        on_the_job_seekers=len(on_the_job),
        apprentices_retained=kept,
        apprentices_graduating=apprentices,
    )
    for level in range(N_MARKET_LEVELS):
        slots = posted_cells[:, level].sum()
        state.now.counters[f"posted_wage_{level}"] = (
            float((open_wage[:, level] * posted_cells[:, level]).sum() / slots) if slots else 0.0
        )
    unfilled = by_field(table.field, unfilled_cells, s.n_fields)
    state.now.posted = posted
    state.now.unfilled = unfilled
    state.now.seekers = np.concatenate([graduates, inflow])


def _hire_elsewhere(state: CityState, stream: Stream, unmatched: np.ndarray) -> int:
    """Unmatched unemployed seekers who find work with the city's other employers.

    Each finds such a job with probability ``other_employers_hiring`` (a keyed uniform), at
    the base wage of their level times ``other_employers_wage_ratio``, and leaves the modelled
    labour market (stage ``OTHER_EMPLOYER``: they search on the job and reconsider staying in
    the city like the employed). Returns how many did.
    """
    p, cfg = state.people, state.config.labour_market
    u = stream.uniform(p.pid[unmatched], "other employers")
    found = unmatched[u < cfg.other_employers_hiring]
    state.release(found, Stage.OTHER_EMPLOYER)
    p.wage[found] = state.base_wage(MARKET_LEVEL[p.level[found]]) * cfg.other_employers_wage_ratio
    return len(found)


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
    cfg = state.config.firms
    poached = stream.uniform(p.pid[apprentices], "poaching") < (
        cfg.poaching * cfg.poaching_tight_multiple * min(1.0, tightness)
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
